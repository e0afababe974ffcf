"""geo.jsonkeys parses without its hook only when no object has a key twice: whatever the texts
hold (colons, a colon written as an escape) and wherever the key is repeated."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.jsonkeys import loads

_KEYS = st.sampled_from(["id", "name_en", "roles", "role", "a:b", "since", "type"])
_TEXTS = st.sampled_from(["", "x", "10:30", "https://example.org", "长春", "\\u003a", "\\u003A", "\\\\u003a"])


def _obj(pairs: list) -> str:
    """An object of (key, value text) pairs, as written (a key may come twice)."""
    return "{" + ", ".join(f'"{k}" : {v}' for k, v in pairs) + "}"


_SCALAR = st.one_of(_TEXTS.map(lambda t: f'"{t}"'), st.integers(-3, 3).map(str), st.just("null"))
_ROLE = st.lists(st.tuples(_KEYS, _SCALAR), max_size=3).map(_obj)
_VALUE = st.one_of(_SCALAR, st.lists(_ROLE, max_size=2).map(lambda rs: "[" + ", ".join(rs) + "]"), _ROLE)
_PROPS = st.lists(st.tuples(_KEYS, _VALUE), max_size=4).map(_obj)
_FEATURE = st.tuples(_PROPS, st.lists(st.tuples(_KEYS, _SCALAR), max_size=2)).map(
    lambda pg: _obj([("type", '"Feature"'), ("properties", pg[0]), *pg[1]]))
_DOC = st.lists(_FEATURE, max_size=4).map(
    lambda fs: _obj([("type", '"FeatureCollection"'), ("features", "[" + ", ".join(fs) + "]")]))


def _twice(text: str) -> bool:
    """Whether an object of ``text`` has a key twice (the slow way)."""
    found = []

    def pairs(items):
        if len(dict(items)) != len(items):
            found.append(items)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return bool(found)


@settings(max_examples=500, deadline=None)
@given(_DOC)
@example(_obj([("type", '"FeatureCollection"'), ("features", "[]"), ("a:b", '"\\u003a"'), ("type", "1")]))
def test_the_hook_sees_every_object_with_a_key_twice(text):
    calls = []

    def hook(items):
        calls.append(items)
        return dict(items)

    assert loads(text, hook) == json.loads(text)
    if _twice(text):
        assert calls  # parsed again with the hook, which names the key


def test_a_layer_of_sites_is_parsed_without_the_hook_even_with_colons_in_its_texts():
    from geo.bench.geometry import synthetic_features

    features = synthetic_features("points", 50)
    features[3]["properties"]["description"] = "opened 2024-05-01 10:30; see https://example.org"
    features[4]["properties"]["derive"] = {"op": "union", "from": ["a:b"]}
    calls = []

    def hook(items):
        calls.append(items)
        return dict(items)

    for text in (json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                 json.dumps({"type": "FeatureCollection", "features": features}, indent=2)):
        assert loads(text, hook) == json.loads(text)
    assert not calls
    features[5]["properties"]["role"] = "x"
    text = json.dumps({"type": "FeatureCollection", "features": features}).replace('"role": "x"', '"id": "x"')
    loads(text, hook)
    assert calls
