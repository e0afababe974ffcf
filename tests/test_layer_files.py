"""Layer files as people really save them, and what must never be read.

* GeoJSON written by GDAL (pyogrio, its default options, as QGIS "Save as GeoJSON" does) has a
  ``crs`` member naming CRS84: a warning, and it builds; any other CRS is refused by name; the
  tool's own rewrites (import-layer, db pull) leave the member out.
* A ``file`` in layers.toml that resolves outside the layers folder is refused, never read.
* The build draws the documents validation checked: a file saved in between does not slip in.
* A duplicated role id is one error, not one per feature that uses the role it replaced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyogrio
import pytest

import geo.validate
from geo.build import build_maps
from geo.cache import cache_dir
from geo.catalogue import load_catalogue
from geo.cli import main
from geo.errors import DataError
from geo.layerio import read_layer
from geo.pagedata import read_page_data
from geo.plan import load_plan
from geo.validate import validate_report


def page_names(path: Path) -> list[str]:
    """The Chinese names of the features a built page holds (its data is packed)."""
    return [f["name_zh"] for f in read_page_data(path)["features"]]


REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"


@pytest.fixture
def layers(tmp_path) -> Path:
    return shutil.copytree(LAYERS, tmp_path / "layers")


def gdal_copy(src: Path, dest: Path, crs: str | None = None) -> Path:
    """``src`` read and written again by GDAL through pyogrio with its default options.

    GDAL reads a JSON array of strings (``aliases``) as a string list and writes it back as a
    JSON array (so QGIS and ogr2ogr do); pyogrio without pyarrow cannot write string lists and
    would write their Python repr, so those are put back as GDAL writes them."""
    frame = pyogrio.read_dataframe(src)
    if crs:
        frame = frame.to_crs(crs)
    pyogrio.write_dataframe(frame, dest)
    lists = [{k: v for k, v in f["properties"].items() if isinstance(v, list) and all(isinstance(x, str) for x in v)}
             for f in json.loads(src.read_text(encoding="utf-8"))["features"]]
    if any(lists):
        doc = json.loads(dest.read_text(encoding="utf-8"))
        for f, keep in zip(doc["features"], lists):
            f["properties"].update(keep)
        dest.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return dest


def lines(layers: Path) -> list[str]:
    return [p.line() for p in validate_report(layers).problems]


# ---------------------------------------------------------------------------------------------
# GeoJSON saved by QGIS / GDAL

def test_gdal_writes_a_crs84_member_by_default(tmp_path):
    doc = json.loads(gdal_copy(LAYERS / "zones.geojson", tmp_path / "zones.geojson").read_text())
    assert doc["crs"] == {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}


def test_a_layer_saved_by_gdal_validates_with_a_warning_and_builds(layers, tmp_path):
    gdal_copy(LAYERS / "zones.geojson", layers / "zones.geojson")
    gdal_copy(LAYERS / "sites.geojson", layers / "sites.geojson")
    found = lines(layers)
    assert len(found) == 2 and all(": crs: warning: has a 'crs' member (urn:ogc:def:crs:OGC:1.3:CRS84)" in line
                                   for line in found), found
    out = tmp_path / "maps"
    build_maps(layers, out)
    page = page_names(out / "auto.html")
    assert "长春汽车经济技术开发区" in page  # the Auto Zone, read from the GDAL file
    assert {f.id for f in load_plan(layers).features} == {f.id for f in load_plan(LAYERS).features}


def test_a_layer_saved_by_gdal_in_another_crs_is_refused_by_name(layers):
    gdal_copy(LAYERS / "zones.geojson", layers / "zones.geojson", crs="EPSG:3857")
    errors = [line for line in lines(layers) if ": error: " in line]
    assert errors[0].startswith(f"{layers / 'zones.geojson'}: crs: error: its crs "
                                "'urn:ogc:def:crs:EPSG::3857' is WGS 84 / Pseudo-Mercator, not WGS-84 "
                                "longitude/latitude (hint: save it in WGS-84")
    assert main(["build", "--layers", str(layers), "--out", str(layers.parent / "maps")]) == 1
    with pytest.raises(DataError, match="WGS 84 / Pseudo-Mercator"):
        read_layer(layers / "zones.geojson")


def test_import_layer_drops_the_crs_member(layers, tmp_path):
    src = gdal_copy(LAYERS / "sites.geojson", tmp_path / "from-qgis.geojson")
    assert main(["import-layer", str(src), "--as", "sites.geojson", "--layers", str(layers), "--force"]) == 0
    doc = json.loads((layers / "sites.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc
    assert [f.geometry.coords[0] for f in read_layer(layers / "sites.geojson")] == pytest.approx(
        [f.geometry.coords[0] for f in read_layer(LAYERS / "sites.geojson")], abs=1e-7)
    assert not [line for line in lines(layers) if "crs" in line]


def test_import_layer_reprojects_a_gdal_file_in_another_crs(layers, tmp_path):
    src = gdal_copy(LAYERS / "sites.geojson", tmp_path / "mercator.geojson", crs="EPSG:3857")
    assert main(["import-layer", str(src), "--as", "sites.geojson", "--layers", str(layers), "--force"]) == 0
    assert [f.geometry.coords[0] for f in read_layer(layers / "sites.geojson")] == pytest.approx(
        [f.geometry.coords[0] for f in read_layer(LAYERS / "sites.geojson")], abs=1e-6)


def test_db_pull_drops_the_crs_member(layers, pg_url):
    from geo.db.transfer import pull, push

    gdal_copy(LAYERS / "sites.geojson", layers / "sites.geojson")
    push(pg_url, layers, ["sites"])
    pull(pg_url, layers)
    assert "crs" not in json.loads((layers / "sites.geojson").read_text(encoding="utf-8"))
    assert lines(layers) == []


# ---------------------------------------------------------------------------------------------
# what layers.toml may name

@pytest.mark.parametrize("file", ["../../../../etc/passwd", "/etc/passwd", "../zones.geojson"])
def test_a_file_outside_the_layers_folder_is_refused(layers, file, monkeypatch):
    path = layers / "layers.toml"
    path.write_text(path.read_text().replace('file = "zones.geojson"', f'file = "{file}"'))
    opened = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or real(self))
    found = [line for line in lines(layers) if "outside the layers folder" in line]
    n = 1 + [s.id for s in load_catalogue(LAYERS).layers].index("zones")
    assert len(found) == 1 and found[0].startswith(f"{path}: layer #{n} (zones): file: error: file {file!r}")
    # read: the layers folder's files, the build cache and the checking code's own source (its hash keys the cache)
    allowed = [a for a in (layers, cache_dir(), Path(geo.__file__).parent) if a is not None]
    assert not [p for p in opened if "passwd" in str(p) or not any(p.is_relative_to(a) for a in allowed)]
    with pytest.raises(DataError, match="outside the layers folder"):
        load_catalogue(layers)


def test_a_symlink_out_of_the_layers_folder_is_refused(layers, tmp_path):
    outside = tmp_path / "elsewhere.geojson"
    shutil.copy(LAYERS / "zones.geojson", outside)
    (layers / "zones.geojson").unlink()
    (layers / "zones.geojson").symlink_to(outside)
    assert any("outside the layers folder" in line for line in lines(layers))


# ---------------------------------------------------------------------------------------------
# the build draws what was checked

def test_a_file_saved_between_validation_and_loading_does_not_slip_in(layers, tmp_path, monkeypatch):
    real = geo.validate.validate_report
    zones = layers / "zones.geojson"

    def then_an_editor_saves(*args, **kwargs):
        report = real(*args, **kwargs)
        zones.write_text(zones.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "autos"')
                         .replace("长春汽车经济技术开发区", "UNCHECKED"), encoding="utf-8")
        return report

    monkeypatch.setattr(geo.validate, "validate_report", then_an_editor_saves)
    out = tmp_path / "maps"
    build_maps(layers, out)
    page = page_names(out / "auto.html")
    assert "UNCHECKED" not in page and "长春汽车经济技术开发区" in page
    monkeypatch.setattr(geo.validate, "validate_report", real)
    assert any("unknown role 'autos'" in line for line in lines(layers))


# ---------------------------------------------------------------------------------------------
# the registry

def test_a_duplicate_role_id_is_reported_once(layers):
    path = layers / "roles.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "agriculture"', 'id = "auto"', 1),
                    encoding="utf-8")
    errors = [line for line in lines(layers) if ": error: " in line]
    assert errors == [f"{path}: error: role #2 (auto): duplicate role id 'auto': role #1 has it already "
                      "(features' roles are checked once the ids are unique) "
                      "(hint: docs/schema.md describes roles.toml)"]
