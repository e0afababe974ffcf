/* toolbar.js: the page's tools (search, table, print, link, language ...) and their buttons.
 * On a phone the buttons are one row that scrolls, its ends faded where more buttons lie.
 *
 * A tool is a module that registers itself with G.tool({id, init(P), prepare(P)}); page.js starts
 * every registered tool, in module order, once the map and its controls are drawn (init), and
 * lets a tool set up the page state before anything is drawn (prepare, optional). A tool adds its
 * button with G.toolbar.button(P, {id, label, title, onClick}) (label, title: {en, zh} pairs),
 * so tools need not know about one another nor edit page.js.
 */
(function (G) {
  "use strict";
  var tools = [];

  G.tool = function (spec) { tools.push(spec); };

  var Bar = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var box = G.el("div", "geo-toolbar leaflet-bar");
      box.setAttribute("role", "toolbar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      showMore(box);
      return box;
    }
  });

  // A row of tools wider than the screen (a phone's, css/layout.css) scrolls sideways: its ends
  // fade where more tools lie beyond them (classes geo-more-left, geo-more-right), so a person
  // sees there is more than the buttons in view. Read after layout (ResizeObserver) and on scroll.
  function showMore(box) {
    function look() {
      var rest = box.scrollWidth - box.clientWidth - box.scrollLeft;
      box.classList.toggle("geo-more-left", box.scrollLeft > 1);
      box.classList.toggle("geo-more-right", rest > 1);
    }
    L.DomEvent.on(box, "scroll", look);
    if (window.ResizeObserver) new ResizeObserver(look).observe(box);
  }

  G.toolbar = {
    // The toolbar of page P (made on first use).
    box: function (P) {
      if (!P.toolbar) P.toolbar = new Bar().addTo(P.map).getContainer();
      return P.toolbar;
    },
    // A labelled button on the toolbar; returns it.
    button: function (P, spec) {
      var b = G.bi(spec.label, "button", "geo-tool geo-tool-" + spec.id);
      b.type = "button";
      if (spec.title) G.biAttr(b, "title", spec.title);
      b.setAttribute("data-tool", spec.id);
      if (spec.onClick) L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); spec.onClick(e); });
      G.toolbar.box(P).appendChild(b);
      return b;
    },
    // Let every registered tool set up page P before it is drawn.
    prepare: function (P) {
      tools.forEach(function (t) { if (t.prepare) t.prepare(P); });
    },
    // Start every registered tool on page P.
    start: function (P) {
      tools.forEach(function (t) { P.tools[t.id] = t.init(P) || {}; });
    }
  };
})(window.GeoMap);
