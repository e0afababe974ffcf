"""BENCHMARKS.md from a run's results."""

from __future__ import annotations

import statistics
from pathlib import Path

from ..pointtable import MAX_PAGE_POINTS
from .builds import PLAIN_SCRIPT
from .common import BOX, LOAD_LIMIT_S, OVERVIEW, SIX_ROLES, TOGGLE_LIMIT_S
from .exports import EXPORT_LIMIT_S
from .run import usable

# ---------------------------------------------------------------------------------------------
# the report

def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MiB"


def _s(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f} s"


def _ms(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:.0f} ms"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "MISSED")


def _row(res: dict, kind: str, n: int) -> dict | None:
    return next((r for r in res.get("scale", []) if r["kind"] == kind and r["n"] == n), None)


def _runs_note(build) -> str:
    """`` (median of 3: a, b, c)`` for a build timed more than once."""
    if len(build.runs) < 2:
        return ""
    return f" (median of {len(build.runs)}: {', '.join(f'{x:.2f}' for x in build.runs)})"


def targets(res: dict) -> list[tuple[str, str, bool | None]]:
    """The done-when targets (issue 12): (what, measured, met)."""
    o, p, s = res["ours"], res["plain"], res["simplify"]
    out = []
    ratio = o["build"].size / p["build"].size
    out.append(("(a) self-contained overview ≤ 1/16 of the plain page's size",
                f"{_kib(o['build'].size)} / {_kib(p['build'].size)} = {ratio:.3f} (1/{1 / ratio:.0f})",
                ratio <= 1 / 16))
    out.append(("(b) max boundary displacement ≤ 50 m (as the page stores it: simplified, on the grid)",
                f"{s['max_displacement_m']:.1f} m", s["max_displacement_m"] <= 50))
    r = o["build"].seconds / p["build"].seconds
    cold = res.get("cold")
    rc = f"; without the cache (a first build, or one after the boundaries change) {cold['seconds']:.2f} s = " \
        f"{cold['seconds'] / p['build'].seconds:.2f}" if cold else ""
    out.append(("(c) building ALL maps ≤ 1/2 of plain folium's time for its one overview",
                f"{o['build'].seconds:.2f} s vs {p['build'].seconds:.2f} s = {r:.2f}, with the simplified "
                f"boundaries cached (any build that leaves them alone){rc}", r <= 0.5))
    ol, pl = o.get("load"), p.get("load")
    if ol and pl and ol.ms and pl.ms:
        r = ol.ms / pl.ms
        pairs = [a / b for a, b in zip(ol.runs, pl.runs) if a and b]
        paired = f" (load by load, in turns: median ratio {statistics.median(pairs):.3f})" if pairs else ""
        out.append(("(d) overview drawn in ≤ 1/4 of the plain-folium time",
                    f"{_s(ol.ms)} vs {_s(pl.ms)} = {r:.3f}{paired}", r <= 0.25))
    else:
        out.append(("(d) overview drawn in ≤ 1/4 of the plain-folium time", "not measured", None))
    big = _row(res, "points", 100_000)
    if big and "build" in big:
        out.append(("(e) 100k sites: building all maps ≤ 6 s",
                    f"{big['build'].seconds:.2f} s" + _runs_note(big["build"]), big["build"].seconds <= 6))
        out.append(("(e) 100k sites: overview ≤ 10 MiB", _kib(big["build"].size), big["build"].size <= 10 * 2**20))
        ld = big.get("load")
        if ld and ld.ms is not None:
            out.append(("(e) 100k sites: drawn in ≤ 1 s", _s(ld.ms), ld.ms <= 1000))
            worst = None if ld.toggle_off_ms is None else max(ld.toggle_off_ms, ld.toggle_on_ms)
            out.append(("(e) 100k sites: a role toggled (off, and on) in ≤ 0.3 s each",
                        f"off {_s(ld.toggle_off_ms)}, on {_s(ld.toggle_on_ms)}",
                        None if worst is None else worst <= 300))
    else:
        out.append(("(e) 100k sites", "not in this run (--quick)" if res.get("quick") else
                    f"failed: {(big or {}).get('error', 'not run')[:200]}", None))
    huge = _row(res, "points", 1_000_000)
    if huge:
        if "error" in huge:
            quick = huge.get("seconds", 0) <= 60 and "hint:" in huge["error"]
            out.append(("(f) 1M sites: a stated outcome a user can live with, measured",
                        f"the build refuses in {huge.get('seconds', 0):.1f} s, writing nothing: "
                        f"`{huge['error'].splitlines()[0][:300]}`", quick))
        else:
            ld = huge.get("load")
            out.append(("(f) 1M sites: a stated outcome a user can live with, measured",
                        f"built in {huge['build'].seconds:.1f} s, {_kib(huge['build'].size)}, drawn in "
                        f"{_s(ld.ms) if ld else '—'}", None))
    else:
        out.append(("(f) 1M sites", "not in this run", None))
    ex = res.get("export")
    what = f"(g) `python -m geo export`: every page's PDF, SVG and PNG, the GeoPackage and CSV < {EXPORT_LIMIT_S:g} s"
    if ex and not ex.args:
        out.append((what, f"{ex.seconds:.2f} s ({ex.pages} pages)", ex.seconds < EXPORT_LIMIT_S))
    elif ex:
        out.append((what, f"not in this run (--quick: {' '.join(ex.args)} only, {ex.seconds:.2f} s)", None))
    return out


