"""One page: a folium map whose content is drawn by the in-page code (``geo/static/js``) from embedded JSON.

folium gives the page skeleton and the Leaflet map; :class:`LayoutLayers` (shaped like a
folium plugin: docstring, template, data) embeds the page's data once, as JSON in a
``<script type="application/json">`` with every ``<``, ``>`` and ``&`` escaped, and calls the
drawing code. Every text from the layers reaches the page through JSON and ``textContent``.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .assets import page_assets
from .encode import encode_geometry
from .i18n import strings
from .plan import Plan
from .simplify import COARSE_TOLERANCE_M, LOD_ZOOM, MAX_ZOOM, TOLERANCE_M

__all__ = ["PageSpec", "encode_pages", "json_for_html", "page_data", "render_page"]


@dataclass(frozen=True)
class PageSpec:
    """What one map shows: its file, title, the roles that are its overlays."""

    file: str
    title: str
    subtitle: str
    roles: tuple[str, ...]
    note: str = ""
    context_layers: tuple[str, ...] = ()  # empty: every context layer
    extra: dict = field(default_factory=dict)


def json_for_html(obj) -> str:
    """JSON text safe inside an HTML <script> element: no <, > or & left to close it."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _num(v):
    try:
        return float(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def page_data(plan: Plan, page: PageSpec, geoms: dict, *, canvas_from: int = 3000,
              encoded: dict | None = None) -> dict:
    """The JSON a page embeds: roles, parts, sources, basemaps and each feature once."""
    reg = plan.registry
    roles = [reg.role(r) for r in page.roles]
    context_ids = set(page.context_layers) if page.context_layers else \
        {spec.id for spec in plan.catalogue.layers if spec.context}
    feats, used_sources, bounds = [], set(), None
    for f in plan.features:
        on_page = f.layer.id in context_ids or any(f.has_role(r) for r in page.roles)
        if not on_page:
            continue
        g = geoms[f.id]
        p = f.props
        rec = {
            "id": f.id, "layer": f.layer.id, "name_en": str(p.get("name_en", "")),
            "name_zh": str(p.get("name_zh", "")), "kind": str(p.get("kind", "")),
            "basis": f.basis, "description": str(p.get("description", "")),
            "roles": [{"role": str(r.get("role")), "part": str(r.get("part")), "source": str(r.get("source"))}
                      for r in f.roles if r.get("role") in page.roles],
            "context": f.layer.id in context_ids,
            "label": [round(f.anchor.y, 5), round(f.anchor.x, 5)],
            "g": encoded[f.id] if encoded and f.id in encoded else encode_geometry(g),
        }
        if f.geometry.geom_type.endswith("Polygon"):
            rec["area_km2"] = round(f.area_km2, 1)
        for k in ("area_published_km2", "position_error_m", "schematic_area_km2"):
            if _num(p.get(k)) is not None:
                rec[k] = _num(p.get(k))
        for k in ("area_source", "geometry_source", "position_source"):
            if p.get(k):
                rec[k] = str(p[k])
        if f.layer.labels:
            # an outline whose parts are labelled from some zoom on gives way to them there
            inner = [g.layer.label_min_zoom for g in plan.features
                     if g.layer.labels and g.layer.id != f.layer.id and g.layer.id in context_ids
                     and g.layer.label_min_zoom > f.layer.label_min_zoom
                     and f.geometry.contains(g.anchor)]
            if inner:
                rec["label_max_zoom"] = min(inner) - 1
        used_sources.update(r["source"] for r in rec["roles"])
        feats.append(rec)
        if rec["roles"]:
            b = g.bounds
            bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]),
                                               max(bounds[2], b[2]), max(bounds[3], b[3]))
    if bounds is None:  # a page with no role features: fit its context
        import shapely

        bounds = shapely.union_all([geoms[f["id"]] for f in feats]).bounds if feats else (124, 43, 127, 45)
    _mark_containers(plan, feats, context_ids)
    sources = {k: {"title": s.title, "quote": s.quote, "reference": s.reference}
               for k, s in reg.sources.items() if k in used_sources}
    n_shapes = sum(1 for f in feats for _ in f["roles"])
    return {
        "title": page.title, "subtitle": page.subtitle, "note": page.note,
        "index_href": "index.html",
        "page_roles": list(page.roles),
        "roles": [{"id": r.id, "name_en": r.name_en, "name_zh": r.name_zh, "colour": r.colour,
                   "description": r.description, "source": r.source} for r in roles],
        "parts": {k: {"en": v.en, "zh": v.zh, "weight": v.weight} for k, v in reg.parts.items()},
        "sources": sources,
        "layers": [{"id": s.id, "title_en": s.title_en, "title_zh": s.title_zh, "style": s.style,
                    "context": s.id in context_ids, "labels": s.labels, "label_min_zoom": s.label_min_zoom}
                   for s in plan.catalogue.layers],
        "basemaps": [{"id": b.id, "name": b.name, "url": b.url, "attribution": b.attribution,
                      "datum": b.datum, "max_zoom": b.max_zoom} for b in plan.catalogue.basemaps],
        "features": feats,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "max_zoom": MAX_ZOOM,
        "lod_zoom": LOD_ZOOM,
        "canvas": n_shapes >= canvas_from,
        "boundary": {"tolerance_m": f"{TOLERANCE_M:g}", "max_zoom": MAX_ZOOM, "lod_zoom": LOD_ZOOM,
                     "coarse_m": f"{COARSE_TOLERANCE_M:g}"},
        "strings": strings(),
    }


