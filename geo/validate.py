"""Checking the layers before a build: every problem, each on one line, never a traceback.

:func:`validate_layers` reads the catalogue (``layers.toml``), the registry (``roles.toml``,
``sources.toml``) and every layer file the catalogue lists, and returns a :class:`Problem` for
everything wrong: unreadable files, GeoJSON that is not RFC 7946, missing or unknown properties,
ids used twice, broken geometry, coordinates outside the Jilin region. It keeps going after each
problem, so one run shows them all. The feature checks themselves live in :mod:`geo.checks`.

A feature is named by its id, or ``#n`` (its 1-based position in the file) when it has none.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import hashlib
import json
import math
import re
import sys
import tomllib
import warnings
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path

import numpy as np

from . import cache, jsonkeys
from .catalogue import GEOMETRY_TYPES, STYLES, Catalogue, LayerSpec, load_catalogue, where_problem
from .checks import (
    Known,
    check_geometry,
    check_properties,
    check_shape,
    derive_cycle,
    good_points,
    kind_of,
    property_signature,
    truncated_fields,
)
from .checks import did_you_mean as _did_you_mean
from .columns import codes, combined
from .errors import DataError, ValidationFailed
from .layerio import OGR_SUFFIXES, SCHEMA_NAMES, Feature, crs_problem, read_layer
from .pointtable import MAX_PAGE_POINTS
from .registry import Registry, closest, load_registry
from .signature import signature_codes

__all__ = ["MAX_BYTES", "Problem", "Report", "validate_file", "validate_layers", "validate_report"]

MAX_BYTES = 50_000_000
# what load_catalogue / load_registry raise: DataError, or these on TOML of an unexpected shape
# (a [layer] table where [[layer]] belongs, a string where a list belongs, ...)
_LOADER_FAULTS = (DataError, AttributeError, TypeError, KeyError, ValueError, IndexError)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _what(value) -> str:
    """What a JSON value is, for messages: "a 'Feature' object", "an array", ..."""
    if isinstance(value, dict) and "type" in value:
        return f"a {value['type']!r} object"[:80]
    return kind_of(value)


def _one_line(text: str) -> str:
    text = re.sub(r"\s*[\r\n\t]+\s*", " ", text)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates from JSON


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    file: str
    feature: str = ""  # the feature id, "#n" when it has none, "" for the whole file
    prop: str = ""
    message: str = ""
    hint: str = ""

    def line(self) -> str:
        """One line: ``file: feature: prop: level: message (hint: hint)``, empty parts left out."""
        head = [part for part in (self.file, self.feature, self.prop) if part]
        text = ": ".join([*head, self.level, self.message])
        return _one_line(text + (f" (hint: {self.hint})" if self.hint else ""))


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    files: tuple[str, ...]  # every file (and table) looked at
    # what was checked, for the build to use as it is (a file saved since is not read again)
    catalogue: Catalogue | None = field(default=None, compare=False, repr=False)
    registry: Registry | None = field(default=None, compare=False, repr=False)
    layers: dict = field(default_factory=dict, compare=False, repr=False)  # layer id -> [Feature]

    def plan(self):
        """The Plan of exactly what was checked; ValidationFailed when there were errors."""
        from .plan import plan_from

        errors = [p for p in self.problems if p.level == "error"]
        if errors or self.catalogue is None or self.registry is None:
            raise ValidationFailed(errors)
        return plan_from(self.catalogue, self.registry, self.layers)

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)

    def summary(self) -> str:
        def n(count, word):
            return f"{count} {word}{'' if count == 1 else 's'}"
        return f"{n(self.errors, 'error')}, {n(self.warnings, 'warning')} in {n(len(self.files), 'file')}"


class _Run:
    """The state of one validation: the problems so far and every feature id seen."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.ids: dict[str, tuple[str, int]] = {}  # id -> (file, n: its place there, from 1)
        self.derives: list[tuple[str, str, list[str]]] = []  # (file, id, from ids)
        self.unread: list[str] = []  # layer files whose features could not be read
        self.layers: dict[str, list[Feature]] = {}  # layer id -> its features, as checked
        self.catalogue: Catalogue | None = None
        self.registry: Registry | None = None
        self.connections = None  # geo.db.connect.Connections, opened for the first database layer
        self.specs: list[LayerSpec] = []  # the layers being checked
        self.columns: dict[str, dict] = {}  # database URL -> table -> its columns (None: no such table)

    def add(self, level, file, feature="", prop="", message="", hint=""):
        self.problems.append(Problem(level, str(file), str(feature), str(prop), str(message), str(hint)))


