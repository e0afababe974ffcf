/* pointrows.js: a page's point table (geo/pointtable.py) kept as columns; a row's feature object
 * made the first time it is read.
 *
 * A layer of 100,000 sites is 100,000 rows: an object made for each as the page opened cost more
 * than drawing them. The table keeps each row's position (lat[], lon[]: Float64Array, degrees)
 * and, per column, its distinct values and a code a row; the drawing reads those (overlays.js,
 * pointcloud.js). doc.features still lists every feature, the rows after the others (list()):
 * a row's feature is made when first read (a tooltip, a popup, a search, the table, a link) and
 * is the same object each time after, with what every feature carries: every column's value
 * (absent when null), roles, context, within, label, g, and ll (its [lat, lon]) and llc (null).
 */
(function (G) {
  "use strict";

  // t: the table's part of the page document; section(name): a binary section (Uint8Array);
  // ints(u8, signed): its varints; q: the grid step (degrees).
  function table(t, section, ints, q) {
    var n = t.n, names = Object.keys(t.columns);
    var cols = names.map(function (c) { return column(t.columns[c]); }), byName = {};
    names.forEach(function (c, k) { byName[c] = cols[k]; });
    // a column: {get(k): row k's value; codes(): a code per row (rows of one code share their
    // value, the same object), or null when each row has its own; size: how many codes}. What is
    // not needed to draw (a text, a description) is decoded when first asked for.
    function column(spec) {
      var code = null, text = null, at = null;
      if (spec.values) return {get: function (k) { return spec.values[k]; }, codes: function () { return null; }, size: n};
      if (spec.text != null) {  // the rows' texts joined (UTF-8): each cut at its length (UTF-16 code units)
        var get = function (k) {
          if (!text) {
            var len = ints(section(spec.lengths), false);
            text = new TextDecoder().decode(section(spec.text));
            at = new Float64Array(n + 1);
            for (var i = 0; i < n; i++) at[i + 1] = at[i] + len[i];
          }
          return text.substring(at[k], at[k + 1]);
        };
        return {get: get, codes: function () { return null; }, size: n};
      }
      var dict = spec.dict, codes = function () { return code || (code = ints(section(spec.index), false)); };
      return {get: function (k) { return dict[codes()[k]]; }, codes: codes, size: dict.length};
    }
    var roles = column(t.roles), within = t.within ? column(t.within) : null, ctx = section(t.context);
    var d = ints(section("pt_xy"), true), lat = new Float64Array(n), lon = new Float64Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i++) { x += d[2 * i]; y += d[2 * i + 1]; lon[i] = x * q; lat[i] = y * q; }
    var rowOf = null, grouped = {}, made = 0;

    function context(k) { return ((ctx[k >> 3] >> (7 - (k & 7))) & 1) === 1; }

    function feature(k) {
      var f = {};
      made++;
      for (var c = 0; c < names.length; c++) {
        var v = cols[c].get(k);
        if (v != null) f[names[c]] = v;
      }
      f.roles = roles.get(k);
      f.context = context(k);
      if (within && within.get(k).length) f.within = within.get(k);
      var ll = [lat[k], lon[k]];
      f.label = ll;
      f.g = {t: "Point"};
      Object.defineProperty(f.g, "a", {value: ll});
      f.ll = ll;  // as geometry.prepareFeature gives a point
      f.llc = null;
      return f;
    }

    return {
      n: n, lat: lat, lon: lon, roles: roles, context: context, feature: feature,
      made: function () { return made; },  // how many rows' features have been made
      // column `name` (see column()), or null when no row has a value in it
      column: function (name) { return byName[name] || null; },
      // what drawing reads of row k, without making its feature: {roles, g: {t: "Point"}} and
      // its values in columns `names` (absent when null)
      like: function (k, names) {
        var f = {roles: roles.get(k), g: {t: "Point"}};
        names.forEach(function (c) {
          var v = byName[c] ? byName[c].get(k) : null;
          if (v != null) f[c] = v;
        });
        return f;
      },
      // the rows grouped by their values in columns `names` ("roles": the role list): {first:
      // the first row of each group, of: Int32Array, each row's group}; a column with no values
      // puts every row in one group
      groups: function (names) {
        var memo = names.join("\n");
        if (grouped[memo]) return grouped[memo];
        var cs = names.map(function (c) { return c === "roles" ? roles : byName[c] || null; });
        cs = cs.filter(function (c) { return c; });
        var key = new Float64Array(n), first = [], of = new Int32Array(n), space = 1, k, g;
        cs.forEach(function (c) {  // a row's key: its codes, one column after another
          var code = c.codes(), size = c.size;
          for (var i = 0; i < n; i++) key[i] = key[i] * size + (code ? code[i] : i);
          space *= size;
        });
        // its group: found in a table where the keys are few, else in a Map
        var table = space <= 1 << 20 ? new Int32Array(space).fill(-1) : null, ids = table ? null : new Map();
        for (k = 0; k < n; k++) {
          g = table ? table[key[k]] : ids.get(key[k]);
          if (g === undefined || g < 0) {
            g = first.length;
            first.push(k);
            if (table) table[key[k]] = g; else ids.set(key[k], g);
          }
          of[k] = g;
        }
        return (grouped[memo] = {first: first, of: of});
      },
      // the row of feature id `id`, or -1
      find: function (id) {
        if (!rowOf) {
          rowOf = new Map();
          for (var k = 0; k < n; k++) rowOf.set(byName.id.get(k), k);
        }
        var r = rowOf.get(id);
        return r == null ? -1 : r;
      }
    };
  }

  // Every feature of the page: `shapes` (the features that are not rows), then the rows of
  // table R, each made when first read. An Array (a Proxy of one): forEach, filter, find, map,
  // length and [i] work as on any.
  function list(shapes, R) {
    var base = shapes.length, n = base + R.n, made = shapes.slice();
    made.length = n;
    function row(k) {  // a property name -> the index of a row's feature, or -1
      if (typeof k !== "string") return -1;
      var i = +k;
      return i >= base && i < n && String(i) === k ? i : -1;
    }
    function get(t, i) { return t[i] || (t[i] = R.feature(i - base)); }
    return new Proxy(made, {
      get: function (t, k, receiver) {
        var i = row(k);
        return i >= 0 ? get(t, i) : Reflect.get(t, k, receiver);
      },
      has: function (t, k) { return row(k) >= 0 || Reflect.has(t, k); },
      getOwnPropertyDescriptor: function (t, k) {
        var i = row(k);
        if (i >= 0) get(t, i);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
      ownKeys: function (t) {
        for (var i = base; i < n; i++) get(t, i);
        return Reflect.ownKeys(t);
      }
    });
  }

  G.pointrows = {table: table, list: list};
})(window.GeoMap);
