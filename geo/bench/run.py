"""One whole benchmark run."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from .browser import Browser
from .builds import build_ours, build_phases, build_plain, import_seconds, page_bytes, page_facts
from .common import LOAD_LIMIT_S, SIX_ROLES, TOGGLE_LIMIT_S
from .exports import export_ours
from .geometry import simplification_numbers, write_synthetic_layers
from .machine import machine_info

# ---------------------------------------------------------------------------------------------
# the whole run

FULL_SCALE = (("points", 1_000), ("points", 10_000), ("points", 100_000), ("points", 1_000_000),
              ("polygons", 1_000), ("polygons", 10_000))
QUICK_SCALE = (("points", 1_000), ("polygons", 500))


def _plain_toggle_text(layers_dir, role_id: str) -> str:
    from ..registry import load_registry

    r = load_registry(layers_dir).role(role_id)
    return f"{r.name_en} {r.name_zh}"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def usable(row: dict) -> bool | None:
    """Load-to-drawn ≤ LOAD_LIMIT_S and each of toggle off / on ≤ TOGGLE_LIMIT_S."""
    ld = row.get("load")
    if "error" in row:
        return False
    if ld is None:
        return None
    if ld.error or ld.ms is None or ld.toggle_off_ms is None:
        return False
    return ld.ms <= LOAD_LIMIT_S * 1000 and max(ld.toggle_off_ms, ld.toggle_on_ms) <= TOGGLE_LIMIT_S * 1000


def compile_package(package: Path | None = None) -> dict:
    """Compile geo/'s modules to bytecode (``__pycache__``) before any build is timed, as
    ``pip install`` does and as every run after a user's first finds them. Both builds import
    geo (the plain script too, for the same features). Without it, on a machine that sets
    PYTHONDONTWRITEBYTECODE (this one does), each process would compile all of geo/ again, about
    0.1 s, and the bench would time the compiler, not the build."""
    import compileall

    package = Path(package) if package is not None else Path(__file__).resolve().parent.parent
    ok = compileall.compile_dir(package, quiet=1, workers=1)
    return {"package": str(package), "ok": bool(ok), "dont_write_env": os.environ.get("PYTHONDONTWRITEBYTECODE")}


def run_bench(layers_dir: Path | str = "layers", *, quick: bool = False, browser: bool = True,
              workdir: Path | str | None = None, scale=None, echo=print) -> dict:
    """Run everything and return the numbers (``format_report`` turns them into Markdown).

    ``quick``: fewer runs, no 10k/100k layers, and the export of the overview alone."""
    layers_dir = Path(layers_dir).resolve()
    own_tmp = workdir is None
    work = Path(tempfile.mkdtemp(prefix="geo-bench-")) if own_tmp else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    runs = 3 if quick else 5
    # the overviews' loads, in turns: more of them, since a load varies by ±15% on a shared machine
    # and the target (a quarter of plain's time) is a ratio of two medians
    pair_runs = 3 if quick else 11
    # builds likewise vary (ours 1.0-1.5 s, plain folium's 2.3-3.7 s in one day's runs): 5 in turns;
    # the export, far inside its limit, 3
    build_runs = 1 if quick else 5
    export_runs = 1 if quick else 3
    # a synthetic layer's build (one process, seconds long) varied 3.9-6.5 s for 100,000 sites in
    # one day's runs: the median of 3
    scale_build_runs = 1 if quick else 3
    scale = tuple(scale) if scale is not None else (QUICK_SCALE if quick else FULL_SCALE)
    res: dict = {"quick": quick, "machine": machine_info(), "runs": runs, "pair_runs": pair_runs,
                 "build_runs": build_runs, "export_runs": export_runs, "scale_build_runs": scale_build_runs,
                 "loadavg_start": _loadavg(), "scale": [], "browser": None}
    t_start = time.perf_counter()
    old_cache = os.environ.get("GEO_CACHE_DIR")
    try:
        echo("machine: " + ", ".join(f"{k} {v}" for k, v in res["machine"].items())
             + f"; load average {res['loadavg_start']}")
        echo("simplification" + ("" if quick else " (with the GEOS Hausdorff reference: about a minute)") + " ...")
        res["simplify"] = simplification_numbers(layers_dir, reference=not quick)

        res["bytecode"] = compile_package()
        echo(f"building the overview {build_runs} time(s) each: ours (all maps, the CLI) and plain folium ...")
        ours_runs, cold_runs, plain_runs = [], [], []
        cache = work / "cache"  # the boundary cache of this run: primed by the first cold build
        for k in range(build_runs):  # in turns, like the loads
            cold_runs.append(build_ours(layers_dir, work / "ours", cache_dir=work / f"cold-cache-{k}"))
            shutil.copytree(work / f"cold-cache-{k}", cache, dirs_exist_ok=True)
            ours_runs.append(build_ours(layers_dir, work / "ours", cache_dir=cache))
            plain_runs.append(build_plain(layers_dir, work / "plain"))
        ours, plain = ours_runs[-1], plain_runs[-1]
        ours.runs = [b.seconds for b in ours_runs]
        plain.runs = [b.seconds for b in plain_runs]
        ours.seconds, plain.seconds = statistics.median(ours.runs), statistics.median(plain.runs)
        res["cold"] = {"runs": [b.seconds for b in cold_runs],
                       "seconds": statistics.median(b.seconds for b in cold_runs)}
        os.environ["GEO_CACHE_DIR"] = str(cache)  # the scale builds below: boundaries cached, as after any build
        res["ours"] = {"build": ours, "facts": page_facts(ours.page), "bytes": page_bytes(ours.page)}
        res["plain"] = {"build": plain, "facts": page_facts(plain.page)}
        os.environ["GEO_CACHE_DIR"] = "off"  # where the time of a build that simplifies goes
        res["phases"] = build_phases(layers_dir, work / "phases")
        os.environ["GEO_CACHE_DIR"] = str(cache)
        res["imports"] = {"geo.build": import_seconds("geo.build"),
                          "plain": import_seconds("folium, geo.plan, shapely.geometry")}
        scope = "the overview" if quick else "every page"
        echo(f"exporting print maps and GIS data {export_runs} time(s) ({scope}) ...")
        res["export"] = export_ours(layers_dir, work / "export", runs=export_runs,
                                    pages=["six-cities"] if quick else None)

        br = None
        if browser:
            try:
                br = Browser()
            except Exception as exc:  # noqa: BLE001 - no Chromium: report the rest
                res["browser_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                echo(f"browser measurements skipped: {res['browser_error']}")
        try:
            if br:
                res["browser"] = {"version": br.version, "routes": [(p, h) for p, _l, h in br.routes],
                                  "missing": br.missing}
                role = SIX_ROLES[0]
                echo(f"loading the two overviews in turns in Chromium ({pair_runs} loads each) ...")
                res["ours"]["load"], res["plain"]["load"] = br.measure_pair(
                    (ours.page, res["ours"]["facts"], {"role": role}),
                    (plain.page, res["plain"]["facts"], {"text": _plain_toggle_text(layers_dir, role)}), pair_runs)
                res["toggle_role"] = role
            for kind, n in scale:
                echo(f"scale: {n:,} synthetic {kind} ...")
                syn = write_synthetic_layers(layers_dir, work / f"layers-{kind}-{n}", kind, n)
                row = {"kind": kind, "n": n}
                t0 = time.perf_counter()
                try:
                    b = build_ours(syn, work / f"maps-{kind}-{n}", runs=scale_build_runs)
                except RuntimeError as exc:  # refused: what the user is told, and how soon
                    row["seconds"] = time.perf_counter() - t0
                    row["error"] = str(exc).split("): ", 1)[-1]
                    row["wrote"] = sorted(p.name for p in (work / f"maps-{kind}-{n}").glob("*.html"))
                    res["scale"].append(row)
                    shutil.rmtree(syn, ignore_errors=True)
                    continue
                row["build"] = b
                row["facts"] = page_facts(b.page)
                row["bytes"] = page_bytes(b.page)
                if br:
                    role = max(row["facts"]["per_role"], key=row["facts"]["per_role"].get)
                    big = n >= 100_000
                    row["load"] = br.measure(b.page, row["facts"], 3 if big else runs, toggle={"role": role},
                                             toggle_runs=3 if big else 5)
                    row["role"] = role
                res["scale"].append(row)
                shutil.rmtree(syn, ignore_errors=True)
                shutil.rmtree(work / f"maps-{kind}-{n}", ignore_errors=True)
        finally:
            if br:
                br.close()
        if res.get("browser"):
            res["machine"]["chromium"] = f"Chromium {res['browser']['version']}"
    finally:
        if old_cache is None:
            os.environ.pop("GEO_CACHE_DIR", None)
        else:
            os.environ["GEO_CACHE_DIR"] = old_cache
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    res["loadavg_end"] = _loadavg()
    res["seconds"] = time.perf_counter() - t_start
    return res
