"""The plan as the maps see it: every feature of every layer, with its geometry resolved.

:func:`load_plan` reads the catalogue, the registry and each layer, then computes what is
computed rather than drawn: belts and areas made of whole districts are the union of their
members; schematic corridors are lines through their members' centres; schematic zones stored
as a centre point become circles of their published area; schematic plates with no published
boundary are their members grown evenly to their published area. Areas are measured in a
Lambert azimuthal equal-area projection centred on Changchun.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point

from . import cache
from .catalogue import Catalogue, LayerSpec, load_catalogue
from .datum import DATUMS, transform_geometry
from .errors import DataError
from .layerio import OGR_SUFFIXES, Feature, geometry_from_json, plain_points, read_layer
from .registry import Registry, load_registry

__all__ = ["EQUAL_AREA", "Plan", "PlanFeature", "area_km2", "dissolve", "grow_to_area", "load_plan", "plan_from",
           "read_features", "union_of"]

#: Lambert azimuthal equal-area centred on Changchun: areas in it are true areas.
EQUAL_AREA = "+proj=laea +lat_0=44 +lon_0=125.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
_TO_EA = Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
_FROM_EA = Transformer.from_crs(EQUAL_AREA, "EPSG:4326", always_xy=True)


def to_equal_area(geom):
    return shapely.transform(geom, lambda xy: _stack(_TO_EA.transform(xy[:, 0], xy[:, 1])))


def from_equal_area(geom):
    return shapely.transform(geom, lambda xy: _stack(_FROM_EA.transform(xy[:, 0], xy[:, 1])))


def _stack(pair):
    import numpy as np

    return np.column_stack(pair)


def area_km2(geom) -> float:
    """True area of a WGS-84 geometry in km² (equal-area projection)."""
    if geom is None or geom.is_empty:
        return 0.0
    return to_equal_area(geom).area / 1e6


def schematic_circle(centre: Point, area: float, segments: int = 64):
    """A circle of ``area`` km² around ``centre``, drawn in the equal-area projection."""
    # the radius of the regular polygon (not the circle) whose area is the published one
    radius = math.sqrt(area * 1e6 / (segments / 2 * math.sin(2 * math.pi / segments)))
    return from_equal_area(to_equal_area(centre).buffer(radius, quad_segs=segments // 4))


@dataclass
class PlanFeature:
    """A feature with its layer and its resolved WGS-84 geometry."""

    id: str
    layer: LayerSpec
    props: dict
    geometry: object
    anchor: Point  # where its label and line ends go
    stored: object = None  # the geometry as stored in the file (None when derived)
    tiling: bool = False  # an official boundary, or a union of them: it shares its edges exactly
    members: tuple = ()  # a tiling union's members: its area is theirs, without projecting it again

    @property
    def basis(self) -> str:
        return str(self.props.get("geometry_basis", ""))

    @property
    def since(self) -> str | None:
        """The date from which this boundary holds (None: always, as far as the maps go)."""
        return self.props.get("since")

    @property
    def until(self) -> str | None:
        """The date until which this boundary held (None: it still holds)."""
        return self.props.get("until")

    @cached_property
    def roles(self) -> list[dict]:
        """Its role assignments (the entries of its roles property that are objects), made once:
        every page asks."""
        return [r for r in (self.props.get("roles") or []) if isinstance(r, dict)]

    def role_ids(self) -> list[str]:
        return [str(r.get("role")) for r in self.roles]

    def has_role(self, role_id: str) -> bool:
        return role_id in self.role_ids()

    @cached_property
    def area_km2(self) -> float:
        if self.tiling and self.members:
            return sum(m.area_km2 for m in self.members)
        return area_km2(self.geometry) if self.geometry.geom_type.endswith("Polygon") else 0.0


@dataclass
class Plan:
    catalogue: Catalogue
    registry: Registry
    features: list[PlanFeature] = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)  # answers every page asks for

    @cached_property
    def by_id(self) -> dict[str, PlanFeature]:
        return {f.id: f for f in self.features}

    def anchored_in(self, f: PlanFeature) -> frozenset[str]:
        """The ids of the other features, points aside, whose anchor (label point) lies inside
        polygon ``f``, computed once per feature (every page asks the same; the page's point
        table finds its own containers)."""
        return self.remembered("anchored_in", self._anchored_in).get(f.id, frozenset())

    def _anchored_in(self) -> dict[str, frozenset]:
        """:meth:`anchored_in` of every polygon at once: one query of a tree of the anchors (a
        layer of 10,000 zones: no polygon looks at every anchor)."""
        import numpy as np

        shapes, xy = self.remembered("anchors", self._anchors)
        polys = [g for g in shapes if g.geometry.geom_type.endswith("Polygon")]
        if not polys:
            return {}
        tree = shapely.STRtree(shapely.points(xy))
        which, anchor = tree.query([g.geometry for g in polys], predicate="contains")
        order = np.argsort(which, kind="stable")
        which, anchor = which[order], anchor[order]
        cuts = np.searchsorted(which, np.arange(len(polys) + 1))
        return {p.id: frozenset(shapes[j].id for j in anchor[cuts[k]:cuts[k + 1]].tolist() if shapes[j] is not p)
                for k, p in enumerate(polys)}

    def _anchors(self):
        import numpy as np

        shapes = [g for g in self.features if g.geometry.geom_type != "Point"]
        return shapes, np.array([(g.anchor.x, g.anchor.y) for g in shapes]).reshape(-1, 2)

    def remembered(self, key, compute):
        """``compute()``, once per plan: for what every page asks the same of."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def with_role(self, role_id: str) -> list[PlanFeature]:
        return [f for f in self.features if f.has_role(role_id)]

    def layer_features(self, layer_id: str) -> list[PlanFeature]:
        return [f for f in self.features if f.layer.id == layer_id]


