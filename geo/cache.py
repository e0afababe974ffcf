"""A cache of the simplified official boundaries, keyed by what they are made from.

Simplifying the boundaries as a coverage is most of a build's work, and the boundaries change
only when they are re-imported: a build after an edit to a site, a zone or a role finds them
here. The key is a hash of every official polygon (id, layer, WKB), the tolerance, the grid and
:data:`VERSION`; anything else, or a file that cannot be read, means the work is done again.
:class:`Derived` keeps the geometries a build derives from others (unions, grown plates) the
same way, each under a hash of how it is made and of its members' WKB. :func:`load_read` and
:func:`save_read` keep a layer file as validation found it clean (its features' properties and
geometries), under a hash of its bytes and of the checks' code: an unchanged file is not parsed
and checked again (its properties are, against the registry of the day).
Entries live in ``$GEO_CACHE_DIR``, else ``$XDG_CACHE_HOME/changchun-maps``, else
``~/.cache/changchun-maps``; ``GEO_CACHE_DIR=off`` turns the cache off. Each is written
atomically; the newest :data:`KEEP` are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from pathlib import Path

import shapely

__all__ = ["KEEP", "VERSION", "Derived", "cache_dir", "digest", "key_for", "load", "load_read", "save",
           "save_read"]

_SIMPLIFIED = re.compile(r"[0-9a-f]{64}\.bin")  # the simplified boundaries' entries (key_for)

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
        entries = sorted((p for p in d.glob("*.bin") if _SIMPLIFIED.fullmatch(p.name)),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def digest(geom) -> str:
    """A hex hash of a geometry's WKB (exact: any change of a vertex changes it)."""
    return hashlib.blake2b(shapely.to_wkb(geom, byte_order=1), digest_size=16).hexdigest()


class Derived:
    """Geometries derived from others, remembered across builds by what they are made of.

    ``get(key, make)`` gives the geometry stored under ``key`` or makes it; ``key`` must say
    everything the geometry depends on (see :func:`digest`). ``close()`` writes what this build
    used, so entries no longer asked for are dropped. One file, ``derived.bin``, kept in memory
    between the builds of one process (a watch).
    """

    FILE = "derived.bin"
    _memory: dict = {}  # (folder, key) -> geometry, for the builds of this process

    def __init__(self):
        self.dir = cache_dir()
        self.used: dict = {}
        self.missed = 0
        self._disk = None

    def _stored(self) -> dict:  # what the last build used: from memory, else from the file
        if self._disk is None:
            self._disk = {k: g for (d, k), g in Derived._memory.items() if d == self.dir}
            if self.dir is not None and not self._disk:
                try:
                    self._disk = _read_entries(self.dir / self.FILE)
                except (OSError, ValueError, struct.error, shapely.errors.GEOSException):
                    self._disk = {}
        return self._disk

    def get(self, key: str, make):
        key = f"{VERSION} {key}"
        geom = self._stored().get(key) if self.dir is not None else None
        if geom is None:
            geom = make()
            self.missed += 1
        self.used[key] = geom
        return geom

    def close(self) -> None:
        """Remember what this build used (in memory, and on disk when anything was new)."""
        if self.dir is None:
            return
        Derived._memory = {(self.dir, k): g for k, g in self.used.items()}
        if not self.missed and self.used.keys() == self._stored().keys():
            return
        blobs = [(k, shapely.to_wkb(g, byte_order=1)) for k, g in self.used.items()]
        head = json.dumps({"geoms": [[k, len(b)] for k, b in blobs]}).encode()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f".{self.FILE}.{os.getpid()}.tmp"
            tmp.write_bytes(b"".join([struct.pack("<I", len(head)), head, *(b for _k, b in blobs)]))
            os.replace(tmp, self.dir / self.FILE)
        except OSError:
            pass


def _read_entries(path: Path) -> dict:
    raw = path.read_bytes()
    (n,) = struct.unpack_from("<I", raw)
    meta = json.loads(raw[4:4 + n])
    out, at = {}, 4 + n
    for name, length in meta["geoms"]:
        out[name] = shapely.from_wkb(raw[at:at + length])
        at += length
    return out


KEEP_READS = 32


def load_read(key: str) -> tuple[list, list, list] | None:
    """``(properties, geometry types, geometries)`` of the layer file saved under ``key``, or None."""
    d = cache_dir()
    if d is None:
        return None
    try:
        raw = (d / "read" / f"{key}.bin").read_bytes()
        (n,) = struct.unpack_from("<I", raw)
        meta = json.loads(raw[4:4 + n])
        at, blobs = 4 + n, []
        for length in meta["wkb"]:
            blobs.append(raw[at:at + length] if length else None)
            at += length
        geoms = shapely.from_wkb(blobs).tolist() if blobs else []
        if len(geoms) != len(meta["props"]) or at != len(raw):
            return None
        return meta["props"], meta["types"], geoms
    except (OSError, ValueError, KeyError, TypeError, struct.error, shapely.errors.GEOSException):
        return None


def save_read(key: str, props: list, types: list, geoms: list) -> None:
    """Keep a layer file's clean features under ``key`` (see :func:`load_read`); never fails a build."""
    d = cache_dir()
    if d is None:
        return
    blobs = [b"" if b is None else b for b in shapely.to_wkb(geoms, byte_order=1).tolist()] if geoms else []
    try:
        head = json.dumps({"props": props, "types": types, "wkb": [len(b) for b in blobs]},
                          ensure_ascii=False, allow_nan=True).encode()
        folder = d / "read"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(b"".join([struct.pack("<I", len(head)), head, *blobs]))
        os.replace(tmp, folder / f"{key}.bin")
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_READS:]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass
