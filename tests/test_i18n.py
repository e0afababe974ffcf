"""The interface strings: one catalogue, both languages, every key the pages ask for present."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from geo.assets import JS_MODULES
from geo.errors import DataError
from geo.i18n import STRINGS_FILE, strings

JS = Path(__file__).resolve().parent.parent / "geo" / "static" / "js"


def _js_sources() -> dict[str, str]:
    return {name: (JS / f"{name}.js").read_text(encoding="utf-8") for name in JS_MODULES}


def _keys_used() -> set[str]:
    """Catalogue keys named in the in-page code: t("key") calls and the legend's KEYS list."""
    used = set()
    for text in _js_sources().values():
        used |= set(re.findall(r'\bt\("([a-z0-9_]+)"(?!\s*\+)', text))
        for listed in re.findall(r"var KEYS = \[([^\]]*)\]", text):
            used |= {"key_" + k for k in re.findall(r'"([a-z0-9_]+)"', listed)}
        for prefix in re.findall(r'"([a-z0-9]+_)" \+ f\.basis', text):
            used |= {prefix + b for b in ("official", "derived", "schematic")}
    return used


def test_every_string_has_both_languages():
    cat = strings()
    assert len(cat) >= 20
    for key, pair in cat.items():
        assert pair["en"].strip() and pair["zh"].strip(), key
        # Chinese text is Chinese: at least one CJK character (placeholders aside)
        assert re.search(r"[\u3000-\u9fff\uff00-\uffef]", pair["zh"]), (key, pair["zh"])


def test_every_key_the_page_asks_for_is_there():
    used = _keys_used()
    assert len(used) >= 20, used  # the scan finds the keys (it can fail)
    missing = sorted(used - set(strings()))
    assert not missing, f"keys used in geo/static/js but not in {STRINGS_FILE.name}: {missing}"


def test_placeholders_match_between_languages():
    for key, pair in strings().items():
        assert set(re.findall(r"\{(\w+)\}", pair["en"])) == set(re.findall(r"\{(\w+)\}", pair["zh"])), key


def test_a_string_without_chinese_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "strings.toml"
    bad.write_text('legend = { en = "Legend" }\n', encoding="utf-8")
    monkeypatch.setattr("geo.i18n.STRINGS_FILE", bad)
    strings.cache_clear()
    try:
        with pytest.raises(DataError, match=r"legend: needs en and zh"):
            strings()
    finally:
        strings.cache_clear()


def test_catalogue_is_valid_toml():
    with open(STRINGS_FILE, "rb") as fh:
        assert tomllib.load(fh)
