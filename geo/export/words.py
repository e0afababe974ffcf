"""The print maps' words in the language asked for: from the maps' one catalogue of interface
strings (``geo/strings.toml``: the legend's keys, and the ``print_`` entries)."""

from __future__ import annotations

import html
import re

from ..i18n import strings

__all__ = ["all_text", "bilingual", "short_name", "word"]


def bilingual(en: str, zh: str, lang: str, sep: str = " ") -> str:
    """``en``, ``zh`` or both, for ``--lang``; either alone when the other is empty."""
    if lang == "en" or not zh:
        return en or zh
    if lang == "zh" or not en:
        return zh or en
    return f"{en}{sep}{zh}"


def word(key: str, lang: str, sep: str = " ") -> str:
    """The catalogue's string ``key`` ("legend", "key_dashed", "print_made") in ``lang``."""
    pair = strings()[key]
    return bilingual(pair["en"], pair["zh"], lang, sep)


def short_name(name_en: str) -> str:
    """A place's English name for a label, without the kind of unit its outline shows:
    "Jiutai District" -> "Jiutai", "Yanbian Korean Autonomous Prefecture" -> "Yanbian" (as the
    web map's labels.js shortName)."""
    return re.sub(r" ((\S+ )?Autonomous )?(District|County|City|Prefecture)$", "", name_en)


def _strings_in(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings_in(v)


def all_text(plan, pages) -> str:
    """Every character the print maps of ``plan`` can write (the CJK font is cut down to these)."""
    from .frame import PROJECTION_NAME, PROJECTION_NAME_ZH

    parts = [PROJECTION_NAME, PROJECTION_NAME_ZH, "".join(chr(c) for c in range(32, 127)), "°·–—’“”‘…×©®"]
    parts += _strings_in(strings())
    for f in plan.features:
        parts += _strings_in(f.props)
    reg = plan.registry
    for r in reg.roles:
        parts += [r.name_en, r.name_zh, r.description]
    for p in reg.parts.values():
        parts += [p.en, p.zh]
    for s in reg.sources.values():
        parts += [s.title, s.cite, s.reference]
    for page in pages:
        parts += [page.title, page.subtitle, page.note]
    for b in plan.catalogue.basemaps:  # --basemap credits its tiles
        parts += [b.name, html.unescape(b.attribution)]
    return "".join(sorted(set("".join(parts))))
