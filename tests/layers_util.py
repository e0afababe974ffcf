"""Layer folders for tests that time or watch builds rather than check the boundaries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import shapely
from shapely.geometry import shape

REPO = Path(__file__).resolve().parent.parent


def light_layers(dest: Path) -> Path:
    """A copy of the real layers with their boundaries simplified to about 1 km (as coverages, so
    still valid): each build takes a tenth of a second instead of two."""
    layers = shutil.copytree(REPO / "layers", dest)
    for name in ("province", "prefectures", "counties"):
        path = layers / f"{name}.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        simple = shapely.coverage_simplify([shape(f["geometry"]) for f in doc["features"]], 0.01)
        for feature, geom in zip(doc["features"], simple):
            feature["geometry"] = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6)))
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return layers
