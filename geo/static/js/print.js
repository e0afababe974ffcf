/* print.js: the map on one A4 landscape page (css/print.css): map, title, legend, scale bar,
 * north arrow, date and sources, the controls hidden.
 *
 * Before printing (the Print button, or the browser's own print, which fires "beforeprint")
 * <html> takes the class geo-print: the map takes the paper's size less a footer with today's
 * date and the sources, and is fitted to the plan beside the title and legend. After printing
 * the page returns to the view it had.
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t;
  var NS = "http://www.w3.org/2000/svg";

  var North = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var box = el("div", "geo-north geo-print-only"), svg = document.createElementNS(NS, "svg");
      svg.setAttribute("viewBox", "0 0 20 28");
      svg.setAttribute("width", "20"); svg.setAttribute("height", "28");
      svg.setAttribute("aria-hidden", "true");
      [["M10 0 L19 26 L10 20 Z", "#222"], ["M10 0 L1 26 L10 20 Z", "#fff"]].forEach(function (d) {
        var p = document.createElementNS(NS, "path");
        p.setAttribute("d", d[0]); p.setAttribute("fill", d[1]); p.setAttribute("stroke", "#222");
        svg.appendChild(p);
      });
      box.appendChild(svg);
      box.appendChild(bi(t("north"), "div", "geo-north-label"));
      return box;
    }
  });

  function today() {
    var d = new Date(), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  // "Sources: plan: <the reports the page's roles cite>. Boundaries: ... Basemap: <its credit>."
  function sources(P) {
    var docs = [];
    Object.keys(P.sources || {}).forEach(function (k) {
      var doc = String(P.sources[k].title || k).split(": ")[0];
      if (docs.indexOf(doc) < 0) docs.push(doc);
    });
    var credit = P.map.attributionControl ? P.map.attributionControl.getContainer().textContent : "";
    credit = credit.replace(/^\s*\S*\s*Leaflet\s*\|?\s*/, "").trim();
    return t("print_sources", {plan: docs.join("; ") || "—", basemap: credit || "—"});
  }

  function prepare(P, foot) {
    var map = P.map;
    if (P.printing) return;
    P.printing = {center: map.getCenter(), zoom: map.getZoom()};
    foot.textContent = "";
    foot.appendChild(bi(t("print_date", {date: today()}), "span", "geo-print-date"));
    foot.appendChild(bi(sources(P), "span", "geo-print-sources"));
    document.documentElement.classList.add("geo-print");
    var legend = map.getContainer().querySelector(".geo-legend");
    if (legend) {  // a long list of roles (the timeline's) in two columns, so the legend fits the paper
      var shown = Array.prototype.filter.call(legend.querySelectorAll(".geo-legend-role"),
                                             function (li) { return li.style.display !== "none"; });
      legend.classList.toggle("geo-legend-cols", shown.length > 12);
    }
    map.invalidateSize({pan: false});
    // the plan right of the legend, clear of the north arrow
    map.fitBounds(P.data.bounds, {paddingTopLeft: [(legend ? legend.offsetWidth : 0) + 24, 16],
                                  paddingBottomRight: [48, 16], animate: false});
  }

  function restore(P) {
    if (!P.printing) return;
    var view = P.printing;
    P.printing = null;
    document.documentElement.classList.remove("geo-print");
    P.map.invalidateSize({pan: false});
    P.map.setView(view.center, view.zoom, {animate: false});
  }

  // Call done once the basemap's tiles for the print view are in (or after `ms`).
  function whenTiles(P, ms, done) {
    var called = false, once = function () { if (!called) { called = true; done(); } };
    var tiles = null;
    P.map.eachLayer(function (l) { if (l.geoBasemap && l.isLoading) tiles = l; });
    if (tiles && tiles.isLoading()) { tiles.once("load", once); setTimeout(once, ms); } else once();
  }

  G.tool({id: "print", init: function (P) {
    var foot = el("div", "geo-print-foot geo-print-only");
    document.body.appendChild(foot);
    new North().addTo(P.map);
    window.addEventListener("beforeprint", function () { prepare(P, foot); });
    window.addEventListener("afterprint", function () { restore(P); });
    var button = G.toolbar.button(P, {id: "print", label: t("print"), title: t("print_title"), onClick: function () {
      prepare(P, foot);
      whenTiles(P, 2500, function () { window.print(); });
    }});
    return {button: button, prepare: function () { prepare(P, foot); }, restore: function () { restore(P); }};
  }});

  G.print = {sources: sources, today: today};
})(window.GeoMap);