# ---------------------------------------------------------------------------------------------
# catalogue and registry

_LAYER_KEYS = tuple(f.name for f in dataclasses.fields(LayerSpec))  # what a [[layer]] may set


def _split_errors(run: _Run, exc: Exception, paths: list[Path], specific: bool = False) -> None:
    """Turn a DataError's lines ("path: what") into Problems of the file each names. Another
    exception (the loader met a shape it did not expect) is reported only when ``specific``
    checks found nothing to say."""
    if not isinstance(exc, DataError):
        if not specific:
            run.add("error", paths[0], message=f"cannot make sense of it ({type(exc).__name__}: {exc})",
                    hint=f"docs/schema.md describes {paths[0].name}")
        return
    for text in str(exc).splitlines():
        path = next((p for p in paths if text.startswith(f"{p}: ")), paths[0])
        message = text.removeprefix(f"{path}: ")
        run.add("error", path, message=message, hint=f"docs/schema.md describes {path.name}")


def _toml(path: Path):
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):  # reported by the strict loader
        return None


def _tables(run: _Run, path: Path, raw: dict, key: str) -> list:
    """raw[key] as a list of [[key]] tables, reporting any other shape."""
    entries = raw.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        run.add("error", path, message=f"'{key}' must be [[{key}]] tables (double brackets), "
                f"not {kind_of(entries)}" + (" of other values" if isinstance(entries, list) else ""),
                hint=f"start each entry with a [[{key}]] line")
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    return entries


_WHERE_HINT = {"file": 'file = "zones.geojson" (a file in the layers folder), or source and table for '
                      "a database layer",
               "source": 'source = "postgresql://user@host:port/db", table = "schema.name"; the password '
                         "comes from PGPASSWORD or ~/.pgpass"}


def _layer_entries(run: _Run, path: Path, raw: dict) -> list[LayerSpec]:
    """Check the [[layer]] tables as written (types, unknown keys); the usable ones as LayerSpecs."""
    root, specs = path.parent, []
    for i, e in enumerate(_tables(run, path, raw, "layer"), 1):
        where = f"layer #{i} ({e.get('id', '?')})"
        for key in e.keys() - set(_LAYER_KEYS):
            near = closest(key, _LAYER_KEYS)
            run.add("warning", path, where, key, f"unknown key {key!r}",
                    f"did you mean {near!r}?" if near else f"keys: {', '.join(_LAYER_KEYS)}")
        for f in dataclasses.fields(LayerSpec):
            value, want = e.get(f.name), {"bool": bool, "int": int, "str": str}.get(str(f.type))
            if f.name in e and want and (not isinstance(value, want) or want is int and value is True
                                          or want is int and value is False):
                what = {bool: "true or false", int: "a whole number", str: "a string"}[want]
                run.add("error", path, where, f.name, f"{f.name} must be {what}, not {value!r}"[:160],
                        "docs/schema.md describes layers.toml")
        file, geometry = e.get("file"), e.get("geometry", [])
        if "geometry" in e and not isinstance(geometry, list):
            run.add("error", path, where, "geometry", f"geometry must be a list, not {geometry!r}",
                    'geometry = ["Polygon", "MultiPolygon"]')
        fault = where_problem(root, e)
        if fault:
            typed = any(k in e and not isinstance(e[k], str) for k in ("file", "source", "table"))
            if not typed:  # a wrong type is reported above
                key = "source" if "source" in fault or "password" in fault else "file"
                run.add("error", path, where, key, fault, _WHERE_HINT[key])
            run.unread.append(f"layers.toml {where}")
            continue
        specs.append(LayerSpec(
            id=str(e.get("id", f"#{i}")), file=file or "", title_en="", title_zh="",
            source=e.get("source", ""), table=e.get("table", ""),
            geometry=tuple(g for g in geometry if g in GEOMETRY_TYPES) if isinstance(geometry, list) else (),
            style=e.get("style") if e.get("style") in STYLES else "", context=e.get("context") is True,
            datum=e.get("datum") if e.get("datum") in ("gcj02", "bd09") else "wgs84"))
    return specs


