/* overlays.js: the role overlays. Each page role is a layer group (P.groups, role id -> group)
 * holding the shapes of the features that take the role on the date shown (P.at, G.dates; every
 * feature on a page without a date): a feature in k of the page's roles gets k interleaved
 * stripes, one per role (patterns.js); points go to one PointCloud per role on a canvas page
 * (the rows of a point table straight from its columns, pointrows.js).
 * fillRoles draws them again when the date changes (timeline.js); small shapes stay above
 * large ones whatever overlay was switched on last (restack). Joins G.shapes.
 */
(function (G) {
  "use strict";
  var holds = G.dates.holds, shapeFor = G.shapes.shapeFor, bindText = G.shapes.bindText;

  // Role overlays: each role its own layer group (P.groups, role id -> group), filled with the
  // shapes that hold on P.at by fillRoles. Records in P.seen the symbols the page uses, over
  // every date (for the legend).
  function drawRoles(P) {
    var groups = P.groups = {};
    P.data.page_roles.forEach(function (rid) {
      var group = groups[rid] = L.featureGroup();
      group.geoRole = rid;
      group.addTo(P.map);
    });
    var done = new Map(), none = [];  // role list -> the kinds of feature already seen with it
    eachKind(P, ["layer", "basis"], function (f) {
      var list = f.roles || none, t = f.g.t, kinds = done.get(list), key = t + "|" + f.layer + "|" + f.basis;
      if (!kinds) done.set(list, kinds = {});
      if (kinds[key]) return;  // features that share a role list: each kind once
      kinds[key] = true;
      var all = uniqueRoles(P, list), spec = P.layersById[f.layer] || {style: "area"};
      if (!all.length) return;
      if (f.basis === "schematic") P.seen.dashed = true;
      if (all.length > 1 && t.indexOf("Polygon") >= 0 && spec.style !== "outline") P.seen.stripes = true;
      all.forEach(function (rid) {
        var weight = Math.max.apply(null, f.roles.filter(function (r) { return r.role === rid; })
          .map(function (r) { return (P.parts[r.part] || {weight: 2}).weight; }));
        if (t.indexOf("Point") >= 0) P.seen.point = true;
        else if (t.indexOf("Line") >= 0) P.seen.line = true;
        else if (spec.style === "outline") P.seen.outline = true;
        else P.seen[weight >= 3 ? "strong" : "light"] = true;
      });
    });
    fillRoles(P);
    // Whatever overlay was switched on last, small things stay on top of large ones.
    P.map.on("overlayadd", function () { restack(P); });
    return groups;
  }

  // fn(f) for each feature that is not a point row, and for the first row (pointrows.js) of each
  // group of rows alike in their roles and columns `names` (what fn reads of a row: R.like)
  function eachKind(P, names, fn) {
    var R = P.data.rows;
    P.data.shapes.forEach(function (f) { fn(f); });
    if (R) R.groups(["roles"].concat(names)).first.forEach(function (k) { fn(R.like(k, names)); });
  }

  function uniqueRoles(P, entries) {  // the page's roles among entries, each once, in order
    return entries.map(function (r) { return r.role; })
      .filter(function (r, k, a) { return P.data.page_roles.indexOf(r) >= 0 && a.indexOf(r) === k; });
  }

  function restack(P) {
    P.stack.forEach(function (lyr) { if (lyr._map && lyr.bringToFront) lyr.bringToFront(); });
  }

  // (Re)draw every role shape that holds on P.at: a feature in k of the roles then gets k
  // interleaved stripes; those new then (P.isNew) are drawn with the class geo-new.
  function fillRoles(P) {
    var data = P.data, roles = P.roles, parts = P.parts, canvas = P.canvas;
    var svgRoot = function () { return P.svg._container; };
    var layerOrder = {}, stack = P.stack = [];  // role shapes, drawn bottom to top by layer, then large to small
    data.layers.forEach(function (l, k) { layerOrder[l.id] = k; });
    Object.keys(P.groups).forEach(function (rid) { P.groups[rid].clearLayers(); });
    for (var d = P.drawn.length - 1; d >= 0; d--) if (P.drawn[d].role) P.drawn.splice(d, 1);
    P.clouds.length = 0;
    // where a role list puts role rid: its entries for rid, and the slot and count of the page's
    // roles in it; worked out once per list (the point rows of a big layer share a few lists)
    var places = new Map(), none = [];
    function placeIn(list, rid) {
      var byRole = places.get(list);
      if (!byRole) places.set(list, byRole = {});
      if (byRole[rid]) return byRole[rid];
      var mine = list.filter(function (r) { return r.role === rid; }), shared = uniqueRoles(P, list);
      return (byRole[rid] = {mine: mine, slot: shared.indexOf(rid), n: shared.length});
    }
    // role id -> [index, the entries that hold] of the features that carry it, each once (with no
    // date shown, everything holds: a feature's own list, shared by the rows that share it)
    var carriers = {};
    function active(f) { return !P.at ? f.roles || none : (f.roles || none).filter(function (r) { return holds(P, f, r); }); }
    function carry(f, i) {
      if (!holds(P, f)) return;
      var list = active(f);
      for (var k = 0; k < list.length; k++) {
        var to = carriers[list[k].role] || (carriers[list[k].role] = []), last = to[to.length - 1];
        if (!last || last[0] !== i) to.push([i, list]);
      }
    }
    data.shapes.forEach(carry);
    var R = data.rows, base = data.shapes.length, rows = canvas && R ? cloudRows(P, R, active, placeIn) : null;
    if (R && !rows) for (var k = 0; k < R.n; k++) carry(data.features[base + k], base + k);
    data.page_roles.forEach(function (rid) {
      var role = roles[rid], group = P.groups[rid];
      var cloud = canvas ? new G.PointCloud({padding: 0.1, colour: role.colour, role: rid}) : null;
      var dots = cloud ? {lat: [], lon: [], radius: [], ref: []} : null;  // the cloud's points that are not rows
      (carriers[rid] || []).forEach(function (c) {
        var i = c[0], f = data.features[i], place = placeIn(c[1], rid), mine = place.mine;
        var spec = P.layersById[f.layer] || {style: "area"};
        var slot = place.slot, n = place.n;
        if (cloud && (f.g.t === "Point" || f.g.t === "MultiPoint")) {
          var ll = f.g.t === "Point" ? f.ll : f.ll[0];
          dots.lat.push(ll[0]); dots.lon.push(ll[1]); dots.radius.push(4 + 3 * (n - slot)); dots.ref.push(i);
          return;
        }
        var weight = Math.max.apply(null, mine.map(function (r) { return (parts[r.part] || {weight: 2}).weight; }));
        var schematic = f.basis === "schematic", fresh = P.isNew && P.isNew(f, rid);
        var cls = "geo-shape geo-role geo-role-" + rid + " geo-f-" + i + (schematic ? " geo-schematic" : "") +
                  (fresh ? " geo-new" : "");
        var t = f.g.t, lyr;
        if (t === "Point" || t === "MultiPoint") {
          lyr = shapeFor(P, f, {renderer: canvas || P.svg, radius: 4 + 3 * (n - slot), color: "#fff", weight: 1.5,
                                fillColor: role.colour, fillOpacity: 1, className: cls});
        } else if (t.indexOf("Line") >= 0) {
          lyr = shapeFor(P, f, {renderer: canvas || P.svg, color: role.colour, weight: 2 + weight,
                                opacity: 0.9, dashArray: schematic ? "10 7" : null, className: cls});
        } else {
          var outline = spec.style === "outline";
          lyr = shapeFor(P, f, {renderer: canvas || P.svg, color: role.colour,
                                weight: outline ? 4 : (weight >= 3 ? 2.5 : 1.5), opacity: outline ? 0.85 : 0.9,
                                dashArray: schematic ? "8 6" : (outline ? "1 0" : null), fill: !outline,
                                fillColor: role.colour, fillOpacity: canvas ? 0.3 : 1, className: cls});
          if (!outline && !canvas) {
            var pid = G.patterns.id(rid, slot, n, weight);
            lyr.on("add", function () {
              G.patterns.ensure(svgRoot(), role.colour, pid, slot, n, weight);
              if (lyr._path) lyr._path.setAttribute("fill", "url(#" + pid + ")");
            });
          }
        }
        P.drawn[P.drawn.length - 1].role = rid;
        if (f.container) {
          // Changchun's outline lies over all its districts: let the pointer through to them
          // (their tooltips say they lie within it and name its roles)
          lyr.options.interactive = false;
        } else {
          bindText(P, lyr, f);
        }
        lyr.geoOrder = [layerOrder[f.layer] || 0, -(f.area_km2 || 0)];
        stack.push(lyr);
        group.addLayer(lyr);
      });
      if (cloud) fillCloud(P, cloud, dots, rows && rows[rid]);
      if (cloud && cloud.size()) { P.clouds.push(cloud); group.addLayer(cloud); }
    });
    stack.sort(function (a, b) { return (a.geoOrder[0] - b.geoOrder[0]) || (a.geoOrder[1] - b.geoOrder[1]); });
    restack(P);
  }

  // The point rows (pointrows.js) of a canvas page, for the clouds: role id -> {k: rows (Int32Array),
  // radius: theirs}, worked out once per group of rows that share a role list and dates
  function cloudRows(P, R, active, placeIn) {
    var groups = R.groups(["roles", "since", "until"]), of = groups.of;
    var rids = [], slot = {};  // the roles the rows take, each once
    var dots = groups.first.map(function (k) {  // per group: [role's slot in rids, radius] of each role, once
      var f = R.like(k, ["since", "until"]), out = [], seen = {};
      if (!holds(P, f)) return out;
      var list = active(f);
      list.forEach(function (r) {
        if (seen[r.role]) return;
        seen[r.role] = true;
        if (slot[r.role] == null) slot[r.role] = rids.push(r.role) - 1;
        var place = placeIn(list, r.role);
        out.push([slot[r.role], 4 + 3 * (place.n - place.slot)]);
      });
      return out;
    });
    var at = new Int32Array(dots.length + 1), slots = [], radii = [], j, k, e;  // the groups' pairs, flat
    dots.forEach(function (d, g) {
      d.forEach(function (p) { slots.push(p[0]); radii.push(p[1]); });
      at[g + 1] = slots.length;
    });
    var count = new Int32Array(rids.length), pos = new Int32Array(rids.length);
    for (k = 0; k < R.n; k++) for (e = at[of[k]]; e < at[of[k] + 1]; e++) count[slots[e]]++;
    var ks = rids.map(function (r, s) { return new Int32Array(count[s]); });
    var rs = rids.map(function (r, s) { return new Uint16Array(count[s]); });
    for (k = 0; k < R.n; k++) {
      for (e = at[of[k]]; e < at[of[k] + 1]; e++) {
        j = slots[e];
        ks[j][pos[j]] = k; rs[j][pos[j]++] = radii[e];
      }
    }
    var out = rids.map(function (r, s) { return {k: ks[s], radius: rs[s]}; });
    var byRole = {};
    rids.forEach(function (rid, s) { byRole[rid] = out[s]; });
    return byRole;
  }

  // A cloud's points: `dots` (features that are not rows, {lat, lon, radius, ref}: their index in
  // P.data.features), then the rows `rows` ({k, radius}), in page order
  function fillCloud(P, cloud, dots, rows) {
    var data = P.data, R = data.rows, base = data.shapes.length, m = dots.lat.length, n = m + (rows ? rows.k.length : 0);
    var lat = new Float64Array(n), lon = new Float64Array(n), radius = new Uint16Array(n), ref = new Int32Array(n);
    lat.set(dots.lat); lon.set(dots.lon); radius.set(dots.radius); ref.set(dots.ref);
    for (var j = m; j < n; j++) {
      var k = rows.k[j - m];
      lat[j] = R.lat[k]; lon[j] = R.lon[k]; radius[j] = rows.radius[j - m]; ref[j] = base + k;
    }
    cloud.setPoints(lat, lon, radius, function (j) { return data.features[ref[j]]; });
  }

  G.shapes.drawRoles = drawRoles;
  G.shapes.fillRoles = fillRoles;
  G.shapes.restack = restack;
})(window.GeoMap);
