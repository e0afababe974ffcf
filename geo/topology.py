"""Page geometry as a topology: every border stored once, as arcs shared between neighbours.

Like TopoJSON: the rings and lines of the page geometries are cut at *junctions* (the points
where the set of neighbours changes) into arcs; an arc used by several polygons (two
neighbouring districts, a district and Changchun's outline, a belt, the province) is stored
once, and each ring is a list of arc references (``~i``: arc ``i`` walked backwards).
Coordinates are integers on a grid of :data:`QUANTUM` degrees; the page stores each arc as
the differences between successive vertices.

The coarse forms drawn below :data:`geo.simplify.LOD_ZOOM` select from the same arcs: each
arc is simplified once, ends fixed, and the topology marks which of its vertices the coarse
form keeps. Neighbours therefore share their coarse borders too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

__all__ = ["QUANTUM", "Topology", "build_topology", "quantise"]

#: The coordinate grid of pages, in degrees: 4.45 m of latitude, 3.2 m of longitude at
#: Changchun, a third of the simplification tolerance (one pixel at the maximum zoom). A vertex
#: moves at most half a step on each axis, 2.7 m.
QUANTUM = 4e-5


def quantise(geom, q: float = QUANTUM):
    """The geometry with every coordinate moved to the nearest grid point (multiples of q)."""
    return shapely.transform(geom, lambda xy: np.rint(xy / q) * q)


@dataclass
class Topology:
    """The arcs of a set of geometries and each geometry as references to them.

    ``xy``: every arc's vertices as grid integers (lon, lat), arc after arc; arc ``i`` is
    ``xy[starts[i]:starts[i + 1]]``. ``keep``: the vertices the coarse forms keep (or None).
    ``shapes``: feature id -> ``(type, refs)``; for a polygon refs is ``[[ring arcs]]`` (a
    MultiPolygon ``[[[ring arcs]]]``), for a line its arcs, for a point its grid ``(x, y)``.
    """

    quantum: float
    xy: np.ndarray
    starts: np.ndarray
    keep: np.ndarray | None = None
    shapes: dict = field(default_factory=dict)

    def arc(self, i: int) -> np.ndarray:
        """Arc ``i`` (``~i``: backwards) as grid integers."""
        j = i if i >= 0 else ~i
        a = self.xy[self.starts[j]:self.starts[j + 1]]
        return a if i >= 0 else a[::-1]

    @property
    def arcs(self) -> int:
        return len(self.starts) - 1

    def ring(self, refs, coarse: bool = False, line: bool = False) -> np.ndarray:
        """The closed ring (grid integers) that ``refs`` make; the coarse form's with ``coarse``."""
        parts = []
        for k, r in enumerate(refs):
            i = r if r >= 0 else ~r
            a = self.xy[self.starts[i]:self.starts[i + 1]]
            if coarse and self.keep is not None:
                a = a[self.keep[self.starts[i]:self.starts[i + 1]]]
            if r < 0:
                a = a[::-1]
            parts.append(a if k == 0 else a[1:])
        out = np.concatenate(parts)
        if not line and not np.array_equal(out[0], out[-1]):  # a whole ring whose coarse form starts elsewhere
            out = np.vstack([out, out[:1]])
        return out

    def coords(self, fid: str, coarse: bool = False):
        """Feature ``fid``'s geometry as (type, nested lists of (lon, lat) degrees)."""
        t, refs = self.shapes[fid]
        q = self.quantum

        def deg(a):
            return (np.asarray(a, dtype=np.float64) * q).tolist()

        if t == "Point":
            return t, deg(refs)
        if t == "MultiPoint":
            return t, [deg(p) for p in refs]
        if t == "LineString":
            return t, deg(self.ring(refs, line=True))
        if t == "MultiLineString":
            return t, [deg(self.ring(r, line=True)) for r in refs]
        if t == "Polygon":
            return t, [deg(self.ring(r, coarse)) for r in refs]
        return t, [[deg(self.ring(r, coarse)) for r in p] for p in refs]


def _ints(coords: np.ndarray, q: float) -> np.ndarray:
    a = np.rint(np.asarray(coords, dtype=np.float64)[:, :2] / q).astype(np.int64)
    if len(a) > 1:
        a = a[np.r_[True, np.any(a[1:] != a[:-1], axis=1)]]  # a vertex repeated by rounding
    return a


