"""One page: a Leaflet map drawn by the in-page code (``geo/static/js``) from packed data.

A page is a small skeleton (the map's element and the boot code) with two inert payloads:
the assets (Leaflet from xstatic-leaflet, our stylesheets and modules) and the page's data
(its settings, features and their geometry as a topology, see :mod:`geo.pagedata`), each
deflated and in base64. Every text from the layers reaches the page through JSON and
``textContent``. (The skeleton was folium's; a page needs only Leaflet's map, and importing
folium, which imports pandas, took longer than the rest of a build.)
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field

import shapely

from .assets import boot_js, page_assets
from .i18n import strings
from .pagedata import FORMAT, deflate64, geometry_sections, pack_assets, pack_raw, varints, zigzag
from .plan import Plan
from .plan_info import plan_data, timeline_data
from .pointtable import PageRows, PointTable, optional_fields
from .simplify import COARSE_TOLERANCE_M, LOD_ZOOM, MAX_ZOOM, TOLERANCE_M
from .timeline import in_force, role_span, today
from .topology import QUANTUM, Topology, build_topology

__all__ = ["PageSpec", "encode_pages", "finish_page", "json_for_html", "packed_data", "page_data", "page_features",
           "page_html", "raw_data", "render_page"]


@dataclass(frozen=True)
class PageSpec:
    """What one map shows: its file, title, the roles that are its overlays.

    ``plan_id``: the layout system (registry plan) the page shows, "" for none. ``context_layers``:
    the boundary layers drawn in grey (empty: every context layer); ``context_around``: only their
    features that touch or lie within that feature. ``timeline``: the page carries every date
    and steps through them (geo/static/js/timeline.js); other pages show what holds today.
    """

    file: str
    title: str
    subtitle: str
    roles: tuple[str, ...]
    note: str = ""
    context_layers: tuple[str, ...] = ()  # empty: every context layer
    extra: dict = field(default_factory=dict)
    # the title, subtitle and note in Chinese ("": the English one shows in every language)
    title_zh: str = ""
    subtitle_zh: str = ""
    note_zh: str = ""
    plan_id: str = ""
    context_around: str = ""
    timeline: bool = False

    @property
    def title_both(self) -> str:
        """"English 中文": the page's title in both languages (the <title> and the index)."""
        return f"{self.title} {self.title_zh}".strip()


def json_for_html(obj) -> str:
    """JSON text safe inside an HTML <script> element: no <, > or & left to close it."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _context_layers(plan: Plan, page: PageSpec) -> set:
    """The page's context layer ids."""
    return set(page.context_layers) if page.context_layers else \
        {spec.id for spec in plan.catalogue.layers if spec.context}


def _context(plan: Plan, page: PageSpec) -> tuple[set, set | None]:
    """The page's context layer ids, and the ids of the context features near its
    ``context_around`` feature (None: all of them)."""
    ids = _context_layers(plan, page)
    if not page.context_around:
        return ids, None

    def near():  # every page around the same feature asks the same
        around = plan.by_id[page.context_around].geometry
        shapely.prepare(around)
        return {f.id for f in plan.features if f.layer.context and around.intersects(f.geometry)}

    return ids, {i for i in plan.remembered(("near", page.context_around), near) if plan.by_id[i].layer.id in ids}


def page_features(plan: Plan, page: PageSpec, features=None) -> list[tuple]:
    """``(feature, its role assignments on the page, whether it is context)`` for each feature
    the page shows (of ``features``, default every feature of the plan): on a plan's page, what
    holds today; on the timeline page, everything."""
    context_ids, near = _context(plan, page)
    at = None if page.timeline else today(plan)
    wanted = set(page.roles)
    out = []
    for f in plan.features if features is None else features:
        entries = [r for r in f.roles if r.get("role") in wanted and (at is None or in_force(plan, f, r, at))]
        context = f.layer.id in context_ids and (near is None or f.id in near)
        if (entries or context) and (at is None or in_force(plan, f, None, at)):
            out.append((f, entries, context))
    return out


