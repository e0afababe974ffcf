"""The checks ``geo.validate`` runs on one feature: its properties and its geometry.

Each check reports through ``emit(level, prop, message, hint)`` and never raises for bad data:
a geometry is examined as plain GeoJSON (nested lists of numbers) before shapely sees it, so a
bad nesting, a NaN or a string where a number belongs is a message, not a traceback.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
import shapely

from .catalogue import GEOMETRY_TYPES
from .dates import FORMAT_HINT, check_span
from .layerio import geometry_from_json, plain_point_rows
from .registry import closest
from .signature import property_signature

__all__ = ["BASES", "DERIVE_OPS", "KINDS", "PROPERTIES", "REGION", "Known", "check_geometry",
           "check_properties", "check_shape", "derive_cycle", "did_you_mean", "good_points", "kind_of",
           "property_signature", "truncated_fields"]

# The Jilin region: a box around Jilin Province (lon 121.6-131.3, lat 40.9-46.3) with a margin.
REGION = (121.0, 40.0, 132.0, 47.0)
BASES = ("official", "derived", "schematic")
# derive op -> the geometry types it makes
DERIVE_OPS = {"union": ("Polygon", "MultiPolygon"), "line": ("LineString",), "grow": ("Polygon", "MultiPolygon")}
# how deep positions sit in each geometry type's coordinates, and what its coordinates look like
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}
_SHAPE = {"Point": "[lon, lat]", "MultiPoint": "[[lon, lat], ...]",
          "LineString": "[[lon, lat], [lon, lat], ...]",
          "MultiLineString": "[[[lon, lat], [lon, lat], ...], ...]",
          "Polygon": "[[[lon, lat], ...]]: an array of rings, each an array of positions",
          "MultiPolygon": "[[[[lon, lat], ...]], ...]: an array of polygons"}
_LEVELS = ("a position", "an array of positions", "an array of arrays of positions",
           "an array of arrays of arrays of positions")
# the feature properties and kinds docs/schema.md defines
PROPERTIES = ("id", "name_en", "name_zh", "kind", "roles", "geometry_basis", "derive", "schematic_area_km2",
              "position_error_m", "position_source", "geometry_source", "area_published_km2", "area_source",
              "description", "aliases", "since", "until", "dates_source")
KINDS = ("district", "county", "county-level city", "prefecture-level city", "autonomous prefecture", "province",
         "zone", "belt", "area", "plate", "base", "corridor", "ray", "coordination", "channel", "site")
# schema properties longer than a Shapefile's 10-character field names
_LONG_NAMES = ("geometry_basis", "position_error_m", "schematic_area_km2", "position_source",
               "geometry_source", "area_published_km2", "area_source", "description", "dates_source")
_WHERE = re.compile(r"^(?P<what>.*?)\s*\[(?P<x>\S+) (?P<y>\S+)(?: \S+)?\]$")


@dataclass(frozen=True)
class Known:
    """What the registry defines; None where the registry could not be read (skip that check)."""

    roles: tuple | None = None
    parts: tuple | None = None
    sources: tuple | None = None


def kind_of(value) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer with hundreds of digits
        return math.copysign(math.inf, value)


_INF = float("inf")


def _positive(value) -> bool:
    return _number(value) and math.isfinite(_as_float(value)) and value > 0


def did_you_mean(word, choices) -> str:
    """The hint "did you mean 'x'? " for the choice closest to word, or ""."""
    near = closest(str(word), [str(c) for c in choices]) if choices else None
    return f"did you mean {near!r}? " if near else ""


# ---------------------------------------------------------------------------------------------
# geometry

class _Nesting(Exception):
    def __init__(self, path: str, expected: str, got):
        super().__init__(f"{path} should be {expected}, not {kind_of(got)}")


def _walk(coords, depth: int, path: str, out: list) -> None:
    """Collect (path, position) pairs into ``out``; raise _Nesting at the first bad level."""
    if depth == 0:
        if (not isinstance(coords, (list, tuple)) or len(coords) < 2
                or not all(_number(c) for c in coords)):
            raise _Nesting(path, "a position [longitude, latitude]", coords)
        out.append((path, coords))
        return
    if not isinstance(coords, (list, tuple)):
        raise _Nesting(path, _LEVELS[depth], coords)
    for i, item in enumerate(coords):
        _walk(item, depth - 1, f"{path}[{i}]", out)


def _sizes(gtype: str, coords, emit) -> bool:
    """Check the counts RFC 7946 asks for (line >= 2 positions, ring >= 4 and closed)."""
    ok = True
    lines = [coords] if gtype == "LineString" else coords if gtype == "MultiLineString" else []
    polys = [coords] if gtype == "Polygon" else coords if gtype == "MultiPolygon" else []
    for i, line in enumerate(lines):
        if len(line) < 2:
            where = f"line {i + 1} " if gtype == "MultiLineString" else ""
            emit("error", "geometry", f"{gtype} {where}has {len(line)} position(s); a line needs at least 2",
                 "add positions, or make it a Point")
            ok = False
    for p, rings in enumerate(polys):
        poly = f"polygon {p + 1} " if gtype == "MultiPolygon" else ""
        if not rings:
            emit("error", "geometry", f"{gtype} {poly}has no rings", "give it an outer ring, or remove it")
            ok = False
        for r, ring in enumerate(rings):
            if len(ring) < 4:
                emit("error", "geometry", f"{gtype} {poly}ring {r + 1} has {len(ring)} position(s); "
                     "a ring needs at least 4", "a ring is closed: at least 3 corners plus the first again")
                ok = False
            elif list(ring[0]) != list(ring[-1]):
                emit("error", "geometry", f"{gtype} {poly}ring {r + 1} is not closed "
                     "(its first and last positions differ)", "repeat the first position at the end")
                ok = False
    return ok


def _fmt(pos) -> str:
    return "[" + ", ".join(repr(_as_float(c)) for c in pos) + "]"


def _positions(positions, emit) -> bool:
    """Check every position's numbers; return True when all are finite."""
    bad = [(f"{p}[{i}]", c) for p, pos in positions for i, c in enumerate(pos)
           if not math.isfinite(_as_float(c))]
    if bad:
        path, c = bad[0]
        word = "NaN" if math.isnan(_as_float(c)) else "Infinity" if c > 0 else "-Infinity"
        more = f" ({len(bad)} such numbers in all)" if len(bad) > 1 else ""
        emit("error", "geometry", f"{path} is {word}{more}",
             "write real numbers: NaN and Infinity are not JSON, and no map can place them")
    deep = [(p, pos) for p, pos in positions if len(pos) > 2]
    if deep:
        path, pos = deep[0]
        more = f"; {len(deep)} positions in all" if len(deep) > 1 else ""
        emit("error", "geometry", f"3-D position: {path} = {_fmt(pos)}{more}",
             "drop the height: positions are [longitude, latitude]")
    if bad:
        return False
    west, south, east, north = REGION
    swapped, outside = [], []
    for path, pos in positions:
        x, y = _as_float(pos[0]), _as_float(pos[1])
        if not (west <= x <= east and south <= y <= north):
            (swapped if west <= y <= east and south <= x <= north else outside).append((path, pos))
    if swapped:
        path, pos = swapped[0]
        emit("error", "geometry", f"latitude and longitude look swapped: {path} = {_fmt(pos[:2])}"
             + (f" ({len(swapped)} positions)" if len(swapped) > 1 else ""),
             "swap them: GeoJSON is [longitude, latitude]")
    if outside:
        path, pos = outside[0]
        emit("error", "geometry", f"outside the Jilin region (longitude {west:g} to {east:g}, latitude "
             f"{south:g} to {north:g}): {path} = {_fmt(pos[:2])}"
             + (f" ({len(outside)} positions)" if len(outside) > 1 else ""),
             "GeoJSON is WGS-84 degrees [longitude, latitude]; Changchun is near [125.3, 43.9]; "
             "projected metres or a typo?")
    return True


