"""The benchmark behind ``python -m geo bench``: our maps against plain folium, and at scale.

What one run measures (see BENCHMARKS.md for a run's output):

* the overview, ``six-cities.html``: built by the real CLI process (``python -m geo build``,
  which writes ALL maps) against :data:`PLAIN_SCRIPT`, the same overview made with folium the
  obvious way (one ``GeoJson`` per context layer, one ``FeatureGroup`` + ``GeoJson`` per role at
  full resolution, tooltips, popups, a ``LayerControl``), run as its own process. For each:
  page size, build time of the whole process, and load-to-drawn time in headless Chromium;
* the simplification: tolerance, the largest boundary displacement it causes, vertex counts;
* scale: synthetic point and polygon layers added to a copy of the real layers; build time,
  page size, load-to-drawn and the time to switch one role overlay off and on.

Loading is on equal terms: the plain page's CDN files are served from local copies (xstatic
packages) through Playwright routes, and every tile request of both pages is aborted.
"Load-to-drawn" runs from navigation start to the first frame painted after the ``load``
event once every vector path is in the DOM (for canvas-drawn roles: once the page's drawing
code has run), the median of several runs.

The parts that need no browser (synthetic layers, builds, sizes, simplification numbers,
the report) are plain functions, so tests can run them on a small set.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BOX",
    "LOAD_LIMIT_S",
    "PLAIN_SCRIPT",
    "REPO_ROOT",
    "SIX_ROLES",
    "TOGGLE_LIMIT_S",
    "Browser",
    "build_ours",
    "build_phases",
    "build_plain",
    "cdn_routes",
    "displacement_m",
    "format_report",
    "machine_info",
    "page_facts",
    "run_bench",
    "simplification_numbers",
    "synthetic_features",
    "targets",
    "usable",
    "write_synthetic_layers",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The six-cities roles, in registry order (synthetic features take these, round robin).
SIX_ROLES = ("auto", "agriculture", "dual-carbon", "sci-tech", "consumption", "culture")
#: Where synthetic features go: the Changchun box (lon 124.5-127, lat 43.3-45.5).
BOX = (124.5, 43.3, 127.0, 45.5)
#: A page is "usable" while it draws within this many seconds ...
LOAD_LIMIT_S = 3.0
#: ... and switches a role overlay off or on within this many.
TOGGLE_LIMIT_S = 1.0
OVERVIEW = "six-cities.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-sandbox"]
#: Every host name fails to resolve, inside the browser: tile requests fail at once, with no
#: network and no round trip to this process. The CDN files are answered by routes first.
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND"

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

from geo.plan import load_plan

layers_dir, out = sys.argv[1], sys.argv[2]
plan = load_plan(layers_dir)
FIELDS = ["name_en", "name_zh", "kind", "description"]


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
    feats = plan.layer_features(layer_id)
    folium.GeoJson(collection(feats), name=spec.title_en,
                   style_function=lambda _: {"color": "#666", "weight": 1, "fillOpacity": 0}).add_to(m)
    count(feats)

bounds = None
for role in plan.registry.group("six-cities"):
    feats = plan.with_role(role.id)
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
# the machine

def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def chromium_version(executable: str = CHROMIUM) -> str:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return "not found"
    m = re.search(r"Chromium [\d.]+", out)
    return m.group(0) if m else (out.strip().splitlines() or ["unknown"])[0]


def machine_info() -> dict:
    """CPU model, cores, RAM, OS, Python, Chromium and the date."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    osr = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.MULTILINE)
    try:
        from importlib.metadata import version
        pw = version("playwright")
    except Exception:  # noqa: BLE001 - only for the report
        pw = "not installed"
    import folium
    import shapely

    return {
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": f"{osr.group(1) if osr else platform.system()} (kernel {platform.release()})",
        "python": platform.python_version(),
        "chromium": chromium_version(),
        "playwright": pw,
        "folium": folium.__version__,
        "shapely": shapely.__version__,
    }


# ---------------------------------------------------------------------------------------------
# simplification

