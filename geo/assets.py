"""The JavaScript and CSS a page needs, taken from installed packages at build time.

Leaflet comes from the ``xstatic-leaflet`` package (its images become data: URIs), our own
code from ``geo/static``: the stylesheets of ``geo/static/css`` and the in-page modules of
``geo/static/js``, one concern each, joined in the order of :data:`CSS_MODULES` and
:data:`JS_MODULES`. By default everything is inlined so a page opens with no
network at all; ``cdn=True`` links Leaflet from a public CDN instead (a lighter page that
needs the network). No third-party file is kept in this repository.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

__all__ = ["CSS_MODULES", "JS_MODULES", "LEAFLET_VERSION", "Asset", "boot_js", "compact", "page_assets"]

LEAFLET_VERSION = xleaflet.VERSION
STATIC = Path(__file__).parent / "static"
CDN = "https://cdn.jsdelivr.net/npm/leaflet@{v}/dist/{name}"
#: The in-page modules (geo/static/js/<name>.js), in load order: each registers into the
#: ``GeoMap`` namespace that core.js makes, using only modules listed before it.
JS_MODULES = ("core", "i18n", "datum", "dates", "pointrows", "pagedata", "geometry", "rings", "patterns", "paths",
              "dots", "pointcloud", "content", "shapes", "labels", "overlays", "controls", "toolbar", "timeline",
              "focus", "search", "permalink", "language", "layout", "table", "print", "a11y", "page")
#: The page's stylesheets (geo/static/css/<name>.css), in cascade order: one per concern.
CSS_MODULES = ("base", "toolbar", "timeline", "search", "permalink", "layout", "table", "print", "a11y")


class Asset(tuple):
    """(kind, name, text-or-url): kind is "js" or "css"; inline when text, linked when url."""


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    # An inline <script> or <style> ends at the first "</script" or "</style": never let one appear.
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.I)


def compact(text: str, kind: str) -> str:
    """Our own module without its comments, blank lines and indentation (the page carries the
    code, not its documentation). From JavaScript only whole-line comments go, and nothing from a
    module whose code holds a template literal, so no string can be touched; lines stay lines."""
    if kind == "css":  # no space is needed next to { } ; , nor after a declaration's colon
        out = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        out = re.sub(r"\s*([{};,])\s*", r"\1", out)
        out = re.sub(r"([{;][\w-]+):\s+", r"\1:", out)
    else:
        # a comment that starts a line and ends one (no "*/" inside it: code after one stays)
        out = re.sub(r"^[ \t]*/\*(?:(?!\*/).)*\*/[ \t]*$", "", text, flags=re.S | re.M)
        out = re.sub(r"^[ \t]*//.*$", "", out, flags=re.M)
        if "`" in out:
            return text
    return "\n".join(line.strip() for line in out.splitlines() if line.strip()) + "\n"


@cache
def _leaflet_css() -> str:
    base = Path(xleaflet.BASE_DIR)
    css = _read(base / "leaflet.css")

    def data_uri(m: re.Match) -> str:
        img = base / m.group(1)
        return "url(data:image/png;base64," + base64.b64encode(img.read_bytes()).decode("ascii") + ")"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def page_assets(cdn: bool = False) -> list[tuple[str, str, str, bool]]:
    """``(kind, name, content, inline)`` for each asset, in load order."""
    base = Path(xleaflet.BASE_DIR)
    if cdn:
        out = [("css", "leaflet.css", CDN.format(v=LEAFLET_VERSION, name="leaflet.css"), False),
               ("js", "leaflet.js", CDN.format(v=LEAFLET_VERSION, name="leaflet.js"), False)]
    else:
        out = [("css", "leaflet.css", _script_safe(_leaflet_css()), True),
               ("js", "leaflet.js", _script_safe(_read(base / "leaflet.js")), True)]
    out += [("css", f"css/{name}.css", _script_safe(compact(_read(STATIC / "css" / f"{name}.css"), "css")), True)
            for name in CSS_MODULES]
    out += [("js", f"js/{name}.js", _script_safe(compact(_read(STATIC / "js" / f"{name}.js"), "js")), True)
            for name in JS_MODULES]
    return out


@cache
def boot_js() -> str:
    """The page's only plain script (``geo/static/boot.js``): it unpacks the assets and the data."""
    return _script_safe(_read(STATIC / "boot.js"))
