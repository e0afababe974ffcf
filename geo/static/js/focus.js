/* focus.js: show one feature. G.focus.show(P, f) zooms to it, outlines it and opens its popup
 * (search.js and permalink.js use it); P.openFeature is the feature whose popup is open,
 * whoever opened it (a click, a search, a link).
 *
 * The outline is drawn from the feature's WGS-84 coordinates through G.shapes.project, so it
 * lies on the shape on a GCJ-02 (Gaode) basemap too, and follows a change of basemap.
 */
(function (G) {
  "use strict";
  var FOCUS_ZOOM = 12;  // where a point (or a very small shape) is shown

  function isPoint(f) { return f.g.t === "Point" || f.g.t === "MultiPoint"; }
  function wgsOf(f) { return f.g.t === "MultiPoint" ? f.ll[0] : f.ll; }
  function flat(c, out) {
    if (typeof c[0] === "number") out.push(c); else c.forEach(function (x) { flat(x, out); });
    return out;
  }

  // The map's free middle: padding for the control columns on each side (at most 40% each)
  // and, on top, for the popup (at most 60% of the height). On a phone the controls span the
  // top (and the zoom buttons the foot's right): the place goes below them and the popup.
  function padding(map, popupHeight) {
    var box = map.getContainer(), w = box.clientWidth;
    if (G.controls.phone()) {
      var top = G.controls.topColumn(map) + 10 + popupHeight;
      return {paddingTopLeft: [10, Math.min(top, box.clientHeight * 0.75)], paddingBottomRight: [10, 40]};
    }
    function width(sel) {
      var c = box.querySelector(sel), m = 0;
      if (c) Array.prototype.forEach.call(c.children, function (k) { m = Math.max(m, k.offsetWidth); });
      return Math.min(m + 20, w * 0.4);
    }
    var left = Math.max(width(".leaflet-top.leaflet-left"), width(".leaflet-bottom.leaflet-left"));
    var right = Math.max(width(".leaflet-top.leaflet-right"), width(".leaflet-bottom.leaflet-right"));
    return {paddingTopLeft: [left, Math.min(20 + popupHeight, box.clientHeight * 0.6)], paddingBottomRight: [right, 20]};
  }

  function bounds(P, f) {  // in the datum drawn
    var c = G.shapes.project(P, wgsOf(f));
    return isPoint(f) ? L.latLngBounds([c, c]) : L.latLngBounds(flat(c, []));
  }
  // Where its popup points: a point itself, else the top edge above its label.
  function anchor(P, f, b) {
    return isPoint(f) ? b.getCenter() : [b.getNorth(), G.shapes.project(P, f.label)[1]];
  }

  function draw(P, f) {
    var wgs = wgsOf(f), opts = {pane: "geoFocus", interactive: false, className: "geo-focus"};
    var c = G.shapes.project(P, wgs), halo, line;
    if (isPoint(f)) {
      halo = L.circleMarker(c, L.extend({radius: 14, color: "#000", weight: 7, opacity: 0.5, fill: false}, opts));
      line = L.circleMarker(c, L.extend({radius: 14, color: "#ffdd00", weight: 3, fill: false}, opts));
    } else {
      var make = f.g.t.indexOf("Line") >= 0 ? L.polyline : L.polygon;
      halo = make(c, L.extend({color: "#000", weight: 8, opacity: 0.5, fill: false}, opts));
      line = make(c, L.extend({color: "#ffdd00", weight: 3.5, fill: false}, opts));
    }
    return L.featureGroup([halo, line]);
  }

  G.focus = {
    // Outline f, open its popup (opts.popup === false: do not) and zoom to it, below the popup
    // and clear of the controls (opts.zoom === false: the view stays).
    show: function (P, f, opts) {
      opts = opts || {};
      var map = P.map, pt = isPoint(f), b = bounds(P, f);
      G.focus.clear(P);
      P.focus = {feature: f, layer: draw(P, f).addTo(map)};
      var h = 0;
      if (opts.popup !== false) {
        // over the place, pointing at its top edge (a point: at it), so it covers none of it
        var share = G.controls.phone() ? 0.3 : 0.4;  // a phone keeps room for the place under its tools
        var pop = L.popup({maxWidth: 360, maxHeight: Math.max(160, Math.round(map.getSize().y * share)),
                           className: "geo-popup-wrap", autoPan: false});
        pop.geoFeature = f;
        P.focus.popup = pop;
        pop.setLatLng(anchor(P, f, b))
          .setContent(function () { return P.content.popup(f); }).openOn(map);
        h = pop.getElement() ? pop.getElement().offsetHeight + 20 : 0;
      }
      if (opts.zoom !== false) {
        map.fitBounds(b, L.extend({maxZoom: pt ? Math.max(map.getZoom(), FOCUS_ZOOM) : FOCUS_ZOOM}, padding(map, h)));
      }
      return P.focus;
    },
    clear: function (P) {
      var cur = P.focus;
      P.focus = null;
      if (!cur) return;
      P.map.removeLayer(cur.layer);
      if (cur.popup && P.map.hasLayer(cur.popup)) P.map.closePopup(cur.popup);
    }
  };

  // The feature a popup is about: tagged (focus.js, point clouds) or the shape it is bound to.
  function featureOf(P, popup) {
    if (popup.geoFeature) return popup.geoFeature;
    var src = popup._source;
    for (var i = 0; src && i < P.drawn.length; i++) if (P.drawn[i].layer === src) return P.drawn[i].feature;
    return null;
  }

  G.tool({id: "focus", init: function (P) {
    var map = P.map;
    map.createPane("geoFocus").style.zIndex = 450;  // over the overlays, under markers and popups
    P.openFeature = null;
    map.on("popupopen", function (e) {
      P.openFeature = featureOf(P, e.popup);
      if (P.focus && P.focus.popup !== e.popup) G.focus.clear(P);  // another popup: the outline goes
    });
    map.on("popupclose", function (e) {
      if (featureOf(P, e.popup) === P.openFeature) P.openFeature = null;
      if (P.focus && P.focus.popup === e.popup) G.focus.clear(P);
    });
    // a change of basemap redraws the shapes in its datum (controls.js, first): the outline follows
    map.on("baselayerchange", function () {
      var cur = P.focus;
      if (!cur) return;
      P.map.removeLayer(cur.layer);
      cur.layer = draw(P, cur.feature).addTo(map);
      if (cur.popup) cur.popup.setLatLng(anchor(P, cur.feature, bounds(P, cur.feature)));
    });
    return {show: function (f, opts) { return G.focus.show(P, f, opts); }, clear: function () { G.focus.clear(P); }};
  }});
})(window.GeoMap);
