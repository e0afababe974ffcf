"""The pages on a phone (390×844, touch): the map is visible at load, the layer control and the
legend open as sheets and close again, touch targets are at least 40 px, popups fit the screen.

How much of the map the controls cover is measured as a person sees it: the union of the
on-screen boxes of every visible Leaflet control, over the map's own box.
"""

from __future__ import annotations

import pytest
from browser_util import DOCS, PHONE, SCREENSHOTS, UPDATE_DOCS, map_page_files

pytestmark = pytest.mark.browser

MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"
MAX_COVER = 0.30  # the issue: the controls cover at most 30% of the map at load
MIN_TARGET = 40   # px, each side of a touch target

#: The map's box and the box of every visible control (the table panel too, when open).
JS_BOXES = """
() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const map = GEO.map.getContainer();
  const controls = Array.from(map.querySelectorAll('.leaflet-control, .geo-table-panel'))
    .filter((e) => e.checkVisibility())
    .map((e) => ({cls: e.className, box: box(e)}));
  return {map: box(map), controls: controls};
}
"""

#: Every visible touch target of the page's controls, sheets, table and popups, with its size.
#: A checkbox or radio counts with its label (the label is what a finger taps). Links inside
#: the attribution line are left out: they are links in a sentence, which WCAG 2.5.8 exempts.
JS_TARGETS = """
() => {
  const sel = '.leaflet-control a[href], .leaflet-control button, .leaflet-control input, .leaflet-control select,'
    + ' .geo-table-panel button, .geo-table-panel select, .leaflet-popup a[href], .leaflet-popup button';
  const seen = new Set(), out = [];
  document.querySelectorAll(sel).forEach((e) => {
    if (!e.checkVisibility() || e.closest('.leaflet-control-attribution')) return;
    const t = e.closest('label') || e;
    if (seen.has(t)) return;
    seen.add(t);
    const r = t.getBoundingClientRect();
    if (r.bottom <= 0 || r.top >= innerHeight) return;  // scrolled out of its sheet or table
    out.push({what: t.outerHTML.slice(0, 90), w: r.width, h: r.height});
  });
  return out;
}
"""


def union_area(boxes) -> float:
    """Area of the union of boxes (left, top, right, bottom), by coordinate compression."""
    xs = sorted({x for b in boxes for x in (b[0], b[2])})
    ys = sorted({y for b in boxes for y in (b[1], b[3])})
    area = 0.0
    for x0, x1 in zip(xs, xs[1:]):
        for y0, y1 in zip(ys, ys[1:]):
            if any(b[0] <= x0 and x1 <= b[2] and b[1] <= y0 and y1 <= b[3] for b in boxes):
                area += (x1 - x0) * (y1 - y0)
    return area


def clip(b, to):
    return (max(b[0], to[0]), max(b[1], to[1]), min(b[2], to[2]), min(b[3], to[3]))


def covered(mp, region=None) -> tuple[float, list]:
    """The fraction of ``region`` (default: the map) that visible controls cover, and the boxes."""
    got = mp.evaluate(JS_BOXES)
    region = region or got["map"]
    boxes = [clip(c["box"], region) for c in got["controls"]]
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
    area = (region[2] - region[0]) * (region[3] - region[1])
    return union_area(boxes) / area, got["controls"]


def small_targets(mp) -> list:
    return [t for t in mp.evaluate(JS_TARGETS) if t["w"] < MIN_TARGET - 0.5 or t["h"] < MIN_TARGET - 0.5]


def test_union_area():
    assert union_area([]) == 0
    assert union_area([(0, 0, 10, 10), (5, 5, 15, 15)]) == 175
    assert union_area([(0, 0, 10, 10), (2, 2, 4, 4)]) == 100


#: The on-screen box of the plan: every role shape drawn now.
JS_PLAN_BOX = """
() => {
  let b = null;
  GEO.drawn.forEach((s) => {
    if ((s.layer.options.className || '').indexOf('geo-role') < 0 || !GEO.map.hasLayer(s.layer)) return;
    const lb = s.point ? L.latLngBounds([s.layer.getLatLng()]) : s.layer.getBounds();
    b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
  });
  const r = GEO.map.getContainer().getBoundingClientRect();
  const nw = GEO.map.latLngToContainerPoint(b.getNorthWest()), se = GEO.map.latLngToContainerPoint(b.getSouthEast());
  return [r.left + nw.x, r.top + nw.y, r.left + se.x, r.top + se.y];
}
"""


