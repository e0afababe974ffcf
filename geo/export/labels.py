"""Labels on the print map: names of the county-level units (and prefectures), and a number
at each other place the page's roles name, keyed in the legend's list of places.

Which layers are labelled comes from ``layers.toml`` (``labels``, ``label_min_zoom``), read
against the web zoom level whose scale matches the printed map's, so a print shows the labels
the web map shows at the same scale; an outline whose units are labelled (Changchun over its
districts) gives way to them, as on the web. Labels are placed greedily: each takes the first
of a few nearby positions that overlaps nothing placed before, and a number moved off its
place gets a leader line.
"""

from __future__ import annotations

import math

from matplotlib import patheffects
from matplotlib.transforms import Bbox

from .content import Item, PageContent
from .words import bilingual, short_name

__all__ = ["Placer", "equivalent_zoom", "label_counties", "number_places"]

_EARTH = 40_075_016.686
_WEB_PX_MM = 25.4 / 96  # a CSS pixel
#: Paper is read from closer than a screen, and holds finer type: labels come half a zoom
#: level earlier than on the web (A4 maps of Changchun then name its units, portrait too).
PRINT_ZOOM_BONUS = 0.5


def equivalent_zoom(extent, frame_width_mm: float, lat: float = 44.0) -> float:
    """The web zoom level whose labels the printed map shows: the one at which a screen shows
    the printed map's scale, plus :data:`PRINT_ZOOM_BONUS`."""
    m_per_px = (extent[2] - extent[0]) / frame_width_mm * _WEB_PX_MM
    return math.log2(_EARTH * math.cos(math.radians(lat)) / (256 * m_per_px)) + PRINT_ZOOM_BONUS


class Placer:
    """Remembers what is placed (display boxes) and finds each new label a free spot."""

    def __init__(self, ax, renderer, obstacles=()):
        self.ax, self.renderer = ax, renderer
        self.taken: list[Bbox] = [b for b in obstacles if b is not None]
        self.frame = ax.get_window_extent(renderer)

    def _cost(self, box: Bbox) -> float:
        inside = (box.x0 >= self.frame.x0 and box.x1 <= self.frame.x1 and
                  box.y0 >= self.frame.y0 and box.y1 <= self.frame.y1)
        cost = 0.0 if inside else 1e9
        for t in self.taken:
            w = min(box.x1, t.x1) - max(box.x0, t.x0)
            h = min(box.y1, t.y1) - max(box.y0, t.y0)
            if w > 0 and h > 0:
                cost += w * h
        return cost

    def place(self, ann, offsets) -> tuple[float, float]:
        """Move annotation ``ann`` to the first offset (points) where it overlaps nothing, else
        to the least crowded; returns the offset chosen."""
        best, best_cost, best_box = None, math.inf, None
        for off in offsets:
            ann.xyann = off
            box = ann.get_window_extent(self.renderer).padded(1.0)
            cost = self._cost(box)
            if cost < best_cost:
                best, best_cost, best_box = off, cost, box
            if cost == 0:
                break
        ann.xyann = best
        self.taken.append(best_box)
        return best


def _labelled(content: PageContent, zoom: float, extent) -> list[Item]:
    x0, y0, x1, y1 = extent
    labelled = [i for i in content.items if i.feature.layer.labels and i.context]
    out = []
    for item in labelled:
        spec = item.feature.layer
        inner = [o.feature.layer.label_min_zoom for o in labelled
                 if o.feature.layer.id != spec.id and o.feature.layer.label_min_zoom > spec.label_min_zoom
                 and item.feature.geometry.contains(o.feature.anchor)]
        max_zoom = min(inner) - 1 if inner else 99
        a = item.anchor
        if spec.label_min_zoom <= zoom < max_zoom + 1 and x0 < a.x < x1 and y0 < a.y < y1:
            out.append(item)
    return out


_HALO = [patheffects.withStroke(linewidth=1.8, foreground="white")]


def label_counties(ax, placer: Placer, content: PageContent, zoom: float, extent, lang: str,
                   size: float = 6.3) -> list[Item]:
    """Names of the labelled context units in view; returns the items labelled."""
    done = []
    # larger units first: they have room to spare when a small one needs to move
    for item in sorted(_labelled(content, zoom, extent), key=lambda i: -i.feature.area_km2):
        p = item.feature.props
        big = item.feature.layer.label_min_zoom == 0
        text = bilingual(short_name(str(p.get("name_en", ""))), str(p.get("name_zh", "")), lang, "\n")
        ann = ax.annotate(text, (item.anchor.x, item.anchor.y), xytext=(0, 0), textcoords="offset points",
                          ha="center", va="center", fontsize=size * (1.15 if big else 1.0),
                          color="#555" if big else "#222", linespacing=1.0, zorder=12,
                          fontweight="bold" if big else "normal", annotation_clip=True)
        off = placer.place(ann, [(0, 0), (0, 5), (0, -5), (7, 0), (-7, 0), (0, 9), (0, -9), (9, 6), (-9, -6)])
        # the white halo is a copy drawn as outlines underneath, so the name itself stays text
        ax.annotate(text, (item.anchor.x, item.anchor.y), xytext=off, textcoords="offset points", ha="center",
                    va="center", fontsize=ann.get_fontsize(), color="white", linespacing=1.0, zorder=11.9,
                    fontweight=ann.get_fontweight(), path_effects=_HALO, annotation_clip=True)
        done.append(item)
    return done


def place_items(content: PageContent) -> list[Item]:
    """The role features named in the list of places: those not in a labelled layer."""
    on = [i for i in content.items if i.roles and not i.feature.layer.labels]
    return sorted(on, key=lambda i: content.layer_order[i.feature.layer.id])


def number_places(ax, placer: Placer, items: list[Item], numbers: dict, colours: dict, size: float = 5.5) -> None:
    """A numbered tag at each place (``numbers`` and ``colours`` by feature id)."""
    ring = [(6, 6), (6, -6), (-6, 6), (-6, -6), (0, 9), (0, -9), (10, 0), (-10, 0)]
    far = [(dx * k, dy * k) for k in (1.7, 2.5) for dx, dy in ring]
    for item in items:
        n = numbers[item.feature.id]
        point = "Point" in item.geometry.geom_type
        a = item.anchor
        ann = ax.annotate(str(n), (a.x, a.y), xytext=(0, 0), textcoords="offset points", ha="center",
                          va="center", fontsize=size, fontweight="bold", color="#222", zorder=14,
                          bbox={"boxstyle": "round,pad=0.18", "facecolor": "white",
                                "edgecolor": colours[item.feature.id], "linewidth": 0.7},
                          annotation_clip=True)
        off = placer.place(ann, (ring if point else [(0, 0), *ring]) + far)
        if math.hypot(*off) > 10:  # moved away from its place: a leader line back to it
            ax.annotate("", (a.x, a.y), xytext=off, textcoords="offset points", zorder=13,
                        arrowprops={"arrowstyle": "-", "color": "#444", "linewidth": 0.4,
                                    "shrinkA": 3.5, "shrinkB": 1.5 if point else 0})
