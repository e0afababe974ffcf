"""``python -m geo export`` timed as its own process: print maps of every page and the GIS data."""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .builds import _env
from .common import REPO_ROOT

#: The done-when target: every page's PDF, SVG and PNG, the GeoPackage and the CSV.
EXPORT_LIMIT_S = 30.0


@dataclass
class ExportRun:
    seconds: float  # wall clock of the whole process, median of the runs
    runs: list[float]
    cpu: list[float]  # user + system seconds of the process and its workers, per run
    pages: int
    files: dict = field(default_factory=dict)  # path relative to the output folder -> bytes
    args: list = field(default_factory=list)


def export_ours(layers_dir: Path | str, out_dir: Path | str, runs: int = 1, pages=None) -> ExportRun:
    """Time ``python -m geo export --layers L --out O -q`` (``pages``: --page each; all when None)."""
    out_dir = Path(out_dir)
    args = [a for p in (pages or []) for a in ("--page", p)]
    times, cpu = [], []
    for _ in range(runs):
        if out_dir.exists():
            shutil.rmtree(out_dir)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "geo", "export", "--layers", str(layers_dir), "--out",
                               str(out_dir), "-q", *args], cwd=REPO_ROOT, env=_env(), capture_output=True,
                              text=True, check=False)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(f"geo export failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    files = {str(p.relative_to(out_dir)): p.stat().st_size for p in sorted(out_dir.rglob("*")) if p.is_file()}
    n = len([f for f in files if f.startswith("print/") and f.endswith(".pdf")])
    return ExportRun(statistics.median(times), times, cpu, n, files, args)
