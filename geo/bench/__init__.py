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

from .browser import Browser, cdn_routes
from .builds import PLAIN_SCRIPT, build_ours, build_phases, build_plain, page_facts
from .common import BOX, LOAD_LIMIT_S, REPO_ROOT, SIX_ROLES, TOGGLE_LIMIT_S
from .geometry import displacement_m, simplification_numbers, synthetic_features, write_synthetic_layers
from .machine import machine_info
from .report import format_report, targets
from .run import run_bench, usable

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
