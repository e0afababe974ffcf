"""The plan as a GeoPackage for GIS: every layer with its resolved geometry (derived unions and
schematic shapes included) in WGS-84 and its properties; the role assignments, the roles and
the sources as tables; and a QGIS style per layer in ``layer_styles`` (the table QGIS reads
a layer's default style from)."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..plan import Plan
from .qml import layer_qml
from .table import ROLE_COLUMNS, plan_of, role_rows

__all__ = ["GEOMETRY_COLUMN", "write_gpkg"]

GEOMETRY_COLUMN = "geom"  # GDAL's name for GeoPackage geometry columns


def _column(values: list):
    """A column of one type: numbers stay numbers, booleans booleans, anything else text
    (lists and tables as JSON)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.array(values, dtype="boolean")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.array([float(v) if v is not None else None for v in values], dtype="Float64")
    return [None if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for v in values]


def layer_frame(plan: Plan, spec):
    """One layer as a GeoDataFrame: its properties, ``role_ids``, ``role_count``, the computed
    area and the resolved geometry."""
    import geopandas as gpd

    feats = plan.layer_features(spec.id)
    keys: list[str] = []
    for f in feats:
        keys += [k for k in f.props if k not in keys]
    data = {k: _column([f.props.get(k) for f in feats]) for k in keys}
    ids = [[] for _ in feats]
    for i, f in enumerate(feats):
        for r in f.role_ids():
            if r not in ids[i]:
                ids[i].append(r)
    data["role_ids"] = [",".join(x) for x in ids]
    data["role_count"] = [len(x) for x in ids]
    data["area_km2"] = pd.array([round(f.area_km2, 3) if f.geometry.geom_type.endswith("Polygon") else None
                                 for f in feats], dtype="Float64")
    return gpd.GeoDataFrame(data, geometry=[f.geometry for f in feats], crs="EPSG:4326")


def _tables(plan: Plan, when: datetime) -> dict[str, pd.DataFrame]:
    reg = plan.registry
    layers_roles = {}
    for f in plan.features:
        layers_roles.setdefault(f.layer.id, set()).update(f.role_ids())
    styles = []
    for spec in plan.catalogue.layers:
        roles = [r for r in reg.roles if r.id in layers_roles.get(spec.id, set())]
        styles.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": spec.id,
                       "f_geometry_column": GEOMETRY_COLUMN, "styleName": spec.id, "styleQML": layer_qml(spec, roles),
                       "styleSLD": "", "useAsDefault": True,
                       "description": f"{spec.title_en} {spec.title_zh}: as on the changchun-maps pages",
                       "owner": "", "ui": "", "update_time": when})
    rows = role_rows(plan)
    return {
        "role_assignments": pd.DataFrame(rows, columns=list(ROLE_COLUMNS)),
        "roles": pd.DataFrame([{"id": r.id, "plan": plan_of(r), "name_en": r.name_en, "name_zh": r.name_zh,
                                "colour": r.colour, "description": r.description, "source": r.source}
                               for r in reg.roles]),
        "sources": pd.DataFrame([{"id": s.id, "kind": s.kind, "title": s.title, "quote": s.quote,
                                  "reference": s.reference} for s in reg.sources.values()]),
        "layer_styles": pd.DataFrame(styles),
    }


def pyogrio_write(frame, path, **kwargs) -> None:
    """One table into the GeoPackage at ``path`` (a new file, or a new table in it)."""
    import pyogrio

    pyogrio.write_dataframe(frame, path, driver="GPKG", **kwargs)


def write_gpkg(plan: Plan, path: Path | str, *, when: datetime | None = None) -> dict[str, int]:
    """Write the GeoPackage at ``path`` (through a temporary file and a rename: never half a
    file); returns each table's row count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    when = when or datetime.now(UTC)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.gpkg")
    counts = {}
    try:
        tmp.unlink(missing_ok=True)
        # GDAL stamps each table's last change: the export's time, not the wall clock
        config = {"OGR_CURRENT_DATE": when.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        with _gdal_config(config):
            for i, spec in enumerate(plan.catalogue.layers):
                frame = layer_frame(plan, spec)
                # GeoPackage 1.2: what GDAL before 3.7 (QGIS 3.22 and older) reads without a warning
                pyogrio_write(frame, tmp, layer=spec.id, promote_to_multi=_mixed(frame),
                              layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN},
                              dataset_options={"VERSION": "1.2"} if i == 0 else None)
                counts[spec.id] = len(frame)
            for name, table in _tables(plan, when).items():
                pyogrio_write(table, tmp, layer=name, layer_options={"FID": "id"} if name == "layer_styles" else None)
                counts[name] = len(table)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


def _mixed(frame) -> bool:
    kinds = {t.removeprefix("Multi") for t in frame.geom_type}
    return len(set(frame.geom_type)) > 1 and len(kinds) == 1


@contextmanager
def _gdal_config(options: dict):
    import pyogrio

    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)
