"""The in-page modules (geo/static/js), each tested on its own in headless Chromium.

A blank page gets only the modules a test needs (and Leaflet where they need it); the
functions are called with known inputs and their results compared with Python's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_util import VIEWPORT

from geo.assets import CSS_MODULES, JS_MODULES, STATIC
from geo.datum import wgs84_to_gcj02

pytestmark = pytest.mark.browser


def _module(name: str) -> str:
    return (STATIC / "js" / f"{name}.js").read_text(encoding="utf-8")


@pytest.fixture
def blank(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.route("**/*", lambda r: r.abort())
    page.set_content("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body></body></html>")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def load(*names, leaflet=False):
        if leaflet:
            import xstatic.pkg.leaflet as xl

            page.add_script_tag(content=Path(xl.BASE_DIR, "leaflet.js").read_text(encoding="utf-8"))
        for n in names:
            page.add_script_tag(content=_module(n))
        assert not errors, errors
        return page

    yield load
    context.close()
    assert not errors, errors


def test_manifest_lists_every_module_once():
    on_disk = {p.stem for p in (STATIC / "js").glob("*.js")}
    assert on_disk, "no modules found"
    assert sorted(JS_MODULES) == sorted(on_disk)
    assert len(set(JS_MODULES)) == len(JS_MODULES)
    assert JS_MODULES[0] == "core" and JS_MODULES[-1] == "page"


def test_css_manifest_lists_every_stylesheet_once():
    on_disk = {p.stem for p in (STATIC / "css").glob("*.css")}
    assert on_disk and sorted(CSS_MODULES) == sorted(on_disk)


def test_toolbar_starts_registered_tools(blank):
    page = blank("core", "i18n", "toolbar", leaflet=True)
    out = page.evaluate("""() => {
        document.body.innerHTML = '<div id="m" style="width:400px;height:300px"></div>';
        const map = L.map('m').setView([44, 125], 8), P = {map: map, tools: {}}, clicks = [];
        GeoMap.tool({id: 'demo', init: (P) => {
            const b = GeoMap.toolbar.button(P, {id: 'demo', label: GeoMap.pair('Table', '表'),
                                                 onClick: () => clicks.push(1)});
            return {button: b};
        }});
        GeoMap.toolbar.start(P);
        P.tools.demo.button.click();
        const b = document.querySelector('.geo-toolbar button.geo-tool-demo');
        return [b.type, b.textContent, clicks.length, b.parentNode.getAttribute('role')];
    }""")
    assert out == ["button", "Table 表", 1, "toolbar"]


def test_modules_stay_small():
    for name in JS_MODULES:
        lines = _module(name).count("\n")
        assert lines <= 300, f"geo/static/js/{name}.js has {lines} lines: split it by concern"


def test_core_el_keeps_markup_as_text(blank):
    page = blank("core")
    out = page.evaluate("""() => { const e = GeoMap.el('b', 'x', '<img src=x>');
        return [e.innerHTML, e.className, GeoMap.esc(`<a href="x">&'`)]; }""")
    assert out == ["&lt;img src=x&gt;", "x", "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"]


def test_datum_matches_python(blank):
    page = blank("core", "datum")
    pts = [(125.3245, 43.8868), (124.8111, 43.5056), (126.5497, 43.8381), (122.0, 45.9)]
    got = page.evaluate("(pts) => pts.map(([lon, lat]) => GeoMap.toGcj([lat, lon]))", [list(p) for p in pts])
    for (lon, lat), (glat, glon) in zip(pts, got):
        elon, elat = wgs84_to_gcj02(lon, lat)
        assert abs(glon - elon) < 1e-9 and abs(glat - elat) < 1e-9


def test_geometry_decodes_what_python_packs(blank):
    """Two squares sharing a side (one with a hole), a line and a point: the page decodes the
    packed topology to exactly the coordinates Python reads back, coarse forms included."""
    import shapely
    from shapely.geometry import LineString, Point, Polygon

    from geo.pagedata import decode_geometry, geometry_sections, pack_raw
    from geo.topology import QUANTUM, build_topology, quantise

    a = Polygon([(125.0, 44.0), (125.1, 44.0), (125.1, 44.1), (125.05, 44.1003), (125.0, 44.1)],
                [[(125.02, 44.02), (125.04, 44.02), (125.04, 44.04), (125.02, 44.02)]])
    b = Polygon([(125.1, 44.0), (125.2, 44.0), (125.2, 44.1), (125.1, 44.1)])
    geoms = {k: quantise(g) for k, g in {"a": a, "b": b, "l": LineString([(125.0, 43.9), (125.3, 44.2)]),
                                         "p": Point(125.123456, 44.054321)}.items()}
    topo = build_topology(geoms, QUANTUM, coarse=list(shapely.simplify([geoms["a"], geoms["b"]], 0.001)))
    assert topo.arcs < 6  # the shared side once
    doc = {"quantum": QUANTUM, "features": [{"id": k, "g": {"t": g.geom_type}} for k, g in geoms.items()]}
    raw = pack_raw(doc, geometry_sections(topo, list(geoms)))
    py = json.loads(json.dumps(doc))
    head_n = int.from_bytes(raw[:4], "little")
    head = json.loads(raw[4:4 + head_n])
    body = raw[4 + head_n:]
    decode_geometry(head, {k: body[o:o + n] for k, (o, n) in head.pop("blobs").items()})
    page = blank("core", "pagedata", "geometry")
    got = page.evaluate("""(bytes) => {
        const doc = GeoMap.pagedata.decode(new Uint8Array(bytes).buffer);
        return doc.features.map((f) => { GeoMap.geometry.prepareFeature(f); return [f.ll, f.llc]; });
    }""", list(raw))
    for f, (ll, llc) in zip(head["features"], got):
        assert ll == f["g"]["c"], f["id"]
        assert llc == f["g"].get("cc"), f["id"]
    assert py["features"][3]["g"] == {"t": "Point"}
    # the point is on the grid, within half a step of where it was
    lat, lon = got[3][0]
    assert abs(lat - 44.054321) <= QUANTUM / 2 and abs(lon - 125.123456) <= QUANTUM / 2
    # the coarse form of a keeps fewer vertices than its full form, and b shares a's side
    assert len(got[0][1][0]) < len(got[0][0][0])


def test_point_cloud_copies_pixels_as_drawImage_draws(blank):
    """Past a few thousand dots a PointCloud copies the sprites' pixels into one image: the same
    picture as a drawImage a dot."""
    page = blank("core", "datum", "dots", "pointcloud", leaflet=True)
    out = page.evaluate("""() => new Promise((done) => {
        document.body.innerHTML = '<div id="a" style="width:500px;height:400px"></div>' +
                                  '<div id="b" style="width:500px;height:400px"></div>';
        const clouds = [], seed = [0.5];
        const rnd = () => (seed[0] = (seed[0] * 9301 + 49297) % 233280) / 233280;
        const pts = Array.from({length: 3000}, () => [43.8 + rnd() * 0.4, 125.1 + rnd() * 0.5]);
        ['a', 'b'].forEach((id, k) => {
            const map = L.map(id, {zoomAnimation: false}).setView([44.0, 125.35], 10);
            const c = new GeoMap.PointCloud({colour: '#9467bd', role: 'r', blitFrom: k ? 0 : 1e9});
            pts.forEach((p, i) => c.push({id: i}, p, 4 + 3 * (i % 2)));
            c.addTo(map); clouds.push(c);
        });
        requestAnimationFrame(() => requestAnimationFrame(() => {
            const [a, b] = clouds.map((c) => c._ctx.getImageData(0, 0, c._container.width, c._container.height).data);
            let differ = 0, worst = 0, ink = 0;
            for (let i = 0; i < a.length; i += 4) {
                if (a[i + 3]) ink++;
                let d = 0;
                for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[i + c] - b[i + c]));
                if (d > 3) differ++;
                worst = Math.max(worst, d);
            }
            done({pixels: a.length / 4, ink: ink, differ: differ, worst: worst, same: a.length === b.length});
        }));
    })""")
    assert out["same"] and out["ink"] > 0.2 * out["pixels"]
    assert out["differ"] <= 0.002 * out["ink"], out


def test_dots_under_others_are_left_out_without_changing_a_pixel(blank):
    """Where dots crowd, a PointCloud draws only what shows (dots.js covered()): the very pixels
    of drawing every dot, with most of the dots left out."""
    page = blank("core", "datum", "dots", "pointcloud", leaflet=True)
    out = page.evaluate("""() => new Promise((done) => {
        document.body.innerHTML = '<div id="a" style="width:400px;height:300px"></div>' +
                                  '<div id="b" style="width:400px;height:300px"></div>';
        const clouds = [], seed = [0.25];
        const rnd = () => (seed[0] = (seed[0] * 9301 + 49297) % 233280) / 233280;
        const pts = Array.from({length: 20000}, () => [43.9 + rnd() * 0.2, 125.2 + rnd() * 0.3]);
        ['a', 'b'].forEach((id, k) => {
            const map = L.map(id, {zoomAnimation: false}).setView([44.0, 125.35], 10);
            const c = new GeoMap.PointCloud({colour: '#2ca02c', role: 'r', blitFrom: 0, cull: k === 1});
            c.setPoints(pts.map((p) => p[0]), pts.map((p) => p[1]), pts.map((p, i) => 4 + 3 * (i % 3)),
                        (i) => ({id: i}));
            c.addTo(map); clouds.push(c);
        });
        requestAnimationFrame(() => requestAnimationFrame(() => {
            const [a, b] = clouds.map((c) => c._ctx.getImageData(0, 0, c._container.width, c._container.height).data);
            let differ = 0, ink = 0;
            for (let i = 0; i < a.length; i++) { if (a[i] !== b[i]) differ++; if (i % 4 === 3 && a[i]) ink++; }
            const c = clouds[1], sprite = [], ox = [], oy = [];
            for (let k = 0; k < c._nv; k++) {
                const i = c._vis[k], sp = sprite[k] = GeoMap.dots.pixels(c.options.colour, c._radius[i], 1);
                ox.push(Math.round(c._px[2 * i]) - sp.half - c._bounds.min.x);
                oy.push(Math.round(c._px[2 * i + 1]) - sp.half - c._bounds.min.y);
            }
            const shown = GeoMap.dots.covered(sprite, ox, oy, c._container.width, c._container.height);
            done({same: a.length === b.length, differ, ink, pixels: a.length / 4, drawn: c._nv,
                  kept: shown.keep.reduce((s, v) => s + v, 0)});
        }));
    })""")
    assert out["same"] and out["ink"] > 0.5 * out["pixels"], out
    assert out["differ"] == 0, out
    assert out["drawn"] > 15000 and out["kept"] < out["drawn"] / 2, out


#: A 500×400 map at zoom 8 over Changchun, and ring(lat, lon, r, n): n vertices round a centre,
#: slightly uneven (the shapes the paths.js tests draw with ours and with Leaflet's)
PATHS_SETUP = """
        document.body.innerHTML = '<div id="m" style="width:500px;height:400px"></div>';
        const map = L.map('m', {zoomAnimation: false}).setView([44.0, 125.3], 8);
        const ring = (lat, lon, r, n) => Array.from({length: n}, (_, i) =>
            [lat + r * Math.sin(i * 2 * Math.PI / n) + 0.001 * (i % 3), lon + 1.3 * r * Math.cos(i * 2 * Math.PI / n)]);
