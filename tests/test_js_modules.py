"""The in-page modules (geo/static/js), each tested on its own in headless Chromium.

A blank page gets only the modules a test needs (and Leaflet where they need it); the
functions are called with known inputs and their results compared with Python's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_util import VIEWPORT

from geo.assets import CSS_MODULES, JS_MODULES, STATIC
from geo.datum import wgs84_to_gcj02
from geo.encode import decode_coords, encode_coords, encode_indexes

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


def test_geometry_decodes_what_python_encodes(blank):
    page = blank("core", "geometry")
    ring = [(125.1, 43.8), (125.34567, 43.81234), (125.5, 44.0), (125.2, 44.1), (125.1, 43.8)]
    text = encode_coords(ring)
    got = page.evaluate("(s) => GeoMap.decode(s)", text)
    assert [(lon, lat) for lat, lon in got] == pytest.approx(decode_coords(text), abs=1e-9)
    idx = page.evaluate("(s) => GeoMap.geometry.decodeInts(s)", encode_indexes([0, 2, 3, 4]))
    assert idx == [0, 2, 3, 4]
    # a polygon with a coarse form: f.llc is the subset of f.ll that g.k lists
    f = page.evaluate("""([c, k]) => { const f = {g: {t: 'Polygon', c: [c], k: [k]}};
        GeoMap.geometry.prepareFeature(f); return [f.ll[0].length, f.llc[0].length, f.llc[0][1]]; }""",
                      [text, encode_indexes([0, 2, 3, 4])])
    assert f[0] == 5 and f[1] == 4
    assert f[2] == pytest.approx([44.0, 125.5])


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
