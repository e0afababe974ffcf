"""The role × place table: opened from its button, it lists every place on the page (each
feature with one of the page's roles, and every county-level unit) against the page's roles;
it sorts, filters by role, zooms to a row's place, and downloads what it shows as a CSV.

What the table should hold is computed here from the plan, never read back from the page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from browser_util import DOCS, LAYERS, SCREENSHOTS, UPDATE_DOCS, map_page_files, plan_and_pages, roles_now, spec_for

pytestmark = pytest.mark.browser

MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"
BOM = b"\xef\xbb\xbf"


def _plan():
    return plan_and_pages()[0]


def expected_places(spec, plan) -> list:
    """The table's rows, in page order: features on the page that take one of its roles, and
    every feature of a layer marked `table` (the county-level units), of the date the page opens
    on (today: the latest the plan names; the timeline page opens on it too)."""
    from geo.timeline import in_force, today

    context = set(spec.context_layers) or {lyr.id for lyr in plan.catalogue.layers if lyr.context}
    now = roles_now(spec, plan)
    out = []
    for f in plan.features:
        has_role = f.id in now
        if not in_force(plan, f, None, today(plan)):
            continue
        if (f.layer.id in context or has_role) and (has_role or f.layer.place_table):
            out.append(f)
    return out


def area(f):
    return round(f.area_km2, 1) if f.geometry.geom_type.endswith("Polygon") else None


def shown(v) -> str:
    """A number as the table shows it: thousands separated, one decimal at most."""
    if v is None:
        return ""
    s = f"{v:,.1f}"
    return s[:-2] if s.endswith(".0") else s


def parts_of(f, rid, plan) -> list[str]:
    from geo.timeline import in_force, today

    return [plan.registry.parts[r["part"]].en for r in f.roles
            if r.get("role") == rid and in_force(plan, f, r, today(plan))]


def open_table(mp):
    mp.page.locator(".geo-tool-table").click()
    panel = mp.page.locator(".geo-table-panel")
    panel.wait_for(state="visible")
    return panel


def table_rows(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.geo-table tbody tr')).map((tr) => ({
        id: tr.dataset.id, cells: Array.from(tr.children).map((c) => c.textContent)}))""")


@pytest.mark.parametrize("file", MAP_PAGES)
def test_table_lists_every_place(built_maps, open_page, file):
    plan, spec = _plan(), spec_for(file)
    mp = open_page(built_maps / file)
    page = mp.page
    button = page.locator(".geo-tool-table")
    assert button.inner_text().split() == ["Table", "表"]
    assert page.locator(".geo-table-panel").is_hidden()
    open_table(mp)
    assert button.get_attribute("aria-expanded") == "true"
    want = expected_places(spec, plan)
    rows = table_rows(page)
    assert [r["id"] for r in rows] == [f.id for f in want]
    counties = [f for f in plan.features if f.layer.id == "counties"]
    assert len(counties) == 11
    assert {f.id for f in counties} <= {r["id"] for r in rows}, f"{file}: a county-level unit is missing"
    heads = page.locator(".geo-table thead th").all_inner_texts()
    assert len(heads) == 3 + len(spec.roles) + 2
    for rid, head in zip(spec.roles, heads[3:]):
        role = plan.registry.role(rid)
        assert role.name_en in head.replace("\n", " ") and role.name_zh in head.replace("\n", "")
    for f, row in zip(want, rows):
        cells = row["cells"]
        assert f.props["name_en"] in cells[0] and f.props["name_zh"] in cells[0]
        assert cells[1] == f.id
        assert f.layer.title_en in cells[2]
        for k, rid in enumerate(spec.roles):
            for part in parts_of(f, rid, plan):
                assert part in cells[3 + k], f"{file}: {f.id}: part {part!r} of {rid} not in {cells[3 + k]!r}"
            if not parts_of(f, rid, plan):
                assert cells[3 + k] == "", f"{file}: {f.id} shows a part in {rid}, which it does not take"
        assert cells[-2] == shown(area(f)), (f.id, cells[-2], area(f))
        pub = f.props.get("area_published_km2")
        assert cells[-1] == shown(float(pub) if pub not in (None, "") else None), (f.id, cells[-1], pub)
    count = page.locator(".geo-table-count").inner_text()
    assert count.startswith(f"{len(want)} places")
    page.locator(".geo-table-close").click()
    assert page.locator(".geo-table-panel").is_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    mp.assert_clean()