"""


def test_paths_are_leaflets_polygons_and_lines(blank):
    """paths.js makes what L.polygon and L.polyline make (LatLngs, bounds, projected rings, the
    parts drawn, the SVG), in a view that holds the shapes and in views that cut them."""
    page = blank("core", "paths", leaflet=True)
    out = page.evaluate("""() => {""" + PATHS_SETUP + """
        const closed = (r) => r.concat([r[0]]);
        const shapes = [
            ['polygon', [closed(ring(44.0, 125.3, 0.5, 40))]],
            ['polygon', [ring(44.0, 125.3, 0.9, 70), ring(44.0, 125.3, 0.2, 12)]],
            ['polygon', [[ring(43.5, 124.5, 0.3, 25)], [closed(ring(44.6, 126.4, 0.25, 30))]]],
            ['polygon', ring(44.2, 125.0, 2.5, 90)],
            ['polyline', ring(44.0, 125.3, 0.7, 33)],
            ['polyline', [ring(43.8, 125.8, 1.8, 50), ring(44.1, 124.9, 0.1, 2)]],
        ];
        const views = [[[44.0, 125.3], 8], [[44.0, 125.3], 6], [[44.3, 125.9], 10], [[43.7, 124.6], 12]];
        // (_code: the mark Leaflet's clipping leaves on each point it looks at)
        const keys = (l) => JSON.stringify([l._latlngs, l._bounds, l._rings, l._parts, l._pxBounds,
                                            l._path && l._path.getAttribute('d')],
                                           (k, v) => k === '_code' ? undefined : v);
        const diffs = [];
        views.forEach(([c, z]) => {
            map.setView(c, z, {animate: false});
            shapes.forEach(([kind, ll], k) => {
                const a = L[kind](ll, {weight: 3}).addTo(map), b = GeoMap.paths[kind](ll, {weight: 3}).addTo(map);
                if (keys(a) !== keys(b)) diffs.push([z, k]);
                if (!(b instanceof (kind === 'polygon' ? L.Polygon : L.Polyline))) diffs.push(['class', k]);
                map.removeLayer(a); map.removeLayer(b);
            });
        });
        return diffs;
    }""")
    assert out == []



def test_paths_of_one_place_share_their_work_and_draw_as_leaflets(blank):
    """A place drawn in several roles (one path each, from the same [lat, lon] arrays) is converted,
    projected, clipped and written as SVG once: its paths share that work, and each is still what
    L.polygon draws, at every zoom and view it is moved to."""
    page = blank("core", "paths", leaflet=True)
    out = page.evaluate("""() => {""" + PATHS_SETUP + """
        const place = [ring(44.0, 125.3, 1.6, 80), ring(44.0, 125.3, 0.2, 12)];
        const ours = [1.5, 1.5, 4].map((w) => GeoMap.paths.polygon(place, {weight: w, smoothFactor: 0}).addTo(map));
        const theirs = [1.5, 1.5, 4].map((w) => L.polygon(place, {weight: w, smoothFactor: 0}).addTo(map));
        const shared = [ours[0]._latlngs === ours[1]._latlngs && ours[1]._latlngs === ours[2]._latlngs,
                        ours[0]._rings === ours[1]._rings, ours[0]._geoParts === ours[1]._geoParts,
                        ours[0]._geoParts !== ours[2]._geoParts];  // another weight: another clip
        const diffs = [];
        const d = (l) => l._path.getAttribute('d');
        [[[44.0, 125.3], 8], [[44.0, 125.3], 9], [[44.9, 126.5], 9], [[43.2, 124.0], 7]].forEach(([c, z]) => {
            map.setView(c, z, {animate: false});
            ours.forEach((a, k) => {
                const same = d(a) === d(theirs[k]) && JSON.stringify(a._parts) === JSON.stringify(theirs[k]._parts);
                if (!same) diffs.push([z, k]);
            });
            if (ours[0]._parts === ours[1]._parts) diffs.push(['parts arrays shared', z]);
        });
        return {shared, diffs, d: d(ours[0]).length};
    }""")
    assert out["shared"] == [True, True, True, True], out
    assert out["diffs"] == [] and out["d"] > 100, out

#: A small topology V (arcs of [lat, lon] vertices) and polygons whose rings refer to its arcs
#: (~i: arc i backwards): one split in two arcs, a neighbour sharing one of them reversed, one
#: with a hole, a multipolygon, and one large enough to be cut at every zoom but the lowest.
TOPOLOGY_SETUP = """
        const arcs = [], pts = ring(44.0, 125.3, 0.5, 40), out = ring(44.0, 125.3, 0.8, 40);
        arcs.push(pts.slice(0, 21), pts.slice(20).concat([pts[0]]));  // 0, 1: the first polygon
        arcs.push([pts[0]].concat(out.slice(1, 20).reverse(), [pts[20]]));  // 2: its neighbour's
        arcs.push(ring(44.0, 126.6, 0.9, 70).concat([ring(44.0, 126.6, 0.9, 70)[0]]));  // 3: outer
        arcs.push(ring(44.0, 126.6, 0.2, 12).concat([ring(44.0, 126.6, 0.2, 12)[0]]));  // 4: hole
        arcs.push(ring(43.5, 124.5, 0.3, 25).concat([ring(43.5, 124.5, 0.3, 25)[0]]));  // 5
        arcs.push(ring(44.6, 126.4, 0.25, 30).concat([ring(44.6, 126.4, 0.25, 30)[0]]));  // 6
        arcs.push(ring(44.2, 125.0, 2.5, 90).concat([ring(44.2, 125.0, 2.5, 90)[0]]));  // 7
        const n = arcs.reduce((s, a) => s + a.length, 0), V = {lat: new Float64Array(n), lon: new Float64Array(n),
                                                               start: new Int32Array(arcs.length + 1)};
        let v = 0;
        arcs.forEach((a, i) => { a.forEach(([la, lo]) => { V.lat[v] = la; V.lon[v++] = lo; }); V.start[i + 1] = v; });
        const trees = [['Polygon', [[0, 1]]], ['Polygon', [[~1, 2]]], ['Polygon', [[3], [4]]],
                       ['MultiPolygon', [[[5]], [[6]]]], ['Polygon', [[7]]]];
        // what L.polygon is given for the same rings: [lat, lon] arrays, as geometry.js makes them
        const nested = (t, tree) => GeoMap.geometry.coords({t: t, a: tree, T: V}, false);
