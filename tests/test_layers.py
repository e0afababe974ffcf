"""Every shipped layer and role: schema, ids, geometry, areas, provenance."""

from pathlib import Path

import numpy as np
import pytest
import shapely

from geo.boundaries import read_source_geometry
from geo.datum import wgs84_to_gcj02
from geo.layerio import read_layer
from geo.plan import area_km2, load_plan
from geo.validate import validate_layers

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
UNITS = ["220102", "220103", "220104", "220105", "220106", "220112", "220113",
         "220122", "220182", "220183", "220184"]

# Published areas, km². Total: Changchun's 11 county-level units, 24,744 km² (Changchun
# Municipal Government statistics, as given in the plan brief, section 4). The others:
# Wikipedia articles of each unit (双阳区, 九台区, 农安县, 榆树市, 公主岭市), brief section 4.
PUBLISHED_TOTAL = 24744
PUBLISHED = {"220112": 1677, "220113": 3371.5, "220122": 5235.5, "220182": 4712.5, "220184": 4058}


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


def test_shipped_layers_validate_without_errors():
    problems = validate_layers(LAYERS)
    assert [p.line() for p in problems if p.level == "error"] == []


def test_catalogue_lists_layers_and_every_feature_is_loaded(plan):
    assert len(plan.catalogue.layers) >= 7
    assert len(plan.features) >= 40
    files = {spec.file for spec in plan.catalogue.layers}
    on_disk = {p.name for p in LAYERS.glob("*.geojson")}
    assert on_disk <= files, f"layer files not in layers.toml: {on_disk - files}"


def test_ids_unique_and_names_present(plan):
    ids = [f.id for f in plan.features]
    assert len(ids) == len(set(ids))
    for f in plan.features:
        assert f.props.get("name_en", "").strip(), f.id
        assert f.props.get("name_zh", "").strip(), f.id


def test_every_geometry_valid_and_not_empty(plan):
    for f in plan.features:
        assert f.geometry is not None and not f.geometry.is_empty, f.id
        assert f.geometry.is_valid, (f.id, shapely.is_valid_reason(f.geometry))


def test_all_eleven_units_present_with_adcode_ids(plan):
    counties = {f.id: f for f in plan.layer_features("counties")}
    assert sorted(counties) == sorted(UNITS)
    assert counties["220184"].props["name_en"] == "Gongzhuling City"
    assert counties["220184"].props["name_zh"] == "公主岭市"


def test_units_inside_changchun_outline(plan):
    outline = plan.by_id["220100"].geometry.buffer(1e-9)
    for code in UNITS:
        assert outline.contains(plan.by_id[code].geometry), code
    # and together they are the outline: no gaps, no overlaps
    union = shapely.union_all([plan.by_id[c].geometry for c in UNITS])
    assert union.symmetric_difference(plan.by_id["220100"].geometry).area < 1e-9


def test_total_area_within_one_percent_of_published(plan):
    total = sum(area_km2(plan.by_id[c].geometry) for c in UNITS)
    assert abs(total / PUBLISHED_TOTAL - 1) < 0.01, total


@pytest.mark.parametrize("code", sorted(PUBLISHED))
def test_unit_area_within_three_percent_of_published(plan, code):
    a = area_km2(plan.by_id[code].geometry)
    assert abs(a / PUBLISHED[code] - 1) < 0.03, (code, a)


def test_equal_area_agrees_with_utm(plan):
    import geopandas as gpd

    g = plan.by_id["220184"].geometry
    utm = gpd.GeoSeries([g], crs=4326).to_crs(32651).area.iloc[0] / 1e6
    assert abs(area_km2(g) / utm - 1) < 0.002


def _vertices(geom):
    return shapely.get_coordinates(geom)


