/* language.js: the page in English, in Chinese, or both, chosen in the page (a labelled select
 * on the toolbar; a link's lang= is read by permalink.js). Switching redraws nothing (i18n.js);
 * this module keeps what CSS cannot switch in the chosen language: the document's title and the
 * titles of Leaflet's zoom buttons.
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair;
  // Each choice is named in its own language (as language menus are), so a reader who cannot
  // read the language shown still finds theirs: these names are not translated.
  var CHOICES = [["both", "English + 中文", "en"], ["en", "English", "en"], ["zh", "中文", "zh-Hans"]];

  // The zoom buttons' names in the language shown (again whenever Leaflet makes them anew, as
  // it does when layout.js moves them on a phone).
  function labelZoom(map) {
    [[".leaflet-control-zoom-in", t("zoom_in")], [".leaflet-control-zoom-out", t("zoom_out")]].forEach(function (z) {
      var b = map.getContainer().querySelector(z[0]);
      if (b) { G.biAttr(b, "title", z[1]); G.biAttr(b, "aria-label", z[1]); }
    });
  }
  G.language = {labelZoom: labelZoom};

  G.tool({id: "language", init: function (P) {
    var box = el("div", "geo-lang");
    var label = bi(t("lang_label"), "label", "geo-sr-only");
    var select = el("select", "geo-lang-select");
    select.id = label.htmlFor = "geo-lang-select";
    CHOICES.forEach(function (c) {
      var o = el("option", null, c[1]);
      o.value = c[0]; o.lang = c[2];
      select.appendChild(o);
    });
    box.appendChild(label); box.appendChild(select);
    G.toolbar.box(P).appendChild(box);
    L.DomEvent.on(select, "change", function () { G.i18n.setLang(select.value); });

    var title = pair(P.data.title, P.data.title_zh);
    labelZoom(P.map);
    function follow(lang) {
      select.value = lang;
      document.title = G.i18n.pick(title, " ");
    }
    G.i18n.onChange(follow);
    follow(G.i18n.lang());
    return {select: select};
  }});
})(window.GeoMap);
