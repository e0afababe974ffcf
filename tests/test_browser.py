"""Every built page, opened in headless Chromium with the network refused.

The maps are built once per session (``built_maps``); each test opens its page in a fresh
context of the one session browser. Expectations (how many shapes, which overlays, which
names) are computed in Python from the plan, never read back from the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from browser_util import (
    DOCS,
    JS_DRAWN,
    LEAFLET_VERSION,
    REQUIRED_BASEMAPS,
    SCREENSHOTS,
    UPDATE_DOCS,
    AssetRefs,
    expected_role_counts,
    expected_shape_total,
    holds,
    is_remote,
    map_page_files,
    overlay_label,
    page_data,
    page_date,
    plan_and_pages,
    spec_for,
    strings_in,
)

from geo.datum import wgs84_to_gcj02

MAP_PAGES = map_page_files()
ALL_PAGES = MAP_PAGES + ["index.html"]
OVERVIEW = "six-cities.html"


def _plan():
    return plan_and_pages()[0]


def _role(rid):
    return _plan().registry.role(rid)


def _layers_by_id(data):
    return {lyr["id"]: lyr for lyr in data["layers"]}


def test_pages_are_the_expected_set(built_maps):
    built = sorted(p.name for p in Path(built_maps).glob("*.html"))
    assert built == sorted(ALL_PAGES)
    assert OVERVIEW in MAP_PAGES


# ---- every page opens cleanly -----------------------------------------------------------


@pytest.mark.browser
def test_index_opens_clean(built_maps, open_page):
    mp = open_page(built_maps / "index.html")
    links = mp.page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert set(links) == set(MAP_PAGES), set(links) ^ set(MAP_PAGES)
    # the plans by date, each with its thumbnail and its source passage
    plans = _plan().registry.plans_by_date
    items = mp.page.locator("li.plan")
    assert items.count() == len(plans) >= 7
    assert [items.nth(i).get_attribute("id") for i in range(items.count())] == [p.id for p in plans]
    dates = mp.page.locator("li.plan time").all_text_contents()
    assert dates == sorted(dates) == [p.date for p in plans]
    for i, p in enumerate(plans):
        item = items.nth(i)
        svg = item.locator("svg.thumb")
        assert svg.count() == 1 and svg.is_visible()
        assert svg.locator("path").count() >= 3, f"{p.id}: an empty thumbnail"
        src = _plan().registry.sources[p.source]
        assert src.title in item.locator(".source").inner_text()
    mp.screenshot(SCREENSHOTS / "index.png")
    mp.assert_clean()


@pytest.mark.browser
def test_the_clean_check_tells_a_cancelled_tile_from_a_failed_request(built_maps, open_page):
    """A tile the page asks for and cancels before our route sees it (Leaflet drops pending
    tiles when the view moves on) is not a fault; any other failed request is."""
    mp = open_page(built_maps / OVERVIEW)
    tile = "https://tile.openstreetmap.org/8/214/91.png"  # as CI once saw it, after a hash edit
    mp.failed.append((tile, "net::ERR_ABORTED"))  # what Chromium reports for a cancelled image
    mp.assert_clean()
    missing = (built_maps / "no-such-file.png").as_uri()
    mp.evaluate("(u) => new Promise((done) => { const i = new Image(); i.onerror = done; i.src = u; })", missing)
    with pytest.raises(AssertionError, match="requests failed that were not refused.*no-such-file"):
        mp.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("file", MAP_PAGES)
def test_map_page_renders(built_maps, open_page, file):
    plan = _plan()
    spec = spec_for(file)
    mp = open_page(built_maps / file)
    page = mp.page

    # Leaflet, inlined
    assert page.evaluate("typeof L") != "undefined"
    assert page.evaluate("L.version") == LEAFLET_VERSION

    # the shapes: one per (feature, page role it carries)
    want = expected_role_counts(spec, plan)
    got = mp.role_counts(spec.roles)
    total = expected_shape_total(spec, plan)
    assert total > 0
    assert got["*"] == total, f"{file}: {got['*']} .geo-role paths drawn, the plan has {total}"
    assert got["*any"] == total, f"{file}: .geo-role elements that are not SVG paths"
    for rid, n in want.items():
        assert got[rid] == n, f"{file}: role {rid}: {got[rid]} shapes drawn, {n} features carry it"

    # the layer control: exactly the page's roles, and the basemaps
    overlays = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert overlays == [overlay_label(_role(r)) for r in spec.roles]
    if file == OVERVIEW:
        six = plan.registry.group("six-cities")
        assert len(six) == 6
        assert overlays == [overlay_label(r) for r in six]
    bases = [t.strip() for t in page.locator(".leaflet-control-layers-base label").all_inner_texts()]
    names = [b.name for b in plan.catalogue.basemaps]
    assert len(bases) == len(names) and all(b.startswith(n) for b, n in zip(bases, names)), (bases, names)
    for name in REQUIRED_BASEMAPS:
        assert any(b.startswith(name) for b in bases), f"{file}: no basemap {name!r} in {bases}"
    checked = page.locator(".leaflet-control-layers-base input:checked")
    assert checked.count() == 1

    # the legend lists each page role
    assert page.locator(".geo-legend").is_visible()
    items = page.locator(".geo-legend .geo-legend-role")
    assert [items.nth(i).get_attribute("data-role") for i in range(items.count())] == list(spec.roles)
    for i, rid in enumerate(spec.roles):
        text = items.nth(i).inner_text()
        assert _role(rid).name_en in text and _role(rid).name_zh in text

    # labels at the overview zoom: one per labelled feature whose layer shows labels at this zoom
    # (on the timeline page, of the features that hold on the date it opens on)
    zoom = page.evaluate("GEO.map.getZoom()")
    layers = _layers_by_id(mp.data)
    at = page_date(mp.data)
    want_labels = [f for f in mp.data["features"]
                   if layers[f["layer"]]["labels"] and layers[f["layer"]]["label_min_zoom"] <= zoom
                   and zoom <= f.get("label_max_zoom", 99) and holds(f, at)]
    assert want_labels, f"{file}: no labels at zoom {zoom}"
    assert page.locator(".geo-label").count() == len(want_labels)
    counties = [f for f in mp.data["features"] if f["layer"] == "counties"]
    if zoom >= layers["counties"]["label_min_zoom"]:
        county_labels = page.locator(".geo-label-counties").all_text_contents()
        assert len(county_labels) == len(counties)
        for f in counties:
            assert any(f["name_zh"] in t for t in county_labels), f"{file}: no label for {f['name_en']}"
    if file == OVERVIEW:
        assert zoom >= layers["counties"]["label_min_zoom"], \
            "the overview should open showing district labels"

    # the scale bar
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-scale").is_visible()

    shots = [SCREENSHOTS / f"{Path(file).stem}.png"]
    if file == OVERVIEW:
        if UPDATE_DOCS:
            shots.append(DOCS / "overview.png")
    mp.screenshot(*shots)
    mp.assert_clean()


# ---- overlays switch off and on from the layer control ----------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("file", MAP_PAGES)
def test_overlays_toggle(built_maps, open_page, file):
    spec = spec_for(file)
    want = expected_role_counts(spec, _plan())
    mp = open_page(built_maps / file)
    before = mp.role_counts(spec.roles)
    assert {r: before[r] for r in spec.roles} == want
    for rid in spec.roles:
        box = mp.overlay_checkbox(rid)
        assert box.count() == 1, f"{file}: no checkbox for {rid}"
        assert box.is_checked()
        box.click()
        assert not box.is_checked()
        off = mp.role_counts(spec.roles)
        assert off[rid] == 0, f"{file}: {rid} switched off but {off[rid]} shapes remain"
        for other in spec.roles:
            if other != rid:
                assert off[other] == before[other], f"{file}: switching off {rid} changed {other}"
        assert off["*"] == before["*"] - want[rid]
        assert mp.evaluate("(r) => GEO.map.hasLayer(GEO.overlays[r])", rid) is False
        box.click()
        assert box.is_checked()
        assert mp.role_counts(spec.roles) == before, f"{file}: {rid} switched back on, counts not restored"
        assert mp.evaluate("(r) => GEO.map.hasLayer(GEO.overlays[r])", rid) is True
    mp.assert_clean()


# ---- tooltips and popups ----------------------------------------------------------------


def _first_reachable(mp, features):
    """The first of ``features`` the pointer can reach on the page, and where; (None, None) if none."""
    for f in features:
        pt = mp.hit_point(f["id"])
        if pt:
            return f, pt
    return None, None


@pytest.mark.browser
@pytest.mark.parametrize("file", MAP_PAGES)
def test_hover_and_popup(built_maps, open_page, file):
    spec = spec_for(file)
    reg = _plan().registry
    mp = open_page(built_maps / file)
    page = mp.page
    feats = mp.data["features"]

    at = page_date(mp.data)
    by_id = {f["id"]: f for f in feats}

    def now(f):  # the role assignments of a page feature that hold on the date the page shows
        return [r for r in f["roles"] if holds(f, at) and holds(r, at)] if holds(f, at) else []

    def over(f):  # the containers it lies within that hold then, with roles then
        return [by_id[c] for c in f.get("within", []) if now(by_id[c])]

    # hover a district: its tooltip names it in English and Chinese
    county, pt = _first_reachable(mp, [f for f in feats if f["layer"] == "counties"])
    assert county is not None, f"{file}: no district can be hovered (is something drawn over them all?)"
    page.mouse.move(pt["x"], pt["y"])
    tip = page.locator(".leaflet-tooltip.geo-tooltip")
    tip.wait_for(state="visible")
    text = tip.text_content()
    assert county["name_en"] in text and county["name_zh"] in text, text
    for container in over(county):
        # the outline over it (Changchun, a plate) is not hoverable; the district's tooltip names it
        assert f"Within {container['name_en']}" in text, text
    page.mouse.move(2, 450)

    # click a feature with a role: its popup quotes the source passage. Where every role
    # feature lies over the districts (a plate, a base), click a district within one: its
    # popup quotes the sources of what it lies within.
    order = [f for f in feats if f["layer"] == "counties" and now(f)] + \
            [f for f in feats if f["layer"] != "counties" and now(f)]
    target, pt = _first_reachable(mp, order)
    if target is None:
        target, pt = _first_reachable(mp, [f for f in feats if over(f)])
    assert target is not None, f"{file}: no feature with a role, nor one within one, can be clicked"
    page.mouse.click(pt["x"], pt["y"])
    popup = page.locator(".leaflet-popup .geo-popup")
    popup.wait_for(state="visible")
    assert popup.locator("h3 .geo-en").text_content() == target["name_en"]
    assert popup.locator("h3 .geo-zh").text_content() == target["name_zh"]
    sources = popup.locator(".geo-source")
    cited = now(target) + [r for c in over(target) for r in now(c)]
    assert sources.count() == len({r["source"] for r in cited}) >= 1  # each passage quoted once
    quoted = " ".join(sources.all_text_contents())
    for r in cited:
        assert r["role"] in spec.roles
        src = reg.sources[r["source"]]
        inner = src.quote.replace("“", "‘").replace("”", "’")  # a quote in the quote: single marks
        assert (inner or src.title) in quoted, \
            f"{file}: popup of {target['id']} lacks source {r['source']}"
    mp.assert_clean()


# ---- Gaode basemaps redraw everything in GCJ-02 -----------------------------------------


def _drawn_state(mp):
    return json.loads(mp.evaluate(JS_DRAWN))


def _compare(state, *, gcj: bool):
    """Max |drawn - expected| over every vertex and label; expected is GCJ-02 of the stored
    WGS-84 when ``gcj``, else the WGS-84 itself. Returns (max error, county vertices, shift)."""
    worst, n_county, shift = 0.0, 0, 0.0
    for s in state["shapes"]:
        assert s["fi"] >= 0, f"a drawn shape without a feature index: {s['cls']}"
        assert len(s["drawn"]) == len(s["wgs"]), s["id"]
        for d, w in zip(s["drawn"], s["wgs"]):
            d, w = np.asarray(d, float), np.asarray(w, float)
            # Leaflet drops a polygon ring's closing vertex
            assert len(d) in (len(w), len(w) - 1), (s["id"], len(d), len(w))
            w = w[:len(d)]
            if gcj:
                lon, lat = wgs84_to_gcj02(w[:, 1], w[:, 0])
                exp = np.column_stack([lat, lon])
            else:
                exp = w
            worst = max(worst, float(np.abs(d - exp).max()))
            shift = max(shift, float(np.abs(d - w).max()))
            if s["layer"] == "counties":
                n_county += len(d)
    for lab in state["labels"]:
        w = np.asarray(lab["wgs"], float)
        if gcj:
            lon, lat = wgs84_to_gcj02(w[1], w[0])
            exp = np.array([float(lat), float(lon)])
        else:
            exp = w
        worst = max(worst, float(np.abs(np.asarray(lab["drawn"], float) - exp).max()))
    return worst, n_county, shift


@pytest.mark.browser
def test_gaode_alignment(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    feats = mp.data["features"]

    wgs_state = _drawn_state(mp)
    assert wgs_state["body"] == "wgs84"
    # what the page draws as WGS-84 is what the page stores, decoded in Python: at the opening
    # zoom the coarse form (the arcs' kept vertices), from lod_zoom on every vertex
    def check_stored(state, coarse):
        checked = 0
        for s in state["shapes"]:
            f = feats[s["fi"]]
            if f["layer"] != "counties":
                continue
            stored = f["g"]["cc" if coarse else "c"]
            rings = [r for p in stored for r in p] if f["g"]["t"] == "MultiPolygon" else stored
            assert len(rings) == len(s["wgs"])
            for ring, w in zip(rings, s["wgs"]):
                assert np.abs(np.asarray(w, float) - np.asarray(ring, float)).max() < 1e-9
                checked += len(ring)
        return checked

    assert mp.evaluate("GEO.coarse()") is True, "the overview opens below lod_zoom"
    assert check_stored(wgs_state, coarse=True) >= 200
    assert _compare(wgs_state, gcj=False)[0] == 0.0

    mp.base_radio("Gaode roads").click()
    page.wait_for_function("() => document.body.dataset.datum === 'gcj02'")
    state = _drawn_state(mp)
    assert state["datum"] == "gcj02" and state["body"] == "gcj02"
    assert page.evaluate("document.body.dataset.datum") == "gcj02"
    worst, n_county, shift = _compare(state, gcj=True)
    assert n_county >= 200, f"only {n_county} district vertices compared"
    assert worst < 1e-9, f"drawn vertices differ from GCJ-02(WGS-84) by up to {worst} degrees"
    assert shift > 1e-3, "switching to Gaode did not move the overlays"
    # labels moved too
    assert state["labels"] and all(lab["drawn"] != lab["wgs"] for lab in state["labels"])
    mp.screenshot(SCREENSHOTS / "six-cities-gaode.png", *([DOCS / "gaode.png"] if UPDATE_DOCS else []))

    # another GCJ-02 basemap: no second shift
    mp.base_radio("Gaode imagery").click()
    state = _drawn_state(mp)
    assert state["body"] == "gcj02"
    assert _compare(state, gcj=True)[0] < 1e-9, "switching between GCJ-02 basemaps shifted the overlays twice"

    # back to a WGS-84 basemap: the stored positions exactly
    mp.base_radio("CARTO light").click()
    page.wait_for_function("() => document.body.dataset.datum === 'wgs84'")
    state = _drawn_state(mp)
    assert state["datum"] == "wgs84"
    worst, n_county, _ = _compare(state, gcj=False)
    assert n_county >= 200
    assert worst < 1e-12, f"back on WGS-84, vertices are off by {worst} degrees"
    mp.base_radio("Plain").click()
    assert _compare(_drawn_state(mp), gcj=False)[0] < 1e-12

    # zoomed in to lod_zoom every vertex is drawn, and Gaode moves every one of them
    mp.evaluate(f"GEO.map.setZoom({mp.data['lod_zoom']}, {{animate: false}})")
    page.wait_for_function("() => GEO.coarse() === false")
    fine = _drawn_state(mp)
    assert check_stored(fine, coarse=False) > 2 * check_stored(wgs_state, coarse=True)
    mp.base_radio("Gaode roads").click()
    page.wait_for_function("() => document.body.dataset.datum === 'gcj02'")
    worst, n_county, _ = _compare(_drawn_state(mp), gcj=True)
    assert n_county >= 1000 and worst < 1e-9
    mp.assert_clean()


# ---- nothing remote in the markup -------------------------------------------------------


@pytest.mark.parametrize("file", ALL_PAGES)
def test_no_remote_assets(built_maps, file):
    text = (built_maps / file).read_text(encoding="utf-8")
    refs = AssetRefs()
    refs.feed(text)
    refs.close()
    remote = [(tag, url) for tag, url in refs.refs if is_remote(url)]
    assert not remote, f"{file} loads remote assets: {remote}"
    for css in refs.styles:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert url.startswith("data:") or not is_remote(url), f"{file}: remote CSS url({url})"
        assert "@import" not in css, f"{file}: CSS @import"
    scripts = [url for tag, url in refs.refs if tag == "script"]
    links = [url for tag, url in refs.refs if tag == "link"]
    assert not scripts and not links, f"{file}: linked assets {scripts + links} (default build inlines them)"
    data = page_data(built_maps / file)
    if data is None:
        return
    # the only URLs in the data are the basemaps' tile URLs and attributions
    for path, s in strings_in({k: v for k, v in data.items() if k != "basemaps"}):
        assert "://" not in s, f"{file}: a URL in the page data at {path}: {s[:120]}"
    for b in data["basemaps"]:
        assert not b["url"] or b["url"].startswith("https://"), b
