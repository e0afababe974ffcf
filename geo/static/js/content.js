/* content.js: what a tooltip and a popup say about a feature, made when first shown.
 *
 * Built with textContent only (via G.el / G.bi): a name holding markup stays text. Only the
 * roles and outlines that hold on the page's date are named (G.dates), each with its dates.
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair, join = G.join;

  G.content = function (P) {
    var roles = P.roles, parts = P.parts, sources = P.sources;

    function name(f) { return pair(f.name_en, f.name_zh); }

    // "Role: part" for each role the feature takes on this page, in both languages.
    function roleLine(f) {
      return join(G.dates.roles(P, f).map(function (r) {
        var role = roles[r.role] || {name_en: r.role, name_zh: r.role};
        var part = parts[r.part] || {en: r.part, zh: r.part};
        return t("role_part", {role: pair(role.name_en, role.name_zh), part: pair(part.en, part.zh)});
      }), " · ");
    }

    // the containers (Changchun's outline, a plate ...) the feature lies within on the page's date
    function containers(f) {
      return (f.within || []).map(function (id) { return P.feature(id); })
        .filter(function (c) { return c && G.dates.holds(P, c) && G.dates.roles(P, c).length; });
    }

    function within(f, tag, cls) {
      return containers(f).map(function (c) { return bi(t("within", {name: name(c), roles: roleLine(c)}), tag, cls); });
    }

    function tooltip(f) {
      var box = el("div", "geo-tip");
      box.appendChild(bi(name(f), "div", "geo-tip-name", {block: true}));
      if (G.dates.roles(P, f).length) box.appendChild(bi(roleLine(f), "div", "geo-tip-roles"));
      within(f, "div", "geo-tip-within").forEach(function (e) { box.appendChild(e); });
      if (f.basis === "schematic") box.appendChild(bi(t("tip_schematic"), "div", "geo-tip-caveat"));
      return box;
    }

    // Text the data holds in English only (source titles and quotes, descriptions, where an
    // area or a position comes from) is content, not interface: every language shows it, marked
    // lang="en".
    function english(text) { return pair(text, ""); }

    // A kind ("county-level city") in the catalogue's words, or as the data has it.
    function kind(k) {
      var key = "kind_" + k.replace(/[^a-z0-9]+/g, "_");
      return G.i18n.has(key) ? t(key) : english(k);
    }

    // The citation of a source: its title (in English, as the data has it) and where in it,
    // "(seed 002, paragraph 5)" in the language shown.
    function cite(s, tag, cls) {
      var box = el(tag || "cite", cls);
      box.appendChild(bi(english(s.title)));
      box.appendChild(document.createTextNode(" ("));
      box.appendChild(bi(s.kind === "seed" ? t("source_seed", {seed: s.seed, para: s.para}) : english(s.reference)));
      box.appendChild(document.createTextNode(")"));
      return box;
    }

    function sourceQuote(s) {
      var q = el("blockquote", "geo-source");
      if (s.quote) {  // a quote within the quote takes single marks: “‘Two wings’ refer to ...”
        var quote = el("span", "geo-quote", "“" + s.quote.replace(/“/g, "‘").replace(/”/g, "’") + "”");
        quote.lang = "en";
        q.appendChild(quote);
      }
      q.appendChild(cite(s));
      return q;
    }

    // Each role: its swatch, name, part, since when (and until when), and its source passage
    // (unless `quoted`, the sources quoted already in the same popup, has it: each passage once).
    function roleList(entries, quoted) {
      quoted = quoted || {};
      var ul = el("ul", "geo-roles");
      entries.forEach(function (r) {
        var role = roles[r.role] || {name_en: r.role, name_zh: "", colour: "#777"};
        var part = parts[r.part] || {en: r.part, zh: ""};
        var li = el("li");
        var sw = el("span", "geo-swatch");
        sw.style.background = role.colour;
        li.appendChild(sw);
        li.appendChild(bi(pair(role.name_en, role.name_zh), "b"));
        li.appendChild(document.createTextNode(" — "));
        li.appendChild(bi(pair(part.en, part.zh)));
        if (r.since) li.appendChild(bi(t(r.until ? "role_from_until" : "role_since", {since: r.since, until: r.until}),
                                       "span", "geo-role-dates"));
        if (sources[r.source] && !quoted[r.source]) li.appendChild(sourceQuote(sources[r.source]));
        quoted[r.source] = true;
        ul.appendChild(li);
      });
      return ul;
    }

    function popup(f) {
      var box = el("div", "geo-popup");
      box.appendChild(bi(name(f), "h3", null, {block: true}));
      if (f.kind) box.appendChild(bi(kind(f.kind), "div", "geo-kind"));
      var mine = G.dates.roles(P, f), said = {}, quoted = {};
      var key = function (r) { return r.role + " " + r.source; };
      if (mine.length) box.appendChild(roleList(mine, quoted));
      mine.forEach(function (r) { said[key(r)] = true; });
      containers(f).forEach(function (c) {  // and the roles of what it lies within, with their sources
        box.appendChild(bi(t("within", {name: name(c), roles: roleLine(c)}), "p", "geo-within"));
        // a role the place holds from the same passage is not listed again (the line above names it)
        var more = G.dates.roles(P, c).filter(function (r) { return !said[key(r)]; });
        more.forEach(function (r) { said[key(r)] = true; });
        if (more.length) box.appendChild(roleList(more, quoted));
      });
      if (f.description) { var d = el("p", "geo-desc", f.description); d.lang = "en"; box.appendChild(d); }
      var facts = el("dl", "geo-facts");
      function fact(key, value) {
        if (value == null || value === "") return;
        facts.appendChild(bi(t(key), "dt"));
        facts.appendChild(typeof value === "string" ? el("dd", null, value) : bi(value, "dd"));
      }
      if (f.area_km2) fact("fact_area_computed", f.area_km2.toLocaleString("en", {maximumFractionDigits: 1}) + " km²");
      if (f.area_published_km2) {
        var pub = f.area_published_km2.toLocaleString("en") + " km²";
        fact("fact_area_published", f.area_source ? english(pub + " — " + f.area_source) : pub);
      }
      var basis = G.i18n.has("basis_" + f.basis) ? t("basis_" + f.basis) : pair(f.basis, f.basis);
      fact("fact_geometry", basis);
      if (f.geometry_source) facts.lastChild.appendChild(bi(english(" — " + f.geometry_source)));
      if (f.position_source) fact("fact_position", english(f.position_source));
      if (f.since || f.until) {
        var span = t(f.since && f.until ? "boundary_from_until" : (f.since ? "boundary_since" : "boundary_until"),
                     {since: f.since, until: f.until});
        fact("fact_in_force", span);
        var why = sources[f.dates_source];
        if (why) facts.lastChild.appendChild(bi(english(" — " + why.title)));
      }
      fact("fact_id", f.id);
      facts.lastChild.className = "geo-id";  // an identifier, in no language
      facts.lastChild.translate = false;
      box.appendChild(facts);
      if (f.basis === "schematic") {
        var caveat = [t("caveat_schematic")];
        if (f.position_error_m) caveat.push(t("caveat_position_error", {km: f.position_error_m / 1000}));
        if (f.schematic_area_km2) caveat.push(t(f.derive === "grow" ? "caveat_grown" : "caveat_circle"));
        box.appendChild(bi(join(caveat, " ", ""), "p", "geo-caveat"));
      } else if (f.basis === "derived") {
        box.appendChild(bi(t("note_derived"), "p", "geo-note"));
      }
      return box;
    }

    return {tooltip: tooltip, popup: popup, roleLine: roleLine, kind: kind, cite: cite};
  };
})(window.GeoMap);
