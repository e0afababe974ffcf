"""Compact geometry for pages: Google's encoded-polyline algorithm, one string per ring.

A page carries each geometry once, as ``{"t": type, "c": rings}`` where every ring or line
is an encoded-polyline string of (lat, lon) at 5 decimals: about 5 bytes a vertex instead of
about 20 for GeoJSON text. ``geo/static/geomap.js`` decodes it.

A polygon may also carry ``"k"``: for each ring, the indexes of the vertices its coarse form
keeps (delta-encoded the same way). Pages draw that subset at low zooms, where the extra
vertices would fall within a pixel: the geometry is still in the page once.
"""

from __future__ import annotations

import numpy as np

__all__ = ["decode_coords", "decode_indexes", "encode_coords", "encode_geometry", "encode_indexes"]

PRECISION = 5


def encode_coords(coords) -> str:
    """Encode (lon, lat) pairs as a polyline string of (lat, lon), vectorised with numpy."""
    arr = np.round(np.asarray(coords, dtype=float)[:, [1, 0]] * 10**PRECISION).astype(np.int64)
    return _varints(np.diff(arr, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel())


def encode_indexes(indexes) -> str:
    """Encode increasing vertex indexes as deltas, in the polyline alphabet."""
    idx = np.asarray(indexes, dtype=np.int64)
    return _varints(np.diff(idx, prepend=0))


def _varints(deltas: np.ndarray) -> str:
    v = np.where(deltas < 0, ~(deltas << 1), deltas << 1)  # zig-zag: small magnitudes, small codes
    # five bits a character, low bits first; every character but a value's last has 0x20 set
    chunks = (v[:, None] >> (5 * np.arange(8))) & 0x1F
    count = np.maximum(1, (np.floor(np.log2(np.maximum(v, 1))).astype(np.int64) // 5) + 1)
    count[v == 0] = 1
    used = np.arange(8)[None, :] < count[:, None]
    more = np.arange(8)[None, :] < (count - 1)[:, None]
    codes = chunks + 0x20 * more + 63
    return codes[used].astype(np.uint8).tobytes().decode("ascii")


def _encode_coords_reference(coords) -> str:
    """The algorithm as published, one value at a time (for tests)."""
    arr = np.round(np.asarray(coords, dtype=float)[:, [1, 0]] * 10**PRECISION).astype(np.int64)
    deltas = np.diff(arr, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    out = []
    for v in deltas.tolist():
        v = ~(v << 1) if v < 0 else v << 1
        while v >= 0x20:
            out.append(chr((0x20 | (v & 0x1F)) + 63))
            v >>= 5
        out.append(chr(v + 63))
    return "".join(out)


def _signed_values(text: str) -> list[int]:
    """The zig-zag integers of a polyline-alphabet string, in order."""
    values, shift, result = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    return values


def decode_indexes(text: str) -> list[int]:
    """Decode :func:`encode_indexes` (for tests and tools)."""
    values = _signed_values(text)
    return np.cumsum(values).tolist() if values else []


def decode_coords(text: str) -> list[tuple[float, float]]:
    """Decode a polyline string back to (lon, lat) pairs (for tests and tools)."""
    values = np.array(_signed_values(text), dtype=np.int64).reshape(-1, 2)
    arr = np.cumsum(values, axis=0) / 10**PRECISION
    return [(lon, lat) for lat, lon in arr.tolist()]


def _keys(ring: np.ndarray) -> np.ndarray:
    q = np.round(ring * 10**PRECISION).astype(np.int64)
    return (q[:, 0] << 32) + q[:, 1]


def _keep(fine_ring: np.ndarray, coarse_ring: np.ndarray):
    """Indexes of fine_ring's vertices that make coarse_ring, in order; None if it is not a subset."""
    fine, coarse = _keys(fine_ring[:-1]), _keys(coarse_ring[:-1])
    if len(coarse) < 3:
        return None
    order = np.argsort(fine, kind="stable")
    pos = np.searchsorted(fine[order], coarse)
    pos = np.minimum(pos, len(fine) - 1)
    idx = order[pos]
    if not np.array_equal(fine[idx], coarse):
        return None
    idx = np.roll(idx, -int(np.argmin(idx)))  # a simplified ring may start elsewhere on the loop
    if np.any(np.diff(idx) <= 0):
        return None
    return [*idx.tolist(), len(fine_ring) - 1]


def _polygons(geom):
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def _coarse_keep(fine, coarse):
    """Per polygon, per ring: the kept indexes (encoded), or None when coarse is not a subset."""
    fp, cp = _polygons(fine), _polygons(coarse)
    if len(fp) != len(cp):
        return None
    out = []
    for f, c in zip(fp, cp):
        fr = [f.exterior, *f.interiors]
        cr = [c.exterior, *c.interiors]
        if len(fr) != len(cr):
            return None
        rings = []
        for a, b in zip(fr, cr):
            k = _keep(np.asarray(a.coords), np.asarray(b.coords))
            if k is None:
                return None
            rings.append(encode_indexes(k))
        out.append(rings)
    return out


def encode_geometry(geom, coarse=None) -> dict:
    """A shapely geometry as ``{"t": type, "c": ...}`` with encoded rings and lines; with a
    ``coarse`` form of a polygon made of a subset of its vertices, also ``"k"``."""
    t = geom.geom_type
    if t == "Point":
        return {"t": t, "c": [round(geom.y, PRECISION), round(geom.x, PRECISION)]}
    if t == "MultiPoint":
        return {"t": t, "c": [[round(p.y, PRECISION), round(p.x, PRECISION)] for p in geom.geoms]}
    if t == "LineString":
        return {"t": t, "c": encode_coords(geom.coords)}
    if t == "MultiLineString":
        return {"t": t, "c": [encode_coords(g.coords) for g in geom.geoms]}

    def poly(p):
        return [encode_coords(p.exterior.coords)] + [encode_coords(r.coords) for r in p.interiors]

    if t not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"cannot encode a {t}")
    out = {"t": t, "c": poly(geom) if t == "Polygon" else [poly(p) for p in geom.geoms]}
    keep = _coarse_keep(geom, coarse) if coarse is not None and not coarse.is_empty else None
    if keep is not None:
        out["k"] = keep[0] if t == "Polygon" else keep
    return out
