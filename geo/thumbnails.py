"""Small SVG pictures of a page, drawn at build time for the index.

Each thumbnail draws what the page opens on: the grey context boundaries and the role
features in their role's colour, fitted to the page's view, from the coarse forms of the
polygons (the forms pages draw below zoom 9, from the build's topology), simplified again to
most of a pixel of the picture, in whole half-pixels.
The SVG holds numbers and checked #rrggbb colours only; names go in as escaped text.
"""

from __future__ import annotations

import html
import math

import numpy as np
import shapely

from .plan import Plan
from .render import PageSpec, page_features
from .topology import QUANTUM

__all__ = ["thumbnail_svg"]

OPACITY = {1: 0.3, 2: 0.45, 3: 0.6}  # fill by the part's weight, as the pages do
UNIT = 2  # picture units per pixel


def _project(geom, lon0: float, lat0: float, k: float, cos0: float):
    """Equirectangular at the page's middle latitude, in picture pixels (y down)."""
    return shapely.transform(geom, lambda xy: np.column_stack(((xy[:, 0] - lon0) * cos0 * k,
                                                               (lat0 - xy[:, 1]) * k)))


def _path(geom) -> str:
    """SVG path data of a (multi)polygon or (multi)line, in whole units (half pixels)."""
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for g in polys:
        rings = [g.exterior, *g.interiors] if g.geom_type == "Polygon" else [g]
        for ring in rings:
            xy = np.rint(np.asarray(ring.coords)).astype(int)
            if len(xy) < 2:
                continue
            parts.append("M" + " ".join(map(str, xy.ravel())) + ("Z" if g.geom_type == "Polygon" else ""))
    return "".join(parts)


def _coarse(fid: str, geoms: dict, encoded):
    """The coarse form of a polygon (its page form when the build has none), made once a build."""
    topo = getattr(encoded, "topology", None)
    g = geoms[fid]
    if topo is None or topo.keep is None or fid not in topo.shapes or not g.geom_type.endswith("Polygon"):
        return g
    made = topo.__dict__.setdefault("_thumbnail_forms", {})
    if fid not in made:
        t, refs = topo.shapes[fid]

        def polygon(rings):  # None when the coarse shell is no ring (a sliver): the page form then
            shell, *holes = [topo.ring(r, coarse=True) * topo.quantum for r in rings]
            if len(shell) < 4:
                return None
            return shapely.polygons(shell, holes=[shapely.linearrings(h) for h in holes if len(h) >= 4] or None)

        parts = [polygon(refs)] if t == "Polygon" else [polygon(p) for p in refs]
        made[fid] = g if any(p is None for p in parts) else parts[0] if t == "Polygon" else shapely.multipolygons(parts)
    return made[fid]


def _point_rows(plan: Plan, page: PageSpec, table):
    """The page's rows of the point table, as the page has them (today)."""
    from .render import _context
    from .timeline import today

    context_ids, near = _context(plan, page)
    return table.page(page.roles, context_ids, [], at=None if page.timeline else today(plan), near=near)