def _validity(gj: dict, gtype: str, emit, geom=None, made: list | None = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if geom is None:
                geom = geometry_from_json({"type": gtype, "coordinates": gj["coordinates"]})
            reason = shapely.is_valid_reason(geom)
            if made is not None:
                made.append(geom)
        except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
            emit("error", "geometry", f"cannot make a {gtype} of these coordinates: {exc}",
                 "open the feature in QGIS to see the geometry")
            return
    if reason in (None, "Valid Geometry"):
        return
    m = _WHERE.match(reason)
    what, where = (m["what"], f" at [{m['x']}, {m['y']}]") if m else (reason, "")
    hint = ("the boundary crosses itself there: move the vertices so no edges cross "
            "(QGIS: Fix geometries; shapely: make_valid)" if "self-intersection" in what.lower()
            else "fix it in QGIS (Fix geometries) or with shapely.make_valid")
    emit("error", "geometry", f"invalid {gtype}: {what}{where}", hint)


def _plainly_good(gtype: str, coords) -> bool:
    """True when numpy sees only [lon, lat] number pairs inside REGION: the common case, checked
    in bulk. Anything else (odd nesting, strings, NaN, 3-D, outside) takes the slow path, which
    says exactly what and where."""
    west, south, east, north = REGION
    if gtype == "Point" and type(coords) is list and len(coords) == 2:  # most points: no numpy
        x, y = coords
        if type(x) in (float, int) and type(y) in (float, int):
            return west <= x <= east and south <= y <= north  # NaN fails these too
    try:
        if gtype == "Point":
            parts = [[coords]]
        elif gtype in ("MultiPoint", "LineString"):
            parts = [coords]
        elif gtype in ("MultiLineString", "Polygon"):
            parts = coords
        else:
            parts = [ring for poly in coords for ring in poly]
        for part in parts:
            a = np.asarray(part)
            if a.ndim != 2 or a.shape[1] != 2 or a.dtype.kind not in "if" or a.size == 0:
                return False
            if not (np.isfinite(a).all() and (a[:, 0] >= west).all() and (a[:, 0] <= east).all()
                    and (a[:, 1] >= south).all() and (a[:, 1] <= north).all()):
                return False
        return True
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


def good_points(geometries: list, allowed: tuple, made: list | None = None) -> np.ndarray:
    """Which of ``geometries`` (GeoJSON objects as parsed) are Points that check_geometry would
    pass without a word: ``[lon, lat]`` numbers inside REGION, in a layer that takes Points. One
    bool each, found in bulk (a layer of 100,000 sites); the others are checked one by one.
    ``made``: a list that receives those Points as shapely makes them (in one call), in order."""
    ok = np.zeros(len(geometries), dtype=bool)
    if allowed and "Point" not in allowed:
        return ok
    idx, coords = plain_point_rows(geometries)
    if not idx:
        return ok
    try:
        xy = np.array(coords, dtype=float)
    except OverflowError:  # an integer beyond any float: one by one, for the message
        return ok
    west, south, east, north = REGION
    inside = (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north)  # NaN: False
    ok[np.asarray(idx)[inside]] = True
    if made is not None:
        made.extend(shapely.points(xy[inside]).tolist())
    return ok


def check_shape(geom, allowed: tuple, layer: str, emit) -> str | None:
    """:func:`check_geometry` for a geometry shapely has made already (a database row's): the
    common case (an allowed type, 2-D, finite, inside REGION) is checked in bulk, then only its
    validity; anything else goes through check_geometry as GeoJSON, for the very same messages."""
    gtype = geom.geom_type
    if gtype in _DEPTH and not geom.is_empty and (not allowed or gtype in allowed) and not shapely.has_z(geom):
        xy = shapely.get_coordinates(geom)
        west, south, east, north = REGION
        if (np.isfinite(xy).all() and (xy[:, 0] >= west).all() and (xy[:, 0] <= east).all()
                and (xy[:, 1] >= south).all() and (xy[:, 1] <= north).all()):
            if gtype in ("Polygon", "MultiPolygon"):
                _validity(None, gtype, emit, geom)
            return gtype
    gj = {"type": gtype, "coordinates": []} if geom.is_empty else json.loads(shapely.to_geojson(geom))
    return check_geometry(gj, allowed, layer, emit, geom)


def check_geometry(gj, allowed: tuple, layer: str, emit, shape=None, made: list | None = None) -> str | None:
    """Check a GeoJSON geometry object; return its type when the type is known. ``shape``: the
    same geometry as shapely already made it (a database row's), checked for validity as it is.
    ``made``: a list that receives the shapely geometry the check made of ``gj``, if it made one
    (a polygon's, to test its validity), so that nothing makes it twice."""
    if not isinstance(gj, dict):
        emit("error", "geometry", f"geometry must be a GeoJSON geometry object or null, not {kind_of(gj)}",
             '{"type": "Polygon", "coordinates": [...]}')
        return None
    gtype = gj.get("type")
    if gtype == "GeometryCollection":
        emit("error", "geometry", "GeometryCollection is not supported", "make one feature per part")
        return None
    if gtype not in _DEPTH:
        emit("error", "geometry", f"unknown geometry type {gtype!r}",
             did_you_mean(gtype, GEOMETRY_TYPES) + f"GeoJSON types: {', '.join(GEOMETRY_TYPES)}")
        return None
    if allowed and gtype not in allowed:
        emit("error", "geometry", f"a {gtype} is not allowed in layer {layer!r}",
             f"this layer takes {', '.join(allowed)} (its geometry list in layers.toml)")
    coords = gj.get("coordinates")
    if coords is None or (isinstance(coords, (list, tuple)) and len(coords) == 0):
        emit("error", "geometry", f"empty geometry: the {gtype} has no coordinates",
             "give it coordinates, or set geometry to null and add a derive")
        return gtype
    if _plainly_good(gtype, coords):
        # every position two finite numbers inside the region: only sizes and validity remain
        if _sizes(gtype, coords, emit) and gtype in ("Polygon", "MultiPolygon"):
            _validity(gj, gtype, emit, shape, made)
        return gtype
    positions: list = []
    try:
        _walk(coords, _DEPTH[gtype], "coordinates", positions)
    except _Nesting as exc:
        depth, node = 0, coords
        while isinstance(node, (list, tuple)) and depth < 9:
            depth, node = depth + 1, node[0] if node else None
        need = _DEPTH[gtype] + 1
        deep = f"; its arrays are {depth} deep, a {gtype} needs {need}" if depth != need else ""
        emit("error", "geometry", f"bad coordinate nesting for a {gtype}: {exc}{deep}",
             f"a {gtype} is {_SHAPE[gtype]}")
        return gtype
    sized = _sizes(gtype, coords, emit)
    if _positions(positions, emit) and sized and gtype in ("Polygon", "MultiPolygon"):
        _validity(gj, gtype, emit, shape, made)
    return gtype


# ---------------------------------------------------------------------------------------------
# properties

def _names(props: dict, emit) -> None:
    for key, lang in (("name_en", "English"), ("name_zh", "Chinese")):
        value = props.get(key)
        hint = f"every feature needs its {lang} name in {key}"
        if value is None:
            emit("error", key, f"missing {key}", hint)
        elif not isinstance(value, str):
            emit("error", key, f"{key} must be a string, not {kind_of(value)}", hint)
        elif not value.strip():
            emit("error", key, f"{key} is empty", hint)


# role lists already found clean, per registry: a layer of 100,000 sites has a handful of distinct
# role lists, each checked once
_CLEAN_ROLES: dict = {}


def _roles(props: dict, context: bool, known: Known, emit) -> None:
    roles = props.get("roles")
    if type(roles) is list and roles and all(type(r) is dict and len(r) == 3 for r in roles):
        entries = tuple((r.get("role"), r.get("part"), r.get("source")) for r in roles)
        if all(type(v) is str for e in entries for v in e):
            reg = tuple(None if x is None else tuple(x) for x in (known.roles, known.parts, known.sources))
            key = (reg, entries)
            if _CLEAN_ROLES.get(key):
                return
            found = []
            _roles_checked(roles, context, known, lambda *a: (found.append(a), emit(*a)))
            if not found:
                if len(_CLEAN_ROLES) > 10_000:
                    _CLEAN_ROLES.clear()
                _CLEAN_ROLES[key] = True
            return
    _roles_checked(roles, context, known, emit)


def _roles_checked(roles, context: bool, known: Known, emit) -> None:
    if roles is None or roles == []:
        if not context:
            emit("warning", "roles", "no role: this feature appears on no role overlay",
                 'add "roles": [{"role": ..., "part": ..., "source": ...}]')
        return
    if not isinstance(roles, list):
        emit("error", "roles",
             f"roles must be a list of {{role, part, source}} objects, not {kind_of(roles)}",
             'write "roles": [{"role": "auto", "part": "driven", "source": "seed002-auto"}]')
        return
    seen = set()
    for i, entry in enumerate(roles):
        where = f"roles[{i}]"
        if not isinstance(entry, dict):
            emit("error", where, f"role entry must be an object {{role, part, source}}, not {kind_of(entry)}",
                 '{"role": "auto", "part": "driven", "source": "seed002-auto"}')
            continue
        for key, valid, what in (("role", known.roles, "roles.toml [[role]] ids"),
                                 ("part", known.parts, "roles.toml [parts]"),
                                 ("source", known.sources, "sources.toml keys")):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                emit("error", f"{where}.{key}", f"missing {key}" if value is None
                     else f"{key} must be a non-empty string, not {kind_of(value)}", f"one of the {what}")
            elif valid is not None and value not in valid:
                listing = f"valid: {', '.join(valid)}" if len(valid) <= 20 else f"one of the {what}"
                emit("error", f"{where}.{key}", f"unknown {key} {value!r}"[:120]
                     + (" (not in sources.toml)" if key == "source" else ""),
                     did_you_mean(value, valid) + listing)
        if problem := check_span(entry.get("since"), entry.get("until")):
            emit("error", f"{where}.{'until' if 'is not after' in problem else _bad_date_key(entry)}",
                 problem, f"{FORMAT_HINT}; until comes after since (it is the first day the role no longer holds)")
        pair = (str(entry.get("role")), str(entry.get("part")))
        if pair in seen:
            emit("warning", where, f"role {pair[0]!r} with part {pair[1]!r} is listed twice", "remove one")
        seen.add(pair)


def _bad_date_key(obj: dict) -> str:
    """Which of since/until is not a date (for the message's property)."""
    return "since" if check_span(obj.get("since"), None) else "until"


def _dates(props: dict, known: Known, emit) -> None:
    """since/until: dates, until after since; dates_source: the source that dates the change."""
    if problem := check_span(props.get("since"), props.get("until")):
        emit("error", "until" if "is not after" in problem else _bad_date_key(props), problem,
             f"{FORMAT_HINT}; until comes after since (it is the first day the boundary no longer holds)")
    src = props.get("dates_source")
    if src is not None and known.sources is not None and src not in known.sources:
        emit("error", "dates_source", f"unknown source {src!r} (not in sources.toml)"[:120],
             did_you_mean(src, known.sources) + "the sources.toml key citing the change of boundary")
    elif src is None and ("since" in props or "until" in props):
        emit("warning", "dates_source", "dated boundary without dates_source",
             "name the sources.toml key that says when the boundary changed")


def _numbers(props: dict, basis, gtype, zone: bool, emit) -> None:
    err = props.get("position_error_m")
    if err is None:
        if basis == "schematic":
            emit("warning", "position_error_m", "schematic feature has no position_error_m",
                 "say how far off the drawn position may be, in metres")
    elif not _positive(err):
        emit("error", "position_error_m",
             f"position_error_m must be a positive number of metres, not {err!r}"[:200],
             "how far off the drawn position may be, in metres")
    area = props.get("schematic_area_km2")
    if gtype == "Point" and zone and not _positive(area):
        emit("error", "schematic_area_km2", "schematic zone Point needs a positive schematic_area_km2"
             + ("" if area is None else f" (it is {area!r})"[:80]),
             "its estimated area in km2: the map draws a circle of that area around the point")
    elif area is not None and not _positive(area):
        emit("error", "schematic_area_km2",
             f"schematic_area_km2 must be a positive number, not {area!r}"[:200],
             "the estimated area in km2")
    for key, value in props.items():
        if isinstance(value, float) and not (-_INF < value < _INF) and key not in (  # NaN or infinite
                "position_error_m", "schematic_area_km2"):
            emit("error", str(key), f"{key} is {value!r}: not a JSON number", "write a number, or null")


def _derive(props: dict, basis, has_geometry: bool, allowed: tuple, layer: str, emit) -> list[str]:
    """Check derive and its relation to geometry and geometry_basis; return its valid ``from`` ids."""
    derive = props.get("derive")
    if derive is None:
        if basis == "derived":
            emit("error", "derive", "geometry_basis is 'derived' but there is no derive",
                 'add "derive": {"op": "union", "from": [ids]}, or change geometry_basis')
        if not has_geometry:
            emit("error", "geometry", "the feature has neither geometry nor derive",
                 'draw a geometry, or add "derive": {"op": "union" or "line", "from": [ids]}')
        return []
    if has_geometry:
        emit("error", "geometry", "derived geometry must be null; it is computed",
             'set "geometry": null (the build computes it from derive.from), or remove derive')
    if basis == "official":
        emit("error", "geometry_basis", "an official (published) boundary cannot be derived",
             "use geometry_basis derived, or schematic for a line")
    if not isinstance(derive, dict):
        emit("error", "derive", f"derive must be an object {{op, from}}, not {kind_of(derive)}",
             '{"op": "union", "from": ["220182", "220122"]}')
        return []
    op, ids = derive.get("op"), derive.get("from")
    if not isinstance(op, str) or op not in DERIVE_OPS:
        emit("error", "derive.op", f"unknown derive op {op!r}", did_you_mean(op, DERIVE_OPS)
             + "valid ops: union (the dissolved union of whole features), line (through their centres), "
             "grow (their union grown to schematic_area_km2)")
    elif allowed and not set(DERIVE_OPS[op]) & set(allowed):
        emit("error", "derive.op", f"derive op {op!r} makes a {DERIVE_OPS[op][0]}, which layer {layer!r} "
             f"does not allow", f"this layer takes {', '.join(allowed)}")
    if not isinstance(ids, list) or not ids or not all(isinstance(x, str) and x.strip() for x in ids):
        emit("error", "derive.from",
             f"derive.from must be a non-empty list of feature ids, not {ids!r}"[:200],
             '"from": ["220182", "220122"]')
        return []
    if op == "line" and len(ids) < 2:
        emit("error", "derive.from", "a derived line needs at least two features in derive.from",
             "the line runs through the centres of the features named, in order")
    if op == "grow":
        if not _positive(props.get("schematic_area_km2")):
            emit("error", "schematic_area_km2", "derive op 'grow' needs a positive schematic_area_km2",
                 "the published area in km2: the members are grown evenly until the area is this")
        if basis != "schematic":
            emit("error", "geometry_basis", "an area grown to its published area is schematic",
                 'set "geometry_basis": "schematic"')
    return ids


def _aliases(props: dict, emit) -> None:
    aliases = props.get("aliases")
    if aliases is None:
        return
    hint = ('other names a reader may search for: "aliases": ["莲花山", "Lianhuashan"] '
            "(in a GeoPackage or Shapefile field: that list as JSON text)")
    if not isinstance(aliases, list):
        emit("error", "aliases", f"aliases must be a list of strings, not {kind_of(aliases)}", hint)
        return
    for i, a in enumerate(aliases):
        if not isinstance(a, str):
            emit("error", f"aliases[{i}]", f"an alias must be a string, not {kind_of(a)}", hint)
        elif not a.strip():
            emit("error", f"aliases[{i}]", "an alias is empty", "remove it")


def _vocabulary(props: dict, emit) -> None:
    unknown = [k for k in props if k not in PROPERTIES]  # most features: none
    if not unknown:
        cut = {}
    else:
        cut = truncated_fields(set(props))  # reported once per file by the reader
    for key in unknown:
        if key not in cut:
            emit("warning", str(key), f"unknown property {key!r}", did_you_mean(key, PROPERTIES)
                 + "docs/schema.md lists the properties; the maps ignore others")
    kind = props.get("kind")
    if kind is not None and kind not in KINDS:
        emit("warning", "kind", f"unknown kind {kind!r}"[:120],
             did_you_mean(kind, KINDS) + f"kinds: {', '.join(KINDS)}")


def check_properties(props: dict, gtype, has_geometry: bool, spec, known: Known, emit) -> list[str]:
    """Check a feature's properties (not its id); return the ids its derive names."""
    _names(props, emit)
    _aliases(props, emit)
    _vocabulary(props, emit)
    basis = props.get("geometry_basis")
    if basis is None:
        emit("error", "geometry_basis", "missing geometry_basis",
             "official (published boundary), derived (computed) or schematic (drawn to show where)")
    elif basis not in BASES:
        emit("error", "geometry_basis", f"geometry_basis {basis!r} is not official, derived or schematic",
             did_you_mean(basis, BASES) + "official, derived or schematic")
    _roles(props, spec.context, known, emit)
    _dates(props, known, emit)
    _numbers(props, basis, gtype, props.get("kind") == "zone" or spec.style == "area", emit)
    return _derive(props, basis, has_geometry, spec.geometry, spec.id, emit)


# ---------------------------------------------------------------------------------------------
# across features

def derive_cycle(graph: dict, start: str) -> list[str] | None:
    """A path start -> ... -> start through ``graph`` (id -> the ids it derives from), or None."""
    back = {n: start for n in graph.get(start, ()) if n != start}  # reached id -> the id before it
    todo = list(back)
    while todo and start not in back:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in back:
                back[nxt] = node
                todo.append(nxt)
    if start not in back:
        return None
    chain, node = [start], back[start]
    while node != start:
        chain.append(node)
        node = back[node]
    return [start, *reversed(chain[1:]), start]


def truncated_fields(keys) -> dict[str, str]:
    """Field names that are a schema property cut to 10 characters (a Shapefile limit) -> the property."""
    cut = {name[:10]: name for name in _LONG_NAMES}
    return {k: cut[k] for k in sorted(keys) if k in cut and cut[k] not in keys}
