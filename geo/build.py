"""Build every map: validate, render each page, write it atomically, then the index.

A build validates the layers first and writes nothing when they have errors. Each page is
written through a temporary file and a rename, so a crash or Ctrl-C never leaves a
half-written page: every page is either the old one or the new one. When a build stops
part-way, :class:`BuildFailed` lists the pages that are now stale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, ValidationFailed
from .layerio import atomic_write
from .maps import index_html, page_specs
from .plan import load_plan
from .render import encode_pages, render_page
from .simplify import coarsen, simplify_plan

__all__ = ["BuildReport", "build_maps"]


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _validate(layers_dir) -> list[str]:
    from .validate import validate_layers

    problems = validate_layers(layers_dir)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ValidationFailed(errors)
    return [p.line() for p in problems]


def build_maps(layers_dir: Path | str = "layers", out_dir: Path | str = "maps", *, cdn: bool = False,
               only: set[str] | None = None, validate: bool = True, echo=None) -> BuildReport:
    """Build the maps from ``layers_dir`` into ``out_dir``; returns what was written.

    ``only``: page file names to rebuild (the index is always rewritten). ``echo``: a
    function called with one progress line per page.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    report = BuildReport()
    if validate:
        report.warnings = _validate(layers_dir)
    plan = load_plan(layers_dir)
    geoms = simplify_plan(plan)
    encoded = encode_pages(plan, geoms, coarsen(plan, geoms))
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
    atomic_write(out_dir / "index.html", index_html(pages, {}))
    report.written.append(str(out_dir / "index.html"))
    report.seconds = time.perf_counter() - t0
    return report