def _segments(geom):
    """Every edge of a (projected) polygonal or linear geometry, as 2-point LineStrings."""
    import numpy as np
    import shapely

    parts = shapely.get_parts(geom)
    lines = shapely.get_rings(parts) if geom.geom_type.endswith("Polygon") else parts
    segs = []
    for line in lines:
        c = shapely.get_coordinates(line)
        if len(c) > 1:
            segs.append(np.stack([c[:-1], c[1:]], axis=1))
    return shapely.linestrings(np.concatenate(segs))


def _directed_m(a, b) -> float:
    import shapely

    tree = shapely.STRtree(_segments(b))
    _idx, dist = tree.query_nearest(shapely.points(shapely.get_coordinates(a)), return_distance=True)
    return float(dist.max()) if len(dist) else 0.0


def displacement_m(original, simplified) -> float:
    """The same number as :func:`geo.simplify.max_displacement_m`, fast.

    GEOS's (discrete) Hausdorff distance is the larger of the two directed distances "every
    vertex of one geometry to the nearest point of the other"; here each direction is a
    nearest-edge query in an STR tree, O(n log m) instead of O(n m): 0.3 s instead of about
    40 s for the province. ``tests/test_simplify.py`` checks that the two agree.
    """
    from .plan import to_equal_area

    a, b = to_equal_area(original), to_equal_area(simplified)
    return max(_directed_m(a, b), _directed_m(b, a))


def simplification_numbers(layers_dir: Path | str = "layers", *, reference: bool = False) -> dict:
    """Tolerance, the largest displacement of an official boundary, vertex counts before/after.

    ``reference``: measure with :func:`geo.simplify.max_displacement_m` (GEOS's Hausdorff,
    slow on the province's 46,000 vertices) as well as with :func:`displacement_m`.
    """
    import shapely

    from .plan import load_plan
    from .simplify import MAX_ZOOM, TOLERANCE_M, max_displacement_m, simplify_plan

    plan = load_plan(layers_dir)
    t0 = time.perf_counter()
    geoms = simplify_plan(plan)
    seconds = time.perf_counter() - t0
    official = [f for f in plan.features
                if f.basis == "official" and f.geometry.geom_type.endswith("Polygon")]
    per_layer: dict[str, dict] = {}
    worst, worst_id, ref = 0.0, "", None
    t0 = time.perf_counter()
    if reference:
        ref = max(max_displacement_m(f.geometry, geoms[f.id]) for f in official)
    ref_seconds = time.perf_counter() - t0
    for f in official:
        d = displacement_m(f.geometry, geoms[f.id])
        if d > worst:
            worst, worst_id = d, f.id
        row = per_layer.setdefault(f.layer.id, {"features": 0, "before": 0, "after": 0, "max_m": 0.0})
        row["features"] += 1
        row["before"] += int(shapely.get_num_coordinates(f.geometry))
        row["after"] += int(shapely.get_num_coordinates(geoms[f.id]))
        row["max_m"] = max(row["max_m"], d)
    polys = [f for f in plan.features if f.geometry.geom_type.endswith("Polygon")]
    return {
        "tolerance_m": TOLERANCE_M, "max_zoom": MAX_ZOOM, "seconds": seconds,
        "max_displacement_m": worst if ref is None else max(worst, ref), "worst_feature": worst_id,
        "reference_m": ref, "reference_seconds": ref_seconds,
        "official_before": sum(r["before"] for r in per_layer.values()),
        "official_after": sum(r["after"] for r in per_layer.values()),
        "all_before": sum(int(shapely.get_num_coordinates(f.geometry)) for f in polys),
        "all_after": sum(int(shapely.get_num_coordinates(geoms[f.id])) for f in polys),
        "per_layer": per_layer,
    }


# ---------------------------------------------------------------------------------------------
# synthetic layers

def _hexagon(lon: float, lat: float, r_deg: float) -> list:
    kx = 1 / math.cos(math.radians(lat))  # keep it round on the ground
    ring = [[round(lon + r_deg * kx * math.cos(math.radians(a)), 5), round(lat + r_deg * math.sin(math.radians(a)), 5)]
            for a in range(0, 360, 60)]
    return ring + [ring[0]]