"""


def test_polygons_from_the_topology_are_leaflets(blank):
    """A polygon given its rings in the page topology (rings.js) is what L.polygon makes of the
    same rings as [lat, lon] arrays: LatLngs, bounds, projected rings, parts and SVG, at views
    that hold it and views that cut it, clipped or not (noClip), simplified or not; and when moved
    back to [lat, lon] arrays (another datum) it is Leaflet's again."""
    page = blank("core", "geometry", "rings", "paths", leaflet=True)
    out = page.evaluate("""() => {""" + PATHS_SETUP + TOPOLOGY_SETUP + """
        const noCode = (k, v) => k === '_code' ? undefined : v;  // the mark Leaflet's clipping leaves
        const keys = (l) => JSON.stringify([l._latlngs, l._bounds, l._rings, l._parts, l._pxBounds,
                                            l._path && l._path.getAttribute('d'), l.getBounds(), l.getCenter()],
                                           noCode);
        const options = [{weight: 3}, {weight: 1.5, smoothFactor: 0}, {weight: 1, smoothFactor: 0, noClip: true},
                         {weight: 2, noClip: true}];
        const views = [[[44.0, 125.3], 8], [[44.0, 125.3], 6], [[44.3, 125.9], 10], [[43.7, 124.6], 12],
                       [[44.0, 126.6], 9]];
        const diffs = [], sizes = [];
        views.forEach(([c, z]) => {
            map.setView(c, z, {animate: false});
            options.forEach((o, i) => trees.forEach(([t, tree], k) => {
                const src = GeoMap.rings.of(V, tree);
                const a = L.polygon(nested(t, tree), Object.assign({}, o)).addTo(map);
                const b = GeoMap.paths.polygon(src, Object.assign({}, o)).addTo(map);
                // read in another order than Leaflet's: the path first, the parts before the rings
                const db = b._path.getAttribute('d'), pb = JSON.stringify(b._parts, noCode);
                if (keys(a) !== keys(b) || db !== a._path.getAttribute('d')) diffs.push([z, i, k, 'drawn']);
                if (pb !== JSON.stringify(a._parts, noCode)) diffs.push([z, i, k, 'parts']);
                sizes.push(db.length);
                b.setLatLngs(nested(t, tree));  // [lat, lon] arrays again: Leaflet's path
                a.setLatLngs(nested(t, tree));
                if (keys(a) !== keys(b)) diffs.push([z, i, k, 'arrays']);
                b.setLatLngs(src);
                if (keys(a) !== keys(b)) diffs.push([z, i, k, 'rings again']);
                map.removeLayer(a); map.removeLayer(b);
            }));
        });
        return {diffs, whole: sizes.filter((n) => n > 100).length, empty: sizes.filter((n) => n === 4).length};
    }""")
    assert out["diffs"] == [], out
    assert out["whole"] > 50 and out["empty"] > 0, out  # shapes drawn, and some wholly out of view ("M0 0")


