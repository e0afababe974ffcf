"""What a person reads on the map is whole and on top: the search list over the legend, tooltips
as wide as their text, a popup's facts with room for their values, a phone's popup below the
title and tools, and the small words (placeholder, zoom buttons, names) fit for the screen and
the language shown. Each was found wrong by a look at the pages, and each test failed then."""

from __future__ import annotations

import re

import pytest
from browser_util import PHONE

pytestmark = pytest.mark.browser

OVERVIEW = "six-cities.html"
YUSHU, JIUTAI = "220182", "220113"
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def test_the_search_list_lies_over_the_legend(built_maps, open_page):
    """Typed "chang" on the overview (both languages): every place listed is what lies on top at
    its own middle, so it can be read and clicked, where the list runs over the legend too."""
    mp = open_page(built_maps / OVERVIEW)
    box = mp.page.locator(".geo-search-input")
    box.click()
    box.type("chang")
    mp.page.wait_for_selector(".geo-search-hit")
    # the places in the list's view (it scrolls past half the window's height)
    hits = mp.evaluate("""() => { const view = document.querySelector('.geo-search-list').getBoundingClientRect();
      return Array.from(document.querySelectorAll('.geo-search-hit'), (li) => {
        const r = li.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const top = document.elementFromPoint(x, y);
        return {text: li.innerText, onTop: !!top && li.contains(top), y: y};
      }).filter((h) => h.y > view.top && h.y < view.bottom); }""")
    legend = mp.evaluate("() => document.querySelector('.geo-legend').getBoundingClientRect().top")
    assert len(hits) >= 4 and any(h["y"] > legend for h in hits), "the list does not reach the legend"
    assert [h["text"] for h in hits if not h["onTop"]] == []
    mp.page.keyboard.press("Escape")
    assert mp.evaluate("() => document.querySelector('.leaflet-top.leaflet-left').style.zIndex") == ""
    mp.assert_clean()


def test_a_tooltip_is_as_wide_as_its_text(built_maps, open_page):
    """Hovering Yushu: the roles line ("Modern Agricultural City: member") and the belt it lies
    within are set on lines up to 320 px, not wrapped to the width of the name above them."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=en")
    hit = mp.hit_point(YUSHU)
    assert hit
    mp.page.mouse.move(hit["x"], hit["y"])
    mp.page.wait_for_selector(".geo-tooltip .geo-tip-roles")
    widths = mp.evaluate("""() => { const tip = document.querySelector('.geo-tooltip');
      const line = (e) => {  // its text's width on one line
        const c = e.cloneNode(true);
        c.style.cssText = 'position:absolute;white-space:nowrap;width:auto;max-width:none';
        document.body.appendChild(c);
        const w = c.getBoundingClientRect().width;
        c.remove();
        return w;
      };
      return Array.from(tip.querySelectorAll('.geo-tip-roles, .geo-tip-within'),
                        (e) => ({shown: e.getBoundingClientRect().width, natural: line(e)})); }""")
    assert widths
    for w in widths:
        assert w["shown"] >= min(320, w["natural"]) - 1, widths
    mp.assert_clean()


def test_a_popup_gives_its_facts_room(built_maps, open_page):
    """Jiutai's popup in both languages: each fact's value has at least 40% of the facts' width
    (the labels, long in two languages, took all but some 60 px)."""
    mp = open_page(built_maps / OVERVIEW)
    mp.evaluate(f"() => GeoMap.focus.show(GEO.page, GEO.page.feature({JIUTAI!r}))")
    mp.page.wait_for_selector(".leaflet-popup .geo-facts dd")
    share = mp.evaluate("""() => {
      const g = document.querySelector('.leaflet-popup .geo-facts').getBoundingClientRect().width;
      return Array.from(document.querySelectorAll('.leaflet-popup .geo-facts dd'),
                        (d) => d.getBoundingClientRect().width / g); }""")
    assert share and min(share) >= 0.4, share
    mp.assert_clean()


def test_a_phone_popup_opens_below_the_tools(built_maps, open_page):
    """Tapping Jiutai on a phone: the popup starts below the title, search box and tool row (it
    opened under them, its name hidden), fits above the screen's foot, and no tooltip stays."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=en", **PHONE)
    hit = mp.hit_point(JIUTAI)
    assert hit
    mp.page.touchscreen.tap(hit["x"], hit["y"])
    mp.page.wait_for_selector(".leaflet-popup .geo-popup")
    mp.page.wait_for_timeout(400)  # the map pans the popup into view
    got = mp.evaluate("""() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
      const c = document.querySelector('.leaflet-top.leaflet-left').getBoundingClientRect();
      return {top: p.top, bottom: p.bottom, controls: c.bottom,
              tips: document.querySelectorAll('.leaflet-tooltip').length,
              name: document.querySelector('.leaflet-popup h3').getBoundingClientRect().top}; }""")
    assert got["top"] >= got["controls"], got
    assert got["bottom"] <= 844 and got["name"] >= got["controls"], got
    assert got["tips"] == 0, got
    mp.assert_clean()


def test_small_words_fit_the_screen_and_language(built_maps, open_page):
    """On a phone: the search box does not offer the "/" key (there is no keyboard) and, in
    Chinese alone, the zoom buttons (moved to the foot, which Leaflet does by making them anew)
    are named in Chinese. On a wide screen the "/" hint stays."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=zh", **PHONE)
    holder = mp.evaluate("() => document.querySelector('.geo-search-input').placeholder")
    assert "/" not in holder and CJK.search(holder), holder
    names = mp.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-zoom a'),
      (a) => [a.title, a.getAttribute('aria-label')])""")
    assert names and all(CJK.search(n) and not LATIN_WORD.search(n) for pair in names for n in pair), names
    mp.assert_clean()
    wide = open_page(built_maps / OVERVIEW, suffix="#lang=en")
    assert "/" in wide.evaluate("() => document.querySelector('.geo-search-input').placeholder")
    wide.assert_clean()


