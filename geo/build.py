"""Build every map: validate, render each page, write it atomically, then the index.

A build validates the layers first and writes nothing when they have errors; it then draws
exactly what was validated (a file saved in between is not read again). Each page is
written through a temporary file and a rename, so a crash or Ctrl-C never leaves a
half-written page: every page is either the old one or the new one. When a build stops
part-way, :class:`BuildFailed` lists the pages that are now stale.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed
from .layerio import atomic_write
from .maps import index_html, page_specs
from .plan import Plan, load_plan
from .render import encode_pages, render_page
from .simplify import simplify_plan

__all__ = ["BuildReport", "build_maps", "checked_plan", "gc_paused"]


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@contextmanager
def gc_paused():
    """Python's cycle collector off for the duration. A build makes millions of small objects
    (the parse of a 100,000-site layer alone makes a million) and keeps them: each collection
    pass walks them all, for no cycle worth finding; with the collector on, parsing such a
    layer took twice as long. It is switched back on after, and reclaims what it must then."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def checked_plan(layers_dir: Path | str = "layers") -> tuple[Plan, list[str]]:
    """Validate ``layers_dir`` and make the Plan of the very documents checked, with the warning
    lines; ValidationFailed (every error) when there are errors."""
    from .validate import validate_report

    with gc_paused():
        report = validate_report(layers_dir)
        return report.plan(), [p.line() for p in report.problems]


def build_maps(layers_dir: Path | str = "layers", out_dir: Path | str = "maps", *, cdn: bool = False,
               only: set[str] | None = None, validate: bool = True, echo=None, plan: Plan | None = None,
               warnings: list[str] | None = None) -> BuildReport:
    """Build the maps from ``layers_dir`` into ``out_dir``; returns what was written.

    ``only``: page file names to rebuild (the index is always rewritten). ``echo``: a
    function called with one progress line per page. ``plan``: a Plan already checked (by
    :func:`checked_plan`, with its ``warnings``), drawn as it is.
    """
    with gc_paused():
        return _build(layers_dir, out_dir, cdn=cdn, only=only, validate=validate, echo=echo, plan=plan,
                      warnings=warnings)


def _build(layers_dir, out_dir, *, cdn, only, validate, echo, plan, warnings) -> BuildReport:
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    report = BuildReport(warnings=list(warnings or []))
    if plan is None and validate:
        plan, report.warnings = checked_plan(layers_dir)
    elif plan is None:
        plan = load_plan(layers_dir)
    geoms = simplify_plan(plan)
    encoded = encode_pages(plan, geoms)
    pages = page_specs(plan)
    todo = [p for p in pages if only is None or p.file in only]
    for i, page in enumerate(todo):
        try:
            html = render_page(plan, page, geoms, cdn=cdn, encoded=encoded)
            atomic_write(out_dir / page.file, html)
        except BaseException as exc:
            stale = [p.file for p in todo[i:]]
            if isinstance(exc, KeyboardInterrupt):
                raise BuildFailed(f"build interrupted at {page.file}", stale) from exc
            raise BuildFailed(f"could not build {page.file}: {exc}", stale) from exc
        report.written.append(str(out_dir / page.file))
        if echo:
            echo(f"[{i + 1}/{len(todo)}] {out_dir / page.file} ({len(html) / 1024:.0f} KiB)")
    atomic_write(out_dir / "index.html", index_html(plan, pages, geoms, encoded))
    report.written.append(str(out_dir / "index.html"))
    report.seconds = time.perf_counter() - t0
    return report
