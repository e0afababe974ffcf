"""Write the broken-layers corpus: ``python tests/broken/make_cases.py`` (from the repo root).

``_base/`` is a tiny good layers folder (the real roles.toml, without the plans' context
layers it has none of, and sources.toml; three small layers inside the Changchun region). Each
other folder holds the files that replace or join the base's files for one failure, and
``expected.txt``: the file and feature the problem line must name, the text it must contain
(``expect:``, one or more) and extra arguments (``args:``).
tests/test_validate.py copies the base to a temporary folder, drops the case's files in and
runs ``python -m geo validate --layers <folder>``, expecting exit code 1.

The files are committed; this script documents how they were made (the Shapefiles need it).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BASE = HERE / "_base"
# The real registry, less what names layers and features the tiny base has not: each plan's
# context layers and the feature its context is drawn around.
ROLES_TOML = re.sub(r"(?m)^context(_around)? = .*\n", "", (REPO / "layers/roles.toml").read_text())

LAYERS_TOML = """\
# A tiny catalogue for the validator's broken-layers corpus (see make_cases.py).

[[layer]]
id = "units"
file = "units.geojson"
title_en = "Units"
title_zh = "单元"
geometry = ["Polygon", "MultiPolygon"]
style = "area"
labels = true

[[layer]]
id = "zones"
file = "zones.geojson"
title_en = "Zones"
title_zh = "开发区"
geometry = ["Point", "Polygon", "MultiPolygon"]
style = "area"

[[layer]]
id = "corridors"
file = "corridors.geojson"
title_en = "Corridors"
title_zh = "走廊"
geometry = ["LineString", "MultiLineString"]
style = "line"
"""


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def role(r, part, source):
    return {"role": r, "part": part, "source": source}


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


UNITS = [
    feature(
        {
            "id": "220103",
            "name_en": "Kuancheng District",
            "name_zh": "宽城区",
            "kind": "district",
            "geometry_basis": "official",
            "roles": [role("auto", "driven", "seed002-auto")],
        },
        square(125.25, 43.90, 125.35, 43.95),
    ),
    feature(
        {
            "id": "220104",
            "name_en": "Chaoyang District",
            "name_zh": "朝阳区",
            "kind": "district",
            "geometry_basis": "official",
            "roles": [role("auto", "driven", "seed002-auto")],
        },
        square(125.25, 43.85, 125.35, 43.90),
    ),
]
ZONES = [
    feature(
        {
            "id": "auto-zone",
            "name_en": "Automotive Economic and Technological Development Zone",
            "name_zh": "长春汽车经济技术开发区",
            "kind": "zone",
            "geometry_basis": "schematic",
            "schematic_area_km2": 110,
            "position_error_m": 3000,
            "roles": [role("auto", "flagship", "seed002-auto")],
        },
        {"type": "Point", "coordinates": [125.21, 43.85]},
    ),
    feature(
        {
            "id": "central-belt",
            "name_en": "Central consumption area",
            "name_zh": "中心消费区",
            "kind": "area",
            "geometry_basis": "derived",
            "derive": {"op": "union", "from": ["220103", "220104"]},
            "roles": [role("consumption", "carrier", "seed002-consumption-centre")],
        },
        None,
    ),
]
CORRIDORS = [
    feature(
        {
            "id": "auto-corridor",
            "name_en": "Automotive industrial corridor",
            "name_zh": "汽车产业走廊",
            "kind": "corridor",
            "geometry_basis": "schematic",
            "position_error_m": 10000,
            "derive": {"op": "line", "from": ["auto-zone", "220103"]},
            "roles": [role("auto", "corridor", "seed002-auto")],
        },
        None,
    ),
]
BASE_LAYERS = {"units": UNITS, "zones": ZONES, "corridors": CORRIDORS}


def collection(name, features, **extra) -> str:
    doc = {"type": "FeatureCollection", "name": name, **extra, "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def layer(name, edit=None, **extra) -> str:
    """The base layer ``name`` as text, after ``edit(features)`` changed a deep copy of it."""
    feats = copy.deepcopy(BASE_LAYERS[name])
    if edit:
        edit(feats)
    return collection(name, feats, **extra)


def props(name, index, **changes):
    """An edit setting (or, with None, deleting) properties of feature ``index``."""

    def edit(feats):
        for key, value in changes.items():
            if value is None:
                feats[index]["properties"].pop(key, None)
            else:
                feats[index]["properties"][key] = value

    return layer(name, edit)


def geom(name, index, geometry):
    def edit(feats):
        feats[index]["geometry"] = geometry

    return layer(name, edit)


def shapefile(folder: Path, stem: str, rows: list[dict], crs) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    geoms = [Point(*r.pop("xy")) for r in rows]
    gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_file(folder / f"{stem}.shp", engine="pyogrio")


SHP_LAYER = (
    LAYERS_TOML
    + """