def synthetic_features(kind: str, n: int, seed: int = 20211218) -> list[dict]:
    """``n`` GeoJSON features inside :data:`BOX`: random points, or a grid of small hexagons.

    Each takes one six-cities role (round robin) with a valid part and source, so the layers
    validate cleanly and every feature is on the overview.
    """
    west, south, east, north = BOX
    feats = []
    if kind == "points":
        rnd = random.Random(seed)
        coords = [{"type": "Point",
                   "coordinates": [round(rnd.uniform(west, east), 5), round(rnd.uniform(south, north), 5)]}
                  for _ in range(n)]
    elif kind == "polygons":
        cols = max(1, math.ceil(math.sqrt(n * (east - west) / (north - south))))
        rows = math.ceil(n / cols)
        dx, dy = (east - west) / cols, (north - south) / rows
        r = 0.4 * min(dx * math.cos(math.radians(44.4)), dy)
        coords = [{"type": "Polygon", "coordinates": [_hexagon(west + (i % cols + 0.5) * dx,
                                                               south + (i // cols + 0.5) * dy, r)]}
                  for i in range(n)]
    else:
        raise ValueError(f"kind must be points or polygons, not {kind!r}")
    word_en, word_zh = ("site", "合成点") if kind == "points" else ("cell", "合成区")
    for i, geom in enumerate(coords):
        role = SIX_ROLES[i % len(SIX_ROLES)]
        feats.append({"type": "Feature", "properties": {
            "id": f"syn-{i:06d}", "name_en": f"Synthetic {word_en} {i}",
            "name_zh": f"{word_zh}{i}", "kind": "site" if kind == "points" else "zone",
            "roles": [{"role": role, "part": "site" if kind == "points" else "member",
                       "source": f"seed002-{role}"}],
            "geometry_basis": "schematic", "position_error_m": 1000}, "geometry": geom})
    return feats


def write_synthetic_layers(layers_dir: Path | str, dest: Path | str, kind: str, n: int) -> Path:
    """A copy of ``layers_dir`` in ``dest`` with a ``synthetic`` layer of ``n`` features added."""
    src, dest = Path(layers_dir), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    fc = {"type": "FeatureCollection", "name": "synthetic", "features": synthetic_features(kind, n)}
    (dest / "synthetic.geojson").write_text(
        json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    point = kind == "points"
    block = (
        "\n\n[[layer]]\n"
        'id = "synthetic"\n'
        'file = "synthetic.geojson"\n'
        f'title_en = "Synthetic {"sites" if point else "cells"} (benchmark)"\n'
        f'title_zh = "{"合成点" if point else "合成区"}"\n'
        f'geometry = {json.dumps(["Point"] if point else ["Polygon", "MultiPolygon"])}\n'
        f'style = "{"point" if point else "area"}"\n')
    with open(dest / "layers.toml", "a", encoding="utf-8") as fh:
        fh.write(block)
    return dest


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


def build_ours(layers_dir: Path | str, out_dir: Path | str, runs: int = 1) -> Build:
    """Time ``python -m geo build --layers L --out O -q`` (every map) as a subprocess."""
    out_dir = Path(out_dir)
    times = []
    for _ in range(runs):
        if out_dir.exists():
            shutil.rmtree(out_dir)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "geo", "build", "--layers", str(layers_dir),
                               "--out", str(out_dir), "-q"], cwd=REPO_ROOT, env=_env(),
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

    Ours: from its embedded JSON (SVG paths to expect, role shapes, canvas or not, roles).
    Plain: from the ``.json`` the plain script writes beside it.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    external = len(_EXTERNAL.findall(text))
    m = re.search(r'<script type="application/json" id="geo-data">(.*?)</script>', text, re.DOTALL)
    if not m:
        side = Path(str(path) + ".json")
        drawn = json.loads(side.read_text()) if side.exists() else {"paths": 0, "markers": 0}
        return {"ours": False, "expected": drawn["paths"] + drawn["markers"], "external_assets": external,
                "shapes": drawn["paths"] + drawn["markers"], "canvas": False}
    data = json.loads(m.group(1))
    page_roles = data["page_roles"]
    context = sum(1 for f in data["features"] if f.get("context"))
    shapes = sum(len({r["role"] for r in f.get("roles", []) if r["role"] in page_roles}) for f in data["features"])
    per_role = {r: sum(1 for f in data["features"] if any(x["role"] == r for x in f.get("roles", [])))
                for r in page_roles}
    # the grey context boundaries are painted on a canvas of their own: the SVG paths to wait
    # for are the role shapes (none when the role shapes are on canvas too)
    return {"ours": True, "canvas": bool(data.get("canvas")), "context": context, "shapes": shapes,
            "per_role": per_role, "features": len(data["features"]),
            "expected": 0 if data.get("canvas") else shapes, "external_assets": external}


# ---------------------------------------------------------------------------------------------
# the browser

_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
          ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".map": "application/json"}


def cdn_routes() -> tuple[list[tuple[str, Path | None, str]], list[str]]:
    """``(url prefix, local folder or file or None, what serves it)`` for folium's CDN assets.

    None means "an empty 200": no local copy is installed. The second list says which.
    """
    import xstatic.pkg.leaflet as xleaflet
    from folium.folium import _default_css, _default_js

    routes: list[tuple[str, Path | None, str]] = []
    missing: list[str] = []
    leaflet_dir = Path(xleaflet.BASE_DIR)

    def xstatic(name):
        try:
            mod = __import__(f"xstatic.pkg.{name}", fromlist=["BASE_DIR"])
            return Path(mod.BASE_DIR), mod.VERSION
        except ImportError:
            return None, None

    jq, jqv = xstatic("jquery")
    bs, bsv = xstatic("bootstrap")
    fa, fav = xstatic("font_awesome")
    for _name, url in list(_default_js) + list(_default_css):
        if "/npm/leaflet@" in url:
            prefix = url.rsplit("/", 1)[0] + "/"
            routes.append((prefix, leaflet_dir, f"xstatic-leaflet {xleaflet.VERSION}"))
        elif "jquery" in url and "code.jquery.com" in url:
            routes.append((url, jq / "jquery.min.js" if jq else None,
                           f"xstatic-jquery {jqv}" if jq else "empty stub"))
            if not jq:
                missing.append("jQuery (pip install xstatic-jquery)")
        elif "/npm/bootstrap@" in url:
            prefix = url.split("/dist/")[0] + "/dist/"
            routes.append((prefix, bs, f"xstatic-bootstrap {bsv} (folium links 5.2.2)" if bs else "empty stub"))
            if not bs:
                missing.append("Bootstrap (pip install xstatic-bootstrap==4.5.3.1: the 5.3.8.0 sdist does not build)")
        elif "fontawesome" in url:
            prefix = url.split("/css/")[0] + "/"
            routes.append((prefix, fa, f"xstatic-font-awesome {fav} (folium links 6.2.0)" if fa else "empty stub"))
            if not fa:
                missing.append("Font Awesome (pip install xstatic-font-awesome)")
        else:
            routes.append((url, None, "empty stub"))
            missing.append(url.rsplit("/", 1)[-1] + " (no xstatic package)")
    # dedupe prefixes, keep order
    seen, out = set(), []
    for r in routes:
        if r[0] not in seen:
            seen.add(r[0])
            out.append(r)
    return out, sorted(set(missing))


def _median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# Runs in every page before its scripts: resolves window.__drawn with the time (ms since
# navigation start) of the first frame painted after "load" once EXPECTED paths/markers are in
# the DOM (and, on our pages, once the drawing code has set window.GEO).
_INIT_JS = """
(function () {
  var expected = %(expected)d, needGeo = %(need_geo)s;
  function count() {
    return document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-marker-pane img.leaflet-marker-icon').length;
  }
  function afterPaint(cb) {
    requestAnimationFrame(function () {
      var c = new MessageChannel(); c.port1.onmessage = cb; c.port2.postMessage(0);
    });
  }
  window.__drawn = new Promise(function (resolve) {
    function check() {
      if ((!needGeo || window.GEO) && count() >= expected) {
        afterPaint(function () { resolve({ms: performance.now(), n: count()}); });
      } else {
        requestAnimationFrame(check);
      }
    }
    window.addEventListener("load", check);
  });
})();
"""

# Switch one overlay off, wait until it is off and a frame is painted, then on again. Our pages:
# the checkbox of the role; plain folium pages: the checkbox whose label starts with `text`.
_TOGGLE_JS = """
async function (arg) {
  function frame() {
    return new Promise(function (r) {
      requestAnimationFrame(function () {
        var c = new MessageChannel(); c.port1.onmessage = function () { r(); }; c.port2.postMessage(0);
      });
    });
  }
  function count() {
    return document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-marker-pane img.leaflet-marker-icon').length;
  }
  var input;
  if (arg.role) {
    input = document.querySelector('.geo-ov[data-role="' + arg.role + '"]').closest('label').querySelector('input');
  } else {
    var labels = Array.prototype.slice.call(document.querySelectorAll('.leaflet-control-layers-overlays label'));
    input = labels.filter(function (l) { return l.textContent.trim().indexOf(arg.text) === 0; })[0]
      .querySelector('input');
  }
  var group = arg.role && window.GEO ? window.GEO.overlays[arg.role] : null;
  function on() { return group ? window.GEO.map.hasLayer(group) : input.checked; }
  await frame();
  var n0 = count(), t0 = performance.now();
  input.click();
  while (on()) await frame();
  await frame();
  var off = performance.now() - t0, n1 = count();
  await frame();
  t0 = performance.now();
  input.click();
  while (!on()) await frame();
  await frame();
  var back = performance.now() - t0;
  return {off: off, on: back, n0: n0, n1: n1, n2: count()};
}
"""


@dataclass
class LoadResult:
    ms: float | None  # median load-to-drawn
    runs: list[float] = field(default_factory=list)
    toggle_ms: float | None = None  # median off+on
    toggle_off_ms: float | None = None
    toggle_on_ms: float | None = None
    toggle_runs: list[float] = field(default_factory=list)
    aborted: int = 0  # tile (and other non-local) requests aborted, per load
    served: int = 0  # CDN requests served from local copies, per load
    drawn: int = 0  # paths + markers in the DOM when drawn
    error: str = ""


class Browser:
    """Headless Chromium through Playwright, with the CDN routes and tile blocking."""

    def __init__(self, executable: str = CHROMIUM):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS + [NO_NETWORK],
                                                headless=True)
        self.version = self.browser.version
        self.routes, self.missing = cdn_routes()
        self._bodies: dict[str, bytes] = {}

    def close(self):
        try:
            self.browser.close()
        finally:
            self._pw.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _local(self, url: str) -> bytes | None | bool:
        """The bytes for a CDN url, b"" for a stub, False when it is not a CDN url."""
        url = url.split("?")[0].split("#")[0]
        for prefix, local, _how in self.routes:
            if url == prefix or (prefix.endswith("/") and url.startswith(prefix)):
                if local is None:
                    return b""
                path = local if local.is_file() else local / url[len(prefix):]
                if url not in self._bodies:
                    self._bodies[url] = path.read_bytes() if path.is_file() else b""
                return self._bodies[url]
        return False

    def _page(self, counts: dict):
        """A fresh context and page: CDN urls answered from local copies, everything else fails."""
        ctx = self.browser.new_context(viewport={"width": 1280, "height": 860})

        def handle(route):
            url = route.request.url
            body = self._local(url)
            counts["served"] += 1
            ext = os.path.splitext(url.split("?")[0])[1]
            route.fulfill(status=200, body=body or b"", content_type=_TYPES.get(ext, "application/octet-stream"),
                          headers={"access-control-allow-origin": "*"})

        for prefix, _local, _how in self.routes:
            ctx.route(prefix + "**" if prefix.endswith("/") else prefix, handle)
        page = ctx.new_page()
        page.on("requestfailed", lambda req: counts.__setitem__("aborted", counts["aborted"] + 1))
        return ctx, page

    def load_once(self, path: Path | str, facts: dict, res: LoadResult, toggle: dict | None = None,
                  toggle_runs: int = 5, timeout_s: float = 180) -> None:
        """One fresh load (and, with ``toggle``, the toggle runs on it), added to ``res``."""
        if res.error:
            return
        init = _INIT_JS % {"expected": facts["expected"], "need_geo": "true" if facts.get("ours") else "false"}
        counts = {"aborted": 0, "served": 0}
        ctx, page = self._page(counts)
        try:
            page.add_init_script(init)
            page.set_default_timeout(timeout_s * 1000)
            page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
            drawn = page.evaluate("window.__drawn")
            res.runs.append(drawn["ms"])
            res.drawn = drawn["n"]
            if toggle:
                offs, ons = [], []
                for _ in range(toggle_runs):
                    t = page.evaluate(_TOGGLE_JS, toggle)
                    offs.append(t["off"])
                    ons.append(t["on"])
                    res.toggle_runs.append(t["off"] + t["on"])
                res.toggle_off_ms, res.toggle_on_ms = _median(offs), _median(ons)
                res.toggle_ms = _median(res.toggle_runs)
            res.aborted, res.served = counts["aborted"], counts["served"]
        except Exception as exc:  # noqa: BLE001 - a page that does not load is a result too
            res.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        finally:
            ctx.close()
        res.ms = _median(res.runs)

    def measure(self, path: Path | str, facts: dict, runs: int = 5, toggle: dict | None = None,
                toggle_runs: int = 5) -> LoadResult:
        """Median load-to-drawn of ``runs`` fresh loads; the toggle times on the last one."""
        res = LoadResult(None)
        for i in range(runs):
            self.load_once(path, facts, res, toggle if i == runs - 1 else None, toggle_runs)
        return res

    def measure_pair(self, a: tuple, b: tuple, runs: int = 5) -> tuple[LoadResult, LoadResult]:
        """Two pages loaded in turns (a, b, a, b, ...) so that a busy machine slows both alike.

        ``a`` and ``b`` are ``(path, facts, toggle)``; the toggles run on each page's last load.
        """
        ra, rb = LoadResult(None), LoadResult(None)
        for i in range(runs):
            last = i == runs - 1
            self.load_once(a[0], a[1], ra, a[2] if last else None)
            self.load_once(b[0], b[1], rb, b[2] if last else None)
        return ra, rb


# ---------------------------------------------------------------------------------------------
# where a build's time goes

def build_phases(layers_dir: Path | str, out_dir: Path | str) -> dict:
    """One in-process build, timed by phase (imports excluded): what the CLI process spends,
    in the same steps as :func:`geo.build.build_maps`."""
    from .build import _validate
    from .layerio import atomic_write
    from .maps import index_html, page_specs
    from .plan import load_plan
    from .render import encode_pages, render_page
    from .simplify import coarsen, simplify_plan

    out_dir = Path(out_dir)
    t = {}

    def step(name, fn):
        t0 = time.perf_counter()
        value = fn()
        t[name] = time.perf_counter() - t0
        return value

    step("validate", lambda: _validate(layers_dir))
    plan = step("load_plan", lambda: load_plan(layers_dir))
    geoms = step("simplify_plan", lambda: simplify_plan(plan))
    coarse = step("coarsen", lambda: coarsen(plan, geoms))
    encoded = step("encode", lambda: encode_pages(plan, geoms, coarse))
    pages = page_specs(plan)

    def write_all():
        for page in pages:
            atomic_write(out_dir / page.file, render_page(plan, page, geoms, encoded=encoded))
        atomic_write(out_dir / "index.html", index_html(pages, {}))

    step("render_pages", write_all)
    t["pages"] = len(pages)
    return t


def import_seconds(module: str = "geo.build") -> float:
    """Wall time of a Python process that only imports ``module``."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO_ROOT, env=_env(), check=True)
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# the whole run

FULL_SCALE = (("points", 1_000), ("points", 10_000), ("points", 100_000), ("polygons", 1_000), ("polygons", 10_000))
QUICK_SCALE = (("points", 1_000), ("polygons", 500))


def _plain_toggle_text(layers_dir, role_id: str) -> str:
    from .registry import load_registry

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


def run_bench(layers_dir: Path | str = "layers", *, quick: bool = False, browser: bool = True,
              workdir: Path | str | None = None, scale=None, echo=print) -> dict:
    """Run everything and return the numbers (``format_report`` turns them into Markdown)."""
    layers_dir = Path(layers_dir).resolve()
    own_tmp = workdir is None
    work = Path(tempfile.mkdtemp(prefix="geo-bench-")) if own_tmp else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    runs = 3 if quick else 5
    build_runs = 1 if quick else 3
    scale = tuple(scale) if scale is not None else (QUICK_SCALE if quick else FULL_SCALE)
    res: dict = {"quick": quick, "machine": machine_info(), "runs": runs, "build_runs": build_runs,
                 "loadavg_start": _loadavg(), "scale": [], "browser": None}
    t_start = time.perf_counter()
    try:
        echo("machine: " + ", ".join(f"{k} {v}" for k, v in res["machine"].items())
             + f"; load average {res['loadavg_start']}")
        echo("simplification" + ("" if quick else " (with the GEOS Hausdorff reference: about a minute)") + " ...")
        res["simplify"] = simplification_numbers(layers_dir, reference=not quick)

        echo(f"building the overview {build_runs} time(s) each: ours (all maps, the CLI) and plain folium ...")
        ours_runs, plain_runs = [], []
        for _ in range(build_runs):  # in turns, like the loads
            ours_runs.append(build_ours(layers_dir, work / "ours"))
            plain_runs.append(build_plain(layers_dir, work / "plain"))
        ours, plain = ours_runs[-1], plain_runs[-1]
        ours.runs = [b.seconds for b in ours_runs]
        plain.runs = [b.seconds for b in plain_runs]
        ours.seconds, plain.seconds = statistics.median(ours.runs), statistics.median(plain.runs)
        res["ours"] = {"build": ours, "facts": page_facts(ours.page)}
        res["plain"] = {"build": plain, "facts": page_facts(plain.page)}
        res["phases"] = build_phases(layers_dir, work / "phases")
        res["imports"] = {"geo.build": import_seconds("geo.build"),
                          "plain": import_seconds("folium, geo.plan, shapely.geometry")}

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
                echo(f"loading the two overviews in turns in Chromium ({runs} loads each) ...")
                res["ours"]["load"], res["plain"]["load"] = br.measure_pair(
                    (ours.page, res["ours"]["facts"], {"role": role}),
                    (plain.page, res["plain"]["facts"], {"text": _plain_toggle_text(layers_dir, role)}), runs)
                res["toggle_role"] = role
            for kind, n in scale:
                echo(f"scale: {n:,} synthetic {kind} ...")
                syn = write_synthetic_layers(layers_dir, work / f"layers-{kind}-{n}", kind, n)
                row = {"kind": kind, "n": n}
                try:
                    b = build_ours(syn, work / f"maps-{kind}-{n}")
                except RuntimeError as exc:
                    row["error"] = str(exc)
                    res["scale"].append(row)
                    continue
                row["build"] = b
                row["facts"] = page_facts(b.page)
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
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    res["loadavg_end"] = _loadavg()
    res["seconds"] = time.perf_counter() - t_start
    return res


# ---------------------------------------------------------------------------------------------
# the report

def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MiB"


def _s(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f} s"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "MISSED")


def targets(res: dict) -> list[tuple[str, str, bool | None]]:
    """The done-when targets: (what, measured, met)."""
    o, p, s = res["ours"], res["plain"], res["simplify"]
    out = []
    ratio = o["build"].size / p["build"].size
    out.append(("(a) self-contained overview ≤ 1/4 of the plain page's size",
                f"{_kib(o['build'].size)} / {_kib(p['build'].size)} = {ratio:.3f}", ratio <= 0.25))
    out.append(("(b) max boundary displacement ≤ 50 m", f"{s['max_displacement_m']:.1f} m",
                s["max_displacement_m"] <= 50))
    r = o["build"].seconds / p["build"].seconds
    out.append(("(c) building ALL maps no slower than plain folium's one overview",
                f"{o['build'].seconds:.2f} s vs {p['build'].seconds:.2f} s = {r:.2f}", r <= 1))
    ol, pl = o.get("load"), p.get("load")
    if ol and pl and ol.ms and pl.ms:
        r = ol.ms / pl.ms
        out.append(("(d) overview drawn in ≤ half the plain-folium time",
                    f"{_s(ol.ms)} vs {_s(pl.ms)} = {r:.2f}", r <= 0.5))
    else:
        out.append(("(d) overview drawn in ≤ half the plain-folium time", "not measured", None))
    ten = next((r for r in res.get("scale", []) if r["kind"] == "points" and r["n"] == 10_000), None)
    if ten and "build" in ten:
        out.append(("(e) 10k sites: build (all maps) < 10 s", f"{ten['build'].seconds:.2f} s",
                    ten["build"].seconds < 10))
        ld = ten.get("load")
        if ld and ld.ms is not None:
            out.append(("(e) 10k sites: load-to-drawn < 1 s", _s(ld.ms), ld.ms < 1000))
            worst = None if ld.toggle_off_ms is None else max(ld.toggle_off_ms, ld.toggle_on_ms)
            out.append(("(e) 10k sites: toggle a role off, and on, < 1 s each",
                        f"off {_s(ld.toggle_off_ms)}, on {_s(ld.toggle_on_ms)}",
                        None if worst is None else worst < 1000))
    else:
        out.append(("(e) 10k sites", "not in this run (--quick)", None))
    return out


def format_report(res: dict, command: str = "python -m geo bench") -> str:
    from .simplify import COARSE_TOLERANCE_M, LOD_ZOOM

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
    add(f"- below zoom {LOD_ZOOM} pages draw a coarse form of each polygon: a subset of its page vertices, "
        f"simplified again as a coverage to {COARSE_TOLERANCE_M:g} m (`geo.simplify.COARSE_TOLERANCE_M`, one "
        f"pixel at zoom {LOD_ZOOM - 1}); the page lists which vertices, so each geometry is still in it once")
    add(f"- maximum boundary displacement (Hausdorff distance, equal-area metres): **{s['max_displacement_m']:.1f} m** "
        f"(feature {s['worst_feature']}; the limit is 50 m)")
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
        f"{o['build'].note}; plain is the script at the end of this file, writing the one overview. "
        "Load-to-drawn: navigation start to the first frame painted after `load` with every vector path "
        f"in the DOM (and the page's drawing code done), median of {res['runs']} fresh loads, the two pages "
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
    runs_line = (f"Builds (s): ours {', '.join(f'{x:.2f}' for x in o['build'].runs)}; "
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
    ph = res.get("phases")
    if ph:
        imp = res.get("imports", {})
        add("Where our build's time goes (one in-process build; the process adds Python's start and imports: "
            f"{imp.get('geo.build', 0):.2f} s for `import geo.build`, against {imp.get('plain', 0):.2f} s for "
            "the plain script's imports):")
        add("")
        add(f"- validate the layers: {ph['validate']:.2f} s (parses every layer file; `load_plan` reuses the parse)")
        add(f"- `load_plan`: {ph['load_plan']:.2f} s; `simplify_plan`: {ph['simplify_plan']:.2f} s; "
            f"`coarsen` (the forms drawn below zoom {LOD_ZOOM}): {ph['coarsen']:.2f} s; "
            f"encode every geometry once: {ph['encode']:.2f} s")
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
        f"the role with the most shapes, off and on. Usable: load-to-drawn ≤ {LOAD_LIMIT_S:g} s and each toggle "
        f"≤ {TOGGLE_LIMIT_S:g} s. Rendering: SVG, one Leaflet layer per shape, below 3,000 role shapes; above, "
        "canvas, with each role's points drawn by one `PointCloud` layer (geo/static/geomap.js).")
    add("")
    add("| synthetic | build (all maps) | overview size | rendering | load-to-drawn | toggle off / on | usable |")
    add("|---|---:|---:|---|---:|---:|---|")
    for row in res.get("scale", []):
        what = f"{row['n']:,} {row['kind']}"
        if "error" in row:
            add(f"| {what} | failed: {row['error'][:160]} | | | | | no |")
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
    rows = [r for r in res.get("scale", []) if usable(r) is not None]
    if rows:
        bad = [r for r in rows if not usable(r)]
        if bad:
            add("Not usable: " + "; ".join(f"{r['n']:,} {r['kind']}" for r in bad) + ".")
        else:
            add(f"Every measured size stayed usable (largest: {max(r['n'] for r in rows):,} "
                f"{max(rows, key=lambda r: r['n'])['kind']}).")
        add("")
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
