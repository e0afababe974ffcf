"""The layer catalogue (``layers/layers.toml``): which layer files exist, how they are drawn,
and which basemaps the maps offer."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import xyzservices.providers as xyz

from .errors import DataError

__all__ = ["Basemap", "Catalogue", "LayerSpec", "load_catalogue", "rewrite_layers", "where_problem"]

STYLES = ("area", "outline", "line", "point")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


@dataclass(frozen=True)
class LayerSpec:
    id: str
    file: str
    title_en: str
    title_zh: str
    geometry: tuple[str, ...]
    style: str
    context: bool = False
    labels: bool = False
    label_min_zoom: int = 0
    datum: str = "wgs84"
    source: str = ""  # a database layer: postgresql://user@host:port/db (never a password) ...
    table: str = ""  # ... and its table, "schema.name"
    place_table: bool = False  # every feature is a row of the page's role x place table, role or not

    @property
    def in_database(self) -> bool:
        return bool(self.table)

    @property
    def where(self) -> str:
        """How messages name the layer's data: its file, or its table and database."""
        return f"table {self.table} at {self.source}" if self.table else self.file


@dataclass(frozen=True)
class Basemap:
    id: str
    name: str
    url: str
    attribution: str
    datum: str
    max_zoom: int = 18
    name_zh: str = ""  # the name in Chinese; "" shows the English name in every language


@dataclass(frozen=True)
class Catalogue:
    root: Path
    layers: tuple[LayerSpec, ...]
    basemaps: tuple[Basemap, ...]

    def path(self, layer: LayerSpec) -> Path:
        return self.root / layer.file


