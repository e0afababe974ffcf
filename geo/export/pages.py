"""Print maps, page by page: draw a page once, save it as PDF, SVG and PNG, write each file
atomically. Pages are shared among worker processes (one per core, two at most here)."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..layerio import atomic_write
from .choices import page_name

__all__ = ["PNG_DPI", "PRINT_TOLERANCES_M", "PageJob", "prepare", "printed_pages", "render_page_files"]

PNG_DPI = 300
#: Boundaries are simplified for print to about 0.08 mm on the paper, to the nearest of these.
PRINT_TOLERANCES_M = (20.0, 60.0, 180.0)


@dataclass(frozen=True)
class PageJob:
    """Everything a worker needs to make one page's files."""

    layers_dir: str
    out_dir: str
    page_file: str
    formats: tuple[str, ...]
    paper: str
    orientation: str
    lang: str
    date: str
    basemap: bool = False


def printed_pages(plan) -> list:
    """The pages the export prints: every plan's page and its role pages, not the timeline (a
    page of every date at once: each of its layout systems prints on its plan's page)."""
    from ..maps import page_specs

    return [p for p in page_specs(plan) if not p.timeline]


@cache
def _state(layers_dir: str):
    """The plan, its pages and the fonts, once per process."""
    import matplotlib

    matplotlib.use("agg", force=False)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "bold CJK: using regular"
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from ..plan import load_plan
    from .fonts import rc
    from .words import all_text

    plan = load_plan(layers_dir)
    pages = printed_pages(plan)
    return plan, pages, rc(all_text(plan, pages))


def prepare(layers_dir) -> tuple:
    """Load the plan, its pages and the print fonts in this process: ``(plan, pages)``."""
    plan, pages, _rc = _state(str(layers_dir))
    return plan, pages


@cache
def _geoms(layers_dir: str, tolerance_m: float) -> dict:
    from ..simplify import simplify_plan

    return simplify_plan(_state(layers_dir)[0], tolerance_m=tolerance_m, q=1e-6)  # a 0.1 m grid


def _tolerance(metres_per_mm: float) -> float:
    want = 0.08 * metres_per_mm
    return min(PRINT_TOLERANCES_M, key=lambda t: abs(t - want))


def render_page_files(job: PageJob) -> tuple[list[str], float, str | None]:
    """Draw one page and write its files; returns (paths written, seconds, basemap note)."""
    import matplotlib

    t0 = time.perf_counter()
    plan, pages, rc = _state(job.layers_dir)
    page = next(p for p in pages if p.file == job.page_file)
    from .basemap import tile_drawer
    from .figure import PrintOptions, draw_page
    from .fonts import embed_svg_fonts

    note = None
    drawer = tile_drawer(plan) if job.basemap else None
    with matplotlib.rc_context(rc):
        fig = draw_page(plan, page, lambda mpm: _geoms(job.layers_dir, _tolerance(mpm)),
                        PrintOptions(job.paper, job.orientation, job.lang), date=job.date, basemap=drawer)
        if drawer is not None:
            note = drawer.note
        written = []
        for fmt in job.formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=PNG_DPI if fmt == "png" else 72,
                        metadata=_metadata(fmt, page, job.date))
            data = buf.getvalue()
            if fmt == "svg":
                data = embed_svg_fonts(data.decode("utf-8")).encode("utf-8")
            path = Path(job.out_dir) / "print" / f"{page_name(page)}.{fmt}"
            atomic_write(path, data)
            written.append(str(path))
    return written, time.perf_counter() - t0, note


def _metadata(fmt: str, page, date: str) -> dict:
    if fmt == "pdf":
        return {"Title": page.title, "Creator": "changchun-maps (python -m geo export)"}
    if fmt == "svg":
        return {"Title": page.title, "Date": date}
    return {"Title": page.title, "Software": "changchun-maps (python -m geo export)"}
