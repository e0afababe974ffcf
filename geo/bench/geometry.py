"""Simplification numbers and synthetic layers."""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from pathlib import Path

from .common import BOX, SIX_ROLES

# ---------------------------------------------------------------------------------------------
# simplification

def _segments(geom):
    """Every edge of a (projected) polygonal or linear geometry, as 2-point LineStrings."""
    import numpy as np
    import shapely

    parts = shapely.get_parts(geom)
    lines = shapely.get_rings(parts) if geom.geom_type.endswith("Polygon") else parts
    segs = []
    for line in lines:
        c = shapely.get_coordinates(line)
        if len(c) > 1:
            segs.append(np.stack([c[:-1], c[1:]], axis=1))
    return shapely.linestrings(np.concatenate(segs))


def _directed_m(a, b) -> float:
    import shapely

    tree = shapely.STRtree(_segments(b))
    _idx, dist = tree.query_nearest(shapely.points(shapely.get_coordinates(a)), return_distance=True)
    return float(dist.max()) if len(dist) else 0.0


def displacement_m(original, simplified) -> float:
    """The same number as :func:`geo.simplify.max_displacement_m`, fast.

    GEOS's (discrete) Hausdorff distance is the larger of the two directed distances "every
    vertex of one geometry to the nearest point of the other"; here each direction is a
    nearest-edge query in an STR tree, O(n log m) instead of O(n m): 0.3 s instead of about
    40 s for the province. ``tests/test_simplify.py`` checks that the two agree.
    """
    from ..plan import to_equal_area

    a, b = to_equal_area(original), to_equal_area(simplified)
    return max(_directed_m(a, b), _directed_m(b, a))


def simplification_numbers(layers_dir: Path | str = "layers", *, reference: bool = False) -> dict:
    """Tolerance, the largest displacement of an official boundary, vertex counts before/after.

    ``reference``: measure with :func:`geo.simplify.max_displacement_m` (GEOS's Hausdorff,
    slow on the province's 46,000 vertices) as well as with :func:`displacement_m`.
    """
    import shapely

    from ..plan import load_plan
    from ..simplify import MAX_ZOOM, TOLERANCE_M, max_displacement_m, simplify_plan

    plan = load_plan(layers_dir)
    t0 = time.perf_counter()
    geoms = simplify_plan(plan)
    seconds = time.perf_counter() - t0
    official = [f for f in plan.features
                if f.basis == "official" and f.geometry.geom_type.endswith("Polygon")]
    per_layer: dict[str, dict] = {}
    worst, worst_id, ref = 0.0, "", None
    t0 = time.perf_counter()
    if reference:
        ref = max(max_displacement_m(f.geometry, geoms[f.id]) for f in official)
    ref_seconds = time.perf_counter() - t0
    for f in official:
        d = displacement_m(f.geometry, geoms[f.id])
        if d > worst:
            worst, worst_id = d, f.id
        row = per_layer.setdefault(f.layer.id, {"features": 0, "before": 0, "after": 0, "max_m": 0.0})
        row["features"] += 1
        row["before"] += int(shapely.get_num_coordinates(f.geometry))
        row["after"] += int(shapely.get_num_coordinates(geoms[f.id]))
        row["max_m"] = max(row["max_m"], d)
    polys = [f for f in plan.features if f.geometry.geom_type.endswith("Polygon")]
    return {
        "tolerance_m": TOLERANCE_M, "max_zoom": MAX_ZOOM, "seconds": seconds,
        "max_displacement_m": worst if ref is None else max(worst, ref), "worst_feature": worst_id,
        "reference_m": ref, "reference_seconds": ref_seconds,
        "official_before": sum(r["before"] for r in per_layer.values()),
        "official_after": sum(r["after"] for r in per_layer.values()),
        "all_before": sum(int(shapely.get_num_coordinates(f.geometry)) for f in polys),
        "all_after": sum(int(shapely.get_num_coordinates(geoms[f.id])) for f in polys),
        "per_layer": per_layer,
    }



# ---------------------------------------------------------------------------------------------
# synthetic layers

def _hexagon(lon: float, lat: float, r_deg: float) -> list:
    kx = 1 / math.cos(math.radians(lat))  # keep it round on the ground
    ring = [[round(lon + r_deg * kx * math.cos(math.radians(a)), 5), round(lat + r_deg * math.sin(math.radians(a)), 5)]
            for a in range(0, 360, 60)]
    return ring + [ring[0]]


def synthetic_features(kind: str, n: int, seed: int = 20211218) -> list[dict]:
    """``n`` GeoJSON features inside :data:`BOX`: random points, or a grid of small hexagons.

    Each takes one six-cities role (round robin) with a valid part and source, so the layers
    validate cleanly and every feature is on the overview.
    """
    west, south, east, north = BOX
    feats = []
    if kind == "points":
        rnd = random.Random(seed)
        coords = [{"type": "Point",
                   "coordinates": [round(rnd.uniform(west, east), 5), round(rnd.uniform(south, north), 5)]}
                  for _ in range(n)]
    elif kind == "polygons":
        cols = max(1, math.ceil(math.sqrt(n * (east - west) / (north - south))))
        rows = math.ceil(n / cols)
        dx, dy = (east - west) / cols, (north - south) / rows
        r = 0.4 * min(dx * math.cos(math.radians(44.4)), dy)
        coords = [{"type": "Polygon", "coordinates": [_hexagon(west + (i % cols + 0.5) * dx,
                                                               south + (i // cols + 0.5) * dy, r)]}
                  for i in range(n)]
    else:
        raise ValueError(f"kind must be points or polygons, not {kind!r}")
    word_en, word_zh = ("site", "合成点") if kind == "points" else ("cell", "合成区")
    for i, geom in enumerate(coords):
        role = SIX_ROLES[i % len(SIX_ROLES)]
        feats.append({"type": "Feature", "properties": {
            "id": f"syn-{i:06d}", "name_en": f"Synthetic {word_en} {i}",
            "name_zh": f"{word_zh}{i}", "kind": "site" if kind == "points" else "zone",
            "roles": [{"role": role, "part": "site" if kind == "points" else "member",
                       "source": f"seed002-{role}"}],
            "geometry_basis": "schematic", "position_error_m": 1000}, "geometry": geom})
    return feats


def write_synthetic_layers(layers_dir: Path | str, dest: Path | str, kind: str, n: int) -> Path:
    """A copy of ``layers_dir`` in ``dest`` with a ``synthetic`` layer of ``n`` features added."""
    src, dest = Path(layers_dir), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    fc = {"type": "FeatureCollection", "name": "synthetic", "features": synthetic_features(kind, n)}
    (dest / "synthetic.geojson").write_text(
        json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    point = kind == "points"
    block = (
        "\n\n[[layer]]\n"
        'id = "synthetic"\n'
        'file = "synthetic.geojson"\n'
        f'title_en = "Synthetic {"sites" if point else "cells"} (benchmark)"\n'
        f'title_zh = "{"合成点" if point else "合成区"}"\n'
        f'geometry = {json.dumps(["Point"] if point else ["Polygon", "MultiPolygon"])}\n'
        f'style = "{"point" if point else "area"}"\n')
    with open(dest / "layers.toml", "a", encoding="utf-8") as fh:
        fh.write(block)
    return dest
