/* paths.js: the page's polygons and lines, Leaflet's with their work on each vertex done in one
 * loop (G.paths.polygon, G.paths.polyline: what L.polygon and L.polyline make, drawn the same).
 *
 * Leaflet takes each vertex through a chain of small functions (a LatLng made, projected,
 * rounded, its bounds extended, clipped to the view), and as a page opens that code is still
 * cold: the page's first drawing spent most of its time there. Here the LatLngs are made and
 * projected in one loop each, with Leaflet's own formulas (Spherical Mercator, the CRS's
 * transformation, rounding), so the numbers and the pixels are the same; a shape that lies
 * wholly inside the view is not clipped (clipping would give back its own points).
 *
 * A polygon may also be given its rings in the page topology (G.rings, rings.js) instead of
 * [lat, lon] arrays: it is then projected arc by arc from the topology's arrays, and, wholly in
 * view or not clipped (noClip), and not simplified (a coarse form), written as SVG straight from
 * them. Its LatLngs, its
 * projected rings and its parts are made only when something asks for them (_latlngs, _rings,
 * _parts), and are then what Leaflet's would be.
 *
 * A place in k roles is drawn k times, one path per role (their stripes interleave), from the
 * same [lat, lon] arrays or rings: its LatLngs, its projection at a zoom, its parts in a view
 * and their SVG are worked out for the first of its paths and shared by the others (none is
 * changed once made).
 */
