"""A cache of the simplified official boundaries, keyed by what they are made from.

Simplifying the boundaries as a coverage is most of a build's work, and the boundaries change
only when they are re-imported: a build after an edit to a site, a zone or a role finds them
here. The key is a hash of every official polygon (id, layer, WKB), the tolerance, the grid and
:data:`VERSION`; anything else, or a file that cannot be read, means the work is done again.
Entries live in ``$GEO_CACHE_DIR``, else ``$XDG_CACHE_HOME/changchun-maps``, else
``~/.cache/changchun-maps``; ``GEO_CACHE_DIR=off`` turns the cache off. Each is written
atomically; the newest :data:`KEEP` are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

import shapely

__all__ = ["KEEP", "VERSION", "cache_dir", "key_for", "load", "save"]

#: Bump when the simplification changes, so that old entries are not used.
VERSION = "simplify-3"
KEEP = 8
# The last entry, in memory too: a watch rebuilding after an edit to a site or a zone reads
# nothing from disk.
_LAST: dict = {}


def cache_dir() -> Path | None:
    """Where entries go, or None when the cache is off."""
    env = os.environ.get("GEO_CACHE_DIR")
    if env:
        return None if env.lower() in ("off", "0", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "changchun-maps"


def key_for(features, *params) -> str:
    """A hex key for ``features`` (PlanFeatures: id, layer and geometry count) and ``params``."""
    h = hashlib.sha256(f"{VERSION} {params!r}".encode())
    for f in features:
        h.update(f"\0{f.id}\0{f.layer.id}\0".encode())
        h.update(shapely.to_wkb(f.geometry, byte_order=1))
    return h.hexdigest()


def load(key: str) -> tuple[dict, dict] | None:
    """``(meta, {name: geometry})`` stored under ``key``, or None."""
    d = cache_dir()
    if d is None:
        return None
    if (d, key) in _LAST:
        meta, geoms = _LAST[(d, key)]
        return dict(meta), dict(geoms)
    try:
        raw = (d / f"{key}.bin").read_bytes()
        (n,) = struct.unpack_from("<I", raw)
        meta = json.loads(raw[4:4 + n])
        body, out, at = raw[4 + n:], {}, 0
        for name, length in meta.pop("geoms"):
            out[name] = shapely.from_wkb(body[at:at + length])
            at += length
        _LAST.clear()
        _LAST[(d, key)] = (dict(meta), dict(out))
        return meta, out
    except (OSError, ValueError, struct.error, shapely.errors.GEOSException):
        return None


def save(key: str, meta: dict, geoms: dict) -> None:
    """Store ``meta`` (JSON-able) and ``geoms`` (name -> geometry) under ``key``; never fails a build."""
    d = cache_dir()
    if d is None:
        return
    _LAST.clear()
    _LAST[(d, key)] = (dict(meta), dict(geoms))
    blobs = [(name, shapely.to_wkb(g, byte_order=1)) for name, g in geoms.items()]
    head = json.dumps({**meta, "geoms": [[name, len(b)] for name, b in blobs]}).encode()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(b"".join([struct.pack("<I", len(head)), head, *(b for _n, b in blobs)]))
        os.replace(tmp, d / f"{key}.bin")
        entries = sorted(d.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
