/* permalink.js: links that keep the state. The URL's hash holds the view, the basemap, the
 * overlays that are on, the language and the open feature:
 *
 *     #z=9&c=43.88000,125.32000&b=osm&o=auto,culture&lang=zh&f=220113
 *
 * (c in WGS-84 whatever the basemap; o= with nothing after it: every overlay off; on the
 * timeline page also date=YYYY-MM-DD, the date shown, see timeline.js). It follows
 * the page as it changes (history.replaceState, a moment after the last change); opening such a
 * URL restores it all. lang= may also be in the query (?lang=zh); the hash wins. A value that
 * is bad or stale (an overlay, basemap or feature the page does not have, a zoom out of range,
 * not a number) is ignored, never an error. The "Link" button shows the URL, selected, and
 * copies it when the browser lets it.
 */
(function (global, G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t;

  function parse(text) {
    var out = {};
    String(text || "").replace(/^[#?]/, "").split("&").forEach(function (kv) {
      var at = kv.indexOf("="), k = at < 0 ? kv : kv.slice(0, at), v = at < 0 ? "" : kv.slice(at + 1);
      try { k = decodeURIComponent(k); v = decodeURIComponent(v.replace(/\+/g, " ")); } catch (e) { return; }
      if (k) out[k] = v;
    });
    return out;
  }

  function baseId(P, lyr) { return lyr && lyr.geoBasemap; }
  function baseLayer(P, id) {
    var found = null;
    Object.keys(P.bases).forEach(function (k) { if (P.bases[k].geoBasemap === id) found = P.bases[k]; });
    return found;
  }
  function numbers(s, n) {
    var a = String(s).split(",");
    if (a.length !== n) return null;
    a = a.map(function (x) { return x.trim() === "" ? NaN : Number(x); });
    return a.every(isFinite) ? a : null;
  }

  // The valid part of a parsed link: {zoom, center ([lat, lon], WGS-84), base, overlays, lang, feature,
  // date (a key; the timeline page only)}.
  function valid(P, raw) {
    var st = {}, map = P.map;
    var z = raw.z != null && raw.z.trim() !== "" ? Number(raw.z) : NaN;
    if (isFinite(z) && z >= map.getMinZoom() && z <= Math.min(map.getMaxZoom(), P.data.max_zoom)) st.zoom = z;
    var c = raw.c != null ? numbers(raw.c, 2) : null;
    if (c && Math.abs(c[0]) <= 90 && Math.abs(c[1]) <= 180) st.center = c;
    if (raw.b != null && baseLayer(P, raw.b)) st.base = raw.b;
    if (raw.o != null) {
      var asked = raw.o.split(",").filter(Boolean);
      var ok = asked.filter(function (id) { return P.data.page_roles.indexOf(id) >= 0; });
      if (ok.length || !asked.length) st.overlays = ok;  // nothing known asked for: ignored
    }
    if (raw.lang != null && G.i18n.LANGS.indexOf(raw.lang) >= 0) st.lang = raw.lang;
    if (raw.f != null && P.feature(raw.f)) st.feature = raw.f;
    if (raw.date != null && P.data.timeline && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(raw.date)) st.date = G.dates.key(raw.date);
    return st;
  }

  // The page's state now, in the same shape.
  function current(P) {
    var map = P.map, st = {}, c = map.getCenter(), base = null;
    Object.keys(P.bases).forEach(function (k) { if (map.hasLayer(P.bases[k])) base = P.bases[k]; });
    var ll = [c.lat, c.lng];
    if (P.datum === "gcj02") ll = G.fromGcj(ll);
    st.zoom = map.getZoom();
    st.center = ll;
    st.base = baseId(P, base || P.startBase) || P.data.basemaps[0].id;
    st.overlays = P.data.page_roles.filter(function (r) { return map.hasLayer(P.overlays[r]); });
    st.lang = G.i18n.lang();
    if (P.openFeature) st.feature = P.openFeature.id;
    if (P.at) st.date = P.at;
    return st;
  }

  function format(st) {
    var e = encodeURIComponent, parts = [];
    if (st.zoom != null) parts.push("z=" + e(st.zoom));
    if (st.center) parts.push("c=" + st.center[0].toFixed(5) + "," + st.center[1].toFixed(5));
    if (st.base) parts.push("b=" + e(st.base));
    if (st.overlays) parts.push("o=" + st.overlays.map(e).join(","));
    if (st.lang) parts.push("lang=" + e(st.lang));
    if (st.feature) parts.push("f=" + e(st.feature));
    if (st.date) parts.push("date=" + e(st.date));
    return parts.join("&");
  }

  // Put a (valid) state on the page; `early`: the page is being drawn, its basemap not yet added.
  function apply(P, st, early) {
    var map = P.map;
    if (st.lang) G.i18n.setLang(st.lang);
    if (st.base) {
      var lyr = baseLayer(P, st.base);
      if (early) { P.startBase = lyr; G.shapes.setDatum(P, lyr.options.datum || "wgs84"); } else if (!map.hasLayer(lyr)) {
        Object.keys(P.bases).forEach(function (k) { if (P.bases[k] !== lyr) map.removeLayer(P.bases[k]); });
        map.addLayer(lyr);
      }
    }
    if (st.overlays) {
      P.data.page_roles.forEach(function (r) {
        var on = st.overlays.indexOf(r) >= 0, g = P.overlays[r];
        if (on && !map.hasLayer(g)) map.addLayer(g); else if (!on && map.hasLayer(g)) map.removeLayer(g);
      });
    }
    // the date first: it decides what is drawn (early, timeline.js has read it from the link)
    if (st.date && !early && P.tools.timeline && P.tools.timeline.goDate) P.tools.timeline.goDate(st.date);
    var view = st.zoom != null || st.center;
    if (view) {
      var c = st.center ? G.shapes.project(P, st.center) : map.getCenter();
      map.setView(c, st.zoom != null ? st.zoom : map.getZoom(), {reset: true});  // exactly there
    }
    if (st.feature) G.focus.show(P, P.feature(st.feature), {zoom: !view});  // a link's view is kept
    else if (!early && P.openFeature) map.closePopup();
  }

  G.permalink = {parse: parse, valid: valid, current: current, format: format, apply: apply};

  G.tool({id: "permalink", init: function (P) {
    var map = P.map, timer = null, panel = null, field = null, note = null;

    function url() { return location.href.replace(/#.*$/, "") + "#" + format(current(P)); }
    // The hash as the page last read or wrote it. Another one is an edit (a link followed, a hand
    // edit, Back) whose hashchange may still be queued behind a write: the write applies it first,
    // so that it never puts the page's older state back over the edit.
    var known = location.hash;
    function applyHash() {
      known = location.hash;
      apply(P, valid(P, parse(location.hash)), false);
    }
    function write() {
      timer = null;
      if (location.hash !== known) applyHash();
      var u = url();
      try { history.replaceState(history.state, "", u); } catch (e) { /* a sandboxed page: the field still shows it */ }
      known = location.hash;
      if (field) field.value = u;
    }
    function later() { if (timer) clearTimeout(timer); timer = setTimeout(write, 250); }

    var fromQuery = parse(location.search), fromHash = parse(location.hash);
    var raw = {};
    if (fromQuery.lang != null) raw.lang = fromQuery.lang;
    Object.keys(fromHash).forEach(function (k) { raw[k] = fromHash[k]; });
    var st = valid(P, raw);
    apply(P, st, true);
    if (location.hash) later();  // tidy a link's hash: what was ignored goes

    map.on("moveend overlayadd overlayremove baselayerchange popupopen popupclose geodate", later);
    G.i18n.onChange(later);
    global.addEventListener("hashchange", function () { if (location.hash !== known) applyHash(); });

    function say(p) { note.textContent = ""; note.appendChild(bi(p)); }
    function copy() {
      if (timer) clearTimeout(timer);
      write();
      field.focus();
      field.select();
      var manual = function () {
        var done = false;
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        say(done ? t("link_copied") : t("link_copy_manual"));
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(function () { say(t("link_copied")); }, manual);
      } else manual();
    }
    function closePanel() { if (panel) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); } }

    var button = G.toolbar.button(P, {id: "link", label: t("link_button"), title: t("link_title"), onClick: function () {
      if (!panel) {
        panel = el("div", "geo-link-panel");
        var lab = bi(t("link_field"), "label", "geo-link-label");
        field = el("input", "geo-link-field");
        field.type = "text"; field.readOnly = true; field.id = lab.htmlFor = "geo-link-field";
        note = el("div", "geo-link-note");
        note.setAttribute("role", "status");
        var x = bi(t("close"), "button", "geo-link-close");
        x.type = "button";
        L.DomEvent.on(x, "click", closePanel);
        L.DomEvent.on(panel, "keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closePanel(); } });
        panel.appendChild(lab); panel.appendChild(field); panel.appendChild(x); panel.appendChild(note);
        button.parentNode.appendChild(panel);
        button.setAttribute("aria-controls", panel.id = "geo-link-panel");
      } else if (!panel.hidden) { closePanel(); return; }
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      copy();
    }});
    button.setAttribute("aria-expanded", "false");
    return {url: url, state: function () { return current(P); }};
  }});
})(window, window.GeoMap);
