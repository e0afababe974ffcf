"""The timeline page in headless Chromium: the layout systems of each date on that date's
boundaries, stepping forward and back, the keyboard, and what is marked new.

Expectations come from the plan in Python (geo.timeline), never from the page itself.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from browser_util import DOCS, SCREENSHOTS, UPDATE_DOCS, expected_role_counts, plan_and_pages

from geo.maps import TIMELINE
from geo.timeline import steps

pytestmark = pytest.mark.browser

#: Everything the page draws now: role shapes (feature, role, classes, stripe pattern, vertices),
#: context boundaries (feature, colour), labels shown, legend roles shown, the panel's date.
JS_STATE = """
() => {
  const P = GEO.page, map = GEO.map;
  const sum = (c) => Array.isArray(c) ? c.reduce((a, x) => a + sum(x), 0) : (c.lat + c.lng);
  const roles = P.drawn.filter((s) => s.role && map.hasLayer(s.layer)).map((s) => [
    s.feature.id, s.role, s.layer.options.className,
    s.layer._path ? s.layer._path.getAttribute("fill") : null,
    (s.point ? sum(s.layer.getLatLng()) : sum(s.layer.getLatLngs())).toFixed(6)]);
  const context = P.contextShapes.filter((c) => P.context.hasLayer(c.layer))
    .map((c) => [c.feature.id, c.layer.options.color, c.layer.options.weight]);
  const labels = P.labels.filter((l) => l.on).map((l) => l.feature.id);
  const legend = Array.from(document.querySelectorAll(".geo-legend-role"))
    .filter((li) => li.style.display !== "none")
    .map((li) => li.dataset.role + (li.classList.contains("geo-legend-new") ? "*" : ""));
  return JSON.stringify({roles: roles.sort(), context: context.sort(), labels: labels.sort(), legend: legend,
                         date: document.querySelector(".geo-tl-date").textContent, at: GEO.at()});
}
"""


def _plan():
    return plan_and_pages()[0]


def _spec():
    return next(p for p in plan_and_pages()[1] if p.file == TIMELINE)


def _state(mp) -> dict:
    return json.loads(mp.evaluate(JS_STATE))


def _open_at(open_page, built_maps, at: str | None):
    """The timeline page opened at a date (#date=...), as a reader following a link would."""
    mp = open_page(built_maps / TIMELINE)
    if at:
        mp.page.goto((built_maps / TIMELINE).as_uri() + f"#date={at}")
        mp.page.reload(wait_until="load")
        mp.page.wait_for_function("() => window.GEO && GEO.map && document.querySelector('.geo-tl-date')")
    return mp


def _polygon(feature: dict):
    """A feature's polygon as the page decodes it (geo.pagedata.read_page_data: [lat, lon])."""
    g = feature["g"]
    polys = g["c"] if g["t"] == "MultiPolygon" else [g["c"]]

    def ring(r):
        return [(lon, lat) for lat, lon in r]

    return shapely.MultiPolygon([shapely.Polygon(ring(p[0]), [ring(r) for r in p[1:]]) for p in polys])


def test_at_2018_gongzhuling_is_in_siping_and_the_six_cities_are_absent(built_maps, open_page):
    mp = _open_at(open_page, built_maps, "2018-12-05")
    state = _state(mp)
    assert state["at"] == "2018-12-05" and state["date"] == "2018-12-05"
    drawn = {c[0] for c in state["context"]}
    assert {"changchun-2018", "siping-2018"} <= drawn and not {"220100", "220300"} & drawn
    feats = {f["id"]: f for f in mp.data["features"]}
    gzl = shapely.Point(feats["220184"]["label"][::-1])
    assert _polygon(feats["siping-2018"]).contains(gzl), "Gongzhuling is not drawn inside Siping"
    assert not _polygon(feats["changchun-2018"]).contains(gzl)
    six = _plan().registry.plan_roles("six-cities")
    counts = mp.role_counts([r.id for r in six])
    assert all(counts[r.id] == 0 for r in six), counts
    want = expected_role_counts(_spec(), _plan(), "2018-12-05")
    got = mp.role_counts(_spec().roles)
    assert {r: got[r] for r in _spec().roles} == want
    assert want["master"] == 1 and want["central-plate"] == 1
    mp.screenshot(SCREENSHOTS / "timeline-2018.png")
    mp.assert_clean()


def test_stepping_forward_and_back_draws_what_opening_at_the_date_draws(built_maps, open_page):
    plan = _plan()
    dates = [s.at for s in steps(plan)]
    assert len(dates) >= 7
    direct = {}
    for at in dates:
        mp = _open_at(open_page, built_maps, at)
        direct[at] = _state(mp)
        want = expected_role_counts(_spec(), plan, at)
        got = mp.role_counts(_spec().roles)
        assert {r: got[r] for r in _spec().roles} == want, at
        if at in ("2020-12-28", "2021-12-28"):
            mp.screenshot(SCREENSHOTS / f"timeline-{at}.png",
                          *([DOCS / "timeline.png"] if UPDATE_DOCS and at == "2021-12-28" else []))
        mp.assert_clean()
        mp.close()
    mp = _open_at(open_page, built_maps, dates[0])
    forward = mp.page.locator(".geo-tl-forward")
    back = mp.page.locator(".geo-tl-back")
    assert back.is_disabled()
    for at in dates[1:]:
        forward.click()
        assert _state(mp) == direct[at], f"stepping forward to {at}"
        assert f"&date={at}" in mp.evaluate("GEO.tools.permalink.url()"), "the link carries the date shown"
    assert forward.is_disabled()
    for at in reversed(dates[:-1]):
        back.click()
        assert _state(mp) == direct[at], f"stepping back to {at}"
    mp.assert_clean()


def test_at_2021_12_the_six_cities_appear_and_are_marked_new(built_maps, open_page):
    plan = _plan()
    mp = _open_at(open_page, built_maps, "2020-12-28")
    six = [r.id for r in plan.registry.plan_roles("six-cities")]
    assert all(mp.role_counts(six)[r] == 0 for r in six)
    mp.page.locator(".geo-tl-forward").click()  # 2021-08: the two coordinations change
    mp.page.locator(".geo-tl-forward").click()
    state = _state(mp)
    assert state["at"] == "2021-12-28"
    counts = mp.role_counts(six)
    want = expected_role_counts(_spec(), plan, "2021-12-28")
    assert all(counts[r] == want[r] > 0 for r in six), counts
    new_roles = {r[1] for r in state["roles"] if "geo-new" in r[2].split()}
    assert new_roles == set(six), new_roles  # only the six cities are new on that day
    assert {r + "*" for r in six} <= set(state["legend"])
    listed = mp.page.locator(".geo-tl-new li[data-role]").evaluate_all("ls => ls.map(l => l.dataset.role)")
    assert listed == six
    assert "14th Changchun Party Congress" in mp.page.locator(".geo-tl-docs").inner_text()
    mp.assert_clean()


def test_the_slider_and_the_buttons_work_from_the_keyboard(built_maps, open_page):
    dates = [s.at for s in steps(_plan())]
    mp = _open_at(open_page, built_maps, None)
    page = mp.page
    assert _state(mp)["at"] == dates[-1]  # opens on today
    slider = page.locator("input.geo-tl-range")
    assert slider.get_attribute("type") == "range"
    assert slider.get_attribute("aria-valuetext") == steps(_plan())[-1].label
    slider.focus()
    page.keyboard.press("ArrowLeft")
    assert _state(mp)["at"] == dates[-2]
    page.keyboard.press("Home")
    assert _state(mp)["at"] == dates[0]
    page.keyboard.press("ArrowRight")
    assert _state(mp)["at"] == dates[1]
    # Tab reaches the buttons; Enter presses them
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('geo-tl-back')")
    page.keyboard.press("Enter")
    assert _state(mp)["at"] == dates[0]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('geo-tl-forward')")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert _state(mp)["at"] == dates[2]
    # play steps on by itself, to the end, and stops there
    page.evaluate("GEO.tools.timeline.go(GEO.tools.timeline.steps.length - 2)")
    page.locator(".geo-tl-play").click()
    assert page.locator(".geo-tl-play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => !GEO.tools.timeline.playing()", timeout=10_000)
    assert _state(mp)["at"] == dates[-1]
    mp.assert_clean()


def test_a_date_between_steps_opens_on_the_step_before(built_maps, open_page):
    mp = _open_at(open_page, built_maps, "2020-09-01")
    assert _state(mp)["at"] == "2020-06-01"
    assert _state(mp)["date"] == "2020-06"
    mp.assert_clean()


def test_new_boundaries_are_gilded_at_their_date(built_maps, open_page):
    mp = _open_at(open_page, built_maps, "2020-06-01")
    context = {c[0]: c[1] for c in _state(mp)["context"]}
    assert context["220100"] == context["220300"] == "#d4a017"
    assert context["220000"] != "#d4a017" and context["220184"] != "#d4a017"
    assert "Gongzhuling" in mp.page.locator(".geo-tl-docs").inner_text()
    mp.page.locator(".geo-tl-forward").click()
    assert _state(mp)["context"] and all(c[1] != "#d4a017" for c in _state(mp)["context"])
    mp.assert_clean()


def test_the_drawn_outlines_are_the_data_of_that_date(built_maps, open_page):
    """What the page draws for Changchun before and after June 2020 is that outline's geometry."""
    mp = _open_at(open_page, built_maps, "2018-12-05")
    js = """(id) => { const s = GEO.page.contextShapes.find((c) => c.feature.id === id);
                      return GEO.page.context.hasLayer(s.layer) ? s.layer.getBounds().toBBoxString() : null; }"""
    before = mp.evaluate(js, "changchun-2018")
    assert before and mp.evaluate(js, "220100") is None
    mp.page.locator(".geo-tl-forward").click()
    mp.page.locator(".geo-tl-forward").click()  # 2020-06
    after = mp.evaluate(js, "220100")
    assert after and mp.evaluate(js, "changchun-2018") is None
    w_before, w_after = (np.array(b.split(","), float) for b in (before, after))
    assert w_after[0] < w_before[0] - 0.2  # Gongzhuling widens Changchun to the south-west
    mp.assert_clean()


def test_a_plan_can_be_hidden_from_the_panel(built_maps, open_page):
    """Each plan in force has a checkbox in the panel: unticked, its roles leave the map (and the
    layer control's boxes follow); ticked, they come back."""
    plan = _plan()
    mp = _open_at(open_page, built_maps, "2021-12-28")
    six = [r.id for r in plan.registry.plan_roles("six-cities")]
    before = mp.role_counts(_spec().roles)
    box = mp.page.locator(".geo-tl-plans li[data-plan='six-cities'] input[type=checkbox]")
    assert box.is_checked()
    box.uncheck()
    off = mp.role_counts(_spec().roles)
    assert all(off[r] == 0 for r in six) and off["*"] == before["*"] - sum(before[r] for r in six)
    assert mp.evaluate("(r) => GEO.map.hasLayer(GEO.overlays[r])", six[0]) is False
    mp.page.locator(".geo-tl-forward").click()  # the choice holds on the next date
    assert all(mp.role_counts(six)[r] == 0 for r in six)
    box = mp.page.locator(".geo-tl-plans li[data-plan='six-cities'] input[type=checkbox]")
    assert not box.is_checked()
    box.check()
    want = expected_role_counts(_spec(), plan, mp.evaluate("GEO.at()"))
    got = mp.role_counts(six)
    assert {r: got[r] for r in six} == {r: want[r] for r in six} and all(want[r] > 0 for r in six)
    mp.assert_clean()


def test_a_place_of_another_date_is_found_and_shown_at_its_date(built_maps, open_page):
    """The search finds every place of the page, of any date; picking one that is not on the map
    at the date shown takes the timeline to the last date it is (Changchun before June 2020)."""
    mp = _open_at(open_page, built_maps, None)
    page = mp.page
    assert _state(mp)["at"] == steps(_plan())[-1].at
    box = page.locator(".geo-search-input")
    box.fill("changchun-2018")
    hit = page.locator(".geo-search-hit").first
    hit.wait_for(state="visible")
    assert "until 2020-06" in hit.inner_text()
    box.press("Enter")
    state = _state(mp)
    assert state["at"] == max(s.at for s in steps(_plan()) if s.at < "2020-06-01")
    assert "changchun-2018" in {c[0] for c in state["context"]}
    assert mp.evaluate("GEO.page.openFeature && GEO.page.openFeature.id") == "changchun-2018"
    mp.assert_clean()


def test_on_a_phone_the_date_panel_is_at_hand(built_maps, open_page):
    """390×844, touch: the date, the slider and ◀ ▶ stay at the foot of the map, each target at
    least 40 px; ☰ opens Play and the rest, and a sheet (the layers) closes them again."""
    from browser_util import PHONE
    from test_phone import small_targets

    dates = [s.at for s in steps(_plan())]
    mp = open_page(built_maps / TIMELINE, suffix=f"#date={dates[-3]}", **PHONE)
    page = mp.page
    panel = page.locator(".geo-timeline")
    box = panel.bounding_box()
    assert box["y"] + box["height"] <= 844 and box["y"] > 844 * 0.6, box  # at the foot, in view
    for sel in (".geo-tl-range", ".geo-tl-date", ".geo-tl-back", ".geo-tl-forward", ".geo-tl-more"):
        assert page.locator(sel).is_visible(), sel
    assert not page.locator(".geo-tl-play").is_visible() and not page.locator(".geo-tl-docs").is_visible()
    assert not small_targets(mp), small_targets(mp)
    mp.screenshot(SCREENSHOTS / "timeline-phone.png", *([DOCS / "timeline-phone.png"] if UPDATE_DOCS else []))
    page.locator(".geo-tl-forward").tap()
    assert _state(mp)["at"] == dates[-2]
    more = page.locator(".geo-tl-more")
    more.tap()
    assert more.get_attribute("aria-expanded") == "true"
    assert page.locator(".geo-tl-play").is_visible() and page.locator(".geo-tl-docs").is_visible()
    assert not small_targets(mp), small_targets(mp)
    mp.screenshot(SCREENSHOTS / "timeline-phone-details.png")
    # one panel at a time: the layers' sheet closes the details, and lists the overlays
    page.locator(".geo-tool-layers").tap()
    assert more.get_attribute("aria-expanded") == "false" and not page.locator(".geo-tl-docs").is_visible()
    assert mp.overlay_checkbox("auto").is_visible()
    mp.assert_clean()
