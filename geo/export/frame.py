"""The map frame: the projection, the extent, lat/lon ticks with a graticule, a scale bar and a
north arrow.

Print maps are drawn in the plan's own Lambert azimuthal equal-area projection, centred on
Changchun (44°N, 125.5°E; :data:`geo.plan.EQUAL_AREA`): areas on the paper are true areas,
and across the whole of Jilin Province scale errs by well under 1 %, so the scale bar holds
everywhere on the map. Meridians converge towards the pole, so the north arrow points to
true north at the map's centre.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString

from ..plan import EQUAL_AREA

__all__ = ["PRINT_CRS", "PROJECTION_NAME", "add_graticule", "add_north_arrow", "add_scale_bar", "fit_extent",
           "north_angle", "to_print"]

#: The print maps' projection: the plan's equal-area projection (PROJ string).
PRINT_CRS = EQUAL_AREA
PROJECTION_NAME = "Lambert azimuthal equal-area, centre 44°N 125.5°E, WGS-84"
PROJECTION_NAME_ZH = "兰伯特方位等积投影，中心 44°N 125.5°E，WGS-84"
_FWD = Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
_INV = Transformer.from_crs(EQUAL_AREA, "EPSG:4326", always_xy=True)


def to_print(geom):
    """A WGS-84 geometry in the print projection (metres)."""
    return shapely.transform(geom, lambda xy: np.column_stack(_FWD.transform(xy[:, 0], xy[:, 1])))


def fit_extent(bounds, aspect: float, pad: float = 0.06) -> tuple[float, float, float, float]:
    """``bounds`` (projected) grown by ``pad`` on each side, then widened or heightened to the
    frame's width / height ``aspect`` so the map fills its frame."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1000.0), max(y1 - y0, 1000.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _step(span_deg: float) -> float:
    """The graticule interval that draws 2 to 5 lines across ``span_deg``."""
    for s in (0.1, 0.25, 0.5, 1.0, 2.0, 5.0):
        if span_deg / s <= 5:
            return s
    return 10.0


def _fmt(v: float, pos: str, neg: str) -> str:
    text = f"{abs(v):.2f}".rstrip("0").rstrip(".")
    return f"{text}°{pos if v >= 0 else neg}"


def add_graticule(ax, extent, *, size: float = 6.0, colour: str = "#8a8f96") -> None:
    """Meridians and parallels as thin lines, labelled where they meet the frame (bottom and
    left), with ticks on all four sides."""
    x0, y0, x1, y1 = extent
    xs = np.linspace(x0, x1, 25)
    ys = np.linspace(y0, y1, 25)
    edge = np.concatenate([np.column_stack([xs, np.full_like(xs, y0)]), np.column_stack([xs, np.full_like(xs, y1)]),
                           np.column_stack([np.full_like(ys, x0), ys]), np.column_stack([np.full_like(ys, x1), ys])])
    lon, lat = _INV.transform(edge[:, 0], edge[:, 1])
    lon_min, lon_max, lat_min, lat_max = min(lon), max(lon), min(lat), max(lat)
    lon_step, lat_step = _step(lon_max - lon_min), _step(lat_max - lat_min)
    box = shapely.box(*extent)
    bottom, top = LineString([(x0, y0), (x1, y0)]), LineString([(x0, y1), (x1, y1)])
    left, right = LineString([(x0, y0), (x0, y1)]), LineString([(x1, y0), (x1, y1)])
    ticks = {"bottom": [], "top": [], "left": [], "right": []}
    dense = np.linspace(0, 1, 200)
    for lon_v in np.arange(math.floor(lon_min / lon_step) * lon_step, lon_max + lon_step, lon_step):
        line = _line(np.full_like(dense, lon_v), lat_min - 1 + dense * (lat_max - lat_min + 2))
        _draw(ax, line, box, colour)
        for side, e in (("bottom", bottom), ("top", top)):
            _cross(ticks[side], line, e, 0, _fmt(lon_v, "E", "W"))
    for lat_v in np.arange(math.floor(lat_min / lat_step) * lat_step, lat_max + lat_step, lat_step):
        line = _line(lon_min - 1 + dense * (lon_max - lon_min + 2), np.full_like(dense, lat_v))
        _draw(ax, line, box, colour)
        for side, e in (("left", left), ("right", right)):
            _cross(ticks[side], line, e, 1, _fmt(lat_v, "N", "S"))
    ax.set_xticks([p for p, _ in ticks["bottom"]], [t for _, t in ticks["bottom"]])
    ax.set_yticks([p for p, _ in ticks["left"]], [t for _, t in ticks["left"]])
    sec_x = ax.secondary_xaxis("top")
    sec_x.set_xticks([p for p, _ in ticks["top"]], [""] * len(ticks["top"]))
    sec_y = ax.secondary_yaxis("right")
    sec_y.set_yticks([p for p, _ in ticks["right"]], [""] * len(ticks["right"]))
    for a in (ax, sec_x, sec_y):
        a.tick_params(labelsize=size, length=2.5, width=0.5, color="#444", pad=1.5, labelcolor="#333")
    for label in ax.get_yticklabels():
        label.set_rotation(90)
        label.set_verticalalignment("center")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _line(lon, lat) -> LineString:
    x, y = _FWD.transform(lon, lat)
    return LineString(np.column_stack([x, y]))