GROW_TOLERANCE = 1e-4


def grow_to_area(geom, area: float, tolerance: float = GROW_TOLERANCE):
    """``geom`` (WGS-84) buffered evenly, out or in, in the equal-area projection until its
    area is ``area`` km² (within ``tolerance``, relative): a schematic area around its members."""
    ea, target = to_equal_area(geom), area * 1e6
    lo, hi = -math.sqrt(max(ea.area, 1.0) / math.pi), math.sqrt(target / math.pi)
    while to_equal_area(geom).buffer(hi, quad_segs=16).area < target:  # pragma: no cover - hi is enough
        hi *= 2
    out = ea
    for _ in range(60):
        mid = (lo + hi) / 2
        out = ea.buffer(mid, quad_segs=16)
        if abs(out.area / target - 1) < tolerance:
            break
        lo, hi = (mid, hi) if out.area < target else (lo, mid)
    return from_equal_area(out)


def union_of(members: list) -> object:
    """The dissolved union of the members' geometries (see :func:`dissolve`)."""
    return dissolve([m.geometry for m in members], tiling=all(m.tiling for m in members))


def dissolve(geoms: list, tiling: bool = False):
    """The union of polygons. Boundaries that tile the land (``tiling``: official boundaries and
    unions of them) share their edges exactly, and a coverage union dissolves them many times
    quicker than a general union; anything else (a schematic circle over districts) takes the
    general union, as does a coverage union that fails or loses area."""
    if tiling:
        try:
            out = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            out = None
        if out is not None and abs(out.area / sum(g.area for g in geoms) - 1) < 1e-9:
            return out
    return shapely.union_all(geoms)


def _anchor(geom) -> Point:
    if geom.geom_type == "Point":
        return geom
    c = geom.centroid
    return c if geom.contains(c) else geom.point_on_surface()


def resolve(raw: list[tuple[LayerSpec, Feature]]) -> list[PlanFeature]:
    """Resolve stored, schematic and derived geometries, in dependency order. A union or a
    grown plate whose members are those of an earlier build comes from :class:`geo.cache.Derived`."""
    derived = cache.Derived()
    try:
        return _resolve(raw, derived)
    finally:
        derived.close()