[[layer]]
id = "sites"
file = "sites.shp"
title_en = "Sites"
title_zh = "项目与地标"
geometry = ["Point"]
style = "point"
"""
)
SHP_ROW = {
    "id": "faw-museum",
    "name_en": "FAW museum",
    "name_zh": "一汽博物馆",
    "kind": "site",
    "xy": (125.21, 43.86),
}

bowtie = {
    "type": "Polygon",
    "coordinates": [[[125.25, 43.90], [125.35, 43.95], [125.35, 43.90], [125.25, 43.95], [125.25, 43.90]]],
}
zones_text = layer("zones")

# name: (files {name: text or bytes}, file, feature, [expected substrings], args)
CASES = {
    "invalid-json": (
        {"zones.geojson": zones_text.replace('"Point",', '"Point"', 1)},
        "zones.geojson",
        "",
        ["invalid JSON at line 25, column 5: Expecting ',' delimiter"],
        "",
    ),
    "empty-file": ({"zones.geojson": b""}, "zones.geojson", "", ["file is empty"], ""),
    "whitespace-file": ({"units.geojson": "\n  \n"}, "units.geojson", "", ["file is empty"], ""),
    "binary-file": (
        {"zones.geojson": b"SQLite format 3\0\x10\0\x01\x01\0@  \0\0\0\x02"},
        "zones.geojson",
        "",
        ["binary file (NUL byte at offset 15)"],
        "",
    ),
    "not-utf8": (
        {"zones.geojson": zones_text.encode("gbk")},
        "zones.geojson",
        "",
        ["not UTF-8 text: byte 0xb3 at line 10"],
        "",
    ),
    "utf8-bom": (
        {"zones.geojson": b"\xef\xbb\xbf" + zones_text.encode()},
        "zones.geojson",
        "",
        ["byte-order mark"],
        "",
    ),
    "too-large": (
        {"zones.geojson": props("zones", 0, description="A long description. " * 250)},
        "zones.geojson",
        "",
        ["file too large: 6,082 bytes (the limit is 5,000)"],
        "--max-bytes 5000",
    ),
    "not-featurecollection": (
        {"zones.geojson": json.dumps(ZONES[0], ensure_ascii=False, indent=1)},
        "zones.geojson",
        "",
        ["not a GeoJSON FeatureCollection (the top level is a 'Feature' object)"],
        "",
    ),
    "features-not-array": (
        {"zones.geojson": json.dumps({"type": "FeatureCollection", "features": ZONES[0]})},
        "zones.geojson",
        "",
        ["features must be an array"],
        "",
    ),
    # a crs naming WGS-84 longitude/latitude (CRS84, as GDAL writes) is a warning; any other an error
    "crs-member": (
        {
            "zones.geojson": layer(
                "zones", crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
            )
        },
        "zones.geojson",
        "",
        ["crs 'urn:ogc:def:crs:EPSG::3857' is WGS 84 / Pseudo-Mercator, not WGS-84 longitude/latitude",
         "hint: save it in WGS-84"],
        "",
    ),
    "not-a-feature": (
        {"zones.geojson": layer("zones", lambda f: f.insert(1, ZONES[0]["geometry"]))},
        "zones.geojson",
        "#2",
        ["not a GeoJSON Feature object (it is a 'Point' object)"],
        "",
    ),
    "properties-not-object": (
        {"zones.geojson": layer("zones", lambda f: f[0].update(properties=["auto-zone"]))},
        "zones.geojson",
        "#1",
        ["properties must be an object, not an array"],
        "",
    ),
    "missing-id": ({"zones.geojson": props("zones", 1, id=None)}, "zones.geojson", "#2", ["missing id"], ""),
    "id-not-string": (
        {"zones.geojson": props("zones", 0, id=["auto-zone"])},
        "zones.geojson",
        "#1",
        ["id must be a non-empty string"],
        "",
    ),
    "duplicate-id": (
        {"zones.geojson": props("zones", 0, id="220103")},
        "zones.geojson",
        "220103",
        ["duplicate id '220103': also used in", "units.geojson (feature #1)"],
        "",
    ),
    "missing-name-en": (
        {"zones.geojson": props("zones", 0, name_en=None)},
        "zones.geojson",
        "auto-zone",
        ["name_en: error: missing name_en"],
        "",
    ),
    "empty-name-zh": (
        {"zones.geojson": props("zones", 0, name_zh=" ")},
        "zones.geojson",
        "auto-zone",
        ["name_zh: error: name_zh is empty"],
        "",
    ),
    "unknown-role": (
        {"zones.geojson": props("zones", 0, roles=[role("autos", "flagship", "seed002-auto")])},
        "zones.geojson",
        "auto-zone",
        ["roles[0].role: error: unknown role 'autos'", "did you mean 'auto'?", "one of the roles.toml [[role]] ids"],
        "",
    ),
    "unknown-part": (
        {"zones.geojson": props("zones", 0, roles=[role("auto", "flagshp", "seed002-auto")])},
        "zones.geojson",
        "auto-zone",
        ["unknown part 'flagshp'", "did you mean 'flagship'?", "valid: flagship, core"],
        "",
    ),
    "unknown-source": (
        {"zones.geojson": props("zones", 0, roles=[role("auto", "flagship", "seed002-autos")])},
        "zones.geojson",
        "auto-zone",
        ["unknown source 'seed002-autos' (not in sources.toml)", "did you mean 'seed002-auto'?"],
        "",
    ),
    "roles-not-list": (
        {"zones.geojson": props("zones", 0, roles=role("auto", "flagship", "seed002-auto"))},
        "zones.geojson",
        "auto-zone",
        ["roles must be a list"],
        "",
    ),
    "role-entry-not-object": (
        {"zones.geojson": props("zones", 0, roles=["auto"])},
        "zones.geojson",
        "auto-zone",
        ["roles[0]: error: role entry must be an object"],
        "",
    ),
    "geometry-basis-missing": (
        {"units.geojson": props("units", 1, geometry_basis=None)},
        "units.geojson",
        "220104",
        ["missing geometry_basis"],
        "",
    ),
    "geometry-basis-invalid": (
        {"units.geojson": props("units", 1, geometry_basis="surveyed")},
        "units.geojson",
        "220104",
        ["geometry_basis 'surveyed' is not official, derived or schematic"],
        "",
    ),
    "schematic-no-position-error": (
        {"zones.geojson": props("zones", 0, position_error_m=None)},
        "zones.geojson",
        "auto-zone",
        ["schematic feature has no position_error_m"],
        "--strict",
    ),
    "position-error-not-number": (
        {"zones.geojson": props("zones", 0, position_error_m="3 km")},
        "zones.geojson",
        "auto-zone",
        ["position_error_m must be a positive number of metres"],
        "",
    ),
    "derive-unknown-op": (
        {"zones.geojson": props("zones", 1, derive={"op": "dissolve", "from": ["220103"]})},
        "zones.geojson",
        "central-belt",
        ["unknown derive op 'dissolve'", "valid ops: union"],
        "",
    ),
    "derive-from-missing": (
        {"corridors.geojson": props("corridors", 0, derive={"op": "line", "from": ["auto-zone", "220199"]})},
        "corridors.geojson",
        "auto-corridor",
        ["derive.from id '220199' not found in any layer"],
        "",
    ),
    "derive-cycle": (
        {
            "corridors.geojson": props(
                "corridors", 0, derive={"op": "line", "from": ["auto-zone", "auto-corridor-2"]}
            ).replace(
                '"features": [',
                '"features": ['
                + json.dumps(
                    feature(
                        {
                            "id": "auto-corridor-2",
                            "name_en": "Second corridor",
                            "name_zh": "第二走廊",
                            "geometry_basis": "schematic",
                            "position_error_m": 5000,
                            "roles": [role("auto", "corridor", "seed002-auto")],
                            "derive": {"op": "line", "from": ["220104", "auto-corridor"]},
                        },
                        None,
                    ),
                    ensure_ascii=False,
                )
                + ",",
            )
        },
        "corridors.geojson",
        "auto-corridor",
        ["derive cycle: auto-corridor -> auto-corridor-2 -> auto-corridor"],
        "",
    ),
    "derive-line-one-feature": (
        {"corridors.geojson": props("corridors", 0, derive={"op": "line", "from": ["auto-zone"]})},
        "corridors.geojson",
        "auto-corridor",
        ["a derived line needs at least two features"],
        "",
    ),
    "derived-with-geometry": (
        {"zones.geojson": geom("zones", 1, square(125.25, 43.85, 125.35, 43.95))},
        "zones.geojson",
        "central-belt",
        ["derived geometry must be null; it is computed"],
        "",
    ),
    "official-with-derive": (
        {"zones.geojson": props("zones", 1, geometry_basis="official")},
        "zones.geojson",
        "central-belt",
        ["an official (published) boundary cannot be derived"],
        "",
    ),
    "derived-basis-without-derive": (
        {"units.geojson": props("units", 0, geometry_basis="derived")},
        "units.geojson",
        "220103",
        ["geometry_basis is 'derived' but there is no derive"],
        "",
    ),
    "no-geometry-no-derive": (
        {"zones.geojson": geom("zones", 0, None)},
        "zones.geojson",
        "auto-zone",
        ["the feature has neither geometry nor derive"],
        "",
    ),
    "unknown-geometry-type": (
        {"units.geojson": geom("units", 0, {**UNITS[0]["geometry"], "type": "Polygone"})},
        "units.geojson",
        "220103",
        ["unknown geometry type 'Polygone'", "did you mean 'Polygon'?"],
        "",
    ),
    "geometry-not-object": (
        {"units.geojson": geom("units", 0, "POLYGON ((125.25 43.9, 125.35 43.9))")},
        "units.geojson",
        "220103",
        ["geometry must be a GeoJSON geometry object or null"],
        "",
    ),
    "geometry-collection": (
        {
            "zones.geojson": geom(
                "zones", 0, {"type": "GeometryCollection", "geometries": [ZONES[0]["geometry"]]}
            )
        },
        "zones.geojson",
        "auto-zone",
        ["GeometryCollection is not supported"],
        "",
    ),
    "bad-nesting": (
        {
            "units.geojson": geom(
                "units", 0, {"type": "Polygon", "coordinates": UNITS[0]["geometry"]["coordinates"][0]}
            )
        },
        "units.geojson",
        "220103",
        [
            "bad coordinate nesting for a Polygon: coordinates[0][0] should be a position",
            "its arrays are 2 deep, a Polygon needs 3",
        ],
        "",
    ),
    "empty-geometry": (
        {"units.geojson": geom("units", 0, {"type": "Polygon", "coordinates": []})},
        "units.geojson",
        "220103",
        ["empty geometry"],
        "",
    ),
    "unclosed-ring": (
        {
            "units.geojson": geom(
                "units", 0, {"type": "Polygon", "coordinates": [UNITS[0]["geometry"]["coordinates"][0][:-1]]}
            )
        },
        "units.geojson",
        "220103",
        ["ring 1 is not closed", "repeat the first position"],
        "",
    ),
    "ring-too-short": (
        {
            "units.geojson": geom(
                "units",
                0,
                {"type": "Polygon", "coordinates": [[[125.25, 43.9], [125.35, 43.9], [125.25, 43.9]]]},
            )
        },
        "units.geojson",
        "220103",
        ["ring 1 has 3 position(s); a ring needs at least 4"],
        "",
    ),
    "line-too-short": (
        {
            "corridors.geojson": layer(
                "corridors",
                lambda f: (
                    f[0]["properties"].pop("derive"),
                    f[0].update(geometry={"type": "LineString", "coordinates": [[125.21, 43.85]]}),
                ),
            )
        },
        "corridors.geojson",
        "auto-corridor",
        ["LineString has 1 position(s); a line needs at least 2"],
        "",
    ),
    "self-intersection": (
        {"units.geojson": geom("units", 0, bowtie)},
        "units.geojson",
        "220103",
        ["invalid Polygon: Self-intersection at [125.3, 43.925]"],
        "",
    ),
    "wrong-geometry-type": (
        {
            "units.geojson": geom(
                "units", 1, {"type": "LineString", "coordinates": [[125.25, 43.85], [125.35, 43.9]]}
            )
        },
        "units.geojson",
        "220104",
        ["a LineString is not allowed in layer 'units'", "this layer takes Polygon, MultiPolygon"],
        "",
    ),
    "nan-coordinate": (
        {"zones.geojson": zones_text.replace("125.21", "NaN")},
        "zones.geojson",
        "auto-zone",
        ["coordinates[0] is NaN"],
        "",
    ),
    "infinity-coordinate": (
        {"zones.geojson": zones_text.replace("43.85", "-Infinity")},
        "zones.geojson",
        "auto-zone",
        ["coordinates[1] is -Infinity"],
        "",
    ),
    "nan-property": (
        {
            "units.geojson": props("units", 0, area_published_km2=1).replace(
                '"area_published_km2": 1', '"area_published_km2": NaN'
            )
        },
        "units.geojson",
        "220103",
        ["area_published_km2 is nan: not a JSON number"],
        "",
    ),
    "three-d": (
        {"zones.geojson": geom("zones", 0, {"type": "Point", "coordinates": [125.21, 43.85, 210]})},
        "zones.geojson",
        "auto-zone",
        ["3-D position: coordinates = [125.21, 43.85, 210.0]", "hint: drop the height"],
        "",
    ),
    "outside-region": (
        {"zones.geojson": geom("zones", 0, {"type": "Point", "coordinates": [116.4, 39.9]})},
        "zones.geojson",
        "auto-zone",
        ["outside the Jilin region", "coordinates = [116.4, 39.9]"],
        "",
    ),
    "projected-metres": (
        {"units.geojson": geom("units", 0, square(285000, 4860000, 295000, 4866000))},
        "units.geojson",
        "220103",
        ["outside the Jilin region", "(5 positions)"],
        "",
    ),
    "swapped-lat-lon": (
        {"zones.geojson": geom("zones", 0, {"type": "Point", "coordinates": [43.85, 125.21]})},
        "zones.geojson",
        "auto-zone",
        ["latitude and longitude look swapped", "hint: swap them: GeoJSON is [longitude, latitude]"],
        "",
    ),
    "zone-point-no-area": (
        {"zones.geojson": props("zones", 0, schematic_area_km2=None)},
        "zones.geojson",
        "auto-zone",
        ["schematic zone Point needs a positive schematic_area_km2"],
        "",
    ),
    "zone-point-zero-area": (
        {"zones.geojson": props("zones", 0, schematic_area_km2=0)},
        "zones.geojson",
        "auto-zone",
        ["schematic zone Point needs a positive schematic_area_km2 (it is 0)"],
        "",
    ),
    "no-role": (
        {"units.geojson": props("units", 0, roles=[])},
        "units.geojson",
        "220103",
        ["no role"],
        "--strict",
    ),
    "duplicate-key": (
        {"zones.geojson": zones_text.replace('"kind": "zone",', '"kind": "zone", "kind": "area",')},
        "zones.geojson",
        "",
        ["duplicate key 'kind'"],
        "--strict",
    ),
    "missing-layer-file": (
        {
            "layers.toml": LAYERS_TOML + '\n[[layer]]\nid = "sites"\nfile = "sites.geojson"\n'
            'geometry = ["Point"]\nstyle = "point"\n'
        },
        "sites.geojson",
        "",
        ["file not found", "layers.toml lists it as layer 'sites'"],
        "",
    ),
    "unlisted-file": (
        {"sites.geojson": collection("sites", [])},
        "sites.geojson",
        "",
        ["not listed in layers.toml"],
        "--strict",
    ),
    "layers-toml-invalid": (
        {"layers.toml": LAYERS_TOML.replace('style = "line"', "style = line")},
        "layers.toml",
        "",
        ["not valid TOML"],
        "",
    ),
    "layers-toml-bad-style": (
        {
            "layers.toml": LAYERS_TOML.replace('style = "line"', 'style = "dashed"'),
            "corridors.geojson": props("corridors", 0, name_zh=None),
        },
        "layers.toml",
        "",
        ["layer #3 (corridors): style 'dashed' is not one of"],
        "",
    ),
    "layers-toml-not-array": (
        {"layers.toml": LAYERS_TOML.replace("[[layer]]", "[layer]", 1).split("\n[[layer]]")[0]},
        "layers.toml",
        "",
        ["'layer' must be [[layer]] tables (double brackets)"],
        "",
    ),
    "layers-toml-wrong-type": (
        {"layers.toml": LAYERS_TOML.replace("labels = true", 'labels = "yes"')},
        "layers.toml",
        "layer #1 (units)",
        ["labels must be true or false, not 'yes'"],
        "",
    ),
    "layers-toml-unknown-key": (
        {"layers.toml": LAYERS_TOML.replace("labels = true", "lables = true")},
        "layers.toml",
        "layer #1 (units)",
        ["unknown key 'lables'", "did you mean 'labels'?"],
        "--strict",
    ),
    "layers-toml-bad-file": (
        {"layers.toml": LAYERS_TOML.replace('file = "units.geojson"', "file = 5")},
        "layers.toml",
        "layer #1 (units)",
        ["file must be a string, not 5"],
        "",
    ),
    "layers-toml-file-outside": (
        {"layers.toml": LAYERS_TOML.replace('file = "units.geojson"', 'file = "../../../../etc/passwd"')},
        "layers.toml",
        "layer #1 (units)",
        ["file '../../../../etc/passwd' is outside the layers folder"],
        "",
    ),
    "layers-toml-password": (
        {"layers.toml": LAYERS_TOML.replace('file = "units.geojson"', 'source = "postgresql://planner:s3cret@'
                                            'localhost:5432/plan"\ntable = "public.units"')},
        "layers.toml",
        "layer #1 (units)",
        ["source holds a password", "PGPASSWORD or ~/.pgpass"],
        "",
    ),
    "layers-toml-file-and-table": (
        {"layers.toml": LAYERS_TOML.replace('file = "units.geojson"', 'file = "units.geojson"\n'
                                            'source = "postgresql://planner@localhost/plan"\ntable = "units"')},
        "layers.toml",
        "layer #1 (units)",
        ["give either file, or source and table, not both"],
        "",
    ),
    "roles-toml-duplicate-id": (
        {
            "roles.toml": ROLES_TOML
            .replace('id = "agriculture"', 'id = "auto"', 1)
        },
        "roles.toml",
        "",
        ["duplicate role id 'auto': role #1 has it already"],
        "",
    ),
    "roles-toml-bad-weight": (
        {
            "roles.toml": ROLES_TOML
            .replace("weight = 3 }", 'weight = "heavy" }', 1)
        },
        "roles.toml",
        "[parts] flagship",
        ["weight must be a whole number, not 'heavy'"],
        "",
    ),
    "sources-toml-bad-para": (
        {
            "sources.toml": (REPO / "layers/sources.toml")
            .read_text()
            .replace("para = 13", 'para = "thirteen"')
        },
        "sources.toml",
        "[seed002-auto]",
        ["para must be a whole number (a line number), not 'thirteen'"],
        "",
    ),
    "unknown-property": (
        {"zones.geojson": props("zones", 0, descripton="Home of FAW.")},
        "zones.geojson",
        "auto-zone",
        ["unknown property 'descripton'", "did you mean 'description'?"],
        "--strict",
    ),
    "aliases-not-a-list": (
        {"zones.geojson": props("zones", 0, aliases="汽开区")},
        "zones.geojson",
        "auto-zone",
        ["aliases: error: aliases must be a list of strings, not a string"],
        "",
    ),
    "alias-not-a-string": (
        {"zones.geojson": props("zones", 0, aliases=["汽开区", 7])},
        "zones.geojson",
        "auto-zone",
        ["aliases[1]: error: an alias must be a string, not a number"],
        "",
    ),
    "unknown-kind": (
        {"zones.geojson": props("zones", 0, kind="zones")},
        "zones.geojson",
        "auto-zone",
        ["unknown kind 'zones'", "did you mean 'zone'?"],
        "--strict",
    ),
    "roles-toml-unknown-source": (
        {
            "roles.toml": ROLES_TOML
            .replace('source = "seed002-culture"', 'source = "seed002-cultures"')
        },
        "roles.toml",
        "",
        ["source 'seed002-cultures' is not in sources.toml; did you mean 'seed002-culture'?"],
        "",
    ),
    "sources-toml-bad-kind": (
        {
            "sources.toml": (REPO / "layers/sources.toml")
            .read_text()
            .replace('\nkind = "fact"', '\nkind = "rumour"', 1)
        },
        "sources.toml",
        "",
        ['needs kind = "seed" or "fact"'],
        "",
    ),
    "role-unknown-plan": (
        {"roles.toml": ROLES_TOML.replace('plan = "six-cities"', 'plan = "six-citie"', 1)},
        "roles.toml",
        "",
        ["role #1 (auto): plan 'six-citie' is not a [[plan]]; did you mean 'six-cities'?"],
        "",
    ),
    "plan-date-not-a-date": (
        {"roles.toml": ROLES_TOML.replace('date = "2021-12-28"', 'date = "2021-13-28"', 1)},
        "roles.toml",
        "",
        ["plan #7 (six-cities): date '2021-13-28' is not a date: no such day"],
        "",
    ),
    "plan-context-unknown-layer": (
        {"roles.toml": ROLES_TOML.replace('id = "six-cities"\n', 'id = "six-cities"\ncontext = ["countys"]\n', 1)},
        "roles.toml",
        "plan #7 (six-cities)",
        ["context layer 'countys' is not in layers.toml", "layers: units, zones, corridors"],
        "",
    ),
    "source-date-not-a-date": (
        {"sources.toml": (REPO / "layers/sources.toml").read_text().replace('date = "2020-06"', 'date = "June 2020"')},
        "sources.toml",
        "",
        ["[fact-gongzhuling-2020]: date 'June 2020' is not a date"],
        "",
    ),
    "since-not-a-date": (
        {"units.geojson": props("units", 0, since="after the survey", dates_source="fact-gongzhuling-2020")},
        "units.geojson",
        "220103",
        ["since: error: 'after the survey' is not a date"],
        "",
    ),
    "until-before-since": (
        {"units.geojson": props("units", 0, since="2021-08", until="2020-06", dates_source="fact-gongzhuling-2020")},
        "units.geojson",
        "220103",
        ["until: error: until '2020-06' is not after since '2021-08'"],
        "",
    ),
    "role-until-before-since": (
        {"zones.geojson": props("zones", 0, roles=[role("auto", "flagship", "seed002-auto")
                                                   | {"since": "2025", "until": "2021-12-28"}])},
        "zones.geojson",
        "auto-zone",
        ["roles[0].until: error: until '2021-12-28' is not after since '2025'"],
        "",
    ),
    "dates-unknown-source": (
        {"units.geojson": props("units", 0, until="2020-06", dates_source="fact-gongzhuling")},
        "units.geojson",
        "220103",
        ["unknown source 'fact-gongzhuling' (not in sources.toml)", "did you mean 'fact-gongzhuling-2020'?"],
        "",
    ),
    "plate-member-missing": (
        {"zones.geojson": props("zones", 1, id="plate-central", kind="plate",
                                derive={"op": "union", "from": ["220103", "220199"]})},
        "zones.geojson",
        "plate-central",
        ["derive.from id '220199' not found in any layer", "did you mean '220104'?"],
        "",
    ),
    "grow-without-area": (
        {"zones.geojson": props("zones", 1, geometry_basis="schematic", position_error_m=5000,
                                derive={"op": "grow", "from": ["auto-zone"]})},
        "zones.geojson",
        "central-belt",
        ["derive op 'grow' needs a positive schematic_area_km2"],
        "",
    ),
    "shp-no-crs": ({"layers.toml": SHP_LAYER}, "sites.shp", "", ["no CRS declared"], ""),
    "shp-unknown-role": (
        {"layers.toml": SHP_LAYER},
        "sites.shp",
        "faw-museum",
        ["roles[0].role: error: unknown role 'autos'"],
        "",
    ),
}
# substrings that must appear somewhere else in the output (checking goes on past the first problem)
ALSO = {
    "layers-toml-bad-style": ["corridors.geojson: auto-corridor: name_zh: error: missing name_zh"],
    "roles-toml-unknown-source": ["0 warnings"],
    "empty-file": [
        "auto-corridor: derive.from: error: derive.from id 'auto-zone' not found (not read: zones.geojson)"
    ],
    "shp-unknown-role": ["sites.shp: faw-museum: geometry_basis: error: missing geometry_basis"],
}
SHAPEFILES = {
    "shp-no-crs": ({"geometry_basis": "schematic", "roles": "[]"}, None),
    "shp-unknown-role": ({"roles": json.dumps([role("autos", "site", "seed003-blocks")])}, "EPSG:4326"),
}


def write(folder: Path, files: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir():
            shutil.rmtree(old)
    write(
        BASE,
        {
            "layers.toml": LAYERS_TOML,
            "roles.toml": ROLES_TOML,
            "sources.toml": (REPO / "layers/sources.toml").read_text(),
            **{f"{name}.geojson": layer(name) for name in BASE_LAYERS},
        },
    )
    for name, (files, file, feat, expects, args) in CASES.items():
        write(HERE / name, files)
        lines = [f"file: {file}", f"feature: {feat}", *(f"expect: {e}" for e in expects)]
        lines += [f"also: {a}" for a in ALSO.get(name, [])] + ([f"args: {args}"] if args else [])
        (HERE / name / "expected.txt").write_text("\n".join(lines) + "\n")
        if name in SHAPEFILES:
            extra, crs = SHAPEFILES[name]
            shapefile(HERE / name, "sites", [{**SHP_ROW, "xy": SHP_ROW["xy"], **extra}], crs)
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
