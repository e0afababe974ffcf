"""Helpers for the browser tests: expectations computed in Python from the plan, and a
``MapPage`` wrapper that opens one built page in headless Chromium with the network refused.

Every request that is not a ``file://`` URL inside the page's own folder is aborted; the
wrapper records console messages, page errors and refused requests so a test can assert the
page ran cleanly (:meth:`MapPage.assert_clean`).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
SCREENSHOTS = REPO / "test-output" / "screenshots"
# The README's pictures are refreshed only when asked: GEO_UPDATE_DOCS=1 python -m pytest
DOCS = REPO / "docs"
UPDATE_DOCS = os.environ.get("GEO_UPDATE_DOCS") == "1"
VIEWPORT = {"width": 1400, "height": 900}
#: A phone (the issue's 390×844), opened with touch and as a mobile browser.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LEAFLET_VERSION = "1.9.3"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-sandbox"]


def chromium_path() -> str | None:
    """The Chromium the tests drive: $CHROMIUM, else /usr/bin/chromium, else one on PATH."""
    for cand in (os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


# ---- what the pages should show, from the plan ------------------------------------------


@cache
def plan_and_pages(layers_dir: str = str(LAYERS)):
    from geo.maps import page_specs
    from geo.plan import load_plan

    plan = load_plan(layers_dir)
    return plan, page_specs(plan)


def map_page_files(layers_dir: str = str(LAYERS)) -> list[str]:
    return [p.file for p in plan_and_pages(layers_dir)[1]]


def spec_for(file: str, layers_dir: str = str(LAYERS)):
    return next(p for p in plan_and_pages(layers_dir)[1] if p.file == file)


def roles_now(spec, plan, at: str | None = None) -> dict[str, set[str]]:
    """Feature id -> the page's roles it carries on ``at`` (a YYYY-MM-DD key; None: today, the
    date every page opens on), for the features that hold then."""
    from geo.timeline import in_force, today

    at = at or today(plan)
    out = {}
    for f in plan.features:
        if not in_force(plan, f, None, at):
            continue
        rids = {r["role"] for r in f.roles if r["role"] in spec.roles and in_force(plan, f, r, at)}
        if rids:
            out[f.id] = rids
    return out


def expected_role_counts(spec, plan, at: str | None = None) -> dict[str, int]:
    """Role id -> how many features carry it on ``at``: each such feature is one shape in that overlay."""
    now = roles_now(spec, plan, at)
    return {rid: sum(1 for rids in now.values() if rid in rids) for rid in spec.roles}


def expected_shape_total(spec, plan, at: str | None = None) -> int:
    """Sum over features of how many of the page's roles the feature carries on ``at``."""
    return sum(len(rids) for rids in roles_now(spec, plan, at).values())


def page_date(data: dict) -> str | None:
    """The date a page opens on: the last step of a timeline page; None on other pages."""
    return data["timeline"][-1]["at"] if data.get("timeline") else None


def holds(f: dict, at: str | None) -> bool:
    """Whether a feature of the page data, or a role assignment, holds on ``at`` (from its
    ``since``, until its ``until``; None: everything holds)."""
    from geo.dates import holds as holds_on

    return at is None or holds_on(f.get("since"), f.get("until"), at)


def overlay_label(role) -> str:
    return f"{role.name_en} ({role.name_zh})"


REQUIRED_BASEMAPS = ("Plain", "OpenStreetMap", "CARTO light", "Esri imagery", "Gaode roads", "Gaode imagery")


# ---- the built page as text -------------------------------------------------------------

def page_data(html_path: Path) -> dict | None:
    """The data a map page embeds, decoded as the page decodes it (None for a page without it,
    such as the index): each feature's "g" has "c", its coordinates as [lat, lon], and "cc",
    its coarse form's (see geo.pagedata.read_page_data)."""
    from geo.pagedata import read_page_data

    return read_page_data(Path(html_path))


