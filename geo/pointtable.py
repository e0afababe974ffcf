"""Point features as columns: what lets a page carry 100,000 sites.

A page's point features go in one table rather than one JSON object each: a column per
property, a value repeated down a column (a kind, a basis, a role list, a description) stored
once with one small integer per row, a text of each row (its id and names) joined into one
section of UTF-8 with each one's length, positions on the page grid as differences in a binary section
(see :mod:`geo.pagedata`). The table is made once per build (:meth:`PointTable.of`); each
page takes its rows with numpy (:meth:`PointTable.page`). The page draws the rows from the
columns and makes a row's feature object when it is first read
(``geo/static/js/pointrows.js``), so the page's code sees the same ``P.data.features``
whatever the layer's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, compress
from operator import attrgetter

import numpy as np
import shapely

from .columns import codes as _codes
from .columns import combined as _combined
from .columns import converted as _converted
from .columns import raw_codes as _raw_codes
from .columns import used as _used
from .topology import QUANTUM

__all__ = ["MAX_PAGE_POINTS", "POINT_COLUMNS", "PointTable", "TooManyPoints", "contains_xy", "optional_fields"]

#: The most point features one page holds. Past it a page stops opening quickly (see
#: BENCHMARKS.md, "Scale"): the build refuses, naming the layer and what to do.
MAX_PAGE_POINTS = 200_000


class TooManyPoints(ValueError):
    """A page would hold more than MAX_PAGE_POINTS points."""

#: The properties a point feature's row carries (as on every feature of a page), then the
#: optional ones: numbers, then texts.
POINT_COLUMNS = ("id", "layer", "name_en", "name_zh", "kind", "basis", "description")
_NUMBERS = ("area_published_km2", "position_error_m", "schematic_area_km2")
_TEXTS = ("area_source", "geometry_source", "position_source", "since", "until", "dates_source")


def _num(v):
    try:
        return float(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def _text_field(v):
    return str(v) if v else None


def _derive_op(v):  # how a derived geometry was made (union, grow ...)
    return str(v["op"]) if isinstance(v, dict) and v.get("op") else None


def _alias_list(v):  # a tuple: a column's values are told apart by hashing
    return tuple(str(a) for a in v) if isinstance(v, list) and v else None


#: Each optional field (see :func:`optional_fields`) and how a page gets it from the property
#: (None: the feature has none), in the order a feature's fields go.
_OPTIONAL = (*((k, _num) for k in _NUMBERS), *((k, _text_field) for k in _TEXTS),
             ("derive", _derive_op), ("aliases", _alias_list))


def optional_fields(props: dict) -> dict:
    """The optional fields a page gives a feature (absent when empty): the one place to add a
    field that every feature of a page carries, Point features (in the table, by
    :func:`_optional_columns`) and others."""
    out = {}
    for k, convert in _OPTIONAL:
        v = convert(props.get(k))
        if v is not None:
            out[k] = v
    return out


def _optional_columns(columns: dict) -> dict:
    """:func:`optional_fields` of every row, as columns (name -> (distinct values, codes)), in the
    order a pass row by row would first meet them; each distinct value of a property converted
    once. ``columns``: the rows' properties (see :func:`_read_columns`)."""
    found = []
    for rank, (k, convert) in enumerate(_OPTIONAL):
        values, codes = _converted(*_raw_codes(columns[k]), convert)
        has = np.array([v is not None for v in values], dtype=bool)
        if has.any():
            found.append((int(np.flatnonzero(has[codes])[0]), rank, k, (values, codes)))
    return {k: column for _row, _rank, k, column in sorted(found)}


#: The properties a table row reads, each with its value when a feature does not have it.
_READ = {"name_en": "", "name_zh": "", "kind": "", "description": "", "geometry_basis": "",
         **dict.fromkeys(k for k, _ in _OPTIONAL), "roles": None}


def _read_columns(props: list) -> dict:
    """The properties of rows ``props`` a table reads, as columns (name -> values), each read
    in one pass over the rows, and only those some row has."""
    present = set(chain.from_iterable(props))
    return {k: [p.get(k, d) for p in props] if k in present else [d] * len(props) for k, d in _READ.items()}


def _role_key(roles) -> tuple:
    if not roles:
        return ()
    out = []
    for r in roles:
        if isinstance(r, dict):
            since, until = r.get("since"), r.get("until")  # most rows: undated
            out.append((str(r.get("role")), str(r.get("part")), str(r.get("source")),
                        since if since is None or type(since) is str else str(since),
                        until if until is None or type(until) is str else str(until)))
    return tuple(out)