def role_records(plan: Plan, f, entries: list) -> list[dict]:
    """A feature's role assignments as a page carries them: role, part, source, and the span
    the assignment holds (its plan's date, its own dates and its feature's; see
    :func:`geo.timeline.role_span`): ``since`` always, ``until`` when it ended."""
    out = []
    for r in entries:
        since, until = role_span(plan, f, r)
        rec = {"role": str(r.get("role")), "part": str(r.get("part")), "source": str(r.get("source")),
               "since": since}
        if until:
            rec["until"] = until
        out.append(rec)
    return out


def page_data(plan: Plan, page: PageSpec, geoms: dict, *, canvas_from: int = 3000,
              points: PointTable | None = None) -> tuple[dict, PageRows]:
    """The document a page embeds: roles, parts, sources, basemaps and each feature once (its
    geometry goes in binary sections, see :mod:`geo.pagedata`), and the page's rows of the
    point table (``points``, made once per build by :meth:`PointTable.of`). On a plan's page
    the features and roles that hold today; on the timeline page every one, each with its dates."""
    reg = plan.registry
    roles = [reg.role(r) for r in page.roles]
    context_ids, near = _context(plan, page)
    at = None if page.timeline else today(plan)
    points = points if points is not None else PointTable.of(plan, geoms)
    # Point features travel as table rows (a field added here goes there too, optional_fields)
    feats, used_sources, bounds = [], set(), None
    for f, entries, context in page_features(plan, page, points.others):
        g = geoms[f.id]
        p = f.props
        rec = {
            "id": f.id, "layer": f.layer.id, "name_en": str(p.get("name_en", "")),
            "name_zh": str(p.get("name_zh", "")), "kind": str(p.get("kind", "")),
            "basis": f.basis, "description": str(p.get("description", "")),
            "roles": role_records(plan, f, entries),
            "context": context,
            "label": [round(f.anchor.y, 5), round(f.anchor.x, 5)],
            "g": {"t": g.geom_type},
        }
        if f.geometry.geom_type.endswith("Polygon"):
            rec["area_km2"] = round(f.area_km2, 1)
        rec.update(optional_fields(p))
        if rec.get("dates_source"):
            used_sources.add(rec["dates_source"])
        used_sources.update(r["source"] for r in rec["roles"])
        feats.append(rec)
        if rec["roles"]:
            b = g.bounds
            bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]),
                                               max(bounds[2], b[2]), max(bounds[3], b[3]))
    _label_zooms(plan, feats)
    containers = _mark_containers(plan, feats, context_ids)
    rows = points.page(page.roles, context_ids, [(c["id"], geoms[c["id"]]) for c in containers], at=at, near=near)
    pb = rows.bounds()
    if pb is not None:
        bounds = pb if bounds is None else (min(bounds[0], pb[0]), min(bounds[1], pb[1]),
                                            max(bounds[2], pb[2]), max(bounds[3], pb[3]))
    if bounds is None:  # a page with no role features: fit its context
        bounds = shapely.union_all([geoms[f["id"]] for f in feats]).bounds if feats else (124, 43, 127, 45)
    used_sources |= rows.sources()
    extra = timeline_data(plan) if page.timeline else plan_data(plan, page.plan_id)
    used_sources.update(extra.pop("sources", ()))
    # a seed passage is cited by seed and paragraph (the page words it in each language), a fact by its cite
    sources = {k: {"title": s.title, "quote": s.quote, "kind": s.kind, **({"date": s.date} if s.date else {}),
                   **({"seed": s.seed, "para": s.para} if s.kind == "seed" else {"reference": s.reference})}
               for k, s in reg.sources.items() if k in used_sources}
    n_shapes = sum(1 for f in feats for _ in f["roles"]) + rows.shapes()
    return {
        "title": page.title, "subtitle": page.subtitle, "note": page.note,
        "title_zh": page.title_zh, "subtitle_zh": page.subtitle_zh, "note_zh": page.note_zh,
        "index_href": "index.html",
        "page_roles": list(page.roles),
        "roles": [{"id": r.id, "name_en": r.name_en, "name_zh": r.name_zh, "colour": r.colour,
                   "description": r.description, "description_zh": r.description_zh, "source": r.source,
                   "plan": r.plan} for r in roles],
        "parts": {k: {"en": v.en, "zh": v.zh, "weight": v.weight} for k, v in reg.parts.items()},
        "sources": sources,
        "layers": [{"id": s.id, "title_en": s.title_en, "title_zh": s.title_zh, "style": s.style,
                    "context": s.id in context_ids, "labels": s.labels, "label_min_zoom": s.label_min_zoom,
                    "place_table": s.place_table}
                   for s in plan.catalogue.layers],
        "basemaps": [{"id": b.id, "name": b.name, "name_zh": b.name_zh, "url": b.url, "attribution": b.attribution,
                      "datum": b.datum, "max_zoom": b.max_zoom} for b in plan.catalogue.basemaps],
        "features": feats,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "max_zoom": MAX_ZOOM,
        "lod_zoom": LOD_ZOOM,
        "canvas": n_shapes >= canvas_from,
        "boundary": {"tolerance_m": f"{TOLERANCE_M:g}", "max_zoom": MAX_ZOOM, "lod_zoom": LOD_ZOOM,
                     "coarse_m": f"{COARSE_TOLERANCE_M:g}"},
        "strings": strings(),
        **extra,
    }, rows


