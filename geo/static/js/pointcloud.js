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
  var BLIT_FROM = 2000;  // dots on screen past which a cloud copies pixels rather than draws sprites
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
        var proj = map.options.crs.projection, to = this._to, xy = new Float64Array(2 * n), w, q;
        if (proj === L.Projection.SphericalMercator) {  // Leaflet's formula, without an object a point
          var R = proj.R, d = Math.PI / 180, max = proj.MAX_LATITUDE;
          for (i = 0; i < n; i++) {
            w = to ? to(this._wgs[i]) : this._wgs[i];
            var sin = Math.sin(Math.max(Math.min(max, w[0]), -max) * d);
            xy[2 * i] = R * w[1] * d; xy[2 * i + 1] = R * Math.log((1 + sin) / (1 - sin)) / 2;
          }
        } else {
          for (i = 0; i < n; i++) {
            w = to ? to(this._wgs[i]) : this._wgs[i]; q = proj.project(L.latLng(w[0], w[1]));
            xy[2 * i] = q.x; xy[2 * i + 1] = q.y;
          }
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
      if (nv > (this.options.blitFrom == null ? BLIT_FROM : this.options.blitFrom)) { this._blit(b); return; }
      for (k = 0; k < nv; k++) {  // a dot is a copy of a sprite: far quicker than a path each
        i = vis[k];
        var dot = this._sprite(this._radius[i]);
        ctx.drawImage(dot, Math.round(px[2 * i]) - dot.half, Math.round(px[2 * i + 1]) - dot.half);
      }
    },
    // Many dots: copy the sprites' pixels into one image in memory and put it on the canvas once
    // (a drawImage each costs more than the copying, once there are thousands). The same dots in
    // the same places as drawImage puts them, blended the same way ("source-over").
    _blit: function (b) {
      var m = L.Browser.retina ? 2 : 1, W = this._container.width, H = this._container.height;
      var img = this._ctx.createImageData(W, H), dst = new Uint32Array(img.data.buffer), dst8 = img.data;
      var px = this._px, vis = this._vis, radius = this._radius, bySize = [];
      for (var k = 0; k < this._nv; k++) {
        var i = vis[k], r = radius[i], sp = bySize[r] || (bySize[r] = this._spriteData(r, m));
        var w = sp.w, src = sp.px, runs = sp.runs;
        var ox = (Math.round(px[2 * i]) - sp.half - b.min.x) * m, oy = (Math.round(px[2 * i + 1]) - sp.half - b.min.y) * m;
        var x0 = Math.max(0, -ox), x1 = Math.min(w, W - ox), y0 = Math.max(0, -oy), y1 = Math.min(w, H - oy), yy, xx, j;
        if (x0 >= x1 || y0 >= y1) continue;
        for (yy = y0; yy < y1; yy++) {  // the opaque pixels: copied, row by row
          var row = (oy + yy) * W + ox, srow = yy * w, r0 = runs[2 * yy], r1 = runs[2 * yy + 1];
          if (r0 < x0) r0 = x0;
          if (r1 > x1) r1 = x1;
          for (xx = r0; xx < r1; xx++) dst[row + xx] = src[srow + xx];
        }
        // the translucent ones (the anti-aliased rim): blended, "source-over"; onto a pixel still
        // empty that is the sprite's pixel itself
        var ex = sp.ex, ey = sp.ey, sa = sp.sa, pre = sp.pre, src32 = sp.edge32, ne = ex.length;
        for (var e = 0; e < ne; e++) {
          var qx = ex[e], qy = ey[e];
          if (qx < x0 || qx >= x1 || qy < y0 || qy >= y1) continue;
          j = (oy + qy) * W + ox + qx;
          var j4 = 4 * j, da8 = dst8[j4 + 3];
          if (da8 === 0) { dst[j] = src32[e]; continue; }
          if (da8 === 255) {  // onto an opaque pixel (most, where dots crowd): it stays opaque
            var t = 1 - sa[e];
            dst8[j4] = pre[3 * e] + dst8[j4] * t;
            dst8[j4 + 1] = pre[3 * e + 1] + dst8[j4 + 1] * t;
            dst8[j4 + 2] = pre[3 * e + 2] + dst8[j4 + 2] * t;
            continue;
          }
          var s = sa[e], f = da8 / 255 * (1 - s), oa = s + f;
          dst8[j4] = (pre[3 * e] + dst8[j4] * f) / oa;
          dst8[j4 + 1] = (pre[3 * e + 1] + dst8[j4 + 1] * f) / oa;
          dst8[j4 + 2] = (pre[3 * e + 2] + dst8[j4 + 2] * f) / oa;
          dst8[j4 + 3] = oa * 255;
        }
      }
      this._ctx.putImageData(img, 0, 0);
    },
    _spriteData: function (r, m) {  // the sprite's pixels at the canvas's scale
      var cache = this._spritePx || (this._spritePx = {}), key = r + "x" + m;
      if (cache[key]) return cache[key];
      var half = Math.ceil(r + 1.5), w = 2 * half * m, c = document.createElement("canvas"), x = c.getContext("2d");
      c.width = c.height = w;
      x.scale(m, m);
      x.beginPath(); x.arc(half, half, r, 0, 2 * Math.PI);
      x.fillStyle = this.options.colour; x.fill();
      x.lineWidth = 1.5; x.strokeStyle = "#fff"; x.stroke();
      // each row's opaque pixels are one run (a dot is a disc, opaque inside its anti-aliased rim);
      // the translucent ones, outside the runs, are listed to be blended
      var data = x.getImageData(0, 0, w, w).data, runs = new Int32Array(2 * w), edge = [];
      for (var yy = 0; yy < w; yy++) {
        var r0 = w, r1 = 0, xx;
        for (xx = 0; xx < w; xx++) if (data[4 * (yy * w + xx) + 3] === 255) { if (xx < r0) r0 = xx; r1 = xx + 1; }
        for (xx = 0; xx < w; xx++) {
          var a = data[4 * (yy * w + xx) + 3];
          if (a > 0 && (a < 255 || xx < r0 || xx >= r1)) edge.push(yy * w + xx);
        }
        runs[2 * yy] = r0; runs[2 * yy + 1] = Math.max(r0, r1);
      }
      // per rim pixel: its place, its alpha, its colour times its alpha, its 32-bit value
      var ne = edge.length, ex = new Int32Array(ne), ey = new Int32Array(ne), sa = new Float64Array(ne);
      var pre = new Float64Array(3 * ne), px32 = new Uint32Array(data.buffer), edge32 = new Uint32Array(ne);
      for (var e = 0; e < ne; e++) {
        var q = edge[e], a8 = data[4 * q + 3] / 255;
        ex[e] = q % w; ey[e] = (q - ex[e]) / w; sa[e] = a8; edge32[e] = px32[q];
        for (var c = 0; c < 3; c++) pre[3 * e + c] = data[4 * q + c] * a8;
      }
      return (cache[key] = {w: w, half: half, px: px32, runs: runs, ex: ex, ey: ey, sa: sa, pre: pre,
                            edge32: edge32});
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
