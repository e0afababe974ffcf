"""Lean page geometry: coverage-safe simplification and coordinate rounding.

Boundaries that tile the land (Changchun's units and the neighbouring prefectures) are
simplified together as a *coverage* with shapely's ``coverage_simplify``, so neighbours keep
sharing their edges exactly: no gaps, no overlaps. The tolerance follows from the maps'
maximum zoom: about one screen pixel there. Simplification happens in the equal-area
projection (metres); coordinates are then rounded to :data:`DECIMALS` places (about 1 m),
which is far below that tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from .plan import Plan, from_equal_area, to_equal_area

__all__ = [
    "DECIMALS",
    "MAX_ZOOM",
    "TOLERANCE_M",
    "max_displacement_m",
    "round_geometry",
    "simplify_plan",
    "tolerance_for_zoom",
]

#: The maps' maximum zoom level.
MAX_ZOOM = 13
#: Below this zoom, pages draw each boundary's coarse form (see :func:`coarsen`).
LOD_ZOOM = 9
#: One pixel at zoom LOD_ZOOM - 1, the largest zoom that draws the coarse forms: about 220 m.
COARSE_TOLERANCE_M = round(2 * math.pi * 6378137 * math.cos(math.radians(44.0)) / (256 * 2 ** (LOD_ZOOM - 1)), 1)
#: The most a simplified boundary may depart from the official one, in metres.
MAX_DISPLACEMENT_M = 50.0
#: Coordinates on pages: 5 decimals is 1.1 m of latitude, 0.8 m of longitude at Changchun.
DECIMALS = 5


def tolerance_for_zoom(zoom: int, lat: float = 44.0) -> float:
    """Metres per screen pixel at ``zoom`` and latitude ``lat`` (Web Mercator, 256-px tiles)."""
    return 2 * math.pi * 6378137 * math.cos(math.radians(lat)) / (256 * 2**zoom)


#: One pixel at MAX_ZOOM at Changchun's latitude, about 13.8 m.
TOLERANCE_M = round(tolerance_for_zoom(MAX_ZOOM), 1)


def round_geometry(geom, decimals: int = DECIMALS):
    """Round every coordinate; polygons that rounding made invalid are repaired."""
    out = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    if not out.is_valid:
        out = shapely.make_valid(out)
    return out


def _polygonal(f) -> bool:
    return f.geometry.geom_type in ("Polygon", "MultiPolygon") and f.basis == "official"


# The last result for the official polygons, per step: a watch rebuilding after an edit to a
# site or a zone gets the boundaries' simplification back instead of computing it again.
_LAST: dict[str, tuple] = {}


def _remembered(step: str, ids, geoms, args, compute) -> dict:
    """``compute()``, or its last result when the ids, the geometries (as WKB) and ``args`` are
    the very same as last time."""
    key = (args, tuple(ids), tuple(shapely.to_wkb(g) for g in geoms))
    last = _LAST.get(step)
    if last is None or last[0] != key:
        last = _LAST[step] = (key, compute())
    return dict(last[1])


def simplify_plan(plan: Plan, tolerance_m: float = TOLERANCE_M, decimals: int = DECIMALS) -> dict:
    """Page geometries for every feature of the plan: ``{feature id: geometry}``.

    Official polygons that tile the land form one coverage (a polygon that contains others,
    such as the province or Changchun's outline, is simplified alone and, when it is the exact
    union of simplified members, replaced by that union); derived areas are recomputed from
    the simplified members so that they keep sharing their edges.
    """
    official = [f for f in plan.features if _polygonal(f)]

    def compute() -> dict:
        tiles, containers = _tiles_and_containers(official)
        out = {}
        if tiles:
            ea = [to_equal_area(f.geometry) for f in tiles]
            simple = shapely.coverage_simplify(ea, tolerance_m, simplify_boundary=True)
            for f, g in zip(tiles, simple):
                out[f.id] = round_geometry(from_equal_area(g), decimals)
        for f, members in containers:
            if members:  # the exact union of tiles: the union of their simplified forms
                out[f.id] = round_geometry(shapely.coverage_union_all([out[t.id] for t in members]), decimals)
            else:
                g = shapely.coverage_simplify([to_equal_area(f.geometry)], tolerance_m)[0]
                out[f.id] = round_geometry(from_equal_area(g), decimals)
        return out

    out = _remembered("simplify", [f.id for f in official], [f.geometry for f in official],
                      (tolerance_m, decimals), compute)
    for f in plan.features:
        if f.id in out:
            continue
        d = f.props.get("derive") or {}
        if d.get("op") == "union" and all(str(m) in out for m in d.get("from", [])):
            out[f.id] = round_geometry(shapely.union_all([out[str(m)] for m in d["from"]]), decimals)
        else:
            out[f.id] = round_geometry(f.geometry, decimals)
    return out


def coarsen(plan: Plan, geoms: dict, tolerance_m: float = COARSE_TOLERANCE_M) -> dict:
    """The forms of the page polygons that pages draw below :data:`LOD_ZOOM`.

    Made from the page geometries themselves, in degrees, so every coarse vertex is one of the
    page vertices (the page carries only which ones, see :mod:`geo.encode`); tiles stay a
    coverage, containers and derived areas are unions of coarse tiles again.
    """
    tol = tolerance_m / 111_320.0
    official = [f for f in plan.features if _polygonal(f)]

    def compute() -> dict:
        tiles, containers = _tiles_and_containers(official)
        out = {}
        if tiles:
            simple = shapely.coverage_simplify([geoms[f.id] for f in tiles], tol, simplify_boundary=True)
            for f, g in zip(tiles, simple):
                out[f.id] = g
        for f, members in containers:
            out[f.id] = shapely.coverage_union_all([out[t.id] for t in members]) if members else \
                shapely.coverage_simplify([geoms[f.id]], tol)[0]
        return out

    # keyed on the originals too: which tiles make up which container follows from them
    out = _remembered("coarsen", [f.id for f in official],
                      [f.geometry for f in official] + [geoms[f.id] for f in official], tol, compute)
    for f in plan.features:
        d = f.props.get("derive") or {}
        if f.id not in out and d.get("op") == "union" and all(str(m) in out for m in d.get("from", [])):
            out[f.id] = shapely.union_all([out[str(m)] for m in d["from"]])
    return out


def _tiles_and_containers(official):
    """Split official polygons into tiles (they do not contain one another) and containers,
    each container with the tiles that make it up exactly (or [] when they do not)."""
    points = {f.id: f.geometry.representative_point() for f in official}
    tiles, containers = [], []
    for f in official:
        shapely.prepare(f.geometry)
        inner = [g for g in official if g is not f and f.geometry.contains(points[g.id])]
        if not inner:
            tiles.append(f)
        else:
            containers.append((f, inner))
    out = []
    for f, inner in containers:
        members = [t for t in tiles if t in inner]
        exact = members and abs(sum(t.geometry.area for t in members) / f.geometry.area - 1) < 1e-9 \
            and all(f.geometry.covers(t.geometry.representative_point()) for t in members)
        out.append((f, members if exact else []))
    return tiles, out


def max_displacement_m(original, simplified) -> float:
    """Hausdorff distance between two WGS-84 geometries, in metres."""
    return float(shapely.hausdorff_distance(to_equal_area(original), to_equal_area(simplified)))
