"""Reading and writing layer files.

GeoJSON is read with the standard json module (so that errors can name line and column) and
written in a diff-friendly form: one feature per block, properties indented, each geometry on
one line, coordinates rounded to 7 decimals (about 1 cm). GeoPackage and Shapefile layers are
read through pyogrio and reprojected from their declared CRS to WGS-84.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from .datum import DATUMS, transform_geometry
from .errors import DataError

__all__ = [
    "OGR_SUFFIXES",
    "Feature",
    "atomic_write",
    "crs_problem",
    "feature_collection",
    "read_layer",
    "staged_write",
    "write_geojson",
]

OGR_SUFFIXES = (".gpkg", ".shp")
#: The feature properties of the layer schema (docs/schema.md).
SCHEMA_NAMES = ("id", "name_en", "name_zh", "kind", "roles", "geometry_basis", "derive",
                "schematic_area_km2", "position_error_m", "position_source", "geometry_source",
                "area_published_km2", "area_source", "description", "aliases", "since", "until", "dates_source")
STORE_DECIMALS = 7


@dataclass
class Feature:
    """One feature of a layer: its properties and its shapely geometry (None when derived)."""

    props: dict
    geometry: object = None
    layer: str = ""
    index: int = 0

    @property
    def id(self) -> str:
        return str(self.props.get("id", ""))


def _polygon(rings):
    shell, *holes = (np.asarray(r, dtype=float) for r in rings)
    return shapely.polygons(shell, holes=[shapely.linearrings(h) for h in holes] or None)


def geometry_from_json(gj: dict):
    """A shapely geometry from a GeoJSON geometry object, building rings from numpy arrays
    (several times faster than ``shapely.geometry.shape`` on large boundaries)."""
    t, c = gj.get("type"), gj.get("coordinates")
    if t == "Polygon" and c:
        return _polygon(c)
    if t == "MultiPolygon" and c and all(c):
        return shapely.multipolygons([_polygon(p) for p in c])
    if t == "LineString" and c:
        return shapely.linestrings(np.asarray(c, dtype=float))
    return shape(gj)


# Parsed GeoJSON documents, keyed by (path, modification time, size): a build validates the
# layers and then loads them, and each big boundary file is parsed once for both.
_PARSED: dict = {}


def file_stamp(path: Path) -> tuple:
    """A key that changes whenever the file does (take it before reading the file)."""
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def remember_json(stamp: tuple, doc) -> None:
    if len(_PARSED) >= 32:
        _PARSED.clear()
    _PARSED[stamp] = doc


def crs_problem(member) -> tuple[str, str]:
    """The CRS a GeoJSON ``crs`` member names, and what is wrong with it ("" when it names WGS-84
    longitude/latitude: CRS84, or EPSG:4326 as QGIS and GDAL write it, which RFC 7946 would leave
    out but which means what RFC 7946 GeoJSON means)."""
    import pyproj

    if not isinstance(member, dict) or member.get("type") != "name":
        return str(member)[:80], "not a named CRS"
    props = member.get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        return str(member)[:80], "it names no CRS"
    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        return name, "not a CRS pyproj knows"
    if crs.equals("OGC:CRS84", ignore_axis_order=True):
        return name, ""
    return name, f"{crs.name}, not WGS-84 longitude/latitude"


def _read_geojson(path: Path, any_crs: bool = False) -> list[Feature]:
    stamp = file_stamp(path)
    data = _PARSED.get(stamp)
    try:
        if data is None:
            data = json.loads(path.read_text(encoding="utf-8"))
            remember_json(stamp, data)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DataError(f"{path}: not a GeoJSON FeatureCollection")
    if "crs" in data and not any_crs and (fault := crs_problem(data["crs"]))[1]:
        raise DataError(f"{path}: its crs {fault[0]!r} is {fault[1]}")
    feats = data.get("features") or []
    points = plain_points([f.get("geometry") for f in feats])
    out = []
    for i, f in enumerate(feats):
        props = dict(f.get("properties") or {})
        if "id" not in props and "id" in f:
            props["id"] = f["id"]
        geom = points.get(i)
        if geom is None and f.get("geometry"):
            geom = geometry_from_json(f["geometry"])
        out.append(Feature(props, geom, path.stem, i))
    return out


def plain_points(geometries: list) -> dict:
    """The plain 2-D Points among GeoJSON ``geometries`` (anything else is skipped), made in one
    call: index -> Point."""
    idx, coords = plain_point_rows(geometries)
    if not idx:
        return {}
    return dict(zip(idx, shapely.points(np.asarray(coords, dtype=float)).tolist()))


def plain_point_rows(geometries: list) -> tuple[list, list]:
    """(indices, coordinates) of the plain 2-D Points among GeoJSON ``geometries``: Point objects
    whose coordinates are two numbers."""
    coords = [g.get("coordinates") if type(g) is dict and g.get("type") == "Point" else None for g in geometries]
    idx = [i for i, c in enumerate(coords)
           if type(c) is list and len(c) == 2 and type(c[0]) in _NUMERIC and type(c[1]) in _NUMERIC]
    return idx, [coords[i] for i in idx]


_NUMERIC = (float, int)


def _read_ogr(path: Path, datum: str = "wgs84") -> list[Feature]:
    import pyogrio

    try:
        df = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several kinds; all mean "cannot read"
        raise DataError(f"{path}: cannot read: {exc}") from None
    if df.crs is None:
        hint = "add a .prj file beside it" if path.suffix.lower() == ".shp" else "save it again with a CRS"
        raise DataError(f"{path}: no CRS declared ({hint}, e.g. EPSG:4326 in QGIS)")
    if not df.crs.equals("EPSG:4326"):
        df = df.to_crs("EPSG:4326")
    # Shapefile field names stop at 10 characters: give the schema's names back
    short = {name[:10]: name for name in SCHEMA_NAMES if len(name) > 10}
    df = df.rename(columns={c: short[c] for c in df.columns if c in short and path.suffix.lower() == ".shp"})
    out = []
    columns = [c for c in df.columns if c != "geometry"]
    for i, (values, geom) in enumerate(zip(df[columns].itertuples(index=False, name=None), df.geometry)):
        props = dict(zip(columns, values))
        for k, v in list(props.items()):
            if hasattr(v, "item") and not isinstance(v, (str, bytes)):
                v = props[k] = v.item()  # numpy scalars to Python numbers
            if isinstance(v, str) and k in ("roles", "derive", "aliases"):
                try:
                    props[k] = json.loads(v)
                except json.JSONDecodeError:
                    pass
            elif isinstance(v, float) and math.isnan(v):
                props[k] = None
        if datum != "wgs84" and geom is not None:
            geom = transform_geometry(geom, DATUMS[datum])
        out.append(Feature(props, geom, path.stem, i))
    return out


def read_layer(path: Path | str, datum: str = "wgs84", *, any_crs: bool = False) -> list[Feature]:
    """Read a layer file (GeoJSON, GeoPackage or Shapefile) into Features in WGS-84.

    A GeoJSON whose ``crs`` member names another CRS is refused, unless ``any_crs`` (the
    importer, which reprojects it)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.suffix.lower() in OGR_SUFFIXES:
        return _read_ogr(path, datum)
    feats = _read_geojson(path, any_crs)
    if datum != "wgs84":
        for f in feats:
            f.geometry = transform_geometry(f.geometry, DATUMS[datum])
    return feats



