"""Parsing a layer's JSON quickly while still finding a key written twice in an object.

``json.loads`` with an ``object_pairs_hook`` sees every key, so a duplicate can be named, but
it calls Python once per object: for a layer of 100,000 sites, 400,000 calls, a third of the
parse. :func:`loads` parses without the hook and counts keys instead. Every key of the text is
followed by its own colon, so the text's colons are at least its keys, which are at least the
keys of the parsed objects (a key twice is kept once). When the colons are no more than the
keys of the objects it counts (those of the features, their properties, role entries and
geometries), nothing is written twice. When they are more (a text with a colon in it, or a key
twice), the colons inside those objects' texts are taken off; only if that does not settle it
is the text parsed again with the hook, which names the key.
"""

from __future__ import annotations

import json
from itertools import chain, repeat

__all__ = ["loads"]


def loads(text: str, object_pairs_hook):
    """``json.loads(text, object_pairs_hook=object_pairs_hook)``, with the hook called only when
    a key may be written twice in an object (the hook must return the dict of the pairs)."""
    doc = json.loads(text)
    colons = text.count(":")
    objects = _objects(doc)
    keys = sum(map(len, objects))
    if colons == keys:
        return doc
    # ":" written as an escape would be a colon in a parsed text but not in the file's text
    if "\\u003a" not in text and "\\u003A" not in text and colons - _colons_inside(objects) == keys:
        return doc
    return json.loads(text, object_pairs_hook=object_pairs_hook)


def _dicts(values) -> list:
    return [v for v in values if type(v) is dict]


def _objects(doc) -> list[dict]:
    """Objects of a parsed GeoJSON document (not always all of them): the document, its
    features, their properties, geometries, role entries and derive objects."""
    if type(doc) is not dict:
        return []
    features = doc.get("features")
    features = _dicts(features) if type(features) is list else []
    props = _dicts(map(dict.get, features, repeat("properties")))
    roles = [r for rs in map(dict.get, props, repeat("roles")) if type(rs) is list for r in rs if type(r) is dict]
    return [doc, *features, *props, *_dicts(map(dict.get, features, repeat("geometry"))), *roles,
            *_dicts(map(dict.get, props, repeat("derive")))]


def _colons_inside(objects: list[dict]) -> int:
    """The colons in the keys of ``objects``, in their values that are texts and in the texts of
    their values that are lists (aliases, derive.from)."""
    values = list(chain.from_iterable(map(dict.values, objects)))
    texts = chain(chain.from_iterable(objects), (v for v in values if type(v) is str),
                  (t for v in values if type(v) is list for t in v if type(t) is str))
    return sum(t.count(":") for t in texts)
