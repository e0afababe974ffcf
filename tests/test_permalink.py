"""Links that keep the state (geo/static/js/permalink.js): the hash follows the page, the
"Link" button gives it, opening it in a fresh page restores the view, the basemap, the
overlays, the language and the open feature; bad or stale values are ignored, never an error.
"""

from __future__ import annotations

import pytest
from browser_util import SCREENSHOTS, map_page_files, plan_and_pages, spec_for
from test_js_modules import blank  # noqa: F401  (the fixture: a blank page given chosen modules)

from geo.datum import gcj02_to_wgs84

pytestmark = pytest.mark.browser
OVERVIEW = "six-cities.html"

#: The page's state as a reader sees it: the view, the checked radio and boxes of the layer
#: control, the language shown, the feature whose popup is open.
JS_STATE = """() => {
  const map = GEO.map, c = map.getCenter();
  const base = document.querySelector('.leaflet-control-layers-base input:checked');
  const onBase = Object.values(GEO.bases).filter((l) => map.hasLayer(l)).map((l) => l.geoBasemap);
  return {zoom: map.getZoom(), center: [c.lat, c.lng], datum: GEO.datum(),
          base: base ? base.closest('label').textContent.trim() : null, onBase: onBase,
          overlays: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
            .filter((l) => l.querySelector('input').checked).map((l) => l.querySelector('.geo-ov').dataset.role),
          drawn: Object.keys(GEO.overlays).filter((r) => map.hasLayer(GEO.overlays[r])),
          lang: document.documentElement.dataset.lang,
          popup: GEO.page.openFeature ? GEO.page.openFeature.id : null,
          popupShown: document.querySelectorAll('.leaflet-popup').length};
}"""


def _roles(file=OVERVIEW):
    return list(spec_for(file).roles)


def _settle(mp):
    """Wait until the map is still (no pan or zoom animation) and a frame is painted."""
    mp.page.wait_for_function("() => !GEO.map._animatingZoom && !(GEO.map._panAnim && GEO.map._panAnim._inProgress)")
    mp.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _wait_hash(mp, text):
    mp.page.wait_for_function("(t) => location.hash.indexOf(t) >= 0", arg=text)


# ---- parsing and formatting ----------------------------------------------------------------

def test_parse_and_format_round_trip(blank):  # noqa: F811
    page = blank("core", "i18n", "toolbar", "permalink", leaflet=True)
    out = page.evaluate("""() => {
        const p = GeoMap.permalink;
        const st = {zoom: 9, center: [43.88, 125.32], base: 'osm', overlays: ['auto', 'culture'], lang: 'zh',
                    feature: '220113'};
        const text = p.format(st);
        return [text, p.parse('#' + text), p.parse('?a=1&b=%E4%B9%9D%E5%8F%B0&c&=x&d=%E0%A4%A'),
                p.format({overlays: []})];
    }""")
    assert out[0] == "z=9&c=43.88000,125.32000&b=osm&o=auto,culture&lang=zh&f=220113"
    assert out[1] == {"z": "9", "c": "43.88000,125.32000", "b": "osm", "o": "auto,culture", "lang": "zh", "f": "220113"}
    # percent-decoded; a key without "=" is empty; an empty key and bad escapes are dropped
    assert out[2] == {"a": "1", "b": "九台", "c": ""}
    assert out[3] == "o="


def test_from_gcj_inverts_the_forward_formula_like_python(blank):  # noqa: F811
    page = blank("core", "datum")
    pts = [(125.3245, 43.8868), (124.8111, 43.5056), (126.5497, 43.8381), (122.0, 45.9), (131.0, 41.0)]
    got = page.evaluate("(pts) => pts.map(([lon, lat]) => GeoMap.fromGcj([lat, lon]))", [list(p) for p in pts])
    for (lon, lat), (wlat, wlon) in zip(pts, got):
        elon, elat = gcj02_to_wgs84(lon, lat)
        assert abs(wlon - elon) < 1e-8 and abs(wlat - elat) < 1e-8  # under a millimetre


BAD = ["z=99", "z=-1", "z=abc", "z=", "z=NaN", "z=Infinity", "c=NaN,125", "c=43.9", "c=91,125", "c=43,181,1", "c=,",
       "b=nope", "b=", "o=nosuchrole", "lang=fr", "lang=", "f=nosuch", "f=", "%zz=1", "z=9&z=abc", "#", "&&=&",
       "z=99&c=NaN,abc&b=nope&o=nosuchrole&lang=xx&f=nosuch"]


def test_a_bad_or_stale_value_is_ignored(built_maps, open_page):
    """Opened with a bad value, the page is as it is with no link: no error, nothing changed,
    and the bad value gone from the hash the page writes back."""
    mp = open_page(built_maps / OVERVIEW)
    expected = mp.evaluate(JS_STATE)
    uri = (built_maps / OVERVIEW).resolve().as_uri()
    for bad in BAD:
        mp.page.goto("about:blank")
        mp.page.goto(uri + "#" + bad)
        mp.page.wait_for_function("() => window.GEO && document.querySelector('.leaflet-control-layers-base :checked')")
        assert mp.evaluate(JS_STATE) == expected, bad
        mp.page.wait_for_function("() => location.hash.indexOf('lang=both') >= 0")  # tidied
        written = mp.evaluate("() => location.hash")
        for part in bad.split("&"):
            if part not in ("", "#", "=") and "=" in part:
                assert part not in written.split("&") and "#" + part not in written.split("&"), (bad, written)
    mp.assert_clean()


