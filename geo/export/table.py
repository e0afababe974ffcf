"""The plan as tables: one row per feature and role, of every date, with the span it holds
(:func:`plan_frame`, the GeoPackage's ``role_assignments``), and the role × place matrix of
today written to ``roles.csv`` (as the plans' pages show it)."""

from __future__ import annotations

import csv
import io
import math

from ..plan import Plan

__all__ = ["ROLE_COLUMNS", "plan_frame", "plan_of", "role_rows", "roles_csv"]

ROLE_COLUMNS = ("id", "layer", "name_en", "name_zh", "role", "part", "source", "plan", "since", "until")


def plan_of(role) -> str:
    """The plan a role belongs to: the id of its layout system (a ``[[plan]]`` of roles.toml)."""
    return role.plan


def role_rows(plan: Plan) -> list[dict]:
    """One row per feature and role it takes part in, in the layers' order, with the span the
    assignment holds (``since``, and ``until`` when it ended, as written; see
    :func:`geo.timeline.role_span`)."""
    from ..timeline import role_span

    roles = {r.id: r for r in plan.registry.roles}
    rows = []
    for f in plan.features:
        for r in f.roles:
            role = roles.get(str(r.get("role")))
            since, until = role_span(plan, f, r) if role else (r.get("since"), r.get("until"))
            rows.append({"id": f.id, "layer": f.layer.id, "name_en": str(f.props.get("name_en", "")),
                         "name_zh": str(f.props.get("name_zh", "")), "role": str(r.get("role")),
                         "part": str(r.get("part", "")), "source": str(r.get("source", "")),
                         "plan": plan_of(role) if role else "", "since": str(since or ""), "until": str(until or "")})
    return rows


def _area(f) -> float:
    return round(f.area_km2, 1) if f.geometry.geom_type.endswith("Polygon") else math.nan


def plan_frame(layers_dir="layers", plan: Plan | None = None):
    """A GeoDataFrame with one row per feature and role: ``id``, ``layer``, ``name_en``,
    ``name_zh``, ``role``, ``part``, ``source``, ``plan``, ``area_km2`` (computed, equal-area;
    NaN for points and lines) and ``geometry`` (WGS-84, EPSG:4326). Features that take part in
    no role (the province) are not in it; ``geo.load_plan`` has them all."""
    import geopandas as gpd

    from ..plan import load_plan

    plan = plan or load_plan(layers_dir)
    by_id = plan.by_id
    rows = role_rows(plan)
    frame = gpd.GeoDataFrame(
        {**{k: [r[k] for r in rows] for k in ROLE_COLUMNS},
         "area_km2": [_area(by_id[r["id"]]) for r in rows]},
        geometry=[by_id[r["id"]].geometry for r in rows], crs="EPSG:4326")
    return frame


def _number(v):
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def roles_csv(plan: Plan) -> str:
    """The role × place matrix of today (what the plans' pages show): a row per place that takes
    part in a role, a column per role holding its part there; with the computed and the
    published area. Text with a BOM, so spreadsheet programs read the Chinese names as UTF-8.
    Assignments of other dates are in :func:`role_rows`, with their spans."""
    from ..timeline import in_force, today

    at = today(plan)
    roles = plan.registry.roles
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["id", "layer", "name_en", "name_zh", "geometry_basis", "area_km2_computed",
                "area_km2_published", "area_source", *[f"{r.id} ({r.name_en} {r.name_zh})" for r in roles]])
    for f in plan.features:
        now = [r for r in f.roles if in_force(plan, f, None, at) and in_force(plan, f, r, at)]
        if not now:
            continue
        parts = {}
        for r in now:
            parts.setdefault(str(r.get("role")), []).append(str(r.get("part", "")))
        computed = _area(f)
        published = _number(f.props.get("area_published_km2"))
        w.writerow([f.id, f.layer.id, f.props.get("name_en", ""), f.props.get("name_zh", ""), f.basis,
                    "" if math.isnan(computed) else f"{computed:.1f}",
                    "" if published is None else f"{published:g}", f.props.get("area_source", ""),
                    *["; ".join(parts.get(r.id, [])) for r in roles]])
    return "\ufeff" + out.getvalue()
