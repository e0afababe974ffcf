/* labels.js: place names on the map. Each labelled feature's name is a marker whose icon
 * centres itself in CSS (placing it reads no layout, unlike a tooltip), shown between its layer's
 * label_min_zoom and its own label_max_zoom, on the dates it holds (G.dates.holds).
 *
 * Names that would overlap are sorted out once the frame's layout is known (declutter). In turn,
 * the place with the most roles on the page first, then a place whose parts the page labels when
 * zoomed in (Changchun among the prefectures: the city the page is about), then the larger place,
 * each name keeps its spot, moves up or down by a little, or is hidden until a zoom where it fits.
 */
(function (G) {
  "use strict";
  var el = G.el, holds = G.dates.holds;
  // "Nanguan District" -> "Nanguan", "Yanbian Korean Autonomous Prefecture" -> "Yanbian": the map
  // says what kind of unit it is by its outline; the Chinese name stays whole
  var SUFFIX = / ((\S+ )?Autonomous )?(District|County|City|Prefecture)$/;
  var GAP = 1;  // px two names may share before they count as overlapping (touching is fine)
  var NUDGE = 0.6;  // the most a name moves, in its own heights

  function shortName(name) { return name.replace(SUFFIX, ""); }

  function make(P) {
    G.shapes.ofLayers(P, function (spec) { return spec.labels; }, function (f, i, spec) {
      if (!f.label) return;
      var box = el("div", "geo-label-text");
      var en = el("span", "geo-label-en geo-en", shortName(f.name_en)), zh = el("span", "geo-label-zh geo-zh", f.name_zh);
      en.lang = "en"; zh.lang = "zh-Hans";
      box.appendChild(en); box.appendChild(zh);
      var icon = L.divIcon({className: "geo-label geo-label-" + spec.id, html: box, iconSize: null});
      var mark = L.marker(G.shapes.project(P, f.label), {icon: icon, interactive: false, keyboard: false});
      P.labels.push({marker: mark, box: box, wgs: f.label, feature: f, minZoom: spec.label_min_zoom || 0,
                     maxZoom: f.label_max_zoom == null ? 99 : f.label_max_zoom, on: false, culled: false,
                     rank: [-(f.roles ? f.roles.length : 0), f.label_max_zoom == null ? 0 : -1, -(f.area_km2 || 0),
                            P.labels.length]});
    });
    var order = P.labels.slice().sort(function (a, b) {
      for (var k = 0; k < a.rank.length; k++) if (a.rank[k] !== b.rank[k]) return a.rank[k] - b.rank[k];
      return 0;
    });
    var pending = false;
    // once per frame, after the frame's other changes: its layout is read once
    function later() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; declutter(order); });
    }
    function update() {
      var z = P.map.getZoom();
      P.labels.forEach(function (l) {
        var want = z >= l.minZoom && z <= l.maxZoom && holds(P, l.feature);
        if (want && !l.on) { l.marker.addTo(P.map); l.on = true; }
        if (!want && l.on) { P.map.removeLayer(l.marker); l.on = false; }
      });
      later();
    }
    P.map.on("zoomend", update);
    G.i18n.onChange(later);  // names change width with the language
    P.updateLabels = update;
    return update;
  }

  function overlaps(a, b) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > GAP &&
           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > GAP;
  }

  function moved(r, dy) { return {left: r.left, right: r.right, top: r.top + dy, bottom: r.bottom + dy}; }

  // Where a name of box r goes among the names placed: the shift (px, down positive) that clears
  // them all, the smallest first, or null when none within NUDGE of its height does.
  function shiftFor(r, placed) {
    var hit = placed.filter(function (p) { return overlaps(r, p); });
    if (!hit.length) return 0;
    var limit = NUDGE * (r.bottom - r.top);
    var down = Math.max.apply(null, hit.map(function (p) { return p.bottom - r.top; })) + GAP;
    var up = -(Math.max.apply(null, hit.map(function (p) { return r.bottom - p.top; })) + GAP);
    var tries = Math.abs(up) < down ? [up, down] : [down, up];
    for (var k = 0; k < 2; k++) {
      var dy = tries[k], m = moved(r, dy);
      if (Math.abs(dy) <= limit && !placed.some(function (p) { return overlaps(m, p); })) return dy;
    }
    return null;
  }

  function declutter(order) {
    var shown = order.filter(function (l) { return l.on; });
    shown.forEach(function (l) { l.box.style.marginTop = ""; });
    var boxes = shown.map(function (l) { return l.box.getBoundingClientRect(); });  // one layout
    var placed = [], shifts = boxes.map(function (r) {
      if (!r.width) return 0;  // a name with no text in the language shown
      var dy = shiftFor(r, placed);
      if (dy !== null) placed.push(moved(r, dy));
      return dy;
    });
    shown.forEach(function (l, k) {
      var dy = shifts[k];
      l.culled = dy === null;
      l.box.style.marginTop = dy ? dy + "px" : "";
      l.marker.getElement().classList.toggle("geo-label-culled", l.culled);
    });
  }

  G.labels = {make: make, shortName: shortName};
})(window.GeoMap);