def _text(v):
    return None if v is None else str(v)


def _dated(registry, key: tuple) -> tuple:
    """A row's role list with each assignment's span: (role, part, source, since, until), from a
    raw key (its role entries, the feature's since and until)."""
    from .timeline import assignment_span

    entries, f_since, f_until = key
    out = []
    for role, part, source, since, until in entries:
        try:
            span = assignment_span(registry, role, since, until, f_since, f_until)
        except Exception:  # an unknown role or plan (validation names it): undated
            span = (since, until)
        out.append((role, part, source, *span))
    return tuple(out)


@dataclass
class PointTable:
    """Every Point feature of a plan, in plan order: ids, grid positions, property columns."""

    ids: list
    index: dict  # feature id -> row
    xy: np.ndarray  # (n, 2) grid integers (lon, lat)
    layers: np.ndarray  # layer id per row (object array)
    columns: dict  # name -> (distinct values, codes per row)
    role_sets: list  # distinct role lists: tuples of (role, part, source, since, until)
    role_codes: np.ndarray  # per row, its role list's index in role_sets
    others: list = field(default_factory=list)  # the plan's features that are not rows, in plan order
    spans: list | None = None  # per role_sets entry, its features' (since, until); None: undated

    @classmethod
    def of(cls, plan, geoms: dict, q: float = QUANTUM) -> PointTable:
        """The table of ``plan``'s Point features (their page geometries ``geoms``), made column by
        column: each column read in one pass (``map``), each distinct value converted once."""
        shapes = np.asarray(list(map(geoms.__getitem__, map(attrgetter("id"), plan.features))), dtype=object)
        is_point = shapely.get_type_id(shapes) == 0 if len(shapes) else np.zeros(0, bool)
        feats = list(compress(plan.features, is_point.tolist()))
        ids = list(map(attrgetter("id"), feats))
        pts = shapes[is_point]
        xy = np.rint(shapely.get_coordinates(pts) / q).astype(np.int64) if len(pts) else np.zeros((0, 2), np.int64)
        cols = {}
        props = list(map(attrgetter("props"), feats))
        layer_ids = list(map(attrgetter("layer.id"), feats))
        cols["id"] = (ids, np.arange(len(ids)))
        cols["layer"] = _codes(layer_ids)
        read = _read_columns(props)
        for k in ("name_en", "name_zh", "kind", "description"):
            vals = list(map(str, read[k]))
            cols[k] = _codes(vals) if k in ("kind", "description") else (vals, np.arange(len(vals)))
        cols["basis"] = _codes(list(map(str, read["geometry_basis"])))  # PlanFeature.basis
        cols.update(_optional_columns(read))
        # a role list and its feature's dates, distinct: each assignment's span computed once
        keys, role_codes = _converted(*_combined([_codes(list(map(_role_key, read["roles"]))),
                                                      _raw_codes(read["since"]), _raw_codes(read["until"])]),
                                      lambda k: (k[0], _text(k[1]), _text(k[2])))
        role_sets = [_dated(plan.registry, k) for k in keys]
        spans = [(k[1], k[2]) for k in keys]
        layers = np.asarray(layer_ids, dtype=object)
        others = list(compress(plan.features, (~is_point).tolist()))
        return cls(ids, dict(zip(ids, range(len(ids)))), xy, layers, cols, role_sets, role_codes, others, spans)

    def __len__(self) -> int:
        return len(self.ids)

    def utf16_lengths(self, name: str) -> np.ndarray:
        """Each distinct value of the text column ``name``, its length as JavaScript counts it:
        worked out once a build (every page with these rows cuts their texts the same way)."""
        memo = self.__dict__.setdefault("_utf16_memo", {})
        if name not in memo:
            memo[name] = _utf16_lengths(self.columns[name][0])
        return memo[name]

    def utf8_text(self, name: str, codes: np.ndarray) -> bytes:
        """The values ``codes`` of the text column ``name`` joined, in UTF-8: gathered from the
        column's values encoded once a build, with numpy (a page's 100,000 names in one step)."""
        memo = self.__dict__.setdefault("_utf8_memo", {})
        if name not in memo:
            values = self.columns[name][0]
            blob = np.frombuffer("".join(values).encode("utf-8"), dtype=np.uint8)
            ends = np.cumsum(np.fromiter(map(len, map(str.encode, values)), dtype=np.int64, count=len(values)))
            memo[name] = (blob, ends - np.diff(ends, prepend=0), np.diff(ends, prepend=0))
        blob, starts, sizes = memo[name]
        if len(codes) == len(starts) and (codes == np.arange(len(codes))).all():
            return blob.tobytes()
        take = sizes[codes]
        out_starts = np.cumsum(take) - take
        where = np.repeat(starts[codes] - out_starts, take) + np.arange(int(take.sum()))
        return blob[where].tobytes()

    def _inside(self, geom) -> np.ndarray:
        """Which rows lie in ``geom`` (a container's page geometry): found once a build, as every
        page with that container (the overview, the role pages, the timeline) asks the same (see
        :func:`contains_xy`)."""
        memo = self.__dict__.setdefault("_inside_memo", {})
        hit = memo.get(id(geom))
        if hit is None:
            hit = memo[id(geom)] = (geom, contains_xy(geom, self.xy[:, 0] * QUANTUM, self.xy[:, 1] * QUANTUM))
        return hit[1]

    def page(self, page_roles, context_ids: set, containers: list, *, at: str | None = None,
             near: set | None = None) -> PageRows:
        """The rows on a page showing ``page_roles`` over the layers ``context_ids``; each row's
        roles are those of the page, ``within`` the ids of the ``containers`` (``[(id, geometry)]``)
        it lies in. ``at`` (a date key): only the features and assignments that hold then (None:
        all, each with its dates). ``near``: the context features the page keeps (None: all)."""
        from .dates import holds

        wanted = set(page_roles)
        filtered = [tuple(r for r in rs if r[0] in wanted and (at is None or holds(r[3], r[4], at)))
                    for rs in self.role_sets]
        has_role = np.array([bool(rs) for rs in filtered], dtype=bool)
        layer_ids, layer_codes = self.columns["layer"]
        context = np.isin(layer_codes, [k for k, lid in enumerate(layer_ids) if lid in context_ids])
        if near is not None and context.any():
            kept = np.zeros(len(self), dtype=bool)
            kept[[k for k in map(self.index.get, near) if k is not None]] = True
            context &= kept
        on = context | (has_role[self.role_codes] if len(self) else np.zeros(0, bool))
        if at is not None and self.spans and len(self):
            alive = np.array([holds(s, u, at) for s, u in self.spans], dtype=bool)
            on &= alive[self.role_codes]
        rows = np.flatnonzero(on)
        if len(rows) > MAX_PAGE_POINTS:
            raise TooManyPoints(f"{len(rows):,} points on one page, more than {MAX_PAGE_POINTS:,} "
                                "(geo.pointtable.MAX_PAGE_POINTS); split the point layers so that each map "
                                "shows fewer, or keep a sample")
        within = np.zeros((len(rows), len(containers)), dtype=bool)
        for k, (_cid, g) in enumerate(containers):
            within[:, k] = self._inside(g)[rows]
        return PageRows(self, rows, filtered, context[rows], within, [c for c, _ in containers])