# branca renders every element as a Jinja template; data and third-party code must not pass
# through that, so they go in after rendering, in place of these two placeholders.
_ASSETS_SLOT = "<!-- geo:assets -->"
_DATA_SLOT = "<!-- geo:data -->"


def _mark_containers(plan: Plan, feats: list[dict], context_ids: set) -> None:
    """Flag role features that lie over labelled districts (Changchun's outline over its 11
    units), and tell each feature on the page which of them it lies within.

    A container is drawn but not hoverable, so the districts under it stay reachable; their
    tooltips and popups name the container and its roles instead.
    """
    by_id = plan.by_id
    labelled = [by_id[f["id"]] for f in feats if f["context"] and by_id[f["id"]].layer.labels]
    containers = []
    for rec in feats:
        f = by_id[rec["id"]]
        if rec["roles"] and f.geometry.geom_type.endswith("Polygon"):
            inside = [g for g in labelled if g is not f and g.layer.id != f.layer.id
                      and f.geometry.contains(g.anchor)]
            if len(inside) >= 2:
                rec["container"] = True
                containers.append((rec, f))
    for rec in feats:
        f = by_id[rec["id"]]
        within = [c["id"] for c, g in containers if c is not rec and g.geometry.contains(f.anchor)]
        if within:
            rec["within"] = within


class LayoutLayers(MacroElement):
    """Draw a layout page's layers, overlays, legend and labels from embedded JSON.

    The data goes in once, as JSON inside ``<script type="application/json">``; the drawing
    code is ``geo/static/js/*.js`` (joined and inlined with the other assets).
    """

    _template = Template("""
        {% macro html(this, kwargs) %}""" + _DATA_SLOT + """{% endmacro %}
        {% macro script(this, kwargs) %}
        GeoMap.render({{ this._parent.get_name() }},
                      JSON.parse(document.getElementById("geo-data").textContent));
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "LayoutLayers"


def _assets_html(cdn: bool) -> str:
    parts = []
    for kind, name, content, inline in page_assets(cdn):
        if kind == "css":
            parts.append(f'<style data-asset="{name}">\n{content}\n</style>' if inline
                         else f'<link rel="stylesheet" href="{html.escape(content)}"/>')
        else:
            parts.append(f'<script data-asset="{name}">\n{content}\n</script>' if inline
                         else f'<script src="{html.escape(content)}"></script>')
    return "\n".join(parts)


class _OfflineMap(folium.Map):
    """folium's Map without its CDN-linked jQuery, Bootstrap and fonts: we bring Leaflet."""

    default_js: list = []
    default_css: list = []


def encode_pages(plan: Plan, geoms: dict, coarse: dict | None = None) -> dict:
    """Every feature's page geometry, encoded once for all pages (with its coarse form's
    vertex indexes where ``coarse`` has one)."""
    coarse = coarse or {}
    return {f.id: encode_geometry(geoms[f.id], coarse.get(f.id)) for f in plan.features}


def render_page(plan: Plan, page: PageSpec, geoms: dict, *, cdn: bool = False,
                encoded: dict | None = None) -> str:
    """The complete HTML of one page (``encoded``: from :func:`encode_pages`, shared by pages)."""
    data = page_data(plan, page, geoms, encoded=encoded)
    m = _OfflineMap(location=None, tiles=None, zoom_start=8, max_zoom=MAX_ZOOM, min_zoom=5,
                    control_scale=False, prefer_canvas=False)
    m._id = hashlib.sha1(page.file.encode()).hexdigest()[:32]  # the same page, the same bytes
    root = m.get_root()
    root.title = html.escape(page.title)
    root.header.add_child(Element('<meta charset="utf-8"/>'), name="charset", index=0)
    root.header.add_child(Element(_ASSETS_SLOT), name="geo_assets")
    m.add_child(LayoutLayers())
    out = root.render().replace("<html>", '<html lang="en" data-lang="both">', 1)
    data_html = f'<script type="application/json" id="geo-data">{json_for_html(data)}</script>'
    out = out.replace(_ASSETS_SLOT, _assets_html(cdn), 1)
    return out.replace(_DATA_SLOT, data_html, 1)
