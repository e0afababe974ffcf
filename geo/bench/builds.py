"""Builds: ours through the CLI, plain folium through its script; what a page should draw; where a build's time goes."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .common import OVERVIEW, REPO_ROOT

# ---------------------------------------------------------------------------------------------
# the plain-folium equivalent of the overview

#: The overview made with folium the obvious way. Run as ``python plain.py LAYERS OUT.html``;
#: it also writes ``OUT.html.json`` with how many paths and markers the page should draw.
PLAIN_SCRIPT = r'''
"""six-cities.html the plain-folium way: every feature at full resolution, as GeoJSON."""
import json
import sys

import folium
from shapely.geometry import mapping

from geo.maps import page_specs
from geo.plan import load_plan
from geo.render import page_features

layers_dir, out = sys.argv[1], sys.argv[2]
plan = load_plan(layers_dir)
FIELDS = ["name_en", "name_zh", "kind", "description"]
# the features our overview shows (the boundaries around Changchun that hold today, the roles)
shown = page_features(plan, next(p for p in page_specs(plan) if p.file == "six-cities.html"))


def collection(features):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": mapping(f.geometry),
         "properties": {k: str(f.props.get(k, "")) for k in FIELDS}} for f in features]}


m = folium.Map(location=[44.0, 125.5], zoom_start=8)
drawn = {"paths": 0, "markers": 0}


def count(features):
    for f in features:
        drawn["markers" if f.geometry.geom_type == "Point" else "paths"] += 1


for layer_id in ("province", "prefectures", "counties"):
    spec = next(s for s in plan.catalogue.layers if s.id == layer_id)
    feats = [f for f, _, context in shown if context and f.layer.id == layer_id]
    folium.GeoJson(collection(feats), name=spec.title_en,
                   style_function=lambda _: {"color": "#666", "weight": 1, "fillOpacity": 0}).add_to(m)
    count(feats)

bounds = None
for role in plan.registry.plan_roles("six-cities"):
    feats = [f for f, entries, _ in shown if any(r["role"] == role.id for r in entries)]
    group = folium.FeatureGroup(name=f"{role.name_en} {role.name_zh}")
    folium.GeoJson(
        collection(feats),
        style_function=lambda _, c=role.colour: {"color": c, "fillColor": c, "weight": 2, "fillOpacity": 0.4},
        tooltip=folium.GeoJsonTooltip(fields=["name_en", "name_zh"]),
        popup=folium.GeoJsonPopup(fields=FIELDS),
    ).add_to(group)
    group.add_to(m)
    count(feats)
    for f in feats:
        b = f.geometry.bounds
        bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]),
                                           max(bounds[2], b[2]), max(bounds[3], b[3]))
folium.LayerControl().add_to(m)
if bounds:
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
m.save(out)
with open(out + ".json", "w") as fh:
    json.dump(drawn, fh)
'''



# ---------------------------------------------------------------------------------------------
# builds

def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


@dataclass
class Build:
    seconds: float  # the whole process, wall clock (median of the runs)
    runs: list[float]
    page: Path  # the overview page
    size: int  # its bytes
    note: str = ""


def build_ours(layers_dir: Path | str, out_dir: Path | str, runs: int = 1,
               cache_dir: Path | str | None = None) -> Build:
    """Time ``python -m geo build --layers L --out O -q`` (every map) as a subprocess, with the
    boundary cache (geo/cache.py) in ``cache_dir`` (None: the caller's setting)."""
    out_dir = Path(out_dir)
    env = _env()
    if cache_dir is not None:
        env["GEO_CACHE_DIR"] = str(cache_dir)
    times = []
    for _ in range(runs):
        if out_dir.exists():
            shutil.rmtree(out_dir)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "geo", "build", "--layers", str(layers_dir),
                               "--out", str(out_dir), "-q"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"geo build failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    page = out_dir / OVERVIEW
    pages = len(list(out_dir.glob("*.html")))
    return Build(statistics.median(times), times, page, page.stat().st_size, f"{pages} pages")


def build_plain(layers_dir: Path | str, out_dir: Path | str, runs: int = 1) -> Build:
    """Time :data:`PLAIN_SCRIPT` (the one overview, plain folium) as a subprocess."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    script = out_dir / "plain_folium_overview.py"
    script.write_text(PLAIN_SCRIPT, encoding="utf-8")
    page = out_dir / OVERVIEW
    times = []
    for _ in range(runs):
        page.unlink(missing_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script), str(Path(layers_dir).resolve()), str(page)],
                              cwd=out_dir, env=_env(), capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"plain folium script failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return Build(statistics.median(times), times, page, page.stat().st_size, "1 page")


_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def page_facts(path: Path | str) -> dict:
    """What a page should draw, read from the page itself.

    Ours: from its packed data (SVG paths to expect, role shapes, canvas or not, roles).
    Plain: from the ``.json`` the plain script writes beside it.
    """
    from ..pagedata import read_page_data

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    external = len(_EXTERNAL.findall(text))
    data = read_page_data(text)
    if data is None:
        side = Path(str(path) + ".json")
        drawn = json.loads(side.read_text()) if side.exists() else {"paths": 0, "markers": 0}
        return {"ours": False, "expected": drawn["paths"] + drawn["markers"], "external_assets": external,
                "shapes": drawn["paths"] + drawn["markers"], "canvas": False}
    page_roles = data["page_roles"]
    context = sum(1 for f in data["features"] if f.get("context"))
    shapes = sum(len({r["role"] for r in f.get("roles", []) if r["role"] in page_roles}) for f in data["features"])
    per_role = {r: sum(1 for f in data["features"] if any(x["role"] == r for x in f.get("roles", [])))
                for r in page_roles}
    # the SVG paths to wait for are the role shapes, in the overlay pane (none when they are on
    # canvas); the grey context boundaries, in a pane of their own, are drawn before them
    return {"ours": True, "canvas": bool(data.get("canvas")), "context": context, "shapes": shapes,
            "per_role": per_role, "features": len(data["features"]),
            "expected": 0 if data.get("canvas") else shapes, "external_assets": external}


_PAYLOAD = re.compile(r'<script type="application/octet-stream" id="geo-(\w+)"[^>]*>(.*?)</script>', re.S)


def page_bytes(path: Path | str) -> dict:
    """Where a page's bytes are: Leaflet, our code, the data (packed, and before packing)."""

    from ..pagedata import deflate64, unpack, unpack_assets, unvarints

    text = Path(path).read_text(encoding="utf-8")
    total = len(text.encode("utf-8"))
    payloads = dict(_PAYLOAD.findall(text))
    out: dict = {"total": total, "skeleton": total - sum(len(v) for v in payloads.values())}
    if "assets" in payloads:
        assets = unpack_assets(payloads["assets"])
        raw = {"leaflet": 0, "ours": 0}
        for _kind, name, content in assets:
            raw["leaflet" if name.startswith("leaflet") else "ours"] += len(content.encode("utf-8"))
        packed = {}
        for who in ("leaflet", "ours"):
            joined = "".join(c for _k, n, c in assets if n.startswith("leaflet") == (who == "leaflet"))
            packed[who] = len(deflate64(joined.encode("utf-8"), 9))
        out["assets"] = {"packed": len(payloads["assets"]), "raw": raw, "packed_alone": packed}
    if "data" in payloads:
        doc, sections = unpack(payloads["data"])
        head = len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        geo = sum(len(v) for k, v in sections.items() if k.startswith("arc_") or k in ("shapes",))
        pts = sum(len(v) for k, v in sections.items() if k.startswith("pt_") or k == "points")
        counts = unvarints(sections.get("arc_n", b""))
        out["data"] = {"packed": len(payloads["data"]), "json": head, "arcs": geo, "points": pts,
                       "n_arcs": len(counts), "vertices": int(counts.sum())}
    return out


# ---------------------------------------------------------------------------------------------
# where a build's time goes

def build_phases(layers_dir: Path | str, out_dir: Path | str) -> dict:
    """One in-process build, timed by phase (imports excluded): what the CLI process spends,
    in the same steps as :func:`geo.build.build_maps` (the cycle collector paused too)."""
    from ..build import BuildReport, gc_paused, write_pages
    from ..layerio import atomic_write
    from ..maps import index_html, page_specs
    from ..render import encode_pages, raw_data
    from ..simplify import simplify_plan
    from ..validate import validate_report

    out_dir = Path(out_dir)
    t = {}

    def step(name, fn):
        t0 = time.perf_counter()
        value = fn()
        t[name] = time.perf_counter() - t0
        return value

    with gc_paused():
        report = step("validate", lambda: validate_report(layers_dir))
        plan = step("load_plan", report.plan)  # the plan of the documents validation read
        geoms = step("simplify_plan", lambda: simplify_plan(plan))
        encoded = step("topology", lambda: encode_pages(plan, geoms))
        pages = page_specs(plan)

        def write_all():  # as the build writes them: each page deflated while the next is made
            write_pages(pages, lambda page: raw_data(plan, page, geoms, encoded=encoded), out_dir, BuildReport())
            atomic_write(out_dir / "index.html", index_html(plan, pages, geoms, encoded))

        step("render_pages", write_all)
    t["pages"] = len(pages)
    return t


def import_seconds(module: str = "geo.build") -> float:
    """Wall time of a Python process that only imports ``module``."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO_ROOT, env=_env(), check=True)
    return time.perf_counter() - t0