def test_table_sorts_and_filters(built_maps, open_page):
    plan, spec = _plan(), spec_for(OVERVIEW)
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    open_table(mp)
    by_id = {f.id: f for f in expected_places(spec, plan)}
    head = page.locator(".geo-table thead th.geo-col-area")

    def areas():
        return [area(by_id[r["id"]]) for r in table_rows(page)]

    head.locator("button").click()
    assert head.get_attribute("aria-sort") == "ascending"
    got = areas()
    values = [a for a in got if a is not None]
    assert values == sorted(values) and len(values) > 10
    assert got == values + [None] * (len(got) - len(values)), "places without an area come last"
    head.locator("button").click()
    assert head.get_attribute("aria-sort") == "descending"
    got = areas()
    assert [a for a in got if a is not None] == sorted(values, reverse=True)
    assert got[len(values):] == [None] * (len(got) - len(values))

    # by name, in the language shown
    name = page.locator(".geo-table thead th.geo-col-place")
    name.locator("button").click()
    names = [by_id[r["id"]].props["name_en"] for r in table_rows(page)]
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    assert head.get_attribute("aria-sort") is None and name.get_attribute("aria-sort") == "ascending"

    # filter by role: only the places that take it
    for rid in spec.roles:
        page.select_option(".geo-table-filter", rid)
        ids = {r["id"] for r in table_rows(page)}
        assert ids == {f.id for f in by_id.values() if rid in f.role_ids()}, rid
        assert page.locator(".geo-table-count").inner_text().startswith(f"{len(ids)} places")
    page.select_option(".geo-table-filter", "")
    assert len(table_rows(page)) == len(by_id)
    mp.assert_clean()


def test_a_row_zooms_to_its_place(built_maps, open_page):
    plan = _plan()
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    panel = open_table(mp)
    zoom0 = page.evaluate("GEO.map.getZoom()")
    for fid in ("220113", "220112"):  # Jiutai District, then Shuangyang District
        f = plan.by_id[fid]
        page.locator(f".geo-table tbody tr[data-id='{fid}'] .geo-table-go").click()
        assert "geo-row-on" in page.locator(f".geo-table tbody tr[data-id='{fid}']").get_attribute("class")
        zoom = page.evaluate("GEO.map.getZoom()")
        assert zoom > zoom0
        west, south, east, north = f.geometry.bounds
        inside = page.evaluate("""([s, w, n, e]) => { const b = GEO.map.getBounds();
            return b.contains([s, w]) && b.contains([n, e]); }""", [south, west, north, east])
        assert inside, f"{fid} is not wholly in view after its row was clicked"
        # and above the panel, not under it
        bottom = page.evaluate("(lat) => GEO.map.latLngToContainerPoint([lat, GEO.map.getCenter().lng]).y", south)
        assert bottom <= panel.bounding_box()["y"] + 1, (bottom, panel.bounding_box())
        # its tooltip names it, and only its (the last row's fades out in 200 ms)
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tooltip').length === 1")
        assert f.props["name_zh"] in page.locator(".leaflet-tooltip.geo-tooltip").text_content()
    mp.screenshot(SCREENSHOTS / "table.png", *([DOCS / "table.png"] if UPDATE_DOCS else []), full_page=False)
    mp.assert_clean()