def _catalogue(run: _Run, root: Path) -> list[LayerSpec] | None:
    """The layer entries of layers.toml (as many as make sense); None when it cannot be parsed."""
    path = root / "layers.toml"
    run.files.append(str(path))
    try:
        catalogue, fault = load_catalogue(root), None
    except _LOADER_FAULTS as exc:
        catalogue, fault = None, exc
    raw, before = _toml(path), len(run.problems)
    specs = _layer_entries(run, path, raw) if isinstance(raw, dict) else None
    covered = {p.feature for p in run.problems[before:] if p.level == "error" and p.feature}
    if isinstance(fault, DataError) and covered:  # the loader's lines on entries already reported
        lines = [line for line in str(fault).splitlines()
                 if not any(line.startswith(f"{path}: {entry}: ") for entry in covered)]
        fault = DataError("\n".join(lines)) if lines else None
    if fault is not None:
        _split_errors(run, fault, [path], specific=len(run.problems) > before)
    elif catalogue is not None and not catalogue.layers:
        run.add("warning", path, message="no [[layer]] entries", hint="add a [[layer]] per layer file")
    if catalogue is not None and specs is not None:  # the loader's specs, for the entries that make sense
        run.catalogue = catalogue
        places = {(s.file, s.source, s.table) for s in specs}
        specs = [s for s in catalogue.layers if (s.file, s.source, s.table) in places]
    return specs


def _known(run: _Run, root: Path) -> Known:
    roles_path, sources_path = root / "roles.toml", root / "sources.toml"
    run.files += [str(roles_path), str(sources_path)]
    try:
        reg = run.registry = load_registry(root)
        return Known(reg.role_ids, tuple(reg.parts), tuple(reg.sources))
    except _LOADER_FAULTS as exc:
        fault = exc
    roles, sources = _toml(roles_path), _toml(sources_path)
    before, role_ids, parts = len(run.problems), None, None
    if isinstance(roles, dict):
        entries = _tables(run, roles_path, roles, "role")
        if isinstance(roles.get("role"), list):
            role_ids = tuple(str(r["id"]) for r in entries if "id" in r)
            if len(set(role_ids)) < len(role_ids):
                role_ids = None  # a copied [[role]]: which id the features mean is anyone's guess
        parts = roles.get("parts", {})
        if not isinstance(parts, dict):
            run.add("error", roles_path, "", "parts", "[parts] must be a table",
                    "a [parts] line, then one line per part")
            parts = None
        for pid, part in (parts or {}).items():
            if isinstance(part, dict) and not isinstance(part.get("weight", 2), int):
                run.add("error", roles_path, f"[parts] {pid}", "weight",
                        f"weight must be a whole number, not {part['weight']!r}", "weight = 2")
    for key, entry in (sources.items() if isinstance(sources, dict) else ()):
        if isinstance(entry, dict) and not isinstance(entry.get("para", 0), int):
            run.add("error", sources_path, f"[{key}]", "para",
                    f"para must be a whole number (a line number), not {entry['para']!r}", "para = 13")
    _split_errors(run, fault, [roles_path, sources_path], specific=len(run.problems) > before)
    return Known(role_ids, tuple(parts) if parts is not None else None,
                 tuple(sources) if isinstance(sources, dict) else None)


# ---------------------------------------------------------------------------------------------
# reading one layer file into (index, props, geometry) records

