"""The layer catalogue (``layers/layers.toml``): which layer files exist, how they are drawn,
and which basemaps the maps offer."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import xyzservices.providers as xyz

from .errors import DataError

__all__ = ["Basemap", "Catalogue", "LayerSpec", "load_catalogue"]

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


@dataclass(frozen=True)
class Basemap:
    id: str
    name: str
    url: str
    attribution: str
    datum: str
    max_zoom: int = 18


@dataclass(frozen=True)
class Catalogue:
    root: Path
    layers: tuple[LayerSpec, ...]
    basemaps: tuple[Basemap, ...]

    def path(self, layer: LayerSpec) -> Path:
        return self.root / layer.file


def _basemap(raw: dict, where: str) -> Basemap:
    datum = raw.get("datum", "wgs84")
    if datum not in ("wgs84", "gcj02"):
        raise DataError(f"{where}: datum {datum!r} must be \"wgs84\" or \"gcj02\"")
    if not raw.get("provider"):
        return Basemap(raw["id"], raw.get("name", raw["id"]), "", "", datum)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # xyzservices warns about CARTO's API keys
            p = xyz.query_name(raw["provider"])
            url = p.build_url(scale_factor="{r}") if "{r}" in p.url else p.build_url()
    except ValueError:
        raise DataError(f"{where}: unknown xyzservices provider {raw['provider']!r}") from None
    url = url.replace("http://", "https://")
    return Basemap(raw["id"], raw.get("name", raw["id"]), url, p.html_attribution, datum,
                   int(p.get("max_zoom", 18)))


_TYPES = {"id": str, "file": str, "title_en": str, "title_zh": str, "style": str, "datum": str,
          "context": bool, "labels": bool, "label_min_zoom": int}


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
        missing = [k for k in ("id", "file", "geometry", "style") if k not in entry]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        wrong = _wrong_types(entry)
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
            id=entry["id"], file=entry["file"], title_en=entry.get("title_en", entry["id"]),
            title_zh=entry.get("title_zh", ""), geometry=tuple(entry["geometry"]),
            style=entry["style"], context=bool(entry.get("context", False)),
            labels=bool(entry.get("labels", False)), label_min_zoom=int(entry.get("label_min_zoom", 0)),
            datum=entry.get("datum", "wgs84"),
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
