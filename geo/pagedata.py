"""The data a page embeds, packed: a JSON document plus binary sections, deflated, in base64.

A page's data is one ``<script type="application/octet-stream" id="geo-data">`` holding
base64 text (letters, digits, ``+/=``: nothing in it can close the element). Inflated
(raw deflate, what the browser's ``DecompressionStream("deflate-raw")`` reads) it is::

    u32 little-endian  length of the JSON document
    the JSON document  (UTF-8): the page's settings and features; "blobs" names each section
    the sections       binary, one after another: {"name": [offset, length]} from their start

The sections hold the geometry (see :mod:`geo.topology`) as LEB128 varints of zig-zag
integers: ``arc_n`` the vertex count of each arc, ``arc_xy`` the differences between
successive arc vertices (x, y interleaved, continuing from one arc to the next), ``arc_keep``
one bit per arc vertex (the coarse forms), ``shapes`` each feature's arc references in
feature order, ``points`` the points' grid coordinates, as differences too. The page decodes
them in ``geo/static/js/pagedata.js``; :func:`read_page_data` does the same in Python.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["decode_geometry", "geometry_sections", "pack", "pack_raw", "read_page_data", "unpack", "unvarints",
           "unzigzag", "varints", "zigzag"]

#: How the page marks its data element (the tests and tools find it by this).
ELEMENT_ID = "geo-data"
FORMAT = "geo-1"
_DATA_RE = re.compile(r'<script type="application/octet-stream" id="geo-data"[^>]*>(.*?)</script>', re.S)


def zigzag(v: np.ndarray) -> np.ndarray:
    """Signed to unsigned integers, small magnitudes to small codes: 0, -1, 1, -2 -> 0, 1, 2, 3."""
    v = np.asarray(v, dtype=np.int64)
    return ((v << 1) ^ (v >> 63)).astype(np.uint64)


def unzigzag(u: np.ndarray) -> np.ndarray:
    u = np.asarray(u, dtype=np.uint64)
    return ((u >> np.uint64(1)).astype(np.int64)) ^ -((u & np.uint64(1)).astype(np.int64))


def varints(values) -> bytes:
    """Unsigned integers as LEB128: seven bits a byte, low bits first, 0x80 on every byte but
    a value's last. Vectorised."""
    v = np.asarray(values, dtype=np.uint64).ravel()
    if v.size == 0:
        return b""
    count = np.ones(v.shape, dtype=np.int64)
    for k in range(1, 10):
        count += v >= np.uint64(1) << np.uint64(7 * k)
    width = int(count.max())
    shifts = (np.uint64(7) * np.arange(width, dtype=np.uint64))[None, :]
    chunks = ((v[:, None] >> shifts) & np.uint64(0x7F)).astype(np.uint8)
    col = np.arange(width)[None, :]
    chunks[col < (count - 1)[:, None]] |= 0x80
    return chunks[col < count[:, None]].tobytes()


def unvarints(data: bytes) -> np.ndarray:
    """The unsigned integers of :func:`varints` (uint64). Vectorised."""
    b = np.frombuffer(data, dtype=np.uint8)
    if b.size == 0:
        return np.zeros(0, dtype=np.uint64)
    last = (b & 0x80) == 0
    which = np.concatenate([[0], np.cumsum(last)[:-1]])
    first = np.flatnonzero(np.r_[True, last[:-1]])
    pos = np.arange(b.size) - first[which]
    out = np.zeros(int(last.sum()), dtype=np.uint64)
    np.add.at(out, which, (b & 0x7F).astype(np.uint64) << (np.uint64(7) * pos.astype(np.uint64)))
    return out


