"""What the property checks read of a feature: its signature, feature by feature or column by
column.

Features of one layer with the same signature and geometry type get the same messages from
:func:`geo.checks.check_properties` (their ids aside), so a layer of 100,000 sites with a
handful of distinct role lists needs a handful of checks. :func:`property_signature` is one
feature's; :func:`signature_codes` groups the features of a whole layer by signature with C
code (``map``, hashing, numpy), working out each distinct value's part once.
"""

from __future__ import annotations

from functools import partial
from itertools import chain, repeat

import numpy as np

from .columns import codes, combined, converted, groups, keyed_codes

__all__ = ["property_signature", "signature_codes"]

_INF = float("inf")
# Properties whose value check_properties reads only for being text or a finite number (the NaN
# test of _numbers): a signature keeps just their names. A property whose content a check
# reads must not be listed here.
_ANY_TEXT = frozenset({"id", "description", "position_source", "geometry_source", "area_source",
                       "area_published_km2"})
_NAMES = ("name_en", "name_zh")
_PLAIN = (str, int, float, bool, type(None))
_ENTRY_KEYS = frozenset({"role", "part", "source", "since", "until"})  # a role entry, dated or not
_NONE = type(None)


def _role_entries(roles: list) -> tuple | None:
    """A role list's (role, part, source, since, until) entries; None when one is odd."""
    entries = []
    for r in roles:
        if type(r) is not dict or not _ENTRY_KEYS.issuperset(r) or len(r) < 3:
            return None
        e = (r.get("role"), r.get("part"), r.get("source"), r.get("since"), r.get("until"))
        if type(e[0]) is not str or type(e[1]) is not str or type(e[2]) is not str \
                or type(e[3]) not in (str, _NONE) or type(e[4]) not in (str, _NONE):
            return None
        entries.append(e)
    return tuple(entries)


def _part(key: str, value):
    """What the checks read of one property: its part of a signature; None when the value is not
    plain (a derive, a role list of odd entries)."""
    t = type(value)
    if key in _ANY_TEXT and (t is str or t is int or t is float and -_INF < value < _INF):
        return key
    if key in _NAMES and t is str:
        return key, not value.strip()
    if t in _PLAIN:
        return key, t, value  # the type too: 1, 1.0 and True are equal keys but not equally valid
    if key == "roles" and t is list:
        entries = _role_entries(value)
        return None if entries is None else (key, entries)
    return None


def property_signature(props: dict) -> tuple | None:
    """What :func:`geo.checks.check_properties` reads of ``props``, as a hashable key; None when
    a value is not plain: check that feature itself."""
    sig = tuple(map(_part, props, props.values()))
    return None if None in sig else sig


def signature_codes(props: list[dict]) -> np.ndarray | None:
    """Per feature of ``props``, a code such that features with one code have one
    :func:`property_signature` (features with one signature may get two codes). Found column by
    column: the order of each feature's keys, then each property's values, grouped in C with
    each group's part worked out once. None when some feature's signature is None."""
    key_orders, order = codes(list(map(tuple, props)))
    columns = [(key_orders, order)]
    for key in dict.fromkeys(chain.from_iterable(key_orders)):
        column = _part_codes(key, list(map(dict.get, props, repeat(key))))  # None where absent: the order says so
        if column is None:
            return None
        columns.append(column)
    return combined(columns)[1] if props else np.zeros(0, np.int64)


def _part_codes(key: str, values: list) -> tuple[list, np.ndarray] | None:
    """(distinct parts, a code per row) of property ``key``'s values; None when a part is None."""
    rows, code = _groups(key, values)
    parts, code = converted([values[i] for i in rows], code, partial(_part, key))
    return None if None in parts else (parts, code)


def _groups(key: str, values: list) -> tuple[list, np.ndarray]:
    """(one row of each group, a code per row): the rows grouped so that a group's values have
    one part. By type alone where the part depends on nothing else (texts whose content no check
    reads, names none of which is blank), else by value (:func:`geo.columns.keyed_codes`)."""
    types = list(map(type, values))
    kinds = set(types)
    if key in _ANY_TEXT and kinds <= {str, int, float, _NONE} and (float not in kinds or _finite(values)) \
            or key in _NAMES and kinds == {str} and all(values) and not any(map(str.isspace, values)):
        return ([0], np.zeros(len(values), np.int64)) if len(kinds) == 1 else groups(types)
    return keyed_codes(values)


def _finite(values: list) -> bool:
    """Whether every float of ``values`` (texts, numbers, None) is finite, tested with numpy."""
    is_float = np.fromiter(map(isinstance, values, repeat(float)), dtype=bool, count=len(values))
    return bool(np.isfinite(np.asarray(values, dtype=object)[is_float].astype(float)).all())
