"""The benchmark's parts that need no browser, on a small synthetic set; and, in Chromium, the
PointCloud drawing that pages with thousands of role points use.

No timing is asserted (timings belong in BENCHMARKS.md, not in a test that a busy machine can
fail); the page-size target is: the self-contained overview is at most a quarter of the plain
folium page.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from geo import bench
from geo.build import build_maps
from geo.cli import main

LAYERS = Path(__file__).resolve().parent.parent / "layers"


# ---- synthetic layers -----------------------------------------------------------------------

def test_synthetic_points_fill_the_box_with_every_role():
    feats = bench.synthetic_features("points", 120)
    assert len(feats) == 120 and len({f["properties"]["id"] for f in feats}) == 120
    west, south, east, north = bench.BOX
    for f in feats:
        lon, lat = f["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
        assert f["properties"]["name_en"] and f["properties"]["name_zh"]
    roles = [f["properties"]["roles"][0]["role"] for f in feats]
    assert set(roles) == set(bench.SIX_ROLES)
    assert feats == bench.synthetic_features("points", 120), "not reproducible"


def test_synthetic_polygons_are_small_valid_and_apart():
    feats = bench.synthetic_features("polygons", 60)
    geoms = [shape(f["geometry"]) for f in feats]
    assert all(g.is_valid and g.geom_type == "Polygon" for g in geoms)
    assert shapely.box(*bench.BOX).contains(shapely.union_all(geoms))
    assert not any(a.intersects(b) for a, b in itertools.combinations(geoms, 2))


@pytest.mark.parametrize("kind", ["points", "polygons"])
def test_synthetic_layers_validate_cleanly(tmp_path, kind):
    from geo.validate import validate_layers

    layers = bench.write_synthetic_layers(LAYERS, tmp_path / "layers", kind, 50)
    assert (layers / "synthetic.geojson").is_file()
    assert "id = \"synthetic\"" in (layers / "layers.toml").read_text()
    problems = validate_layers(layers)
    assert not [p.line() for p in problems if p.level == "error"]
    assert not [p.line() for p in problems if "synthetic" in p.file]
    assert not (LAYERS / "synthetic.geojson").exists(), "wrote into the real layers"


# ---- the overview against plain folium --------------------------------------------------------

@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """The quick benchmark without a browser, its work kept: builds, sizes, phases, report."""
    work = tmp_path_factory.mktemp("bench")
    res = bench.run_bench(LAYERS, quick=True, browser=False, workdir=work,
                          scale=[("points", 120)], echo=lambda s: None)
    return res, work


def test_overview_is_self_contained_and_a_sixteenth_of_plain_folium(bench_run):
    res, _ = bench_run
    ours, plain = res["ours"], res["plain"]
    assert ours["facts"]["ours"] and ours["facts"]["external_assets"] == 0
    assert not plain["facts"]["ours"] and plain["facts"]["external_assets"] > 0
    assert ours["build"].size <= plain["build"].size / 16, (ours["build"].size, plain["build"].size)
    # where the bytes are: packed Leaflet and code, packed data, a small skeleton
    by = ours["bytes"]
    assert by["assets"]["packed"] + by["data"]["packed"] + by["skeleton"] == by["total"]
    assert by["assets"]["packed"] < by["assets"]["raw"]["leaflet"] and by["skeleton"] < 8000
    assert by["data"]["n_arcs"] > 10 and by["data"]["vertices"] > 10_000


def test_both_pages_draw_the_same_shapes(bench_run):
    res, _ = bench_run
    ours, plain = res["ours"]["facts"], res["plain"]["facts"]
    # ours: the context boundaries and one shape per (feature, role); plain: one GeoJson
    # feature per context feature and per (feature, role)
    assert ours["context"] + ours["shapes"] == plain["shapes"]
    # the context boundaries are painted on a canvas: the SVG paths to wait for are the role shapes
    assert not ours["canvas"] and ours["expected"] == ours["shapes"]


def test_plain_script_is_plain_folium(bench_run):
    res, work = bench_run
    text = res["plain"]["build"].page.read_text()
    assert "L.control.layers" in text and "geo-data" not in text
    assert text.count("geo_json_") >= 9  # 3 context layers + 6 roles
    assert (work / "plain" / "plain_folium_overview.py").read_text() == bench.PLAIN_SCRIPT


def test_simplification_numbers(bench_run):
    s = bench_run[0]["simplify"]
    assert 0 < s["max_displacement_m"] <= 50
    assert s["official_after"] < s["official_before"]
    assert set(s["per_layer"]) >= {"province", "prefectures", "counties"}


def test_build_phases_add_up(bench_run):
    ph = bench_run[0]["phases"]
    assert ph["pages"] >= 8
    assert all(ph[k] > 0 for k in ("validate", "load_plan", "simplify_plan", "topology", "render_pages"))


def test_report(bench_run):
    res, _ = bench_run
    text = bench.format_report(res, command="python -m geo bench --quick --no-browser")
    for heading in ("## Machine", "## Simplification", "## The overview", "## Scale", "## Print maps and GIS data",
                    "## Done-when targets", "## The plain-folium script"):
        assert heading in text
    assert re.search(r"\| six-cities \| [\d,]+ KiB \| [\d,]+ KiB \| [\d,]+ KiB \|", text)
    assert "| `data/changchun-plan.gpkg` |" in text and "(g) `python -m geo export`" in text
    assert re.search(r"\(a\) self-contained overview .* \| MET \|", text)
    assert re.search(r"\(b\) max boundary displacement .* \| MET \|", text)
    assert "120 points" in text
    assert "self-contained" in text and "CDN assets not counted" in text


def test_a_scale_build_is_the_median_of_its_runs_each_listed(bench_run):
    """A 100,000-site build varies by seconds between runs: the target reads the median of the
    runs, and the report lists every run."""
    res, _ = bench_run
    row = dict(res["scale"][0], n=100_000)
    row["build"] = bench.builds.Build(5.10, [6.40, 5.10, 4.20], row["build"].page, row["build"].size, "15 pages")
    row.pop("load", None)
    text = bench.format_report(dict(res, scale=[row], scale_build_runs=3), command="python -m geo bench")
    assert "| (e) 100k sites: building all maps ≤ 6 s | 5.10 s (median of 3: 6.40, 5.10, 4.20) | MET |" in text
    assert "Builds (s): 100,000 points 6.40, 5.10, 4.20." in text
    assert "A build's time is the median of 3" in text


def test_bench_command_writes_the_report(tmp_path, monkeypatch, bench_run):
    """The click command: an int exit code, the report printed and written to --out."""
    monkeypatch.setattr(bench, "run_bench", lambda *a, **k: bench_run[0])
    out = tmp_path / "B.md"
    assert main(["bench", "--quick", "--no-browser", "--out", str(out)]) == 0
    assert out.read_text().startswith("# Benchmarks")
    assert main(["bench", "--quick", "--no-browser", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "BENCHMARKS.md").is_file()


@pytest.fixture(scope="module")
def cloud_page(tmp_path_factory):
    """The overview with 3,000 synthetic sites: a canvas page (built once for the tests below)."""
    tmp = tmp_path_factory.mktemp("cloud")
    layers = bench.write_synthetic_layers(LAYERS, tmp / "layers", "points", 3000)
    build_maps(layers, tmp / "maps", validate=False, only={"six-cities.html"})
    return tmp / "maps" / "six-cities.html"


def test_page_facts_of_a_canvas_page(cloud_page):
    facts = bench.page_facts(cloud_page)
    assert facts["canvas"] and facts["shapes"] >= 3000
    assert facts["expected"] == 0  # the role shapes are on canvas: no path in the overlay pane


# ---- past the limit: the build refuses, saying what to do ---------------------------------------

def test_a_layer_past_the_point_limit_is_refused(tmp_path, monkeypatch):
    import geo.validate

    monkeypatch.setattr(geo.validate, "MAX_PAGE_POINTS", 100)
    layers = bench.write_synthetic_layers(LAYERS, tmp_path / "layers", "points", 101)
    problems = [p for p in geo.validate.validate_layers(layers) if p.level == "error"]
    assert len(problems) == 1
    line = problems[0].line()
    assert "synthetic.geojson" in line and "101 features" in line and "at most 100 a page" in line
    assert "split the layer" in line
    out = tmp_path / "maps"
    r = subprocess.run([sys.executable, "-c", "import sys, geo.validate, geo.cli; geo.validate.MAX_PAGE_POINTS = 100; "
                        "sys.exit(geo.cli.main(sys.argv[1:]))", "build", "--layers", str(layers), "--out", str(out)],
                       capture_output=True, text=True, cwd=LAYERS.parent, timeout=300)
    assert r.returncode == 1 and "at most 100 a page" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_a_page_past_the_point_limit_is_refused(tmp_path, monkeypatch):
    """Layers each under the limit that together put too many points on one page."""
    import geo.pointtable
    from geo.errors import BuildFailed

    layers = bench.write_synthetic_layers(LAYERS, tmp_path / "layers", "points", 60)
    monkeypatch.setattr(geo.pointtable, "MAX_PAGE_POINTS", 50)
    with pytest.raises(BuildFailed) as info:
        build_maps(layers, tmp_path / "maps", validate=False)
    assert "points on one page, more than 50" in str(info.value) and "six-cities.html" in str(info.value)


def test_bench_scale_includes_a_million_sites():
    from geo.bench.run import FULL_SCALE

    assert ("points", 1_000_000) in FULL_SCALE and ("points", 100_000) in FULL_SCALE


# ---- large point layers in Chromium: one PointCloud per role ------------------------------------

JS_POINT = """(id) => {
  const f = GEO.page.data.features.find((x) => x.id === id);
  return {ll: f.ll, role: f.roles[0].role, name: f.name_en};
}"""


@pytest.mark.browser
def test_point_clouds_draw_toggle_and_answer_the_mouse(open_page, cloud_page):
    mp = open_page(cloud_page)
    page = mp.page
    data = mp.data
    want = {}
    for f in data["features"]:
        if f["g"]["t"] == "Point":
            for rid in {r["role"] for r in f["roles"]}:
                want[rid] = want.get(rid, 0) + 1
    got = mp.evaluate("() => Object.fromEntries(GEO.clouds.map((c) => [c.options.role, c.size()]))")
    assert got == want
    assert mp.evaluate("() => document.querySelectorAll('canvas.geo-cloud').length") == len(want)
    assert mp.evaluate("() => document.querySelectorAll('path.geo-role').length") == 0

    # switch a role off and on from the layer control
    rid = "culture"
    mp.overlay_checkbox(rid).click()
    assert mp.evaluate("(r) => GEO.map.hasLayer(GEO.overlays[r])", rid) is False
    assert mp.evaluate("(r) => document.querySelectorAll('canvas.geo-cloud-' + r).length", rid) == 0
    mp.overlay_checkbox(rid).click()
    assert mp.evaluate("(r) => GEO.map.hasLayer(GEO.overlays[r])", rid) is True
    assert mp.evaluate("(r) => document.querySelectorAll('canvas.geo-cloud-' + r).length", rid) == 1
    assert mp.evaluate("(r) => GEO.overlays[r].getBounds().isValid()", rid)

    # hover and click a synthetic site, zoomed in so that it stands alone
    pt = mp.evaluate(JS_POINT, "syn-000007")

    def screen(ll, gcj=False):
        js = """([ll, gcj]) => { const c = GEO.map.latLngToContainerPoint(gcj ? GeoMap.toGcj(ll) : ll);
                 const r = GEO.map.getContainer().getBoundingClientRect(); return [r.left + c.x, r.top + c.y]; }"""
        return mp.evaluate(js, [ll, gcj])

    mp.evaluate("(ll) => { GEO.map.setView(ll, 12, {animate: false}); }", pt["ll"])
    page.wait_for_timeout(100)
    page.mouse.move(*screen(pt["ll"]))
    tip = page.locator(".leaflet-tooltip.geo-tooltip", has_text=pt["name"])
    tip.wait_for(state="visible")
    # a boundary's tooltip under the dot gives way to the dot's
    assert mp.evaluate("""() => [...document.querySelectorAll('.leaflet-tooltip.geo-tooltip')]
        .filter((t) => getComputedStyle(t).visibility !== 'hidden').length""") == 1
    page.mouse.click(*screen(pt["ll"]))
    popup = page.locator(".leaflet-popup", has_text=pt["name"])  # the boundary's popup, if any, closes
    popup.wait_for(state="visible")
    page.mouse.move(*screen([pt["ll"][0] - 0.05, pt["ll"][1] + 0.05]))  # away: the tooltip goes
    tip.wait_for(state="detached")

    # a GCJ-02 basemap moves the dots with the overlays
    mp.evaluate("() => { GEO.setDatum('gcj02'); }")
    page.wait_for_timeout(100)
    page.mouse.move(*screen(pt["ll"], gcj=True))
    tip.wait_for(state="visible")
    page.mouse.move(*screen(pt["ll"]))  # the WGS-84 spot, some 20 px away at zoom 12: nothing there
    tip.wait_for(state="detached")
    mp.assert_clean()



@pytest.mark.browser
def test_a_click_on_a_site_over_a_roles_area_opens_the_sites_popup(open_page, cloud_page):
    """On a canvas page the dots lie over the roles' areas: a click on a dot opens the site's popup,
    not the area's under it (the area's canvas used to take the click and stop it there)."""
    import shapely

    mp = open_page(cloud_page)
    page = mp.page
    roles = set(mp.data["page_roles"])

    def shape(g):
        polys = [g["c"]] if g["t"] == "Polygon" else g["c"]
        rings = [[[(x, y) for y, x in ring] for ring in p] for p in polys]
        return shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in rings])

    areas = [(f, shape(f["g"])) for f in mp.data["features"] if f["layer"] == "counties"
             and f["g"]["t"].endswith("Polygon") and roles & {r["role"] for r in f.get("roles", [])}]
    sites = [f for f in mp.data["features"] if f["id"].startswith("syn-")]
    where = shapely.points([(f["g"]["c"][1], f["g"]["c"][0]) for f in sites])
    tree = shapely.STRtree(where)

    def alone(k):  # no other site within 0.01° (some 30 px at zoom 12)
        return len(tree.query(where[k], predicate="dwithin", distance=0.01)) == 1

    site, area = next((sites[k], f) for f, a in areas for k in tree.query(a, predicate="contains").tolist() if alone(k))
    ll = site["g"]["c"]
    mp.evaluate("(ll) => { GEO.map.setView(ll, 12, {animate: false}); }", ll)
    page.wait_for_timeout(100)
    js = """(ll) => { const c = GEO.map.latLngToContainerPoint(ll);
             const r = GEO.map.getContainer().getBoundingClientRect(); return [r.left + c.x, r.top + c.y]; }"""
    at = mp.evaluate(js, ll)
    page.mouse.move(*at)
    page.locator(".leaflet-tooltip.geo-tooltip", has_text=site["name_en"]).wait_for(state="visible")
    page.mouse.click(*at)
    page.locator(".leaflet-popup").first.wait_for(state="visible")
    heads = page.locator(".leaflet-popup .geo-popup h3").all_inner_texts()  # whose popup it is
    assert len(heads) == 1 and site["name_en"] in heads[0], (area["name_en"], heads)
    # off the dot, the area answers as before
    page.keyboard.press("Escape")
    mp.evaluate("() => GEO.map.closePopup()")
    page.mouse.click(at[0] + 40, at[1] + 40)
    page.wait_for_timeout(200)
    assert all(site["name_en"] not in t for t in page.locator(".leaflet-popup .geo-popup h3").all_inner_texts())
    mp.assert_clean()

@pytest.mark.browser
def test_a_site_is_made_when_first_read_with_its_tooltip_popup_search_hit_table_row_and_link(open_page, cloud_page):
    """The point rows stay columns as the page opens (pointrows.js); a site's feature is made the
    first time the mouse, a search, the table or a link reads it, and it is what the page's data
    says it is, every time the same object."""
    mp = open_page(cloud_page)
    page = mp.page
    n, made, base = mp.evaluate("() => [GEO.page.data.rows.n, GEO.page.data.rows.made(), GEO.page.data.shapes.length]")
    assert n >= 3000 and made < 20, (n, made)  # drawn from the columns: not a feature a row
    fid = "syn-000007"  # a site alone at zoom 12, on no role's area (whose popup a click there opens)
    want = next(f for f in mp.data["features"] if f["id"] == fid)
    k = mp.evaluate("(id) => GEO.page.data.rows.find(id)", fid)
    ll = mp.evaluate("(k) => [GEO.page.data.rows.lat[k], GEO.page.data.rows.lon[k]]", k)
    assert k >= 0 and ll == want["g"]["c"]

    def screen(ll):
        js = """(ll) => { const c = GEO.map.latLngToContainerPoint(ll);
                 const r = GEO.map.getContainer().getBoundingClientRect(); return [r.left + c.x, r.top + c.y]; }"""
        return mp.evaluate(js, ll)

    mp.evaluate("(ll) => { GEO.map.setView(ll, 12, {animate: false}); }", ll)
    page.wait_for_timeout(100)
    page.mouse.move(*screen(ll))
    page.locator(".leaflet-tooltip.geo-tooltip", has_text=want["name_en"]).wait_for(state="visible")
    page.mouse.click(*screen(ll))
    popup = page.locator(".leaflet-popup", has_text=want["name_en"])
    popup.wait_for(state="visible")
    assert want["name_zh"] in popup.inner_text()
    # the feature the popup is of: the page's feature of that row, with what the data says
    got = mp.evaluate("""(k) => { const P = GEO.page, f = P.data.features[P.data.shapes.length + k];
        return {same: P.openFeature === f && P.feature(f.id) === f, f: JSON.parse(JSON.stringify(f)), ll: f.ll,
                made: P.data.rows.made()}; }""", k)
    assert got["same"] and got["ll"] == ll and got["made"] <= made + 2
    assert {key: v for key, v in got["f"].items() if key not in ("g", "ll", "llc")} == \
        {key: v for key, v in want.items() if key != "g"}
    page.keyboard.press("Escape")
    mp.evaluate("() => GEO.map.closePopup()")

    # search: its name finds it first; Enter shows it
    box = page.locator("input.geo-search-input")
    box.fill(want["name_en"])
    first = page.locator(".geo-search-list [role=option]").first
    assert want["name_en"] in first.inner_text()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup", has_text=want["name_en"]).wait_for(state="visible")

    # the table: a row of it
    page.locator(".geo-tool-table").click()
    row = page.locator(f".geo-table tbody tr[data-id='{fid}']")
    row.wait_for(state="attached")
    assert want["name_en"] in row.inner_text()
    mp.assert_clean()

    # a link to it opens the page on its popup
    mp = open_page(cloud_page, suffix=f"#f={fid}")
    mp.page.locator(".leaflet-popup", has_text=want["name_en"]).wait_for(state="visible")
    assert mp.evaluate("() => GEO.page.openFeature && GEO.page.openFeature.id") == fid
    mp.assert_clean()


@pytest.mark.browser
def test_the_load_measure_is_the_first_frame_painted_with_everything(browser, tmp_path):
    """A page that draws after "load" (as ours do) is measured at the first frame painted with
    its paths, not one frame later: a busy task between the two frames is not counted."""
    page = tmp_path / "late.html"
    page.write_text("""<!DOCTYPE html><html><body><div class="leaflet-overlay-pane"></div><script>
