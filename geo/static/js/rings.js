/* rings.js: a polygon's rings read straight from the page topology (pagedata.js), for paths.js
 * to draw without making a LatLng or a Point per vertex.
 *
 * G.rings.of(V, tree) is a polygon's form (G.rings.form(f, coarse): a feature's): `tree` its
 * ring references as geometry.js takes them (Polygon: rings; MultiPolygon: polygons of rings)
 * into V, the topology or its coarse forms ({lat, lon, start}). It gives what Leaflet works out from the polygon's LatLngs, with the same
 * numbers: each ring's vertices (the first not repeated at the end), the bounds, the rings in
 * pixels at a map's zoom (Spherical Mercator, Leaflet's formulas and rounding) and, for a view,
 * their SVG path. The Mercator coordinates of V's vertices are worked out once, their pixels
 * once per zoom and pixel origin, arc by arc: a border two places share is projected once.
 */
(function (G) {
  "use strict";
  var D = Math.PI / 180;

  function Rings(V, tree) { this.V = V; this.tree = tree; this._idx = null; this._ll = null; }

  // each ring's vertices (indices into V, geometry.js), depth first as Leaflet flattens a
  // polygon's rings, without the last vertex when it repeats the first (a polygon's LatLngs drop it)
  Rings.prototype.rings = function () {
    if (this._idx) return this._idx;
    var V = this.V, lat = V.lat, lon = V.lon, out = [];
    (function walk(t) {
      if (typeof t[0] !== "number") { t.forEach(walk); return; }
      var idx = G.geometry.vertices(V, t), m = idx.length;
      if (m >= 2 && lat[idx[m - 1]] === lat[idx[0]] && lon[idx[m - 1]] === lon[idx[0]]) m--;
      out.push(idx.subarray(0, m));
    })(this.tree);
    return (this._idx = out);
  };

  // the arcs the rings use, each once (Int32Array)
  Rings.prototype.arcs = function () {
    if (this._arcs) return this._arcs;
    var seen = new Uint8Array(this.V.start.length), out = [];
    (function walk(t) {
      if (typeof t[0] !== "number") { for (var k = 0; k < t.length; k++) walk(t[k]); return; }
      for (var j = 0; j < t.length; j++) {
        var i = t[j] >= 0 ? t[j] : ~t[j];
        if (!seen[i]) { seen[i] = 1; out.push(i); }
      }
    })(this.tree);
    return (this._arcs = Int32Array.from(out));
  };

  // the rings as [lat, lon] arrays, nested as the references are (what geometry.js makes)
  Rings.prototype.nested = function () {
    if (this._ll) return this._ll;
    var V = this.V, idx = this.rings(), k = 0;
    return (this._ll = (function walk(t) {
      if (typeof t[0] !== "number") return t.map(walk);
      var r = idx[k++], out = new Array(r.length);
      for (var i = 0; i < r.length; i++) out[i] = [V.lat[r[i]], V.lon[r[i]]];
      return out;
    })(this.tree));
  };

  // [south, west, north, east] of every vertex (null when there is none)
  Rings.prototype.bounds = function () {
    if (this._b !== undefined) return this._b;
    var box = arcBoxes(this.V), arcs = this.arcs(), s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
    for (var k = 0; k < arcs.length; k++) {
      var i = arcs[k];
      if (box.s[i] > box.n[i]) continue;  // an arc with no vertex in these forms
      if (box.s[i] < s) s = box.s[i];
      if (box.w[i] < w) w = box.w[i];
      if (box.n[i] > n) n = box.n[i];
      if (box.e[i] > e) e = box.e[i];
    }
    return (this._b = s <= n ? [s, w, n, e] : null);
  };

  function arcBoxes(V) {  // each arc's latitude and longitude range, once
    if (V.geoBoxes) return V.geoBoxes;
    var na = V.start.length - 1, b = {s: new Float64Array(na), w: new Float64Array(na), n: new Float64Array(na),
                                      e: new Float64Array(na)};
    for (var a = 0; a < na; a++) {
      var s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
      for (var j = V.start[a]; j < V.start[a + 1]; j++) {
        var y = V.lat[j], x = V.lon[j];
        if (y < s) s = y;
        if (y > n) n = y;
        if (x < w) w = x;
        if (x > e) e = x;
      }
      b.s[a] = s; b.w[a] = w; b.n[a] = n; b.e[a] = e;
    }
    return (V.geoBoxes = b);
  }

  // V's vertices in pixels for map's zoom and pixel origin, with each arc's pixel range: Leaflet's
  // latLngToLayerPoint (Spherical Mercator, transformed, scaled, rounded, less the origin), the
  // Mercator part once per vertex. Null on another projection.
  function pixels(V, map) {
    var crs = map.options.crs;
    if (crs !== L.CRS.EPSG3857) return null;
    var z = map.getZoom(), o = map.getPixelOrigin(), key = z + " " + o.x + " " + o.y;
    var views = V.geoViews || (V.geoViews = {});
    if (views[key]) return views[key];
    var nv = V.lat.length, na = V.start.length - 1, j, a;
    if (!V.geoMerc) {
      var t = crs.transformation, proj = crs.projection, R = proj.R, max = proj.MAX_LATITUDE;
      var mx = new Float64Array(nv), my = new Float64Array(nv);
      for (j = 0; j < nv; j++) {
        var sin = Math.sin(Math.max(Math.min(max, V.lat[j]), -max) * D);
        mx[j] = t._a * (R * V.lon[j] * D) + t._b;
        my[j] = t._c * (R * Math.log((1 + sin) / (1 - sin)) / 2) + t._d;
      }
      V.geoMerc = {x: mx, y: my};
    }
    var s = crs.scale(z), X = V.geoMerc.x, Y = V.geoMerc.y, x = new Float64Array(nv), y = new Float64Array(nv);
    var x0 = new Float64Array(na), y0 = new Float64Array(na), x1 = new Float64Array(na), y1 = new Float64Array(na);
    for (a = 0; a < na; a++) {
      var lx = Infinity, ly = Infinity, hx = -Infinity, hy = -Infinity;
      for (j = V.start[a]; j < V.start[a + 1]; j++) {
        var px = x[j] = Math.round(s * X[j]) - o.x, py = y[j] = Math.round(s * Y[j]) - o.y;
        if (px < lx) lx = px;
        if (px > hx) hx = px;
        if (py < ly) ly = py;
        if (py > hy) hy = py;
      }
      x0[a] = lx; y0[a] = ly; x1[a] = hx; y1[a] = hy;
    }
    if (Object.keys(views).length > 3) V.geoViews = views = {};  // a few views kept (a print map's too)
    return (views[key] = {key: key, x: x, y: y, x0: x0, y0: y0, x1: x1, y1: y1});
  }

  // the rings' pixel range in view P ([minX, minY, maxX, maxY]; null when there is no vertex)
  Rings.prototype.pxRange = function (P) {
    var arcs = this.arcs(), lx = Infinity, ly = Infinity, hx = -Infinity, hy = -Infinity;
    for (var k = 0; k < arcs.length; k++) {
      var i = arcs[k];
      if (P.x0[i] > P.x1[i]) continue;
      if (P.x0[i] < lx) lx = P.x0[i];
      if (P.y0[i] < ly) ly = P.y0[i];
      if (P.x1[i] > hx) hx = P.x1[i];
      if (P.y1[i] > hy) hy = P.y1[i];
    }
    return lx <= hx ? [lx, ly, hx, hy] : null;
  };

  // the rings as L.Points in view P (Leaflet's _rings)
  Rings.prototype.points = function (P) {
    return this.rings().map(function (r) {
      var out = new Array(r.length);
      for (var i = 0; i < r.length; i++) out[i] = new L.Point(P.x[r[i]], P.y[r[i]]);
      return out;
    });
  };

  // the SVG path of the rings, whole, in view P: what L.SVG.pointsToPath makes of them (of those
  // with a vertex, unless `empty`: every ring, as Leaflet's parts are when it does not clip)
  Rings.prototype.path = function (P, empty) {
    var x = P.x, y = P.y, d = "", idx = this.rings();
    for (var k = 0; k < idx.length; k++) {
      var r = idx[k];
      if (!r.length) { if (empty) d += "z"; continue; }
      d += "M" + x[r[0]] + " " + y[r[0]];
      for (var i = 1; i < r.length; i++) d += "L" + x[r[i]] + " " + y[r[i]];
      d += "z";
    }
    return d || "M0 0";
  };

  // A polygon feature's rings, its coarse form's with `coarse` when the page has coarse forms: one
  // object per feature and form, which every path of the feature shares.
  function form(f, coarse) {
    var g = f.g, T = g.T, key = coarse && T.coarse ? "geoCoarse" : "geoFull";
    if (!g[key]) Object.defineProperty(g, key, {value: new Rings(key === "geoCoarse" ? T.coarse : T, g.a)});
    return g[key];
  }

  G.rings = {of: function (V, tree) { return new Rings(V, tree); }, form: form, Rings: Rings, pixels: pixels};
})(window.GeoMap);
