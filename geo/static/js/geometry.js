/* geometry.js: a feature's geometry (arc references into the page topology, pagedata.js) ->
 * [lat, lon] arrays.
 *
 * A ring is its arcs joined (~i: arc i walked backwards), the shared vertex at each join once.
 * Its coarse form, drawn below the page's lod_zoom, is made of the same arcs' kept vertices.
 * [lat, lon] pairs are made when first asked for: f.ll (every vertex), f.llc (the coarse form).
 * A polygon is drawn from its rings in the topology (G.rings.form(f, coarse), rings.js) instead.
 */
(function (G) {
  "use strict";

  // The vertices (indices into V: the topology or its coarse forms) of the ring that arc
  // references refs make: the vertex an arc shares with the one before it is in the ring once.
  function vertices(V, refs) {
    var start = V.start, n = 0, k, r, i, a, b, j;
    for (k = 0; k < refs.length; k++) { r = refs[k]; i = r >= 0 ? r : ~r; n += start[i + 1] - start[i]; }
    var out = new Int32Array(n), m = 0;
    for (k = 0; k < refs.length; k++) {
      r = refs[k]; i = r >= 0 ? r : ~r; a = start[i]; b = start[i + 1];
      if (r >= 0) for (j = k > 0 ? a + 1 : a; j < b; j++) out[m++] = j;
      else for (j = k > 0 ? b - 2 : b - 1; j >= a; j--) out[m++] = j;
    }
    return out.subarray(0, m);
  }

  function ring(T, refs, coarse, line) {
    var V = coarse ? T.coarse : T, lat = V.lat, lon = V.lon, idx = vertices(V, refs), out = new Array(idx.length);
    for (var k = 0; k < idx.length; k++) out[k] = [lat[idx[k]], lon[idx[k]]];
    var z = out.length - 1;  // a whole ring whose coarse form starts elsewhere: close it
    if (!line && z > 0 && (out[0][0] !== out[z][0] || out[0][1] !== out[z][1])) out.push(out[0]);
    return out;
  }

  function coords(g, coarse) {
    var T = g.T, a = g.a;
    switch (g.t) {
      case "Point": case "MultiPoint": return a;
      case "LineString": return ring(T, a, false, true);
      case "MultiLineString": return a.map(function (l) { return ring(T, l, false, true); });
      case "Polygon": return a.map(function (r) { return ring(T, r, coarse); });
      case "MultiPolygon": return a.map(function (p) { return p.map(function (r) { return ring(T, r, coarse); }); });
    }
    throw new Error("unknown geometry type " + g.t);
  }

  // Give every feature its coordinates: f.ll (WGS-84 [lat, lon]) and f.llc (the coarse form of
  // a polygon, when the page has coarse forms; else null), a polygon's made when first read.
  function prepareFeature(f) {
    var g = f.g;
    if (g.t === "Polygon" || g.t === "MultiPolygon") {
      var full = null, rough = null;
      Object.defineProperty(f, "ll", {configurable: true, get: function () { return full || (full = coords(g, false)); }});
      Object.defineProperty(f, "llc", {configurable: true, get: function () {
        return g.T.coarse ? rough || (rough = coords(g, true)) : null;
      }});
    } else {
      f.ll = coords(g, false);
      f.llc = null;
    }
  }

  G.geometry = {vertices: vertices, ring: ring, coords: coords, prepareFeature: prepareFeature};
})(window.GeoMap);
