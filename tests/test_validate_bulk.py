"""A layer of features alike is checked in bulk (geo.validate._clean_in_bulk): it must say exactly
what the loop feature by feature says, in the same order, and note the ids as the loop notes them.
Each case is a layer of 1,000 sites with one site changed; the loop is the same function with the
bulk check turned off."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

import geo.validate
from geo.catalogue import LayerSpec
from geo.layerio import Feature
from geo.registry import load_registry
from geo.signature import property_signature, signature_codes

BASE = Path(__file__).resolve().parent / "broken" / "_base"
SPEC = LayerSpec(id="sites", file="sites.geojson", title_en="Sites", title_zh="点", geometry=("Point",),
                 style="point")
SITE = {"type": "Feature", "properties": {
    "id": "", "name_en": "Site", "name_zh": "点", "kind": "site", "geometry_basis": "schematic",
    "roles": [{"role": "auto", "part": "flagship", "source": "seed002-auto"}], "position_error_m": 1000,
    "description": "a site"}, "geometry": {"type": "Point", "coordinates": [125.3, 43.9]}}
N, ODD = 1000, 500


def _sites(change=None) -> list:
    """N sites, alike but for their ids and places (three roles in turn), ``change(feature)``
    applied to site ODD."""
    feats = []
    for i in range(N):
        f = json.loads(json.dumps(SITE))
        f["properties"]["id"] = f"site-{i}"
        f["properties"]["roles"][0]["role"] = ("auto", "agriculture", "culture")[i % 3]
        f["properties"]["roles"][0]["source"] = f"seed002-{f['properties']['roles'][0]['role']}"
        f["geometry"]["coordinates"] = [125.0 + i / 10_000, 43.8 + i / 20_000]
        feats.append(f)
    if change is not None:
        change(feats[ODD])
    return feats


def _check(feats: list, bulk: bool):
    """(problems, ids noted, derives noted, whether the bulk check took the layer) of one run of
    _validate_rows over ``feats``, as validate_file runs it on a GeoJSON file."""
    data = json.dumps({"type": "FeatureCollection", "features": feats}, allow_nan=True).encode()
    run = geo.validate._Run(geo.validate.MAX_BYTES)
    run.ids["taken"] = ("other.geojson", 1)  # an id of an earlier layer
    path = Path("sites.geojson")
    records = geo.validate._read_geojson(run, path, data)
    run.layers[SPEC.id] = [Feature(props, g, "sites", i - 1) for i, props, g in records]
    reg = load_registry(BASE)
    known = geo.validate.Known(reg.role_ids, tuple(reg.parts), tuple(reg.sources))
    took = []
    real = geo.validate._clean_in_bulk

    def spy(*args):
        took.append(real(*args) if bulk else False)
        return took[-1]

    with mock.patch.object(geo.validate, "_clean_in_bulk", spy):
        problems = geo.validate._validate_rows(run, SPEC, known, records, 0, path)
    assert len(took) == 1
    return problems, list(run.ids.items()), run.derives, took[0]


def _set(key, value):
    def change(f):
        f["properties"][key] = value
    return change


def _drop(key):
    def change(f):
        del f["properties"][key]
    return change


def _role(**entry):
    def change(f):
        f["properties"]["roles"][0].update(entry)
    return change


def _reorder(f):
    f["properties"] = dict(reversed(list(f["properties"].items())))


def _geometry(value):
    def change(f):
        f["geometry"] = value
    return change


# the changes after which some site has something to be said: the bulk check must leave the layer
SAID = {
    "unknown role": _role(role="autos"),
    "unknown source": _role(source="seed002"),
    "dated role": _role(since="2021-13"),
    "role twice": lambda f: f["properties"]["roles"].append(dict(f["properties"]["roles"][0])),
    "odd role entry": lambda f: f["properties"]["roles"].append("auto"),
    "duplicate id": _set("id", "site-7"),
    "id of an earlier layer": _set("id", "taken"),
    "empty id": _set("id", ""),
    "blank id": _set("id", "  "),
    "no id": _drop("id"),
    "number id": _set("id", 12.5),
    "NaN position error": _set("position_error_m", float("nan")),
    "NaN published area": _set("area_published_km2", float("nan")),
    "infinite description": _set("description", float("inf")),
    "true position error": _set("position_error_m", True),
    "text position error": _set("position_error_m", "1000"),
    "blank name": _set("name_zh", " "),
    "no name": _drop("name_en"),
    "unknown kind": _set("kind", "sites"),
    "unknown property": _set("extra", 1),
    "no basis": _drop("geometry_basis"),
    "derive": _set("derive", {"op": "union", "from": ["site-1", "site-2"]}),
    "bad dates": _set("since", "2020-02-30"),
    "no geometry": _geometry(None),
    "swapped position": _geometry({"type": "Point", "coordinates": [43.8, 125.1]}),
    "text coordinate": _geometry({"type": "Point", "coordinates": [125.1, "43.8"]}),
    "a polygon": _geometry({"type": "Polygon", "coordinates": [[[125, 43], [125.1, 43], [125, 43.1], [125, 43]]]}),
}
# changes after which every site is still clean: the bulk check takes the layer
CLEAN = {
    "none": None,
    "keys in another order": _reorder,
    "null description": _set("description", None),
    "number description": _set("description", 3),
    "float published area": _set("area_published_km2", 12.5),
    "dated role": _role(since="2021-08-01"),
    "another known role": _role(role="sci-tech", source="seed002-sci-tech"),
    "float position error": _set("position_error_m", 250.5),
}


@pytest.mark.parametrize("case", sorted(SAID))
def test_a_site_with_something_to_say_gets_the_loops_messages(case):
    feats = _sites(SAID[case])
    problems, ids, derives, took = _check(feats, bulk=True)
    assert not took  # left to the loop ...
    assert (problems, ids, derives) == _check(_sites(SAID[case]), bulk=False)[:3]  # ... which says it all
    assert problems, "the case must have something to say, or it tests nothing"
    assert {p.feature for p in problems} <= {"site-500", "#501", "site-7", "taken"}, problems


@pytest.mark.parametrize("case", sorted(CLEAN))
def test_a_clean_layer_is_taken_in_bulk_with_the_loops_ids(case):
    problems, ids, derives, took = _check(_sites(CLEAN[case]), bulk=True)
    assert took
    assert (problems, ids, derives) == _check(_sites(CLEAN[case]), bulk=False)[:3]
    assert problems == [] and len(ids) == N + 1 and ids[ODD + 1] == ("site-500", ("sites.geojson", ODD + 1))


def test_a_layer_with_an_int_id_is_left_to_the_loop():
    """An id written as a number is taken as its text by the loop: the bulk check leaves it."""
    problems, ids, _, took = _check(_sites(_set("id", 500_000)), bulk=True)
    assert not took and problems == [] and ("500000", ("sites.geojson", ODD + 1)) in ids


@pytest.mark.parametrize("value", [1, 1.0, True, 0.0, -0.0, "1", None, [1], {"a": 1}, float("nan"), 10**30])
@pytest.mark.parametrize("key", ["position_error_m", "kind", "description", "name_en", "roles", "extra"])
def test_signature_codes_group_only_features_of_one_signature(key, value):
    """Features with one code have one signature, whatever the values (the signature tells 1,
    1.0 and True apart; a code may not join what it tells apart)."""
    props = [dict(f["properties"]) for f in _sites()[:6]]
    props[2][key] = value
    props[4][key] = value if not isinstance(value, (list, dict)) else json.loads(json.dumps(value))
    codes = signature_codes(props)
    signatures = [property_signature(p) for p in props]
    if codes is None:
        assert None in signatures
        return
    assert None not in signatures
    for i in range(len(props)):
        for j in range(len(props)):
            if codes[i] == codes[j]:
                assert signatures[i] == signatures[j]
