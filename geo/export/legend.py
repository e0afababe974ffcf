"""The side panel of a print map: the page's roles, the symbols it uses, the numbered places
and the page's note, flowed into one column (landscape) or two (portrait), shrunk to fit."""

from __future__ import annotations

import unicodedata

import numpy as np
import shapely
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle

from .draw import ALPHA, DASH
from .words import bilingual, word

__all__ = ["KEYS", "draw_panel", "wrap"]

#: The symbol keys, in the web legend's order ("boundary" is always shown).
KEYS = ("strong", "light", "stripes", "outline", "line", "dashed", "point", "boundary")
_PT_MM = 25.4 / 72


def _em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.58


_NO_BREAK_BEFORE = set("，。；：、）」』！？,.;:)")


def wrap(text: str, width_em: float) -> str:
    """Lines of at most ``width_em`` ems: Latin text breaks at spaces, Chinese anywhere."""
    lines, line, width = [], "", 0.0
    for token in _tokens(text):
        w = sum(_em(c) for c in token)
        if line and width + w > width_em and token != " " and token not in _NO_BREAK_BEFORE:
            lines.append(line.rstrip())
            line, width = "", 0.0
            if token == " ":
                continue
        line += token
        width += w
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def _tokens(text: str):
    word_ = ""
    for ch in text:
        if ch == " " or _em(ch) == 1.0:
            if word_:
                yield word_
                word_ = ""
            yield ch
        else:
            word_ += ch
    if word_:
        yield word_


class _Flow:
    """Rows placed top-down in columns of an axes whose units are millimetres."""

    def __init__(self, ax, renderer, width: float, height: float, columns: int, gap: float = 5.0):
        self.ax, self.renderer = ax, renderer
        self.col_w = (width - gap * (columns - 1)) / columns
        self.gap, self.height, self.columns = gap, height, columns
        self.col, self.y = 0, height
        self.overflow = False

    @property
    def x(self) -> float:
        return self.col * (self.col_w + self.gap)

    def row(self, draw, space_before: float = 0.0) -> None:
        """``draw(x, y_top, width) -> (artists, height)``; moves to the next column if it does not fit."""
        y = self.y - space_before
        artists, h = draw(self.x, y, self.col_w)
        if y - h < 0 and self.y < self.height:
            for a in artists:
                a.remove()
            if self.col + 1 >= self.columns:
                self.overflow = True
                return
            self.col, y = self.col + 1, self.height
            artists, h = draw(self.x, y, self.col_w)
        self.y = y - h
        if self.y < 0:
            self.overflow = True

    def text_height(self, t) -> float:
        bb = t.get_window_extent(self.renderer)
        return bb.height / self.ax.figure.dpi * 25.4


def draw_panel(ax, renderer, width: float, height: float, *, roles, seen: set, places, colours: dict,
               note: str, lang: str, columns: int = 1, scale: float = 1.0) -> bool:
    """Draw the panel in ``ax`` (``width`` × ``height`` mm); False when it did not fit."""
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    flow = _Flow(ax, renderer, width, height, columns)
    size = 7.0 * scale
    small = 6.0 * scale
    sw_w, sw_h = 6.0 * scale, 3.4 * scale

    def text_row(text, fs, *, weight="normal", colour="#222", indent=0.0):
        def draw(x, y, w):
            t = ax.text(x + indent, y, wrap(text, (w - indent) / (fs * _PT_MM)), fontsize=fs, va="top",
                        ha="left", fontweight=weight, color=colour, linespacing=1.15)
            return [t], flow.text_height(t)
        return draw

    def swatch_row(text, symbol):
        def draw(x, y, w):
            indent = sw_w + 2.0 * scale
            t = ax.text(x + indent, y, wrap(text, (w - indent) / (size * _PT_MM)), fontsize=size, va="top",
                        ha="left", color="#222", linespacing=1.15)
            h = max(flow.text_height(t), sw_h)
            first = size * _PT_MM * 1.15  # the height of the text's first line
            artists = [t]
            for a in symbol(x, y - (first - sw_h) / 2 - sw_h, sw_w, sw_h):
                artists.append(ax.add_line(a) if isinstance(a, Line2D) else ax.add_patch(a))
            return artists, h + 1.0 * scale
        return draw

    flow.row(text_row(word("legend", lang), 8.5 * scale, weight="bold"))
    for r in roles:
        flow.row(swatch_row(bilingual(r.name_en, r.name_zh, lang), _fill(r.colour, ALPHA[3], r.colour)),
                 space_before=1.2 * scale)
    flow.y -= 1.5 * scale
    for key in KEYS:
        if key in seen or key == "boundary":
            flow.row(swatch_row(word(f"key_{key}", lang), _key(key, roles)), space_before=0.6 * scale)
    if places:
        flow.row(text_row(word("print_places", lang), 8.0 * scale, weight="bold"), space_before=3.0 * scale)
        for n, item in enumerate(places, 1):
            p = item.feature.props
            name = bilingual(str(p.get("name_en", "")), str(p.get("name_zh", "")), lang)
            flow.row(_place_row(ax, flow, n, name, colours[item.feature.id], small, scale), space_before=0.5 * scale)
    if note:
        flow.row(text_row(note, small, colour="#444"), space_before=3.0 * scale)
    return not flow.overflow


