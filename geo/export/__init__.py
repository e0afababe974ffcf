"""Maps for reports and data for GIS: what ``python -m geo export`` writes.

* ``maps/print/<page>.pdf``, ``.svg`` and ``.png`` for every map page: drawn with matplotlib
  from the same plan data as the web pages (:mod:`.figure`), in the plan's Lambert azimuthal
  equal-area projection centred on Changchun (:mod:`.frame`);
* ``maps/data/changchun-plan.gpkg``: every layer with its resolved geometry, the role
  assignments and a QGIS style per layer (:mod:`.gpkg`, :mod:`.qml`);
* ``maps/data/roles.csv``: the role × place matrix with computed and published areas (:mod:`.table`).

Every file is written through a temporary file and a rename, so an interrupted export leaves
each file whole: the old one or the new one.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .choices import FORMATS, LANGS, ORIENTATIONS, PAPERS, ChoiceError, choose, find_page, page_name, parse_formats
from .table import plan_frame

__all__ = ["FORMATS", "LANGS", "ORIENTATIONS", "PAPERS", "ChoiceError", "ExportReport", "export_maps", "plan_frame"]

GPKG_NAME, CSV_NAME = "changchun-plan.gpkg", "roles.csv"


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. what --basemap did


def export_date() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible files, as matplotlib does)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)


def _validate(layers_dir) -> list[str]:
    from ..errors import ValidationFailed
    from ..validate import validate_layers

    problems = validate_layers(layers_dir)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ValidationFailed(errors)
    return [p.line() for p in problems]


def _pool(jobs: int):
    # fork shares the loaded modules; a process with threads (a test browser, a notebook) spawns
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 \
        else "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def export_maps(layers_dir: Path | str = "layers", out_dir: Path | str = "maps", *, pages=None,
                paper: str = "A4", orientation: str = "landscape", lang: str = "both", formats=FORMATS,
                basemap: bool = False, data: bool = True, validate: bool = True, jobs: int | None = None,
                echo=None) -> ExportReport:
    """Write the print maps (``pages``: names such as "six-cities"; all when None) and the GIS
    data into ``out_dir``. A wrong option (or page name) raises ChoiceError naming the valid
    choices, before anything is written."""
    from ..layerio import atomic_write
    from .pages import PageJob, prepare, render_page_files

    t0 = time.perf_counter()
    paper, orientation = choose("paper", paper, PAPERS), choose("orientation", orientation, ORIENTATIONS)
    lang, formats = choose("lang", lang, LANGS), parse_formats(formats)
    report = ExportReport()
    if validate:
        report.warnings = _validate(layers_dir)
    plan, specs = prepare(layers_dir)  # before the workers start: forked ones share it
    chosen = specs if not pages else [find_page(specs, n) for n in pages]
    out_dir = Path(out_dir)
    when = export_date()
    todo = [PageJob(str(layers_dir), str(out_dir), p.file, formats, paper, orientation, lang,
                    when.strftime("%Y-%m-%d"), basemap) for p in chosen]
    jobs = max(1, min(jobs or min(2, os.cpu_count() or 1), len(todo)))
    done = 0

    def record(result, job):
        nonlocal done
        files, seconds, note = result
        done += 1
        report.written += files
        if note and note not in report.notes:
            report.notes.append(note)
        if echo:
            stem = page_name(next(p for p in chosen if p.file == job.page_file))
            echo(f"[{done}/{len(todo)}] {out_dir / 'print' / stem}.{{{','.join(formats)}}} ({seconds:.1f} s)")

    def write_data():
        from .gpkg import write_gpkg
        from .table import roles_csv

        counts = write_gpkg(plan, out_dir / "data" / GPKG_NAME, when=when)
        atomic_write(out_dir / "data" / CSV_NAME, roles_csv(plan))
        report.written += [str(out_dir / "data" / GPKG_NAME), str(out_dir / "data" / CSV_NAME)]
        if echo:
            echo(f"{out_dir / 'data' / GPKG_NAME}: {sum(counts[s.id] for s in plan.catalogue.layers)} features "
                 f"in {len(plan.catalogue.layers)} layers, {counts['role_assignments']} role assignments; "
                 f"{out_dir / 'data' / CSV_NAME}")

    if jobs == 1:
        for job in todo:
            record(render_page_files(job), job)
        if data:
            write_data()
    else:
        with _pool(jobs) as pool:
            futures = {pool.submit(render_page_files, job): job for job in todo}
            try:
                if data:  # while the workers draw
                    write_data()
                for fut in as_completed(futures):
                    record(fut.result(), futures[fut])
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    report.seconds = time.perf_counter() - t0
    return report
