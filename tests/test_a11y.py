"""Accessibility, checked in Chromium as a person with a keyboard or a screen reader meets it.

- axe-core (from the axe-playwright-python package, injected offline) finds no serious or
  critical violation on any page, on a desktop and on a phone, and none with the table, a
  sheet, a popup open or the page laid out for print;
- Tab reaches every control; each has a name and a focus you can see (the pixels around it
  change when it takes the focus);
- the controls work from the keyboard: overlays, the table (filter, sort, a row, Escape), print,
  the phone's sheets.
"""

from __future__ import annotations

import io

import pytest
from browser_util import PHONE, map_page_files

pytestmark = pytest.mark.browser

MAP_PAGES = map_page_files()
ALL_PAGES = MAP_PAGES + ["index.html"]
OVERVIEW = "six-cities.html"
SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as exc:
        pytest.fail(f"axe-playwright-python is not installed ({exc}): pip install -e '.[test]'", pytrace=False)
    return Axe().run(page).response["violations"]


def serious(violations) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:4]]}"
            for v in violations if v["impact"] in SERIOUS]


@pytest.mark.parametrize("file", ALL_PAGES)
def test_axe_finds_nothing_serious(built_maps, open_page, file):
    for options in ({}, PHONE):
        mp = open_page(built_maps / file, **options)
        lang = mp.evaluate("document.documentElement.lang")
        assert lang in ("en", "zh-Hans"), f"{file}: <html lang={lang!r}>"
        found = axe_violations(mp.page)
        assert not serious(found), f"{file} ({'phone' if options else 'desktop'}): {serious(found)}"
        mp.assert_clean()


def settled(page, selector):
    """Wait until ``selector`` has faded in (a half-transparent text fails a contrast check)."""
    page.wait_for_function("(s) => { const e = document.querySelector(s);"
                           " return e && e.getAnimations().length === 0; }", arg=selector)


def test_axe_with_panels_open(built_maps, open_page):
    """The overview with each of its panels open, on a desktop and on a phone."""
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    page.locator(".geo-tool-table").click()
    assert not serious(axe_violations(page)), ("table", serious(axe_violations(page)))
    page.keyboard.press("Escape")
    # a popup
    page.evaluate("""() => { const s = GEO.drawn.find((s) => s.feature.roles.length > 1 && s.layer.getPopup());
                             s.layer.openPopup(); }""")
    settled(page, ".leaflet-popup")
    assert not serious(axe_violations(page)), ("popup", serious(axe_violations(page)))
    page.evaluate("GEO.map.closePopup()")
    # a tooltip
    page.evaluate("""() => { const s = GEO.drawn.find((s) => s.feature.within && s.layer.getTooltip());
                             s.layer.openTooltip(); }""")
    settled(page, ".leaflet-tooltip")
    assert not serious(axe_violations(page)), ("tooltip", serious(axe_violations(page)))
    page.evaluate("GEO.drawn.forEach((s) => s.layer.getTooltip() && s.layer.closeTooltip())")
    # laid out for print
    page.evaluate("GEO.tools.print.prepare()")
    assert not serious(axe_violations(page)), ("print", serious(axe_violations(page)))
    page.evaluate("GEO.tools.print.restore()")
    mp.assert_clean()

    phone = open_page(built_maps / OVERVIEW, **PHONE)
    for tool in ("layers", "legend", "table"):
        phone.page.locator(f".geo-tool-{tool}").tap()
        assert not serious(axe_violations(phone.page)), (tool, serious(axe_violations(phone.page)))
        phone.page.keyboard.press("Escape")
    phone.assert_clean()


# ---- the keyboard -----------------------------------------------------------------------

#: Every control a keyboard must reach: the map, links, buttons, inputs and the legend (of a
#: group of radios, the checked one: the arrows move between them).
JS_CONTROLS = """
() => Array.from(document.querySelectorAll('.leaflet-container, .leaflet-control a[href], .leaflet-control button,'
    + ' .leaflet-control input, .leaflet-control select, .geo-legend,'
    + ' .geo-table-panel button, .geo-table-panel select'))
  .filter((e) => e.checkVisibility() && !(e.type === 'radio' && !e.checked))
  .map((e) => { e.dataset.kbd = e.dataset.kbd || String(Math.random()).slice(2); return e.dataset.kbd; })
"""