def _place_row(ax, flow, n, name, colour, fs, scale):
    def draw(x, y, w):
        indent = 5.0 * scale
        tag = ax.text(x + indent / 2 - 0.6, y, str(n), fontsize=fs, va="top", ha="center", fontweight="bold",
                      color="#222", bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": colour,
                                          "linewidth": 0.7})
        t = ax.text(x + indent, y, wrap(name, (w - indent) / (fs * _PT_MM)), fontsize=fs, va="top", ha="left",
                    color="#222", linespacing=1.15)
        return [tag, t], flow.text_height(t)
    return draw


def _fill(face, alpha, edge, *, dashed=False):
    def draw(x, y, w, h):
        return [Rectangle((x, y), w, h, facecolor=to_rgba(face, alpha), edgecolor=edge, linewidth=0.6,
                          linestyle=DASH if dashed else "solid")]
    return draw


def _stripes(colours):
    def draw(x, y, w, h):
        box, out, step = shapely.box(x, y, x + w, y + h), [], 1.3
        for k, u in enumerate(np.arange(-h, w, step)):
            band = shapely.Polygon([(x + u, y), (x + u + step, y), (x + u + step + h, y + h), (x + u + h, y + h)])
            part = band.intersection(box)
            if part.geom_type == "Polygon" and not part.is_empty:
                out.append(Polygon(list(part.exterior.coords), closed=True, edgecolor="none",
                                   facecolor=to_rgba(colours[k % len(colours)], ALPHA[3])))
        return [*out, Rectangle((x, y), w, h, facecolor="none", edgecolor="#555", linewidth=0.5)]
    return draw


def _key(key: str, roles):
    """The swatch of a symbol key: ``draw(x, y, w, h) -> artists``."""
    grey = "#6b6b6b"
    if key == "strong":
        return _fill(grey, ALPHA[3], grey)
    if key == "light":
        return _fill(grey, ALPHA[1], grey)
    if key == "dashed":
        return _fill("white", 0.0, "#333", dashed=True)
    if key == "stripes":
        return _stripes([r.colour for r in roles[:3]] if len(roles) > 1 else [grey, "#bbbbbb"])
    if key == "outline":
        return lambda x, y, w, h: [Rectangle((x + 0.5, y + 0.4), w - 1.0, h - 0.8, facecolor="none",
                                             edgecolor=grey, linewidth=2.0)]
    if key == "line":
        return lambda x, y, w, h: [Line2D([x, x + w], [y + h / 2] * 2, color=grey, linewidth=1.8)]
    if key == "point":
        return lambda x, y, w, h: [Line2D([x + w / 2], [y + h / 2], marker="o", markersize=5, markerfacecolor=grey,
                                          markeredgecolor="white", markeredgewidth=0.6, linestyle="none")]
    return lambda x, y, w, h: [Line2D([x, x + w], [y + h / 2] * 2, color="#555", linewidth=0.6)]  # boundary