def test_paths_of_one_topology_form_share_their_projection_and_svg(blank):
    """The paths of one form (a place in k roles, and its grey context line) share its projection
    and, where they are alike, its SVG; a path is written from the topology without making a
    LatLng or a Point (those are made only when read)."""
    page = blank("core", "geometry", "rings", "paths", leaflet=True)
    out = page.evaluate("""() => {""" + PATHS_SETUP + TOPOLOGY_SETUP + """
        const src = GeoMap.rings.of(V, [[3], [4]]);
        map.setView([44.0, 126.6], 7, {animate: false});  // the place wholly in view
        const ours = [[1.5, {}], [4, {}], [1, {noClip: true}]].map(([w, o]) =>
            GeoMap.paths.polygon(src, Object.assign({weight: w, smoothFactor: 0}, o)).addTo(map));
        const made = ours.map((l) => [l.__latlngs, l.__rings, l.__parts].filter((x) => x !== undefined).length);
        const d = ours.map((l) => l._path.getAttribute('d'));
        return {made, sameD: d[0] === d[1], shared: ours[0]._geoParts === ours[1]._geoParts,
                projected: ours[0]._geoRings === ours[2]._geoRings, whole: d[2] === d[0], n: d[0].length};
    }""")
    assert out["made"] == [0, 0, 0], out
    assert out["sameD"] and out["shared"] and out["projected"] and out["whole"] and out["n"] > 300, out