@pytest.mark.parametrize("file", MAP_PAGES)
def test_phone_shows_the_map(built_maps, open_page, file):
    mp = open_page(built_maps / file, **PHONE)
    page = mp.page
    # the layer control and the legend start collapsed to buttons
    for control, tool in ((".geo-layers", "layers"), (".geo-legend", "legend")):
        assert not page.locator(control).is_visible(), f"{file}: {control} open at load on a phone"
        button = page.locator(f".geo-tool-{tool}")
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    share, controls = covered(mp)
    print(f"{file}: controls cover {share:.1%} of the map at 390x844")
    assert share <= MAX_COVER, f"{file}: controls cover {share:.0%} of the map: {controls}"
    # the plan itself is on screen and clear of the controls
    plan = mp.evaluate(JS_PLAN_BOX)
    assert plan[0] >= -1 and plan[1] >= -1 and plan[2] <= 391 and plan[3] <= 845, f"{file}: plan off screen {plan}"
    under, _ = covered(mp, plan)
    assert under <= 0.10, f"{file}: {under:.0%} of the plan lies under controls"
    assert not small_targets(mp), f"{file}: touch targets under {MIN_TARGET} px: {small_targets(mp)}"
    # the link to the index reads "← all maps ← 全部地图", its two languages apart
    gap = mp.evaluate("""() => {
      const a = document.querySelector('.geo-title a'), r = (s) => a.querySelector(s).getBoundingClientRect();
      return r('.geo-zh').left - r('.geo-en').right;
    }""")
    assert gap >= 2, f"{file}: the index link's English and Chinese touch ({gap:.1f} px apart)"
    if file == OVERVIEW:
        mp.screenshot(SCREENSHOTS / "phone.png", *([DOCS / "phone.png"] if UPDATE_DOCS else []), full_page=False)
    mp.assert_clean()


def test_phone_sheets_open_and_close(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW, **PHONE)
    page = mp.page
    layers, legend = page.locator(".geo-layers"), page.locator(".geo-legend")
    layers_button, legend_button = page.locator(".geo-tool-layers"), page.locator(".geo-tool-legend")

    layers_button.tap()
    assert layers.is_visible() and layers_button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.classList.contains('geo-sheet-close')")
    box = layers.bounding_box()
    # a sheet from the foot of the screen, the whole width, the top of the map still in view
    assert box["x"] <= 0.5 and box["width"] >= 389 and abs(box["y"] + box["height"] - 844) < 1
    assert box["y"] >= 844 * 0.3, box
    assert not small_targets(mp), small_targets(mp)
    # the overlays work from the sheet
    check = mp.overlay_checkbox("auto")
    check.tap()
    assert not check.is_checked() and mp.role_counts(["auto"])["auto"] == 0
    check.tap()
    assert check.is_checked() and mp.role_counts(["auto"])["auto"] > 0
    # × closes it and gives the focus back to its button
    page.locator(".geo-layers .geo-sheet-close").tap()
    assert not layers.is_visible() and layers_button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('geo-tool-layers')")

    # one sheet at a time
    legend_button.tap()
    assert legend.is_visible()
    mp.screenshot(SCREENSHOTS / "phone-legend.png", *([DOCS / "phone-legend.png"] if UPDATE_DOCS else []),
                  full_page=False)
    layers_button.tap()
    assert layers.is_visible() and not legend.is_visible()
    assert legend_button.get_attribute("aria-expanded") == "false"
    # Escape closes; so does the button again; so does a tap on the map
    page.keyboard.press("Escape")
    assert not layers.is_visible()
    legend_button.tap()
    legend_button.tap()
    assert not legend.is_visible()
    legend_button.tap()
    page.touchscreen.tap(195, 200)
    page.wait_for_timeout(100)
    assert not legend.is_visible()

    # the table is a panel too: one of them open at a time
    table, table_button = page.locator(".geo-table-panel"), page.locator(".geo-tool-table")
    legend_button.tap()
    table_button.tap()
    assert table.is_visible() and not legend.is_visible()
    assert not small_targets(mp), small_targets(mp)
    layers_button.tap()
    assert layers.is_visible() and table.is_hidden()
    assert table_button.get_attribute("aria-expanded") == "false"
    mp.assert_clean()