def test_valid_keeps_only_what_the_page_has(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    got = mp.evaluate("""() => GeoMap.permalink.valid(GEO.page, GeoMap.permalink.parse(
        '#z=7&c=44.1,125.5&b=esri-imagery&o=culture,nosuch,auto&lang=en&f=lianhua-mountain&x=1'))""")
    assert got == {"zoom": 7, "center": [44.1, 125.5], "base": "esri-imagery", "overlays": ["culture", "auto"],
                   "lang": "en", "feature": "lianhua-mountain"}
    mp.assert_clean()


# ---- a copied link restores the page ---------------------------------------------------------

def test_a_copied_link_restores_view_basemap_overlays_language_and_feature(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    # what a reader does: another basemap, two overlays off, Chinese, a place found, the map moved
    mp.base_radio("OpenStreetMap").click()
    mp.overlay_checkbox("auto").uncheck()
    mp.overlay_checkbox("consumption").uncheck()
    page.locator("select.geo-lang-select").select_option("zh")
    page.locator("input.geo-search-input").fill("莲花山")
    page.keyboard.press("Enter")
    page.wait_for_function("() => GEO.page.openFeature && GEO.page.openFeature.id === 'lianhua-mountain'")
    _settle(mp)
    page.keyboard.press("Escape")  # out of the box: the map takes the arrow keys
    page.locator(".leaflet-container").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => GEO.map._getMapPanePos().x !== 0")
    _settle(mp)
    before = mp.evaluate(JS_STATE)
    assert before["onBase"] == ["osm"] and before["lang"] == "zh" and before["popup"] == "lianhua-mountain"
    assert set(before["overlays"]) == set(_roles()) - {"auto", "consumption"}

    page.locator("button.geo-tool-link").click()
    field = page.locator("input.geo-link-field")
    assert field.is_visible()
    link = field.input_value()
    # the field holds the link, selected, ready for Ctrl+C; the page says whether it was copied
    assert page.evaluate("() => { const f = document.querySelector('.geo-link-field');"
                         " return document.activeElement === f && f.selectionStart === 0"
                         " && f.selectionEnd === f.value.length; }")
    page.wait_for_function("() => document.querySelector('.geo-link-note').textContent.length > 0")
    assert link == page.evaluate("() => location.href")
    assert page.locator("button.geo-tool-link").get_attribute("aria-expanded") == "true"
    assert "b=osm" in link and "lang=zh" in link and "f=lianhua-mountain" in link
    mp.screenshot(SCREENSHOTS / "permalink-panel.png", full_page=False)
    page.keyboard.press("Escape")  # the panel closes, the focus goes back to its button
    assert field.is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('geo-tool-link')")
    mp.assert_clean()

    fresh = open_page(built_maps / OVERVIEW, suffix=link[link.index("#"):])
    fresh.page.wait_for_timeout(300)
    after = fresh.evaluate(JS_STATE)
    assert after["zoom"] == before["zoom"]
    assert after["center"] == pytest.approx(before["center"], abs=2e-5)  # the link's 5 decimals: ~1 m
    for key in ("base", "onBase", "overlays", "drawn", "lang", "popup", "datum"):
        assert after[key] == before[key], key
    assert after["popupShown"] == 1
    assert fresh.page.title() == "长春“六城联动”"
    fresh.assert_clean()


def test_a_link_with_a_gaode_basemap_keeps_the_true_position(built_maps, open_page):
    """On Gaode tiles the map's own coordinates are GCJ-02; the link holds WGS-84 and is
    restored to the same place, drawn in GCJ-02 from the start."""
    mp = open_page(built_maps / OVERVIEW, suffix="#z=10&c=43.90000,125.30000&b=gaode-roads")
    st = mp.evaluate(JS_STATE)
    assert st["datum"] == "gcj02" and st["onBase"] == ["gaode-roads"] and st["zoom"] == 10
    # the map's centre is the link's WGS-84 point in GCJ-02
    lat, lon = st["center"]
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    assert abs(wlat - 43.9) < 1e-6 and abs(wlon - 125.3) < 1e-6
    mp.page.wait_for_timeout(400)
    assert "c=43.90000,125.30000" in mp.evaluate("() => location.hash")  # written back unchanged
    # moved on the Gaode basemap, the link still says WGS-84 (GeoMap.fromGcj, checked here)
    mp.evaluate("() => GEO.map.setView(GeoMap.toGcj([43.85, 125.35]), 10, {reset: true})")
    _wait_hash(mp, "c=43.85000,125.35000")
    got = mp.evaluate("(pts) => pts.map((p) => GeoMap.fromGcj(GeoMap.toGcj(p)))", [[43.85, 125.35], [44.8, 126.5]])
    assert got == [pytest.approx([43.85, 125.35], abs=1e-8), pytest.approx([44.8, 126.5], abs=1e-8)]
    mp.assert_clean()


def test_the_hash_follows_the_page(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    mp.overlay_checkbox("culture").uncheck()
    _wait_hash(mp, "o=auto,agriculture,dual-carbon,sci-tech,consumption&")
    mp.base_radio("Plain").click()
    _wait_hash(mp, "b=plain")
    mp.evaluate("() => GEO.map.setZoom(10, {animate: false})")
    _wait_hash(mp, "z=10&")
    for rid in _roles():
        mp.overlay_checkbox(rid).uncheck()
    _wait_hash(mp, "o=&")
    mp.assert_clean()


def test_overlays_a_link_names_are_on_and_the_others_off(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW, suffix="#o=culture,nosuch,sci-tech")
    st = mp.evaluate(JS_STATE)
    assert st["overlays"] == st["drawn"] == ["sci-tech", "culture"]
    counts = mp.role_counts(_roles())
    assert counts["auto"] == 0 and counts["culture"] > 0
    mp.page.wait_for_timeout(400)
    assert "o=sci-tech,culture&" in mp.evaluate("() => location.hash")  # the stale id is dropped
    none = open_page(built_maps / OVERVIEW, suffix="#o=")
    assert none.evaluate(JS_STATE)["drawn"] == []
    mp.assert_clean()
    none.assert_clean()


@pytest.mark.parametrize("suffix, lang", [("?lang=zh", "zh"), ("?lang=en", "en"), ("#lang=en", "en"),
                                          ("?lang=zh#lang=en", "en"), ("?lang=xx", "both")])
def test_lang_in_the_query_or_the_hash(built_maps, open_page, suffix, lang):
    mp = open_page(built_maps / OVERVIEW, suffix=suffix)
    assert mp.evaluate(JS_STATE)["lang"] == lang
    assert mp.page.locator("select.geo-lang-select").input_value() == lang
    mp.assert_clean()


def test_editing_the_hash_applies_it(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    mp.evaluate("() => { location.hash = '#b=osm&o=culture&lang=en&f=220113'; }")
    mp.page.wait_for_function("() => GEO.page.openFeature && GEO.page.openFeature.id === '220113'")
    st = mp.evaluate(JS_STATE)
    assert st["onBase"] == ["osm"] and st["drawn"] == ["culture"] and st["lang"] == "en"
    mp.assert_clean()


def test_a_write_of_the_hash_never_undoes_a_newer_edit(built_maps, open_page):
    """The page writes its state into the hash (a moment after a change, or at once for the Link
    button). When the hash has been edited (a link followed, a hand edit, Back) and the page has not
    applied the edit yet (its hashchange event still queued), a write must apply the edit first,
    never put the old state back over it: the timeline test saw a page reloaded at today's date
    instead of the date just put in its hash. The Link button's write, in the same task as the
    edit, comes before the hashchange for sure."""
    mp = open_page(built_maps / OVERVIEW)
    mp.page.wait_for_timeout(400)  # the opening's own write done
    mp.evaluate("""() => {
      location.hash = "#b=osm&o=culture";  // the edit: its hashchange is queued
      document.querySelector(".geo-tool-link").click();  // a write, now
    }""")
    mp.page.wait_for_timeout(400)  # the queued hashchange and the page's write after it
    assert "b=osm&o=culture&" in mp.evaluate("() => location.hash")
    st = mp.evaluate(JS_STATE)
    assert st["onBase"] == ["osm"] and st["drawn"] == ["culture"]
    assert "b=osm&o=culture&" in mp.page.locator(".geo-link-field").input_value()
    mp.assert_clean()


@pytest.mark.parametrize("file", map_page_files())
def test_every_page_restores_its_own_link(built_maps, open_page, file):
    plan = plan_and_pages()[0]
    spec = spec_for(file)
    roles = _roles(file)
    fid = next(f.id for f in plan.features if f.has_role(roles[0]))
    suffix = f"#z=9&c=44.00000,125.50000&b=osm&o={roles[-1]}&lang=zh&f={fid}"
    if spec.timeline:  # its link holds the date shown too: the first on which the last role is drawn
        from browser_util import roles_now

        from geo.timeline import steps

        at = next(s.at for s in steps(plan) if any(roles[-1] in r for r in roles_now(spec, plan, s.at).values()))
        assert at != steps(plan)[-1].at  # not the date the page opens on anyway
        suffix += f"&date={at}"
    mp = open_page(built_maps / file, suffix=suffix)
    st = mp.evaluate(JS_STATE)
    assert (st["zoom"], st["onBase"], st["drawn"], st["lang"], st["popup"]) == (9, ["osm"], [roles[-1]], "zh", fid)
    if spec.timeline:
        assert mp.evaluate("GEO.at()") == at
    assert st["center"] == pytest.approx([44.0, 125.5], abs=1e-9)
    mp.page.wait_for_timeout(400)
    assert mp.evaluate("() => location.hash") == suffix  # nothing to tidy, nothing moved
    mp.assert_clean()