(function (G) {
  "use strict";
  var isFlat = L.LineUtil.isFlat;

  // [lat, lon] arrays (nested as Leaflet takes them) -> LatLngs, extending `bounds`; a closed
  // ring (a polygon's) loses its last point when it repeats the first, as Leaflet's does
  function latLngs(list, bounds, closed) {
    if (!isFlat(list)) return list.map(function (l) { return latLngs(l, bounds, closed); });
    var n = list.length, out = new Array(n), s = Infinity, w = Infinity, no = -Infinity, e = -Infinity;
    for (var i = 0; i < n; i++) {
      var a = list[i], ll = out[i] = Array.isArray(a) && a.length === 2 ? new L.LatLng(a[0], a[1]) : L.latLng(a);
      if (ll.lat < s) s = ll.lat;
      if (ll.lat > no) no = ll.lat;
      if (ll.lng < w) w = ll.lng;
      if (ll.lng > e) e = ll.lng;
    }
    if (n) { bounds.extend(L.latLng(s, w)); bounds.extend(L.latLng(no, e)); }
    if (closed && n >= 2 && out[0].equals(out[n - 1])) out.pop();
    return out;
  }

  // Leaflet's map.latLngToLayerPoint for every LatLng of a ring at once (Spherical Mercator);
  // null on another projection
  function project(map, ring, bounds) {
    var crs = map.options.crs, proj = crs.projection;
    if (crs !== L.CRS.EPSG3857) return null;
    var t = crs.transformation, s = crs.scale(map._zoom), o = map.getPixelOrigin(), R = proj.R, max = proj.MAX_LATITUDE;
    var d = Math.PI / 180, n = ring.length, out = new Array(n), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (var i = 0; i < n; i++) {
      var ll = ring[i], sin = Math.sin(Math.max(Math.min(max, ll.lat), -max) * d);
      var x = Math.round(s * (t._a * (R * ll.lng * d) + t._b)) - o.x;
      var y = Math.round(s * (t._c * (R * Math.log((1 + sin) / (1 - sin)) / 2) + t._d)) - o.y;
      out[i] = new L.Point(x, y);
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (n) { bounds.extend(new L.Point(x0, y0)); bounds.extend(new L.Point(x1, y1)); }
    return out;
  }

  function inside(px, bounds) {  // every point of the shape within bounds (edges included)
    return !!px && px.min.x >= bounds.min.x && px.max.x <= bounds.max.x && px.min.y >= bounds.min.y &&
      px.max.y <= bounds.max.y;
  }

  function fast(Base, closed) {
    var converted = new WeakMap(), projected = new WeakMap();  // [lat, lon] list -> its LatLngs; LatLngs or rings -> projected
    var Fast = Base.extend({
      _setLatLngs: function (latlngs) {
        this.__latlngs = undefined;
        if (!(closed && G.rings && latlngs instanceof G.rings.Rings)) {
          this._geoSrc = null;
          return Base.prototype._setLatLngs.call(this, latlngs);
        }
        var b = latlngs.bounds();
        this._geoSrc = latlngs;  // its LatLngs are made when asked for (_latlngs)
        this._bounds = new L.LatLngBounds();
        if (b) { this._bounds.extend(L.latLng(b[0], b[1])); this._bounds.extend(L.latLng(b[2], b[3])); }
      },
      _convertLatLngs: function (list) {
        var m = converted.get(list);
        if (!m) {
          var bounds = new L.LatLngBounds();
          converted.set(list, m = {ll: latLngs(list, bounds, closed), bounds: bounds});
        }
        if (m.bounds.isValid()) this._bounds.extend(m.bounds);
        return m.ll;
      },
      // Leaflet's _project, the rings shared by every path of these LatLngs (or rings) at this
      // zoom and origin; from rings, projected with the topology (its points made when asked for)
      _project: function () {
        var map = this._map, src = this._geoSrc, P = src && G.rings.pixels(src.V, map), m;
        if (P) {
          m = projected.get(src);
          if (!m || m.key !== P.key) {
            var r = src.pxRange(P), px = new L.Bounds();
            if (r) { px.extend(new L.Point(r[0], r[1])); px.extend(new L.Point(r[2], r[3])); }
            projected.set(src, m = {key: P.key, P: P, rings: null, px: px, view: null, parts: null});
          }
          this.__rings = undefined;
        } else {
          var z = map.getZoom(), o = map.getPixelOrigin(), key = z + " " + o.x + " " + o.y;
          m = projected.get(this._latlngs);
          if (!m || m.key !== key) {
            var pxb = new L.Bounds(), rings = [];
            this._projectLatlngs(this._latlngs, rings, pxb);
            projected.set(this._latlngs, m = {key: key, P: null, rings: rings, px: pxb, view: null, parts: null});
          }
          this._rings = m.rings;
        }
        this._geoRings = m;
        if (this._bounds.isValid() && m.px.isValid()) {
          this._rawPxBounds = m.px;
          this._updateBounds();
        }
      },
      // Leaflet's _update, the parts (clipped to the view, simplified) shared likewise
      _update: function () {
        if (!this._map) return;
        var m = this._geoRings, o = this.options, b = this._renderer._bounds, view = null;
        this._geoParts = null;
        if (this._geoSrc && m && m.P && o.noClip && !o.smoothFactor && (this.__rings === undefined || this.__rings === m.rings)) {
          // rings neither clipped nor simplified: drawn whole when they meet the view (Leaflet pads
          // a polygon's view by its weight), straight from the topology
          var w = new L.Point(o.weight, o.weight);
          if (this._pxBounds && this._pxBounds.intersects(new L.Bounds(b.min.subtract(w), b.max.add(w)))) {
            if (m.view !== "whole") {
              m.view = "whole";
              m.parts = {parts: null, whole: true, d: this._geoSrc.path(m.P, true)};
            }
            this.__parts = undefined;
            this._geoParts = m.parts;
          } else {
            this._parts = [];
          }
          this._updatePath();
          return;
        }
        if (m && (this.__rings === undefined || this.__rings === m.rings) && !o.noClip) {
          // (noClip: Leaflet simplifies the rings themselves)
          // wholly in view (as a thin line is, so a thicker one's clipping would keep it whole
          // too), the parts are the rings whatever the weight: a district's grey context line
          // and its role shapes share them
          view = inside(this._rawPxBounds, b) ? "in " + o.smoothFactor
            : [b.min.x, b.min.y, b.max.x, b.max.y, o.weight, o.smoothFactor, this._clickTolerance()].join();
          if (m.view !== view && view === "in 0" && this._geoSrc) {
            // rings wholly in view, not simplified: the path straight from the topology
            m.view = view;
            m.parts = {parts: null, d: this._geoSrc.path(m.P)};
          }
          if (m.view === view) {
            this.__parts = undefined;  // a copy of m.parts.parts, made when asked for (_parts)
            this._geoParts = m.parts;
            this._updatePath();
            return;
          }
        }
        this._clipPoints();
        this._simplifyPoints();
        if (view) {
          m.view = view;
          m.parts = this._geoParts = {parts: this._parts.slice(), d: null};
        }
        this._updatePath();
      },
      _updatePath: function () {
        var shared = this._geoParts, r = this._renderer;
        if (!shared || !(r instanceof L.SVG)) return Base.prototype._updatePath.call(this);
        if (shared.d === null) shared.d = L.SVG.pointsToPath(this._parts, closed);
        r._setPath(this, shared.d);
      },
      _projectLatlngs: function (list, result, bounds) {
        var ring = list[0] instanceof L.LatLng ? project(this._map, list, bounds) : null;
        if (ring) result.push(ring); else Base.prototype._projectLatlngs.call(this, list, result, bounds);
      },
      _clipPoints: function () {
        var b = this._renderer._bounds, w = closed ? this.options.weight : 0, p = new L.Point(w, w);
        b = new L.Bounds(b.min.subtract(p), b.max.add(p));
        if (this.options.noClip || !this._pxBounds || !this._pxBounds.intersects(b) || !inside(this._rawPxBounds, b)) {
          Base.prototype._clipPoints.call(this);
          return;
        }
        // what clipping gives back when no point lies outside: each ring's points (a line's,
        // when it has a segment)
        this._parts = this._rings.filter(function (r) { return r.length > (closed ? 0 : 1); })
          .map(function (r) { return r.slice(); });
      }
    });
    // made when first read: a polygon's LatLngs (from its rings), its projected rings (from the
    // topology's pixels), its parts (a copy of those its paths share)
    lazy(Fast.prototype, "_latlngs", function () { return this._geoSrc ? this._convertLatLngs(this._geoSrc.nested()) : undefined; });
    lazy(Fast.prototype, "_rings", function () {
      var m = this._geoRings;
      if (!this._geoSrc || !m || !m.P) return undefined;
      return m.rings || (m.rings = this._geoSrc.points(m.P));
    });
    lazy(Fast.prototype, "_parts", function () {
      var shared = this._geoParts;
      if (!shared) return undefined;
      if (!shared.parts) shared.parts = shared.whole ? this._rings.slice() : this._rings.filter(function (r) { return r.length > 0; });
      return shared.parts.slice();
    });
    return Fast;
  }

  // a property kept in this["_" + name] (_rings: __rings), made by make() when read while undefined
  function lazy(proto, name, make) {
    var own = "_" + name;
    Object.defineProperty(proto, name, {
      get: function () { return this[own] !== undefined ? this[own] : (this[own] = make.call(this)); },
      set: function (v) { this[own] = v; }
    });
  }

  var Polygon = fast(L.Polygon, true), Polyline = fast(L.Polyline, false);
  G.paths = {
    polygon: function (latlngs, opts) { return new Polygon(latlngs, opts); },
    polyline: function (latlngs, opts) { return new Polyline(latlngs, opts); }
  };
})(window.GeoMap);
