"""The maps in a notebook: :func:`folium_map` gives a page as a ``folium.Map`` to add layers to,
show and save; :func:`plan_frame` (from :mod:`geo.export.table`) the plan as a GeoDataFrame.

    import folium, geo
    m = geo.folium_map("six-cities")
    folium.Marker([43.88, 125.32], tooltip="Here").add_to(m)
    m.save("my-map.html")      # self-contained: opens with no network
    df = geo.plan_frame()       # one row per feature and role

The saved page is folium's: Leaflet in its head, folium's map and the layers added to it in
its script, which runs as the page loads. Our page's packed assets (our stylesheets and modules,
not Leaflet: folium's map needs it first) and data go in its body, and the boot code
(``geo/static/boot.js``) draws the page's content on folium's map once it has unpacked them.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from .assets import boot_js, page_assets
from .export.choices import find_page
from .export.table import plan_frame
from .pagedata import FORMAT, pack_assets
from .render import json_for_html
from .simplify import MAX_ZOOM

__all__ = ["folium_map", "plan_frame"]

# Where the untemplated text goes in folium's rendered page (see _PageRoot).
_HEAD_SLOT = "<!--geo-head-->"
_BODY_SLOT = "<!--geo-body-->"


def folium_map(page: str = "six-cities", layers_dir: Path | str = "layers", *, cdn: bool = False) -> folium.Map:
    """The map page ``page`` ("six-cities", "auto", ... or "six-cities.html") as a ``folium.Map``
    with the page's content: its overlays and layer control, legend, labels, tooltips and
    popups, with Leaflet and the drawing code inlined (``cdn=True`` links Leaflet instead).
    Layers added with folium appear on it; ``save()`` writes the whole page, and a notebook
    shows it. An unknown page raises ChoiceError naming the valid ones."""
    from .maps import page_specs
    from .plan import load_plan
    from .render import packed_data
    from .simplify import simplify_plan

    plan = load_plan(layers_dir)
    spec = find_page(page_specs(plan), page)
    data = packed_data(plan, spec, simplify_plan(plan))
    leaflet = [a for a in page_assets(cdn) if a[1].startswith("leaflet.")]
    ours = pack_assets([(k, n, c) for k, n, c, inline in page_assets(True) if inline])
    head = [f"<style>{c}</style>" if k == "css" else f"<script>{c}</script>" for k, _n, c, inline in leaflet if inline]
    head.append(f"<script>{boot_js()}</script>")
    body = (f'<script type="application/octet-stream" id="geo-assets" data-format="{FORMAT}">{ours}</script>\n'
            f'<script type="application/octet-stream" id="geo-data" data-format="{FORMAT}">{data}</script>')

    m = folium.Map(location=None, tiles=None, zoom_start=8, max_zoom=MAX_ZOOM, min_zoom=5,
                   control_scale=False, prefer_canvas=False)
    # none of folium's CDN files (jQuery, Bootstrap, fonts: its map needs none), only Leaflet
    m.default_js = [(n, c) for k, n, c, inline in leaflet if k == "js" and not inline]
    m.default_css = [(n, c) for k, n, c, inline in leaflet if k == "css" and not inline]
    root = _PageRoot(html.escape(spec.title), {_HEAD_SLOT: "\n".join(head), _BODY_SLOT: body})
    root.header.add_child(Element('<meta charset="utf-8"/>'), name="charset", index=0)
    root.header.add_child(Element(_HEAD_SLOT), name="geo_head")
    root.html.add_child(Element(_BODY_SLOT), name="geo_body")
    root.add_child(m)
    m.add_child(_Boot())
    return m


class _PageRoot(Figure):
    """The page's root: rendered by branca, then our text goes in its slots (untemplated: it is
    large, and Leaflet's code is no template)."""

    def __init__(self, title: str, slots: dict):
        super().__init__(title=title)
        self._slots = slots

    def render(self, **kwargs) -> str:
        out = super().render(**kwargs).replace("<html>", '<html lang="en" data-lang="both">', 1)
        for slot, text in self._slots.items():
            out = out.replace(slot, text, 1)
        return out


class _Boot(MacroElement):
    """Unpack the page and draw it on folium's map. The drawing waits for the unpacking, so it
    comes after every layer folium adds as the page loads; Leaflet's marker images go in as
    data: URIs first (Leaflet looks for them next to its CSS file, which this page has not)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = "";
        L.Icon.Default.mergeOptions({{ this.icons }});
        {{ this._parent.get_name() }}.createPane("geoAdded").style.zIndex = 450;
        {{ this._parent.get_name() }}.options.renderer = L.svg({pane: "geoAdded"});
        GeoBoot(null, {{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "GeoBoot"
        self.icons = _marker_icons()


def _marker_icons() -> str:
    """Leaflet's default marker images as data: URIs, JSON."""
    import xstatic.pkg.leaflet as xleaflet

    def uri(name: str) -> str:
        data = (Path(xleaflet.BASE_DIR) / "images" / name).read_bytes()
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    return json_for_html({f"{k}Url": uri(f) for k, f in (
        ("icon", "marker-icon.png"), ("iconRetina", "marker-icon-2x.png"), ("shadow", "marker-shadow.png"))})
