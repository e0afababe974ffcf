"""The interface strings of the maps in English and Chinese (``geo/strings.toml``).

One catalogue for every page: the build embeds it in each page, where ``geo/static/js/i18n.js``
shows English, Chinese or both. :func:`strings` loads it once and checks that every entry has
both languages.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from .errors import DataError

__all__ = ["LANGS", "STRINGS_FILE", "strings"]

STRINGS_FILE = Path(__file__).with_name("strings.toml")
#: The languages a page can show; "both" is the default.
LANGS = ("both", "en", "zh")


@cache
def strings() -> dict[str, dict[str, str]]:
    """``{key: {"en": ..., "zh": ...}}``; DataError when an entry lacks a language."""
    with open(STRINGS_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    problems = [f"{STRINGS_FILE}: {key}: needs en and zh, both non-empty"
                for key, v in raw.items()
                if not isinstance(v, dict) or not all(isinstance(v.get(k), str) and v[k].strip() for k in ("en", "zh"))]
    if problems:
        raise DataError("\n".join(problems))
    return {k: {"en": v["en"], "zh": v["zh"]} for k, v in raw.items()}
