/* pagedata.js: the page's packed data (geo/pagedata.py) -> the page document.
 *
 * decode(buffer) returns the JSON document with, on every feature, f.g = {t: type} and (not
 * enumerable) the feature's geometry: its arc references (polygons, lines) or its point, and
 * the page topology T they refer to. geometry.js turns them into coordinates.
 *
 * The point table's rows stay columns (doc.rows, pointrows.js): doc.features lists them after the
 * other features (doc.shapes), each made when first read.
 *
 * T: the arcs' vertices in degrees, lat[] and lon[] (Float64Array), arc i being vertices
 * start[i] .. start[i + 1] - 1; keep[] (Uint8Array, or null) marks the coarse forms' vertices,
 * and coarse ({lat, lon, start}, or null) holds those vertices alone, arc by arc.
 */
(function (G) {
  "use strict";

  // LEB128 varints -> numbers (zig-zag decoded when signed)
  function ints(u8, signed) {
    var out = new Float64Array(u8.length), n = 0, v = 0, mul = 1;
    for (var i = 0; i < u8.length; i++) {
      var b = u8[i];
      v += (b & 0x7f) * mul;
      if (b & 0x80) { mul *= 128; continue; }
      out[n++] = signed ? (v % 2 ? -(v + 1) / 2 : v / 2) : v;
      v = 0; mul = 1;
    }
    return out.subarray(0, n);
  }

  // The arcs' vertices in one pass over their bytes (the page's longest loop, run while its code
  // is cold: one loop, no array in between): each vertex's differences read, summed and scaled,
  // and, when kept, copied to the coarse forms' arrays
  function arcs(counts, xy, bits, q) {
    var na = counts.length, nv = 0, a, i = 0, p = 0, x = 0, y = 0, c = 0, v, b, mul, e;
    var start = new Int32Array(na + 1);
    for (a = 0; a < na; a++) start[a + 1] = nv += counts[a];
    var lat = new Float64Array(nv), lon = new Float64Array(nv);
    var keep = bits.length ? new Uint8Array(nv) : null, clat = keep && new Float64Array(nv),
        clon = keep && new Float64Array(nv), cstart = keep && new Int32Array(na + 1);
    for (a = 0; a < na; a++) {
      for (e = start[a + 1]; i < e; i++) {
        v = 0; mul = 1;
        do { b = xy[p++]; v += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
        x += v % 2 ? -(v + 1) / 2 : v / 2;
        v = 0; mul = 1;
        do { b = xy[p++]; v += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
        y += v % 2 ? -(v + 1) / 2 : v / 2;
        lon[i] = x * q; lat[i] = y * q;
        if (keep && (bits[i >> 3] >> (7 - (i & 7))) & 1) { keep[i] = 1; clat[c] = lat[i]; clon[c++] = lon[i]; }
      }
      if (keep) cstart[a + 1] = c;
    }
    var coarse = keep ? {lat: clat.subarray(0, c), lon: clon.subarray(0, c), start: cstart} : null;
    return {lat: lat, lon: lon, start: start, keep: keep, coarse: coarse};
  }

  function decode(buf) {
    var head = new DataView(buf).getUint32(0, true), base = 4 + head;
    var doc = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, head)));
    var blobs = doc.blobs || {};
    function section(name) {
      var b = blobs[name];
      return b ? new Uint8Array(buf, base + b[0], b[1]) : new Uint8Array(0);
    }
    var q = doc.quantum, T = arcs(ints(section("arc_n"), false), section("arc_xy"), section("arc_keep"), q);
    var s = ints(section("shapes"), true), sp = 0, p = ints(section("points"), true), pp = 0, px = 0, py = 0;
    function next() { return s[sp++]; }
    function refs() { var n = next(), out = []; for (var k = 0; k < n; k++) out.push(next()); return out; }
    function many(f) { var n = next(), out = []; for (var k = 0; k < n; k++) out.push(f()); return out; }
    function point() { px += p[pp++]; py += p[pp++]; return [py * q, px * q]; }
    doc.features.forEach(function (f) {
      var t = f.g.t, a;
      if (t === "Point") a = point();
      else if (t === "MultiPoint") a = many(point);
      else if (t === "LineString") a = refs();
      else if (t === "MultiLineString" || t === "Polygon") a = many(refs);
      else if (t === "MultiPolygon") a = many(function () { return many(refs); });
      else throw new Error("unknown geometry type " + t);
      Object.defineProperty(f.g, "a", {value: a});
      Object.defineProperty(f.g, "T", {value: T});
    });
    // the point table: columns, a row's feature made when first read (pointrows.js)
    var shapes = doc.features, rows = doc.points && doc.points.n ? G.pointrows.table(doc.points, section, ints, q) : null;
    if (rows) doc.features = G.pointrows.list(shapes, rows);
    delete doc.blobs;
    delete doc.points;
    Object.defineProperty(doc, "topology", {value: T});
    Object.defineProperty(doc, "shapes", {value: shapes});
    Object.defineProperty(doc, "rows", {value: rows});
    return doc;
  }

  G.pagedata = {decode: decode, ints: ints};
})(window.GeoMap);
