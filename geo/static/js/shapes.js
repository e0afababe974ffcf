/* shapes.js: the page's shapes. Grey context boundaries, hover and click on point
 * clouds, the datum each is drawn in, and the coarse forms below lod_zoom; the one overlay per
 * role is overlays.js's (it draws with shapeFor and bindText).
 *
 * Every function takes P, the page state made by page.js: P.map, P.data, P.roles, P.parts,
 * P.layersById, P.feature(id), P.datum, P.coarse, P.drawn (every vector layer: {layer, wgs, point,
 * feature, rough, role}, and a polygon's coarse), P.labels, P.clouds, P.content (tooltip/popup makers), and P.at: the
 * date shown (timeline page; null elsewhere): only what holds then is drawn (G.dates.holds).
 */
(function (G) {
  "use strict";
  var el = G.el;

  var holds = G.dates.holds;

  function project(P, wgs) { return P.datum === "gcj02" ? G.mapDeep(wgs, G.toGcj) : wgs; }

  // What a drawn polygon s is given in the datum shown: in WGS-84 its rings in the topology (drawn
  // from its arrays, rings.js), in GCJ-02 its [lat, lon] arrays shifted.
  function formOf(P, s) { return P.datum === "gcj02" ? project(P, s.wgs) : G.rings.form(s.feature, s.coarse); }

  function shapeFor(P, f, opts) {
    var lyr, t = f.g.t, ll = t.indexOf("Polygon") >= 0 ? null : f.ll, s;
    if (t === "Point" || t === "MultiPoint") {
      lyr = L.circleMarker(project(P, t === "Point" ? ll : ll[0]), opts);
    } else if (t === "LineString" || t === "MultiLineString") {
      lyr = G.paths.polyline(project(P, ll), opts);
    } else {
      // wgs: what is drawn now, in WGS-84 (made when read); rough: the feature has a coarse form;
      // coarse: that form is drawn
      var rough = !!f.g.T.coarse;
      s = {feature: f, point: false, rough: rough, coarse: P.coarse && rough,
           get wgs() { return this.coarse ? f.llc : f.ll; }};
      // the coarse form is already simplified to a pixel: Leaflet need not simplify it again; and
      // it is small enough to draw whole (a few thousand pixels at most): not clipped to the view
      if (s.coarse) { opts.smoothFactor = 0; opts.noClip = true; }
      s.layer = lyr = G.paths.polygon(formOf(P, s), opts);
      P.drawn.push(s);
      return lyr;
    }
    // wgs: what is drawn, in WGS-84
    P.drawn.push({layer: lyr, wgs: (t === "Point") ? ll : (t === "MultiPoint" ? ll[0] : ll),
                  point: t.indexOf("Point") >= 0, feature: f, rough: false});
    return lyr;
  }

  function bindText(P, lyr, f) {
    // content is made when first shown: a page of 10,000 sites stays quick to open
    lyr.bindTooltip(function () { return P.content.tooltip(f); }, {sticky: true, className: "geo-tooltip"});
    lyr.bindPopup(function () { return P.content.popup(f); }, {maxWidth: 360, className: "geo-popup-wrap"});
  }

  // fn(f, i, spec) for each feature f (P.data.features[i]) of a layer `spec` that want(spec)
  // accepts: the point rows (pointrows.js) of other layers are neither read nor made
  function ofLayers(P, want, fn) {
    var data = P.data, R = data.rows, base = data.shapes.length;
    data.shapes.forEach(function (f, i) {
      var spec = P.layersById[f.layer];
      if (spec && want(spec)) fn(f, i, spec);
    });
    if (!R) return;
    var groups = R.groups(["layer"]), layer = R.column("layer"), of = groups.of;
    var specs = groups.first.map(function (k) {  // per group of rows (a layer), its spec if wanted
      var spec = P.layersById[layer.get(k)];
      return spec && want(spec) ? spec : null;
    });
    if (!specs.some(Boolean)) return;
    for (var k = 0; k < R.n; k++) if (specs[of[k]]) fn(data.features[base + k], base + k, specs[of[k]]);
  }

  // Context: boundaries in grey, always on, under the role overlays, in an SVG of their own in a
  // pane below the overlays (hover and click still reach them where no role shape lies on top).
  // Drawn in their coarse forms below lod_zoom, they are cheap to paint as SVG; a canvas would
  // cost the first frame more (its backing store made, then handed to the compositor).
  function drawContext(P) {
    P.map.createPane("geoContext").style.zIndex = 390;
    var renderer = L.svg({padding: 0.1, pane: "geoContext"});
    var context = P.context = L.layerGroup();
    P.contextShapes = [];
    ofLayers(P, function (spec) { return spec.context; }, function (f, i, spec) {
      if (!f.context) return;
      var opts = {renderer: renderer, color: spec.id === "counties" ? "#555" : "#888",
                  weight: spec.id === "province" ? 2 : 1, fill: spec.style === "area", fillColor: "#ffffff",
                  fillOpacity: 0.0, className: "geo-shape geo-context geo-f-" + i, interactive: spec.style === "area"};
      var lyr = shapeFor(P, f, opts);
      if (opts.interactive) {
        bindText(P, lyr, f);
        // out of the Tab order (a tooltip's focus listener would put the SVG path in it): the
        // keyboard goes from the role shapes to the controls, not through every grey boundary
        lyr.on("add", function () { lyr.getElement().setAttribute("tabindex", "-1"); });
      }
      P.contextShapes.push({layer: lyr, feature: f, style: {color: opts.color, weight: opts.weight}});
    });
    showContext(P);
    context.addTo(P.map);
    return context;
  }

  // The context boundaries that hold on P.at, those new then (P.isNew) outlined in gold.
  function showContext(P) {
    P.contextShapes.forEach(function (c) {
      var on = holds(P, c.feature), fresh = on && P.isNew && P.isNew(c.feature);
      if (on && !P.context.hasLayer(c.layer)) P.context.addLayer(c.layer);
      if (!on && P.context.hasLayer(c.layer)) P.context.removeLayer(c.layer);
      c.layer.setStyle(fresh ? {color: "#d4a017", weight: 3} : c.style);
    });
  }

  // Points drawn by PointClouds: a tooltip on hover and a popup on click, found by position.
  function wireClouds(P) {
    var map = P.map, clouds = P.clouds;
    if (!clouds.length) return;
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
        if (hovered !== hit.f) { cloudTip.setContent(P.content.tooltip(hit.f)); hovered = hit.f; }
        cloudTip.setLatLng(project(P, hit.wgs));
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
    // A click on a dot opens the dot's popup, over a role's area too: heard on its way down
    // (capture), before the canvas under the dot hears it, whose area's popup would stop it there
    box.addEventListener("click", function (e) {
      if (!onMap(e) || (map.dragging && map.dragging.moved())) return;
      var hit = cloudAt(e);
      if (!hit) return;
      L.DomEvent.stop(e);
      var pop = L.popup({maxWidth: 360, className: "geo-popup-wrap"});
      pop.geoFeature = hit.f;  // the open feature, for a link (focus.js)
      pop.setLatLng(project(P, hit.wgs)).setContent(P.content.popup(hit.f)).openOn(map);
    }, true);
  }

  // Redraw everything in datum d ("wgs84" or "gcj02"): the basemap's.
  function setDatum(P, d) {
    if (d === P.datum) return;
    P.datum = d;
    P.clouds.forEach(function (c) { c.setProjection(d === "gcj02" ? G.toGcj : null); });
    P.drawn.forEach(function (s) {
      if (s.point) s.layer.setLatLng(project(P, s.wgs));
      else s.layer.setLatLngs("coarse" in s ? formOf(P, s) : project(P, s.wgs));
    });
    P.labels.forEach(function (l) { l.marker.setLatLng(project(P, l.wgs)); });
    document.body.setAttribute("data-datum", d);
  }

  // Below lod_zoom polygons are drawn from their coarse form, from lod_zoom on in full.
  function followZoom(P) {
    P.map.on("zoomend", function () {
      var want = P.map.getZoom() < P.data.lod_zoom;
      if (want === P.coarse) return;
      P.coarse = want;
      P.drawn.forEach(function (s) {
        if (!s.rough) return;
        s.coarse = want;
        s.layer.options.smoothFactor = want ? 0 : 1;
        s.layer.options.noClip = want;
        s.layer.setLatLngs(formOf(P, s));
      });
    });
  }

  // (the role overlays, drawRoles / fillRoles / restack, join this from overlays.js)
  G.shapes = {project: project, shapeFor: shapeFor, bindText: bindText, drawContext: drawContext,
              showContext: showContext, ofLayers: ofLayers, wireClouds: wireClouds, setDatum: setDatum,
              followZoom: followZoom};
})(window.GeoMap);
