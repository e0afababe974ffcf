"""Hostile text in the layers reaches the page as text, never as markup or script.

A copy of ``layers/`` gets markup in a district's names, a zone's description and a role's
name; the maps built from it must show those strings literally, create no element from them
and open no dialog.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from browser_util import LAYERS, page_data

NAME_EN = "<img src=x onerror=alert(1)>"
NAME_ZH = "</script><script>alert(2)</script>"
DESCRIPTION = "<b onmouseover=alert(3)>x</b>"
ROLE_NAME = "<svg onload=alert(4)>"

DISTRICT = "220122"  # Nong'an County: open ground on the overview
ZONE = "agri-hitech-zone"
ROLE = "auto"
ROLE_LINE = 'name_en = "International Automobile City"'

pytestmark = pytest.mark.browser


def _edit_props(path, fid, **props):
    doc = json.loads(path.read_text(encoding="utf-8"))
    hits = [f for f in doc["features"] if str(f["properties"].get("id")) == fid]
    assert len(hits) == 1, f"{path.name}: feature {fid} not found"
    hits[0]["properties"].update(props)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_maps(tmp_path_factory):
    from geo.build import build_maps

    root = tmp_path_factory.mktemp("hostile")
    layers = root / "layers"
    shutil.copytree(LAYERS, layers)
    _edit_props(layers / "counties.geojson", DISTRICT, name_en=NAME_EN, name_zh=NAME_ZH)
    _edit_props(layers / "zones.geojson", ZONE, description=DESCRIPTION)
    roles = (layers / "roles.toml").read_text(encoding="utf-8")
    assert roles.count(ROLE_LINE) == 1, "roles.toml no longer names the auto role as expected"
    (layers / "roles.toml").write_text(roles.replace(ROLE_LINE, f'name_en = "{ROLE_NAME}"'), encoding="utf-8")
    out = root / "maps"
    build_maps(layers, out)  # the validator may warn about these names, never refuse them
    return out


def test_raw_html_has_no_live_markup(hostile_maps):
    pages = sorted(hostile_maps.glob("*.html"))
    assert len(pages) > 2
    for p in pages:
        text = p.read_text(encoding="utf-8")
        for bad in ("<img src=x", "<svg onload", "<b onmouseover", "<script>alert(2)"):
            assert bad not in text, f"{p.name} contains {bad!r} unescaped"
    six = (hostile_maps / "six-cities.html").read_text(encoding="utf-8")
    # the data and the assets are base64 text: nothing in them can close their element
    packed = re.findall(r'<script type="application/octet-stream" id="geo-(\w+)"[^>]*>(.*?)</script>', six, re.S)
    assert [name for name, _ in packed] == ["assets", "data"]
    for name, text in packed:
        assert re.fullmatch(r"[A-Za-z0-9+/=]+", text), f"geo-{name} holds more than base64"
    assert len(re.findall(r"<script\b", six)) == 3  # the two payloads and the boot code
    data = page_data(hostile_maps / "six-cities.html")
    district = next(f for f in data["features"] if f["id"] == DISTRICT)
    assert (district["name_en"], district["name_zh"]) == (NAME_EN, NAME_ZH)


def test_hostile_text_shows_literally(hostile_maps, open_page):
    mp = open_page(hostile_maps / "six-cities.html")
    page = mp.page

    def settle():
        page.wait_for_timeout(500)
        assert not mp.dialogs, f"a dialog fired: {mp.dialogs}"

    settle()

    # the label
    labels = page.locator(".geo-label-counties").all_text_contents()
    assert any(NAME_EN in t and NAME_ZH in t for t in labels), labels

    # hover: the tooltip
    pt = mp.hit_point(DISTRICT)
    assert pt, "the hostile district cannot be hovered"
    page.mouse.move(pt["x"], pt["y"])
    tip = page.locator(".leaflet-tooltip.geo-tooltip")
    tip.wait_for(state="visible")
    assert NAME_EN in tip.text_content() and NAME_ZH in tip.text_content()
    settle()

    # click: the popup
    page.mouse.click(pt["x"], pt["y"])
    popup = page.locator(".leaflet-popup .geo-popup")
    popup.wait_for(state="visible")
    assert NAME_EN in popup.text_content() and NAME_ZH in popup.text_content()
    settle()

    # the zone's popup: its description, literally (the district's popup closed and the view it
    # panned restored first: the popup or the legend may cover the zone)
    page.evaluate("GEO.map.closePopup(); GEO.map.fitBounds(GEO.page.data.bounds, {padding: [10, 10], animate: false})")
    zpt = mp.hit_point(ZONE)
    assert zpt, "the zone cannot be clicked"
    page.mouse.move(zpt["x"], zpt["y"])
    page.mouse.click(zpt["x"], zpt["y"])
    page.wait_for_function("(d) => { const p = document.querySelector('.leaflet-popup .geo-desc');"
                           " return p && p.textContent === d; }", arg=DESCRIPTION)
    settle()

    # the role's name in the layer control, the legend and a tooltip's role line
    overlays = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert f"{ROLE_NAME} (国际汽车城)" in overlays
    legend = page.locator(f".geo-legend .geo-legend-role[data-role='{ROLE}']").text_content()
    assert ROLE_NAME in legend

    # nothing was made from the markup
    made = page.evaluate("""() => ({
        img: document.querySelectorAll('img[src="x"]').length,
        handlers: document.querySelectorAll('[onerror], [onload], [onmouseover]').length,
        svg: Array.from(document.querySelectorAll('svg')).filter((s) => s.hasAttribute('onload')).length,
        scripts: Array.from(document.scripts)
          .filter((s) => s.type !== 'application/json' && s.textContent.indexOf('alert(') >= 0).length,
    })""")
    assert made == {"img": 0, "handlers": 0, "svg": 0, "scripts": 0}, made
    # hover the legend entry and the layer control too, then look for dialogs once more
    page.locator(f".geo-legend .geo-legend-role[data-role='{ROLE}']").hover()
    page.locator(".leaflet-control-layers-overlays label").first.hover()
    settle()
    mp.assert_clean()


def test_hostile_role_page(hostile_maps, open_page):
    """The role's own page: its title and heading show the name as text."""
    mp = open_page(hostile_maps / f"{ROLE}.html")
    page = mp.page
    assert page.title().startswith(ROLE_NAME)
    assert page.locator(".geo-title h1").text_content().startswith(ROLE_NAME)
    assert page.evaluate("document.querySelectorAll('svg[onload], img[src=\"x\"]').length") == 0
    page.wait_for_timeout(300)
    assert not mp.dialogs
    mp.assert_clean()
