"""The validator: the broken-layers corpus (tests/broken), the real layers, the CLI, and fuzzing.

Each tests/broken/<case>/ holds the files that replace or join tests/broken/_base/ for one
failure, and expected.txt (see tests/broken/make_cases.py). Every case runs as
``python -m geo validate --layers <folder>`` in its own subprocess; the subprocesses run
concurrently (started by one module fixture) so the corpus stays quick.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo.validate
from geo.validate import Problem, validate_file, validate_layers, validate_report

REPO = Path(__file__).resolve().parent.parent
BROKEN = REPO / "tests" / "broken"
BASE = BROKEN / "_base"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


def expected(case: str) -> dict:
    """expected.txt as {"file": str, "feature": str, "expect": [..], "also": [..], "args": [..]}."""
    out = {"file": "", "feature": "", "expect": [], "also": [], "args": []}
    for line in (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key in ("expect", "also"):
            out[key].append(value)
        elif key == "args":
            out["args"] = value.split()
        elif key in out:
            out[key] = value
    return out


def make_layers(dest: Path, case: str | None = None) -> Path:
    """A copy of the good base with the case's files dropped in."""
    shutil.copytree(BASE, dest)
    if case:
        for f in (BROKEN / case).iterdir():
            if f.name != "expected.txt":
                shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")

    def run(case):
        folder = make_layers(root / case, case)
        return case, folder, run_cli("validate", "--layers", str(folder), *expected(case)["args"])

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return {case: (folder, proc) for case, folder, proc in pool.map(run, CASES)}


def test_corpus_covers_enough_failure_kinds():
    assert len(CASES) >= 32
    for case in CASES:
        exp = expected(case)
        assert exp["file"] and exp["expect"], f"{case}/expected.txt names no file or no expected text"


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case, corpus_runs):
    folder, proc = corpus_runs[case]
    exp = expected(case)
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr, proc.stderr
    assert proc.returncode == 1, f"exit {proc.returncode}\n{out}{proc.stderr}"
    lines = out.splitlines()
    assert lines[-1].endswith("files") and "error" in lines[-1]
    hits = [line for line in lines if all(e in line for e in exp["expect"])]
    assert hits, f"no line contains all of {exp['expect']}:\n{out}"
    line = hits[0]
    assert line.startswith(f"{folder / exp['file']}: "), line
    if exp["feature"]:
        assert f": {exp['feature']}: " in line, line
    assert ": error: " in line, line
    assert "(hint: " in line, line
    for also in exp["also"]:
        assert also in out, f"{also!r} not in:\n{out}"