def _export_section(add, ex) -> None:
    add("## Print maps and GIS data")
    add("")
    scope = f"`{' '.join(ex.args)}`" if ex.args else "every map page"
    add(f"`python -m geo export -q` ({scope}) as its own process, wall clock, median of {len(ex.runs)}; it "
        "validates the layers, draws each page once with matplotlib (two worker processes on a machine with two "
        "or more cores) and saves it as PDF, SVG and PNG (300 dpi), then writes the GeoPackage and roles.csv. "
        "CPU: user + system seconds of the process and its workers (on a machine shared with other work the wall "
        "clock can exceed CPU / cores).")
    add("")
    add(f"- wall clock: **{ex.seconds:.2f} s** (runs: {', '.join(f'{x:.2f}' for x in ex.runs)}); "
        f"CPU: {', '.join(f'{x:.1f}' for x in ex.cpu)} s")
    add(f"- {ex.pages} page{'s' if ex.pages != 1 else ''}, {len(ex.files)} files, "
        f"{_kib(sum(ex.files.values()))} in all")
    add("")
    add("| page | PDF | SVG | PNG |")
    add("|---|---:|---:|---:|")
    stems = sorted({Path(f).stem for f in ex.files if f.startswith("print/")})
    for stem in stems:
        add(f"| {stem} | " + " | ".join(_kib(ex.files.get(f"print/{stem}.{e}", 0)) for e in ("pdf", "svg", "png"))
            + " |")
    for f, n in ex.files.items():
        if f.startswith("data/"):
            add(f"| `{f}` | {_kib(n)} | | |")
    add("")