def pack_raw(doc: dict, sections: dict[str, bytes]) -> bytes:
    """``doc`` (JSON-able) and ``sections`` as one buffer, before deflating."""
    blobs, offset = {}, 0
    for name, data in sections.items():
        blobs[name] = [offset, len(data)]
        offset += len(data)
    head = json.dumps({**doc, "blobs": blobs}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    return b"".join([struct.pack("<I", len(head)), head, *sections.values()])


def deflate64(raw: bytes, level: int = 6) -> str:
    """``raw`` deflated (raw deflate, as the page's DecompressionStream("deflate-raw") reads it),
    in base64: the text of a page's data or assets element. zlib lets go of the GIL while it
    works, so another thread can deflate one page while the build makes the next."""
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    return base64.b64encode(z.compress(raw) + z.flush()).decode("ascii")


def pack(doc: dict, sections: dict[str, bytes], level: int = 6) -> str:
    """The page's data element text: ``doc`` and ``sections``, deflated, in base64."""
    return deflate64(pack_raw(doc, sections), level)


def unpack(text: str) -> tuple[dict, dict[str, bytes]]:
    """:func:`pack` undone: ``(doc, sections)``."""
    raw = zlib.decompress(base64.b64decode(text), -15)
    (n,) = struct.unpack_from("<I", raw)
    doc = json.loads(raw[4:4 + n].decode("utf-8"))
    body = raw[4 + n:]
    return doc, {k: body[o:o + ln] for k, (o, ln) in doc.pop("blobs", {}).items()}


def pack_assets(assets: list[tuple[str, str, str]]) -> str:
    """The page's assets element text: ``(kind, name, text)`` each, in load order. The list is
    the JSON head, each text a section of its own (UTF-8 bytes, read with a TextDecoder: parsing
    ~300 KB of code out of JSON strings took the page 4-6 ms)."""
    return pack({"assets": [[kind, name] for kind, name, _text in assets]},
                {name: text.encode("utf-8") for _kind, name, text in assets})


def unpack_assets(text: str) -> list[tuple[str, str, str]]:
    """:func:`pack_assets` undone."""
    doc, sections = unpack(text)
    return [(kind, name, sections[name].decode("utf-8")) for kind, name in doc["assets"]]


def read_page_data(page: str | Path) -> dict | None:
    """The data of a built page (its HTML text or path), decoded as the page decodes it.

    Each feature's ``"g"`` gets ``"c"``, its coordinates as the page draws them, in degrees,
    ``[lat, lon]`` (nested like GeoJSON: rings of a polygon, polygons of a multipolygon) and,
    for polygons with a coarse form, ``"cc"``, the coarse form's. None for a page without data.
    """
    text = page if isinstance(page, str) and "<" in page else Path(page).read_text(encoding="utf-8")
    m = _DATA_RE.search(text)
    if not m:
        return None
    doc, sections = unpack(m.group(1))
    decode_geometry(doc, sections)
    return doc


def decode_geometry(doc: dict, sections: dict[str, bytes]) -> None:
    """Give every feature of ``doc`` its coordinates (see :func:`read_page_data`)."""
    q = doc["quantum"]
    n = unvarints(sections.get("arc_n", b"")).astype(np.int64)
    xy = np.cumsum(unzigzag(unvarints(sections.get("arc_xy", b""))).reshape(-1, 2), axis=0)
    starts = np.r_[0, np.cumsum(n)]
    keep = None
    if sections.get("arc_keep"):
        keep = np.unpackbits(np.frombuffer(sections["arc_keep"], dtype=np.uint8))[:len(xy)].astype(bool)
    shapes = iter(unzigzag(unvarints(sections.get("shapes", b""))).tolist())
    points = iter(np.cumsum(unzigzag(unvarints(sections.get("points", b""))).reshape(-1, 2), axis=0).tolist())

    def ring(refs, coarse, line=False):
        parts = []
        for k, r in enumerate(refs):
            i = r if r >= 0 else ~r
            a = xy[starts[i]:starts[i + 1]]
            if coarse:
                a = a[keep[starts[i]:starts[i + 1]]]
            if r < 0:
                a = a[::-1]
            parts.append(a if k == 0 else a[1:])
        out = np.concatenate(parts)
        if not line and not np.array_equal(out[0], out[-1]):
            out = np.vstack([out, out[:1]])
        return (out[:, ::-1] * q).tolist()

    def refs():
        return [next(shapes) for _ in range(next(shapes))]

    for f in doc["features"]:
        g = f["g"]
        t = g["t"]
        if t == "Point":
            x, y = next(points)
            g["c"] = [y * q, x * q]
        elif t == "MultiPoint":
            g["c"] = [[p[1] * q, p[0] * q] for p in (next(points) for _ in range(next(shapes)))]
        elif t == "LineString":
            g["c"] = ring(refs(), False, True)
        elif t == "MultiLineString":
            g["c"] = [ring(refs(), False, True) for _ in range(next(shapes))]
        elif t == "Polygon":
            rs = [refs() for _ in range(next(shapes))]
            g["c"] = [ring(r, False) for r in rs]
            if keep is not None:
                g["cc"] = [ring(r, True) for r in rs]
        elif t == "MultiPolygon":
            ps = [[refs() for _ in range(next(shapes))] for _ in range(next(shapes))]
            g["c"] = [[ring(r, False) for r in p] for p in ps]
            if keep is not None:
                g["cc"] = [[ring(r, True) for r in p] for p in ps]
    doc["features"].extend(point_features(doc, sections))


def point_features(doc: dict, sections: dict[str, bytes]) -> list[dict]:
    """The features of the page's point table (see :mod:`geo.pointtable`), as the page makes
    them: every column's value (absent when null), roles, context, within, label and "g"."""
    t = doc.pop("points", None)
    if not t or not t.get("n"):
        return []
    n, q = t["n"], doc["quantum"]

    def column(spec):
        if "values" in spec:
            return spec["values"]
        if "text" in spec:  # the rows' texts joined, cut at each one's length in UTF-16 code units
            units = sections[spec["text"]].decode("utf-8").encode("utf-16-le")
            ends = np.cumsum(unvarints(sections[spec["lengths"]])).tolist()
            return [units[2 * a:2 * b].decode("utf-16-le") for a, b in zip([0] + ends[:-1], ends)]
        values = spec["dict"]
        return [values[i] for i in unvarints(sections[spec["index"]]).tolist()]

    cols = {name: column(spec) for name, spec in t["columns"].items()}
    roles = column(t["roles"])
    context = np.unpackbits(np.frombuffer(sections[t["context"]], dtype=np.uint8))[:n].astype(bool).tolist()
    within = column(t["within"]) if "within" in t else [[]] * n
    xy = np.cumsum(unzigzag(unvarints(sections["pt_xy"])).reshape(-1, 2), axis=0) * q
    out = []
    for k in range(n):
        f = {name: v[k] for name, v in cols.items() if v[k] is not None}
        f["roles"] = roles[k]
        f["context"] = context[k]
        if within[k]:
            f["within"] = within[k]
        ll = [float(xy[k, 1]), float(xy[k, 0])]
        f["label"] = ll
        f["g"] = {"t": "Point", "c": ll}
        out.append(f)
    return out


def geometry_sections(topo, fids: list[str], *, subset: bool = False) -> dict[str, bytes]:
    """The sections holding the geometry of features ``fids`` (in page order), from ``topo``
    (a :class:`geo.topology.Topology`): every arc of it (encoded once, for every page of a
    build), or with ``subset`` only the arcs they use, renumbered in order."""
    shapes = [topo.shapes[f] for f in fids]
    used: set[int] = set()

    def collect(refs):
        used.update(r if r >= 0 else ~r for r in refs)

    for t, s in shapes:
        if t in ("LineString",):
            collect(s)
        elif t in ("MultiLineString", "Polygon"):
            for r in s:
                collect(r)
        elif t == "MultiPolygon":
            for p in s:
                for r in p:
                    collect(r)
    order = np.array(sorted(used), dtype=np.int64) if subset else np.arange(topo.arcs, dtype=np.int64)
    new = {int(a): i for i, a in enumerate(order.tolist())}
    stream: list[int] = []
    points: list[tuple[int, int]] = []

    def refs(rs):
        stream.append(len(rs))
        stream.extend(new[r] if r >= 0 else ~new[~r] for r in rs)

    for t, s in shapes:
        if t == "Point":
            points.append(s)
        elif t == "MultiPoint":
            stream.append(len(s))
            points.extend(s)
        elif t == "LineString":
            refs(s)
        elif t in ("MultiLineString", "Polygon"):
            stream.append(len(s))
            for r in s:
                refs(r)
        else:
            stream.append(len(s))
            for p in s:
                stream.append(len(p))
                for r in p:
                    refs(r)
    out = {} if subset else dict(_all_arcs(topo))
    if subset and len(order):
        lo, hi = topo.starts[order], topo.starts[order + 1]
        out["arc_n"] = varints(hi - lo)
        # each arc's own differences are encoded once a build (_arc_bytes); a page adds the step
        # from the last vertex of the arc before it to its first
        inner = _arc_bytes(topo)
        prev = np.vstack([np.zeros((1, 2), np.int64), topo.xy[hi[:-1] - 1]])
        steps = zigzag((topo.xy[lo] - prev).ravel())
        sb, cut = varints(steps), np.r_[0, np.cumsum(_varint_lengths(steps))].tolist()
        out["arc_xy"] = b"".join(sb[cut[2 * k]:cut[2 * k + 2]] + inner[a] for k, a in enumerate(order.tolist()))
        if topo.keep is not None:
            sel = np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist())])
            out["arc_keep"] = np.packbits(topo.keep[sel]).tobytes()
    if stream:
        out["shapes"] = varints(zigzag(np.array(stream, dtype=np.int64)))
    if points:
        p = np.array(points, dtype=np.int64).reshape(-1, 2)
        out["points"] = varints(zigzag(np.diff(p, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()))
    return out


def _varint_lengths(v: np.ndarray) -> np.ndarray:
    """How many bytes :func:`varints` gives each value."""
    v = np.asarray(v, dtype=np.uint64)
    n = np.ones(v.shape, dtype=np.int64)
    for k in range(1, 10):
        n += v >= np.uint64(1) << np.uint64(7 * k)
    return n


def _arc_bytes(topo) -> list[bytes]:
    """Per arc, the varints of the differences between its successive vertices (x, y
    interleaved), made once a build."""
    done = getattr(topo, "_arc_bytes", None)
    if done is None:
        values = zigzag(np.diff(topo.xy, axis=0).ravel()) if len(topo.xy) > 1 else np.zeros(0, np.uint64)
        data, cut = varints(values), np.r_[0, np.cumsum(_varint_lengths(values))].tolist()
        starts = topo.starts.tolist()
        done = topo._arc_bytes = [data[cut[2 * a]:cut[2 * (b - 1)]] for a, b in zip(starts, starts[1:])]
    return done


def _all_arcs(topo) -> dict[str, bytes]:
    """The arc sections of the whole topology, made once."""
    done = getattr(topo, "_sections", None)
    if done is None:
        done = {}
        if topo.arcs:
            done["arc_n"] = varints(np.diff(topo.starts))
            done["arc_xy"] = varints(zigzag(np.diff(topo.xy, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()))
            if topo.keep is not None:
                done["arc_keep"] = np.packbits(topo.keep).tobytes()
        topo._sections = done
    return done