def _resolve(raw, derived) -> list[PlanFeature]:
    done: dict[str, PlanFeature] = {}
    keys: dict[str, str] = {}  # feature id -> what its geometry is made of (a hash)
    pending = []
    order = []

    def made_of(op: str, members: list[str]) -> str:
        for m in members:
            if m not in keys:
                keys[m] = cache.digest(done[m].geometry)
        return hashlib.blake2b(" ".join([op, *(keys[m] for m in members)]).encode(), digest_size=16).hexdigest()
    for spec, f in raw:
        fid, props, geom = f.id, f.props, f.geometry
        order.append(fid)
        if props.get("derive"):
            pending.append((spec, f))
            continue
        if geom is None:
            raise DataError(f"{spec.where}: feature {fid}: no geometry and nothing to derive it from")
        if type(geom) is Point:  # most features of a big layer: nothing to compute
            area = props.get("schematic_area_km2")
            if area and "Polygon" in " ".join(spec.geometry):
                geom = schematic_circle(geom, float(area))
            done[fid] = PlanFeature(fid, spec, props, geom, f.geometry, f.geometry)
            continue
        tiling = props.get("geometry_basis") == "official" and geom.geom_type.endswith("Polygon")
        done[fid] = PlanFeature(fid, spec, props, geom, _anchor(geom), f.geometry, tiling)
    while pending:
        progress = False
        for spec, f in list(pending):
            d = f.props["derive"]
            members = [str(m) for m in d.get("from", [])]
            if not all(m in done for m in members):
                continue
            tiling, parts = False, ()
            if d.get("op") == "union":
                keys[f.id] = made_of("union", members)
                geom = derived.get(keys[f.id], lambda ms=members: union_of([done[m] for m in ms]))
                anchor = _anchor(geom)
                tiling = all(done[m].tiling for m in members)
                parts = tuple(done[m] for m in members) if tiling else ()
            elif d.get("op") == "line":
                geom = LineString([done[m].anchor for m in members])
                anchor = geom.interpolate(0.5, normalized=True)
            elif d.get("op") == "grow":
                area = f.props.get("schematic_area_km2")
                if not isinstance(area, (int, float)) or area <= 0:
                    raise DataError(f"{spec.where}: feature {f.id}: derive op grow needs a positive schematic_area_km2")
                keys[f.id] = made_of(f"grow {float(area)!r} {GROW_TOLERANCE!r}", members)
                geom = derived.get(keys[f.id], lambda ms=members, a=float(area): grow_to_area(
                    shapely.union_all([done[m].geometry for m in ms]), a))
                anchor = _anchor(geom)
            else:
                raise DataError(f"{spec.where}: feature {f.id}: derive op {d.get('op')!r} is not union, line or grow")
            done[f.id] = PlanFeature(f.id, spec, f.props, geom, anchor, None, tiling, parts)
            pending.remove((spec, f))
            progress = True
        if not progress:
            spec, f = pending[0]
            missing = [m for m in f.props["derive"].get("from", []) if str(m) not in done]
            raise DataError(f"{spec.where}: feature {f.id}: derive.from names unknown ids {missing}")
    return [done[i] for i in order]


def read_features(catalogue: Catalogue, spec: LayerSpec, connections) -> list[Feature]:
    """The features of one layer, from its file or its database table (``connections``: a
    :class:`geo.db.connect.Connections`), in WGS-84."""
    if not spec.in_database:
        return read_layer(catalogue.path(spec), datum=spec.datum)
    from .db.tables import table_features

    try:
        features = table_features(connections.get(spec.source), spec)
    except DataError as exc:
        raise DataError(f"{spec.where}: {str(exc).removeprefix(spec.source + ': ')}") from None
    if spec.datum != "wgs84":
        for f in features:
            f.geometry = transform_geometry(f.geometry, DATUMS[spec.datum])
    return features


def plan_from(catalogue: Catalogue, registry: Registry, layers: dict[str, list[Feature]]) -> Plan:
    """A Plan of features already read (``layers``: layer id -> its features, as validation
    hands them over; GeoJSON geometries may still be plain dicts)."""
    raw = []
    for spec in catalogue.layers:
        feats = layers[spec.id]
        geometries = list(map(attrgetter("geometry"), feats))
        # a GeoJSON file's coordinates as written, in its datum (GeoPackages and tables come
        # converted to WGS-84 already)
        to_wgs84 = (DATUMS[spec.datum] if spec.datum != "wgs84" and not spec.in_database
                    and catalogue.path(spec).suffix.lower() not in OGR_SUFFIXES else None)
        if to_wgs84 is None and dict not in set(map(type, geometries)):  # made already (by validation)
            raw.extend(zip(repeat(spec), feats))
            continue
        points = plain_points(geometries)  # plain Points made in one call
        for i, f in enumerate(feats):
            if type(f.geometry) is dict:
                g = points.get(i)  # (not "or": the truth of a geometry is a GEOS call)
                f = Feature(f.props, geometry_from_json(f.geometry) if g is None else g, f.layer, f.index)
            if to_wgs84 is not None and f.geometry is not None:
                f = Feature(f.props, transform_geometry(f.geometry, to_wgs84), f.layer, f.index)
            raw.append((spec, f))
    return Plan(catalogue, registry, resolve(raw))


def load_plan(layers_dir: Path | str = "layers") -> Plan:
    """Read everything under ``layers_dir`` into a Plan (no validation beyond what it needs)."""
    from .db.connect import Connections

    catalogue = load_catalogue(layers_dir)
    registry = load_registry(layers_dir)
    with Connections() as connections:
        layers = {spec.id: read_features(catalogue, spec, connections) for spec in catalogue.layers}
    return plan_from(catalogue, registry, layers)
