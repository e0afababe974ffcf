"""Loading pages in headless Chromium: load-to-drawn and toggle times, on equal terms."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .common import CHROMIUM, CHROMIUM_ARGS, NO_NETWORK

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
# the DOM (and, on our pages, once the drawing code has set window.GEO). Checked on "load",
# then at the start of each frame: found there, that frame is the one; found on "load", the next.
_INIT_JS = """
(function () {
  var expected = %(expected)d, needGeo = %(need_geo)s;
  function count() {
    return document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-marker-pane img.leaflet-marker-icon').length;
  }
  function afterThisPaint(cb) {  // a task posted now runs once the frame under way is painted
    var c = new MessageChannel(); c.port1.onmessage = cb; c.port2.postMessage(0);
  }
  window.__drawn = new Promise(function (resolve) {
    function check(inFrame) {
      if ((!needGeo || window.GEO) && count() >= expected) {
        var done = function () {
          var marks = {};
          performance.getEntriesByType("mark").forEach(function (m) { marks[m.name] = m.startTime; });
          resolve({ms: performance.now(), n: count(), marks: marks});
        };
        if (inFrame === true) afterThisPaint(done);
        else requestAnimationFrame(function () { afterThisPaint(done); });
      } else {
        requestAnimationFrame(function () { check(true); });
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
    marks: list = field(default_factory=list)  # the page's performance marks (ms), one dict per load
    error: str = ""

    def mark(self, name: str) -> float | None:
        """The median time (ms since navigation start) of the page's mark ``name``."""
        return _median([m.get(name) for m in self.marks])

    def between(self, a: str, b: str) -> float | None:
        """The median time from mark ``a`` to mark ``b`` (ms)."""
        return _median([m[b] - m[a] for m in self.marks if a in m and b in m])


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
            res.marks.append(drawn.get("marks") or {})
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
