"""Lean page geometry: coverage-safe simplification and coordinate rounding.

Boundaries that tile the land (Changchun's units and the neighbouring prefectures) are
simplified together as a *coverage* with shapely's ``coverage_simplify``, so neighbours keep
sharing their edges exactly: no gaps, no overlaps. The tolerance follows from the maps'
maximum zoom: about one screen pixel there. Simplification happens in the equal-area
projection (metres); coordinates then go to the page grid (:data:`geo.topology.QUANTUM`,
about 4 m), a third of that tolerance.
"""

from __future__ import annotations

import math
import operator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from . import cache
from .plan import Plan, dissolve, from_equal_area, to_equal_area
from .topology import QUANTUM, quantise

__all__ = [
    "MAX_ZOOM",
    "TOLERANCE_M",
    "PageGeometry",
    "max_displacement_m",
    "round_geometry",
    "simplify_plan",
    "tolerance_for_zoom",
]

#: The maps' maximum zoom level.
MAX_ZOOM = 13
#: Below this zoom, pages draw each boundary's coarse form (see :mod:`geo.topology`).
LOD_ZOOM = 9
#: One pixel at zoom LOD_ZOOM - 1, the largest zoom that draws the coarse forms: about 220 m.
COARSE_TOLERANCE_M = round(2 * math.pi * 6378137 * math.cos(math.radians(44.0)) / (256 * 2 ** (LOD_ZOOM - 1)), 1)
#: The most a simplified boundary may depart from the official one, in metres.
MAX_DISPLACEMENT_M = 50.0


def tolerance_for_zoom(zoom: int, lat: float = 44.0) -> float:
    """Metres per screen pixel at ``zoom`` and latitude ``lat`` (Web Mercator, 256-px tiles)."""
    return 2 * math.pi * 6378137 * math.cos(math.radians(lat)) / (256 * 2**zoom)


#: One pixel at MAX_ZOOM at Changchun's latitude, about 13.8 m.
TOLERANCE_M = round(tolerance_for_zoom(MAX_ZOOM), 1)


def round_geometry(geom, q: float = QUANTUM):
    """Every coordinate on the page grid (:data:`geo.topology.QUANTUM`); polygons that this
    made invalid are repaired."""
    out = quantise(geom, q)
    if not out.is_valid:
        out = shapely.make_valid(out)
    return out


def _polygonal(f) -> bool:
    return f.basis == "official" and f.geometry.geom_type in ("Polygon", "MultiPolygon")


