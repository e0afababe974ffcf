/* pointcloud.js: each role's points as one canvas layer.
 *
 * A page with thousands of role shapes (data.canvas) draws each role's points with one layer
 * instead of one Leaflet layer per point: Leaflet's per-layer cost (objects, events,
 * projection) is what made 10,000 sites slow to open and to switch. A PointCloud is a canvas
 * renderer that paints its points itself (dots.js), on a canvas no larger than its points
 * cover in the view; hover and click find the point under the mouse in a grid of the points
 * as drawn (shapes.js wires them).
 */
(function (G) {
  "use strict";
  var BLIT_FROM = 2000;  // dots on screen past which a cloud copies pixels rather than draws sprites
  G.PointCloud = L.Canvas.extend({
    initialize: function (options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._lat = []; this._lon = []; this._radius = []; this._feats = []; this._featureAt = null;
      this._xy = null; this._grid = null; this._to = null;
    },
    // one point: feature f at wgs ([lat, lon], WGS-84), a dot of the radius
    push: function (f, wgs, radius) {
      this._feats.push(f); this._lat.push(wgs[0]); this._lon.push(wgs[1]); this._radius.push(radius);
    },
    // every point at once: lat[], lon[] and radius[] (arrays or typed arrays), featureAt(k) the
    // k-th point's feature (asked for only when the point is hovered or clicked)
    setPoints: function (lat, lon, radius, featureAt) {
      this._lat = lat; this._lon = lon; this._radius = radius; this._featureAt = featureAt; this._xy = null;
    },
    size: function () { return this._lat.length; },
    feature: function (k) { return this._featureAt ? this._featureAt(k) : this._feats[k]; },
    getBounds: function () {
      var n = this._lat.length, s = Infinity, w = Infinity, no = -Infinity, e = -Infinity;
      if (!n) return L.latLngBounds([]);
      for (var i = 0; i < n; i++) {
        var a = this._lat[i], o = this._lon[i];
        if (a < s) s = a;
        if (a > no) no = a;
        if (o < w) w = o;
        if (o > e) e = o;
      }
      return L.latLngBounds([s, w], [no, e]);
    },
    setProjection: function (to) {  // to: WGS-84 [lat, lon] -> the datum drawn, or null
      this._to = to; this._xy = null;
      if (this._map) this._update();  // the canvas follows the dots; it draws them again
    },
    _destroyContainer: function () {
      L.Util.cancelAnimFrame(this._paintRequest); this._paintRequest = null;
      L.Canvas.prototype._destroyContainer.call(this);
    },
    _initContainer: function () {
      L.Canvas.prototype._initContainer.call(this);
      this._container.style.pointerEvents = "none";  // the page's listeners do the hit testing
      this._container.className = "geo-cloud geo-cloud-" + this.options.role;
    },
    _draw: function () {  // Leaflet asks on add and again on every view change: paint once a frame
      if (!this._paintRequest) this._paintRequest = L.Util.requestAnimFrame(this._paint, this);
    },
    _projected: function () {  // the points in projected metres (x, y pairs), once per datum
      if (this._xy) return this._xy;
      var proj = this._map.options.crs.projection, to = this._to, lat = this._lat, lon = this._lon, n = lat.length;
      var xy = new Float64Array(2 * n), w, q, wy, wx, i;
      if (proj === L.Projection.SphericalMercator) {  // Leaflet's formula, without an object a point
        var R = proj.R, d = Math.PI / 180, max = proj.MAX_LATITUDE;
        for (i = 0; i < n; i++) {
          if (to) { w = to([lat[i], lon[i]]); wy = w[0]; wx = w[1]; } else { wy = lat[i]; wx = lon[i]; }
          var sin = Math.sin(Math.max(Math.min(max, wy), -max) * d);
          xy[2 * i] = R * wx * d; xy[2 * i + 1] = R * Math.log((1 + sin) / (1 - sin)) / 2;
        }
      } else {
        for (i = 0; i < n; i++) {
          w = to ? to([lat[i], lon[i]]) : [lat[i], lon[i]]; q = proj.project(L.latLng(w[0], w[1]));
          xy[2 * i] = q.x; xy[2 * i + 1] = q.y;
        }
      }
      return (this._xy = xy);
    },
    _toPixels: function () {  // [A, B, C, D]: layer pixel x = A * metres x + B, y = C * metres y + D
      var map = this._map, crs = map.options.crs, t = crs.transformation, s = crs.scale(map.getZoom());
      var o = map.getPixelOrigin();
      return [t._a * s, t._b * s - o.x, t._c * s, t._d * s - o.y];
    },
    // The canvas: the view with its padding (Leaflet's), cut to the box the dots cover in it
    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var view = this._view = this._bounds, xy = this._projected(), n = this._lat.length, T = this._toPixels();
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, rmax = 0, i;
      for (i = 0; i < n; i++) {
        var x = T[0] * xy[2 * i] + T[1], y = T[2] * xy[2 * i + 1] + T[3];
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        if (this._radius[i] > rmax) rmax = this._radius[i];
      }
      var pad = Math.ceil(rmax + 2);  // a sprite's half width, and the rounding of its place
      var min = L.point(Math.max(view.min.x, Math.floor(x0) - pad), Math.max(view.min.y, Math.floor(y0) - pad));
      var max = L.point(Math.min(view.max.x, Math.ceil(x1) + pad), Math.min(view.max.y, Math.ceil(y1) + pad));
      if (!n || max.x <= min.x || max.y <= min.y) max = min = view.min;  // no dot in the view: an empty canvas
      var b = this._bounds = L.bounds(min, max), size = b.getSize(), m = L.Browser.retina ? 2 : 1, c = this._container;
      L.DomUtil.setPosition(c, b.min);
      c.width = m * size.x; c.height = m * size.y;
      c.style.width = size.x + "px"; c.style.height = size.y + "px";
      if (L.Browser.retina) this._ctx.scale(2, 2);
      this._ctx.translate(-b.min.x, -b.min.y);
      this.fire("update");
    },
    // Leaflet places a renderer's canvas at the corner of the padded view when the map zooms;
    // this one lies (b.min - view.min) further, at the zoom's scale
    _updateTransform: function (center, zoom) {
      var map = this._map, scale = map.getZoomScale(zoom, this._zoom);
      var viewHalf = map.getSize().multiplyBy(0.5 + this.options.padding);
      var at = viewHalf.multiplyBy(-scale).add(map.project(this._center, zoom)).subtract(map._getNewPixelOrigin(center, zoom))
        .add(this._bounds.min.subtract(this._view.min).multiplyBy(scale));
      if (L.Browser.any3d) L.DomUtil.setTransform(this._container, at, scale); else L.DomUtil.setPosition(this._container, at);
    },
    _paint: function () {
      this._paintRequest = null;
      var map = this._map, ctx = this._ctx;
      if (!map || !ctx) return;
      var n = this._lat.length, i, k, xy = this._projected(), T = this._toPixels();
      var A = T[0], B = T[1], C = T[2], D = T[3], b = this._bounds;
      var px = this._px = (this._px && this._px.length === 2 * n) ? this._px : new Float64Array(2 * n);
      var vis = this._vis = (this._vis && this._vis.length === n) ? this._vis : new Int32Array(n), nv = 0;
      for (i = 0; i < n; i++) {
        var x = A * xy[2 * i] + B, y = C * xy[2 * i + 1] + D, r = this._radius[i];
        if (x < b.min.x - r || x > b.max.x + r || y < b.min.y - r || y > b.max.y + r) continue;
        px[2 * i] = x; px[2 * i + 1] = y; vis[nv++] = i;
      }
      this._nv = nv; this._grid = null;
      if (!this._container.width || !this._container.height) return;
      if (nv > (this.options.blitFrom == null ? BLIT_FROM : this.options.blitFrom)) { this._blit(b); return; }
      for (k = 0; k < nv; k++) {  // a dot is a copy of a sprite: far quicker than a path each
        i = vis[k];
        var dot = this._sprite(this._radius[i]);
        ctx.drawImage(dot, Math.round(px[2 * i]) - dot.half, Math.round(px[2 * i + 1]) - dot.half);
      }
    },
    // Many dots: the sprites' pixels copied into one image, put on the canvas once (dots.js)
    _blit: function (b) {
      var m = L.Browser.retina ? 2 : 1, img = this._ctx.createImageData(this._container.width, this._container.height);
      var px = this._px, vis = this._vis, radius = this._radius, nv = this._nv, bySize = [], k, i, r, sp;
      var sprite = new Array(nv), ox = new Int32Array(nv), oy = new Int32Array(nv);  // each dot's, and its corner
      for (k = 0; k < nv; k++) {
        i = vis[k]; r = radius[i];
        sp = sprite[k] = bySize[r] || (bySize[r] = G.dots.pixels(this.options.colour, r, m));
        ox[k] = (Math.round(px[2 * i]) - sp.half - b.min.x) * m; oy[k] = (Math.round(px[2 * i + 1]) - sp.half - b.min.y) * m;
      }
      var shown = this.options.cull === false ? null : G.dots.covered(sprite, ox, oy, img.width, img.height);
      G.dots.blit(img, sprite, ox, oy, shown);
      this._ctx.putImageData(img, 0, 0);
    },
    _sprite: function (r) {  // the dot of radius r: filled in the role's colour, a white rim
      var sprites = this._sprites || (this._sprites = {});
      return sprites[r] || (sprites[r] = G.dots.sprite(this.options.colour, r, 1));
    },
    hit: function (x, y) {  // the topmost drawn point within its radius of layer point (x, y)
      var CELL = 32, key = function (cx, cy) { return cx * 1048576 + cy; }, k, i;
      if (!this._vis) return null;
      if (!this._grid) {
        var grid = new Map();
        for (k = 0; k < this._nv; k++) {
          i = this._vis[k];
          var g = key(Math.floor(this._px[2 * i] / CELL), Math.floor(this._px[2 * i + 1] / CELL));
          var cell = grid.get(g);
          if (cell) cell.push(k); else grid.set(g, [k]);
        }
        this._grid = grid;
      }
      var best = -1, cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var c = this._grid.get(key(cx + dx, cy + dy)) || [];
          for (var m = 0; m < c.length; m++) {
            i = this._vis[c[m]];
            var ddx = this._px[2 * i] - x, ddy = this._px[2 * i + 1] - y, r = this._radius[i] + 1;
            if (ddx * ddx + ddy * ddy <= r * r && c[m] > best) best = c[m];
          }
        }
      }
      if (best < 0) return null;
      i = this._vis[best];
      return {f: this.feature(i), wgs: [this._lat[i], this._lon[i]]};
    }
  });
})(window.GeoMap);
