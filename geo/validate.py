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
import json
import math
import re
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

from .catalogue import GEOMETRY_TYPES, STYLES, LayerSpec, load_catalogue
from .checks import Known, check_geometry, check_properties, kind_of
from .errors import DataError
from .layerio import OGR_SUFFIXES, read_layer
from .registry import closest, load_registry

__all__ = ["Problem", "Report", "validate_layers", "validate_report", "validate_file", "MAX_BYTES"]

MAX_BYTES = 50_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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
    files: tuple[str, ...]  # every file looked at

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
        self.ids: dict[str, tuple[str, str]] = {}  # id -> (file, "#n")
        self.derives: list[tuple[str, str, list[str]]] = []  # (file, id, from ids)

    def add(self, level, file, feature="", prop="", message="", hint=""):
        self.problems.append(Problem(level, str(file), str(feature), str(prop), str(message), str(hint)))


# ---------------------------------------------------------------------------------------------
# catalogue and registry

def _split_errors(run: _Run, exc: Exception, paths: list[Path]) -> None:
    """Turn a DataError's lines ("path: what") into Problems of the file each names."""
    if not isinstance(exc, DataError):
        run.add("error", paths[0], message=f"could not check: {type(exc).__name__}: {exc}",
                hint="docs/schema.md describes this file")
        return
    for text in str(exc).splitlines():
        path = next((p for p in paths if text.startswith(f"{p}: ")), paths[0])
        message = text.removeprefix(f"{path}: ")
        run.add("error", path, message=message, hint=f"docs/schema.md describes {path.name}")


def _toml(path: Path):
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except Exception:  # reported by the strict loader already
        return None


def _lenient_layers(path: Path) -> list[LayerSpec]:
    """The usable [[layer]] entries of a layers.toml the strict loader rejected."""
    raw = _toml(path)
    entries = raw.get("layer") if isinstance(raw, dict) else None
    specs = []
    for i, e in enumerate(entries if isinstance(entries, list) else [], 1):
        if not isinstance(e, dict) or not isinstance(e.get("file"), str):
            continue
        geometry = e.get("geometry") if isinstance(e.get("geometry"), list) else []
        specs.append(LayerSpec(
            id=str(e.get("id", f"#{i}")), file=e["file"], title_en="", title_zh="",
            geometry=tuple(g for g in geometry if g in GEOMETRY_TYPES),
            style=e.get("style") if e.get("style") in STYLES else "", context=e.get("context") is True,
            datum=e.get("datum") if e.get("datum") in ("gcj02", "bd09") else "wgs84"))
    return specs


def _catalogue(run: _Run, root: Path) -> list[LayerSpec]:
    path = root / "layers.toml"
    run.files.append(str(path))
    try:
        specs = list(load_catalogue(root).layers)
    except Exception as exc:  # DataError, or a shape the loader did not expect
        _split_errors(run, exc, [path])
        specs = _lenient_layers(path)
    else:
        if not specs:
            run.add("warning", path, message="no [[layer]] entries", hint="add a [[layer]] per layer file")
    return specs


def _known(run: _Run, root: Path) -> Known:
    roles_path, sources_path = root / "roles.toml", root / "sources.toml"
    run.files += [str(roles_path), str(sources_path)]
    try:
        reg = load_registry(root)
        return Known(reg.role_ids, tuple(reg.parts), tuple(reg.sources))
    except Exception as exc:
        _split_errors(run, exc, [roles_path, sources_path])
    roles, sources = _toml(roles_path), _toml(sources_path)
    if not isinstance(roles, dict):
        return Known(None, None, tuple(sources) if isinstance(sources, dict) else None)
    entries = roles.get("role") if isinstance(roles.get("role"), list) else []
    parts = roles.get("parts") if isinstance(roles.get("parts"), dict) else {}
    return Known(tuple(str(r["id"]) for r in entries if isinstance(r, dict) and "id" in r), tuple(parts),
                 tuple(sources) if isinstance(sources, dict) else None)


# ---------------------------------------------------------------------------------------------
# reading one layer file into (index, props, geometry) records