def test_i18n_pairs_and_languages(blank):
    page = blank("core", "i18n")
    out = page.evaluate("""() => {
        GeoMap.i18n.init({within: {en: 'Within {name}', zh: '位于{name}内'}});
        const p = GeoMap.t('within', {name: {en: 'Jiutai', zh: '九台区'}});
        const e = GeoMap.bi(p, 'div');
        const one = GeoMap.bi(GeoMap.pair('Only English', ''), 'div');
        const html = GeoMap.biHTML(GeoMap.pair('<b>', '中'), true);
        const ok = [GeoMap.i18n.setLang('zh'), document.documentElement.lang,
                    document.documentElement.dataset.lang, GeoMap.i18n.setLang('xx'), GeoMap.i18n.lang()];
        return {p, en: e.querySelector('.geo-en').textContent, zh: e.querySelector('.geo-zh').lang,
                one: [one.textContent, one.children.length], html, ok};
    }""")
    assert out["p"] == {"en": "Within Jiutai", "zh": "位于九台区内"}
    assert out["en"] == "Within Jiutai" and out["zh"] == "zh-Hans"
    assert out["one"] == ["Only English", 0]
    assert "&lt;b&gt;" in out["html"] and "<b>" not in out["html"]
    assert out["ok"] == [True, "zh-Hans", "zh", False, "zh"]