var frame = 0;
(function tick() { frame++; performance.mark("frame-" + frame); requestAnimationFrame(tick); })();
addEventListener("load", function () {
  setTimeout(function () {
    document.querySelector(".leaflet-overlay-pane").innerHTML = '<svg><path d="M0 0L9 9"/></svg>';
    window.GEO = {};
    performance.mark("drawn-before-frame-" + (frame + 1));
    requestAnimationFrame(function () {  // after the frame that paints them: 300 ms of work
      setTimeout(function () { var t = performance.now(); while (performance.now() - t < 300) {} }, 0);
    });
  }, 30);
});
</script></body></html>""", encoding="utf-8")
    from geo.bench.browser import _INIT_JS

    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.add_init_script(_INIT_JS % {"expected": 1, "need_geo": "true"})
        tab.goto(page.as_uri(), wait_until="load")
        drawn = tab.evaluate("window.__drawn")
    finally:
        context.close()
    marks = drawn["marks"]
    first = int(next(k for k in marks if k.startswith("drawn-before-frame-")).rsplit("-", 1)[1])
    after = marks.get(f"frame-{first + 1}")  # the frame after the one that paints them, if it began
    assert marks[f"frame-{first}"] <= drawn["ms"] and (after is None or drawn["ms"] < after), (drawn["ms"], marks)


def test_the_bench_times_builds_with_geo_compiled_to_bytecode(tmp_path, monkeypatch):
    """Before it times a build, the bench leaves a current bytecode file beside every module of geo/
    (as pip install does), even where PYTHONDONTWRITEBYTECODE is set: otherwise each timed process
    would compile geo/ again. On a copy of geo/ without any."""
    import importlib.util
    import shutil

    from geo.bench.run import compile_package

    package = Path(bench.__file__).resolve().parent.parent
    copy = shutil.copytree(package, tmp_path / "geo", ignore=shutil.ignore_patterns("__pycache__"))
    modules = sorted(copy.rglob("*.py"))
    assert len(modules) > 30 and not list(copy.rglob("*.pyc"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    done = compile_package(copy)
    assert done["ok"] and Path(done["package"]) == copy
    for m in modules:
        pyc = Path(importlib.util.cache_from_source(str(m)))
        assert pyc.exists() and pyc.stat().st_mtime >= m.stat().st_mtime, m
    assert compile_package()["package"] == str(package)
