/* geomap.js: draws a Changchun layout page from the JSON the build embeds.
 *
 * Every geometry is in the page once (encoded polylines); each role overlay draws the
 * features that carry the role, sharing the decoded coordinates. All text from the data goes
 * into the page as text (textContent / escaped), never as markup. When a GCJ-02 basemap is
 * chosen every overlay is redrawn in GCJ-02 so it stays on the basemap's roads and rivers.
 */
(function (global) {
  "use strict";

  // ---- text, never markup -------------------------------------------------------------
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  // ---- datum: the public GCJ-02 forward formula -----------------------------------------
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function gcjDelta(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radlat = lat / 180.0 * PI, magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sq = Math.sqrt(magic);
    return [(dlon * 180.0) / (A / sq * Math.cos(radlat) * PI),
            (dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * PI)];
  }
  function toGcj(ll) {
    var d = gcjDelta(ll[1], ll[0]);
    return [ll[0] + d[1], ll[1] + d[0]];
  }

  // ---- geometry: encoded polylines -> [lat, lon] arrays ---------------------------------
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
  // The coarse form of a polygon: the subset of its vertices the page lists in g.k.
  // Polygon rings decoded to flat typed arrays first (no object per vertex); the [lat, lon]
  // pairs Leaflet takes are made only for the form that is drawn.
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
  function pairs(flat, idx) {
    var out = [], m = idx ? idx.length : flat.length / 2;
    for (var j = 0; j < m; j++) { var i = idx ? idx[j] : j; out.push([flat[2 * i], flat[2 * i + 1]]); }
    return out;
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
  function mapDeep(c, f) {
    return (typeof c[0] === "number") ? f(c) : c.map(function (x) { return mapDeep(x, f); });
  }

  // ---- SVG stripe patterns: a feature in k roles shows k interleaved colours ------------
  function patternId(role, slot, n, weight) { return "geo-pat-" + role + "-" + slot + "-" + n + "-" + weight; }
  function ensurePattern(svg, colour, id, slot, n, weight) {
    if (!svg || document.getElementById(id)) return;
    var NS = "http://www.w3.org/2000/svg";
    var defs = svg.querySelector("defs");
    if (!defs) { defs = document.createElementNS(NS, "defs"); svg.insertBefore(defs, svg.firstChild); }
    var w = 7, p = document.createElementNS(NS, "pattern");
    p.setAttribute("id", id);
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", String(w * n));
    p.setAttribute("height", String(w * n));
    p.setAttribute("patternTransform", "rotate(45)");
    var r = document.createElementNS(NS, "rect");
    r.setAttribute("x", String(w * slot));
    r.setAttribute("y", "0");
    r.setAttribute("width", String(w));
    r.setAttribute("height", String(w * n));
    r.setAttribute("fill", colour);
    r.setAttribute("fill-opacity", String([0, 0.22, 0.38, 0.55][weight] || 0.38));
    p.appendChild(r);
    defs.appendChild(p);
  }

  // ---- many points: each role's points as one canvas layer ------------------------------
  // A page with thousands of role shapes (data.canvas) draws each role's points with one
  // layer instead of one Leaflet layer per point: Leaflet's per-layer cost (objects, events,
  // projection) is what made 10,000 sites slow to open and to switch. A PointCloud is a canvas
  // renderer that paints its points itself; hover and click find the point under the mouse in
  // a grid of the points as drawn (see render()).
  var PointCloud = L.Canvas.extend({
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

  // ---- the page -------------------------------------------------------------------------
  function render(map, data) {
    if (global.performance && performance.mark) performance.mark("geo-render-start");
    var roles = {}, parts = data.parts, sources = data.sources;
    data.roles.forEach(function (r) { roles[r.id] = r; });
    var layersById = {};
    data.layers.forEach(function (l) { layersById[l.id] = l; });
    var datum = "wgs84";
    var drawn = [];      // every vector layer we made: {layer, wgs, kind}
    var labels = [];     // permanent label tooltips: {tooltip, wgs, minZoom}
    var svg = L.svg({padding: 0.1});  // little drawn off screen: a quicker first frame
    var canvas = data.canvas ? L.canvas({padding: 0.1}) : null;
    map.addLayer(svg);
    var svgRoot = function () { return svg._container; };

    var byId = {};
    data.features.forEach(function (f) {
      if (f.g.t === "Polygon" || f.g.t === "MultiPolygon") preparePolygon(f);
      else { f.ll = decodeGeom(f.g); f.llc = null; }
      byId[f.id] = f;
    });
    // Fit first, so every shape is projected once, at the zoom it is first seen at; below
    // lod_zoom polygons are drawn from their coarse form (every extra vertex would fall within
    // a pixel), from lod_zoom on in full.
    map.fitBounds(data.bounds, {padding: [10, 10]});
    var coarse = map.getZoom() < data.lod_zoom;

    function roleLine(f) {
      return (f.roles || []).map(function (r) {
        var role = roles[r.role];
        var part = parts[r.part] ? parts[r.part].en : r.part;
        return (role ? role.name_en : r.role) + ": " + part;
      });
    }

    function tooltipContent(f) {
      var box = el("div", "geo-tip");
      box.appendChild(el("div", "geo-tip-name", f.name_en));
      box.appendChild(el("div", "geo-tip-zh", f.name_zh));
      var rl = roleLine(f);
      if (rl.length) box.appendChild(el("div", "geo-tip-roles", rl.join(" · ")));
      (f.within || []).forEach(function (id) {
        var c = byId[id];
        if (c) box.appendChild(el("div", "geo-tip-within", "Within " + c.name_en + " " + c.name_zh +
                                                          ": " + roleLine(c).join(" · ")));
      });
      if (f.basis === "schematic") box.appendChild(el("div", "geo-tip-caveat", "schematic / estimated position"));
      return box;
    }

    function popupContent(f) {
      var box = el("div", "geo-popup");
      box.appendChild(el("h3", null, f.name_en));
      box.appendChild(el("div", "geo-zh", f.name_zh));
      if (f.kind) box.appendChild(el("div", "geo-kind", f.kind));
      if ((f.roles || []).length) {
        var ul = el("ul", "geo-roles");
        f.roles.forEach(function (r) {
          var role = roles[r.role] || {name_en: r.role, name_zh: "", colour: "#777"};
          var part = parts[r.part] || {en: r.part, zh: ""};
          var li = el("li");
          var sw = el("span", "geo-swatch");
          sw.style.background = role.colour;
          li.appendChild(sw);
          li.appendChild(el("b", null, role.name_en + " " + role.name_zh));
          li.appendChild(document.createTextNode(" — " + part.en + (part.zh ? " " + part.zh : "")));
          var s = sources[r.source];
          if (s) {
            var q = el("blockquote", "geo-source");
            if (s.quote) q.appendChild(el("span", "geo-quote", "“" + s.quote + "”"));
            q.appendChild(el("cite", null, s.title + " (" + s.reference + ")"));
            li.appendChild(q);
          }
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
      (f.within || []).forEach(function (id) {
        var c = byId[id];
        if (c) box.appendChild(el("p", "geo-within", "Within " + c.name_en + " " + c.name_zh + ": " +
                                                     roleLine(c).join(" · ")));
      });
      if (f.description) box.appendChild(el("p", "geo-desc", f.description));
      var facts = el("dl", "geo-facts");
      function fact(k, v) { if (v == null || v === "") return; facts.appendChild(el("dt", null, k)); facts.appendChild(el("dd", null, v)); }
      if (f.area_km2) fact("Area (computed, equal-area)", f.area_km2.toLocaleString("en", {maximumFractionDigits: 1}) + " km²");
      if (f.area_published_km2) fact("Area (published)", f.area_published_km2.toLocaleString("en") + " km²" + (f.area_source ? " — " + f.area_source : ""));
      fact("Geometry", f.basis + (f.geometry_source ? " — " + f.geometry_source : ""));
      if (f.position_source) fact("Position", f.position_source);
      fact("Id", f.id);
      box.appendChild(facts);
      if (f.basis === "schematic") {
        box.appendChild(el("p", "geo-caveat", "Schematic: drawn to show roughly where, not a surveyed boundary." +
          (f.position_error_m ? " The position may be off by up to " + (f.position_error_m / 1000) + " km." : "") +
          (f.schematic_area_km2 ? " Drawn as a circle of the published area." : "")));
      } else if (f.basis === "derived") {
        box.appendChild(el("p", "geo-note", "Derived: computed from the boundaries of its member districts."));
      }
      return box;
    }

    function project(wgs) { return datum === "gcj02" ? mapDeep(wgs, toGcj) : wgs; }

    function shapeFor(f, opts) {
      var lyr, t = f.g.t, ll = t.indexOf("Polygon") >= 0 ? null : f.ll;
      if (t === "Point" || t === "MultiPoint") {
        lyr = L.circleMarker(project(t === "Point" ? ll : ll[0]), opts);
      } else if (t === "LineString" || t === "MultiLineString") {
        lyr = L.polyline(project(ll), opts);
      } else {
        ll = (coarse && f.llc) || f.ll;
        // the coarse form is already simplified to a pixel: Leaflet need not simplify it again
        if (coarse && f.llc) opts.smoothFactor = 0;
        lyr = L.polygon(project(ll), opts);
      }
      // wgs: what is drawn now, in WGS-84; fine and rough: the two forms of a polygon
      drawn.push({layer: lyr, wgs: (t === "Point") ? ll : (t === "MultiPoint" ? ll[0] : ll), point: t.indexOf("Point") >= 0,
                  feature: f, rough: f.llc});
      return lyr;
    }

    function bindText(lyr, f) {
      // content is made when first shown: a page of 10,000 sites stays quick to open
      lyr.bindTooltip(function () { return tooltipContent(f); }, {sticky: true, className: "geo-tooltip"});
      lyr.bindPopup(function () { return popupContent(f); }, {maxWidth: 360, className: "geo-popup-wrap"});
    }

    // Context: boundaries in grey, always on, under the role overlays. They go on one canvas in
    // a pane of their own below the overlays (hover and click still reach them where no role
    // shape lies on top): far cheaper to paint than as SVG.
    map.createPane("geoContext").style.zIndex = 390;
    var contextRenderer = L.canvas({padding: 0.1, pane: "geoContext"});
    var context = L.layerGroup();
    data.features.forEach(function (f, i) {
      var spec = layersById[f.layer];
      if (!spec || !spec.context || !f.context) return;
      var opts = {renderer: contextRenderer, color: spec.id === "counties" ? "#555" : "#888", weight: spec.id === "province" ? 2 : 1,
                  fill: spec.style === "area", fillColor: "#ffffff", fillOpacity: 0.0,
                  className: "geo-shape geo-context geo-f-" + i, interactive: spec.style === "area"};
      var lyr = shapeFor(f, opts);
      if (opts.interactive) bindText(lyr, f);
      context.addLayer(lyr);
    });
    context.addTo(map);

    // Labels.
    data.features.forEach(function (f) {
      var spec = layersById[f.layer];
      if (!spec || !spec.labels || !f.label) return;
      var box = el("div", "geo-label-text");
      box.appendChild(el("span", "geo-label-en", f.name_en.replace(/ (District|County|City)$/, "")));
      box.appendChild(el("span", "geo-label-zh", f.name_zh));
      // a marker whose icon centres itself in CSS: placing it reads no layout, unlike a tooltip
      var icon = L.divIcon({className: "geo-label geo-label-" + spec.id, html: box, iconSize: null});
      var mark = L.marker(project(f.label), {icon: icon, interactive: false, keyboard: false});
      labels.push({marker: mark, wgs: f.label, minZoom: spec.label_min_zoom || 0,
                   maxZoom: f.label_max_zoom == null ? 99 : f.label_max_zoom, on: false});
    });
    function updateLabels() {
      var z = map.getZoom();
      labels.forEach(function (l) {
        var want = z >= l.minZoom && z <= l.maxZoom;
        if (want && !l.on) { l.marker.addTo(map); l.on = true; }
        if (!want && l.on) { map.removeLayer(l.marker); l.on = false; }
      });
    }

    // Role overlays: each role its own layer group; a feature in k of the page's roles gets
    // k interleaved stripes, so no colour is muddied by another.
    var overlays = {}, overlayByRole = {}, clouds = [];
    var stack = [], layerOrder = {};  // role shapes, drawn bottom to top by layer, then large to small
    data.layers.forEach(function (l, k) { layerOrder[l.id] = k; });
    var seen = {};  // which symbols this page uses, for the legend
    var pageRoles = data.page_roles;
    var carriers = {};  // role id -> indexes of the features that carry it, each once
    data.features.forEach(function (f, i) {
      (f.roles || []).forEach(function (r) {
        var list = carriers[r.role] || (carriers[r.role] = []);
        if (list[list.length - 1] !== i) list.push(i);
      });
    });
    pageRoles.forEach(function (rid) {
      var role = roles[rid];
      var group = L.featureGroup();
      group.geoRole = rid;
      var cloud = canvas ? new PointCloud({padding: 0.1, colour: role.colour, role: rid}) : null;
      (carriers[rid] || []).forEach(function (i) {
        var f = data.features[i];
        var mine = (f.roles || []).filter(function (r) { return r.role === rid; });
        if (!mine.length) return;
        var spec = layersById[f.layer] || {style: "area"};
        var shared = (f.roles || []).map(function (r) { return r.role; })
          .filter(function (r, k, a) { return pageRoles.indexOf(r) >= 0 && a.indexOf(r) === k; });
        var slot = shared.indexOf(rid), n = shared.length;
        if (cloud && (f.g.t === "Point" || f.g.t === "MultiPoint")) {
          seen.point = true;
          if (f.basis === "schematic") seen.dashed = true;
          cloud.push(f, f.g.t === "Point" ? f.ll : f.ll[0], 4 + 3 * (n - slot));
          return;
        }
        var weight = Math.max.apply(null, mine.map(function (r) { return (parts[r.part] || {weight: 2}).weight; }));
        var schematic = f.basis === "schematic";
        var cls = "geo-shape geo-role geo-role-" + rid + " geo-f-" + i + (schematic ? " geo-schematic" : "");
        var t = f.g.t, lyr;
        if (schematic) seen.dashed = true;
        if (n > 1 && t.indexOf("Polygon") >= 0 && spec.style !== "outline") seen.stripes = true;
        if (t.indexOf("Point") >= 0) seen.point = true;
        else if (t.indexOf("Line") >= 0) seen.line = true;
        else if (spec.style === "outline") seen.outline = true;
        else seen[weight >= 3 ? "strong" : "light"] = true;
        if (t === "Point" || t === "MultiPoint") {
          lyr = shapeFor(f, {renderer: canvas || svg, radius: 4 + 3 * (n - slot), color: "#fff", weight: 1.5,
                             fillColor: role.colour, fillOpacity: 1, className: cls});
        } else if (t.indexOf("Line") >= 0) {
          lyr = shapeFor(f, {renderer: canvas || svg, color: role.colour, weight: 2 + weight,
                             opacity: 0.9, dashArray: schematic ? "10 7" : null, className: cls});
        } else {
          var outline = spec.style === "outline";
          lyr = shapeFor(f, {renderer: canvas || svg, color: role.colour, weight: outline ? 4 : (weight >= 3 ? 2.5 : 1.5),
                             opacity: outline ? 0.85 : 0.9, dashArray: schematic ? "8 6" : (outline ? "1 0" : null),
                             fill: !outline, fillColor: role.colour, fillOpacity: canvas ? 0.3 : 1, className: cls});
          if (!outline && !canvas) {
            var pid = patternId(rid, slot, n, weight);
            lyr.on("add", function () {
              ensurePattern(svgRoot(), role.colour, pid, slot, n, weight);
              if (lyr._path) lyr._path.setAttribute("fill", "url(#" + pid + ")");
            });
          }
        }
        if (f.container) {
          // Changchun's outline lies over all its districts: let the pointer through to them
          // (their tooltips say they lie within it and name its roles)
          lyr.options.interactive = false;
        } else {
          bindText(lyr, f);
        }
        lyr.geoOrder = [layerOrder[f.layer] || 0, -(f.area_km2 || 0)];
        stack.push(lyr);
        group.addLayer(lyr);
      });
      if (cloud && cloud.size()) { clouds.push(cloud); group.addLayer(cloud); }
      var name = role.name_en + " (" + role.name_zh + ")";
      overlays["<span class='geo-ov' data-role='" + esc(rid) + "'><i style='background:" + esc(role.colour) +
               "'></i>" + esc(name) + "</span>"] = group;
      overlayByRole[rid] = group;
      group.addTo(map);
    });

    // Points drawn by PointClouds: a tooltip on hover and a popup on click, found by position.
    if (clouds.length) {
      var box = map.getContainer(), mapPane = map.getPane("mapPane"), cloudTip = null, hovered = null;
      var onMap = function (e) { return e.target === box || mapPane.contains(e.target); };
      var cloudAt = function (e) {
        var lp = map.containerPointToLayerPoint(map.mouseEventToContainerPoint(e));
        for (var c = clouds.length - 1; c >= 0; c--) {
          var hit = map.hasLayer(clouds[c]) ? clouds[c].hit(lp.x, lp.y) : null;
          if (hit) return hit;
        }
        return null;
      };
      var hideOthers = function (hide) {  // the tooltip of a boundary under the dot gives way to the dot's
        var mine = cloudTip && cloudTip.getElement();
        map.getPane("tooltipPane").querySelectorAll(".geo-tooltip").forEach(function (t) {
          if (t !== mine) t.style.visibility = hide ? "hidden" : "";
        });
      };
      L.DomEvent.on(box, "mousemove", function (e) {
        var hit = onMap(e) ? cloudAt(e) : null;
        if (hit) {
          cloudTip = cloudTip || L.tooltip({className: "geo-tooltip", direction: "top", offset: [0, -6]});
          if (hovered !== hit.f) { cloudTip.setContent(tooltipContent(hit.f)); hovered = hit.f; }
          cloudTip.setLatLng(project(hit.wgs));
          if (!map.hasLayer(cloudTip)) cloudTip.addTo(map);
          hideOthers(true);
          box.classList.add("geo-cloud-hover");
          box.style.cursor = "pointer";
        } else if (hovered) {
          map.removeLayer(cloudTip); hovered = null;
          hideOthers(false);
          box.classList.remove("geo-cloud-hover");
          box.style.cursor = "";
        }
      });
      L.DomEvent.on(box, "click", function (e) {
        if (!onMap(e) || (map.dragging && map.dragging.moved())) return;
        var hit = cloudAt(e);
        if (hit) {
          L.popup({maxWidth: 360, className: "geo-popup-wrap"}).setLatLng(project(hit.wgs))
            .setContent(popupContent(hit.f)).openOn(map);
        }
      });
    }

    // Basemaps: a tile layer each; "plain" has none. GCJ-02 ones carry their datum.
    var bases = {}, first = null;
    data.basemaps.forEach(function (b) {
      var lyr = b.url ? L.tileLayer(b.url, {attribution: b.attribution, maxZoom: data.max_zoom, maxNativeZoom: b.max_zoom, datum: b.datum})
                      : L.layerGroup([], {datum: b.datum});
      lyr.options.datum = b.datum;
      lyr.geoBasemap = b.id;
      bases[esc(b.name) + (b.datum === "gcj02" ? " <small>(GCJ-02)</small>" : "")] = lyr;
      if (!first) first = lyr;
    });
    // The basemap comes a frame after the overlays are painted: the plan is on screen before
    // the first tile request goes out (tiles are slow, or blocked, where many users are).
    var addBase = function () {
      requestAnimationFrame(function () {
        setTimeout(function () {
          var chosen = Object.keys(bases).some(function (k) { return map.hasLayer(bases[k]); });
          if (!chosen) first.addTo(map);
        }, 0);
      });
    };
    if (document.readyState === "complete") addBase(); else window.addEventListener("load", addBase);

    function setDatum(d) {
      if (d === datum) return;
      datum = d;
      clouds.forEach(function (c) { c.setProjection(datum === "gcj02" ? toGcj : null); });
      drawn.forEach(function (s) {
        var c = project(s.wgs);
        if (s.point) s.layer.setLatLng(c); else s.layer.setLatLngs(c);
      });
      labels.forEach(function (l) { l.marker.setLatLng(project(l.wgs)); });
      document.body.setAttribute("data-datum", datum);
    }
    map.on("baselayerchange", function (e) { setDatum(e.layer.options.datum || "wgs84"); });

    // Whatever overlay was switched on last, small things stay on top of large ones.
    stack.sort(function (a, b) { return (a.geoOrder[0] - b.geoOrder[0]) || (a.geoOrder[1] - b.geoOrder[1]); });
    function restack() {
      stack.forEach(function (lyr) { if (lyr._map && lyr.bringToFront) lyr.bringToFront(); });
    }
    map.on("overlayadd", restack);
    restack();
    document.body.setAttribute("data-datum", datum);

    var control = L.control.layers(bases, overlays, {collapsed: false, position: "topright"}).addTo(map);
    control.getContainer().classList.add("geo-layers");
    L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);

    // Title and legend.
    var Info = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var box = el("div", "geo-title leaflet-bar");
        box.appendChild(el("h1", null, data.title));
        if (data.subtitle) box.appendChild(el("div", "geo-subtitle", data.subtitle));
        if (data.index_href) { var a = el("a", null, "← all maps"); a.href = data.index_href; box.appendChild(a); }
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    new Info().addTo(map);

    var Legend = L.Control.extend({
      options: {position: "bottomleft"},
      onAdd: function () {
        var box = el("div", "geo-legend leaflet-bar");
        box.appendChild(el("h2", null, "Legend 图例"));
        var ul = el("ul");
        pageRoles.forEach(function (rid) {
          var r = roles[rid], li = el("li", "geo-legend-role");
          li.setAttribute("data-role", rid);
          var sw = el("span", "geo-swatch"); sw.style.background = r.colour;
          li.appendChild(sw);
          li.appendChild(el("span", null, r.name_en + " " + r.name_zh));
          li.title = r.description;
          ul.appendChild(li);
        });
        box.appendChild(ul);
        var keys = el("ul", "geo-legend-keys");
        [["strong", "Flagship / core: dense fill"], ["light", "Member, carrier, driven: lighter fill"],
         ["stripes", "Stripes: a place in several roles"], ["outline", "Thick outline: belt or area (union of districts)"],
         ["line", "Line: corridor or ray"], ["dashed", "Dashed: schematic or estimated, not surveyed"],
         ["point", "Dot: site (estimated position)"], ["boundary", "Grey line: official boundary"]].forEach(function (k) {
          if (k[0] !== "boundary" && !seen[k[0]]) return;
          k = ["geo-key-" + k[0], k[1]];
          var li = el("li"); li.appendChild(el("span", "geo-key " + k[0])); li.appendChild(el("span", null, k[1])); keys.appendChild(li);
        });
        box.appendChild(keys);
        if (data.note) box.appendChild(el("p", "geo-legend-note", data.note));
        box.appendChild(el("p", "geo-legend-note", "Boundaries: " + data.boundary_note));
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    new Legend().addTo(map);

    map.on("zoomend", updateLabels);
    map.on("zoomend", function () {
      var want = map.getZoom() < data.lod_zoom;
      if (want === coarse) return;
      coarse = want;
      drawn.forEach(function (s) {
        if (!s.rough) return;
        s.wgs = coarse ? s.rough : s.feature.ll;
        s.layer.options.smoothFactor = coarse ? 0 : 1;
        s.layer.setLatLngs(project(s.wgs));
      });
    });
    updateLabels();

    var api = {map: map, coarse: function () { return coarse; }, overlays: overlayByRole, clouds: clouds, context: context, bases: bases, drawn: drawn,
               labels: labels, setDatum: setDatum, datum: function () { return datum; }, toGcj: toGcj};
    global.GEO = api;
    if (global.performance && performance.mark) performance.mark("geo-render-end");
    return api;
  }

  global.GeoMap = {render: render, toGcj: toGcj, decode: decode, esc: esc};
})(window);