def format_report(res: dict, command: str = "python -m geo bench") -> str:
    from ..simplify import COARSE_TOLERANCE_M, LOD_ZOOM
    from ..topology import QUANTUM

    m, s, o, p = res["machine"], res["simplify"], res["ours"], res["plain"]
    ol, pl = o.get("load"), p.get("load")
    L: list[str] = []
    add = L.append
    add("# Benchmarks")
    add("")
    add(f"Written by `{command}`{' (--quick: a reduced set)' if res['quick'] else ''}; run it again to "
        "regenerate this file (`--out PATH` writes elsewhere). A benchmark, not a test: the numbers "
        "depend on the machine and on what else it is doing.")
    add("")
    add("## Machine")
    add("")
    add(f"- date: {m['date']}")
    add(f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gib']} GiB")
    add(f"- OS: {m['os']}")
    add(f"- Python {m['python']}, folium {m['folium']}, shapely {m['shapely']}, playwright {m['playwright']}")
    add(f"- browser: {m['chromium']}, headless, 1280×860 viewport")
    add(f"- load average (1, 5, 15 min) at the start: {res['loadavg_start']}; at the end: {res.get('loadavg_end', '?')}"
        f"; the run took {res.get('seconds', 0):.0f} s")
    add("")
    add("## Simplification (official boundaries)")
    add("")
    add(f"- tolerance: {s['tolerance_m']:g} m (`geo.simplify.TOLERANCE_M`: one screen pixel at the maximum "
        f"zoom, {s['max_zoom']}), coverage-preserving (`shapely.coverage_simplify`)")
    add(f"- coordinates on a grid of {QUANTUM:g}° (`geo.topology.QUANTUM`, about 4 m: a third of the "
        "tolerance); the page stores the polygons as a topology, each border once as an arc shared by every "
        "polygon and outline that uses it, vertices as grid differences")
    add(f"- below zoom {LOD_ZOOM} pages draw a coarse form of each polygon: the coverage simplified again to "
        f"{COARSE_TOLERANCE_M:g} m (`geo.simplify.COARSE_TOLERANCE_M`, one pixel at zoom {LOD_ZOOM - 1}); the "
        "page marks which vertices of each arc it keeps (one bit a vertex), so each border is still in it once")
    add(f"- maximum boundary displacement (Hausdorff distance, equal-area metres, simplified and on the grid, as "
        f"the page stores it): **{s['max_displacement_m']:.1f} m** (feature {s['worst_feature']}; the limit is 50 m)")
    if s.get("reference_m") is not None:
        add(f"  - through `geo.simplify.max_displacement_m` (GEOS Hausdorff): {s['reference_m']:.1f} m, in "
            f"{s['reference_seconds']:.0f} s; the table's numbers come from `geo.bench.displacement_m`, the "
            "same distance by nearest-edge queries")
    add(f"- vertices of official polygons: {s['official_before']:,} → {s['official_after']:,} "
        f"({s['official_after'] / max(1, s['official_before']):.0%}); all polygons: "
        f"{s['all_before']:,} → {s['all_after']:,}; `simplify_plan` took {s['seconds']:.2f} s")
    add("")
    add("| layer | features | vertices before | after | max displacement |")
    add("|---|---:|---:|---:|---:|")
    for lid, row in s["per_layer"].items():
        add(f"| {lid} | {row['features']} | {row['before']:,} | {row['after']:,} | {row['max_m']:.1f} m |")
    add("")
    add("## The overview: ours against plain folium")
    add("")
    add(f"Build: the whole process, wall clock, median of {res['build_runs']} (run in turns). Ours is "
        "`python -m geo build`, which validates the layers and writes **all** "
        f"{o['build'].note}, with the simplified boundaries in its cache (`geo/cache.py`: every build after "
        "the first whose official boundaries are unchanged; the times without it are below the table); "
        "plain is the script at the end of this file, writing the one overview. "
        + _bytecode_note(res.get("bytecode")) +
        "Load-to-drawn: navigation start to the first frame painted after `load` with every vector path "
        f"in the DOM (and the page's drawing code done), median of {res.get('pair_runs', res['runs'])} fresh loads, "
        "the two pages "
        f"in turns. Toggle: the `{res.get('toggle_role', SIX_ROLES[0])}` role switched off, then on, in the "
        "layer control, each until a frame is painted; median of 5. Tile requests fail at once for both pages "
        "(no network). Plain folium adds its basemap with the map; ours adds it a frame after the overlays are "
        "painted (so the plan shows before any tile request), which is inside this measure for plain and "
        "after it for ours: it is what a user sees first.")
    add("")
    add("| | page size | build (process) | load-to-drawn | toggle off + on | paths + markers drawn |")
    add("|---|---:|---:|---:|---:|---:|")
    add(f"| ours `{OVERVIEW}` | {o['build'].size:,} B ({_kib(o['build'].size)}), self-contained "
        f"({o['facts']['external_assets']} external files) | {o['build'].seconds:.2f} s (all maps) | "
        f"{_s(ol.ms if ol else None)} | {_s(ol.toggle_ms if ol else None)} | {ol.drawn if ol else '—'} |")
    add(f"| plain folium | {p['build'].size:,} B ({_kib(p['build'].size)}) + CDN assets not counted "
        f"({p['facts']['external_assets']} linked) | {p['build'].seconds:.2f} s (one page) | "
        f"{_s(pl.ms if pl else None)} | {_s(pl.toggle_ms if pl else None)} | {pl.drawn if pl else '—'} |")
    ratio_t = f"{ol.ms / pl.ms:.2f}" if ol and pl and ol.ms and pl.ms else "—"
    ratio_g = f"{ol.toggle_ms / pl.toggle_ms:.2f}" if ol and pl and ol.toggle_ms and pl.toggle_ms else "—"
    add(f"| ours / plain | {o['build'].size / p['build'].size:.3f} | "
        f"{o['build'].seconds / p['build'].seconds:.2f} | {ratio_t} | {ratio_g} | |")
    add("")
    runs_line = (f"Builds (s): ours {', '.join(f'{x:.2f}' for x in o['build'].runs)} (boundaries cached), "
                 f"{', '.join(f'{x:.2f}' for x in res.get('cold', {}).get('runs', []))} (no cache); "
                 f"plain {', '.join(f'{x:.2f}' for x in p['build'].runs)}.")
    if ol and ol.runs:
        runs_line += (f" Loads (ms): ours {', '.join(f'{x:.0f}' for x in ol.runs)}; "
                      f"plain {', '.join(f'{x:.0f}' for x in pl.runs) if pl else '—'}.")
    if ol and ol.error:
        runs_line += f" Ours failed: {ol.error}."
    if pl and pl.error:
        runs_line += f" Plain failed: {pl.error}."
    add(runs_line)
    add("")
    by = o.get("bytes")
    if by and "assets" in by:
        a, d = by["assets"], by["data"]
        add(f"Where the overview's {by['total']:,} bytes are: the assets {a['packed']:,} (Leaflet's JS and CSS "
            f"{a['raw']['leaflet']:,} and ours {a['raw']['ours']:,} before packing; packed alone they would be "
            f"{a['packed_alone']['leaflet']:,} and {a['packed_alone']['ours']:,}), the data {d['packed']:,} "
            f"(before packing: the document {d['json']:,}, the geometry {d['arcs']:,}: {d['n_arcs']} arcs, "
            f"{d['vertices']:,} vertices, each border once), the skeleton and boot code {by['skeleton']:,}. "
            "Packed: deflated, then base64 (4 characters for 3 bytes).")
        if ol and ol.marks:
            add("")
            # the code runs once both are inflated (geo-inflated; pages before it ran it at once)
            ran_from = "geo-inflated" if ol.mark("geo-inflated") is not None else "geo-assets-inflated"
            add(f"Unpacking in the page (median of the loads, ms from navigation start): boot "
                f"{_ms(ol.mark('geo-boot'))}, assets inflated {_ms(ol.mark('geo-assets-inflated'))} and data "
                f"{_ms(ol.mark('geo-data-inflated'))}; the code run {_ms(ol.mark('geo-assets-run'))}, the data "
                f"decoded {_ms(ol.mark('geo-data-decoded'))}, drawn {_ms(ol.mark('geo-render-end'))} (the map "
                f"made and every layer added), first frame painted with everything {_ms(ol.ms)}: running Leaflet "
                f"and our modules takes {_ms(ol.between(ran_from, 'geo-assets-run'))}, decoding "
                f"{_ms(ol.between('geo-assets-run', 'geo-data-decoded'))}, drawing "
                f"{_ms(ol.between('geo-data-decoded', 'geo-render-end'))}.")
        add("")
    ph = res.get("phases")
    if ph:
        imp = res.get("imports", {})
        add("Where our build's time goes (one in-process build without the cache, the cycle collector paused "
            "as `build_maps` pauses it; the process adds Python's "
            "start and imports: "
            f"{imp.get('geo.build', 0):.2f} s for `import geo.build`, against {imp.get('plain', 0):.2f} s for "
            "the plain script's imports):")
        add("")
        add(f"- validate the layers: {ph['validate']:.2f} s (parses every layer file; the plan is made of the "
            "documents it parsed)")
        add(f"- the plan (`Report.plan`): {ph['load_plan']:.2f} s; `simplify_plan`: {ph['simplify_plan']:.2f} s; "
            f"the topology (every border once, coarse forms below zoom {LOD_ZOOM}) and the point table: "
            f"{ph['topology']:.2f} s")
        add(f"- render and write {ph['pages']} pages and the index: {ph['render_pages']:.2f} s")
        add("")
    b = res.get("browser")
    if b:
        add("The plain page's CDN files, answered from local copies by Playwright routes:")
        add("")
        for prefix, how in b["routes"]:
            add(f"- `{prefix}` → {how}")
        if b["missing"]:
            add(f"- no local copy, answered with an empty 200: {'; '.join(b['missing'])}")
        add(f"- per load: plain {pl.served if pl else 0} requests answered locally, {pl.aborted if pl else 0} failed "
            f"(tiles); ours {ol.served if ol else 0} answered, {ol.aborted if ol else 0} failed (tiles)")
        add("")
    else:
        add(f"(Browser measurements skipped: {res.get('browser_error', '--no-browser')}.)")
        add("")
    add("## Scale: synthetic layers on the overview")
    add("")
    add(f"A copy of the real layers plus a `synthetic` layer: random points, or a grid of small hexagons, inside "
        f"lon {BOX[0]}–{BOX[2]}, lat {BOX[1]}–{BOX[3]}; each feature takes one six-cities role, round robin, so "
        "all of them are on the overview. Build: `python -m geo build`, all maps, validation included. Toggle: "
        f"the role with the most shapes, off and on. A build's time is the median of "
        f"{res.get('scale_build_runs', 1)} (each run listed under the table). Usable: load-to-drawn ≤ "
        f"{LOAD_LIMIT_S:g} s and each toggle "
        f"≤ {TOGGLE_LIMIT_S:g} s. Rendering: SVG, one Leaflet layer per shape, below 3,000 role shapes; above, "
        "canvas, with each role's points drawn by one `PointCloud` layer (geo/static/js/pointcloud.js). "
        f"A page holds at most {MAX_PAGE_POINTS:,} points (`geo.pointtable.MAX_PAGE_POINTS`): past it the build "
        "refuses, saying what to do; a layer file over 50 MB is refused before it is parsed.")
    add("")
    add("| synthetic | build (all maps) | overview size | rendering | load-to-drawn | toggle off / on | usable |")
    add("|---|---:|---:|---|---:|---:|---|")
    for row in res.get("scale", []):
        what = f"{row['n']:,} {row['kind']}"
        if "error" in row:
            add(f"| {what} | refused in {row.get('seconds', 0):.1f} s: {row['error'].splitlines()[0][:400]} "
                "| | | | | no |")
            continue
        f, ld = row["facts"], row.get("load")
        render = ("canvas" + (", points as PointClouds" if row["kind"] == "points" else "")) if f["canvas"] else "SVG"
        if ld is None:
            add(f"| {what} | {row['build'].seconds:.2f} s | {_kib(row['build'].size)} | {render} | — | — | — |")
            continue
        ok = usable(row)
        add(f"| {what} | {row['build'].seconds:.2f} s | {_kib(row['build'].size)} | {render}; "
            f"{f['shapes']:,} role shapes | {_s(ld.ms)}{' (' + ld.error + ')' if ld.error else ''} | "
            f"{_s(ld.toggle_off_ms)} / {_s(ld.toggle_on_ms)} | {'yes' if ok else 'NO'} |")
    add("")
    timed = [r for r in res.get("scale", []) if "build" in r and len(r["build"].runs) > 1]
    if timed:
        add("Builds (s): " + "; ".join(f"{r['n']:,} {r['kind']} {', '.join(f'{x:.2f}' for x in r['build'].runs)}"
                                       for r in timed) + ".")
        add("")
    rows = [r for r in res.get("scale", []) if usable(r) is not None]
    if rows:
        bad = [r for r in rows if not usable(r)]
        if bad:
            add("Not usable: " + "; ".join(f"{r['n']:,} {r['kind']}" for r in bad) + ".")
        else:
            add(f"Every measured size stayed usable (largest: {max(r['n'] for r in rows):,} "
                f"{max(rows, key=lambda r: r['n'])['kind']}).")
        add("")
    if res.get("export"):
        _export_section(add, res["export"])
    add("## Done-when targets")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    for what, measured, ok in targets(res):
        add(f"| {what} | {measured} | {_verdict(ok)} |")
    add("")
    add("## The plain-folium script")
    add("")
    add("Run as its own process: `python plain_folium_overview.py LAYERS_DIR OUT.html`.")
    add("")
    add("```python")
    add(PLAIN_SCRIPT.strip())
    add("```")
    add("")
    return "\n".join(L)


def _bytecode_note(b: dict | None) -> str:
    """What the bench did about Python's bytecode before timing the builds (run.compile_package)."""
    if not b:
        return ""
    env = (" (this machine sets PYTHONDONTWRITEBYTECODE, so a process would otherwise compile them each time)"
           if b.get("dont_write_env") else "")
    return ("Both processes run with geo/'s bytecode compiled beforehand, as `pip install` leaves it and "
            f"as every run after the first finds it{env}. ")
