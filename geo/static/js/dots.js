/* dots.js: many dots painted into one image (pointcloud.js paints a role's points with it).
 *
 * A dot is a sprite: a disc in its role's colour with a white rim, drawn once per radius. Past a
 * few thousand dots, copying the sprites' pixels into one image in memory and putting that on
 * the canvas once is quicker than a drawImage each; the same dots land in the same places as
 * drawImage puts them, blended the same way ("source-over"). Where dots crowd, most lie under
 * others and are left out (covered()): the picture is the same.
 */
(function (G) {
  "use strict";

  // The dot of radius r at scale m (a canvas, and its half width in CSS pixels).
  function sprite(colour, r, m) {
    var half = Math.ceil(r + 1.5), c = document.createElement("canvas"), x = c.getContext("2d");
    c.width = c.height = 2 * half * m; c.half = half;
    x.scale(m, m);
    x.beginPath(); x.arc(half, half, r, 0, 2 * Math.PI);
    x.fillStyle = colour; x.fill();
    x.lineWidth = 1.5; x.strokeStyle = "#fff"; x.stroke();
    return c;
  }

  // The sprite's pixels (w × w, 32-bit). Each row's opaque pixels are one run (a dot is a disc,
  // opaque inside its anti-aliased rim), copied; the translucent ones are listed, to be blended:
  // per rim pixel its place (ex, ey), its alpha (sa), its colour times its alpha (pre), its
  // 32-bit value (edge32). ink: each row's pixels that are not empty, from the first to the last.
  function pixels(colour, r, m) {
    var c = sprite(colour, r, m), w = c.width, half = c.half;
    var data = c.getContext("2d").getImageData(0, 0, w, w).data, runs = new Int32Array(2 * w), ink = new Int32Array(2 * w);
    var edge = [];
    for (var yy = 0; yy < w; yy++) {
      var r0 = w, r1 = 0, i0 = w, i1 = 0, xx;
      for (xx = 0; xx < w; xx++) if (data[4 * (yy * w + xx) + 3] === 255) { if (xx < r0) r0 = xx; r1 = xx + 1; }
      for (xx = 0; xx < w; xx++) {
        var a = data[4 * (yy * w + xx) + 3];
        if (a > 0 && (a < 255 || xx < r0 || xx >= r1)) edge.push(yy * w + xx);
        if (a > 0) { if (xx < i0) i0 = xx; i1 = xx + 1; }
      }
      runs[2 * yy] = r0; runs[2 * yy + 1] = Math.max(r0, r1);
      ink[2 * yy] = i0; ink[2 * yy + 1] = Math.max(i0, i1);
    }
    var ne = edge.length, ex = new Int32Array(ne), ey = new Int32Array(ne), sa = new Float64Array(ne);
    var edgeRow = new Int32Array(w + 1);  // row y's rim pixels: edgeRow[y] .. edgeRow[y + 1] - 1 (listed row by row)
    var pre = new Float64Array(3 * ne), px32 = new Uint32Array(data.buffer), edge32 = new Uint32Array(ne);
    for (var e = 0; e < ne; e++) {
      var q = edge[e], a8 = data[4 * q + 3] / 255;
      ex[e] = q % w; ey[e] = (q - ex[e]) / w; sa[e] = a8; edge32[e] = px32[q];
      edgeRow[ey[e] + 1] = e + 1;
      for (var k = 0; k < 3; k++) pre[3 * e + k] = data[4 * q + k] * a8;
    }
    for (var yr = 1; yr <= w; yr++) edgeRow[yr] = Math.max(edgeRow[yr], edgeRow[yr - 1]);
    return {w: w, half: half, px: px32, runs: runs, ink: ink, ex: ex, ey: ey, edgeRow: edgeRow, sa: sa, pre: pre,
            edge32: edge32};
  }

  // What shows of each dot, found from the top down: a row of a dot whose pixels dots drawn
  // after it all overwrite (their opaque runs are copied, whatever lay there) changes nothing on
  // the canvas, nor does a dot all of whose rows are so. `cover` marks the pixels the dots above
  // overwrite, a bit each (a row of the image is WW 32-bit words). Dot k is sprite[k] with its
  // top left corner at (ox[k], oy[k]) in a W × H image. Returns {keep: 1 for each dot to draw,
  // rows: 1 for each of its rows to draw (dot k's row y at k * h + y), h}.
  function covered(sprite, ox, oy, W, H) {
    var nv = sprite.length, WW = (W + 31) >>> 5, cover = new Int32Array(WW * H), keep = new Uint8Array(nv), h = 0, k;
    for (k = 0; k < nv; k++) h = Math.max(h, sprite[k].w);
    var rows = new Uint8Array(nv * h);
    for (k = nv - 1; k >= 0; k--) {
      var sp = sprite[k], w = sp.w, ink = sp.ink, runs = sp.runs, x = ox[k], y = oy[k], yy, a, b, at, wa, wb, i, m;
      var x0 = Math.max(0, -x), x1 = Math.min(w, W - x), y0 = Math.max(0, -y), y1 = Math.min(w, H - y), open = 0;
      for (yy = y0; yy < y1; yy++) {  // a row shows unless the bits of its ink (columns a .. b - 1) are all set
        a = x + Math.max(ink[2 * yy], x0); b = x + Math.min(ink[2 * yy + 1], x1);
        if (a >= b) continue;
        at = (y + yy) * WW; wa = a >>> 5; wb = (b - 1) >>> 5;
        for (i = wa; i <= wb; i++) {  // m: the bits of the row's columns in word i
          m = (-1 >>> (31 - (i === wb ? (b - 1) & 31 : 31))) & (-1 << (i === wa ? a & 31 : 0));
          if ((cover[at + i] & m) !== m) { rows[k * h + yy] = 1; open = 1; break; }
        }
      }
      if (!open) continue;
      keep[k] = 1;
      for (yy = y0; yy < y1; yy++) {  // its opaque runs: set
        a = x + Math.max(runs[2 * yy], x0); b = x + Math.min(runs[2 * yy + 1], x1);
        if (a >= b) continue;
        at = (y + yy) * WW; wa = a >>> 5; wb = (b - 1) >>> 5;
        for (i = wa; i <= wb; i++) cover[at + i] |= (-1 >>> (31 - (i === wb ? (b - 1) & 31 : 31))) & (-1 << (i === wa ? a & 31 : 0));
      }
    }
    return {keep: keep, rows: rows, h: h};
  }

  // Dot k (sprite[k] at ox[k], oy[k]) into image `img` (ImageData), in order; `shown` (from
  // covered(), or null: all of every dot) says which dots and rows.
  function blit(img, sprite, ox, oy, shown) {
    var W = img.width, H = img.height, dst8 = img.data, dst = new Uint32Array(dst8.buffer), nv = sprite.length;
    var keep = shown && shown.keep, rows = shown && shown.rows, h = shown ? shown.h : 0;
    for (var k = 0; k < nv; k++) {
      if (keep && !keep[k]) continue;
      var sp = sprite[k], w = sp.w, src = sp.px, runs = sp.runs, x = ox[k], y = oy[k], at = k * h, yy, xx, j, e;
      var ex = sp.ex, byRow = sp.edgeRow, sa = sp.sa, pre = sp.pre, src32 = sp.edge32;
      var x0 = Math.max(0, -x), x1 = Math.min(w, W - x), y0 = Math.max(0, -y), y1 = Math.min(w, H - y);
      if (x0 >= x1 || y0 >= y1) continue;
      for (yy = y0; yy < y1; yy++) {
        if (rows && !rows[at + yy]) continue;
        // the opaque pixels: copied
        var row = (y + yy) * W + x, srow = yy * w, r0 = runs[2 * yy], r1 = runs[2 * yy + 1];
        if (r0 < x0) r0 = x0;
        if (r1 > x1) r1 = x1;
        for (xx = r0; xx < r1; xx++) dst[row + xx] = src[srow + xx];
        // the translucent ones (the anti-aliased rim): blended, "source-over"; onto a pixel
        // still empty that is the sprite's pixel itself
        for (e = byRow[yy]; e < byRow[yy + 1]; e++) {
          var qx = ex[e];
          if (qx < x0 || qx >= x1) continue;
          j = row + qx;
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
    }
  }

  G.dots = {sprite: sprite, pixels: pixels, covered: covered, blit: blit};
})(window.GeoMap);