def _read_geojson(run: _Run, path: Path, data: bytes) -> list | None:
    def add(message, hint="", level="error", prop=""):
        run.add(level, path, "", prop, message, hint)

    if not data.strip():
        add("file is empty", 'an empty layer is {"type": "FeatureCollection", "features": []}')
        return None
    if (nul := data.find(b"\0")) >= 0:
        add(f"binary file (NUL byte at offset {nul}), not GeoJSON text",
            "a .geojson layer is UTF-8 text; is it a GeoPackage or a UTF-16 file with the wrong name?")
        return None
    if data.startswith(codecs.BOM_UTF8):
        add("starts with a UTF-8 byte-order mark (BOM)", "save it as UTF-8 without BOM")
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        add(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}",
            "save it as UTF-8 (QGIS: Export > Save Features As, encoding UTF-8)")
        return None
    dup_keys: list[str] = []

    def pairs(items):
        obj = dict(items)
        if len(obj) != len(items):  # a key twice: find which (rare, so slow is fine)
            seen = set()
            for key, _value in items:
                if key in seen and key not in dup_keys:
                    dup_keys.append(key)
                seen.add(key)
        return obj

    try:
        doc = jsonkeys.loads(text, pairs)  # the hook only when a key may be there twice
    except json.JSONDecodeError as exc:
        add(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            "a missing or extra comma, bracket or quote is the usual cause")
        return None
    except (ValueError, RecursionError) as exc:
        add(f"invalid JSON: {exc}", "save it from QGIS or a JSON-aware editor")
        return None
    for key in dup_keys[:5]:
        add(f"duplicate key {key!r} in a JSON object; only the last one counts", "remove the other one",
            level="warning")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        add(f"not a GeoJSON FeatureCollection (the top level is {_what(doc)})",
            'a layer is {"type": "FeatureCollection", "features": [...]}')
        return None
    if "crs" in doc:
        name, fault = crs_problem(doc["crs"])
        if fault:
            add(f"its crs {name!r} is {fault}"[:200], "save it in WGS-84 (QGIS: Export > Save Features As, "
                "CRS EPSG:4326), or bring it in with python -m geo import-layer, which reprojects", prop="crs")
        else:
            add(f"has a 'crs' member ({name}): read as WGS-84 longitude/latitude, as RFC 7946 GeoJSON is",
                "QGIS and GDAL write it; RFC 7946 leaves it out, and import-layer or db pull drop it",
                level="warning", prop="crs")
    features = doc.get("features")
    if not isinstance(features, list):
        add(f"features must be an array, not {kind_of(features)}", '"features": [...]', prop="features")
        return None
    if len(features) > MAX_PAGE_POINTS:
        add(*_too_many(len(features)), prop="features")
        return None
    records = []
    for i, feat in enumerate(features, 1):
        label = f"#{i}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            run.add("error", path, label, "", f"not a GeoJSON Feature object (it is {_what(feat)})",
                    '{"type": "Feature", "properties": {...}, "geometry": {...}}')
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            if props is not None:
                run.add("error", path, label, "properties",
                        f"properties must be an object, not {kind_of(props)}",
                        '"properties": {"id": ..., "name_en": ..., ...}')
            props = {}
        if "id" not in props and "id" in feat:
            props = {**props, "id": feat["id"]}
        if "crs" in feat:
            run.add("error", path, label, "crs", "has a 'crs' member, which RFC 7946 forbids",
                    "remove it; GeoJSON is WGS-84")
        records.append((i, props, feat.get("geometry")))
    if not features:
        add("the layer has no features", "add features, or remove the layer from layers.toml", "warning")
    return records


def _too_many(n: int) -> tuple[str, str]:
    """The message and hint for a layer larger than a page can draw."""
    return (f"{n:,} features: more than a map can hold and still open quickly "
            f"(at most {MAX_PAGE_POINTS:,} a page; geo.pointtable.MAX_PAGE_POINTS)",
            "split the layer into several layers (by district, year or kind) and give each its own "
            "role or map, or keep a sample; measured sizes are in BENCHMARKS.md")


