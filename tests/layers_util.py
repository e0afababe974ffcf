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
    # the units and prefectures that tile the land, as one coverage (derived outlines have no
    # geometry to simplify); the province on its own
    for names in (("prefectures", "counties", "other-units"), ("province",)):
        docs = {n: json.loads((layers / f"{n}.geojson").read_text(encoding="utf-8")) for n in names}
        drawn = [f for n in names for f in docs[n]["features"] if f["geometry"]]
        simple = shapely.coverage_simplify([shape(f["geometry"]) for f in drawn], 0.01)
        for feature, geom in zip(drawn, simple):
            feature["geometry"] = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6)))
        for n, doc in docs.items():
            (layers / f"{n}.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return layers