def test_i18n_hides_the_other_language(browser, built_maps):
    """In a built page, data-lang=en hides every Chinese span and zh every English one."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto((built_maps / "six-cities.html").as_uri())
    page.wait_for_function("() => window.GEO && document.querySelector('.geo-legend')")
    counts = {}
    for lang in ("en", "zh", "both"):
        page.evaluate("(l) => GeoMap.i18n.setLang(l)", lang)
        counts[lang] = page.evaluate("""() => ['.geo-legend .geo-en', '.geo-legend .geo-zh'].map((s) =>
            Array.from(document.querySelectorAll(s)).filter((e) => e.offsetParent !== null).length)""")
    context.close()
    assert counts["en"][0] > 5 and counts["en"][1] == 0
    assert counts["zh"][0] == 0 and counts["zh"][1] > 5
    assert counts["both"][0] == counts["en"][0] and counts["both"][1] == counts["zh"][1]


def test_dates_say_what_holds_on_the_date_shown(blank):
    """dates.js: a span from since (included) to until (excluded), as precisely as written ("2020-06"
    is its first day), open where absent; no date shown: all holds."""
    page = blank("core", "dates")
    keys = page.evaluate("""() => ["2020-06", "2018", "2021-12-28", null].map(GeoMap.dates.key)""")
    assert keys == ["2020-06-01", "2018-01-01", "2021-12-28", None]
    out = page.evaluate("""() => {
        const D = GeoMap.dates, f = {until: "2020-06", roles: [
            {role: "master", since: "2018-12-05", until: "2020-06"}, {role: "ring-1", since: "2019"}]};
        const at = (d) => ({at: d});
        return [D.within(null, "2000-01-01"), D.within(["2020-06-01", null], "2020-05-31"),
                D.within(["2020-06-01", null], "2020-06-01"), D.within([null, "2020-06-01"], "2020-06-01"),
                D.holds({at: null}, f, f.roles[0]), D.holds(at("2018-12-05"), f),
                D.roles(at("2018-12-05"), f).map((r) => r.role), D.roles(at("2019-06-01"), f).map((r) => r.role),
                D.roles(at("2021-01-01"), f).length, D.holds(at("2021-01-01"), f)];
    }""")
    assert out == [True, False, True, False, True, True, ["master"], ["master", "ring-1"], 0, False]
