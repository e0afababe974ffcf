/* page.js: draw a page. GeoMap.render(map, data) is called by the page with the JSON the
 * build embeds (geo/render.py); it wires the other modules together and exposes window.GEO,
 * the handle the tests and the other in-page tools use. Tools (toolbar.js) start last. */
(function (global, G) {
  "use strict";

  G.render = function (map, data) {
    if (global.performance && performance.mark) performance.mark("geo-render-start");
    G.i18n.init(data.strings);
    G.i18n.setLang(document.documentElement.getAttribute("data-lang") || "both");
    var P = {map: map, data: data, roles: {}, parts: data.parts, sources: data.sources, layersById: {}, byId: {},
             datum: "wgs84", coarse: false, drawn: [], labels: [], clouds: [], seen: {}, tools: {}, at: null};
    data.roles.forEach(function (r) { P.roles[r.id] = r; });
    data.layers.forEach(function (l) { P.layersById[l.id] = l; });
    // the features that are not point rows: their coordinates now (a row's are made with it)
    data.shapes.forEach(function (f) { G.geometry.prepareFeature(f); P.byId[f.id] = f; });
    P.feature = function (id) {  // the feature of that id (undefined when the page has none)
      if (Object.prototype.hasOwnProperty.call(P.byId, id)) return P.byId[id];
      var k = data.rows ? data.rows.find(id) : -1;
      return k >= 0 ? data.features[data.shapes.length + k] : undefined;
    };
    P.content = G.content(P);
    G.toolbar.prepare(P);  // e.g. the timeline sets the date shown (P.at)
    P.svg = L.svg({padding: 0.1});  // little drawn off screen: a quicker first frame
    P.canvas = data.canvas ? L.canvas({padding: 0.1}) : null;
    map.addLayer(P.svg);
    // Fit first, so every shape is projected once, at the zoom it is first seen at.
    map.fitBounds(data.bounds, {padding: [10, 10]});
    P.coarse = map.getZoom() < data.lod_zoom;

    var context = G.shapes.drawContext(P);
    var updateLabels = G.labels.make(P);
    var groups = G.shapes.drawRoles(P);
    G.shapes.wireClouds(P);
    var bases = G.controls.basemaps(P);
    document.body.setAttribute("data-datum", P.datum);
    P.bases = bases; P.overlays = groups;
    G.controls.add(P, bases, groups);
    G.shapes.followZoom(P);
    updateLabels();
    G.toolbar.start(P);

    var api = {map: map, page: P, coarse: function () { return P.coarse; }, overlays: groups, clouds: P.clouds,
               context: context, bases: bases, drawn: P.drawn, labels: P.labels,
               setDatum: function (d) { G.shapes.setDatum(P, d); }, datum: function () { return P.datum; },
               toGcj: G.toGcj, tools: P.tools, at: function () { return P.at; }};
    global.GEO = api;
    if (global.performance && performance.mark) performance.mark("geo-render-end");
    return api;
  };
})(window, window.GeoMap);
