"""Finding a place (geo/static/js/search.js, focus.js): the matching on its own, then what a
reader does in a built page: types a name, an alias, an adcode, presses Enter or clicks, and
lands on the place, outlined, its popup open; on a GCJ-02 basemap too.

Expectations come from the layers (names, aliases, geometry) in Python, never from the page.
"""

from __future__ import annotations

import unicodedata

import pytest
from browser_util import SCREENSHOTS, map_page_files, plan_and_pages
from test_js_modules import blank  # noqa: F401  (the fixture: a blank page given chosen modules)

from geo.datum import wgs84_to_gcj02

pytestmark = pytest.mark.browser
MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"


def _feature(fid):
    return plan_and_pages()[0].by_id[fid]


def _norm(text: str) -> str:
    """The search's normal form, written again in Python: NFKD, no marks, lower case, only
    letters and digits."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M")).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


# ---- the matching, on its own ------------------------------------------------------------

@pytest.fixture
def search_js(blank):  # noqa: F811
    return blank("core", "i18n", "toolbar", "search", leaflet=True)


def test_normal_form_forgives_case_accents_spaces_and_punctuation(search_js):
    cases = {"Lüyuan  District": "luyuandistrict", "ＪＩＵＴＡＩ": "jiutai", "Nong'an County": "nongancounty",
             "九 台 区": "九台区", "China–ROK (Changchun)": "chinarokchangchun", "长春“六城联动”": "长春六城联动",
             "Lianhua-Shan": "lianhuashan", "  ": ""}
    got = search_js.evaluate("(xs) => xs.map((x) => GeoMap.search.norm(x))", list(cases))
    assert got == list(cases.values())


def test_normal_form_matches_python_on_every_name_and_alias(search_js):
    plan = plan_and_pages()[0]
    texts = sorted({str(v) for f in plan.features
                    for v in [f.props.get("name_en"), f.props.get("name_zh"), *(f.props.get("aliases") or [])] if v})
    assert len(texts) > 80
    got = search_js.evaluate("(xs) => xs.map((x) => GeoMap.search.norm(x))", texts)
    assert got == [_norm(t) for t in texts]


def test_ranking_whole_then_start_then_word_then_anywhere(search_js):
    feats = [
        {"id": "a", "name_en": "Greater Jiutai Area", "name_zh": "大九台"},    # word start
        {"id": "b", "name_en": "Jiutai District", "name_zh": "九台区"},        # start
        {"id": "c", "name_en": "Xijiutai", "name_zh": "西九台"},              # anywhere
        {"id": "d", "name_en": "Jiutai", "name_zh": "九台"},                  # whole
        {"id": "e", "name_en": "Elsewhere", "name_zh": "别处", "aliases": ["Jiutai Town"]},  # alias start
        {"id": "220113", "name_en": "Nowhere", "name_zh": "无"},
    ]
    out = search_js.evaluate("""([feats, qs]) => qs.map((q) => GeoMap.search.find(GeoMap.search.index(feats), q)
        .map((h) => h.f.id))""", [feats, ["jiutai", "九台", "2201", "qqq", ""]])
    assert out[0] == ["d", "b", "e", "a", "c"]  # names before aliases at the same grade
    # Chinese has no spaces: 大九台 and 西九台 both match inside, the shorter name first; no
    # Chinese alias, so e is not found
    assert out[1] == ["d", "b", "c", "a"]
    assert out[2] == ["220113"]
    assert out[3] == [] and out[4] == []


# ---- in a built page ---------------------------------------------------------------------


def _landed(mp, fid):
    """Whether the map shows the feature: its bounds (WGS-84, from the layers) in the view,
    large (a fifth of the map's width or height at least), and its label point not covered
    by the popup or a control."""
    f = _feature(fid)
    return mp.evaluate("""([b, label]) => {
        const map = GEO.map, v = map.getBounds(), size = map.getSize();
        const rect = map.getContainer().getBoundingClientRect();
        const p0 = map.latLngToContainerPoint([b[1], b[0]]), p1 = map.latLngToContainerPoint([b[3], b[2]]);
        const big = Math.abs(p1.x - p0.x) >= size.x / 5 || Math.abs(p1.y - p0.y) >= size.y / 5;
        const at = map.latLngToContainerPoint(label), e = document.elementFromPoint(rect.left + at.x, rect.top + at.y);
        const covered = !e || !!e.closest('.leaflet-popup, .leaflet-control');
        return {inside: v.contains([[b[1], b[0]], [b[3], b[2]]]), big: big, covered: covered}; }""",
                       [list(f.geometry.bounds), [f.anchor.y, f.anchor.x]])


def _open_feature(mp):
    return mp.evaluate("() => GEO.page.openFeature ? GEO.page.openFeature.id : null")


def test_a_chinese_name_and_enter_land_on_the_place(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    box = page.get_by_role("combobox", name="Find a place")
    assert box.get_attribute("type") == "search"
    box.click()
    box.type("九台区")
    first = page.locator(".geo-search-list [role=option]").first
    assert "九台区" in first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function("() => GEO.page.openFeature && GEO.page.openFeature.id === '220113'")
    page.wait_for_timeout(400)  # the zoom and the popup's pan settle
    assert _landed(mp, "220113") == {"inside": True, "big": True, "covered": False}
    # the place is outlined and its popup names it
    assert page.locator(".leaflet-popup-content h3").inner_text().replace("\n", " ") == "Jiutai District 九台区"
    assert page.locator("path.geo-focus").count() == 2  # a dark halo and a bright line
    mp.screenshot(SCREENSHOTS / "search-jiutai.png", full_page=False)
    mp.assert_clean()


@pytest.mark.parametrize("typed, fid", [
    ("Lian Hua SHAN", "lianhua-mountain"),  # an alias, spaced and in capitals
    ("莲花山", "lianhua-mountain"),
    ("lüyuan", "220106"), ("LVYUAN", "220106"),  # accents; the seed's spelling
    ("jiutaiqu", "220113"), ("220184", "220184"),  # pinyin alias; an adcode
    ("汽开区", "auto-zone"), ("Changchun New Area", "new-area"), ("净月", "jingyue"),
])
def test_names_aliases_and_ids_are_found(built_maps, open_page, typed, fid):
    mp = open_page(built_maps / OVERVIEW)
    box = mp.page.locator("input.geo-search-input")
    box.fill(typed)
    hits = mp.page.locator(".geo-search-list [role=option]")
    assert hits.count() >= 1
    f = _feature(fid)
    assert f.props["name_zh"] in hits.first.inner_text(), (typed, hits.first.inner_text())
    hits.first.click()  # a click, like Enter, shows the place
    mp.page.wait_for_function("(id) => GEO.page.openFeature && GEO.page.openFeature.id === id", arg=fid)
    mp.page.wait_for_timeout(400)
    assert _landed(mp, fid) == {"inside": True, "big": True, "covered": False}
    mp.assert_clean()


def test_no_match_says_so(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    box = mp.page.locator("input.geo-search-input")
    box.fill("Atlantis")
    status = mp.page.locator(".geo-search-status")
    assert status.inner_text() == "No place matches “Atlantis” 没有与“Atlantis”匹配的地点"
    assert status.get_attribute("role") == "status"
    assert box.get_attribute("aria-expanded") == "false"
    assert mp.page.locator(".geo-search-list").is_hidden()
    mp.page.keyboard.press("Enter")  # nothing to go to: nothing happens
    assert _open_feature(mp) is None
    mp.assert_clean()


def test_slash_focuses_the_box_and_arrows_choose(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    page.locator(".geo-title h1").click()  # the focus on the page, not in a field
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.classList.contains('geo-search-input')")
    assert page.locator("input.geo-search-input").input_value() == ""  # the "/" is not typed in
    page.keyboard.type("district")
    options = page.locator(".geo-search-list [role=option]")
    assert options.count() >= 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert page.locator("input.geo-search-input").get_attribute("aria-activedescendant") == second.get_attribute("id")
    name = second.locator(".geo-search-name .geo-zh").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => GEO.page.openFeature && GEO.page.openFeature.name_zh === n", arg=name)
    assert page.locator(".leaflet-popup-content h3 .geo-zh").inner_text() == name
    # Escape closes the list, a second Escape empties the box
    page.keyboard.type("x")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert page.locator("input.geo-search-input").input_value() == ""
    mp.assert_clean()


def test_the_outline_lies_on_the_place_on_a_gcj02_basemap(built_maps, open_page):
    """On Gaode tiles the outline is drawn in GCJ-02, like the shapes: checked against Python's
    forward formula, vertex by vertex for a district and at the centre of a site."""
    mp = open_page(built_maps / OVERVIEW)
    mp.base_radio("Gaode roads").click()
    mp.page.wait_for_function("() => GEO.datum() === 'gcj02'")
    for typed, fid in (("九台区", "220113"), ("一汽", "faw-museum")):
        box = mp.page.locator("input.geo-search-input")
        box.fill(typed)
        mp.page.keyboard.press("Enter")
        mp.page.wait_for_function("(id) => GEO.page.openFeature && GEO.page.openFeature.id === id", arg=fid)
        # the outline's rings as drawn (halo, then line), and the page's own WGS-84 rings
        rings = mp.evaluate("""(fi) => {
            const rings = (c, out) => { if (c.lat !== undefined || typeof c[0] === 'number') out.push([c]);
                else if (c[0].lat !== undefined || typeof c[0][0] === 'number') out.push(c);
                else c.forEach((x) => rings(x, out));
                return out; };
            const pair = (p) => p.lat !== undefined ? [p.lat, p.lng] : [p[0], p[1]];
            const f = GEO.page.data.features[fi];  // its WGS-84 coordinates, as the page decoded them
            return {drawn: GEO.page.focus.layer.getLayers().map((l) =>
                        rings(l.getLatLng ? l.getLatLng() : l.getLatLngs(), []).map((r) => r.map(pair))),
                    wgs: rings(f.ll, []).map((r) => r.map(pair))}; }""", mp.feature_index(fid))
        assert len(rings["drawn"]) == 2
        for drawn in rings["drawn"]:
            assert len(drawn) == len(rings["wgs"])
            for ring, wgs in zip(drawn, rings["wgs"]):
                if len(wgs) > 1 and wgs[0] == wgs[-1]:
                    wgs = wgs[:-1]  # Leaflet keeps a polygon's ring open
                lon, lat = wgs84_to_gcj02([p[1] for p in wgs], [p[0] for p in wgs])
                assert len(ring) == len(wgs) and len(ring) > 0
                for (dlat, dlon), elat, elon in zip(ring, lat, lon):
                    assert abs(dlat - elat) < 1e-9 and abs(dlon - elon) < 1e-9
    mp.screenshot(SCREENSHOTS / "search-gaode.png", full_page=False)
    mp.assert_clean()


@pytest.mark.parametrize("file", MAP_PAGES)
def test_every_feature_of_every_page_is_found_by_each_name_and_id(built_maps, open_page, file):
    mp = open_page(built_maps / file)
    feats = mp.data["features"]
    assert feats
    queries = [(f["id"], q) for f in feats for q in (f["name_en"], f["name_zh"], f["id"], *f.get("aliases", []))]
    found = mp.evaluate("""(qs) => qs.map(([id, q]) => GEO.tools.search.find(q).map((h) => h.f.id))""", queries)
    for (fid, q), ids in zip(queries, found):
        assert fid in ids, f"{file}: searching {q!r} does not find {fid}"
        # first, unless another feature has this very text as a name, alias or id
        same = [f["id"] for f in feats
                if _norm(q) in {_norm(x) for x in (f["name_en"], f["name_zh"], f["id"], *f.get("aliases", []))}]
        assert ids[0] == fid or ids[0] in same, (file, q, ids[:3])
    mp.assert_clean()
