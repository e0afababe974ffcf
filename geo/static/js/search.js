/* search.js: find a place. A labelled search box (a control above the toolbar) over every feature of
 * the page: English and Chinese names, ids (adcodes) and aliases. It matches as you type,
 * whatever the case, accents, spaces or punctuation; Enter or a click shows the place
 * (focus.js: zoom, outline, popup); "/" anywhere on the page focuses the box.
 *
 * Ranking: the whole text, then its start, then the start of a word in it, then anywhere in
 * it; names before aliases before ids; shorter names first. On the timeline page every place of
 * every date is found; one that is not on the map at the date shown takes the map to the last
 * date it is (timeline.js).
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair;
  var MAX = 8, uid = 0;

  // "Lüyuan  District" -> "luyuandistrict", "九 台 区" -> "九台区", "Nong'an" -> "nongan"
  function norm(s) {
    return String(s == null ? "" : s).normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }

  // One searchable text: its normal form and where each of its words starts in that form.
  function entry(text, field) {
    var starts = [], at = 0;
    String(text).split(/[^\p{L}\p{N}\p{M}]+/u).forEach(function (w) {
      var n = norm(w).length;
      if (n) { starts.push(at); at += n; }
    });
    return {text: String(text), n: norm(text), starts: starts, field: field};
  }

  // The index of a page: per feature, its names (field 0), aliases (1) and id (2).
  function index(features) {
    return features.map(function (f, i) {
      var es = [entry(f.name_en, 0), entry(f.name_zh, 0)];
      (f.aliases || []).forEach(function (a) { es.push(entry(a, 1)); });
      es.push(entry(f.id, 2));
      return {f: f, i: i, entries: es.filter(function (e) { return e.n; }), len: norm(f.name_en).length};
    });
  }

  // 0 whole, 1 start, 2 start of a word, 3 anywhere; -1 no match.
  function grade(e, q) {
    var at = e.n.indexOf(q);
    if (at < 0) return -1;
    if (e.n === q) return 0;
    if (at === 0) return 1;
    for (var k = at; k >= 0; k = e.n.indexOf(q, k + 1)) if (e.starts.indexOf(k) >= 0) return 2;
    return 3;
  }

  // Every match for text q, best first: [{f, grade, field, via (the entry that matched)}].
  function find(idx, q) {
    q = norm(q);
    if (!q) return [];
    var out = [];
    idx.forEach(function (it) {
      var best = null;
      it.entries.forEach(function (e) {
        var g = grade(e, q);
        if (g >= 0 && (!best || g < best.grade || (g === best.grade && e.field < best.field)))
          best = {f: it.f, i: it.i, len: it.len, grade: g, field: e.field, via: e};
      });
      if (best) out.push(best);
    });
    return out.sort(function (a, b) {
      return (a.grade - b.grade) || (a.field - b.field) || (a.len - b.len) || (a.i - b.i);
    });
  }

  G.search = {norm: norm, index: index, find: find};

  G.tool({id: "search", init: function (P) {
    var idx = null, hits = [], active = -1, n = ++uid;
    // made on first use: a page of 10,000 sites opens no slower for having a search box
    function lookup(q) { return find(idx || (idx = index(P.data.features)), q); }
    var form = el("form", "geo-search");
    form.setAttribute("role", "search");
    var label = bi(t("search_label"), "label", "geo-sr-only");
    var input = el("input", "geo-search-input");
    input.type = "search"; input.id = label.htmlFor = "geo-search-" + n;
    input.autocomplete = "off"; input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    // the "/" key is worth saying only where there is a keyboard (a phone's screen has none)
    var touch = window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches;
    G.biAttr(input, "placeholder", touch ? t("search_placeholder_touch") : t("search_placeholder"));
    var list = el("ul", "geo-search-list");
    list.id = "geo-search-list-" + n; list.hidden = true;
    list.setAttribute("role", "listbox");
    input.setAttribute("aria-controls", list.id);
    var status = el("div", "geo-search-status");
    status.setAttribute("role", "status");
    form.appendChild(label); form.appendChild(input); form.appendChild(list); form.appendChild(status);
    var Box = L.Control.extend({options: {position: "topleft"}, onAdd: function () { return form; }});
    new Box().addTo(P.map);
    form.classList.add("leaflet-bar");

    function say(p) { status.textContent = ""; if (p) status.appendChild(bi(p)); }

    function setActive(k) {
      active = k;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", String(j === k)); });
      if (k >= 0) { input.setAttribute("aria-activedescendant", list.children[k].id); list.children[k].scrollIntoView({block: "nearest"}); }
      else input.removeAttribute("aria-activedescendant");
    }

    // The list open lifts its corner of the map above the others (the legend's, bottom left,
    // comes later in the page and would otherwise cover the list where they meet).
    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (form.parentNode) form.parentNode.style.zIndex = 1002;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
      if (form.parentNode) form.parentNode.style.zIndex = "";
    }

    function option(h, k) {
      var f = h.f, li = el("li", "geo-search-hit");
      li.id = list.id + "-" + k;
      li.setAttribute("role", "option");
      li.appendChild(bi(pair(f.name_en, f.name_zh), "span", "geo-search-name"));
      if (f.kind) li.appendChild(bi(P.content.kind(f.kind), "span", "geo-search-kind"));
      if (h.field === 1) li.appendChild(bi(t("search_alias", {alias: h.via.text}), "span", "geo-search-via"));
      if (h.field === 2) li.appendChild(el("span", "geo-search-via", f.id));
      if (P.at && (f.since || f.until)) {  // the timeline page: when the place is on the map
        li.appendChild(bi(t(f.since && f.until ? "boundary_from_until" : (f.since ? "boundary_since" : "boundary_until"),
                            {since: f.since, until: f.until}), "span", "geo-search-via"));
      }
      L.DomEvent.on(li, "mousedown", L.DomEvent.preventDefault);  // the box keeps the focus
      L.DomEvent.on(li, "click", function () { pick(k); });
      return li;
    }

    function update() {
      var q = input.value;
      hits = lookup(q);
      list.textContent = "";
      hits.slice(0, MAX).forEach(function (h, k) { list.appendChild(option(h, k)); });
      active = -1;
      if (!norm(q)) { say(null); close(); return; }
      if (!hits.length) { say(t("search_none", {q: q.trim()})); close(); return; }
      say(hits.length > MAX ? t("search_count_more", {n: hits.length, shown: MAX}) : t("search_count", {n: hits.length}));
      open();
      setActive(-1);
    }

    function pick(k) {
      var h = hits[k];
      if (!h) return;
      input.value = G.i18n.pick(pair(h.f.name_en, h.f.name_zh), " ");
      close();
      say(null);
      // on the timeline page, a place not on the map at the date shown: to a date it is
      if (!G.dates.holds(P, h.f) && P.tools.timeline && P.tools.timeline.goFeature) P.tools.timeline.goFeature(h.f);
      G.focus.show(P, h.f);
    }

    L.DomEvent.on(input, "input", update);
    L.DomEvent.on(input, "keydown", function (e) {
      var shown = list.hidden ? 0 : list.children.length;
      if (e.key === "ArrowDown" && shown) { setActive((active + 1) % shown); e.preventDefault(); }
      else if (e.key === "ArrowUp" && shown) { setActive(active <= 0 ? shown - 1 : active - 1); e.preventDefault(); }
      else if (e.key === "Enter") { e.preventDefault(); pick(active >= 0 ? active : 0); }
      else if (e.key === "Escape") {
        if (!list.hidden) close(); else { input.value = ""; update(); }
        e.preventDefault();
      }
    });
    L.DomEvent.on(input, "blur", function () { setTimeout(close, 150); });
    L.DomEvent.on(input, "focus", function () { if (hits.length && norm(input.value)) open(); });
    L.DomEvent.on(form, "submit", L.DomEvent.preventDefault);
    L.DomEvent.disableClickPropagation(form);
    L.DomEvent.disableScrollPropagation(form);
    // "/" focuses the box, unless the reader is typing somewhere
    document.addEventListener("keydown", function (e) {
      var tg = e.target, tag = tg && tg.tagName;
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (tg && tg.isContentEditable)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
    return {input: input, find: lookup};
  }});
})(window.GeoMap);