def _geometry_json(geom, decimals: int) -> str:
    if geom is None:
        return "null"
    gj = mapping(geom)

    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(x), decimals) for x in c]
        return [rnd(x) for x in c]

    return json.dumps({"type": gj["type"], "coordinates": rnd(gj["coordinates"])},
                      separators=(",", ":"))


def _props_json(props: dict) -> str:
    """Properties one per line; each role assignment (or other small object) on one line."""
    if not props:
        return "{}"
    lines = []
    for k, v in props.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            items = ",\n".join("      " + json.dumps(x, ensure_ascii=False) for x in v)
            val = "[\n" + items + "\n    ]"
        else:
            val = json.dumps(v, ensure_ascii=False)
        lines.append(f"    {json.dumps(k, ensure_ascii=False)}: {val}")
    return "{\n" + ",\n".join(lines) + "\n  }"


def feature_collection(features, decimals: int = STORE_DECIMALS, name: str | None = None) -> str:
    """Serialise Features as diff-friendly RFC 7946 GeoJSON text."""
    blocks = []
    for f in features:
        props = _props_json(f.props)
        blocks.append('{\n  "type": "Feature",\n  "properties": ' + props
                      + ',\n  "geometry": ' + _geometry_json(f.geometry, decimals) + "\n}")
    head = '{"type": "FeatureCollection",' + (f' "name": {json.dumps(name)},' if name else "")
    return head + ' "features": [\n' + ",\n".join(blocks) + "\n]}\n"


def staged_write(path: Path | str, text: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to a temporary file beside ``path`` and return it:
    ``os.replace(tmp, path)`` then puts it in place at once (or unlink it to give up). Lets
    several files change together."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path | str, text: str | bytes) -> None:
    """Write text (UTF-8) or bytes to path through a temporary file and a rename: never half a file."""
    tmp = staged_write(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_geojson(path: Path | str, features, name: str | None = None) -> None:
    atomic_write(path, feature_collection(features, name=name))
