"""One print map: a matplotlib figure laid out on an ISO sheet, with the title, the map frame
(features, labels, graticule, scale bar, north arrow), the legend panel and a footer naming
the sources, the projection and the date."""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from ..plan import Plan
from .choices import paper_size_mm
from .content import PageContent, page_content
from .draw import draw_context, draw_overlays
from .frame import PROJECTION_NAME, PROJECTION_NAME_ZH, add_graticule, add_north_arrow, add_scale_bar, fit_extent
from .inset import crowded, inset_box, inset_extent
from .labels import Placer, equivalent_zoom, label_counties, number_places, place_items
from .legend import draw_panel, wrap
from .words import bilingual, word

__all__ = ["PrintOptions", "draw_page"]

_MM = 1 / 25.4


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "A4"
    orientation: str = "landscape"
    lang: str = "both"


@dataclass
class _Layout:
    """Rectangles (x, y, w, h) in mm from the sheet's lower left."""

    sheet: tuple
    title: tuple
    frame: tuple
    panel: tuple
    footer: tuple
    columns: int
    scale: float


def _layout(paper: str, orientation: str) -> _Layout:
    w, h = paper_size_mm(paper, orientation)
    s = min(w, h) / 210  # A4 = 1, A3 = 1.41
    f = math.sqrt(s)     # text grows more slowly than the sheet
    m = 9 * s
    title_h, footer_h, ticks = 15 * f, 8.5 * f, 5 * f
    if w > h:  # landscape: the panel to the right of the map
        panel_w = 76 * f
        frame = (m + ticks, m + footer_h + ticks, w - 2 * m - ticks - panel_w - 5 * f,
                 h - 2 * m - title_h - footer_h - ticks)
        panel = (w - m - panel_w, frame[1], panel_w, frame[3])
        columns = 1
    else:      # portrait: the panel under the map, in two columns
        panel_h = 92 * f
        frame = (m + ticks, m + footer_h + panel_h + ticks + 3 * f, w - 2 * m - ticks - 1,
                 h - 2 * m - title_h - footer_h - panel_h - ticks - 3 * f)
        panel = (m, m + footer_h + 2 * f, w - 2 * m, panel_h - 2 * f)
        columns = 2
    return _Layout((w, h), (m, h - m - title_h, w - 2 * m, title_h), frame, panel, (m, m, w - 2 * m, footer_h),
                   columns, f)


def _axes(fig, rect, sheet):
    x, y, w, h = rect
    return fig.add_axes((x / sheet[0], y / sheet[1], w / sheet[0], h / sheet[1]))


def _sources_line(plan: Plan, content: PageContent, lang: str) -> str:
    used = []
    for item in content.items:
        for r in item.roles:
            if r.get("source") not in used:
                used.append(r.get("source"))
    reg = plan.registry
    reports, facts = [], []
    for key in used:
        s = reg.sources.get(key)
        if s is None:
            continue
        if s.kind == "seed":
            name = s.title.split(":")[0].strip()
            if name not in reports:
                reports.append(name)
        elif s.cite and s.cite not in facts:
            facts.append(s.cite)
    parts = ["; ".join(reports)] if reports else []
    if facts:
        parts.append(f"{word('print_facts', lang)}: " + "; ".join(facts))
    parts.append(word("print_boundaries", lang))
    return f"{word('print_sources_head', lang)}: " + "; ".join(parts) + "."


