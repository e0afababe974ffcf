/* a11y.js: the page for keyboards and screen readers. The map is the page's main landmark,
 * named by the title; the legend, which may scroll, is a named region the keyboard can reach
 * (css/a11y.css: a focus ring on every control, and .geo-sr, text for screen readers only).
 * Names point at visible headings (aria-labelledby), so they follow the language shown.
 */
(function (G) {
  "use strict";

  function name(target, heading, id) {
    if (!heading) return;
    heading.id = heading.id || id;
    target.setAttribute("aria-labelledby", heading.id);
  }

  G.tool({id: "a11y", init: function (P) {
    var box = P.map.getContainer();
    box.setAttribute("role", "main");
    name(box, box.querySelector(".geo-title h1"), "geo-title-heading");
    var legend = box.querySelector(".geo-legend");
    if (legend) {
      legend.tabIndex = 0;
      legend.setAttribute("role", "region");
      name(legend, legend.querySelector("h2"), "geo-legend-heading");
    }
    return {};
  }});
})(window.GeoMap);
