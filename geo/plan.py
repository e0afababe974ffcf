"""The plan as the maps see it: every feature of every layer, with its geometry resolved.

:func:`load_plan` reads the catalogue, the registry and each layer, then computes what is
computed rather than drawn: belts and areas made of whole districts are the union of their
members; schematic corridors are lines through their members' centres; schematic zones stored
as a centre point become circles of their published area. Areas are measured in a Lambert
azimuthal equal-area projection centred on Changchun.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point

from .catalogue import Catalogue, LayerSpec, load_catalogue
from .datum import DATUMS, transform_geometry
from .errors import DataError
from .layerio import Feature, geometry_from_json, plain_points, read_layer
from .registry import Registry, load_registry

__all__ = ["EQUAL_AREA", "Plan", "PlanFeature", "area_km2", "load_plan", "plan_from", "read_features"]

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

    @property
    def basis(self) -> str:
        return str(self.props.get("geometry_basis", ""))

    @property
    def roles(self) -> list[dict]:
        return [r for r in (self.props.get("roles") or []) if isinstance(r, dict)]

    def role_ids(self) -> list[str]:
        return [str(r.get("role")) for r in self.roles]

    def has_role(self, role_id: str) -> bool:
        return role_id in self.role_ids()

    @cached_property
    def area_km2(self) -> float:
        return area_km2(self.geometry) if self.geometry.geom_type.endswith("Polygon") else 0.0


@dataclass
class Plan:
    catalogue: Catalogue
    registry: Registry
    features: list[PlanFeature] = field(default_factory=list)

    @cached_property
    def by_id(self) -> dict[str, PlanFeature]:
        return {f.id: f for f in self.features}

    def with_role(self, role_id: str) -> list[PlanFeature]:
        return [f for f in self.features if f.has_role(role_id)]

    def layer_features(self, layer_id: str) -> list[PlanFeature]:
        return [f for f in self.features if f.layer.id == layer_id]


def _anchor(geom) -> Point:
    if geom.geom_type == "Point":
        return geom
    c = geom.centroid
    return c if geom.contains(c) else geom.point_on_surface()


def resolve(raw: list[tuple[LayerSpec, Feature]]) -> list[PlanFeature]:
    """Resolve stored, schematic and derived geometries, in dependency order."""
    done: dict[str, PlanFeature] = {}
    pending = []
    order = []
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
        done[fid] = PlanFeature(fid, spec, props, geom, _anchor(geom), f.geometry)
    while pending:
        progress = False
        for spec, f in list(pending):
            d = f.props["derive"]
            members = [str(m) for m in d.get("from", [])]
            if not all(m in done for m in members):
                continue
            if d.get("op") == "union":
                geom = shapely.union_all([done[m].geometry for m in members])
                anchor = _anchor(geom)
            elif d.get("op") == "line":
                geom = LineString([done[m].anchor for m in members])
                anchor = geom.interpolate(0.5, normalized=True)
            else:
                raise DataError(f"{spec.where}: feature {f.id}: derive op {d.get('op')!r} is not union or line")
            done[f.id] = PlanFeature(f.id, spec, f.props, geom, anchor, None)
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
        points = plain_points([f.geometry for f in feats])  # plain Points made in one call
        for i, f in enumerate(feats):
            if type(f.geometry) is dict:
                g = points.get(i)  # (not "or": the truth of a geometry is a GEOS call)
                f = Feature(f.props, geometry_from_json(f.geometry) if g is None else g, f.layer, f.index)
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