def test_base_is_clean(tmp_path):
    proc = run_cli("validate", "--layers", str(make_layers(tmp_path / "layers")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "0 errors, 0 warnings in 6 files"


def test_real_layers_are_clean():
    proc = run_cli("validate")  # --layers defaults to ./layers
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("0 errors, ")
    assert [p for p in validate_layers(REPO / "layers") if p.level == "error"] == []


def test_strict_turns_a_warning_into_exit_1(tmp_path):
    folder = make_layers(tmp_path / "layers", "no-role")
    loose = run_cli("validate", "--layers", str(folder))
    assert loose.returncode == 0, loose.stdout
    assert ": warning: no role" in loose.stdout
    assert loose.stdout.splitlines()[-1] == "0 errors, 1 warning in 6 files"
    strict = run_cli("validate", "--layers", str(folder), "--strict")
    assert strict.returncode == 1
    assert ": error: no role" in strict.stdout
    assert strict.stdout.splitlines()[-1] == "1 error, 0 warnings in 6 files"


def test_help():
    proc = run_cli("validate", "--help")
    assert proc.returncode == 0
    assert "--layers" in proc.stdout and "--strict" in proc.stdout and "--max-bytes" in proc.stdout


@pytest.mark.parametrize("args", [["--layers", "no/such/folder"], ["--max-bytes", "0"], ["--bogus"]])
def test_usage_errors_exit_2(args):
    proc = run_cli("validate", *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Usage:" in proc.stderr or "Error" in proc.stderr


def test_folder_without_catalogue_or_registry(tmp_path):
    (tmp_path / "stray.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    problems = validate_layers(tmp_path)
    text = "\n".join(p.line() for p in problems)
    assert f"{tmp_path / 'layers.toml'}: error: file not found" in text
    assert f"{tmp_path / 'roles.toml'}: error: file not found" in text
    assert validate_layers(tmp_path / "missing")[0].message == "layers folder not found"


def test_problem_line():
    p = Problem(
        "error", "layers/zones.geojson", "auto-zone", "roles[0].role", "unknown role 'x'", "did you mean"
    )
    assert (
        p.line()
        == "layers/zones.geojson: auto-zone: roles[0].role: error: unknown role 'x' (hint: did you mean)"
    )
    assert Problem("warning", "layers/a.geojson", message="m").line() == "layers/a.geojson: warning: m"
    odd = Problem("error", "f", "a\nb", "", "two\nlines\u2028and \ud800 a surrogate\x00", "")
    assert len(odd.line().splitlines()) == 1
    odd.line().encode("utf-8")  # no lone surrogates left


def test_strict_makes_every_problem_an_error(tmp_path):
    folder = make_layers(tmp_path / "layers", "schematic-no-position-error")
    assert {p.level for p in validate_layers(folder)} == {"warning"}
    assert {p.level for p in validate_layers(folder, strict=True)} == {"error"}


def test_an_unexpected_exception_becomes_a_problem(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(geo.validate, "check_properties", boom)
    problems = validate_layers(make_layers(tmp_path / "layers"))
    assert any(p.message == "could not check: RuntimeError: a bug" for p in problems)
    assert len({p.file for p in problems if "could not check" in p.message}) == 3  # every layer still tried


def test_geopackage_with_a_datum_is_checked(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    folder = make_layers(tmp_path / "layers")
    props = {
        "id": "faw-museum",
        "name_en": "FAW museum",
        "name_zh": "一汽博物馆",
        "geometry_basis": "schematic",
        "position_error_m": 500,
        "roles": json.dumps([{"role": "auto", "part": "site", "source": "seed003-blocks"}]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gpd.GeoDataFrame([props], geometry=[Point(125.2161, 43.8589)], crs="EPSG:4326").to_file(
            folder / "sites.gpkg"
        )
        gpd.GeoDataFrame([{**props, "id": "nowhere"}], geometry=[Point(125.2, 43.8)]).to_file(
            folder / "nocrs.gpkg"
        )
    toml = folder / "layers.toml"
    toml.write_text(
        toml.read_text() + '\n[[layer]]\nid = "sites"\nfile = "sites.gpkg"\ngeometry = ["Point"]\n'
        'style = "point"\ndatum = "gcj02"\n'
    )
    assert validate_layers(folder) == [
        Problem(
            "warning",
            str(folder / "nocrs.gpkg"),
            message=("not listed in layers.toml, so no map shows it"),
            hint="add a [[layer]] for it, or move it out of the layers folder",
        )
    ]
    toml.write_text(toml.read_text().replace('"sites.gpkg"', '"nocrs.gpkg"'))
    assert [p.message for p in validate_layers(folder) if p.level == "error"] == [
        "no CRS declared (save it again with a CRS, e.g. EPSG:4326 in QGIS)"
    ]


# ---------------------------------------------------------------------------------------------
# fuzzing: whatever is in a layer file, validate_layers returns Problems and never raises

LAYER_FILES = ["units.geojson", "zones.geojson", "corridors.geojson"]
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
numbers = (
    st.floats(min_value=120, max_value=133)
    | st.floats(min_value=39, max_value=48)
    | st.floats()
    | st.integers()
    | st.sampled_from([10**400, -(10**400), True, 0])
)
coords = st.recursive(st.lists(numbers, max_size=4), lambda inner: st.lists(inner, max_size=5), max_leaves=24)
lonlat = st.tuples(st.floats(min_value=125.0, max_value=125.6), st.floats(min_value=43.6, max_value=44.2))
rings = st.lists(lonlat, min_size=3, max_size=7).map(lambda pts: [[*map(list, pts), list(pts[0])]])
geometries = (
    st.none()
    | json_values
    | st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "Point",
                    "MultiPoint",
                    "LineString",
                    "MultiLineString",
                    "Polygon",
                    "MultiPolygon",
                    "GeometryCollection",
                    "Pt",
                ]
            )
        },
        optional={"coordinates": coords},
    )
    | st.builds(lambda r: {"type": "Polygon", "coordinates": r}, rings)
    | st.builds(lambda r: {"type": "MultiPolygon", "coordinates": [r, r]}, rings)
)
ids = st.sampled_from(["220103", "220104", "auto-zone", "central-belt", "x", "", " "]) | json_values
# dates as the data writes them, and not quite (issue 8: since/until on roles and boundaries)
dates = st.sampled_from(["2021-12-28", "2020-06", "2018", "2021-13", "2020-02-30", "soon", "2019-1"]) | json_values
roles = json_values | st.lists(
    json_values
    | st.fixed_dictionaries(
        {},
        optional={
            "role": st.sampled_from(["auto", "autos", "rays"]) | json_values,
            "part": st.sampled_from(["flagship", "core", "nope"]) | json_values,
            "source": st.sampled_from(["seed002-auto", "seed002-autos"]) | json_values,
            "since": dates,
            "until": dates,
        },
    ),
    max_size=3,
)
derives = json_values | st.fixed_dictionaries(
    {},
    optional={
        "op": st.sampled_from(["union", "line", "buffer"]) | json_values,
        "from": st.lists(ids, max_size=4) | json_values,
    },
)
properties = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "name_en": st.text(max_size=5) | json_values,
        "name_zh": st.text(max_size=5) | json_values,
        "kind": st.sampled_from(["zone", "site", "district"]) | json_values,
        "geometry_basis": st.sampled_from(["official", "derived", "schematic", "surveyed"]) | json_values,
        "roles": roles,
        "derive": derives,
        "schematic_area_km2": numbers | json_values,
        "position_error_m": numbers | json_values,
    },
)
features = json_values | st.fixed_dictionaries(
    {"type": st.just("Feature")},
    optional={"properties": properties | json_values, "geometry": geometries, "id": ids},
)
collections = st.fixed_dictionaries(
    {"type": st.just("FeatureCollection"), "features": st.lists(features, max_size=5)},
    optional={"crs": json_values, "name": st.text(max_size=5)},
)


@pytest.fixture(scope="module")
def fuzz_layers(tmp_path_factory):
    return make_layers(tmp_path_factory.mktemp("fuzz") / "layers")


def check_run(folder: Path, name: str, data: bytes) -> None:
    original = (BASE / name).read_bytes()
    (folder / name).write_bytes(data)
    try:
        report = validate_report(folder, max_bytes=100_000)
    finally:
        (folder / name).write_bytes(original)
    assert all(isinstance(p, Problem) and p.level in ("error", "warning") for p in report.problems)
    for p in report.problems:
        line = p.line()
        assert len(line.splitlines()) == 1 and line.encode("utf-8")
    assert report.summary().endswith("in 6 files")


fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(name=st.sampled_from(LAYER_FILES), doc=collections)
def test_fuzz_feature_collections(fuzz_layers, name, doc):
    check_run(fuzz_layers, name, json.dumps(doc, allow_nan=True).encode())


@fuzz
@given(name=st.sampled_from(LAYER_FILES), doc=json_values)
def test_fuzz_json_values(fuzz_layers, name, doc):
    check_run(fuzz_layers, name, json.dumps(doc, allow_nan=True).encode())


@fuzz
@given(
    name=st.sampled_from(LAYER_FILES),
    data=st.binary(max_size=300),
    at=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=40),
)
def test_fuzz_bytes(fuzz_layers, name, data, at, cut):
    original = (BASE / name).read_bytes()
    i = int(at * len(original))
    check_run(fuzz_layers, name, original[:i] + data + original[i + cut :])
    check_run(fuzz_layers, name, data)


def one_by_one_report(folder: Path):
    """validate_report with the bulk paths off: every feature checked by itself."""
    import numpy as np

    with mock.patch.object(geo.validate, "property_signature", lambda props: None), \
            mock.patch.object(geo.validate, "_clean_in_bulk", lambda *args: False), \
            mock.patch.object(geo.validate, "good_points",
                              lambda geoms, allowed, made=None: np.zeros(len(geoms), bool)):
        return validate_report(folder)


def same_problems(folder: Path) -> list:
    bulk = validate_report(folder).problems
    assert bulk == one_by_one_report(folder).problems
    return list(bulk)


point_geometries = st.builds(lambda p: {"type": "Point", "coordinates": list(p)}, lonlat)
variant_keys = st.sampled_from(["id", "name_en", "name_zh", "kind", "geometry_basis", "roles", "description",
                                "position_error_m", "schematic_area_km2", "area_published_km2", "derive",
                                "geometry", "extra", "since", "until", "dates_source"])
variant_values = json_values | numbers | ids | point_geometries | roles | dates


@fuzz
@given(name=st.sampled_from(LAYER_FILES), base=features, point=point_geometries,
       variants=st.lists(st.tuples(variant_keys, variant_values), max_size=6))
def test_fuzz_bulk_checks_say_what_one_by_one_checks_say(fuzz_layers, name, base, point, variants):
    """Points checked in bulk and properties checked once per signature give the very problems,
    in the very order, of checking each feature by itself: features alike but for one value."""
    if isinstance(base, dict) and not isinstance(base.get("properties"), dict):
        base = {**base, "properties": {}}
    feats = [base, {**base, "geometry": point}] if isinstance(base, dict) else [base]
    for key, value in variants:
        if isinstance(base, dict):
            feat = json.loads(json.dumps(base))
            if key == "geometry":
                feat["geometry"] = value
            else:
                feat["properties"][key] = value
            feats.append(feat)
    doc = {"type": "FeatureCollection", "features": feats + feats}
    original = (BASE / name).read_bytes()
    (fuzz_layers / name).write_bytes(json.dumps(doc, allow_nan=True).encode())
    try:
        same_problems(fuzz_layers)
    finally:
        (fuzz_layers / name).write_bytes(original)


def test_bulk_checks_name_each_odd_site_among_thousands(tmp_path):
    folder = make_layers(tmp_path / "layers")
    site = {"type": "Feature", "properties": {
        "id": "", "name_en": "Site", "name_zh": "点", "kind": "zone", "geometry_basis": "schematic",
        "roles": [{"role": "auto", "part": "flagship", "source": "seed002-auto"}], "position_error_m": 1,
        "schematic_area_km2": 2, "description": "a site"}, "geometry": {"type": "Point", "coordinates": [125.3, 43.9]}}
    feats = []
    for i in range(3000):
        f = json.loads(json.dumps(site))
        f["properties"]["id"] = f"site-{i}"
        f["geometry"]["coordinates"] = [125.0 + i / 10_000, 43.8]
        feats.append(f)
    odd = {100: ("position_error_m", True), 200: ("name_zh", " "), 300: ("area_published_km2", float("nan")),
           400: ("schematic_area_km2", 0), 500: ("id", "site-7"), 600: ("kind", "zones"),
           700: ("roles", [{"role": "autos", "part": "flagship", "source": "seed002-auto"}]),
           1000: ("roles", [{"role": "auto", "part": "flagship", "source": "seed002-auto", "since": "2021-13"}]),
           1100: ("since", "2020-02-30")}
    for i, (key, value) in odd.items():
        feats[i]["properties"][key] = value
    for f in feats[2000:2500]:  # dated sites, alike: checked once per distinct dates
        f["properties"]["roles"][0]["since"] = "2025-08-05"
    feats[2600]["properties"]["roles"][0].update(since="2025-08", until="2021")
    feats[800]["geometry"]["coordinates"] = [43.8, 125.1]
    feats[900]["geometry"]["coordinates"] = [125.1, "43.8"]
    zones = json.loads((folder / "zones.geojson").read_text(encoding="utf-8"))
    zones["features"] += feats
    (folder / "zones.geojson").write_text(json.dumps(zones, allow_nan=True), encoding="utf-8")
    problems = same_problems(folder)
    said = {(p.feature, p.prop) for p in problems}
    assert said == {("site-100", "position_error_m"), ("site-200", "name_zh"), ("site-300", "area_published_km2"),
                    ("site-400", "schematic_area_km2"), ("site-7", "id"), ("site-600", "kind"),
                    ("site-700", "roles[0].role"), ("site-800", "geometry"), ("site-900", "geometry"),
                    ("site-1000", "roles[0].since"), ("site-1100", "since"), ("site-1100", "dates_source"),
                    ("site-2600", "roles[0].until")}, problems


def test_validate_file_alone():
    from geo.catalogue import load_catalogue
    from geo.registry import load_registry

    spec = next(s for s in load_catalogue(BASE).layers if s.id == "zones")
    assert validate_file(BASE / "zones.geojson", spec, load_registry(BASE)) == []
    problems = validate_file(BROKEN / "unknown-role" / "zones.geojson", spec, load_registry(BASE))
    assert [(p.feature, p.prop, p.message) for p in problems] == [
        ("auto-zone", "roles[0].role", "unknown role 'autos'")
    ]


def test_shapefile_field_names_cut_to_ten_characters_are_read_back(tmp_path):
    """A Shapefile keeps 10 characters of a field name; the reader gives the schema's names back."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.layerio import read_layer

    gdf = gpd.GeoDataFrame(
        {"id": ["s1"], "name_en": ["A site"], "name_zh": ["一处"], "geometry_basis": ["schematic"],
         "position_error_m": [500], "roles": ['[{"role": "auto", "part": "site", "source": "seed002-auto"}]']},
        geometry=[Point(125.3, 43.9)], crs="EPSG:4326")
    path = tmp_path / "sites.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # geopandas and GDAL both warn that they cut the names
        gdf.to_file(path, engine="pyogrio")
    (f,) = read_layer(path)
    assert f.props["geometry_basis"] == "schematic"
    assert f.props["position_error_m"] == 500 and isinstance(f.props["position_error_m"], int)
    assert f.props["roles"][0]["role"] == "auto"
    assert "geometry_b" not in f.props

