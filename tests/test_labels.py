"""Place names on the map (geo/static/js/labels.js): on every page, at a desktop's size and a
phone's, in each language, no two names shown cover each other; a name moves by a little or is
hidden until a zoom where it fits, and the desktop overview shows every district's name.

Boxes are the on-screen boxes of the names' text, read in the page after the frame is laid out.
"""

from __future__ import annotations

import pytest
from browser_util import PHONE, VIEWPORT, map_page_files

pytestmark = pytest.mark.browser

MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"
LANGS = ("both", "en", "zh")
SIZES = {"desktop": {"viewport": VIEWPORT}, "phone": PHONE}

#: Every name placed now: its text, its box, how far it moved (px), hidden or not.
JS_NAMES = """
() => GEO.labels.filter((l) => l.on).map((l) => {
  const r = l.box.getBoundingClientRect();
  return {name: l.feature.name_en, id: l.feature.id, culled: l.culled,
          hidden: getComputedStyle(l.box).visibility === 'hidden',
          dy: parseFloat(l.box.style.marginTop || '0'), box: [r.left, r.top, r.right, r.bottom]};
})
"""
#: Two frames: labels.js sorts the names out in the frame after a change.
JS_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def names(mp, lang: str | None = None) -> list[dict]:
    if lang:
        mp.evaluate(f"() => GeoMap.i18n.setLang({lang!r})")
    mp.evaluate(JS_FRAMES)
    return mp.evaluate(JS_NAMES)


def overlap(a, b) -> tuple[float, float]:
    return (min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def covering(shown: list[dict]) -> list[str]:
    """Pairs of names whose boxes share more than a pixel each way."""
    out = []
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            w, h = overlap(a["box"], b["box"])
            if w > 1 and h > 1:
                out.append(f"{a['name']} x {b['name']} ({w:.0f}x{h:.0f} px)")
    return out


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("file", MAP_PAGES)
def test_names_never_cover_each_other(built_maps, open_page, file, size):
    mp = open_page(built_maps / file, **SIZES[size])
    for lang in LANGS:
        placed = names(mp, lang)
        assert placed, f"{file}: no names at {size} size"
        shown = [n for n in placed if not n["culled"]]
        assert covering(shown) == [], f"{file} ({size}, {lang})"
        for n in placed:
            assert n["hidden"] == n["culled"], f"{file}: {n['name']} hidden is not what labels.js decided"
            height = n["box"][3] - n["box"][1]
            assert abs(n["dy"]) <= 0.6 * height + 0.01, f"{file}: {n['name']} moved {n['dy']} px"
        if len(shown) < len(placed):
            print(f"{file} ({size}, {lang}): hidden {[n['name'] for n in placed if n['culled']]}")
    mp.assert_clean()


def test_the_desktop_overview_shows_every_name(built_maps, open_page):
    """At load, in each language, the overview names every district and county and every
    neighbouring prefecture it labels: a name that would cover another moves, none is hidden."""
    mp = open_page(built_maps / OVERVIEW)
    counties = {f["id"] for f in mp.data["features"] if f["layer"] == "counties"}
    for lang in LANGS:
        placed = names(mp, lang)
        assert counties <= {n["id"] for n in placed}
        assert [n["name"] for n in placed if n["culled"]] == [], lang
        assert covering(placed) == [], lang
    mp.assert_clean()


def test_a_hidden_name_shows_closer_in(built_maps, open_page):
    """On a phone the timeline opens on the whole province: names that do not fit are hidden,
    the city's own shown; two zooms in, at each hidden place, its name shows."""
    mp = open_page(built_maps / "timeline.html", **PHONE)
    placed = names(mp)
    hidden = [n for n in placed if n["culled"]]
    assert hidden, "nothing hidden on the phone's timeline: the test would prove nothing"
    shown = {n["name"] for n in placed if not n["culled"]}
    assert "Changchun" in shown
    zoom = mp.evaluate("GEO.map.getZoom()")
    for n in hidden:
        mp.evaluate(f"""() => {{ const l = GEO.labels.find((l) => l.feature.id === {n['id']!r} && l.on);
                                 GEO.map.setView(l.marker.getLatLng(), {zoom + 2}, {{animate: false}}); }}""")
        again = {m["id"]: m for m in names(mp)}
        assert n["id"] in again and not again[n["id"]]["culled"], f"{n['name']} still hidden at zoom {zoom + 2}"
    mp.assert_clean()


def test_short_names(built_maps, open_page, plan):
    """The English name drops the kind of unit (the outline shows it); the Chinese stays whole.
    The web's labels and the print map's (geo/export/words.py) shorten every name alike."""
    from geo.export.words import short_name

    mp = open_page(built_maps / OVERVIEW)
    given = ["Nanguan District", "Nong'an County", "Jilin City", "Yanbian Korean Autonomous Prefecture",
             "Qian Gorlos Mongol Autonomous County", "Changchun New Area", "Changchun"]
    want = ["Nanguan", "Nong'an", "Jilin", "Yanbian", "Qian Gorlos", "Changchun New Area", "Changchun"]
    every = sorted({str(f.props.get("name_en", "")) for f in plan.features})
    web = mp.evaluate("(names) => names.map(GeoMap.labels.shortName)", given + every)
    assert web[:len(given)] == want
    assert web == [short_name(n) for n in given + every]
    zh = mp.evaluate("() => Array.from(document.querySelectorAll('.geo-label-counties .geo-label-zh'),"
                     " (e) => e.textContent)")
    assert set(zh) == {f["name_zh"] for f in mp.data["features"] if f["layer"] == "counties"}
