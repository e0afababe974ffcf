"""The build and the CLI: exit codes, which pages exist, what each page offers."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.assets import JS_MODULES
from geo.build import build_maps
from geo.maps import page_specs
from geo.pagedata import read_page_data
from geo.plan import load_plan
from geo.registry import load_registry
from geo.topology import QUANTUM

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    report = build_maps(LAYERS, out)
    return out, report


def page_json(path: Path) -> dict:
    data = read_page_data(path)
    assert data, f"{path.name}: no embedded data"
    return data


def test_build_writes_every_page(built):
    out, report = built
    names = sorted(p.name for p in out.glob("*.html"))
    expected = ["agriculture.html", "auto.html", "consumption.html", "culture.html", "dual-carbon.html",
                "economic-circle.html", "four-plates.html", "index.html", "metropolitan-area.html",
                "sci-tech.html", "six-cities.html", "six-pairs.html", "three-plates.html", "timeline.html",
                "two-bases.html"]
    assert names == expected
    assert len(report.written) == len(expected)


def test_overview_offers_exactly_the_six_roles(built):
    out, _ = built
    reg = load_registry(LAYERS)
    data = page_json(out / "six-cities.html")
    six = reg.group("six-cities")
    assert data["page_roles"] == [r.id for r in six]
    assert [f"{r['name_en']} ({r['name_zh']})" for r in data["roles"]] == [r.label for r in six]
    assert len(six) == 6


def test_each_geometry_once_per_page(built):
    out, _ = built
    data = page_json(out / "six-cities.html")
    ids = [f["id"] for f in data["features"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("role", ["auto", "agriculture", "dual-carbon", "sci-tech", "consumption", "culture"])
def test_role_page_shows_only_that_role(built, role):
    out, _ = built
    plan = load_plan(LAYERS)
    data = page_json(out / f"{role}.html")
    assert data["page_roles"] == [role]
    with_roles = {f["id"] for f in data["features"] if f["roles"]}
    assert with_roles == {f.id for f in plan.with_role(role)}
    for f in data["features"]:
        assert all(r["role"] == role for r in f["roles"])
        if not f["roles"]:
            assert f["context"], f"{f['id']} on {role}.html is neither the role's nor context"


def test_economic_circle_page(built):
    out, _ = built
    data = page_json(out / "economic-circle.html")
    assert data["page_roles"] == ["master", "wings", "ring-1", "rays"]
    wings = sorted(f["id"] for f in data["features"] if any(r["role"] == "wings" for r in f["roles"]))
    assert wings == ["220184", "220200"]


def test_index_links_every_map(built):
    out, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    for spec in page_specs(load_plan(LAYERS)):
        assert f'href="{spec.file}"' in text


def test_default_build_links_no_remote_script_or_stylesheet(built):
    out, _ = built
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", text), page.name
        assert not re.search(r"<link[^>]+href=[\"']https?:", text), page.name


def test_cdn_build_links_leaflet(tmp_path):
    build_maps(LAYERS, tmp_path, cdn=True, only={"auto.html"})
    text = (tmp_path / "auto.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="https://[^"]+leaflet\.js"', text)
    ours = sum(len((ROOT / "geo/static/js" / f"{m}.js").read_text()) for m in JS_MODULES)
    assert len(text) < ours + 700_000


def test_cli_build_and_validate_exit_zero(tmp_path):
    r = run("build", "--out", str(tmp_path), "--only", "auto.html")
    assert r.returncode == 0, r.stderr
    assert "auto.html" in r.stdout and "built" in r.stdout
    assert run("validate").returncode == 0


def test_cli_usage_errors_exit_two():
    assert run("no-such-command").returncode == 2
    assert run("build", "--no-such-option").returncode == 2
    r = run("build", "--layers", "/no/such/folder")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_cli_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("build", "validate", "import-boundaries", "watch", "bench"):
        assert cmd in r.stdout


def test_cli_bad_layers_exit_one_and_write_nothing(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    zones = layers / "zones.geojson"
    zones.write_text(zones.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "autos"', 1),
                     encoding="utf-8")
    out = tmp_path / "maps"
    r = run("build", "--layers", str(layers), "--out", str(out))
    assert r.returncode == 1
    assert "autos" in r.stderr and "auto-zone" in r.stderr and "nothing was written" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_import_boundaries_reproduces_committed_layers(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    r = run("import-boundaries", "--layers", str(layers))
    assert r.returncode == 0, r.stderr
    for name in ("counties.geojson", "prefectures.geojson", "other-units.geojson", "province.geojson"):
        assert (layers / name).read_bytes() == (LAYERS / name).read_bytes(), name


@pytest.mark.parametrize("kept_as", ["gpkg", "geojson"])
def test_a_gcj02_layer_is_drawn_in_wgs84(tmp_path, kept_as):
    """A layer of sites in GCJ-02 (pasted from a Chinese map) declared ``datum = "gcj02"``, kept
    as a GeoPackage or as GeoJSON, is validated, converted to WGS-84 and drawn like the WGS-84
    original."""
    import geopandas as gpd

    from geo.datum import wgs84_to_gcj02
    from geo.layerio import read_layer

    layers = tmp_path / "layers"
    shutil.copytree(LAYERS, layers)
    sites = read_layer(layers / "sites.geojson")
    glon, glat = wgs84_to_gcj02([f.geometry.x for f in sites], [f.geometry.y for f in sites])
    if kept_as == "gpkg":
        # list properties (roles, aliases) go in a GeoPackage as JSON text
        rows = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in f.props.items()}
                for f in sites]
        assert any("aliases" in r for r in rows)
        gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy(glon, glat), crs="EPSG:4326").to_file(
            layers / "sites.gpkg", engine="pyogrio")
        (layers / "sites.geojson").unlink()
    else:
        doc = json.loads((layers / "sites.geojson").read_text(encoding="utf-8"))
        for f, x, y in zip(doc["features"], glon, glat):
            f["geometry"]["coordinates"] = [float(x), float(y)]
        (layers / "sites.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    toml = layers / "layers.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'file = "sites.geojson"', f'file = "sites.{kept_as}"\ndatum = "gcj02"'), encoding="utf-8")
    out = tmp_path / "maps"
    r = run("build", "--layers", str(layers), "--out", str(out), "--only", "culture.html")
    assert r.returncode == 0, r.stderr
    drawn = {f["id"]: f["g"]["c"] for f in page_json(out / "culture.html")["features"] if f["layer"] == "sites"}
    assert len(drawn) >= 8
    for f in sites:  # within half a grid step of the page (and the datum round trip's 1e-7 degrees)
        if f.id in drawn:
            lat, lon = drawn[f.id]
            assert abs(lat - f.geometry.y) <= QUANTUM / 2 + 1e-7 and abs(lon - f.geometry.x) <= QUANTUM / 2 + 1e-7, f.id


def test_identical_layers_identical_pages(tmp_path, monkeypatch, built):
    """Two builds of the same layers write the same bytes: no random ids, no dates, stable order."""
    monkeypatch.setenv("GEO_CACHE_DIR", "off")
    build_maps(LAYERS, tmp_path / "again")
    out, _ = built
    pages = sorted(p.name for p in out.glob("*.html"))
    assert len(pages) == len(page_specs(load_plan(LAYERS))) + 1  # and the index
    for name in pages:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