def _plain(value):
    """A value read by pyogrio as a plain Python value (numpy scalars, NaN and NA to None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _read_ogr(run: _Run, path: Path, spec: LayerSpec) -> list | None:
    from shapely.geometry import mapping

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            features = run.layers[spec.id] = read_layer(path, spec.datum)
        except DataError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            hint = ("save it with a CRS (a .prj beside a .shp); WGS-84 is EPSG:4326" if "CRS" in message
                    else "open it in QGIS to see what is wrong")
            run.add("error", path, message=message, hint=hint)
            return None
    for w in caught[:5]:
        run.add("warning", path, message=f"while reading: {w.message}",
                hint="open the file in QGIS to check it")
    if len(features) > MAX_PAGE_POINTS:
        run.add("error", path, "", "features", *_too_many(len(features)))
        return None
    for key, name in truncated_fields({k for f in features for k in f.props}).items():
        run.add("error", path, "", key, f"field {key!r} is {name!r} cut to 10 characters by the "
                "Shapefile format, so the maps cannot see it", "save the layer as a GeoPackage (.gpkg), "
                "which keeps full field names")
    records = []
    for f in features:
        props = {str(k): _plain(v) for k, v in f.props.items()}
        if isinstance(props.get("derive"), str):
            try:
                props["derive"] = json.loads(props["derive"])
            except ValueError:
                pass
        geometry = None if f.geometry is None else mapping(f.geometry)
        records.append((f.index + 1, props, geometry))
    return records


# ---------------------------------------------------------------------------------------------
# checking

def _read_table(run: _Run, spec: LayerSpec) -> list | None:
    """The rows of a database layer as (index, properties, GeoJSON geometry) records, reading what
    a build reads (the schema's properties, in one query); None when the table cannot be read."""
    import shapely

    from .datum import DATUMS, transform_geometry
    from .db.connect import Connections
    from .db.tables import column_types, read_rows

    where = spec.where
    run.connections = run.connections or Connections()
    try:
        conn = run.connections.get(spec.source)
        if spec.source not in run.columns:  # one catalogue query for all the tables of a database
            tables = list(dict.fromkeys([*(s.table for s in run.specs if s.in_database and s.source == spec.source),
                                         spec.table]))
            run.columns[spec.source] = column_types(conn, tables)
        data = read_rows(conn, spec.table, SCHEMA_NAMES, run.columns[spec.source].get(spec.table))
    except DataError as exc:
        message = str(exc).removeprefix(f"{spec.source}: ")
        hint = ("python -m geo db push URL copies a file layer into the database" if "no table" in message
                else "is the server running, and does the URL in layers.toml name it?")
        run.add("error", where, message=message, hint=hint)
        return None
    except Exception as exc:  # noqa: BLE001 - psycopg.Error and kin: say what the server said
        reason = " ".join(str(exc).split()) or type(exc).__name__
        run.add("error", where, message=f"cannot read the table: {reason}"[:300],
                hint="docs/schema.md describes a layer table")
        return None
    for column in data.skipped:
        near = closest(column, SCHEMA_NAMES)
        run.add("warning", where, "", column, f"column {column!r} is not a property of the schema; the maps "
                "do not read it", (f"did you mean {near!r}? " if near else "") + "docs/schema.md lists the properties")
    records, features = [], []
    for i, (props, wkb, srid) in enumerate(data.rows, 1):
        geom = checked = None
        if wkb is not None:
            label = str(props.get("id") or f"#{i}")
            try:
                geom = checked = shapely.from_wkb(wkb)
                if spec.datum != "wgs84":
                    geom = checked = transform_geometry(geom, DATUMS[spec.datum])
            except (shapely.errors.GEOSException, ValueError) as exc:
                run.add("error", where, label, "geometry", f"unreadable geometry: {exc}"[:200],
                        "curves and other types beyond GeoJSON's are not supported (ST_CurveToLine)")
                checked = {"type": "GeometryCollection", "geometries": []}  # reported: no more checks
            if srid != 4326:
                run.add("error", where, label, "geometry", f"geometry in SRID {srid}; a layer table holds "
                        "SRID 4326 (WGS-84 longitude/latitude)", "UPDATE the row with ST_Transform(geom, 4326)")
        records.append((i, props, checked))
        features.append(Feature(props, geom, spec.id, i - 1))
    run.layers[spec.id] = features
    return records


def _feature_id(run: _Run, path, index: int, props: dict) -> str:
    """The feature's label for messages (its id, or #n); reports a missing, bad or duplicate id."""
    label, fid = f"#{index}", props.get("id")
    if isinstance(fid, int) and not isinstance(fid, bool):
        fid = str(fid)
    if fid is None:
        run.add("error", path, label, "id", "missing id",
                "every feature needs an id unique across all layers (county-level units: their adcode)")
        return label
    if not isinstance(fid, str) or not fid.strip():
        run.add("error", path, label, "id", f"id must be a non-empty string, not {fid!r}"[:200],
                'e.g. "id": "auto-zone"')
        return label
    if fid in run.ids:
        other_file, other = run.ids[fid]
        where = "earlier in this file" if other_file == str(path) else f"in {other_file}"
        run.add("error", path, fid, "id", f"duplicate id {fid!r}: also used {where} (feature #{other})",
                "ids must be unique across all layers; rename one")
    else:
        run.ids[fid] = (str(path), index)
    return fid


def validate_file(path: Path | str, spec: LayerSpec, known: Known | Registry | None = None, *,
                  max_bytes: int = MAX_BYTES, _run: _Run | None = None) -> list[Problem]:
    """Check one layer file against its catalogue entry and the registry (a Registry, or the ids in
    ``known``; None skips the role checks). Alone it cannot see other layers: duplicate ids across
    files and derive references are checked by validate_layers."""
    run, path = _run or _Run(max_bytes), Path(path)
    if isinstance(known, Registry):
        known = Known(known.role_ids, tuple(known.parts), tuple(known.sources))
    known = known or Known()
    start = len(run.problems)
    if spec.in_database:
        return _validate_rows(run, spec, known, _read_table(run, spec), start)
    if not path.is_file():
        run.add("error", path, message="file not found",
                hint=f"layers.toml lists it as layer {spec.id!r}; create it or remove the entry")
        run.unread.append(path.name)
        return run.problems[start:]
    size = path.stat().st_size
    if size > run.max_bytes:
        run.add("error", path, message=f"file too large: {size:,} bytes (the limit is {run.max_bytes:,})",
                hint="simplify the geometry (QGIS: Simplify; mapshaper), split the layer (a map holds at most "
                     f"{MAX_PAGE_POINTS:,} points), or raise --max-bytes")
        return run.problems[start:]
    if path.suffix.lower() in OGR_SUFFIXES:
        records = _read_ogr(run, path, spec)
        return _validate_rows(run, spec, known, records, start, path)
    data = path.read_bytes()
    key = _read_key(data, spec)
    hit = cache.load_read(key)
    if hit is not None:  # clean when last read: only its properties are checked (the registry may have changed)
        props_list, types, geoms = hit
        records = [(i, props, _Checked(t, g) if g is not None else None)
                   for i, (props, t, g) in enumerate(zip(props_list, types, geoms), 1)]
        stem = path.stem
        run.layers[spec.id] = [Feature(props, g, stem, i) for i, (props, g) in enumerate(zip(props_list, geoms))]
        return _validate_rows(run, spec, known, records, start, path)
    records = _read_geojson(run, path, data)
    if records is not None:
        stem = path.stem
        run.layers[spec.id] = [Feature(props, g, stem, i - 1) for i, props, g in records]
    found = _validate_rows(run, spec, known, records, start, path)
    # kept when clean, and when there is a shape to check: plain points are checked in bulk
    # about as fast as they would be read back
    if records is not None and not found and any(type(g) is dict and g.get("type") != "Point" for _, _, g in records):
        _keep_read(key, records, run.layers[spec.id])
    return found


@dataclass(frozen=True)
class _Checked:
    """A geometry that passed the geometry checks when its file was last read (see cache.load_read)."""

    gtype: str
    geometry: object


def _read_key(data: bytes, spec: LayerSpec) -> str:
    """The read cache's key of a layer file's bytes as checked for ``spec``: SHA-256, which
    OpenSSL computes with the CPU's own instructions (22 ms for a 31 MB layer here, blake2b 40)."""
    h = hashlib.sha256(data)
    h.update(repr((spec.id, tuple(spec.geometry), _checks_code())).encode())
    return h.hexdigest()


@functools.cache
def _checks_code() -> str:
    """A hash of the code that reads and checks a layer file: a change to it makes every file new."""
    from . import checks, layerio

    h = hashlib.blake2b(digest_size=16)
    for module in (checks, layerio, sys.modules[__name__]):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()


def _keep_read(key: str, records: list, features: list) -> None:
    """Remember a file found clean: its properties, and its geometries as shapely made them."""
    from .layerio import geometry_from_json, plain_points

    points = plain_points([f.geometry for f in features])
    geoms, types = [], []
    for i, f in enumerate(features):
        g = f.geometry
        if type(g) is dict:
            g = points.get(i)
            if g is None:
                g = geometry_from_json(f.geometry)
        geoms.append(g)
        types.append(None if g is None else records[i][2]["type"])
    cache.save_read(key, [props for _, props, _ in records], types, geoms)


def _clean_in_bulk(run: _Run, spec: LayerSpec, known: Known, records: list, points: list, where: str) -> bool:
    """Check a layer of features alike (100,000 sites) without a Python step per feature: when
    every geometry is known good without a word (``points``: good Points; geometries checked
    when the file was last read; none), every id is a new text, and the first feature of each
    signature (:func:`geo.signature.signature_codes`) is found clean, every feature is, and the
    ids are noted as the loop feature by feature notes them: True. Otherwise nothing is done
    (False), and the loop says what is wrong, where, in order."""
    gtypes = _known_types(records, points)
    if gtypes is None:
        return False
    props = list(map(itemgetter(1), records))
    ids = list(map(dict.get, props, repeat("id")))
    if not _new_ids(run, ids):
        return False
    signatures = signature_codes(props)
    if signatures is None:
        return False
    _groups, code = combined([codes(gtypes), (range(int(signatures.max(initial=-1)) + 1), signatures)])
    said: list = []

    def emit(*message):
        said.append(message)

    for row in np.unique(code, return_index=True)[1].tolist():  # the first feature of each group
        if check_properties(props[row], gtypes[row], gtypes[row] is not None, spec, known, emit) or said:
            return False
    run.ids.update(zip(ids, zip(repeat(where), map(itemgetter(0), records))))
    return True


def _known_types(records: list, points: list) -> list | None:
    """Each record's geometry type when no geometry needs a check (a good Point, a geometry
    found clean when its file was last read, none: None); None when one does."""
    if all(points):
        return ["Point"] * len(records)
    others = [g for (_, _, g), good in zip(records, points) if not good]
    if not all(g is None or type(g) is _Checked for g in others):
        return None
    gtypes, rest = [], iter(others)
    for good in points:
        g = "Point" if good else next(rest)
        gtypes.append(g if g is None or type(g) is str else g.gtype)
    return gtypes


def _new_ids(run: _Run, ids: list) -> bool:
    """Whether ``ids`` are texts, none blank, none twice, none already seen: what the loop
    feature by feature would note without a word."""
    return (set(map(type, ids)) == {str} and all(ids) and not any(map(str.isspace, ids))
            and len(set(ids)) == len(ids) and run.ids.keys().isdisjoint(ids))


def _validate_rows(run: _Run, spec: LayerSpec, known: Known, records, start: int,
                   path: Path | None = None) -> list[Problem]:
    """Check the (index, properties, geometry) records of one file or table (the geometry as GeoJSON,
    or as shapely read it from a table)."""
    where = path if path is not None else spec.where
    if records is None:
        run.unread.append(path.name if path is not None else spec.where)
    records = records or []
    # Most features of a big layer are alike: Points checked in bulk, and the properties checked
    # once per signature (what the checks read of them) found clean; anything else feature by
    # feature, with the same messages in the same order.
    feats = run.layers.get(spec.id) if path is not None else None  # this file's features, as read
    made: list = []
    points = good_points([g for _, _, g in records], spec.geometry, made).tolist() if records else []
    if feats is not None:  # the plan takes the Points the check made of a GeoJSON file's
        for f, point in zip(compress(feats, points), made):
            if type(f.geometry) is dict:
                f.geometry = point
    where_text = str(where)
    if _clean_in_bulk(run, spec, known, records, points, where_text):
        return run.problems[start:]
    clean: set = set()  # (geometry type, has geometry, property signature) found clean
    for (index, props, geometry), good_point in zip(records, points):
        fid = props.get("id")
        if type(fid) is str and fid not in run.ids and fid.strip():  # the common case: a new id
            run.ids[fid] = (where_text, index)
        else:
            fid = _feature_id(run, where, index, props)

        def emit(level, prop, message, hint="", fid=fid):
            run.add(level, where, fid, prop, message, hint)

        if good_point:
            gtype = "Point"
        elif type(geometry) is _Checked:
            gtype = geometry.gtype
        elif geometry is None:
            gtype = None
        elif isinstance(geometry, dict) or not hasattr(geometry, "geom_type"):  # GeoJSON, as written
            made: list = []
            gtype = check_geometry(geometry, spec.geometry, spec.id, emit, made=made)
            if made and feats is not None:  # the plan takes the polygon the check made
                feats[index - 1].geometry = made[0]
        else:  # a database row's, read by shapely
            gtype = check_shape(geometry, spec.geometry, spec.id, emit)
        sig = property_signature(props)
        key = None if sig is None else (gtype, geometry is not None, sig)
        if key is not None and key in clean:
            continue
        before = len(run.problems)
        sources = check_properties(props, gtype, geometry is not None, spec, known, emit)
        if key is not None and not sources and len(run.problems) == before:
            clean.add(key)
        if sources and not fid.startswith("#"):
            run.derives.append((str(where), fid, sources))
    return run.problems[start:]


def _check_derives(run: _Run) -> None:
    graph = {fid: ids for _, fid, ids in run.derives}
    unread = f" (not read: {', '.join(run.unread)})" if run.unread else " in any layer"
    for file, fid, ids in run.derives:
        for other in ids:
            if other == fid:
                run.add("error", file, fid, "derive.from", "derive.from names the feature itself",
                        "name the features it is made of")
            elif other not in run.ids:
                near = closest(other, [i for i in run.ids if i != fid])
                run.add("error", file, fid, "derive.from", f"derive.from id {other!r} not found{unread}",
                        f"did you mean {near!r}?" if near else "use the id of a feature in a layer")
        if cycle := derive_cycle(graph, fid):
            run.add("error", file, fid, "derive.from", f"derive cycle: {' -> '.join(cycle)}",
                    "a derived feature cannot depend on itself")


def _check_plans(run: _Run, root: Path, specs: list[LayerSpec] | None) -> None:
    """A plan's context names layers of layers.toml, and its context_around a feature."""
    reg = run.registry  # None when the registry could not be loaded: reported with it
    if reg is None:
        return
    raw = _toml(root / "layers.toml")  # every layer declared, usable or not (each reports its own faults)
    entries = raw.get("layer") if isinstance(raw, dict) else None
    path = root / "roles.toml"
    layer_ids = [str(e.get("id")) for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    for i, plan in enumerate(reg.plans, 1):
        where = f"plan #{i} ({plan.id})"
        for lid in plan.context:
            if specs is not None and layer_ids and lid not in layer_ids:
                run.add("error", path, where, "context", f"context layer {lid!r} is not in layers.toml",
                        _did_you_mean(lid, layer_ids) + f"layers: {', '.join(layer_ids)}")
        if plan.context_around and plan.context_around not in run.ids and not run.unread:
            run.add("error", path, where, "context_around", f"context_around {plan.context_around!r} is no "
                    "feature's id", _did_you_mean(plan.context_around, list(run.ids)) + 'e.g. "220100" (Changchun)')


def _check_unlisted(run: _Run, root: Path, specs: list[LayerSpec]) -> None:
    listed = {(root / s.file).resolve() for s in specs if not s.in_database}
    tables = {s.id: s for s in specs if s.in_database}
    for path in sorted(root.iterdir()):
        if path.suffix.lower() in (".geojson", *OGR_SUFFIXES) and path.resolve() not in listed:
            if path.stem in tables:
                run.add("warning", path, message=f"not listed in layers.toml: layer {path.stem!r} reads "
                        f"{tables[path.stem].where} now, so this file is an old copy no map shows",
                        hint="delete it, or python -m geo db pull URL writes the table back into it")
                continue
            run.add("warning", path, message="not listed in layers.toml, so no map shows it",
                    hint="add a [[layer]] for it, or move it out of the layers folder")


def validate_report(layers_dir: Path | str = "layers", *, strict: bool = False,
                    max_bytes: int = MAX_BYTES) -> Report:
    """Check everything in ``layers_dir``; the problems and the files looked at."""
    root, run = Path(layers_dir), _Run(max_bytes)
    if not root.is_dir():
        run.add("error", root, message="layers folder not found",
                hint="pass the folder that holds layers.toml")
    else:
        specs = _catalogue(run, root)
        run.specs = list(specs or [])
        known = _known(run, root)
        for spec in specs or []:
            path = root / spec.file
            run.files.append(spec.where if spec.in_database else str(path))
            try:
                validate_file(path, spec, known, _run=run)
            # the safety net: a bug in a check must not hide the other files' problems or print a traceback
            except Exception as exc:  # noqa: BLE001
                run.add("error", spec.where if spec.in_database else path,
                        message=f"could not check: {type(exc).__name__}: {exc}",
                        hint="this is a bug in the validator; please report it with the file")
        if run.connections is not None:
            run.connections.close()
        _check_derives(run)
        _check_plans(run, root, specs)
        if specs is not None:
            _check_unlisted(run, root, specs)
    problems = run.problems
    if strict:
        problems = [dataclasses.replace(p, level="error") for p in problems]
    return Report(tuple(problems), tuple(run.files), run.catalogue, run.registry, run.layers)


def validate_layers(layers_dir: Path | str = "layers", *, strict: bool = False,
                    max_bytes: int = MAX_BYTES) -> list[Problem]:
    """Every problem in ``layers_dir`` (see the module docstring); with ``strict``, warnings are errors."""
    return list(validate_report(layers_dir, strict=strict, max_bytes=max_bytes).problems)
