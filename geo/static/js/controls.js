/* controls.js: basemaps, the layer control, the title box, the legend and the scale bar; where
 * the controls lie on a phone (phone, topColumn). */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair;

  // A tile layer per basemap ("plain" has none); each carries its datum. The basemap is added
  // a frame after the overlays are painted: the plan is on screen before the first tile
  // request goes out (tiles are slow, or blocked, where many users are).
  function basemaps(P) {
    var data = P.data, map = P.map, bases = {}, first = null;
    data.basemaps.forEach(function (b) {
      var lyr = b.url ? L.tileLayer(b.url, {attribution: b.attribution, maxZoom: data.max_zoom,
                                             maxNativeZoom: b.max_zoom, datum: b.datum})
                      : L.layerGroup([], {datum: b.datum});
      lyr.options.datum = b.datum;
      lyr.geoBasemap = b.id;
      bases[G.biHTML(pair(b.name, b.name_zh || b.name)) +
            (b.datum === "gcj02" ? " <small>(GCJ-02)</small>" : "")] = lyr;
      if (!first) first = lyr;
    });
    var addBase = function () {
      requestAnimationFrame(function () {
        setTimeout(function () {
          var chosen = Object.keys(bases).some(function (k) { return map.hasLayer(bases[k]); });
          if (!chosen) (P.startBase || first).addTo(map);  // P.startBase: a link's (permalink.js)
        }, 0);
      });
    };
    if (document.readyState === "complete") addBase(); else window.addEventListener("load", addBase);
    map.on("baselayerchange", function (e) { G.shapes.setDatum(P, e.layer.options.datum || "wgs84"); });
    return bases;
  }

  // The layer control: basemaps, then one overlay per role named "English (中文)".
  function layerControl(P, bases, groups) {
    var overlays = {};
    P.data.page_roles.forEach(function (rid) {
      var role = P.roles[rid];
      overlays["<span class='geo-ov' data-role='" + G.esc(rid) + "'><i style='background:" + G.esc(role.colour) +
               "'></i>" + G.biHTML(pair(role.name_en, role.name_zh), true) + "</span>"] = groups[rid];
    });
    // the timeline page has many roles: its control opens on demand
    var control = L.control.layers(bases, overlays, {collapsed: !!P.data.collapse_layers, position: "topright"});
    // Leaflet's expand() measures the map and the list (a forced layout each time it runs, on add
    // and on every change); the stylesheet bounds the list's height instead (css/base.css)
    control.expand = function () { L.DomUtil.addClass(this._container, "leaflet-control-layers-expanded"); return this; };
    control.addTo(P.map);
    control.getContainer().classList.add("geo-layers");
    var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) { G.biAttr(toggle, "title", t("layers")); G.biAttr(toggle, "aria-label", t("layers")); }
    return control;
  }

  var Info = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var data = this.options.data, box = el("div", "geo-title leaflet-bar");
      box.appendChild(bi(pair(data.title, data.title_zh), "h1", null, {block: !!data.title_zh}));
      if (data.subtitle) box.appendChild(bi(pair(data.subtitle, data.subtitle_zh), "div", "geo-subtitle"));
      // when the plan was announced (where: the legend's note and the popups cite the passages)
      if (data.plan) box.appendChild(bi(t("plan_announced", {date: data.plan.date}), "div", "geo-plan-date"));
      if (data.index_href) {
        var a = bi(t("all_maps"), "a");
        a.href = data.index_href;
        box.appendChild(a);
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });

  // The symbols a legend may explain, in order; it lists those the page uses (P.seen).
  var KEYS = ["strong", "light", "stripes", "outline", "line", "dashed", "point", "new", "boundary"];

  var Legend = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd: function () {
      var P = this.options.page, data = P.data, box = el("div", "geo-legend leaflet-bar");
      box.appendChild(bi(t("legend"), "h2"));
      var ul = el("ul", "geo-legend-roles");
      data.page_roles.forEach(function (rid) {
        var r = P.roles[rid], li = el("li", "geo-legend-role");
        li.setAttribute("data-role", rid);
        var sw = el("span", "geo-swatch"); sw.style.background = r.colour;
        li.appendChild(sw);
        li.appendChild(bi(pair(r.name_en, r.name_zh)));
        G.biAttr(li, "title", pair(r.description, r.description_zh));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      var keys = el("ul", "geo-legend-keys");
      KEYS.forEach(function (k) {
        if (k !== "boundary" && !P.seen[k]) return;
        var li = el("li");
        li.appendChild(el("span", "geo-key geo-key-" + k));
        li.appendChild(bi(t("key_" + k)));
        keys.appendChild(li);
      });
      box.appendChild(keys);
      var missing = (data.plan && data.plan.not_drawn) || [];
      if (missing.length) {  // what the plan names but the page does not draw, and why
        box.appendChild(bi(t("not_drawn"), "h2", "geo-not-drawn-head"));
        var nd = el("ul", "geo-not-drawn");
        missing.forEach(function (n) {
          nd.appendChild(bi(t("not_drawn_item", {name: pair(n.name_en, n.name_zh), reason: pair(n.reason_en, n.reason_zh)}),
                            "li"));
        });
        box.appendChild(nd);
      }
      if (data.note) box.appendChild(bi(pair(data.note, data.note_zh), "p", "geo-legend-note"));
      box.appendChild(bi(t("boundary_note", data.boundary), "p", "geo-legend-note"));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  function add(P, bases, groups) {
    var control = layerControl(P, bases, groups);
    L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(P.map);
    new Info({data: P.data, page: P}).addTo(P.map);
    P.legend = new Legend({page: P}).addTo(P.map).getContainer();
    return control;
  }

  // A phone's screen (css/layout.css): below 600 px wide the controls at the top left (title,
  // search, tools) span the map's width, and the layer control and legend are sheets (layout.js).
  var PHONE = "(max-width: 599px)";
  function phone() { return window.matchMedia(PHONE).matches; }

  // How far down the map the top left column reaches on a phone, in px from the map's top (0 on
  // a wider screen, where it keeps to the side).
  function topColumn(map) {
    var top = phone() && map.getContainer().querySelector(".leaflet-top.leaflet-left");
    return top ? Math.max(0, top.getBoundingClientRect().bottom - map.getContainer().getBoundingClientRect().top) : 0;
  }

  G.controls = {basemaps: basemaps, add: add, PHONE: PHONE, phone: phone, topColumn: topColumn};
})(window.GeoMap);