#: The focused element: its key, its accessible name (axe-core's computation) and its box.
JS_FOCUSED = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  axe.setup(document);
  const name = axe.commons.text.accessibleText(e);
  axe.teardown();
  const r = e.getBoundingClientRect();
  return {key: e.dataset.kbd || null, name: name, html: e.outerHTML.slice(0, 100),
          box: [r.left, r.top, r.width, r.height]};
}
"""


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _differs(page, box, focused_png) -> int:
    """How many pixels around ``box`` change clearly (by more than 48 in a channel) between
    the control focused and blurred."""
    a, b = _pixels(focused_png), _pixels(page.screenshot(clip=box))
    return int((abs(a - b).max(axis=2) > 48).sum())


def _clip(page, box, pad=8):
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    x, y = max(0, box[0] - pad), max(0, box[1] - pad)
    return {"x": x, "y": y, "width": min(vw, box[0] + box[2] + pad) - x, "height": min(vh, box[1] + box[3] + pad) - y}


def walk(mp, steps=80) -> list[dict]:
    """Tab from the top of the page; each control reached, once, with what it looks like."""
    page = mp.page
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen, out = set(), []
    for _ in range(steps):
        page.keyboard.press("Tab")
        f = page.evaluate(JS_FOCUSED)
        if f is None or f["key"] is None:
            continue
        if f["key"] in seen:
            break
        seen.add(f["key"])
        clip = _clip(page, f["box"])
        focused = page.screenshot(clip=clip)
        page.evaluate("window.__kbd = document.activeElement; document.activeElement.blur()")
        f["focus_pixels"] = _differs(page, clip, focused)
        page.evaluate("window.__kbd.focus()")
        out.append(f)
    return out


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_tab_reaches_every_control_with_a_name_and_a_visible_focus(built_maps, open_page, phone):
    mp = open_page(built_maps / OVERVIEW, **(PHONE if phone else {}))
    want = mp.evaluate(JS_CONTROLS)
    reached = walk(mp)
    keys = [f["key"] for f in reached]
    missed = mp.evaluate("(ks) => ks.map((k) => document.querySelector(`[data-kbd='${k}']`).outerHTML.slice(0, 100))",
                         [k for k in want if k not in keys])
    assert not missed, f"Tab never reaches: {missed}"
    assert len(reached) >= (10 if phone else 16), [f["html"] for f in reached]
    nameless = [f["html"] for f in reached if not f["name"].strip()]
    assert not nameless, f"controls without a name: {nameless}"
    unseen = [f["html"] for f in reached if f["focus_pixels"] < 100]  # a ring round a 13 px box: ~240
    assert not unseen, f"controls whose focus does not show: {unseen}"
    mp.assert_clean()


def _tab_to(page, selector, steps=80, back=False):
    for _ in range(steps):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_the_keyboard_works_the_controls(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    # an overlay, with the space bar
    _tab_to(page, ".leaflet-control-layers-overlays input")
    first = page.evaluate("document.activeElement.closest('label').querySelector('.geo-ov').dataset.role")
    page.keyboard.press("Space")
    assert mp.role_counts([first])[first] == 0
    page.keyboard.press("Space")
    assert mp.role_counts([first])[first] > 0

    # the table: open, filter, sort, a row, close
    page.evaluate("document.activeElement.blur()")
    _tab_to(page, ".geo-tool-table")
    page.keyboard.press("Enter")
    assert page.locator(".geo-table-panel").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('geo-table-close')")
    n_all = page.locator(".geo-table tbody tr").count()
    _tab_to(page, ".geo-table-filter", steps=3, back=True)
    page.keyboard.press("ArrowDown")
    assert 0 < page.locator(".geo-table tbody tr").count() < n_all
    page.keyboard.press("ArrowUp")
    assert page.locator(".geo-table tbody tr").count() == n_all
    _tab_to(page, ".geo-table-sort")
    page.keyboard.press("Enter")
    assert page.locator(".geo-table thead th").first.get_attribute("aria-sort") == "ascending"
    zoom = page.evaluate("GEO.map.getZoom()")
    _tab_to(page, ".geo-table-go")
    page.keyboard.press("Enter")
    assert page.evaluate("GEO.map.getZoom()") > zoom
    page.keyboard.press("Escape")
    assert page.locator(".geo-table-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('geo-tool-table')")

    # print, with Enter
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    _tab_to(page, ".geo-tool-print")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.printed === 1")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("document.documentElement.className") == ""
    mp.assert_clean()


def test_the_keyboard_opens_and_closes_the_phone_sheets(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW, **PHONE)
    page = mp.page
    for tool, sheet in (("layers", ".geo-layers"), ("legend", ".geo-legend")):
        _tab_to(page, f".geo-tool-{tool}")
        page.keyboard.press("Enter")
        assert page.locator(sheet).is_visible()
        assert page.evaluate("document.activeElement.classList.contains('geo-sheet-close')")
        # the next key reaches what the sheet holds: the layers' first input; the legend's
        # scrolling box (the box itself, just before its close button)
        page.keyboard.press("Shift+Tab" if tool == "legend" else "Tab")
        assert page.evaluate("(s) => document.querySelector(s).contains(document.activeElement)", sheet)
        page.keyboard.press("Escape")
        assert page.locator(sheet).is_hidden()
        assert page.evaluate("(t) => document.activeElement.classList.contains('geo-tool-' + t)", tool)
    mp.assert_clean()
