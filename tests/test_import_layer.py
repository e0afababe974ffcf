"""``import-layer``: GeoPackage, Shapefile and GeoJSON sources in, WGS-84 GeoJSON layers out.

Sources are written here with geopandas (pyogrio) in UTM zone 51N, the zone Changchun lies in;
the imported coordinates must equal pyproj's transform to 1e-7 degrees. Coordinates pasted from
a Chinese map service (GCJ-02, BD-09) must land within a metre of the true WGS-84 position.
The command runs in-process through ``geo.cli.main``.
"""

from __future__ import annotations

import json
import shutil
import tomllib
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point

from geo.cli import main
from geo.datum import gcj02_to_bd09, wgs84_to_gcj02

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
UTM51N = "EPSG:32651"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM51N, always_xy=True)
TO_WGS84 = Transformer.from_crs(UTM51N, "EPSG:4326", always_xy=True)

#: Two places in Changchun (WGS-84 lon, lat): People's Square and the FAW museum's area.
PLACES = [("square", 125.324470, 43.886790), ("faw", 125.262110, 43.842650)]


@pytest.fixture
def layers(tmp_path) -> Path:
    dest = tmp_path / "layers"
    shutil.copytree(LAYERS, dest)
    return dest


def props(i: int, key: str, **extra) -> dict:
    return {"id": f"import-{key}", "name_en": f"Place {i}", "name_zh": f"地点{i}", "kind": "site",
            "roles": json.dumps([{"role": "culture", "part": "site", "source": "seed003-blocks"}]), **extra}


def utm_frame(**extra) -> gpd.GeoDataFrame:
    """The two places as points in UTM 51N, with a JSON ``roles`` column."""
    rows, geoms = [], []
    for i, (key, lon, lat) in enumerate(PLACES):
        rows.append(props(i, key, **extra))
        geoms.append(Point(*TO_UTM.transform(lon, lat)))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM51N)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["import-layer", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def coords(path: Path) -> dict[str, tuple[float, float]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    return {f["properties"]["id"]: tuple(f["geometry"]["coordinates"]) for f in doc["features"]}


def metres(a, b) -> float:
    return Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_utm_source_is_reprojected_to_wgs84(tmp_path, layers, capsys, suffix):
    frame = utm_frame()
    src = tmp_path / f"places{suffix}"
    frame.to_file(src, engine="pyogrio")
    code, out, err = run(capsys, src, "--as", "places.geojson", "--layers", layers)
    assert code == 0, err
    assert f"wrote {layers / 'places.geojson'}: 2 features in WGS-84" in out
    got = coords(layers / "places.geojson")
    for (key, _, _), geom in zip(PLACES, frame.geometry):
        expected = TO_WGS84.transform(geom.x, geom.y)
        assert got[f"import-{key}"] == pytest.approx(expected, abs=1e-7)
    doc = json.loads((layers / "places.geojson").read_text(encoding="utf-8"))
    roles = [f["properties"]["roles"] for f in doc["features"]]
    assert roles == [[{"role": "culture", "part": "site", "source": "seed003-blocks"}]] * 2  # parsed, not a string


@pytest.mark.parametrize("datum, forward", [
    ("gcj02", wgs84_to_gcj02),
    ("bd09", lambda lon, lat: gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))),
])
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_chinese_datum_source_lands_within_a_metre(tmp_path, layers, capsys, datum, forward, suffix):
    rows, geoms = [], []
    for i, (key, lon, lat) in enumerate(PLACES):
        rows.append(props(i, key))
        geoms.append(Point(*(float(v) for v in forward(lon, lat))))
    src = tmp_path / f"pasted{suffix}"
    gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326").to_file(src, engine="pyogrio")
    pasted = {f"import-{key}": (g.x, g.y) for (key, _, _), g in zip(PLACES, geoms)}
    code, out, err = run(capsys, src, "--as", "pasted.geojson", "--layers", layers, "--source-datum", datum)
    assert code == 0, err
    assert f"converted from {datum.upper()} to WGS-84" in out
    got = coords(layers / "pasted.geojson")
    for key, lon, lat in PLACES:
        assert metres(got[f"import-{key}"], (lon, lat)) < 1.0
        assert metres(pasted[f"import-{key}"], (lon, lat)) > 100  # the offset was real


def test_geojson_with_a_crs_member_is_reprojected(tmp_path, layers, capsys):
    frame = utm_frame()
    doc = json.loads(frame.to_json())
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32651"}}
    src = tmp_path / "legacy.geojson"
    src.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(capsys, src, "--as", "legacy.geojson", "--layers", layers)
    assert code == 0, err
    got = coords(layers / "legacy.geojson")
    for (key, _, _), geom in zip(PLACES, frame.geometry):
        assert got[f"import-{key}"] == pytest.approx(TO_WGS84.transform(geom.x, geom.y), abs=1e-7)


