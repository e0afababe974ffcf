"""The maps in a notebook: :func:`folium_map` gives a page as a ``folium.Map`` to add layers to,
show and save; :func:`plan_frame` (from :mod:`geo.export.table`) the plan as a GeoDataFrame.

    import folium, geo
    m = geo.folium_map("six-cities")
    folium.Marker([43.88, 125.32], tooltip="Here").add_to(m)
    m.save("my-map.html")      # self-contained: opens with no network
    df = geo.plan_frame()       # one row per feature and role
"""

from __future__ import annotations

import base64
from pathlib import Path

from branca.element import MacroElement
from jinja2 import Template

from .export.choices import find_page
from .export.table import plan_frame
from .render import json_for_html

__all__ = ["folium_map", "plan_frame"]


def folium_map(page: str = "six-cities", layers_dir: Path | str = "layers", *, cdn: bool = False):
    """The map page ``page`` ("six-cities", "auto", ... or "six-cities.html") as a ``folium.Map``
    with the page's content: its overlays and layer control, legend, labels, tooltips and
    popups, with Leaflet and the drawing code inlined (``cdn=True`` links Leaflet instead).
    Layers added with folium appear on it; ``save()`` writes the whole page, and a notebook
    shows it. An unknown page raises ChoiceError naming the valid ones."""
    from .maps import page_specs
    from .plan import load_plan
    from .render import encode_pages, page_map
    from .simplify import coarsen, simplify_plan

    plan = load_plan(layers_dir)
    spec = find_page(page_specs(plan), page)
    geoms = simplify_plan(plan)
    encoded = encode_pages(plan, geoms, coarsen(plan, geoms))
    m = page_map(plan, spec, geoms, cdn=cdn, encoded=encoded)
    if not cdn:
        m.add_child(_MarkerIcons())
    return m


class _MarkerIcons(MacroElement):
    """Leaflet's default marker images as data: URIs, so folium markers a user adds show with no
    network (Leaflet looks for them next to its CSS file, which an inlined page does not have)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = "";
        L.Icon.Default.mergeOptions({{ this.urls }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MarkerIcons"
        self.urls = json_for_html({f"{k}Url": _data_uri(f) for k, f in (
            ("icon", "marker-icon.png"), ("iconRetina", "marker-icon-2x.png"), ("shadow", "marker-shadow.png"))})


def _data_uri(name: str) -> str:
    import xstatic.pkg.leaflet as xleaflet

    data = (Path(xleaflet.BASE_DIR) / "images" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
