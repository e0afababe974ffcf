/* core.js: the GeoMap namespace every in-page module registers into, and DOM helpers.
 *
 * The page's code is a set of small modules (geo/static/js/*.js), joined in the order
 * geo/assets.py lists them. Each is a function of the shared namespace `G`; none touches a
 * global but `GeoMap` (and `GEO`, the handle the page exposes once drawn).
 * Text from the data always enters the page as text (textContent), never as markup.
 */
(function (global) {
  "use strict";
  var G = global.GeoMap = global.GeoMap || {};

  // For the rare place Leaflet wants markup (the layer control's labels): escape everything.
  G.esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };

  G.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  };
})(window);