class _MapFrame:
    """One map on the sheet, the main one or the detail map: its axes, extent and scale."""

    def __init__(self, ax, extent, width_mm: float, scale: float, lang: str, *, main: bool):
        self.ax, self.extent, self.width_mm, self.f, self.lang, self.main = ax, extent, width_mm, scale, lang, main
        self.metres_per_mm = (extent[2] - extent[0]) / width_mm
        self.obstacles: list = []

    def draw(self, plan: Plan, content: PageContent, basemap) -> tuple[str | None, set]:
        """Tiles (if asked and available), the context and the role features."""
        ax = self.ax
        ax.set_xlim(self.extent[0], self.extent[2])
        ax.set_ylim(self.extent[1], self.extent[3])
        attribution = basemap(ax) if basemap is not None else None
        draw_context(ax, content, land=attribution is None)
        return attribution, draw_overlays(ax, content, plan.registry, self.metres_per_mm)

    def furnish(self) -> None:
        """Graticule and north arrow (main map), frame and a scale bar (both)."""
        ax, f = self.ax, self.f
        if self.main:
            add_graticule(ax, self.extent, size=6 * f)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlim(self.extent[0], self.extent[2])
        ax.set_ylim(self.extent[1], self.extent[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set(linewidth=0.7 if self.main else 0.9, color="#333" if self.main else "#222")
        add_scale_bar(ax, font_size=(6.5 if self.main else 5.8) * f)
        if self.main:
            add_north_arrow(ax, self.extent, size_pt=20 * f, font_size=7.5 * f)

    def label(self, renderer, content: PageContent, places, numbers: dict, colours: dict) -> None:
        """County-level units by name, ``places`` by their number."""
        ax, f = self.ax, self.f
        frame = ax.get_window_extent(renderer)
        reserved = [Bbox.from_bounds(frame.x0, frame.y0, frame.width * 0.3, frame.height * 0.1), *self.obstacles]
        if self.main:
            reserved.append(Bbox.from_bounds(frame.x1 - 40 * f, frame.y1 - 50 * f, 40 * f, 50 * f))
        placer = Placer(ax, renderer, reserved)
        label_counties(ax, placer, content, equivalent_zoom(self.extent, self.width_mm), self.extent, self.lang,
                       size=6.2 * f)
        number_places(ax, placer, places, numbers, colours, size=5.6 * f)


def _sheet_text(fig, lay, x, y, text, **kw):
    return fig.text(x / lay.sheet[0], y / lay.sheet[1], text, **kw)


def draw_page(plan: Plan, page, geoms, options: PrintOptions, *, date: str, basemap=None) -> Figure:
    """The figure of one page. ``geoms``: print geometries (WGS-84) by feature id, or a function
    ``(metres per mm on paper) -> geometries`` that simplifies for the map's scale;
    ``basemap``: a callable ``(ax) -> attribution or None`` that draws tiles, or None."""
    lay = _layout(options.paper, options.orientation)
    lang, f = options.lang, lay.scale
    # no drawing canvas while the features go in (geopandas asks the canvas to redraw after
    # every plot); the Agg canvas comes for measuring labels and the panel
    fig = Figure(figsize=(lay.sheet[0] * _MM, lay.sheet[1] * _MM), dpi=100)
    geoms_for = geoms if callable(geoms) else (lambda _mpm: geoms)

    tx, ty, tw, th = lay.title
    _sheet_text(fig, lay, tx, ty + th, page.title, fontsize=13 * f, fontweight="bold", va="top", ha="left",
                color="#111")
    if page.subtitle and lang != "zh":
        _sheet_text(fig, lay, tx, ty + th - 7 * f, wrap(page.subtitle, tw / (7.2 * f * 0.3528)), fontsize=7.2 * f,
                    va="top", ha="left", color="#444", linespacing=1.1)

    # the map
    fx, fy, fw, fh = lay.frame
    extent = fit_extent(page_content(plan, page, geoms_for(1e4)).bounds(), fw / fh)
    main = _MapFrame(_axes(fig, lay.frame, lay.sheet), extent, fw, f, lang, main=True)
    content = page_content(plan, page, geoms_for(main.metres_per_mm))
    attribution, seen = main.draw(plan, content, basemap)
    main.furnish()
    places = place_items(content)
    roles = {r.id: r for r in content.roles}
    numbers = {p.feature.id: n for n, p in enumerate(places, 1)}
    colours = {p.feature.id: roles[p.role_ids[0]].colour for p in places}

    # a detail map where the places crowd
    detail = crowded(places, main.metres_per_mm)
    sub = None
    if detail:
        shows = inset_extent(detail, 1.15)
        bx, by, bw, bh = inset_box((fw, fh), extent, main.metres_per_mm, [i.geometry for i in content.overlays], shows)
        shows = inset_extent(detail, bw / bh)
        main.ax.add_patch(Rectangle(shows[:2], shows[2] - shows[0], shows[3] - shows[1], facecolor="none",
                                    edgecolor="#222", linewidth=0.8, zorder=15))
        sub = _MapFrame(_axes(fig, (fx + bx, fy + by, bw, bh), lay.sheet), shows, bw, f, lang, main=False)
        sub_content = page_content(plan, page, geoms_for(sub.metres_per_mm))
        seen |= sub.draw(plan, sub_content, basemap)[1]
        sub.furnish()
        sub.ax.text(0.02, 0.98, word("print_detail", lang), transform=sub.ax.transAxes, ha="left", va="top",
                    fontsize=6.3 * f, fontweight="bold", color="#222", zorder=20,
                    bbox={"boxstyle": "square,pad=0.3", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})

    renderer = FigureCanvasAgg(fig).get_renderer()
    in_detail = {d.feature.id for d in detail}
    if sub is not None:
        mine = [p for p in place_items(sub_content) if p.feature.id in in_detail]
        sub.obstacles.append(sub.ax.texts[-1].get_window_extent(renderer))
        sub.label(renderer, sub_content, mine, numbers, colours)
        main.obstacles.append(sub.ax.get_window_extent(renderer).padded(4))
    main.label(renderer, content, [p for p in places if p.feature.id not in in_detail], numbers, colours)

    # the panel: shrunk until it fits
    px, py, pw, ph = lay.panel
    for shrink in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66):
        pax = _axes(fig, lay.panel, lay.sheet)
        ok = draw_panel(pax, renderer, pw, ph, roles=content.roles, seen=seen, places=places, colours=colours,
                        note=page.note, lang=lang, columns=lay.columns, scale=f * shrink)
        if ok:
            break
        pax.remove()

    # footer
    mx, my, mw, mh = lay.footer
    projection = bilingual(PROJECTION_NAME, PROJECTION_NAME_ZH, lang, "; ")
    second = (f"{word('print_projection', lang)}: {projection}. "
              + word("print_made", lang).format(date=date) + "."
              + (f" {word('print_basemap', lang)}: {attribution}." if attribution else ""))
    text = _sources_line(plan, content, lang) + "\n" + second
    _sheet_text(fig, lay, mx, my + mh, wrap(text, mw / (5.4 * f * 0.3528)).replace("\n\n", "\n"),
                fontsize=5.4 * f, va="top", ha="left", color="#444", linespacing=1.2)
    return fig
