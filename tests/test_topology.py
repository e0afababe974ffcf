"""The page topology and its packing: each border once, nothing lost, the coarse forms still a
coverage, varints round-trip. Fast, no browser."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from geo.pagedata import decode_geometry, geometry_sections, pack, unpack, unvarints, unzigzag, varints, zigzag
from geo.topology import QUANTUM, build_topology

LAYERS = Path(__file__).resolve().parent.parent / "layers"


@pytest.fixture(scope="module")
def topo(geoms):
    return build_topology(geoms, QUANTUM, geoms.coarse_vertices())


def _edges(a: np.ndarray) -> set:
    return {(p, q) if p < q else (q, p) for p, q in zip(map(tuple, a[:-1].tolist()), map(tuple, a[1:].tolist()))}


def test_every_border_is_stored_once(plan, geoms, topo):
    """No edge is in two arcs, and the arcs hold exactly the edges of the page polygons."""
    seen: set = set()
    total = 0
    for i in range(topo.arcs):
        e = _edges(topo.arc(i))
        assert not (e & seen), f"arc {i} repeats an edge of another arc"
        seen |= e
        total += len(e)
    assert total == len(seen)
    page_edges: set = set()
    for g in geoms.values():
        for ring in shapely.get_rings(shapely.get_parts(g)) if g.geom_type.endswith("Polygon") else \
                shapely.get_parts(g) if g.geom_type.endswith("LineString") else []:
            page_edges |= _edges(np.rint(shapely.get_coordinates(ring) / QUANTUM).astype(np.int64))
    assert page_edges == seen
    # far fewer vertices than the polygons have between them: the shared borders count once
    polys = sum(int(shapely.get_num_coordinates(g)) for g in geoms.values() if g.geom_type.endswith("Polygon"))
    assert len(topo.xy) < 0.6 * polys, (len(topo.xy), polys)


def test_shared_borders_share_arcs(plan, topo):
    """Neighbouring districts use one arc for their common border, one of them backwards."""
    counties = plan.layer_features("counties")
    shared = 0
    for a, b in itertools.combinations(counties, 2):
        ra = {r if r >= 0 else ~r for ring in _rings(topo, a.id) for r in ring}
        rb = {r if r >= 0 else ~r for ring in _rings(topo, b.id) for r in ring}
        shared += bool(ra & rb)
    assert shared >= 10


def _rings(topo, fid):
    t, refs = topo.shapes[fid]
    return [r for p in refs for r in p] if t == "MultiPolygon" else refs


def test_the_topology_gives_back_every_page_geometry(plan, geoms, topo):
    for f in plan.features:
        t, c = topo.coords(f.id)
        assert shape({"type": t, "coordinates": c}).equals(geoms[f.id]), f.id


def test_coarse_forms_are_valid_and_still_a_coverage(plan, geoms, topo):
    coarse = {}
    for f in plan.features:
        if f.geometry.geom_type.endswith("Polygon"):
            t, c = topo.coords(f.id, coarse=True)
            coarse[f.id] = shape({"type": t, "coordinates": c})
            assert coarse[f.id].is_valid, (f.id, shapely.is_valid_reason(coarse[f.id]))
    tiles = [coarse[f.id] for f in plan.layer_features("counties")]
    assert shapely.coverage_is_valid(tiles)
    assert topo.keep.sum() < 0.2 * len(topo.keep)


def test_containers_are_their_tiles(plan, geoms):
    """Changchun's outline is the union of its districts; the province's outline follows the
    prefectures' borders where they meet it (a remainder tile fills the rest)."""
    assert "220100" in geoms.tiled and "220000" in geoms.tiled
    union = shapely.union_all([geoms[f.id] for f in plan.layer_features("counties")])
    assert geoms["220100"].symmetric_difference(union).area < 1e-12


def test_pack_round_trip(plan, geoms, topo):
    fids = [f.id for f in plan.features]
    doc = {"quantum": QUANTUM,
           "features": [{"id": f, "g": {"t": geoms[f].geom_type}, "name": "<\u2028&"} for f in fids]}
    text = pack(doc, geometry_sections(topo, fids))
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    back, sections = unpack(text)
    decode_geometry(back, sections)
    for f in back["features"]:
        assert f["name"] == "<\u2028&"
        t, c = topo.coords(f["id"])
        latlon = _swap(c)
        assert f["g"]["c"] == latlon, f["id"]


def _swap(c):
    if isinstance(c[0], (int, float)):
        return [c[1], c[0]]
    return [_swap(x) for x in c]


@given(st.lists(st.integers(-(2**40), 2**40), max_size=200))
@settings(max_examples=200, deadline=None)
def test_varints_round_trip(values):
    assert unzigzag(unvarints(varints(zigzag(np.array(values, dtype=np.int64))))).tolist() == values


def test_varint_bytes():
    assert varints([0, 1, 127, 128, 300]) == bytes([0, 1, 127, 0x80, 1, 0xAC, 2])
    assert zigzag(np.array([0, -1, 1, -2])).tolist() == [0, 1, 2, 3]


def test_the_boundary_cache_gives_the_same_pages(tmp_path, monkeypatch):
    """A build that finds the simplified boundaries in the cache writes the same bytes as one
    that simplifies them, and does not simplify them."""
    import geo.simplify
    from geo.build import build_maps

    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    build_maps(LAYERS, tmp_path / "cold", only={"six-cities.html"})
    assert len([p for p in (tmp_path / "cache").glob("*.bin") if len(p.stem) == 64]) == 1

    def no(*a, **k):
        raise AssertionError("simplified again despite the cache")

    monkeypatch.setattr(geo.simplify, "_simplify_official", no)
    build_maps(LAYERS, tmp_path / "warm", only={"six-cities.html"})
    assert (tmp_path / "warm" / "six-cities.html").read_bytes() == (tmp_path / "cold" / "six-cities.html").read_bytes()
    monkeypatch.setenv("GEO_CACHE_DIR", "off")
    with pytest.raises(AssertionError, match="despite the cache"):
        build_maps(LAYERS, tmp_path / "off", only={"six-cities.html"})
