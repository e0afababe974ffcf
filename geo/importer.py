"""Bring a GeoPackage, Shapefile or GeoJSON into layers/ as WGS-84 GeoJSON (``import-layer``).

:func:`import_layer_file` does the work (a notebook can call it): read the source through
:func:`geo.layerio.read_layer` (GeoPackage and Shapefile are reprojected from their declared
CRS; a legacy GeoJSON ``crs`` member is honoured too), convert coordinates pasted from a Chinese
map service (``source_datum`` gcj02 or bd09) to WGS-84, tidy the properties into the schema's
shape (JSON ``roles``/``derive``/``aliases`` columns parsed, Shapefile-truncated field names restored,
numeric ids as strings) and write ``layers/NAME.geojson`` atomically. When ``layers.toml``
lists the file, it is validated with the rest of the folder; otherwise the command prints the
``[[layer]]`` entry to paste.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import GEOMETRY_TYPES
from .datum import DATUMS, transform_geometry
from .errors import DataError, GeoError
from .layerio import OGR_SUFFIXES, Feature, read_layer, write_geojson

__all__ = ["ImportResult", "check_name", "import_layer_file", "is_listed", "layer_entry"]

SOURCE_SUFFIXES = (*OGR_SUFFIXES, ".geojson", ".json")
_STYLE = {"Polygon": "area", "LineString": "line", "Point": "point"}


@dataclass
class ImportResult:
    path: Path  # the layer file written
    features: int
    notes: list[str] = field(default_factory=list)  # what was changed on the way in
    listed: bool = False  # layers.toml lists it
    problems: list = field(default_factory=list)  # validation problems of the new file (when listed)
    entry: str = ""  # the [[layer]] TOML to paste (when not listed)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")


def _plain(value):
    """A property value as JSON can hold it: numpy scalars as Python, NaN/NaT/NA as null, dates as text."""
    if type(value).__module__.startswith("numpy") and hasattr(value, "tolist"):
        value = value.tolist()  # a scalar becomes a Python number, an array a list
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _tidy(features: list[Feature], notes: list[str]) -> None:
    """Values JSON can hold, JSON columns parsed, numeric ids as strings. (Shapefile names cut
    to 10 characters are already restored by :func:`geo.layerio.read_layer`.)"""
    ids = 0
    for f in features:
        props = {str(key): _plain(value) for key, value in f.props.items()}
        for key in ("roles", "derive", "aliases"):
            if isinstance(props.get(key), str) and props[key].strip()[:1] in ("[", "{"):
                try:
                    props[key] = json.loads(props[key])
                except ValueError:
                    pass  # validation names it
        if isinstance(props.get("id"), int) and not isinstance(props["id"], bool):
            props["id"] = str(props["id"])
            ids += 1
        f.props = props
    if ids:
        notes.append(f"{ids} numeric id(s) written as strings")


def _geojson_crs(path: Path):
    """The pyproj CRS a legacy GeoJSON ``crs`` member declares; None for none or WGS-84 lon/lat."""
    from pyproj import CRS

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None  # read_layer reports it
    member = doc.get("crs") if isinstance(doc, dict) else None
    if not member:
        return None
    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    try:
        crs = CRS.from_user_input(name)
    except Exception:  # noqa: BLE001 - pyproj raises CRSError and friends
        raise DataError(f"{path}: cannot understand its crs member {json.dumps(member)}") from None
    if crs.is_geographic and crs.equals("EPSG:4326", ignore_axis_order=True):
        return None  # GeoJSON coordinates are lon, lat whatever the axis order says
    return crs


def _read(src: Path, source_datum: str, notes: list[str]) -> list[Feature]:
    if src.suffix.lower() not in SOURCE_SUFFIXES:
        raise DataError(f"{src}: cannot import a {src.suffix or 'suffix-less'} file; "
                        f"use a GeoPackage (.gpkg), Shapefile (.shp) or GeoJSON (.geojson)")
    if src.suffix.lower() in OGR_SUFFIXES:
        return read_layer(src, datum=source_datum)  # reprojects, then converts the datum
    features = read_layer(src, any_crs=True)
    crs = _geojson_crs(src)
    if crs is not None:
        import shapely
        from pyproj import Transformer

        to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        for f in features:
            if f.geometry is not None:
                f.geometry = shapely.transform(f.geometry, lambda xy: _stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
        notes.append(f"reprojected from {crs.to_string()} (its crs member) to WGS-84")
    if source_datum != "wgs84":
        for f in features:
            f.geometry = transform_geometry(f.geometry, DATUMS[source_datum])
    return features


def _stack(pair):
    import numpy as np

    return np.column_stack(pair)


def layer_entry(name: str, features: list[Feature]) -> str:
    """A ``[[layer]]`` entry for ``layers.toml`` describing the features of ``name``."""
    present = {f.geometry.geom_type for f in features if f.geometry is not None and not f.geometry.is_empty}
    families = [g for g in ("Polygon", "LineString", "Point") if g in present or f"Multi{g}" in present]
    # polygons and lines: both the single and the multi type (an edit in QGIS may make either)
    geometry = [g for g in GEOMETRY_TYPES if g in present or (g.removeprefix("Multi") in families
                                                              and "Point" not in g)] or ["Point"]
    stem = Path(name).stem
    style = _STYLE[families[0]] if families else "point"

    def q(text):
        return json.dumps(text, ensure_ascii=False)

    return "\n".join([
        "[[layer]]",
        f"id = {q(stem)}",
        f"file = {q(name)}",
        f"title_en = {q(stem.replace('-', ' ').replace('_', ' ').capitalize())}",
        'title_zh = ""',
        f"geometry = [{', '.join(q(g) for g in geometry)}]",
        f"style = {q(style)}  # area, outline, line or point",
    ])


def check_name(name: str) -> str:
    if Path(name).name != name or name.startswith(".") or not name.endswith(".geojson") or name == ".geojson":
        raise DataError(f"{name!r} must be a plain file name ending in .geojson, e.g. parks.geojson")
    return name


def import_layer_file(src: Path | str, name: str, layers_dir: Path | str = "layers", *,
                      source_datum: str = "wgs84", force: bool = False) -> ImportResult:
    """Import ``src`` as ``layers_dir/name`` (see the module docstring); raises GeoError on failure."""
    src, root = Path(src), Path(layers_dir)
    if source_datum not in DATUMS:
        raise GeoError(f"source datum {source_datum!r} is not one of {', '.join(DATUMS)}")
    target = root / name
    if target.exists() and not force:
        raise GeoError(f"{target} exists; pass --force to replace it")
    if not src.exists():
        raise DataError(f"{src}: file not found")
    notes: list[str] = []
    features = _read(src, source_datum, notes)
    _tidy(features, notes)
    if source_datum != "wgs84":
        notes.append(f"converted from {source_datum.upper()} to WGS-84")
    write_geojson(target, features, name=target.stem)
    result = ImportResult(target, len(features), notes)
    from .catalogue import load_catalogue

    try:
        specs = load_catalogue(root).layers
    except DataError:
        specs = ()  # validation below names the catalogue's faults
        listed = is_listed(root, target)
    else:
        listed = any((root / s.file).resolve() == target.resolve() for s in specs)
    result.listed = listed
    if listed:
        from .validate import validate_report

        report = validate_report(root)
        mine = str(target)
        result.problems = [p for p in report.problems
                           if Path(p.file).resolve() == target.resolve() or mine in p.message]
        spec = next((s for s in specs if (root / s.file).resolve() == target.resolve()), None)
        if spec is not None and spec.datum != "wgs84":
            notes.append(f"warning: layers.toml declares datum = {spec.datum!r} for {name}, but the file is "
                         f"WGS-84 now: remove that datum line, or the maps convert it twice")
    else:
        result.entry = layer_entry(name, features)
    return result


def is_listed(root: Path, target: Path) -> bool:
    import tomllib

    try:
        raw = tomllib.loads((root / "layers.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(isinstance(e, dict) and isinstance(e.get("file"), str)
               and (root / e["file"]).resolve() == target.resolve() for e in raw.get("layer") or [])