class PageGeometry(dict):
    """``{feature id: page geometry}``, and how they were made: ``coverage``, the simplified
    polygons that tile the land (with the remainders of containers they do not fill), and
    ``tiled``, the ids of the features made of them (whose borders lie on the coverage's)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.coverage: list = []
        self.coarse_coverage: list | None = None
        self.tiled: set = set()
        self.tiles: set = set()  # the ids of the coverage's own polygons (not their unions)

    def coarse_vertices(self, tolerance_m: float = COARSE_TOLERANCE_M) -> list:
        """The coarse forms of the page polygons, for :func:`geo.topology.build_topology`:
        the coverage simplified again as a coverage (so neighbours keep sharing their borders),
        every other polygon alone; in degrees, so each keeps a subset of the page vertices."""
        tol = tolerance_m / 111_320.0
        if self.coarse_coverage is not None and tolerance_m == COARSE_TOLERANCE_M:
            out = list(self.coarse_coverage)
        else:
            out = _coarse(self.coverage, tolerance_m)
        rest = self._untiled_polygons()
        if rest:
            out += list(shapely.simplify(rest, tol, preserve_topology=True))
        return out

    def _untiled_polygons(self) -> list:
        """The polygons outside the coverage, in order: found with shapely's type ids, not one
        geometry at a time (a plan of 100,000 sites has a few dozen)."""
        shapes = np.empty(len(self), dtype=object)
        shapes[:] = list(self.values())
        polygon = np.isin(shapely.get_type_id(shapes), _POLYGONS)
        untiled = np.fromiter(map(operator.not_, map(self.tiled.__contains__, self)), dtype=bool, count=len(self))
        return shapes[polygon & untiled].tolist()


_POLYGONS = [int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)]


def simplify_plan(plan: Plan, tolerance_m: float = TOLERANCE_M, q: float = QUANTUM, *,
                  use_cache: bool = True) -> dict:
    """Page geometries for every feature of the plan: ``{feature id: geometry}`` (a
    :class:`PageGeometry`), on the grid.

    Official polygons that tile the land form one coverage. A polygon that contains others
    (the province, Changchun's outline) is the union of the simplified polygons inside it, plus,
    where they do not fill it (the province beyond the prefectures on the map), a remainder
    simplified in the same coverage: every border is then shared exactly, whichever outline
    draws it. Derived areas are recomputed from the simplified members. The official part, with
    the unions made of it alone, comes from :mod:`geo.cache` when the official polygons (and
    those unions' members) are those of an earlier build.
    """
    official = [f for f in plan.features if _polygonal(f)]
    unions = [f for f in plan.features if "derive" in f.props and _union_of(f) and not _polygonal(f)]
    # unions of official boundaries only (directly or through other such unions: a prefecture of
    # its units, a plate of prefectures) depend on nothing else: they are remembered with them
    pure = _pure_unions(unions, {f.id for f in official})
    spec = tuple((f.id, tuple(_union_of(f))) for f in pure)
    out = PageGeometry()
    key = cache.key_for(official, tolerance_m, q, spec) if use_cache and official else None
    hit = cache.load(key) if key else None
    if hit is not None:
        meta, stored = hit
        for fid in meta["official"]:
            out[fid] = stored[fid]
        out.coverage = [stored[f"coverage/{k}"] for k in range(meta["coverage"])]
        out.coarse_coverage = [stored[f"coarse/{k}"] for k in range(meta["coverage"])]
        out.tiled.update(meta["tiled"])
        out.tiles.update(meta["tiles"])
    else:
        _simplify_official(out, official, tolerance_m, q)
        out.coarse_coverage = _coarse(out.coverage, COARSE_TOLERANCE_M)
        _make_unions(out, pure, q)
        if key:
            geoms = {fid: out[fid] for fid in out}
            geoms.update({f"coverage/{k}": g for k, g in enumerate(out.coverage)})
            geoms.update({f"coarse/{k}": g for k, g in enumerate(out.coarse_coverage)})
            cache.save(key, {"official": list(out), "coverage": len(out.coverage), "tiled": sorted(out.tiled),
                                   "tiles": sorted(out.tiles)},
                       geoms)
    union_ids = {f.id for f in unions}
    rest = [f for f in plan.features if f.id not in out and f.id not in union_ids]
    # everything else (zones, lines, sites: maybe 100,000 of them) onto the grid at once
    moved = quantise(np.asarray([f.geometry for f in rest], dtype=object), q) if rest else []
    bad = ~shapely.is_valid(moved) if rest else []
    for f, g, b in zip(rest, moved, bad):
        out[f.id] = shapely.make_valid(g) if b else g
    # the other unions (a base of districts and zones), of their members' page forms
    _make_unions(out, [f for f in unions if f.id not in out], q)
    return out


def _simplify_official(out: PageGeometry, official: list, tolerance_m: float, q: float) -> None:
    """Simplify the official polygons into ``out``: the coverage, its containers, the rest alone."""
    tiles, containers = _tiles_and_containers(official)
    rests = _remainders(containers, tiles)

    def projected(rests):
        return [to_equal_area(f.geometry) for f in tiles] + [to_equal_area(r) for _f, r in rests]

    simple = None
    if rests:
        # Whether the remainders and the tiles form a valid coverage is checked on the second core
        # while their projected copies are simplified (GEOS lets go of the GIL; the two threads
        # share no geometry): the result of one after the other, half a second sooner.
        ea = projected(rests)
        with ThreadPoolExecutor(1) as pool:
            valid = pool.submit(shapely.coverage_is_valid, [t.geometry for t in tiles] + [r for _f, r in rests])
            simple = shapely.coverage_simplify(ea, tolerance_m, simplify_boundary=True)
            if not valid.result():  # boundaries drawn from different data: no remainders
                for f, _r in rests:
                    next(m for g, m in containers if g is f).clear()
                rests, simple = [], None
    alone = [f for f, members in containers if not members]
    if tiles:
        if simple is None:
            simple = shapely.coverage_simplify(projected(rests), tolerance_m, simplify_boundary=True)
        for f, g in zip(tiles, simple):
            out[f.id] = round_geometry(from_equal_area(g), q)
        rest = {f.id: round_geometry(from_equal_area(g), q) for (f, _r), g in zip(rests, simple[len(tiles):])}
        out.coverage = [out[f.id] for f in tiles] + list(rest.values())
        out.tiled.update(f.id for f in tiles)
        out.tiles.update(f.id for f in tiles)
        for f, members in containers:
            if members:
                parts = [out[t.id] for t in members] + ([rest[f.id]] if f.id in rest else [])
                out[f.id] = round_geometry(shapely.coverage_union_all(parts), q)
                out.tiled.add(f.id)
    for f in alone:
        g = shapely.coverage_simplify([to_equal_area(f.geometry)], tolerance_m)[0]
        out[f.id] = round_geometry(from_equal_area(g), q)


def _make_unions(out: PageGeometry, unions: list, q: float) -> None:
    """Each union-derived feature of ``unions`` into ``out``, the union of its members' page
    forms, members first (a plate may be made of outlines that are unions themselves)."""
    for f, members in _in_order(unions, out):
        ids = _union_of(f)
        if not members:  # a member with no page form (validation reports it): the stored form
            out[f.id] = round_geometry(f.geometry, q)
            continue
        if all(m in out.tiles for m in ids) and len(set(ids)) == len(ids):  # tiles: a quick union
            out[f.id] = round_geometry(shapely.coverage_union_all(members), q)
        else:  # unions of tiles share their edges too: dissolve tries a coverage union first
            out[f.id] = round_geometry(dissolve(members, all(m in out.tiled for m in ids)), q)
        if all(m in out.tiled for m in ids):
            out.tiled.add(f.id)


def _pure_unions(unions: list, official: set) -> list:
    """The unions made of official boundaries only, directly or through other such unions, in
    the order they can be made."""
    made, out, todo = set(official), [], list(unions)
    while True:
        ready = [f for f in todo if all(m in made for m in _union_of(f))]
        if not ready:
            return out
        for f in ready:
            todo.remove(f)
            made.add(f.id)
            out.append(f)


def _union_of(f) -> list[str]:
    """The ids a union-derived feature is made of ([] for any other feature)."""
    d = f.props.get("derive") or {}
    return [str(m) for m in d.get("from", [])] if d.get("op") == "union" else []


def _in_order(unions: list, forms: dict):
    """Each union-derived feature with its members' forms, members first; [] as forms when a
    member has none."""
    todo = list(unions)
    while todo:
        ready = [f for f in todo if all(m in forms for m in _union_of(f))]
        if not ready:
            for f in todo:
                yield f, []
            return
        for f in ready:
            todo.remove(f)
            yield f, [forms[m] for m in _union_of(f)]


def _coarse(coverage: list, tolerance_m: float) -> list:
    """The coverage simplified again, in degrees (so each keeps a subset of its vertices)."""
    tol = tolerance_m / 111_320.0
    return list(shapely.coverage_simplify(coverage, tol, simplify_boundary=True)) if coverage else []


def _tiles_and_containers(official):
    """Split official polygons into tiles (they do not contain one another) and containers,
    each container with the tiles inside it ([] when none).

    A polygon contains another when it holds the other's representative point and is the
    larger: a district may hold the point of the prefecture around it (Jiutai holds
    Changchun's), which does not make it a container."""
    points = {f.id: f.geometry.representative_point() for f in official}
    areas = {f.id: f.geometry.area for f in official}
    tiles, containers = [], []
    for f in official:
        shapely.prepare(f.geometry)
        inner = [g for g in official if g is not f and areas[g.id] < areas[f.id]
                 and f.geometry.contains(points[g.id])]
        if not inner:
            tiles.append(f)
        else:
            containers.append((f, inner))
    out = []
    for f, inner in containers:
        members = [t for t in tiles if t in inner and f.geometry.covers(t.geometry.representative_point())]
        out.append((f, members))
    return tiles, out


def _remainders(containers, tiles) -> list:
    """For each container its tiles do not fill: (container, the part of it they leave). A
    container whose tiles stick out of it, or whose remainder overlaps another's, has its
    members cleared: it is simplified alone. Whether the remainders and the tiles form a valid
    coverage (boundaries drawn from different data) the caller checks: if not, none is used."""
    out = []
    for f, members in containers:
        if not members:
            continue
        try:
            inside = shapely.coverage_union_all([t.geometry for t in members])
            # tiles that fill it (the province of its nine prefectures' units): no remainder,
            # and no difference of two big outlines that coincide (seconds, for an empty answer)
            if abs(inside.area - f.geometry.area) <= 1e-9 * f.geometry.area and f.geometry.covers(inside):
                continue
            rest = f.geometry.difference(inside)
        except shapely.errors.GEOSException:
            members.clear()
            continue
        if rest.is_empty or rest.area <= 1e-9 * f.geometry.area:
            continue
        # rest = f - inside: inside lies within f exactly when the two areas add up to f's
        within = abs(rest.area + inside.area - f.geometry.area) <= 1e-9 * f.geometry.area
        overlaps = any(rest.intersects(r) and rest.intersection(r).area > 0 for _g, r in out)
        if within and not overlaps:
            out.append((f, rest))
        else:
            members.clear()
    return out


def max_displacement_m(original, simplified) -> float:
    """Hausdorff distance between two WGS-84 geometries, in metres."""
    return float(shapely.hausdorff_distance(to_equal_area(original), to_equal_area(simplified)))
