"""What ``python -m geo export`` can be asked for, and one-line errors naming the valid choices."""

from __future__ import annotations

from pathlib import Path

from ..errors import GeoError
from ..registry import closest

__all__ = [
    "FORMATS",
    "LANGS",
    "ORIENTATIONS",
    "PAPERS",
    "ChoiceError",
    "choose",
    "find_page",
    "page_name",
    "paper_size_mm",
    "parse_formats",
]

#: ISO 216 sheets, (width, height) in millimetres, portrait.
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS = ("landscape", "portrait")
LANGS = ("en", "zh", "both")
FORMATS = ("pdf", "svg", "png")


class ChoiceError(GeoError, ValueError):
    """An option value that is not one of the valid choices."""


def _unknown(what: str, value: str, valid) -> ChoiceError:
    near = closest(value, valid)
    hint = f"; did you mean {near!r}?" if near else ""
    return ChoiceError(f"unknown {what} {value!r}{hint} (valid: {', '.join(valid)})")


def choose(what: str, value: str, valid) -> str:
    """``value`` as spelled in ``valid`` (case does not matter), else a ChoiceError."""
    for v in valid:
        if str(value).strip().lower() == v.lower():
            return v
    raise _unknown(what, str(value), list(valid))


def paper_size_mm(paper: str, orientation: str) -> tuple[float, float]:
    """(width, height) of the sheet in millimetres."""
    w, h = PAPERS[choose("paper", paper, PAPERS)]
    return (h, w) if choose("orientation", orientation, ORIENTATIONS) == "landscape" else (w, h)


def parse_formats(text) -> tuple[str, ...]:
    """``"pdf,png"`` (or a list) -> ("pdf", "png"), each checked, in the order given, once each."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in (i.strip() for i in items):
        if item:
            f = choose("format", item.lstrip("."), FORMATS)
            if f not in out:
                out.append(f)
    if not out:
        raise ChoiceError(f"no format given (valid: {', '.join(FORMATS)})")
    return tuple(out)


def page_name(page) -> str:
    """A page's short name: its file without ``.html`` (``six-cities``)."""
    return Path(page.file).stem


def find_page(pages, name: str):
    """The page called ``name`` (``six-cities`` or ``six-cities.html``), else a ChoiceError."""
    names = [page_name(p) for p in pages]
    want = Path(str(name).strip()).stem if str(name).strip().endswith(".html") else str(name).strip()
    for p, n in zip(pages, names):
        if n == want or n.lower() == want.lower():
            return p
    raise _unknown("page", str(name), names)
