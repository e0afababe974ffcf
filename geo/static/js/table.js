/* table.js: the role × place table, made in the page from its own data.
 *
 * A row for each place on the page that takes one of the page's roles, and for every feature
 * of a layer marked "place_table" in layers.toml (the county-level units, role or not); a column for
 * each page role (the place's part in it), its computed equal-area area and its published area.
 * Sort by any column, filter by role; a row zooms the map to its place; "Download CSV" saves
 * what the table shows, UTF-8 with a byte-order mark so Excel reads the Chinese. On the timeline
 * page the table is of the date shown (G.dates): its places, parts and roles then.
 */
(function (G) {
  "use strict";
  var el = G.el, bi = G.bi, t = G.t, pair = G.pair;

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) parent.appendChild(arguments[i]);
    return parent;
  }

  function button(label, cls) {
    var b = bi(label, "button", cls);
    b.type = "button";
    return b;
  }

  // A pair as plain text in the page's language ("both": English, then Chinese).
  function text(p) {
    var lang = G.i18n.lang();
    if (!p.en || !p.zh || p.en === p.zh) return p.en || p.zh || "";
    return lang === "en" ? p.en : lang === "zh" ? p.zh : p.en + " " + p.zh;
  }

  // The rows: {f, parts: role id -> pair of the part(s) the place takes in it}.
  function rows(P) {
    var listed = {};
    P.data.layers.forEach(function (l) { if (l.place_table) listed[l.id] = true; });
    return P.data.features.filter(function (f) {
      return G.dates.holds(P, f) && (G.dates.roles(P, f).length || listed[f.layer]);
    }).map(function (f) {
      var parts = {};
      G.dates.roles(P, f).forEach(function (r) {
        var p = P.parts[r.part] || {en: r.part, zh: r.part};
        (parts[r.role] = parts[r.role] || []).push(pair(p.en, p.zh));
      });
      Object.keys(parts).forEach(function (k) { parts[k] = G.join(parts[k], ", ", "、"); });
      return {f: f, parts: parts};
    });
  }

  // The page's roles with a column: all of them; on the timeline page, those of the date shown.
  function tableRoles(P, all) {
    if (!P.at) return P.data.page_roles;
    var used = {};
    all.forEach(function (r) { Object.keys(r.parts).forEach(function (k) { used[k] = true; }); });
    return P.data.page_roles.filter(function (rid) { return used[rid]; });
  }

  // The columns: id, label, the value a row sorts by, and (when not that text) its cell.
  function columns(P, roleIds) {
    var layer = function (f) { var l = P.layersById[f.layer] || {}; return pair(l.title_en || f.layer, l.title_zh); };
    var num = function (v) { return v == null ? "" : v.toLocaleString("en", {maximumFractionDigits: 1}); };
    var name = function (r) { return pair(r.f.name_en, r.f.name_zh); };
    var cols = [
      {id: "place", label: t("col_place"), key: function (r) { return text(name(r)); },
       cell: function (r) { return button(name(r), "geo-table-go"); }},
      {id: "id", label: t("fact_id"), key: function (r) { return r.f.id; }},
      {id: "layer", label: t("col_layer"), key: function (r) { return text(layer(r.f)); },
       cell: function (r) { return bi(layer(r.f)); }}
    ];
    roleIds.forEach(function (rid) {
      var none = pair("", "");
      cols.push({id: "role-" + rid, role: rid, label: pair(P.roles[rid].name_en, P.roles[rid].name_zh),
                 key: function (r) { return text(r.parts[rid] || none); },
                 cell: function (r) { return bi(r.parts[rid] || none); }});
    });
    [["area", "col_area_computed", "area_km2"], ["published", "col_area_published", "area_published_km2"]]
      .forEach(function (c) {
        cols.push({id: c[0], label: t(c[1]), numeric: true, key: function (r) { return r.f[c[2]]; },
                   cell: function (r) { return document.createTextNode(num(r.f[c[2]])); }});
      });
    return cols;
  }

  // Rows sorted by column c (dir 1 or -1); empty cells last whatever the direction.
  function sorted(list, c, dir) {
    var coll = new Intl.Collator(G.i18n.lang() === "zh" ? "zh" : "en", {numeric: true});
    return list.map(function (r, i) { return {r: r, i: i, k: c.key(r)}; }).sort(function (a, b) {
      var ea = a.k == null || a.k === "", eb = b.k == null || b.k === "";
      if (ea || eb) return ea === eb ? a.i - b.i : (ea ? 1 : -1);
      var d = c.numeric ? a.k - b.k : coll.compare(String(a.k), String(b.k));
      return d ? d * dir : a.i - b.i;
    }).map(function (x) { return x.r; });
  }

  // One CSV field: quoted when it must be (RFC 4180); a text starting like a formula is
  // prefixed with ' so a spreadsheet shows it instead of running it.
  function field(v) {
    if (v == null) return "";
    if (typeof v === "number") return String(v);
    var s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  // The CSV of rows `shown`: id, both names and the layer, then the table's other columns.
  function csv(P, cols, shown) {
    var rest = cols.slice(3);
    var head = [t("fact_id"), t("col_name_en"), t("col_name_zh"), t("col_layer")].concat(rest.map(function (c) {
      return c.label;
    })).map(text);
    return "\uFEFF" + [head].concat(shown.map(function (r) {
      return [r.f.id, r.f.name_en, r.f.name_zh, cols[2].key(r)].concat(rest.map(function (c) { return c.key(r); }));
    })).map(function (line) { return line.map(field).join(","); }).join("\r\n") + "\r\n";
  }

  function download(name, content) {
    var a = el("a"), url = URL.createObjectURL(new Blob([content], {type: "text/csv;charset=utf-8"}));
    a.href = url; a.download = name; a.style.display = "none";
    document.body.appendChild(a).click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  // Zoom the map to feature f, in the datum drawn now, clear of the panel (and, on a phone, of the
  // tools above); open its tooltip.
  function zoomTo(P, f, panel) {
    var map = P.map, pts = [], below = panel.offsetHeight + 20, above = G.controls.topColumn(map) + 20;
    (function flat(c) { if (typeof c[0] === "number") pts.push(c); else c.forEach(flat); })(G.shapes.project(P, f.ll));
    if (pts.length === 1) {
      map.setView(pts[0], Math.max(map.getZoom(), 11), {animate: false});
      map.panBy([0, (below - above) / 2], {animate: false});
    } else {
      map.fitBounds(L.latLngBounds(pts), {paddingTopLeft: [20, above], paddingBottomRight: [20, below],
                                          maxZoom: 12, animate: false});
    }
    if (P.tableTip) P.tableTip.closeTooltip();
    var shape = P.drawn.filter(function (s) { return s.feature === f && s.layer.getTooltip(); })[0];
    P.tableTip = shape && f.label ? shape.layer.openTooltip(G.shapes.project(P, f.label)) : null;
  }

  // The panel, made when first opened (a page opens no slower for having a table).
  function make(P, tool) {
    var all = rows(P), roleIds = tableRoles(P, all), cols = columns(P, roleIds), state = {col: null, dir: 1, role: ""};
    var shown = all;
    var panel = el("section", "geo-table-panel"), title = bi(t("table_title"), "h2");
    panel.id = "geo-table"; title.id = "geo-table-title";
    panel.hidden = true;
    panel.setAttribute("aria-labelledby", title.id);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    var filter = el("select", "geo-table-filter"), flabel = bi(t("table_show"), "label");
    filter.id = flabel.htmlFor = "geo-table-filter";
    // an option holds text only: its words are set in the page's language as the panel opens
    var options = [["", t("table_all")]].concat(roleIds.map(function (rid) {
      return [rid, pair(P.roles[rid].name_en, P.roles[rid].name_zh)];
    }));
    options.forEach(function (o) { filter.appendChild(new Option("", o[0])); });
    var count = el("span", "geo-table-count"), csvButton = button(t("table_csv"), "geo-tool geo-table-csv");
    count.setAttribute("aria-live", "polite");
    var close = G.layout.closeButton("geo-table-close");
    add(panel, add(el("div", "geo-table-head"), title, add(el("div", "geo-table-tools"), flabel, filter, count,
                                                              csvButton), close),
        bi(t("table_go"), "p", "geo-table-hint"));
    var hrow = el("tr"), tbody = el("tbody");
    cols.forEach(function (c) {
      var th = el("th", "geo-col-" + c.id + (c.numeric ? " geo-num" : "")), b = el("button", "geo-table-sort");
      th.scope = "col"; b.type = "button";
      if (c.role) add(b, el("span", "geo-swatch")).lastChild.style.background = P.roles[c.role].colour;
      add(hrow, add(th, add(b, bi(c.label))));
      L.DomEvent.on(b, "click", function () {
        state.dir = state.col === c ? -state.dir : 1;
        state.col = c;
        fill();
      });
    });
    add(panel, add(el("div", "geo-table-wrap"), add(el("table", "geo-table"), add(el("thead"), hrow), tbody)));
    P.map.getContainer().appendChild(panel);

    function fill() {
      shown = all.filter(function (r) { return !state.role || r.parts[state.role]; });
      if (state.col) shown = sorted(shown, state.col, state.dir);
      hrow.querySelectorAll("th").forEach(function (th, k) {
        if (cols[k] === state.col) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      tbody.textContent = "";
      shown.forEach(function (r) {
        var tr = add(tbody, el("tr")).lastChild;
        tr.setAttribute("data-id", r.f.id);
        cols.forEach(function (c, k) {
          var td = add(tr, el(k ? "td" : "th", "geo-col-" + c.id + (c.numeric ? " geo-num" : ""))).lastChild;
          if (!k) td.scope = "row";
          td.appendChild(c.cell ? c.cell(r) : document.createTextNode(c.key(r)));
        });
        L.DomEvent.on(tr, "click", function () {
          tbody.querySelectorAll(".geo-row-on").forEach(function (x) { x.classList.remove("geo-row-on"); });
          tr.classList.add("geo-row-on");
          zoomTo(P, r.f, panel);
        });
      });
      count.textContent = "";
      count.appendChild(bi(t("table_count", {n: shown.length})));
    }

    function show(on) {
      panel.hidden = !on;
      tool.setAttribute("aria-expanded", String(on));
      if (!on) return tool.focus();
      P.map.fire("geopanel", {id: "table"});
      refresh();
      close.focus();
    }

    function refresh() {
      options.forEach(function (o, k) { filter.options[k].textContent = text(o[1]); });
      fill();
    }

    tool.setAttribute("aria-controls", panel.id);
    L.DomEvent.on(close, "click", function () { show(false); });
    P.map.on("geopanel", function (e) {  // a phone's sheet opens: the table gives way
      if (e.id === "table") return;
      panel.hidden = true;
      tool.setAttribute("aria-expanded", "false");
    });
    L.DomEvent.on(filter, "change", function () { state.role = filter.value; fill(); });
    L.DomEvent.on(panel, "keydown", function (e) { if (e.key === "Escape") show(false); });
    L.DomEvent.on(csvButton, "click", function () {
      var page = (location.pathname.split("/").pop() || "map").replace(/\.html?$/i, "");
      download(page + "-table" + (state.role ? "-" + state.role : "") + ".csv", csv(P, cols, shown));
    });
    return {panel: panel, show: show, refresh: refresh};
  }

  G.tool({id: "table", init: function (P) {
    var ui = null, tool = G.toolbar.button(P, {id: "table", label: t("table"), onClick: function () {
      ui = ui || make(P, tool);
      ui.show(ui.panel.hidden);
    }});
    tool.setAttribute("aria-expanded", "false");
    // a new date (the timeline page): the table is made again for it, and stays open if it was
    P.map.on("geodate", function () {
      if (!ui) return;
      var open = !ui.panel.hidden;
      ui.panel.remove();
      ui = make(P, tool);
      if (open) { ui.panel.hidden = false; tool.setAttribute("aria-expanded", "true"); ui.refresh(); }
    });
    return {button: tool};
  }});

  G.table = {field: field, text: text};
})(window.GeoMap);
