/* timeline.js: the date slider of the timeline page (active when the page data has a timeline).
 *
 * data.timeline lists the steps, oldest first: {at (YYYY-MM-DD), label (the date as precisely
 * as the source gives it), sources (the documents of that day), plans (announced that day),
 * changes (boundaries that begin or end)}. The slider (an <input type=range>), the back / play /
 * forward buttons and the arrow keys choose a step; the page then shows only what holds on its
 * date (P.at, G.dates): the role shapes are drawn again by the shared drawing code
 * (G.shapes.fillRoles), the boundaries and labels of that date are shown, and what is new since
 * the step before is marked (class geo-new, gold). date=YYYY-MM-DD in the address's hash opens
 * the page at that date; the link (permalink.js) carries the date shown, so a date can be
 * linked to. Each change of date fires "geodate" on the map. On a phone (css/timeline.css) the
 * panel keeps to the date, the slider and the buttons; "Details" opens the rest.
 */
(function (global, G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair, within = G.dates.within, span = G.dates.span;

  // The date a link asks for (date=2021-12, date=2021-12-28 ...), as a key; null when none.
  function hashDate() {
    var m = /(?:^#|&)date=(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:&|$)/.exec(global.location.hash || "");
    return m ? G.dates.key(m[1]) : null;
  }

  // The last step on or before the date (the first step when the date comes before them all).
  function indexFor(steps, at) {
    var i = 0;
    steps.forEach(function (s, k) { if (s.at <= at) i = k; });
    return i;
  }

  // Set the page's date to step i: P.at, and P.isNew (what holds now but did not at step i - 1;
  // a boundary only when it is dated, so the first step does not gild every border).
  function setStep(P, i) {
    var steps = P.data.timeline, at = steps[i].at, prev = i > 0 ? steps[i - 1].at : null;
    P.at = at;
    P.step = i;
    P.isNew = function (f, rid) {
      if (rid == null) return !!span(f) && prev != null && !within(span(f), prev);
      if (prev == null) return true;
      return !within(span(f), prev) ||
        !(f.roles || []).some(function (r) { return r.role === rid && within(span(r), prev); });
    };
  }

  // Role id -> "new" | "on": the roles that hold on P.at, and which of them are new there.
  function rolesNow(P) {
    var out = {};
    P.data.features.forEach(function (f) {
      G.dates.roles(P, f).forEach(function (r) {
        if (!G.dates.holds(P, f)) return;
        out[r.role] = out[r.role] === "new" || P.isNew(f, r.role) ? "new" : "on";
      });
    });
    return out;
  }

  var Panel = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      var box = el("div", "geo-timeline leaflet-bar");
      box.setAttribute("role", "group");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  // A button of the panel: its words, and a glyph (data-glyph) a phone shows in their place.
  function button(cls, label, title, glyph) {
    var b = el("button", "geo-tl-button " + cls);
    b.type = "button";
    b.setAttribute("data-glyph", glyph);
    say(b, label);
    G.biAttr(b, "title", title);
    return b;
  }

  function say(b, label) {
    b.textContent = "";
    b.appendChild(bi(label, "span", "geo-tl-words"));
  }

  function init(P) {
    var data = P.data, steps = data.timeline, plans = data.plans || [];
    if (!steps || !steps.length) return {};
    var box = new Panel().addTo(P.map).getContainer();
    G.biAttr(box, "aria-label", t("tl_panel"));
    var head = el("div", "geo-tl-head");
    var date = el("output", "geo-tl-date");
    date.setAttribute("aria-live", "polite");
    head.appendChild(bi(t("tl_label"), "span", "geo-tl-label"));
    head.appendChild(date);
    box.appendChild(head);
    var range = el("input", "geo-tl-range");
    range.type = "range";
    range.min = "0"; range.max = String(steps.length - 1); range.step = "1";
    G.biAttr(range, "aria-label", t("tl_label"));
    range.setAttribute("list", "geo-tl-ticks");
    var ticks = el("datalist");
    ticks.id = "geo-tl-ticks";
    steps.forEach(function (s, k) { var o = el("option"); o.value = String(k); o.label = s.label; ticks.appendChild(o); });
    box.appendChild(range);
    box.appendChild(ticks);
    var bar = el("div", "geo-tl-buttons");
    var back = button("geo-tl-back", t("tl_back"), t("tl_back_title"), "◀");
    var play = button("geo-tl-play", t("tl_play"), t("tl_play_title"), "▶");
    var fwd = button("geo-tl-forward", t("tl_forward"), t("tl_forward_title"), "▶▶");
    var more = button("geo-tl-more geo-phone-only", t("tl_details"), t("tl_details_title"), "☰");
    [back, play, fwd, more].forEach(function (b) { bar.appendChild(b); });
    box.appendChild(bar);
    var details = el("div", "geo-tl-details");
    details.id = "geo-tl-details";
    more.setAttribute("aria-controls", details.id);
    more.setAttribute("aria-expanded", "false");
    var docs = el("ul", "geo-tl-docs"), news = el("div", "geo-tl-new"), now = el("div", "geo-tl-now");
    [docs, news, now].forEach(function (e) { details.appendChild(e); });
    box.appendChild(details);
    // the details on a phone: one panel at a time (layout.js), so a sheet or the table closes them
    function open(on) {
      box.classList.toggle("geo-tl-open", on);
      more.setAttribute("aria-expanded", String(on));
      if (on) P.map.fire("geopanel", {id: "timeline"});
    }
    L.DomEvent.on(more, "click", function () { open(!box.classList.contains("geo-tl-open")); });
    P.map.on("geopanel", function (e) { if (e.id !== "timeline") open(false); });

    function describe(i) {
      var s = steps[i];
      date.textContent = s.label;
      range.value = String(i);
      range.setAttribute("aria-valuetext", s.label);
      back.disabled = i === 0;
      fwd.disabled = i === steps.length - 1;
      docs.textContent = "";
      s.sources.forEach(function (k) {
        var src = data.sources[k];
        if (src) docs.appendChild(P.content.cite(src, "li"));
      });
      var state = rolesNow(P), fresh = [];
      data.page_roles.forEach(function (rid) { if (state[rid] === "new") fresh.push(P.roles[rid]); });
      news.textContent = "";
      news.appendChild(bi(t("tl_new"), "h3"));
      var ul = el("ul");
      fresh.forEach(function (r) {
        var li = bi(pair(r.name_en, r.name_zh), "li");
        li.setAttribute("data-role", r.id);
        ul.appendChild(li);
      });
      var moved = s.changes.map(function (id) { return P.feature(id); })
        .filter(function (f) { return f && G.dates.holds(P, f); });
      if (moved.length) {
        ul.appendChild(bi(t("tl_boundaries", {names: G.join(moved.map(function (f) { return pair(f.name_en, f.name_zh); }),
                                                            ", ", "、")}), "li", "geo-tl-change"));
      }
      if (!ul.children.length) ul.appendChild(bi(t("tl_nothing_new"), "li", "geo-tl-none"));
      news.appendChild(ul);
      now.textContent = "";
      now.appendChild(bi(t("tl_in_force"), "h3"));
      var inForce = el("ul", "geo-tl-plans");
      plans.forEach(function (p) {
        if (p.at > s.at) return;
        var li = el("li"), label = el("label"), cb = el("input");
        li.setAttribute("data-plan", p.id);
        cb.type = "checkbox";  // show or hide the plan's roles (as the layer control does, role by role)
        cb.checked = p.roles.some(function (rid) { return P.groups[rid] && P.map.hasLayer(P.groups[rid]); });
        cb.addEventListener("change", function () {
          p.roles.forEach(function (rid) {
            var g = P.groups[rid];
            if (g && cb.checked) g.addTo(P.map); else if (g) P.map.removeLayer(g);
          });
          G.shapes.restack(P);
        });
        label.appendChild(cb);
        label.appendChild(el("span", "geo-tl-plan-date", p.date));
        label.appendChild(bi(pair(p.name_en, p.name_zh)));
        li.appendChild(label);
        inForce.appendChild(li);
      });
      now.appendChild(inForce);
      // the legend lists the roles in force, the new ones marked
      (P.legend ? P.legend.querySelectorAll(".geo-legend-role") : []).forEach(function (li) {
        var st = state[li.getAttribute("data-role")];
        li.style.display = st ? "" : "none";
        li.classList.toggle("geo-legend-new", st === "new");
      });
    }

    var timer = null;
    function go(i) {
      i = Math.max(0, Math.min(steps.length - 1, i));
      setStep(P, i);
      G.shapes.fillRoles(P);
      G.shapes.showContext(P);
      if (P.updateLabels) P.updateLabels();
      describe(i);
      P.map.fire("geodate", {at: steps[i].at});
      return i;
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      say(play, t("tl_play"));
      play.setAttribute("data-glyph", "▶");
      play.setAttribute("aria-pressed", "false");
    }
    function start() {
      if (P.step === steps.length - 1) go(0);
      timer = setInterval(function () { if (go(P.step + 1) === steps.length - 1) stop(); }, 1600);
      say(play, t("tl_pause"));
      play.setAttribute("data-glyph", "❚❚");
      play.setAttribute("aria-pressed", "true");
    }
    range.addEventListener("input", function () { stop(); go(+range.value); });
    L.DomEvent.on(back, "click", function () { stop(); go(P.step - 1); });
    L.DomEvent.on(fwd, "click", function () { stop(); go(P.step + 1); });
    L.DomEvent.on(play, "click", function () { if (timer) stop(); else start(); });
    box.addEventListener("keydown", function (e) {  // the arrow keys step from anywhere in the panel
      if (e.target === range) return;  // the slider steps by itself
      if (e.key === "ArrowLeft") { stop(); go(P.step - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { stop(); go(P.step + 1); e.preventDefault(); }
    });
    stop();
    describe(P.step);
    return {go: function (i) { stop(); return go(i); }, step: function () { return P.step; }, steps: steps,
            // show the step of a date (a key): the last on or before it
            goDate: function (at) { stop(); return go(indexFor(steps, at)); },
            // show the last step on which feature f holds (a place found by the search)
            goFeature: function (f) {
              var k = -1;
              steps.forEach(function (s, i) { if (within(span(f), s.at)) k = i; });
              if (k >= 0 && k !== P.step) { stop(); go(k); }
              return P.step;
            },
            playing: function () { return !!timer; }, stop: stop, details: open};
  }

  G.tool({
    id: "timeline",
    // before anything is drawn: the date to open on (#date=..., else the latest: today)
    prepare: function (P) {
      var steps = P.data.timeline;
      if (!steps || !steps.length) return;
      var asked = hashDate();
      setStep(P, asked ? indexFor(steps, asked) : steps.length - 1);
      P.seen["new"] = true;
    },
    init: init
  });
})(window, window.GeoMap);
