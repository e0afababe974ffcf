/* geometry.js: the page's compact geometry (geo/encode.py) -> [lat, lon] arrays.
 *
 * Rings and lines are encoded polylines; a polygon may list in g.k the vertex indexes of its
 * coarse form, drawn below the page's lod_zoom. Polygon rings decode to flat typed arrays
 * first (no object per vertex); [lat, lon] pairs are made only for the form that is drawn.
 */
(function (G) {
  "use strict";

  function decodeFlat(str) {
    var out = new Float64Array(str.length), n = 0, i = 0, lat = 0, lon = 0;
    while (i < str.length) {
      for (var k = 0; k < 2; k++) {
        var b, shift = 0, result = 0;
        do { b = str.charCodeAt(i++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        var d = (result & 1) ? ~(result >> 1) : (result >> 1);
        if (k === 0) lat += d; else lon += d;
      }
      out[n++] = lat / 1e5; out[n++] = lon / 1e5;
    }
    return out.subarray(0, n);
  }

  function decodeInts(str) {  // delta-encoded increasing integers (vertex indexes)
    var out = [], i = 0, v = 0;
    while (i < str.length) {
      var b, shift = 0, result = 0;
      do { b = str.charCodeAt(i++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
      v += (result & 1) ? ~(result >> 1) : (result >> 1);
      out.push(v);
    }
    return out;
  }

  function pairs(flat, idx) {
    var out = [], m = idx ? idx.length : flat.length / 2;
    for (var j = 0; j < m; j++) { var i = idx ? idx[j] : j; out.push([flat[2 * i], flat[2 * i + 1]]); }
    return out;
  }

  function decode(str) { return pairs(decodeFlat(str)); }

  function decodeGeom(g) {
    switch (g.t) {
      case "Point": return g.c;
      case "MultiPoint": return g.c;
      case "LineString": return decode(g.c);
      case "MultiLineString": return g.c.map(decode);
      case "Polygon": return g.c.map(decode);
      case "MultiPolygon": return g.c.map(function (p) { return p.map(decode); });
    }
    throw new Error("unknown geometry type " + g.t);
  }

  // A polygon feature: f.llc (its coarse form, when the page lists one in g.k) now, f.ll (in
  // full) when first asked for.
  function preparePolygon(f) {
    var g = f.g, multi = g.t === "MultiPolygon";
    var flat = multi ? g.c.map(function (p) { return p.map(decodeFlat); }) : g.c.map(decodeFlat);
    var full = null;
    Object.defineProperty(f, "ll", {get: function () {
      if (!full) full = multi ? flat.map(function (p) { return p.map(function (r) { return pairs(r); }); })
                              : flat.map(function (r) { return pairs(r); });
      return full;
    }});
    f.llc = !g.k ? null : multi
      ? flat.map(function (p, pi) { return p.map(function (r, ri) { return pairs(r, decodeInts(g.k[pi][ri])); }); })
      : flat.map(function (r, ri) { return pairs(r, decodeInts(g.k[ri])); });
  }

  // Give every feature its coordinates: f.ll (WGS-84 [lat, lon]) and f.llc (coarse form or null).
  function prepareFeature(f) {
    if (f.g.t === "Polygon" || f.g.t === "MultiPolygon") preparePolygon(f);
    else { f.ll = decodeGeom(f.g); f.llc = null; }
  }

  G.geometry = {decode: decode, decodeFlat: decodeFlat, decodeInts: decodeInts, decodeGeom: decodeGeom,
                prepareFeature: prepareFeature};
  G.decode = decode;
})(window.GeoMap);
