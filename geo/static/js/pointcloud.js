/* pointcloud.js: each role's points as one canvas layer.
 *
 * A page with thousands of role shapes (data.canvas) draws each role's points with one layer
 * instead of one Leaflet layer per point: Leaflet's per-layer cost (objects, events,
 * projection) is what made 10,000 sites slow to open and to switch. A PointCloud is a canvas
 * renderer that paints its points itself; hover and click find the point under the mouse in a
 * grid of the points as drawn (shapes.js wires them).
 */
(function (G) {
  "use strict";
  G.PointCloud = L.Canvas.extend({
    initialize: function (options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._feats = []; this._wgs = []; this._radius = []; this._xy = null; this._grid = null; this._to = null;
    },
    push: function (f, wgs, radius) { this._feats.push(f); this._wgs.push(wgs); this._radius.push(radius); },
    size: function () { return this._feats.length; },
    getBounds: function () { return L.latLngBounds(this._wgs); },
    setProjection: function (to) {  // to: WGS-84 [lat, lon] -> the datum drawn, or null
      this._to = to; this._xy = null;
      if (this._map) this._redraw();
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
    _paint: function () {
      this._paintRequest = null;
      var map = this._map, ctx = this._ctx;
      if (!map || !ctx) return;
      var n = this._wgs.length, i, k;
      if (!this._xy) {  // projected metres, once per datum
        var proj = map.options.crs.projection, to = this._to, xy = new Float64Array(2 * n);
        for (i = 0; i < n; i++) {
          var w = to ? to(this._wgs[i]) : this._wgs[i], q = proj.project(L.latLng(w[0], w[1]));
          xy[2 * i] = q.x; xy[2 * i + 1] = q.y;
        }
        this._xy = xy;
      }
      var crs = map.options.crs, t = crs.transformation, s = crs.scale(map.getZoom()), o = map.getPixelOrigin();
      var A = t._a * s, B = t._b * s - o.x, C = t._c * s, D = t._d * s - o.y, b = this._bounds;
      var px = this._px = (this._px && this._px.length === 2 * n) ? this._px : new Float64Array(2 * n);
      var vis = this._vis = (this._vis && this._vis.length === n) ? this._vis : new Int32Array(n), nv = 0;
      for (i = 0; i < n; i++) {
        var x = A * this._xy[2 * i] + B, y = C * this._xy[2 * i + 1] + D, r = this._radius[i];
        if (x < b.min.x - r || x > b.max.x + r || y < b.min.y - r || y > b.max.y + r) continue;
        px[2 * i] = x; px[2 * i + 1] = y; vis[nv++] = i;
      }
      this._nv = nv; this._grid = null;
      for (k = 0; k < nv; k++) {  // a dot is a copy of a sprite: far quicker than a path each
        i = vis[k];
        var dot = this._sprite(this._radius[i]);
        ctx.drawImage(dot, Math.round(px[2 * i]) - dot.half, Math.round(px[2 * i + 1]) - dot.half);
      }
    },
    _sprite: function (r) {  // the dot of radius r: filled in the role's colour, a white rim
      var sprites = this._sprites || (this._sprites = {});
      if (sprites[r]) return sprites[r];
      var half = Math.ceil(r + 1.5), c = document.createElement("canvas"), x = c.getContext("2d");
      c.width = c.height = 2 * half; c.half = half;
      x.beginPath(); x.arc(half, half, r, 0, 2 * Math.PI);
      x.fillStyle = this.options.colour; x.fill();
      x.lineWidth = 1.5; x.strokeStyle = "#fff"; x.stroke();
      return (sprites[r] = c);
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
      return {f: this._feats[i], wgs: this._wgs[i]};
    }
  });
})(window.GeoMap);