def build_topology(geoms: dict, q: float = QUANTUM, coarse: list | None = None) -> Topology:
    """The topology of ``geoms`` (feature id -> shapely geometry, already on the grid).

    ``coarse``: the coarse forms of the polygons, made of a subset of their vertices (see
    :meth:`geo.simplify.PageGeometry.coarse_vertices`); ``Topology.keep`` then marks, on each
    polygon arc, the vertices they keep (and the arc's ends).
    """
    rings: list[np.ndarray] = []  # grid integers; closed rings without their closing vertex
    closed: list[bool] = []
    plan: dict = {}

    def add(coords, is_ring: bool) -> int:
        a = _ints(coords, q)
        if is_ring:
            a = a[:-1] if len(a) > 1 and np.array_equal(a[0], a[-1]) else a
        rings.append(a)
        closed.append(is_ring)
        return len(rings) - 1

    for fid, g in geoms.items():
        t = g.geom_type
        if t == "Point":
            plan[fid] = (t, tuple(np.rint(np.array([g.x, g.y]) / q).astype(np.int64).tolist()))
        elif t == "MultiPoint":
            plan[fid] = (t, [tuple(np.rint(np.array([p.x, p.y]) / q).astype(np.int64).tolist()) for p in g.geoms])
        elif t == "LineString":
            plan[fid] = (t, add(shapely.get_coordinates(g), False))
        elif t == "MultiLineString":
            plan[fid] = (t, [add(shapely.get_coordinates(p), False) for p in g.geoms])
        elif t in ("Polygon", "MultiPolygon"):
            polys = [[add(shapely.get_coordinates(p.exterior), True)]
                     + [add(shapely.get_coordinates(r), True) for r in p.interiors]
                     for p in (g.geoms if t == "MultiPolygon" else [g])]
            plan[fid] = (t, polys[0] if t == "Polygon" else polys)
        else:
            raise ValueError(f"feature {fid}: cannot put a {t} in a page topology")

    arc_list, polygonal, free, ring_arcs = _cut(rings, closed)
    starts = np.zeros(len(arc_list) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(a) for a in arc_list])
    xy = np.concatenate(arc_list) if arc_list else np.zeros((0, 2), dtype=np.int64)
    topo = Topology(q, xy, starts)

    for fid, (t, p) in plan.items():
        if t in ("Point", "MultiPoint"):
            topo.shapes[fid] = (t, p)
        elif t == "LineString":
            topo.shapes[fid] = (t, ring_arcs[p])
        elif t == "MultiLineString":
            topo.shapes[fid] = (t, [ring_arcs[i] for i in p])
        elif t == "Polygon":
            topo.shapes[fid] = (t, [ring_arcs[i] for i in p])
        else:
            topo.shapes[fid] = (t, [[ring_arcs[i] for i in poly] for poly in p])
    if coarse is not None:
        topo.keep = _coarse_keep(topo, polygonal, free, coarse)
    return topo