def test_source_without_crs_fails_naming_the_file(tmp_path, layers, capsys):
    src = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):  # pyogrio warns that the file has no CRS
        utm_frame().set_crs(None, allow_override=True).to_file(src, engine="pyogrio")
    assert not src.with_suffix(".prj").exists()
    code, _, err = run(capsys, src, "--as", "nocrs.geojson", "--layers", layers)
    assert code == 1
    assert str(src) in err and "no CRS" in err
    assert not (layers / "nocrs.geojson").exists()


def test_existing_layer_is_kept_without_force(tmp_path, layers, capsys):
    src = tmp_path / "places.gpkg"
    utm_frame(geometry_basis="schematic", position_error_m=500).to_file(src, engine="pyogrio")
    target = layers / "sites.geojson"
    before = target.read_bytes()
    code, _, err = run(capsys, src, "--as", "sites.geojson", "--layers", layers)
    assert code == 1
    assert "exists" in err and "--force" in err
    assert target.read_bytes() == before
    assert not list(layers.glob(".*.tmp"))
    code, _, err = run(capsys, src, "--as", "sites.geojson", "--layers", layers, "--force")
    assert code == 0, err
    assert set(coords(target)) == {"import-square", "import-faw"}


def test_unlisted_layer_prints_the_entry_to_paste(tmp_path, layers, capsys):
    src = tmp_path / "places.gpkg"
    utm_frame().to_file(src, engine="pyogrio")
    code, out, _ = run(capsys, src, "--as", "heritage-sites.geojson", "--layers", layers)
    assert code == 0
    assert "not listed in" in out
    entry = tomllib.loads(out[out.index("[[layer]]"):])["layer"][0]
    assert entry["file"] == "heritage-sites.geojson" and entry["id"] == "heritage-sites"
    assert entry["geometry"] == ["Point"] and entry["style"] == "point"


def listed(layers: Path, name: str) -> None:
    with open(layers / "layers.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[[layer]]\nid = "{Path(name).stem}"\nfile = "{name}"\ntitle_en = "Imported"\n'
                 'title_zh = "导入"\ngeometry = ["Point"]\nstyle = "point"\n')


def test_listed_layer_is_validated(tmp_path, layers, capsys):
    listed(layers, "places.geojson")
    src = tmp_path / "places.gpkg"
    utm_frame(geometry_basis="schematic", position_error_m=500).to_file(src, engine="pyogrio")
    code, out, err = run(capsys, src, "--as", "places.geojson", "--layers", layers)
    assert code == 0, out + err
    assert "passes validation" in out
    assert "[[layer]]" not in out


def test_listed_layer_with_errors_is_reported(tmp_path, layers, capsys):
    listed(layers, "places.geojson")
    frame = utm_frame(geometry_basis="schematic", position_error_m=500)
    frame.loc[1, "roles"] = json.dumps([{"role": "atuo", "part": "site", "source": "seed003-blocks"}])
    src = tmp_path / "places.gpkg"
    frame.to_file(src, engine="pyogrio")
    code, _, err = run(capsys, src, "--as", "places.geojson", "--layers", layers)
    assert code == 1
    assert f"{layers / 'places.geojson'}: import-faw: roles" in err and "atuo" in err
    assert "was written" in err
    assert (layers / "places.geojson").exists()


def test_shapefile_truncated_names_are_restored(tmp_path, layers, capsys):
    src = tmp_path / "cut.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL says it cut the names: that is the point
        utm_frame(geometry_basis="schematic", position_source="estimate").to_file(src, engine="pyogrio")
    code, _, err = run(capsys, src, "--as", "cut.geojson", "--layers", layers)
    assert code == 0, err
    doc = json.loads((layers / "cut.geojson").read_text(encoding="utf-8"))
    p = doc["features"][0]["properties"]
    assert p["geometry_basis"] == "schematic" and p["position_source"] == "estimate"
    assert "geometry_b" not in p


@pytest.mark.parametrize("name", ["../escape.geojson", "places.gpkg", ".hidden.geojson"])
def test_target_must_be_a_plain_geojson_name(tmp_path, layers, capsys, name):
    src = tmp_path / "places.gpkg"
    utm_frame().to_file(src, engine="pyogrio")
    assert run(capsys, src, "--as", name, "--layers", layers)[0] == 2
    assert not (tmp_path / "escape.geojson").exists()
