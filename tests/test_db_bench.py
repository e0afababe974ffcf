"""Reading fast: a 1,000-feature layer builds as fast from a table as from its file (within 20%).

Both builds run in the same test, in pairs (file then table, then table then file, ...), eleven
pairs after a warm-up, on the light layers (boundaries simplified) so that the 1,000 features
are most of the work. The machine is shared (two cores, other people's test runs: a load of 10
is common), which makes wall-clock times swing by a factor of two from one run to the next; so
what is asserted is the work itself, in CPU seconds: this process's for the file, this
process's plus the database server's for the table.

Even CPU seconds swing on this VM: the same build took 0.50 s and 1.05 s of CPU a few seconds
apart, for the file and for the table alike, and a ratio of two medians of seven builds went
from 0.93 to 1.21 between two runs of the same code (CI failed on the 1.21). The swings last
longer than a pair of builds, so what is asserted is the median of the eleven pairs' own
ratios (table / file, the two run back to back): in four runs here it stayed within 0.94-1.05,
where the ratio of the medians moved within 0.96-1.13 and that of the least times within
0.97-1.17. All three are printed (``pytest -s``), with wall-clock medians, the load, the machine
and the date.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import statistics
import time

from layers_util import light_layers

from geo import cache, layerio
from geo.bench.geometry import write_synthetic_layers
from geo.build import build_maps
from geo.db.transfer import push
from geo.validate import validate_report

RUNS = 21
MARGIN = 1.20


def test_a_1000_feature_table_builds_as_fast_as_its_file(pg_server, pg_url, tmp_path, monkeypatch):
    # the file is read and checked afresh each time, as after an edit: an unchanged file comes
    # from the build cache (geo.cache.load_read), quicker than any read of a table
    monkeypatch.setattr(cache, "load_read", lambda key: None)
    monkeypatch.setattr(cache, "save_read", lambda *a: None)
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

    def timed(fn) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process and of the server) of one call."""
        layerio._PARSED.clear()  # each `python -m geo build` parses its files afresh
        server, cpu, wall = pg_server.cpu_seconds(), time.process_time(), time.perf_counter()
        fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return wall, cpu + pg_server.cpu_seconds() - server

    jobs = {"build": {"file": lambda: build_maps(files, out_files), "table": lambda: build_maps(table, out_table)},
            "read": {"file": lambda: validate_report(files), "table": lambda: validate_report(table)}}
    times = {(job, source): [] for job in jobs for source in ("file", "table")}
    for i in range(RUNS):
        for job, fns in jobs.items():
            for source in ("file", "table") if i % 2 == 0 else ("table", "file"):
                times[job, source].append(timed(fns[source]))
    wall = {key: statistics.median(w for w, _ in values) for key, values in times.items()}
    median = {key: statistics.median(c for _, c in values) for key, values in times.items()}
    least = {key: min(c for _, c in values) for key, values in times.items()}
    ratio = {job: statistics.median(t[1] / f[1] for f, t in zip(times[job, "file"], times[job, "table"]))
             for job in jobs}
    print(f"\n{datetime.date.today()} {platform.machine()} {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}: 1,000 polygons + light layers, "
          f"{RUNS} pairs, CPU seconds (client + server) least and median:")
    for job, what in (("build", "build"), ("read", "validate+read")):
        print(f"  {what}: file {least[job, 'file']:.3f} / {median[job, 'file']:.3f} s, table "
              f"{least[job, 'table']:.3f} / {median[job, 'table']:.3f} s; table/file: pair by pair {ratio[job]:.2f}, "
              f"least {least[job, 'table'] / least[job, 'file']:.2f}, "
              f"median {median[job, 'table'] / median[job, 'file']:.2f}; "
              f"wall median file {wall[job, 'file']:.3f} s, table {wall[job, 'table']:.3f} s")
    assert ratio["build"] <= MARGIN, times
