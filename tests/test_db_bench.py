"""Reading fast: a 1,000-feature layer builds as fast from a table as from its file (within 20%).

Both builds are timed in the same run, alternately, seven times each after a warm-up, on the
light layers (boundaries simplified) so that the 1,000 features are most of the work; the
medians are compared and printed (``pytest -s``) with the machine and date.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import statistics
import time

from layers_util import light_layers

from geo import layerio
from geo.bench.geometry import write_synthetic_layers
from geo.build import build_maps
from geo.db.transfer import push
from geo.validate import validate_report

RUNS = 7
MARGIN = 1.20


def timed(fn) -> float:
    layerio._PARSED.clear()  # each `python -m geo build` parses its files afresh
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_a_1000_feature_table_builds_as_fast_as_its_file(pg_url, tmp_path):
    base = light_layers(tmp_path / "light")
    files = write_synthetic_layers(base, tmp_path / "files", "polygons", 1000)
    table = shutil.copytree(files, tmp_path / "table")
    push(pg_url, table, ["synthetic"])
    (table / "synthetic.geojson").unlink()
    out_files, out_table = tmp_path / "maps-files", tmp_path / "maps-table"
    build_maps(files, out_files)  # warm-up, and the pages to compare
    build_maps(table, out_table)
    for page in out_files.iterdir():
        assert (out_table / page.name).read_bytes() == page.read_bytes(), page.name
    builds = {"file": [], "table": []}
    reads = {"file": [], "table": []}
    for _ in range(RUNS):
        builds["file"].append(timed(lambda: build_maps(files, out_files)))
        builds["table"].append(timed(lambda: build_maps(table, out_table)))
        reads["file"].append(timed(lambda: validate_report(files)))
        reads["table"].append(timed(lambda: validate_report(table)))
    b = {k: statistics.median(v) for k, v in builds.items()}
    r = {k: statistics.median(v) for k, v in reads.items()}
    print(f"\n{datetime.date.today()} {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}: 1,000 polygons + light layers, median of {RUNS}:\n"
          f"  build from the file {b['file']:.3f} s, from the table {b['table']:.3f} s "
          f"(table/file {b['table'] / b['file']:.2f})\n"
          f"  validate+read from the file {r['file']:.3f} s, from the table {r['table']:.3f} s "
          f"(table/file {r['table'] / r['file']:.2f})")
    assert b["table"] <= MARGIN * b["file"], (builds, reads)