def _cut(rings: list[np.ndarray], closed: list[bool]):
    """Cut every ring and line at the junctions; dedupe the arcs. Returns the arcs (grid
    integers), which arcs belong to polygons, which are whole rings without a junction, and each
    ring's or line's arc references."""
    if not rings:
        return [], set(), set(), []
    lengths = np.array([len(r) for r in rings])
    V = np.concatenate(rings)
    # one integer per distinct point
    lo = V.min(axis=0)
    span = V.max(axis=0) - lo + 1
    key = (V[:, 0] - lo[0]) * span[1] + (V[:, 1] - lo[1])
    uniq, pid = np.unique(key, return_inverse=True)
    P = len(uniq)
    # each vertex's neighbours along its ring (cyclic for rings; -1 past a line's ends)
    ends = np.cumsum(lengths)
    begins = ends - lengths
    idx = np.arange(len(V))
    ring_of = np.repeat(np.arange(len(rings)), lengths)
    prev = idx - 1
    nxt = idx + 1
    first = begins[ring_of] == idx
    last = ends[ring_of] - 1 == idx
    is_closed = np.asarray(closed)[ring_of]
    prev = np.where(first, np.where(is_closed, ends[ring_of] - 1, -1), prev)
    nxt = np.where(last, np.where(is_closed, begins[ring_of], -1), nxt)
    pp = np.where(prev >= 0, pid[np.maximum(prev, 0)], P)
    pn = np.where(nxt >= 0, pid[np.maximum(nxt, 0)], P)
    code = np.minimum(pp, pn) * (P + 1) + np.maximum(pp, pn)
    cmin = np.full(P, np.iinfo(np.int64).max, dtype=np.int64)
    cmax = np.full(P, -1, dtype=np.int64)
    np.minimum.at(cmin, pid, code)
    np.maximum.at(cmax, pid, code)
    junction = cmin != cmax
    junction[pid[(prev < 0) | (nxt < 0)]] = True  # a line's ends
    # a point met twice by one ring (a ring touching itself) is a junction too
    rk, counts = np.unique(ring_of * np.int64(P) + pid, return_counts=True)
    junction[rk[counts > 1] % P] = True

    index: dict = {}
    arcs: list[np.ndarray] = []
    polygonal: set[int] = set()
    free: set[int] = set()  # arcs that are a whole ring with no junction: their start is arbitrary
    ring_arcs: list[list[int]] = []

    def ref(ids: np.ndarray, points: np.ndarray, poly: bool) -> int:
        fwd = ids.tobytes()
        hit = index.get(fwd)
        if hit is not None:
            out = hit
        else:
            back = index.get(ids[::-1].tobytes())
            if back is not None:
                out = ~back
            else:
                index[fwd] = out = len(arcs)
                arcs.append(points)
        if poly:
            polygonal.add(out if out >= 0 else ~out)
        return out

    for r in range(len(rings)):
        ids = pid[begins[r]:ends[r]]
        pts = V[begins[r]:ends[r]]
        jpos = np.flatnonzero(junction[ids])
        refs = []
        if closed[r]:
            if len(jpos) == 0:  # a ring alone: start it at its smallest point, so twins match
                k = int(np.argmin(ids))
                ids, pts = np.roll(ids, -k), np.roll(pts, -k, axis=0)
                refs.append(ref(np.r_[ids, ids[:1]], np.vstack([pts, pts[:1]]), True))
                free.add(refs[-1] if refs[-1] >= 0 else ~refs[-1])
            else:
                k = int(jpos[0])
                ids, pts = np.roll(ids, -k), np.roll(pts, -k, axis=0)
                cuts = [*(jpos - k).tolist(), len(ids)]
                ids, pts = np.r_[ids, ids[:1]], np.vstack([pts, pts[:1]])
                for a, b in zip(cuts[:-1], cuts[1:]):
                    refs.append(ref(ids[a:b + 1], pts[a:b + 1], True))
        else:
            cuts = jpos.tolist()
            for a, b in zip(cuts[:-1], cuts[1:]):
                refs.append(ref(ids[a:b + 1], pts[a:b + 1], False))
        ring_arcs.append(refs)
    return arcs, polygonal, free, ring_arcs


def _coarse_keep(topo: Topology, polygonal: set, free: set, coarse: list) -> np.ndarray:
    """The vertices of polygon arcs that are vertices of a coarse form, and the ends of every
    arc that ends at a junction; line arcs keep every vertex. (A point inside an arc lies on no
    other arc, so a coarse vertex names one arc's vertex.) A whole ring keeps at least three."""
    keep = np.ones(len(topo.xy), dtype=bool)
    if not polygonal or not coarse:
        return keep
    on_poly = np.zeros(len(topo.xy), dtype=bool)
    ends = np.zeros(len(topo.xy), dtype=bool)
    for i in polygonal:
        on_poly[topo.starts[i]:topo.starts[i + 1]] = True
    ends[topo.starts[:-1]] = True
    ends[topo.starts[1:] - 1] = True
    for i in free:
        ends[topo.starts[i]] = ends[topo.starts[i + 1] - 1] = False
    kept = _keys(np.rint(shapely.get_coordinates(np.asarray(coarse, dtype=object)) / topo.quantum).astype(np.int64))
    keep[on_poly] = np.isin(_keys(topo.xy[on_poly]), kept) | ends[on_poly]
    for i in free:
        k = keep[topo.starts[i]:topo.starts[i + 1] - 1]  # the closing vertex repeats the first
        if k.sum() < 3:
            k[:] = True
    return keep


def _keys(a: np.ndarray) -> np.ndarray:
    return (a[:, 0] << 32) ^ (a[:, 1] & 0xFFFFFFFF)