def _draw(ax, line, box, colour) -> None:
    clipped = line.intersection(box)
    for part in getattr(clipped, "geoms", [clipped]):
        if not part.is_empty and part.geom_type == "LineString":
            x, y = part.xy
            ax.plot(x, y, color=colour, linewidth=0.3, alpha=0.8, zorder=1.5, solid_capstyle="butt")


def _cross(out: list, line, edge, coord: int, text: str) -> None:
    hit = line.intersection(edge)
    if not hit.is_empty and hit.geom_type == "Point":
        out.append(((hit.x, hit.y)[coord], text))


def north_angle(extent) -> float:
    """Degrees from grid north to true north at the centre of ``extent`` (clockwise positive)."""
    cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
    lon, lat = _INV.transform(cx, cy)
    x2, y2 = _FWD.transform(lon, lat + 0.05)
    return math.degrees(math.atan2(x2 - cx, y2 - cy))


def add_north_arrow(ax, extent, *, size_pt: float = 22.0, font_size: float = 8.0) -> None:
    """A north arrow in the frame's top right, turned to true north at the map's centre."""
    from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
    from matplotlib.patches import Polygon

    turn = math.radians(north_angle(extent))
    w, h = size_pt * 0.55, size_pt

    def rot(pts):
        cx, cy = w / 2, h / 2
        c, s = math.cos(turn), math.sin(turn)
        return [(cx + (x - cx) * c + (y - cy) * s, cy - (x - cx) * s + (y - cy) * c) for x, y in pts]

    area = DrawingArea(w, h, 0, 0)
    tip, mid = (w / 2, h), (w / 2, h * 0.28)
    area.add_artist(Polygon(rot([tip, (0, 0), mid]), closed=True, facecolor="#222", edgecolor="#222", linewidth=0.6))
    area.add_artist(Polygon(rot([tip, (w, 0), mid]), closed=True, facecolor="white", edgecolor="#222", linewidth=0.6))
    label = TextArea("N", textprops={"fontsize": font_size, "fontweight": "bold", "color": "#222",
                                     "ha": "center"})
    box = VPacker(children=[label, area], align="center", pad=0, sep=1)
    anchored = AnchoredOffsetbox(loc="upper right", child=box, pad=0.4, borderpad=0.6, frameon=True)
    anchored.patch.set(facecolor="white", edgecolor="#999", alpha=0.85, linewidth=0.4)
    anchored.set_zorder(20)
    ax.add_artist(anchored)


def add_scale_bar(ax, *, font_size: float = 7.0) -> None:
    """A scale bar in km (the axes are in metres of an equal-area projection centred on the map
    area; within this map its scale is true to well under 1 %)."""
    from matplotlib_scalebar.scalebar import ScaleBar

    bar = ScaleBar(1, units="m", dimension="si-length", location="lower left", length_fraction=0.22,
                   width_fraction=0.008, scale_loc="top", border_pad=0.6, pad=0.4, sep=2,
                   box_alpha=0.85, frameon=True, color="#222", font_properties={"size": font_size})
    bar.set_zorder(20)
    ax.add_artist(bar)
