"""Drawing a page's features with matplotlib, in the web pages' symbols: grey official
boundaries; role fills, denser for flagship and core parts; interleaved stripes of each role's
colour for a place in several roles; thick outlines for belts and areas; lines for corridors;
dots for sites; dashes for anything schematic."""

from __future__ import annotations

import math

import numpy as np
import shapely
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from .content import Item, PageContent

__all__ = ["ALPHA", "draw_context", "draw_overlays", "polygon_path", "stripe_bands"]

#: Fill opacity by part weight (1 driven, interacts, ring; 2 member, carrier...; 3 flagship, core).
ALPHA = {1: 0.22, 2: 0.38, 3: 0.55}
LAND, SEA = "#fbfaf6", "#e8ecef"
DASH = (0, (4.0, 2.5))


def polygon_path(geom) -> MplPath:
    """The polygons of ``geom`` as one matplotlib path (shells anticlockwise, holes clockwise,
    so holes stay holes); other parts are left out."""
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type == "MultiPolygon":
            parts = list(poly.geoms)
        elif poly.geom_type == "Polygon":
            parts = [poly]
        else:
            continue
        for part in parts:
            part = shapely.orient_polygons(part)
            for ring in (part.exterior, *part.interiors):
                xy = np.asarray(ring.coords)
                c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                verts.append(xy)
                codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _poly(ax, geom, **kw) -> None:
    if geom is not None and not geom.is_empty:
        path = polygon_path(geom)
        if len(path.vertices):  # add_artist: no data limits from 30,000 vertices (the frame sets them)
            ax.add_artist(PathPatch(path, **kw))


def draw_context(ax, content: PageContent, *, land: bool = True) -> None:
    """The province as land on a grey ground (``land``; not over a basemap); grey boundary
    lines on top of the role fills (zorder 6), the province's darker."""
    if land:
        ax.set_facecolor(SEA)
        for item in content.context:
            if item.feature.layer.style == "outline":
                _poly(ax, item.geometry, facecolor=LAND, edgecolor="none", zorder=1)
    for item in content.context:
        spec = item.feature.layer
        strong = spec.id == "province"
        _poly(ax, item.geometry, facecolor="none", edgecolor="#555" if strong or spec.id == "counties" else "#888",
              linewidth=0.9 if strong else 0.45, zorder=6)


def stripe_bands(geom, n: int, width: float) -> list:
    """``geom`` cut into 45° bands ``width`` wide, dealt in turn to ``n`` slots: a geometry per
    slot. Bands are anchored to the projection's origin, so neighbours' stripes line up."""
    x0, y0, x1, y1 = geom.bounds
    r2 = math.sqrt(2)
    u0, u1 = (x0 - y1) / r2, (x1 - y0) / r2     # across the stripes
    t0, t1 = (x0 + y0) / r2 - width, (x1 + y1) / r2 + width  # along them
    k0, k1 = math.floor(u0 / width), math.ceil(u1 / width)
    ks = np.arange(k0, k1)
    a, b = ks * width, (ks + 1) * width

    def xy(u, t):
        return np.stack([(u + t) / r2, (t - u) / r2], axis=-1)

    rings = np.stack([xy(a, t0), xy(b, t0), xy(b, t1), xy(a, t1), xy(a, t0)], axis=1)
    bands = shapely.polygons(rings)
    shapely.prepare(geom)
    cut = shapely.intersection(bands, geom)
    slots = []
    for s in range(n):
        parts = [g for g in cut[(ks - k0) % n == s] if not g.is_empty]
        slots.append(shapely.union_all(parts) if parts else None)
    return slots


def draw_overlays(ax, content: PageContent, registry, metres_per_mm: float) -> set[str]:
    """Every role feature, bottom to top; returns the symbols used (for the legend)."""
    roles = {r.id: r for r in content.roles}
    seen: set[str] = set()
    for z, item in enumerate(content.overlays):
        zorder = 3 + z / 1000
        t = item.geometry.geom_type
        spec = item.feature.layer
        schematic = item.feature.basis == "schematic"
        if schematic:
            seen.add("dashed")
        if "Point" in t:
            seen.add("point")
            _points(ax, item, roles, zorder + 5)
        elif "Line" in t:
            seen.add("line")
            for rid in item.role_ids:
                lw = 0.9 + 0.35 * item.weight
                _lines(ax, item.geometry, color=roles[rid].colour, linewidth=lw, alpha=0.9,
                       linestyle=DASH if schematic else "solid", zorder=zorder + 3)
        elif spec.style == "outline":
            seen.add("outline")
            for rid in item.role_ids:
                _poly(ax, item.geometry, facecolor="none", edgecolor=to_rgba(roles[rid].colour, 0.85),
                      linewidth=2.0, linestyle=DASH if schematic else "solid", zorder=zorder + 2)
        else:
            _area(ax, item, roles, registry, metres_per_mm, zorder, seen)
    return seen


def _area(ax, item: Item, roles: dict, registry, metres_per_mm: float, zorder: float, seen: set) -> None:
    ids = item.role_ids
    schematic = item.feature.basis == "schematic"

    def alpha(rid):
        w = max(getattr(registry.parts.get(r["part"]), "weight", 2) for r in item.roles if r["role"] == rid)
        seen.add("strong" if w >= 3 else "light")
        return ALPHA.get(w, 0.38)

    if len(ids) == 1:
        rid = ids[0]
        _poly(ax, item.geometry, facecolor=to_rgba(roles[rid].colour, alpha(rid)), edgecolor="none", zorder=zorder)
    else:
        seen.add("stripes")
        bands = stripe_bands(item.geometry, len(ids), 1.3 * metres_per_mm)
        for rid, geom in zip(ids, bands):
            _poly(ax, geom, facecolor=to_rgba(roles[rid].colour, alpha(rid)), edgecolor="none", zorder=zorder)
    edge = roles[ids[0]].colour
    _poly(ax, item.geometry, facecolor="none", edgecolor=to_rgba(edge, 0.95),
          linewidth=1.1 if item.weight >= 3 else 0.7, linestyle=DASH if schematic else "solid", zorder=zorder + 0.0005)


def _lines(ax, geom, **kw) -> None:
    for part in getattr(geom, "geoms", [geom]):
        x, y = part.xy
        ax.plot(x, y, solid_capstyle="round", dash_capstyle="round", **kw)


def _points(ax, item: Item, roles: dict, zorder: float) -> None:
    """A dot per role, largest first, so a site in two roles shows two rings of colour."""
    ids = item.role_ids
    n = len(ids)
    for slot, rid in enumerate(ids):
        size = 2.6 + 1.8 * (n - slot)  # diameter in points
        for g in getattr(item.geometry, "geoms", [item.geometry]):
            ax.plot([g.x], [g.y], marker="o", markersize=size, markerfacecolor=roles[rid].colour,
                    markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=zorder + slot / 100)
