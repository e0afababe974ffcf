"""Build every map: validate, render each page, write it atomically, then the index.

A build validates the layers first and writes nothing when they have errors; it then draws
exactly what was validated (a file saved in between is not read again). Each page is
written through a temporary file and a rename, so a crash or Ctrl-C never leaves a
half-written page: every page is either the old one or the new one. When a build stops
part-way, :class:`BuildFailed` lists the pages that are now stale.
"""

from __future__ import annotations

import gc
import os
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed
from .layerio import atomic_write
from .maps import index_html, page_specs
from .plan import Plan, load_plan
from .render import encode_pages, finish_page, raw_data
from .simplify import simplify_plan

#: Threads that deflate pages while the build makes the next ones: two, or one on one core.
DEFLATE_WORKERS = 2 if (os.cpu_count() or 1) > 1 else 1

__all__ = ["BuildReport", "build_maps", "checked_plan", "gc_paused", "write_pages"]


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


def write_pages(todo: list, make_data, out_dir: Path, report: BuildReport, *, cdn: bool = False,
                echo=None) -> None:
    """Write each page of ``todo`` in order; ``make_data(page)``: its data before deflating.

    Pages are deflated and wrapped in worker threads (zlib lets go of the GIL) while the next
    ones are made here: deflating is a third of the pages' time for the real layers, and more
    than the making of the next page for a page of 100,000 sites; with two cores, two workers
    keep both busy. The pages are still written one at a time, in order: when one cannot be
    made, deflated or written, the pages before it are written (as they would be one by one)
    and :class:`BuildFailed` lists it and every page after it as stale."""
    def write(page, html):
        atomic_write(out_dir / page.file, html.result())
        report.written.append(str(out_dir / page.file))
        if echo:
            echo(f"[{len(report.written) - first}/{len(todo)}] {out_dir / page.file} "
                 f"({len(html.result()) / 1024:.0f} KiB)")

    first, workers = len(report.written), DEFLATE_WORKERS
    pending: deque = deque()  # (page, future of its HTML): made, being deflated, not yet written
    with ThreadPoolExecutor(workers, thread_name_prefix="geo-deflate") as pool:
        at = None  # the page being made or written
        try:
            for page in todo:
                at = page
                pending.append((page, pool.submit(finish_page, page, make_data(page), cdn)))
                while pending and (len(pending) > workers or pending[0][1].done()):  # the oldest, once ready
                    at = pending[0][0]
                    write(*pending[0])
                    pending.popleft()
            while pending:
                at = pending[0][0]
                write(*pending[0])
                pending.popleft()
        except BaseException as exc:
            while pending and pending[0][0] is not at:  # made before the failure: written, as one by one
                try:
                    write(*pending[0])
                except Exception:  # noqa: BLE001 - the first failure is the one to report
                    break
                pending.popleft()
            stale = [p.file for p in todo[len(report.written) - first:]]
            if isinstance(exc, KeyboardInterrupt):
                raise BuildFailed(f"build interrupted at {at.file}", stale) from exc
            raise BuildFailed(f"could not build {at.file}: {exc}", stale) from exc


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
    write_pages(todo, lambda page: raw_data(plan, page, geoms, encoded=encoded), out_dir, report,
                cdn=cdn, echo=echo)
    atomic_write(out_dir / "index.html", index_html(plan, pages, geoms, encoded))
    report.written.append(str(out_dir / "index.html"))
    report.seconds = time.perf_counter() - t0
    return report
