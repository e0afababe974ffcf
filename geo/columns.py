"""Columns of values dictionary-encoded with numpy: what lets a layer of 100,000 features be
read, checked and tabled without a Python step per feature.

A column (one property's values, a row per feature) becomes (its distinct values in first-seen
order, a code per row). The rows are then grouped by code, so that the work a distinct value
needs (a conversion, a check) is done once for it; several columns are combined into one code
per distinct tuple of values. Each row is touched only by C code (``map``, ``zip``, hashing,
numpy).
"""

from __future__ import annotations

import marshal
from itertools import count, repeat

import numpy as np

__all__ = ["codes", "combined", "converted", "groups", "keyed_codes", "raw_codes", "used"]


def codes(values: list) -> tuple[list, np.ndarray]:
    """Dictionary-encode a column: (distinct values in first-seen order, a code per row)."""
    rows, code = groups(values)
    return [values[i] for i in rows], code


def groups(values: list) -> tuple[list, np.ndarray]:
    """(the first row of each distinct value, in order; a code per row: its value's rank among
    them). Each value is hashed once: the first row of each distinct value, ranked, is its code."""
    first: dict = {}
    rows = np.fromiter(map(first.setdefault, values, count()), dtype=np.int64, count=len(values))
    return list(first.values()), used(rows, len(values))[1]


def used(code: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes used (ascending) and each row's index among them: ``np.unique(code,
    return_inverse=True)`` by counting rather than sorting (codes are below ``n``)."""
    distinct = np.flatnonzero(np.bincount(code, minlength=n))
    index = np.zeros(n, dtype=np.int64)
    index[distinct] = np.arange(len(distinct))
    return distinct, index[code]


_NUMBER_TYPES = frozenset({bool, int, float})


def raw_codes(values: list) -> tuple[list, np.ndarray]:
    """(distinct values, codes) of a column as read, for converting each distinct value once.
    Values are told apart by type too where it matters (1, 1.0 and True are one key but convert
    differently, as are 0.0 and -0.0), and by ``repr`` when they do not hash (a list, an
    object: equal for equal JSON values); each is represented by its first row's."""
    try:
        distinct, code = codes(values)
    except TypeError:
        _reprs, code = codes(list(map(repr, values)))
        _, first = np.unique(code, return_index=True)
        return [values[i] for i in first.tolist()], code
    if any(type(v) in _NUMBER_TYPES for v in distinct):  # numbers: some of them may be one key
        if any(type(v) is float and v == 0 for v in distinct):
            return values, np.arange(len(values))
        if len(set(map(type, values)) & _NUMBER_TYPES) > 1:
            keys, code = codes(list(zip(map(type, values), values)))
            return [v for _t, v in keys], code
    return distinct, code


def keyed_codes(values: list) -> tuple[list, np.ndarray]:
    """(one row of each group, a code per row) grouping the rows of a column whose values are
    the same JSON value of the same types: 1, 1.0 and True apart (as a check tells them apart),
    0.0 and -0.0 together (as ``==`` does). A value that does not hash (a list, an object) is
    keyed by its ``marshal`` bytes (written in C, types kept, equal for equal values; version 2
    writes no back-references) or, for what marshal cannot write, its ``repr``. Rows apart
    may hold equal values (an interned string marshals apart from another); rows together never
    hold values a check could tell apart."""
    try:
        one_type = len(set(map(type, values))) <= 1  # (a column of texts: hashed as they are)
        return groups(values if one_type else list(zip(map(type, values), values)))
    except TypeError:
        try:
            return groups(list(map(marshal.dumps, values, repeat(2))))
        except ValueError:  # a value marshal cannot write (from a database driver)
            return groups(list(map(repr, values)))


def converted(distinct: list, code: np.ndarray, convert) -> tuple[list, np.ndarray]:
    """:func:`codes` of a column's values passed through ``convert``, from the column's own
    (distinct values, codes): each distinct value converted once, in the same first-seen order."""
    out: dict = {}
    at = [out.setdefault(convert(v), len(out)) for v in distinct]
    return list(out), np.asarray(at, dtype=np.int64)[code]


def combined(columns: list) -> tuple[list, np.ndarray]:
    """(distinct values, codes) of several columns (each as (distinct values, codes)) taken
    together: distinct tuples in first-seen order."""
    n = len(columns[0][1])
    whole = np.zeros(n, dtype=np.int64)
    size = 1
    for values, code in columns:
        if size * max(len(values), 1) >= 1 << 62:  # past int64: renumber what is combined so far
            _, whole = np.unique(whole, return_inverse=True)
            whole, size = whole.ravel(), n
        whole = whole * len(values) + code
        size *= max(len(values), 1)
    if not n:
        return [], whole
    _distinct, first, inverse = np.unique(whole, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    picks = [code[first[order]].tolist() for _values, code in columns]
    return [tuple(values[i] for (values, _c), i in zip(columns, row)) for row in zip(*picks)], rank[inverse.ravel()]