@pytest.mark.parametrize("layer", ["counties", "prefectures", "other-units", "province"])
def test_stored_boundaries_round_trip_to_source_under_one_metre(layer):
    feats = [f for f in read_layer(LAYERS / f"{layer}.geojson") if f.props["geometry_basis"] == "official"]
    assert feats
    for f in feats:
        stored = _vertices(f.geometry)
        source = _vertices(read_source_geometry(f.id))
        assert stored.shape == source.shape, f.id
        glon, glat = wgs84_to_gcj02(stored[:, 0], stored[:, 1])
        dlon = (glon - source[:, 0]) * 111320 * np.cos(np.radians(source[:, 1]))
        dlat = (glat - source[:, 1]) * 110574
        worst = float(np.max(np.hypot(dlon, dlat)))
        assert worst < 1.0, (f.id, worst)


def test_derived_areas_equal_the_union_of_their_members(plan):
    """Belts, plates, bases and outlines made of whole units: exactly the union of their members
    (computed here with a general union, the build with a coverage union where it can)."""
    derived = [f for f in plan.features if (f.props.get("derive") or {}).get("op") == "union"]
    assert len(derived) >= 14
    for f in derived:
        assert f.stored is None, f"{f.id}: a derived geometry must not be stored"
        members = [plan.by_id[m] for m in f.props["derive"]["from"]]
        union = shapely.union_all([m.geometry for m in members])
        assert f.geometry.is_valid, f.id
        assert abs(f.geometry.area / union.area - 1) < 1e-12, f.id
        assert shapely.hausdorff_distance(f.geometry, union) < 1e-9, f.id
        # schematic when a member is (a base with development zones drawn as circles)
        assert f.basis == ("schematic" if any(m.basis == "schematic" for m in members) else "derived"), f.id


def test_derived_features_have_no_hand_drawn_geometry():
    for spec_file in ("areas.geojson", "corridors.geojson", "plates.geojson"):
        for f in read_layer(LAYERS / spec_file):
            assert f.props.get("derive"), f.id
            assert f.geometry is None, f"{f.id} in {spec_file} has a hand-drawn geometry"


def test_schematic_zones_match_published_area_and_state_error(plan):
    zones = plan.layer_features("zones")
    assert len(zones) >= 10
    for z in zones:
        assert z.basis == "schematic"
        assert z.props["position_error_m"] > 0
        assert abs(z.area_km2 / z.props["schematic_area_km2"] - 1) < 0.005, z.id


def test_every_schematic_feature_says_how_far_off_it_may_be(plan):
    for f in plan.features:
        if f.basis == "schematic":
            assert float(f.props.get("position_error_m", 0)) > 0, f.id


def test_named_places_of_the_plan_are_on_the_map(plan):
    ids = set(plan.by_id)
    for needed in ("auto-corridor", "belt-west", "belt-east", "sci-tech-corridor", "jingyue",
                   "lianhua-mountain", "china-rok", "mishazi", "xinglong", "airport-zone",
                   "central-consumption", "220200", "220184", "auto-zone", "agri-hitech-zone"):
        assert needed in ids, needed
    assert len(plan.layer_features("sites")) >= 12
    wings = {f.id for f in plan.with_role("wings")}
    assert wings == {"220200", "220184"}


def test_every_role_has_features_and_every_assignment_is_traceable(plan):
    reg = plan.registry
    assert len(reg.plan_roles("six-cities")) == 6
    for role in reg.roles:
        assert plan.with_role(role.id), f"role {role.id} has no feature"
        assert role.source in reg.sources
    n = 0
    for f in plan.features:
        for r in f.roles:
            assert r["role"] in reg.role_ids, (f.id, r)
            assert r["part"] in reg.parts, (f.id, r)
            assert r["source"] in reg.sources, (f.id, r)
            n += 1
    assert n >= 50


def test_seed_quotes_are_verbatim_in_the_plan_texts(plan):
    seeds = ROOT / "plan"
    checked = 0
    for key, s in plan.registry.sources.items():
        if s.kind != "seed":
            assert s.cite, key
            continue
        (path,) = seeds.glob(f"{s.seed}_*.txt")
        lines = path.read_text(encoding="utf-8").splitlines()
        assert s.quote in lines[s.para - 1], f"{key}: quote not in {path.name} paragraph {s.para}"
        checked += 1
    assert checked >= 10
