/* patterns.js: SVG stripe patterns. A feature in k of the page's roles shows k interleaved
 * stripes, one colour per role, so no colour is muddied by another. */
(function (G) {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var OPACITY = [0, 0.22, 0.38, 0.55];  // by the part's weight (1 driven ... 3 flagship)

  G.patterns = {
    id: function (role, slot, n, weight) { return "geo-pat-" + role + "-" + slot + "-" + n + "-" + weight; },
    ensure: function (svg, colour, id, slot, n, weight) {
      if (!svg || document.getElementById(id)) return;
      var defs = svg.querySelector("defs");
      if (!defs) { defs = document.createElementNS(NS, "defs"); svg.insertBefore(defs, svg.firstChild); }
      var w = 7, p = document.createElementNS(NS, "pattern");
      p.setAttribute("id", id);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", String(w * n));
      p.setAttribute("height", String(w * n));
      p.setAttribute("patternTransform", "rotate(45)");
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", String(w * slot));
      r.setAttribute("y", "0");
      r.setAttribute("width", String(w));
      r.setAttribute("height", String(w * n));
      r.setAttribute("fill", colour);
      r.setAttribute("fill-opacity", String(OPACITY[weight] || 0.38));
      p.appendChild(r);
      defs.appendChild(p);
    }
  };
})(window.GeoMap);