def test_phone_popup_fits_the_screen(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW, **PHONE)
    page = mp.page
    # the feature with the longest popup: a place in the most roles, each with its quoted source
    feats = sorted((f for f in mp.data["features"] if f["roles"]), key=lambda f: -len(f["roles"]))
    target = pt = None
    for f in feats:
        pt = mp.hit_point(f["id"])
        if pt:
            target = f
            break
    assert target, "no role feature can be tapped"
    page.touchscreen.tap(pt["x"], pt["y"])
    popup = page.locator(".leaflet-popup")
    popup.wait_for(state="visible")
    page.wait_for_timeout(600)  # the map pans the popup into view
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert page.locator(".leaflet-popup .geo-popup h3 .geo-zh").text_content() == target["name_zh"]
    assert not small_targets(mp), small_targets(mp)  # the popup's × too
    mp.assert_clean()


def test_resizing_across_the_phone_width(built_maps, open_page):
    """A desktop window made narrow collapses the controls; made wide again, shows them."""
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    legend, layers = page.locator(".geo-legend"), page.locator(".geo-layers")
    assert legend.is_visible() and layers.is_visible()
    assert not page.locator(".geo-tool-layers").is_visible()
    zoom_corner = "() => GEO.map.zoomControl.getContainer().parentNode.className"
    assert "leaflet-left" in page.evaluate(zoom_corner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    assert not legend.is_visible() and not layers.is_visible()
    assert page.locator(".geo-tool-layers").is_visible()
    assert "leaflet-right" in page.evaluate(zoom_corner)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_timeout(100)
    assert legend.is_visible() and layers.is_visible()
    assert "leaflet-left" in page.evaluate(zoom_corner)
    mp.assert_clean()


def test_the_tool_row_shows_there_is_more(built_maps, open_page):
    """On a phone the tools are one row that scrolls sideways: its end fades while tools lie
    beyond it, its start once some are scrolled past; scrolled to the end, the last tool shows
    whole and the end no longer fades. On a wide screen nothing fades."""
    JS_ROW = """() => {
      const bar = document.querySelector('.geo-toolbar'), r = bar.getBoundingClientRect();
      const last = Array.from(bar.children).filter((e) => e.checkVisibility()).pop().getBoundingClientRect();
      return {left: bar.classList.contains('geo-more-left'), right: bar.classList.contains('geo-more-right'),
              mask: getComputedStyle(bar).maskImage, over: bar.scrollWidth - bar.clientWidth,
              lastRight: last.right, barRight: r.right};
    }"""
    frames = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    mp = open_page(built_maps / OVERVIEW, **PHONE)
    mp.evaluate(frames)
    row = mp.evaluate(JS_ROW)
    assert row["over"] > 0, "the phone's tool row fits: the test would prove nothing"
    assert row["right"] and not row["left"] and row["mask"] != "none", row
    assert row["lastRight"] > row["barRight"], row
    mp.evaluate("() => { const b = document.querySelector('.geo-toolbar'); b.scrollLeft = b.scrollWidth; }")
    mp.evaluate(frames)
    row = mp.evaluate(JS_ROW)
    assert row["left"] and not row["right"] and row["mask"] != "none", row
    assert row["lastRight"] <= row["barRight"] + 0.5, row
    mp.assert_clean()

    wide = open_page(built_maps / OVERVIEW)
    wide.evaluate(frames)
    row = wide.evaluate(JS_ROW)
    assert row["over"] <= 0 and not row["left"] and not row["right"] and row["mask"] == "none", row
    wide.assert_clean()


def test_the_index_reads_on_a_phone(built_maps, open_page):
    """The front page at 390×844: each plan's picture above its text, the text the screen's width
    (beside the 180 px picture it was a column of some 160 px), nothing wider than the screen."""
    mp = open_page(built_maps / "index.html", **PHONE)
    plans = mp.evaluate("""() => Array.from(document.querySelectorAll('li.plan'), (li) => {
      const t = li.querySelector('.thumb-link').getBoundingClientRect();
      const x = li.querySelector('.text').getBoundingClientRect();
      return {id: li.id, thumbBottom: t.bottom, textTop: x.top, textWidth: x.width};
    })""")
    assert len(plans) >= 2
    for p in plans:
        assert p["thumbBottom"] <= p["textTop"] + 0.5, p
        assert p["textWidth"] >= 340, p
    assert mp.evaluate("() => document.documentElement.scrollWidth") <= 390
    mp.assert_clean()
