"""Fonts for the print maps: Latin from DejaVu Sans (it comes with matplotlib), Chinese from
WenQuanYi Micro Hei (Debian: ``fonts-wqy-microhei``).

The CJK font has TrueType outlines, so matplotlib embeds it in PDFs as a Type 42 (CID
TrueType) font: text stays text, a reader can search and copy it. (Noto Sans CJK, from
``fonts-noto-cjk``, has CFF outlines; matplotlib writes those under a TrueType font header,
which poppler reports as a "mismatch between font type and embedded font file".) SVGs keep
their text as ``<text>`` elements; :func:`embed_svg_fonts` adds the fonts, cut down to the
characters the maps can write, as ``@font-face`` rules with WOFF data.
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache
from pathlib import Path

from ..errors import GeoError

__all__ = ["CJK_FAMILY", "LATIN_FAMILY", "FontMissing", "cjk_font_path", "embed_svg_fonts", "rc"]

LATIN_FAMILY = "DejaVu Sans"
CJK_FAMILY = "WenQuanYi Micro Hei"
#: The font file and the Debian package that installs it.
CJK_FILE, CJK_PACKAGE = "wqy-microhei.ttc", "fonts-wqy-microhei"
_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


class FontMissing(GeoError):
    """The Chinese font the print maps embed is not installed."""


@cache
def cjk_font_path() -> Path:
    """Where the CJK font is (the usual font folders first, then fontconfig's list)."""
    for d in _DIRS:
        root = Path(d).expanduser()
        if root.is_dir():
            for hit in sorted(root.rglob(CJK_FILE)):
                return hit
    from matplotlib import font_manager

    for f in font_manager.findSystemFonts():
        if Path(f).name == CJK_FILE:
            return Path(f)
    raise FontMissing(f"the print maps need the font {CJK_FAMILY} ({CJK_FILE}), which is not installed: "
                      f"apt-get install {CJK_PACKAGE}")


_SUBSETS: dict[str, Path] = {}  # family -> file of each CJK subset made in this process


def _subset(src: Path, chars: str, family: str, folder: Path, stem: str) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(src), fontNumber=0)
    opts = subset.Options()
    opts.notdef_outline = True
    # no OpenType layout: matplotlib lays text out glyph by glyph (kerning from "kern"), and
    # reading DejaVu's GSUB/GPOS tables is most of the time a subset takes
    drop = ["FFTM", "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH"]
    for tag in drop:
        if tag in font:
            del font[tag]
    opts.layout_features = []
    opts.drop_tables += drop
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted({ord(c) for c in chars}))
    sub.subset(font)
    for rec in font["name"].names:
        if rec.nameID in (1, 16):
            rec.string = family
    font["name"].names = [rec for rec in font["name"].names if rec.platformID == 3]
    path = folder / f"{stem}.ttf"
    font.save(str(path))
    return path


@cache
def font_families(chars: str) -> tuple[str, str]:
    """The Latin and CJK families the print maps use, each cut down to ``chars`` (files in a
    temporary folder, registered with matplotlib): ``(latin, cjk)``. The CJK font has 30,000
    glyphs and DejaVu several thousand; laying out and embedding text from fonts of a few
    hundred glyphs is many times quicker. Names carry a digest of the characters: the same
    text gives the same fonts, and the same files."""
    import atexit
    import hashlib
    import shutil
    import tempfile

    from matplotlib import font_manager

    digest = hashlib.sha1(chars.encode("utf-8")).hexdigest()[:6]
    folder = Path(tempfile.mkdtemp(prefix="geo-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    latin, cjk = f"{LATIN_FAMILY} {digest}", f"{CJK_FAMILY} {digest}"
    for weight in ("normal", "bold"):
        prop = font_manager.FontProperties(family=LATIN_FAMILY, weight=weight)
        src = Path(font_manager.findfont(prop, fallback_to_default=False))
        font_manager.fontManager.addfont(str(_subset(src, chars, latin, folder, f"latin-{weight}-{digest}")))
    path = _subset(cjk_font_path(), chars, cjk, folder, f"cjk-{digest}")
    font_manager.fontManager.addfont(str(path))
    _SUBSETS[cjk] = path
    for weight in ("normal", "bold"):
        _SUBSETS[f"{latin}/{weight}"] = folder / f"latin-{weight}-{digest}.ttf"
    return latin, cjk


def rc(chars: str) -> dict:
    """matplotlib settings for the print maps (use inside ``matplotlib.rc_context``); ``chars``:
    every character the maps will write (the fonts are cut down to them)."""
    latin, cjk = font_families("".join(sorted(set(chars))))
    return {
        "font.family": [latin, cjk],  # a glyph DejaVu lacks comes from the CJK font
        "pdf.fonttype": 42,          # TrueType in the PDF: text stays text
        "svg.fonttype": "none",      # <text> in the SVG; fonts added by embed_svg_fonts
        "svg.hashsalt": "changchun-maps",  # the same map, the same SVG ids
        "pdf.compression": 6,
        # hinting fits glyphs to a screen's pixels: print resolutions need none, and text lays
        # out and renders a third quicker without it
        "text.hinting": "no_hinting",
        "axes.unicode_minus": False,
    }


_STYLE = re.compile(r"(<defs>\s*<style type=\"text/css\">)(.*?)(</style>)", re.S)


@cache
def _woff(path: Path) -> bytes:
    """The font (already cut down to the maps' characters) as WOFF, once per process."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _faces(svg: str) -> list[tuple[str, str, Path]]:
    """(family, weight, file) of each font the SVG's text uses."""
    bold = re.search(r"font-weight:\s*(700|bold)|font:\s*(700|bold)", svg)
    faces = []
    for key, path in _SUBSETS.items():
        family, _, weight = key.partition("/")
        if f"'{family}'" in svg and (weight != "bold" or bold):
            faces.append((family, "700" if weight == "bold" else "400", path))
    return faces


def embed_svg_fonts(svg: str) -> str:
    """The SVG with ``@font-face`` rules for the fonts its text uses (the print fonts, cut down
    to the characters the maps can write), so it shows the same on a machine without them."""
    rules = []
    for family, weight, path in _faces(svg):
        data = base64.b64encode(_woff(path)).decode("ascii")
        rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                     f"src: url(data:font/woff;base64,{data}) format('woff'); }}")
    m = _STYLE.search(svg)
    if not m:  # matplotlib always writes one; be safe
        return svg.replace("<defs>", "<defs>\n  <style type=\"text/css\">" + "\n".join(rules) + "</style>", 1)
    return svg[:m.start(2)] + m.group(2) + "\n" + "\n".join(rules) + "\n" + svg[m.end(2):]
