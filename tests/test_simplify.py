"""The simplified boundaries still tile the land: no gaps, no overlaps, shared edges identical.

Fast, no browser. The tiles are Changchun's county-level units and the neighbouring
prefectures (the official polygons that contain no other); the province and Changchun's own
outline contain them and are checked for displacement only.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import simplify
from geo.bench import displacement_m
from geo.plan import to_equal_area
from geo.simplify import TOLERANCE_M, max_displacement_m
from geo.topology import QUANTUM

LAYERS = Path(__file__).resolve().parent.parent / "layers"
LIMIT_M = 50.0  # the most a simplified boundary may move


@pytest.fixture(scope="module")
def official(plan):
    return [f for f in plan.features if f.basis == "official" and f.geometry.geom_type.endswith("Polygon")]


@pytest.fixture(scope="module")
def counties(plan):
    return plan.layer_features("counties")


@pytest.fixture(scope="module")
def tiles(plan, counties):
    """Counties plus the prefectures that contain no county (Changchun's neighbours)."""
    inside = [c.geometry.representative_point() for c in counties]
    neighbours = [f for f in plan.layer_features("prefectures") if not any(f.geometry.contains(p) for p in inside)]
    assert counties and neighbours, "expected Changchun's counties and its neighbouring prefectures"
    return counties + neighbours


def _ea(geoms, features):
    return [to_equal_area(geoms[f.id]) for f in features]


def _segments(geom) -> set:
    """Every boundary edge as an unordered pair of vertices."""
    out = set()
    for ring in shapely.get_rings(shapely.get_parts(geom)):
        c = [tuple(p) for p in shapely.get_coordinates(ring).tolist()]
        out.update(frozenset(pair) for pair in itertools.pairwise(c) if pair[0] != pair[1])
    return out


def test_the_tiles_form_a_valid_coverage(geoms, tiles):
    simple = [geoms[f.id] for f in tiles]
    assert shapely.coverage_is_valid(simple)
    assert all(e.is_empty for e in shapely.coverage_invalid_edges(simple))
    # the same in metres, and with no gap narrower than 100 m between neighbours
    ea = _ea(geoms, tiles)
    assert shapely.coverage_is_valid(ea, gap_width=100.0)
    assert all(e.is_empty for e in shapely.coverage_invalid_edges(ea, gap_width=100.0))


def test_no_overlap_union_area_is_the_sum(geoms, counties, tiles):
    for group in (counties, tiles):
        ea = _ea(geoms, group)
        total = sum(g.area for g in ea)
        union = shapely.union_all(ea).area
        assert abs(union - total) <= 1e-9 * total, (union, total)


def test_no_new_holes_between_the_tiles(plan, geoms, tiles):
    """The union of the simplified tiles has no hole that the original union lacks."""
    def holes(gs):
        u = shapely.union_all(gs)
        return sum(len(p.interiors) for p in shapely.get_parts(u))

    assert holes([geoms[f.id] for f in tiles]) <= holes([f.geometry for f in tiles])


def test_every_shared_edge_is_identical(plan, geoms, tiles):
    pairs = 0
    for a, b in itertools.combinations(tiles, 2):
        if not a.geometry.intersects(b.geometry):
            continue
        sa, sb = geoms[a.id], geoms[b.id]
        inter = sa.intersection(sb)
        assert inter.area == 0, f"{a.id} and {b.id} overlap after simplification"
        line = sa.boundary.intersection(sb.boundary)
        if line.length == 0:  # they only touch at a point
            continue
        pairs += 1
        shared = _segments(sa) & _segments(sb)
        assert shared, f"{a.id} and {b.id} share no identical edge"
        shared_length = sum(float(np.hypot(*np.subtract(*list(s)))) for s in shared)
        # the common boundary is made of exactly the edges both have: nothing half-matched
        assert shared_length == pytest.approx(line.length, rel=1e-9), (a.id, b.id)
    assert pairs >= 10, f"only {pairs} neighbouring pairs found"


def test_neighbours_stay_neighbours(plan, geoms, tiles):
    for a, b in itertools.combinations(tiles, 2):
        if a.geometry.boundary.intersection(b.geometry.boundary).length > 0.01:  # a long common border
            assert geoms[a.id].boundary.intersection(geoms[b.id].boundary).length > 0, (a.id, b.id)


def test_max_displacement_within_limit(plan, geoms, official):
    worst = max(displacement_m(f.geometry, geoms[f.id]) for f in official)
    assert 0 < worst <= LIMIT_M
    assert TOLERANCE_M <= LIMIT_M


def test_displacement_states_its_limit_in_geo_simplify(plan, geoms, official):
    limit = getattr(simplify, "MAX_DISPLACEMENT_M", None)
    if limit is None:
        pytest.skip("geo.simplify does not define MAX_DISPLACEMENT_M yet (the limit is 50 m)")
    assert limit <= LIMIT_M
    assert max(displacement_m(f.geometry, geoms[f.id]) for f in official) <= limit


def test_fast_displacement_equals_geo_simplify(plan, geoms, counties):
    """geo.bench.displacement_m is max_displacement_m (GEOS Hausdorff), only faster."""
    for f in counties[:4]:
        assert displacement_m(f.geometry, geoms[f.id]) == pytest.approx(
            max_displacement_m(f.geometry, geoms[f.id]), rel=1e-9, abs=1e-6)


def test_simplification_removes_vertices(geoms, official):
    before = sum(shapely.get_num_coordinates(f.geometry) for f in official)
    after = sum(shapely.get_num_coordinates(geoms[f.id]) for f in official)
    assert after < before


def test_derived_belts_are_the_union_of_their_simplified_members(plan, geoms):
    derived = [f for f in plan.features if (f.props.get("derive") or {}).get("op") == "union"]
    assert derived
    assert sum(f.tiling for f in derived) >= 10
    for f in derived:
        members = [geoms[str(m)] for m in f.props["derive"]["from"]]
        union = shapely.union_all(members)
        if f.tiling:  # made of official boundaries: exactly, every vertex one of theirs
            assert geoms[f.id].equals(union), f.id
            assert geoms[f.id].symmetric_difference(union).area == 0, f.id
        else:  # districts and schematic circles: where they cross, a new vertex, onto the page grid
            assert shapely.hausdorff_distance(geoms[f.id], union) <= QUANTUM / 2 * 2 ** 0.5 + 1e-12, f.id