def _download(page):
    with page.expect_download() as info:
        page.locator(".geo-table-csv").click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def test_csv_has_a_row_per_place(built_maps, open_page):
    plan, spec = _plan(), spec_for(OVERVIEW)
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    open_table(mp)
    name, raw = _download(page)
    assert name == "six-cities-table.csv"
    assert raw.startswith(BOM), "no UTF-8 byte-order mark: Excel would garble the Chinese"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    head, body = rows[0], rows[1:]
    roles = [plan.registry.role(r) for r in spec.roles]
    assert head == (["Id 编号", "Name (English) 英文名称", "Name (Chinese) 中文名称", "Layer 图层"]
                    + [f"{r.name_en} {r.name_zh}" for r in roles]
                    + ["Computed area, km² 计算面积（km²）", "Published area, km² 公布面积（km²）"])
    want = expected_places(spec, plan)
    assert len(body) == len(want), "one row per place"
    for f, row in zip(want, body):
        assert row[:3] == [f.id, f.props["name_en"], f.props["name_zh"]]
        for k, r in enumerate(roles):
            for part in parts_of(f, r.id, plan):
                assert part in row[4 + k]
        a = area(f)
        assert (row[-2] == "" if a is None else float(row[-2]) == a), (f.id, row[-2], a)
        pub = f.props.get("area_published_km2")
        assert (row[-1] == "" if pub in (None, "") else float(row[-1]) == float(pub)), (f.id, row[-1])

    # filtered, and in Chinese only: what the table shows, in the page's language
    page.select_option(".geo-table-filter", "culture")
    page.evaluate("GeoMap.i18n.setLang('zh')")
    name, raw = _download(page)
    assert name == "six-cities-table-culture.csv"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["编号", "英文名称", "中文名称", "图层"]
    assert {r[0] for r in rows[1:]} == {f.id for f in want if "culture" in f.role_ids()}
    for r in rows[1:]:
        part = r[4 + spec.roles.index("culture")]
        assert part and not re.search("[A-Za-z]", part), f"{r[0]}: {part!r} is not in Chinese only"
    mp.assert_clean()


def test_csv_fields(blank_page):
    """Quoting (RFC 4180) and formulas: a text a spreadsheet would run is kept as text."""
    page = blank_page("core", "i18n", "toolbar", "table")
    got = page.evaluate("""() => ['plain', 'a,b', 'say "hi"', 'two\\nlines', '=HYPERLINK("x")', '+1', '-2', '@a',
                                  3.5, null].map(GeoMap.table.field)""")
    assert got == ["plain", '"a,b"', '"say ""hi"""', '"two\nlines"', '"\'=HYPERLINK(""x"")"', "'+1", "'-2", "'@a",
                   "3.5", ""]


@pytest.fixture
def blank_page(browser):
    """A blank page with only the named modules (and Leaflet)."""
    import xstatic.pkg.leaflet as xl

    from geo.assets import STATIC

    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda r: r.abort())
    page.set_content("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body></body></html>")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_script_tag(content=Path(xl.BASE_DIR, "leaflet.js").read_text(encoding="utf-8"))

    def load(*names):
        for n in names:
            page.add_script_tag(content=(STATIC / "js" / f"{n}.js").read_text(encoding="utf-8"))
        assert not errors, errors
        return page

    yield load
    context.close()
    assert not errors, errors


# ---- hostile names stay text, in the table and in the CSV ----------------------------------

HOSTILE_EN = '=HYPERLINK("https://example.invalid","x")'
HOSTILE_ZH = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_maps(tmp_path_factory):
    from geo.build import build_maps

    root = tmp_path_factory.mktemp("hostile-table")
    layers = root / "layers"
    shutil.copytree(LAYERS, layers)
    path = layers / "counties.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    hit = [f for f in doc["features"] if f["properties"]["id"] == "220122"]
    assert len(hit) == 1
    hit[0]["properties"].update(name_en=HOSTILE_EN, name_zh=HOSTILE_ZH)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    build_maps(layers, root / "maps")
    return root / "maps"


def test_hostile_names_stay_text(hostile_maps, open_page):
    mp = open_page(hostile_maps / OVERVIEW)
    page = mp.page
    open_table(mp)
    cell = page.locator(".geo-table tbody tr[data-id='220122'] th").text_content()
    assert HOSTILE_EN in cell and HOSTILE_ZH in cell
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror]').length") == 0
    _, raw = _download(page)
    row = next(r for r in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")) if r[0] == "220122")
    assert row[1] == "'" + HOSTILE_EN, "a name starting with = must not become a formula"
    assert row[2] == HOSTILE_ZH
    page.wait_for_timeout(200)
    assert not mp.dialogs
    mp.assert_clean()