def test_chinese_names_keep_their_ranks(built_maps, open_page):
    """In Chinese alone a prefecture's name is larger than a district's, both bold, as in
    English alone (the Chinese names were all 11 px regular)."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=zh")
    style = mp.evaluate("""() => ['prefectures', 'counties'].map((k) => {
      const e = document.querySelector('.geo-label-' + k + ' .geo-label-zh'), s = getComputedStyle(e);
      return [parseFloat(s.fontSize), parseInt(s.fontWeight)]; })""")
    (pref_size, pref_weight), (county_size, county_weight) = style
    assert pref_size > county_size and pref_weight >= 600 and county_weight >= 600, style
    mp.assert_clean()


@pytest.mark.parametrize("query", ["Jilin", "Nanguan", "Jiutai"])
def test_a_place_found_on_a_phone_shows_below_its_popup(built_maps, open_page, query):
    """Searching a place on a phone: the map zooms to it below the tools and its popup, and the
    place fills the room left (at least 40% of its width or 60% of its height). It zoomed out
    instead (Jilin from zoom 7 to 5, centred over Heilongjiang), padded as if the tools were a
    column at the side."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=en", **PHONE)
    box = mp.page.locator(".geo-search-input")
    box.fill(query)
    box.press("Enter")
    mp.page.wait_for_selector(".leaflet-popup .geo-popup")
    mp.page.wait_for_timeout(700)  # the map's zoom to it is animated
    got = mp.evaluate("""() => { const m = GEO.map, b = GEO.page.focus.layer.getBounds();
      const nw = m.latLngToContainerPoint(b.getNorthWest()), se = m.latLngToContainerPoint(b.getSouthEast());
      const pop = document.querySelector('.leaflet-popup').getBoundingClientRect();
      const tools = document.querySelector('.leaflet-top.leaflet-left').getBoundingClientRect();
      return {name: GEO.page.focus.feature.name_en, box: [nw.x, nw.y, se.x, se.y], popTop: pop.top,
              popBottom: pop.bottom, tools: tools.bottom, h: m.getSize().y, w: m.getSize().x}; }""")
    x0, y0, x1, y1 = got["box"]
    assert query in got["name"]
    assert got["popTop"] >= got["tools"] - 0.5 and y0 >= got["popBottom"] - 0.5 and y1 <= got["h"], got
    free_w, free_h = got["w"] - 20, got["h"] - 40 - got["popBottom"]
    assert (x1 - x0) >= 0.4 * free_w or (y1 - y0) >= 0.6 * free_h, got
    mp.assert_clean()


def test_a_table_row_on_a_phone_shows_its_place_clear_of_the_tools(built_maps, open_page):
    """A row of the table tapped on a phone: the place lies between the tools and the table."""
    mp = open_page(built_maps / OVERVIEW, suffix="#lang=en", **PHONE)
    mp.page.locator(".geo-tool-table").click()
    mp.page.locator(f".geo-table tbody tr[data-id='{JIUTAI}']").click()
    mp.page.wait_for_timeout(300)
    got = mp.evaluate(f"""() => {{ const m = GEO.map, pts = [];
      const flat = (c) => {{ if (typeof c[0] === 'number') pts.push(c); else c.forEach(flat); }};
      flat(GEO.page.feature('{JIUTAI}').ll);
      const b = L.latLngBounds(pts), nw = m.latLngToContainerPoint(b.getNorthWest());
      const se = m.latLngToContainerPoint(b.getSouthEast());
      return {{top: nw.y, bottom: se.y,
               tools: document.querySelector('.leaflet-top.leaflet-left').getBoundingClientRect().bottom,
               table: document.querySelector('.geo-table-panel').getBoundingClientRect().top}}; }}""")
    assert got["top"] >= got["tools"] - 0.5 and got["bottom"] <= got["table"] + 0.5, got
    mp.assert_clean()


@pytest.mark.parametrize("file", [OVERVIEW, "three-plates.html", "economic-circle.html"])
def test_a_popup_quotes_each_passage_once(built_maps, open_page, file):
    """Every place's popup: a passage of the plan is quoted once (Nanguan's quoted its role's
    passage again under the consumption area it lies within), and a quote inside a quote takes
    single marks (it read “““Two wings” refer to ...”)."""
    mp = open_page(built_maps / file, suffix="#lang=en")
    popups = mp.evaluate("""() => { const P = GEO.page, out = [];
      for (let i = 0; i < P.data.features.length; i++) {
        const f = P.data.features[i], box = P.content.popup(f);
        out.push({name: f.name_en, within: box.querySelectorAll('.geo-within').length,
                  quotes: Array.from(box.querySelectorAll('.geo-quote'), (q) => q.textContent)});
      }
      return out; }""")
    assert any(p["within"] for p in popups), f"{file}: no popup names what its place lies within"
    for p in popups:
        assert len(p["quotes"]) == len(set(p["quotes"])), p
        for q in p["quotes"]:
            assert q.startswith("“") and q.endswith("”") and "“" not in q[1:-1] and "”" not in q[1:-1], (p["name"], q)
    mp.assert_clean()