def tile_patterns(data: dict | None) -> list[re.Pattern]:
    """A regex for each of the page's tile URL templates ({s} {z} {x} {y} {r} filled)."""
    pats = []
    for b in (data or {}).get("basemaps", []):
        if not b.get("url"):
            continue
        rx = re.escape(b["url"])
        fill = (("s", r"[a-z0-9]+"), ("z", r"\d+"), ("x", r"\d+"), ("y", r"\d+"), ("r", r"(?:@2x)?"))
        for key, repl in fill:
            rx = rx.replace(re.escape("{" + key + "}"), repl)
        pats.append(re.compile(rx))
    return pats


class AssetRefs(HTMLParser):
    """Every URL the markup would load: <script src>, <link href>, <img src>, <iframe src>, ..."""

    LOADING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "embed": "src",
               "source": "src", "audio": "src", "video": "src", "object": "data", "input": "src"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        attr = self.LOADING.get(tag)
        if attr and attrs.get(attr) is not None:
            self.refs.append((tag, attrs[attr]))
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def is_remote(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http://", "https://", "//", "ftp://", "ws://", "wss://"))


def strings_in(obj, path=""):
    """(path, string) for every string in a JSON value."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_in(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from strings_in(v, f"{path}[{i}]")


# ---- JavaScript run in the page ---------------------------------------------------------

#: A viewport point where feature ``fi`` (index in the page data) is the topmost element:
#: its label anchor, else a grid over its bounds, else its vertices. Null when none is.
JS_HIT_POINT = """
(fi) => {
  const map = GEO.map, rect = map.getContainer().getBoundingClientRect();
  const data = GEO.page.data;
  const cls = "geo-f-" + fi, f = data.features[fi];
  const mine = (s) => (s.layer.options.className || "").split(/\\s+/).indexOf(cls) >= 0
    && map.hasLayer(s.layer);
  const shapes = GEO.drawn.filter(mine);
  const cands = [GEO.datum() === "gcj02" ? GEO.toGcj(f.label) : f.label];
  const flat = (c, out) => {
    if (c && typeof c.lat === "number") out.push(c); else (c || []).forEach((x) => flat(x, out));
    return out;
  };
  shapes.forEach((s) => {
    if (s.point) { cands.push(s.layer.getLatLng()); return; }
    const b = s.layer.getBounds(), n = 24;
    for (let i = 1; i < n; i++) for (let j = 1; j < n; j++)
      cands.push([b.getSouth() + (b.getNorth() - b.getSouth()) * i / n,
                  b.getWest() + (b.getEast() - b.getWest()) * j / n]);
    const v = flat(s.layer.getLatLngs(), []);
    for (let k = 0; k + 1 < v.length; k++)
      cands.push([(v[k].lat + v[k + 1].lat) / 2, (v[k].lng + v[k + 1].lng) / 2]);
  });
  // shapes on a canvas (the grey context boundaries) have no element of their own: a point is
  // theirs when the canvas is what the pointer meets there and, of the canvas's interactive
  // shapes containing the point, theirs is drawn last (Leaflet gives the pointer to that one)
  const topOf = (r, p) => {
    let top = null;
    for (let o = r._drawFirst; o; o = o.next) {
      if (o.layer.options.interactive && o.layer._containsPoint(p)) top = o.layer;
    }
    return top;
  };
  const onCanvas = (e, ll) => shapes.some((s) => s.layer._renderer instanceof L.Canvas
    && e === s.layer._renderer._container && topOf(s.layer._renderer, map.latLngToLayerPoint(ll)) === s.layer);
  for (const ll of cands) {
    const p = map.latLngToContainerPoint(ll);
    const x = rect.left + p.x, y = rect.top + p.y;
    if (x < rect.left + 2 || y < rect.top + 2 || x > rect.right - 2 || y > rect.bottom - 2) continue;
    const e = document.elementFromPoint(x, y);
    if (e && e.classList && e.classList.contains(cls)) return {x: x, y: y, cls: e.getAttribute("class")};
    if (e && onCanvas(e, ll)) return {x: x, y: y, cls: "canvas " + cls};
  }
  return null;
}
"""

#: What is on top at feature ``fi``'s label anchor: the viewport point and the index of the
#: feature whose shape is topmost there (-1 when it is not one of ours).
#: Role id -> number of SVG path elements of that overlay now in the document.
JS_ROLE_COUNTS = """
(roles) => {
  const out = {};
  roles.forEach((r) => {
    out[r] = Array.from(document.getElementsByClassName("geo-role-" + r))
      .filter((e) => e.tagName.toLowerCase() === "path").length;
  });
  out["*"] = document.querySelectorAll("path.geo-role").length;
  out["*any"] = document.querySelectorAll(".geo-role").length;
  return out;
}
"""

#: Every drawn shape: its feature, its rings as drawn now and as stored (WGS-84), and labels,
#: as JSON text (JSON numbers round-trip doubles exactly).
JS_DRAWN = """
() => {
  const data = GEO.page.data;
  const isPt = (x) => x != null && (typeof x.lat === "number" || typeof x[0] === "number");
  const pair = (x) => typeof x.lat === "number" ? [x.lat, x.lng] : [x[0], x[1]];
  const rings = (c, out) => {
    if (isPt(c[0])) out.push(c.map(pair)); else c.forEach((x) => rings(x, out));
    return out;
  };
  const shapes = GEO.drawn.map((s) => {
    const m = /(?:^|\\s)geo-f-(\\d+)(?:\\s|$)/.exec(s.layer.options.className || "");
    const fi = m ? +m[1] : -1, f = data.features[fi] || {};
    return {fi: fi, id: f.id, layer: f.layer, cls: s.layer.options.className || "", point: !!s.point,
            drawn: s.point ? [[pair(s.layer.getLatLng())]] : rings(s.layer.getLatLngs(), []),
            wgs: s.point ? [[pair(s.wgs)]] : rings(s.wgs, [])};
  });
  const labels = GEO.labels.map((l) => ({wgs: [l.wgs[0], l.wgs[1]], drawn: pair(l.marker.getLatLng())}));
  // one JSON string: Playwright's structured transfer of ~150,000 pairs takes many seconds
  return JSON.stringify({shapes: shapes, labels: labels, datum: GEO.datum(),
                         body: document.body.dataset.datum});
}
"""


# ---- one open page ----------------------------------------------------------------------


@dataclass
class MapPage:
    """A built page open in a fresh browser context, network refused, events recorded."""

    path: Path
    page: object
    context: object
    console: list = field(default_factory=list)  # (type, text, url)
    errors: list = field(default_factory=list)   # uncaught page errors
    refused: list = field(default_factory=list)  # URLs our route handler aborted
    failed: list = field(default_factory=list)   # (url, failure) from "requestfailed"
    dialogs: list = field(default_factory=list)  # (type, message)
    data: dict | None = None

    @classmethod
    def open(cls, browser, path: Path, *, viewport=None, suffix: str = "", **context_options) -> MapPage:
        """``suffix``: a query and/or hash to open the page with (``"?lang=zh#z=9"``);
        ``context_options``: more for Playwright's new_context (is_mobile, has_touch ...)."""
        path = Path(path).resolve()
        context = browser.new_context(viewport=viewport or VIEWPORT, device_scale_factor=1, **context_options)
        page = context.new_page()
        mp = cls(path, page, context, data=page_data(path))
        folder = path.parent.as_uri() + "/"

        def route(r):
            url = r.request.url
            try:
                if url.startswith(folder):
                    r.continue_()
                else:
                    mp.refused.append(url)
                    r.abort()
            except Exception:  # the page went away while the request was pending
                pass

        def on_dialog(d):
            mp.dialogs.append((d.type, d.message))
            try:
                d.dismiss()
            except Exception:
                pass

        page.route("**/*", route)
        page.on("console", lambda m: mp.console.append((m.type, m.text, (m.location or {}).get("url", ""))))
        page.on("pageerror", lambda e: mp.errors.append(str(e)))
        page.on("requestfailed", lambda r: mp.failed.append((r.url, r.failure)))
        page.on("dialog", on_dialog)
        page.set_default_timeout(10_000)
        page.goto(path.as_uri() + suffix, wait_until="load")
        if mp.data is not None:
            try:
                page.wait_for_function("() => window.GEO !== undefined && window.GEO.map", timeout=10_000)
                # the basemap is added a frame after the overlays are painted
                page.wait_for_function(
                    "() => document.querySelector('.leaflet-control-layers-base input:checked')", timeout=10_000)
            except Exception as exc:
                raise AssertionError(f"{path.name}: the map never drew (window.GEO missing); "
                                     f"page errors: {mp.errors}; console: {mp.console[:10]}") from exc
        return mp

    def close(self):
        try:
            self.page.unroute_all(behavior="ignoreErrors")
        except Exception:
            pass
        self.context.close()

    # -- checks --

    def assert_clean(self):
        """No page errors, no dialogs; the only console errors are Chromium's "Failed to load
        resource" lines for tile requests we refused; we refused nothing but tiles."""
        self.page.wait_for_timeout(50)  # let pending network/console events arrive
        name = self.path.name
        assert not self.errors, f"{name}: page errors: {self.errors}"
        pats = tile_patterns(self.data)

        def is_tile(url):
            return any(p.fullmatch(url) for p in pats)

        refused = set(self.refused)
        failed = {u for u, _ in self.failed}
        bad_requests = sorted(u for u in refused if not is_tile(u))
        assert not bad_requests, f"{name}: the page requested non-tile URLs: {bad_requests[:10]}"
        # A tile the page asked for and then cancelled (Leaflet drops pending tiles when the
        # view moves on) fails with net::ERR_ABORTED before our route sees it: not a fault.
        cancelled = {u for u, why in self.failed if is_tile(u) and why == "net::ERR_ABORTED"}
        unexplained = sorted((u, why) for u, why in self.failed if u not in refused and u not in cancelled)
        assert not unexplained, f"{name}: requests failed that were not refused: {unexplained[:10]}"
        bad = []
        for typ, text, url in self.console:
            if typ != "error":
                continue
            refused_tile = url in failed and url in refused and is_tile(url)
            if text.startswith("Failed to load resource") and refused_tile:
                continue
            bad.append((text, url))
        assert not bad, f"{name}: console errors: {bad[:10]}"

    # -- helpers --

    def evaluate(self, js, arg=None):
        return self.page.evaluate(js, arg)

    def role_counts(self, roles) -> dict:
        return self.evaluate(JS_ROLE_COUNTS, list(roles))

    def feature_index(self, feature_id: str) -> int:
        return next(i for i, f in enumerate(self.data["features"]) if f["id"] == feature_id)

    def hit_point(self, feature_id: str):
        return self.evaluate(JS_HIT_POINT, self.feature_index(feature_id))

    def overlay_checkbox(self, role_id: str):
        # a collapsed layer control (the timeline's) opens when the pointer is over it
        if self.page.locator(".leaflet-control-layers-toggle").is_visible():
            self.page.hover(".leaflet-control-layers")
        return self.page.locator(".leaflet-control-layers-overlays "
                                 f"label:has(span.geo-ov[data-role='{role_id}']) input[type=checkbox]")

    def base_radio(self, name_prefix: str):
        labels = self.page.locator(".leaflet-control-layers-base label")
        for i in range(labels.count()):
            lab = labels.nth(i)
            if lab.inner_text().strip().startswith(name_prefix):
                return lab.locator("input[type=radio]")
        raise AssertionError(f"{self.path.name}: no basemap {name_prefix!r} in the layer control")

    def screenshot(self, *targets: Path, full_page=True):
        shot = self.page.screenshot(full_page=full_page)
        for t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
            t.write_bytes(shot)
        return shot