def _label_zooms(plan: Plan, feats: list[dict]) -> None:
    """An outline whose parts are labelled from some zoom on gives way to them there."""
    by_id = plan.by_id
    labelled = {rec["id"] for rec in feats if rec["context"] and by_id[rec["id"]].layer.labels}
    for rec in feats:
        if rec["id"] not in labelled:
            continue
        f = by_id[rec["id"]]
        inner = [by_id[g].layer.label_min_zoom for g in plan.anchored_in(f) & labelled
                 if by_id[g].layer.id != f.layer.id and by_id[g].layer.label_min_zoom > f.layer.label_min_zoom]
        if inner:
            rec["label_max_zoom"] = min(inner) - 1


def _mark_containers(plan: Plan, feats: list[dict], context_ids: set) -> list[dict]:
    """Flag role features that lie over labelled districts (Changchun's outline over its 11
    units), and tell each feature on the page which of them it lies within.

    A container is drawn but not hoverable, so the districts under it stay reachable; their
    tooltips and popups name the container and its roles instead.
    """
    by_id = plan.by_id
    labelled = {rec["id"] for rec in feats if rec["context"] and by_id[rec["id"]].layer.labels}
    containers = []
    for rec in feats:
        f = by_id[rec["id"]]
        if rec["roles"] and f.geometry.geom_type.endswith("Polygon"):
            inside = [g for g in plan.anchored_in(f) & labelled if by_id[g].layer.id != f.layer.id]
            if len(inside) >= 2:
                rec["container"] = True
                containers.append((rec, plan.anchored_in(f)))
    for rec in feats:
        within = [c["id"] for c, inside in containers if c is not rec and rec["id"] in inside]
        if within:
            rec["within"] = within
    return [c for c, _inside in containers]


def _assets(cdn: bool) -> tuple[str, str]:
    """The page's linked assets (``cdn``: Leaflet) as tags, and its inline ones (Leaflet, our
    stylesheets and modules) packed: ``(tags, packed text)``."""
    tags, inline = [], []
    for kind, name, content, is_inline in page_assets(cdn):
        if is_inline:
            inline.append((kind, name, content))
        elif kind == "css":
            tags.append(f'<link rel="stylesheet" href="{html.escape(content)}"/>')
        else:
            tags.append(f'<script src="{html.escape(content)}"></script>')
    return "\n".join(tags), pack_assets(inline)


_PACKED_ASSETS: dict[bool, tuple[str, str]] = {}


_ASSETS_LOCK = threading.Lock()


def _page_assets(cdn: bool) -> tuple[str, str]:
    with _ASSETS_LOCK:  # packed once per process, though pages are finished in several threads
        if cdn not in _PACKED_ASSETS:
            _PACKED_ASSETS[cdn] = _assets(cdn)
        return _PACKED_ASSETS[cdn]