def _read_geojson(run: _Run, path: Path) -> list | None:
    def add(message, hint="", level="error", prop=""):
        run.add(level, path, "", prop, message, hint)

    data = path.read_bytes()
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
        obj = {}
        for key, value in items:
            if key in obj and key not in dup_keys:
                dup_keys.append(key)
            obj[key] = value
        return obj

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        add(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            "a missing or extra comma, bracket or quote is the usual cause")
        return None
    except (ValueError, RecursionError) as exc:
        add(f"invalid JSON: {exc}", "")
        return None
    for key in dup_keys[:5]:
        add(f"duplicate key {key!r} in a JSON object; only the last one counts", "remove the other one",
            level="warning")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        what = f"a {doc.get('type')!r} object" if isinstance(doc, dict) and "type" in doc else kind_of(doc)
        add(f"not a GeoJSON FeatureCollection (the top level is {what})",
            'a layer is {"type": "FeatureCollection", "features": [...]}')
        return None
    if "crs" in doc:
        add("has a 'crs' member, which RFC 7946 forbids", "remove it; GeoJSON is WGS-84", prop="crs")
    features = doc.get("features")
    if not isinstance(features, list):
        add(f"features must be an array, not {kind_of(features)}", '"features": [...]', prop="features")
        return None
    records = []
    for i, feat in enumerate(features, 1):
        label = f"#{i}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            what = f"a {feat.get('type')!r} object" if isinstance(feat, dict) and "type" in feat else kind_of(feat)
            run.add("error", path, label, "", f"not a GeoJSON Feature object (it is {what})",
                    '{"type": "Feature", "properties": {...}, "geometry": {...}}')
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            if props is not None:
                run.add("error", path, label, "properties", f"properties must be an object, not {kind_of(props)}",
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


def _plain(value):
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _read_ogr(run: _Run, path: Path, datum: str) -> list | None:
    from shapely.geometry import mapping

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            features = read_layer(path, datum)
        except DataError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            hint = ("save it with a CRS (a .prj beside a .shp); WGS-84 is EPSG:4326" if "CRS" in message
                    else "open it in QGIS to see what is wrong")
            run.add("error", path, message=message, hint=hint)
            return None
    for w in caught[:5]:
        run.add("warning", path, message=f"while reading: {w.message}")
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

def _feature_id(run: _Run, path: Path, index: int, props: dict) -> str:
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
        run.add("error", path, fid, "id", f"duplicate id {fid!r}: also used {where} (feature {other})",
                "ids must be unique across all layers; rename one")
    else:
        run.ids[fid] = (str(path), label)
    return fid


def validate_file(path: Path | str, spec: LayerSpec, known: Known | None = None, *,
                  max_bytes: int = MAX_BYTES, _run: _Run | None = None) -> list[Problem]:
    """Check one layer file against its catalogue entry and the registry ids in ``known``."""
    run, path = _run or _Run(max_bytes), Path(path)
    known = known or Known()
    start = len(run.problems)
    if not path.is_file():
        run.add("error", path, message="file not found",
                hint=f"layers.toml lists it as layer {spec.id!r}; create it or remove the entry")
        return run.problems[start:]
    size = path.stat().st_size
    if size > run.max_bytes:
        run.add("error", path, message=f"file too large: {size:,} bytes (the limit is {run.max_bytes:,})",
                hint="simplify the geometry (QGIS: Simplify; mapshaper) or raise --max-bytes")
        return run.problems[start:]
    if path.suffix.lower() in OGR_SUFFIXES:
        records = _read_ogr(run, path, spec.datum)
    else:
        records = _read_geojson(run, path)
    for index, props, geometry in records or []:
        fid = _feature_id(run, path, index, props)

        def emit(level, prop, message, hint="", fid=fid):
            run.add(level, path, fid, prop, message, hint)

        gtype = None if geometry is None else check_geometry(geometry, spec.geometry, spec.id, emit)
        sources = check_properties(props, gtype, geometry is not None, spec, known, emit)
        if sources and not fid.startswith("#"):
            run.derives.append((str(path), fid, sources))
    return run.problems[start:]


def _check_derives(run: _Run) -> None:
    graph = {fid: ids for _, fid, ids in run.derives}
    for file, fid, ids in run.derives:
        for other in ids:
            if other == fid:
                run.add("error", file, fid, "derive.from", "derive.from names the feature itself", "")
            elif other not in run.ids:
                near = closest(other, run.ids)
                run.add("error", file, fid, "derive.from", f"derive.from id {other!r} not found in any layer",
                        f"did you mean {near!r}?" if near else "use the id of a feature in a layer")
        back = {other: fid for other in ids if other != fid}  # reached node -> the node before it
        todo = list(back)
        while todo and fid not in back:
            node = todo.pop()
            for nxt in graph.get(node, ()):
                if nxt not in back:
                    back[nxt] = node
                    todo.append(nxt)
        if fid in back:
            chain, node = [fid], back[fid]
            while node != fid:
                chain.append(node)
                node = back[node]
            run.add("error", file, fid, "derive.from", "derive cycle: " + " -> ".join([fid, *reversed(chain[1:]), fid]),
                    "a derived feature cannot depend on itself")


def _check_unlisted(run: _Run, root: Path, specs: list[LayerSpec]) -> None:
    listed = {(root / s.file).resolve() for s in specs}
    for path in sorted(root.iterdir()):
        if path.suffix.lower() in (".geojson", *OGR_SUFFIXES) and path.resolve() not in listed:
            run.add("warning", path, message="not listed in layers.toml, so no map shows it",
                    hint="add a [[layer]] for it, or move it out of the layers folder")


def validate_report(layers_dir: Path | str = "layers", *, strict: bool = False,
                    max_bytes: int = MAX_BYTES) -> Report:
    """Check everything in ``layers_dir``; the problems and the files looked at."""
    root, run = Path(layers_dir), _Run(max_bytes)
    if not root.is_dir():
        run.add("error", root, message="layers folder not found", hint="pass the folder that holds layers.toml")
    else:
        specs = _catalogue(run, root)
        known = _known(run, root)
        for spec in specs:
            path = root / spec.file
            run.files.append(str(path))
            try:
                validate_file(path, spec, known, _run=run)
            except Exception as exc:  # a bug in a check must not hide the other files' problems
                run.add("error", path, message=f"could not check: {type(exc).__name__}: {exc}",
                        hint="this is a bug in the validator; please report it with the file")
        _check_derives(run)
        _check_unlisted(run, root, specs)
    problems = run.problems
    if strict:
        problems = [dataclasses.replace(p, level="error") for p in problems]
    return Report(tuple(problems), tuple(run.files))


def validate_layers(layers_dir: Path | str = "layers", *, strict: bool = False,
                    max_bytes: int = MAX_BYTES) -> list[Problem]:
    """Every problem in ``layers_dir`` (see the module docstring); with ``strict``, warnings are errors."""
    return list(validate_report(layers_dir, strict=strict, max_bytes=max_bytes).problems)