@dataclass
class PageRows:
    """One page's rows of a :class:`PointTable`."""

    table: PointTable
    rows: np.ndarray
    filtered: list  # role_sets filtered to the page's roles
    context: np.ndarray
    within: np.ndarray  # (rows, containers) bool
    container_ids: list

    def __len__(self) -> int:
        return len(self.rows)

    def shapes(self) -> int:
        """Role shapes the rows make: one per (row, distinct page role)."""
        n = np.array([len({r[0] for r in rs}) for rs in self.filtered], dtype=np.int64)
        return int(n[self.table.role_codes[self.rows]].sum()) if len(self) else 0

    def sources(self) -> set:
        used = np.unique(self.table.role_codes[self.rows]) if len(self) else []
        return {r[2] for k in used for r in self.filtered[k]}

    def bounds(self):
        """(west, south, east, north) of the rows with a role on the page, or None."""
        has = np.array([bool(rs) for rs in self.filtered], dtype=bool)
        sel = self.rows[has[self.table.role_codes[self.rows]]] if len(self) else self.rows
        if not len(sel):
            return None
        xy = self.table.xy[sel] * QUANTUM
        return (*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist())

    def encode(self, varints, zigzag) -> tuple[dict, dict]:
        """The table's part of the page document, and its binary sections."""
        t, rows = self.table, self.rows
        doc: dict = {"n": len(rows), "columns": {}}
        sections: dict = {}
        for name, (values, codes) in t.columns.items():
            c = codes[rows]
            if name in ("id", "name_en", "name_zh"):  # a text per row: joined, with each one's length
                doc["columns"][name] = {"text": f"pt_{name}_text", "lengths": f"pt_{name}"}
                sections[f"pt_{name}_text"] = t.utf8_text(name, c)
                sections[f"pt_{name}"] = varints(t.utf16_lengths(name)[c])
                continue
            used, back = _used(c, len(values))
            vals = [values[i] for i in used.tolist()]
            if len(vals) == 1 and vals[0] is None:
                continue
            doc["columns"][name] = {"dict": vals, "index": f"pt_{name}"}
            sections[f"pt_{name}"] = varints(back)
        rc = t.role_codes[rows]
        used, back = _used(rc, len(t.role_sets))
        doc["roles"] = {"dict": [[_role_record(*r) for r in self.filtered[k]] for k in used.tolist()],
                        "index": "pt_roles"}
        sections["pt_roles"] = varints(back)
        doc["context"] = "pt_context"
        sections["pt_context"] = np.packbits(self.context).tobytes()
        if self.container_ids and self.within.any():
            k = len(self.container_ids)
            if k <= 16:  # each row's containers as one number, the first the highest bit: counted, not sorted
                bits = (self.within.astype(np.int64) << np.arange(k - 1, -1, -1, dtype=np.int64)).sum(axis=1)
                used, back = _used(bits, 1 << k)
                combos = (used[:, None] >> np.arange(k - 1, -1, -1)) & 1  # as np.unique(axis=0) orders them
            else:
                combos, back = np.unique(self.within, axis=0, return_inverse=True)
            doc["within"] = {"dict": [[self.container_ids[j] for j in np.flatnonzero(c)] for c in combos],
                             "index": "pt_within"}
            sections["pt_within"] = varints(back.ravel())
        xy = t.xy[rows]
        sections["pt_xy"] = varints(zigzag(np.diff(xy, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()))
        return doc, sections


def contains_xy(geom, x: np.ndarray, y: np.ndarray, cells: int = 16) -> np.ndarray:
    """``shapely.contains_xy(geom, x, y)`` for many points, most of them settled by a grid: the
    bounds of ``geom`` cut into ``cells`` x ``cells`` boxes, a point in a box inside ``geom``
    (none of the box on its boundary) is in it, one in a box apart from ``geom`` is not; only
    the points in the boxes its boundary crosses (or on a box's edge, where rounding could put
    them in the next box) are put to GEOS one by one."""
    out = np.zeros(len(x), dtype=bool)
    west, south, east, north = geom.bounds
    near = np.flatnonzero((x >= west) & (x <= east) & (y >= south) & (y <= north))
    if len(near) < 4 * cells * cells or east <= west or north <= south:  # few points: GEOS for all
        out[near] = shapely.contains_xy(geom, x[near], y[near])
        return out
    w, h = (east - west) / cells, (north - south) / cells
    edges_x, edges_y = west + w * np.arange(cells + 1), south + h * np.arange(cells + 1)
    boxes = shapely.box(*(a.ravel() for a in np.meshgrid(edges_x[:-1], edges_y[:-1])),
                        *(a.ravel() for a in np.meshgrid(edges_x[1:], edges_y[1:])))
    shapely.prepare(geom)
    state = np.where(shapely.contains_properly(geom, boxes), 1, np.where(shapely.disjoint(geom, boxes), 0, 2))
    px, py = x[near], y[near]
    i = np.clip(((px - west) / w).astype(np.int64), 0, cells - 1)
    j = np.clip(((py - south) / h).astype(np.int64), 0, cells - 1)
    s = state[j * cells + i]
    clear = (px > edges_x[i]) & (px < edges_x[i + 1]) & (py > edges_y[j]) & (py < edges_y[j + 1])
    s[~clear] = 2
    out[near[s == 1]] = True
    exact = near[s == 2]
    out[exact] = shapely.contains_xy(geom, x[exact], y[exact])
    return out


def _utf16_lengths(texts: list[str]) -> np.ndarray:
    """Each text's length as JavaScript counts it (UTF-16 code units): where a page cuts a
    column's joined text. Its length in characters, unless a text has one beyond the BMP."""
    joined = "".join(texts)
    if joined.isascii() or len(joined.encode("utf-16-le")) == 2 * len(joined):
        return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.fromiter((len(t.encode("utf-16-le")) // 2 for t in texts), dtype=np.int64, count=len(texts))


def _role_record(role, part, source, since, until) -> dict:
    """An assignment as the page carries it (as :func:`geo.render.role_records` makes it)."""
    rec = {"role": role, "part": part, "source": source, "since": since}
    if until:
        rec["until"] = until
    return rec
