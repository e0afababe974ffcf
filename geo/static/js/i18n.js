/* i18n.js: the page in English, in Chinese, or both (the default).
 *
 * Every interface string comes from one catalogue (geo/strings.toml, embedded as
 * data.strings): t(key, vars) gives its {en, zh} pair. Text is put in the page in both
 * languages at once, each in a span of its own (class geo-en / geo-zh, with its lang
 * attribute); <html data-lang="en|zh|both"> and css/base.css show the chosen one(s), so
 * switching language redraws nothing. A text known in one language only is always shown.
 */
(function (G) {
  "use strict";
  var LANGS = ["both", "en", "zh"];
  var strings = {}, current = "both";

  function fill(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return vars && vars[k] != null ? String(vars[k]) : m;
    });
  }

  // The {en, zh} pair of catalogue entry `key`, with {name} placeholders filled from vars
  // (a var may itself be a pair: each language takes its own side).
  function t(key, vars) {
    var s = strings[key];
    if (!s) { if (window.console) console.warn("geo: no string " + key); s = {en: key, zh: key}; }
    var en = {}, zh = {};
    Object.keys(vars || {}).forEach(function (k) {
      var v = vars[k];
      en[k] = v != null && typeof v === "object" ? v.en : v;
      zh[k] = v != null && typeof v === "object" ? v.zh : v;
    });
    return {en: fill(s.en, en), zh: fill(s.zh, zh)};
  }

  function pair(en, zh) { return {en: en == null ? "" : String(en), zh: zh == null ? "" : String(zh)}; }

  // Join pairs (or plain strings, the same in both languages) side by side, language by language.
  function join(items, sepEn, sepZh) {
    var en = [], zh = [];
    items.forEach(function (p) {
      if (typeof p === "string") p = pair(p, p);
      en.push(p.en || p.zh); zh.push(p.zh || p.en);
    });
    return pair(en.join(sepEn), zh.join(sepZh == null ? sepEn : sepZh));
  }

  // An element holding a pair: <tag class=cls><span class=geo-en lang=en>…</span>
  // <span class=geo-sep> </span><span class=geo-zh lang=zh-Hans>…</span></tag>.
  // opts.block: each language on its own line; opts.paren: "English (中文)" when both show.
  function bi(p, tag, cls, opts) {
    opts = opts || {};
    var box = G.el(tag || "span", cls);
    var en = p.en, zh = p.zh;
    if (!en || !zh || en === zh) {  // one language only: shown whatever the choice
      box.textContent = en || zh;
      if (en && !zh) box.lang = "en";
      return box;
    }
    var e = G.el("span", "geo-en" + (opts.block ? " geo-block" : ""), en); e.lang = "en";
    var z = G.el("span", "geo-zh" + (opts.block ? " geo-block" : ""), zh); z.lang = "zh-Hans";
    box.appendChild(e);
    if (!opts.block) box.appendChild(G.el("span", "geo-sep", opts.paren ? " (" : " "));
    box.appendChild(z);
    if (opts.paren) box.appendChild(G.el("span", "geo-sep", ")"));
    return box;
  }

  // The same, as markup (for Leaflet's layer control, which takes HTML): every text escaped.
  function biHTML(p, paren) {
    var esc = G.esc;
    if (!p.en || !p.zh || p.en === p.zh) return esc(p.en || p.zh);
    return "<span class='geo-en' lang='en'>" + esc(p.en) + "</span><span class='geo-sep'>" +
      (paren ? " (" : " ") + "</span><span class='geo-zh' lang='zh-Hans'>" + esc(p.zh) + "</span>" +
      (paren ? "<span class='geo-sep'>)</span>" : "");
  }

  // The text of a pair in the language shown: one side, or "English<sep>中文" when both show.
  function pick(p, sep) {
    if (current === "en" || !p.zh) return p.en || p.zh;
    if (current === "zh" || !p.en || p.en === p.zh) return p.zh;
    return p.en + (sep == null ? " · " : sep) + p.zh;
  }

  // An attribute (title, placeholder, aria-label) in the language shown, kept so on every switch.
  function attr(e, name, p) {
    (e.geoAttrs || (e.geoAttrs = {}))[name] = p;
    e.classList.add("geo-biattr");
    e.setAttribute(name, pick(p));
    return e;
  }

  var listeners = [];
  function setLang(lang) {
    if (LANGS.indexOf(lang) < 0) return false;
    current = lang;
    var root = document.documentElement;
    root.setAttribute("data-lang", lang);
    root.lang = lang === "zh" ? "zh-Hans" : "en";
    Array.prototype.forEach.call(document.querySelectorAll(".geo-biattr"), function (e) {
      Object.keys(e.geoAttrs || {}).forEach(function (n) { e.setAttribute(n, pick(e.geoAttrs[n])); });
    });
    listeners.forEach(function (fn) { fn(lang); });
    return true;
  }

  G.i18n = {
    LANGS: LANGS,
    init: function (catalogue) { strings = catalogue || {}; },
    lang: function () { return current; },
    setLang: setLang,
    onChange: function (fn) { listeners.push(fn); },  // fn(lang) after every switch
    pick: pick,
    has: function (key) { return Object.prototype.hasOwnProperty.call(strings, key); }
  };
  G.biAttr = attr;
  G.t = t;
  G.pair = pair;
  G.join = join;
  G.bi = bi;
  G.biHTML = biHTML;
})(window.GeoMap);