def _dots(plan: Plan, rows, to_px) -> list[str]:
    """A dot per point with a role, in its first role's colour; one per 2 px and colour (a dot is
    9 px across: a dense layer draws as a patch of dots, not one per site)."""
    t = rows.table
    codes = t.role_codes[rows.rows]
    first = [rs[0][0] if rs else None for rs in rows.filtered]
    out = []
    for k in np.unique(codes).tolist():
        if first[k] is None:
            continue
        xy = t.xy[rows.rows[codes == k]] * QUANTUM
        x, y = to_px(xy[:, 0], xy[:, 1])
        colour = html.escape(plan.registry.role(first[k]).colour)
        x, y = np.rint(x).astype(int), np.rint(y).astype(int)
        cell = (x // (2 * UNIT)) * 100_003 + y // (2 * UNIT)
        _, first_in_cell = np.unique(cell, return_index=True)
        for cx, cy in zip(x[np.sort(first_in_cell)].tolist(), y[np.sort(first_in_cell)].tolist()):
            out.append(f'<circle cx="{cx}" cy="{cy}" r="4.4" fill="{colour}" stroke="#fff" stroke-width="1.2"/>')
    return out


def thumbnail_svg(plan: Plan, page: PageSpec, geoms: dict, encoded=None, *, width: int = 180,
                  height: int = 130, label: str = "") -> str:
    """An inline ``<svg>`` of the page (``label``: its accessible name; ``encoded``: the build's
    :class:`geo.render.Encoded`, whose topology holds the coarse forms)."""
    reg, parts = plan.registry, plan.registry.parts
    # the points of the build's point table come in bulk (a layer may hold 100,000 sites)
    table = getattr(encoded, "points", None)
    shown = page_features(plan, page, table.others if table is not None else None)
    rows = _point_rows(plan, page, table) if table is not None else None
    roles = [f for f, entries, _ in shown if entries]
    boxes = [geoms[f.id].envelope for f in (roles or [f for f, *_ in shown])]
    if rows is not None and rows.bounds() is not None:
        boxes.append(shapely.box(*rows.bounds()))
    box = shapely.union_all(boxes).bounds
    lat0 = (box[1] + box[3]) / 2
    cos0 = math.cos(math.radians(lat0))
    w_deg, h_deg = max((box[2] - box[0]) * cos0, 1e-6), max(box[3] - box[1], 1e-6)
    pad = 6
    k = min((width - 2 * pad) / w_deg, (height - 2 * pad) / h_deg)
    lon0 = (box[0] + box[2]) / 2 - (width / 2) / (k * cos0)
    top = (box[1] + box[3]) / 2 + (height / 2) / k
    k *= UNIT  # drawn in half pixels: whole numbers are precise enough
    order = {s.id: i for i, s in enumerate(plan.catalogue.layers)}
    out = []
    context = [f for f, _, ctx in shown if ctx]
    for f, entries, _ in sorted(shown, key=lambda t: (bool(t[1]), order[t[0].layer.id], -t[0].area_km2)):
        geom = _coarse(f.id, geoms, encoded)
        g = shapely.clip_by_rect(_project(geom, lon0, top, k, cos0), -8, -8, UNIT * width + 8, UNIT * height + 8)
        g = shapely.simplify(g, 1.6, preserve_topology=False)
        if g.is_empty:
            continue
        if not entries:
            if f in context and g.geom_type.endswith("Polygon"):
                out.append(f'<path d="{_path(g)}" fill="none" stroke="#999" stroke-width="1.2"/>')
            continue
        role = reg.role(str(entries[0]["role"]))
        weight = max(parts[str(r["part"])].weight if str(r["part"]) in parts else 2 for r in entries)
        colour = html.escape(role.colour)
        dash = ' stroke-dasharray="6 4"' if f.basis == "schematic" else ""
        if g.geom_type.endswith("Point"):
            for p in getattr(g, "geoms", [g]):
                out.append(f'<circle cx="{p.x:.0f}" cy="{p.y:.0f}" r="4.4" fill="{colour}" stroke="#fff" '
                           'stroke-width="1.2"/>')
        elif g.geom_type.endswith("LineString"):
            out.append(f'<path d="{_path(g)}" fill="none" stroke="{colour}" stroke-width="3.2"{dash}/>')
        else:
            outline = f.layer.style == "outline"
            fill = "none" if outline else colour
            out.append(f'<path d="{_path(g)}" fill="{fill}" fill-opacity="{OPACITY.get(weight, 0.45)}" '
                       f'fill-rule="evenodd" stroke="{colour}" stroke-width="{3.2 if outline else 1.6}"{dash}/>')
    if rows is not None:
        out += _dots(plan, rows, lambda lon, lat: ((lon - lon0) * cos0 * k, (top - lat) * k))
    name = html.escape(label or page.title, quote=True)
    return (f'<svg class="thumb" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {UNIT * width} {UNIT * height}" role="img" aria-label="{name}"><rect '
            f'width="{UNIT * width}" height="{UNIT * height}" fill="#f2efe9"/>' + "".join(out) + "</svg>")