_SKELETON = """<!DOCTYPE html>
<html lang="en" data-lang="both">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1.0"/>
<title>{title}</title>
<style>html, body {{ width: 100%; height: 100%; margin: 0; padding: 0; }}
#geo-map {{ position: absolute; top: 0; bottom: 0; left: 0; right: 0; }}</style>
{tags}
</head>
<body>
<div id="geo-map"></div>
<noscript>This map needs JavaScript.</noscript>
<script type="application/octet-stream" id="geo-assets" data-format="{fmt}">{assets}</script>
<script type="application/octet-stream" id="geo-data" data-format="{fmt}">{data}</script>
<script>
{boot}
GeoBoot({options});
</script>
</body>
</html>
"""


@dataclass
class Encoded:
    """What every page of a build draws from: the topology of the polygons and lines, and the
    table of the points."""

    topology: Topology
    points: PointTable


def encode_pages(plan: Plan, geoms: dict) -> Encoded:
    """Every feature's page geometry, once for all pages: polygons and lines as one topology
    (each page takes the arcs its features use, with the coarse forms drawn below LOD_ZOOM),
    points as one table."""
    coarse = geoms.coarse_vertices() if hasattr(geoms, "coarse_vertices") else None
    points = PointTable.of(plan, geoms)
    rest = {k: g for k, g in geoms.items() if k not in points.index}
    return Encoded(build_topology(rest, QUANTUM, coarse), points)


def render_page(plan: Plan, page: PageSpec, geoms: dict, *, cdn: bool = False,
                encoded: Encoded | None = None) -> str:
    """The complete HTML of one page (``encoded``: from :func:`encode_pages`, shared by pages).

    The page is a small skeleton: the map's element, the packed assets and data (base64 text
    in ``<script type="application/octet-stream">``, inert), and the boot code
    (``geo/static/boot.js``) that unpacks them with the browser's ``DecompressionStream``,
    adds the stylesheets and scripts, and draws the map.
    """
    return finish_page(page, raw_data(plan, page, geoms, encoded=encoded), cdn=cdn)


def finish_page(page: PageSpec, raw: bytes, cdn: bool = False) -> str:
    """A page's HTML from its data before deflating (:func:`raw_data`): deflated and wrapped.
    Thread-safe: a build runs it in worker threads (geo.build.write_pages)."""
    return page_html(page, deflate64(raw), cdn=cdn)


def page_html(page: PageSpec, data: str, *, cdn: bool = False) -> str:
    """The complete HTML of ``page`` around its data element's text ``data`` (:func:`packed_data`)."""
    tags, assets = _page_assets(cdn)
    options = json_for_html({"minZoom": 5, "maxZoom": MAX_ZOOM, "zoomControl": True, "preferCanvas": False})
    return _SKELETON.format(title=html.escape(page.title_both), tags=tags, assets=assets, fmt=FORMAT,
                            data=data, boot=boot_js(), options=options)


def packed_data(plan: Plan, page: PageSpec, geoms: dict, *, encoded: Encoded | None = None) -> str:
    """The text of a page's data element: :func:`page_data` with its geometry, packed."""
    return deflate64(raw_data(plan, page, geoms, encoded=encoded))


def raw_data(plan: Plan, page: PageSpec, geoms: dict, *, encoded: Encoded | None = None) -> bytes:
    """A page's data before deflating: :func:`page_data` with its geometry (geo/pagedata.py)."""
    enc = encoded if encoded is not None else encode_pages(plan, geoms)
    doc, rows = page_data(plan, page, geoms, points=enc.points)
    doc["quantum"] = enc.topology.quantum
    # only the arcs of the page's features: the build's topology holds boundaries most pages do
    # not show (the other prefectures' units, the outlines of other dates)
    sections = geometry_sections(enc.topology, [f["id"] for f in doc["features"]], subset=True)
    doc["points"], more = rows.encode(varints, zigzag)
    sections.update(more)
    return pack_raw(doc, sections)
