/* layout.js: the page on a phone. Below 600 px wide (css/layout.css) the layer control and the
 * legend start collapsed to toolbar buttons, open as bottom sheets and close again (their ×,
 * their button, Escape, or a tap on the map); the zoom buttons move to the bottom right.
 * On every screen a popup is kept inside the map (its width and height from the map's size).
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t;
  var PHONE = G.controls.PHONE, phone = G.controls.phone, topColumn = G.controls.topColumn;

  // A "×" button whose name (for screen readers, in the page's language) is "Close".
  function closeButton(cls) {
    var b = el("button", cls), x = el("span", null, "×");
    b.type = "button";
    x.setAttribute("aria-hidden", "true");
    b.appendChild(x);
    b.appendChild(bi(t("close"), "span", "geo-sr"));
    b.title = t("close").en + " · " + t("close").zh;
    return b;
  }

  // Control container `box` becomes a sheet that toolbar button `spec` opens (on phones only:
  // on a wider screen the CSS shows the box as it is and hides the button).
  function sheet(P, box, spec) {
    var id = "geo-sheet-" + spec.id, s = {box: box, id: spec.id};
    box.id = id;
    box.classList.add("geo-sheet");
    var close = closeButton("geo-sheet-close");
    box.insertBefore(close, box.firstChild);
    if (spec.heading) box.insertBefore(bi(spec.heading, "h2", "geo-sheet-title geo-phone-only"), close.nextSibling);
    s.button = G.toolbar.button(P, {id: spec.id, label: spec.label, onClick: function () { toggle(P, s); }});
    s.button.classList.add("geo-phone-only");
    s.button.setAttribute("aria-controls", id);
    s.button.setAttribute("aria-expanded", "false");
    L.DomEvent.on(close, "click", function (e) { L.DomEvent.stop(e); shut(P, s, true); });
    P.sheets.push(s);
    return s;
  }

  // One panel at a time: a sheet or the table (table.js) says "geopanel" as it opens.
  function open(P, s) {
    P.map.fire("geopanel", {id: s.id});
    s.box.classList.add("geo-open");
    // a layer control that opens on demand (the timeline's) opens with its sheet
    if (s.box.classList.contains("leaflet-control-layers")) s.box.classList.add("leaflet-control-layers-expanded");
    s.box.parentNode.style.zIndex = 1001;  // its corner above the others (the zoom buttons ...)
    s.button.setAttribute("aria-expanded", "true");
    s.box.querySelector(".geo-sheet-close").focus();
  }

  function shut(P, s, refocus) {
    if (!s.box.classList.contains("geo-open")) return;
    s.box.classList.remove("geo-open");
    s.box.parentNode.style.zIndex = "";
    s.button.setAttribute("aria-expanded", "false");
    if (refocus) s.button.focus();
  }

  function toggle(P, s) {
    if (s.box.classList.contains("geo-open")) shut(P, s, true); else open(P, s);
  }

  // A popup no wider than the map less its frame, no taller than most of the map (nor than
  // the height its opener asked for: focus.js keeps room for the place under it). On a phone it
  // opens below the title, search and tools, not under them, and a tapped place's tooltip goes.
  function fitPopups(map) {
    map.on("popupopen", function (e) {
      var o = e.popup.options, size = map.getSize(), top = topColumn(map);
      if (o.geoWidth == null) { o.geoWidth = o.maxWidth; o.geoHeight = o.maxHeight || Infinity; }
      var w = Math.max(120, Math.min(o.geoWidth, size.x - 64));
      var h = Math.max(120, Math.min(o.geoHeight, size.y - 140, size.y - top - 70));
      if (top) map.eachLayer(function (l) { if (l.closeTooltip) l.closeTooltip(); });
      var pad = top ? [8, top + 8] : null;  // Leaflet's own when null: autoPanPadding
      if (o.maxWidth !== w || o.maxHeight !== h || String(o.autoPanPaddingTopLeft) !== String(pad)) {
        o.maxWidth = w; o.maxHeight = h; o.autoPanPadding = [8, 8]; o.autoPanPaddingTopLeft = pad;
        e.popup.update();
      }
      // a popup that scrolls can be scrolled from the keyboard too
      var body = e.popup.getElement().querySelector(".leaflet-popup-content");
      if (body.classList.contains("leaflet-popup-scrolled")) body.tabIndex = 0; else body.removeAttribute("tabindex");
    });
  }

  // On a wide screen the legend (bottom left) keeps below the title, search and toolbar (top
  // left): a long legend (the timeline's) scrolls instead of running under them.
  function fitLegend(P, legend) {
    if (!legend) return;
    // a custom property (css/base.css), so that the phone's sheet and print keep their own heights
    if (phone() || P.printing) { legend.style.removeProperty("--geo-legend-max"); return; }
    var box = P.map.getContainer(), top = box.querySelector(".leaflet-top.leaflet-left"), r = box.getBoundingClientRect();
    var used = top ? top.getBoundingClientRect().bottom - r.top : 0;
    legend.style.setProperty("--geo-legend-max", Math.max(120, Math.min(r.height * 0.55, r.height - used - 50)) + "px");
  }

  // The zoom buttons: top left on a wide screen, bottom right (under the thumb) on a phone;
  // a window made narrow or wide starts with its sheets closed.
  function follow(P, legend) {
    var place = function (fit) {
      P.sheets.forEach(function (s) { shut(P, s, false); });
      var zoom = P.map.zoomControl, where = phone() ? "bottomright" : "topleft";
      if (zoom && zoom.getPosition() !== where) { zoom.setPosition(where); G.language.labelZoom(P.map); }
      if (fit !== false) fitLegend(P, legend);
    };
    place(false);
    window.matchMedia(PHONE).addEventListener("change", place);
    P.map.on("resize", function () { fitLegend(P, legend); });
    // fitted when the map or the top left column changes size (first as the page opens), once
    // laid out and before it is painted: measuring it as the page is built would force a layout
    var box = P.map.getContainer(), top = box.querySelector(".leaflet-top.leaflet-left");
    var watch = new ResizeObserver(function () { fitLegend(P, legend); });
    watch.observe(box);
    if (top) watch.observe(top);
  }

  G.tool({id: "layout", init: function (P) {
    var map = P.map, box = map.getContainer();
    P.sheets = [];
    var layers = box.querySelector(".geo-layers"), legend = box.querySelector(".geo-legend");
    var out = {sheets: P.sheets, phone: phone};
    if (layers) out.layers = sheet(P, layers, {id: "layers", label: t("layers"), heading: t("layers")});
    if (legend) {
      out.legend = sheet(P, legend, {id: "legend", label: t("legend")});
      // the title's subtitle gives way on a phone; the legend sheet says it instead
      if (P.data.subtitle) {
        var sub = bi(G.pair(P.data.subtitle, P.data.subtitle_zh), "p", "geo-legend-sub geo-phone-only");
        legend.insertBefore(sub, legend.querySelector("h2").nextSibling);
      }
    }
    map.on("geopanel", function (e) { P.sheets.forEach(function (s) { if (s.id !== e.id) shut(P, s, false); }); });
    L.DomEvent.on(document, "keydown", function (e) {
      if (e.key !== "Escape") return;
      P.sheets.forEach(function (s) { shut(P, s, s.box.contains(document.activeElement)); });
    });
    map.on("click", function () { P.sheets.forEach(function (s) { shut(P, s, false); }); });
    fitPopups(map);
    follow(P, legend);
    return out;
  }});

  G.layout = {phone: phone, PHONE: PHONE, closeButton: closeButton};
})(window.GeoMap);
