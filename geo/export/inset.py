"""A detail map where a page's numbered places crowd together (central Changchun on the
overview): the densest cluster of places, closer than :data:`RADIUS_MM` on the paper, is drawn
again at a larger scale in the emptiest corner of the map frame, with its own scale bar; the
main map outlines the area it shows."""

from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity

from .content import Item

__all__ = ["MIN_PLACES", "RADIUS_MM", "crowded", "inset_box", "inset_extent"]

#: Places this close together on the paper (mm) are a cluster ...
RADIUS_MM = 12.0
#: ... and a cluster of this many gets a detail map.
MIN_PLACES = 6


def crowded(places: list[Item], metres_per_mm: float) -> list[Item]:
    """The places of the densest cluster, or [] when no cluster is crowded enough."""
    if len(places) < MIN_PLACES:
        return []
    pts = np.array([[p.anchor.x, p.anchor.y] for p in places]) / metres_per_mm
    dist = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    members = dist[int(np.argmax((dist < RADIUS_MM).sum(axis=1)))] < RADIUS_MM
    for _ in range(3):  # re-centre on the cluster
        centre = pts[members].mean(axis=0)
        members = np.hypot(*(pts - centre).T) < RADIUS_MM * 1.25
    return [p for p, m in zip(places, members) if m] if members.sum() >= MIN_PLACES else []


def inset_extent(members: list[Item], aspect: float) -> tuple[float, float, float, float]:
    """What the detail map shows: its places' anchors and their small shapes, padded, at the
    width / height ``aspect`` of its box."""
    anchors = shapely.MultiPoint([m.anchor for m in members])
    x0, y0, x1, y1 = anchors.bounds
    span = max(x1 - x0, y1 - y0, 2000.0)
    for m in members:  # a zone's circle, a site: whole when it is small beside the cluster
        b = m.geometry.bounds
        if max(b[2] - b[0], b[3] - b[1]) < span:
            x0, y0, x1, y1 = min(x0, b[0]), min(y0, b[1]), max(x1, b[2]), max(y1, b[3])
    pad = 0.08 * max(x1 - x0, y1 - y0) + 1500.0
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def inset_box(frame_mm: tuple[float, float], extent, metres_per_mm: float, shapes, avoid,
              *, max_w: float = 0.48, max_h: float = 0.56, aspect: float = 1.15) -> tuple[float, float, float, float]:
    """Where the detail map goes in the frame, (x, y, w, h) in mm from the frame's lower left:
    the corner box that hides the least of ``shapes`` (projected geometries) and none of
    ``avoid`` (the area the detail map shows)."""
    fw, fh = frame_mm
    h = min(max_h * fh, max_w * fw / aspect)
    w = h * aspect
    m = 1.5
    x0, y0 = extent[0], extent[1]

    def paper(g):
        return affinity.affine_transform(g, [1 / metres_per_mm, 0, 0, 1 / metres_per_mm,
                                                     -x0 / metres_per_mm, -y0 / metres_per_mm])

    drawn = shapely.union_all([paper(g) for g in shapes]) if shapes else shapely.Point()
    keep_clear = paper(shapely.box(*avoid))
    top, bottom = fh - h - m, max(m, 0.12 * fh)  # below the north arrow's row, above the scale bar
    corners = [(fw - w - m, m), (m, top), (m, bottom), (fw - w - m, min(top, fh - h - 16.0))]
    edges = [((fw - w) / 2, m), ((fw - w) / 2, top), (m, (fh - h) / 2), (fw - w - m, (fh - h) / 2)]
    best, best_cost = corners[0], float("inf")
    for k, (x, y) in enumerate(corners + edges):
        box = shapely.box(x, y, x + w, y + h)
        cost = box.intersection(drawn).area * (1.0 if k < len(corners) else 1.3) \
            + (1e9 if box.intersects(keep_clear) else 0.0)
        if cost < best_cost:
            best, best_cost = (x, y), cost
    return best[0], best[1], w, h
