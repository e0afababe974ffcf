"""The build cache beyond the simplified boundaries: derived geometries (unions, grown plates) and
layer files found clean, each kept under a hash of what it is made of (geo/cache.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import geo.cache
import geo.plan
import geo.validate
from geo.build import build_maps
from geo.errors import ValidationFailed
from geo.validate import validate_layers

LAYERS = Path(__file__).resolve().parent.parent / "layers"
PAGES = {"six-cities.html", "three-plates.html", "four-plates.html"}


def _no(what):
    def fail(*a, **k):
        raise AssertionError(f"{what} again despite the cache")
    return fail


def test_a_warm_build_reads_checks_and_unites_nothing_again(tmp_path, monkeypatch):
    """The second build of unchanged layers parses no file of shapes, checks no shape and makes no union
    or grown plate, and writes the same bytes as a build without any cache."""
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    build_maps(LAYERS, tmp_path / "cold", only=PAGES)
    files = [s for s in geo.plan.load_catalogue(LAYERS).layers if not s.in_database]
    # kept: the files with a shape to check (not those of points or derived features alone)
    shapes = [s for s in files if any((f["geometry"] or {}).get("type", "Point") != "Point" for f in json.loads(
        (LAYERS / s.file).read_text(encoding="utf-8"))["features"])]
    assert len(list((tmp_path / "cache" / "read").glob("*.bin"))) == len(shapes) >= 4
    with monkeypatch.context() as m:
        parse, kept = geo.validate._read_geojson, {Path(s.file).name for s in shapes}

        def parse_points_only(run, path, data):
            if path.name in kept:
                raise AssertionError("parsed again despite the cache")
            return parse(run, path, data)

        m.setattr(geo.validate, "_read_geojson", parse_points_only)
        m.setattr(geo.validate, "check_geometry", _no("geometry checked"))
        m.setattr(geo.plan, "union_of", _no("united"))
        m.setattr(geo.plan, "grow_to_area", _no("grown"))
        build_maps(LAYERS, tmp_path / "warm", only=PAGES)
        monkeypatch.setenv("GEO_CACHE_DIR", "off")
        with pytest.raises(ValidationFailed) as failed:  # the validator's safety net catches the check's error
            build_maps(LAYERS, tmp_path / "fails", only=PAGES)
        assert sum("parsed again despite the cache" in p.message for p in failed.value.problems) == len(shapes)
    build_maps(LAYERS, tmp_path / "off", only=PAGES)
    for page in PAGES:
        cold = (tmp_path / "cold" / page).read_bytes()
        assert (tmp_path / "warm" / page).read_bytes() == cold, page
        assert (tmp_path / "off" / page).read_bytes() == cold, page


def test_a_file_found_clean_is_still_checked_against_todays_registry(tmp_path, monkeypatch):
    """The cache keeps a file's geometry checks, not its properties': a source renamed in
    sources.toml is an error on every feature that cites the old name, cached or not."""
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    assert [p for p in validate_layers(layers) if p.level == "error"] == []
    sources = layers / "sources.toml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("[seed002-auto]", "[seed002-auto-renamed]"),
                       encoding="utf-8")
    warm = [str(p) for p in validate_layers(layers)]
    monkeypatch.setenv("GEO_CACHE_DIR", "off")
    assert warm == [str(p) for p in validate_layers(layers)]
    assert any("counties.geojson" in p and "unknown source 'seed002-auto'" in p for p in warm)


def test_an_edited_file_is_read_and_checked_again(tmp_path, monkeypatch):
    """A file's entry is keyed by its bytes: a boundary that now crosses itself is reported."""
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    assert [p for p in validate_layers(layers) if p.level == "error"] == []
    path = layers / "counties.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    unit = doc["features"][0]
    unit["geometry"] = {"type": "Polygon", "coordinates": [[[125.0, 43.8], [125.2, 44.0], [125.2, 43.8],
                                                            [125.0, 44.0], [125.0, 43.8]]]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    errors = [p for p in validate_layers(layers) if p.level == "error"]
    assert ("counties.geojson", unit["properties"]["id"], "invalid Polygon") in [
        (Path(p.file).name, p.feature, p.message.split(":")[0]) for p in errors]


def test_warnings_are_given_every_time(tmp_path, monkeypatch):
    """A file with a warning is not kept: the warning comes back on every validation."""
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    path = layers / "zones.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a byte-order mark: a warning
    first = [str(p) for p in validate_layers(layers)]
    assert any("byte-order mark" in p for p in first)
    assert [str(p) for p in validate_layers(layers)] == first


def test_a_damaged_cache_is_ignored(tmp_path, monkeypatch):
    """Entries cut short or overwritten with noise are read as misses: the same pages."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GEO_CACHE_DIR", str(cache))
    build_maps(LAYERS, tmp_path / "cold", only={"six-cities.html"})
    entries = sorted((cache / "read").glob("*.bin")) + [cache / "derived.bin"]
    assert len(entries) > 2
    for i, entry in enumerate(entries):
        raw = entry.read_bytes()
        entry.write_bytes(raw[: len(raw) // 2] if i % 2 else b"\x10\x00\x00\x00{not json at all}" + raw[:40])
    geo.cache.Derived._memory = {}  # as a new process finds it
    build_maps(LAYERS, tmp_path / "again", only={"six-cities.html"})
    assert (tmp_path / "again" / "six-cities.html").read_bytes() == (tmp_path / "cold" / "six-cities.html").read_bytes()