@functools.lru_cache(maxsize=64)
def _provider(name: str):
    """The xyzservices provider named (slow to look up: each build and watch rebuild asks again)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xyzservices warns about CARTO's API keys
        p = xyz.query_name(name)
        url = p.build_url(scale_factor="{r}") if "{r}" in p.url else p.build_url()
    return p, url


def _basemap(raw: dict, where: str) -> Basemap:
    datum = raw.get("datum", "wgs84")
    if datum not in ("wgs84", "gcj02"):
        raise DataError(f"{where}: datum {datum!r} must be \"wgs84\" or \"gcj02\"")
    name_zh = raw.get("name_zh", "")
    if not isinstance(name_zh, str):
        raise DataError(f"{where}: name_zh = {name_zh!r} should be a string")
    if not raw.get("provider"):
        return Basemap(raw["id"], raw.get("name", raw["id"]), "", "", datum, name_zh=name_zh)
    try:
        p, url = _provider(raw["provider"])
    except ValueError:
        raise DataError(f"{where}: unknown xyzservices provider {raw['provider']!r}") from None
    url = url.replace("http://", "https://")
    return Basemap(raw["id"], raw.get("name", raw["id"]), url, p.html_attribution, datum,
                   int(p.get("max_zoom", 18)), name_zh)


_TYPES = {"id": str, "file": str, "source": str, "table": str, "title_en": str, "title_zh": str, "style": str,
          "datum": str,
          "context": bool, "labels": bool, "label_min_zoom": int,
          "place_table": bool}


def _wrong_types(entry: dict) -> str:
    """A sentence naming the first key whose value has the wrong type, or ""."""
    for key, kind in _TYPES.items():
        if key in entry and (not isinstance(entry[key], kind) or
                             (kind is int and isinstance(entry[key], bool))):
            return f"{key} = {entry[key]!r} should be {'true or false' if kind is bool else kind.__name__}"
    geometry = entry.get("geometry")
    if not isinstance(geometry, list) or not all(isinstance(g, str) for g in geometry):
        return f'geometry = {geometry!r} should be a list such as ["Polygon", "MultiPolygon"]'
    return ""


def where_problem(root: Path, entry: dict) -> str | None:
    """What is wrong with where a [[layer]] entry says its data is (a ``file`` inside ``root``, or
    a ``source`` database and its ``table``), or None."""
    from .db.connect import url_problem

    file, source, table = entry.get("file"), entry.get("source"), entry.get("table")
    if file is not None and (source is not None or table is not None):
        return "give either file, or source and table, not both"
    if file is None:
        if source is None and table is None:
            return 'missing file (or source and table for a database layer)'
        if not isinstance(source, str) or not isinstance(table, str) or not source or not table.strip():
            return 'a database layer needs both source = "postgresql://user@host:port/db" and table = "schema.name"'
        return url_problem(source) or None
    if not isinstance(file, str) or not file.strip():
        return f"file must be a file name, not {file!r}"
    inside = Path(root).resolve()
    if Path(file).is_absolute() or not (inside / file).resolve().is_relative_to(inside):
        return f"file {file!r} is outside the layers folder {root}; layers.toml reads files from its own folder only"
    return None


def load_catalogue(layers_dir: Path | str = "layers") -> Catalogue:
    """Read ``layers.toml``; raise DataError naming the file and entry on any fault."""
    root = Path(layers_dir)
    path = root / "layers.toml"
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid TOML: {exc}") from None
    layers, problems = [], []
    entries = raw.get("layer") or []
    if not isinstance(entries, list):
        raise DataError(f"{path}: write each layer as [[layer]] (an array of tables), not [layer]")
    for i, entry in enumerate(entries):
        where = f"{path}: layer #{i + 1} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a table")
            continue
        missing = [k for k in ("id", "geometry", "style") if k not in entry]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        wrong = _wrong_types(entry) or where_problem(root, entry)
        if wrong:
            problems.append(f"{where}: {wrong}")
            continue
        if entry["style"] not in STYLES:
            problems.append(f"{where}: style {entry['style']!r} is not one of {', '.join(STYLES)}")
        bad = [g for g in entry["geometry"] if g not in GEOMETRY_TYPES]
        if bad:
            problems.append(f"{where}: unknown geometry type(s) {', '.join(bad)}")
        if entry.get("datum", "wgs84") not in ("wgs84", "gcj02", "bd09"):
            problems.append(f"{where}: datum must be wgs84, gcj02 or bd09")
        layers.append(LayerSpec(
            id=entry["id"], file=entry.get("file", ""), title_en=entry.get("title_en", entry["id"]),
            title_zh=entry.get("title_zh", ""), geometry=tuple(entry["geometry"]),
            style=entry["style"], context=bool(entry.get("context", False)),
            labels=bool(entry.get("labels", False)), label_min_zoom=int(entry.get("label_min_zoom", 0)),
            datum=entry.get("datum", "wgs84"), source=entry.get("source", ""), table=entry.get("table", ""),
            place_table=bool(entry.get("place_table", False)),
        ))
    if len({lyr.id for lyr in layers}) != len(layers):
        problems.append(f"{path}: layer ids must be unique")
    basemaps = []
    for i, b in enumerate(raw.get("basemap") or []):
        where = f"{path}: basemap #{i + 1} ({b.get('id', '?')})"
        try:
            basemaps.append(_basemap(b, where))
        except (DataError, KeyError) as exc:
            problems.append(str(exc) if isinstance(exc, DataError) else f"{where}: missing {exc}")
    if problems:
        raise DataError("\n".join(problems))
    return Catalogue(root, tuple(layers), tuple(basemaps))


def _key(line: str) -> str | None:
    """The key a ``key = value`` line of TOML sets, or None (comments, headers, multi-line values)."""
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(parsed), None) if len(parsed) == 1 and not isinstance(
        next(iter(parsed.values())), dict) else None


def _toml_value(value) -> str:
    import json

    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string (checked below)
    raise TypeError(f"cannot write {value!r}")


def rewrite_layers(root: Path | str, changes: dict[str, dict]) -> str:
    """The text of ``root/layers.toml`` with the keys of some [[layer]] entries changed, every other
    line (comments too) as it was. ``changes``: layer id -> {key: new value, or None to remove it};
    new keys go where the first removed key was. DataError when the result would not read back
    as exactly that change."""
    path = Path(root) / "layers.toml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")] + [len(lines)]
    out, done = lines[:heads[0]], set()
    for start, end in zip(heads, heads[1:]):
        block = lines[start:end]
        keys = [_key(line) for line in block]
        lid = next((tomllib.loads(line)["id"] for line, k in zip(block, keys) if k == "id"), None)
        todo = changes.get(lid) if block[0].strip() == "[[layer]]" else None
        if todo is None:
            out += block
            continue
        done.add(lid)
        new = [f"{k} = {_toml_value(v)}\n" for k, v in todo.items() if v is not None and k not in keys]
        edited = []
        for line, k in zip(block, keys):
            if k in todo and todo[k] is not None:
                edited.append(f"{k} = {_toml_value(todo[k])}\n")
            elif k not in todo:
                edited.append(line)
            if k in todo and todo[k] is None and new:
                edited, new = edited + new, []
        if new:  # after the last line that is not blank
            at = max((i + 1 for i, line in enumerate(edited) if line.strip()), default=len(edited))
            edited[at:at] = new
        out += edited
    result = "".join(out)
    expected = tomllib.loads(text)
    for entry in expected.get("layer", []):
        for k, v in changes.get(entry.get("id"), {}).items():
            if v is None:
                entry.pop(k, None)
            else:
                entry[k] = v
    try:
        ok = tomllib.loads(result) == expected and done == set(changes)
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise DataError(f"{path}: could not change the entries of {', '.join(sorted(changes))} safely; "
                        "change them by hand: " + "; ".join(f"{lid}: " + ", ".join(
                            f"{k} = {v!r}" if v is not None else f"remove {k}" for k, v in c.items())
                            for lid, c in changes.items()))
    return result
