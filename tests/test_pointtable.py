"""The point table is made column by column (each distinct value converted once): it must hold
exactly what a pass feature by feature makes, whatever the values (1, 1.0 and True; 0.0 and
-0.0; lists, objects, absent properties)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.columns import combined, converted, raw_codes
from geo.pointtable import (
    _optional_columns,
    _read_columns,
    _role_key,
    _text,
    optional_fields,
)

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e300]),
    st.sampled_from(["", "0", "1", "True", "2024-05", "长春"]),
    st.lists(st.sampled_from(["a", "b", 1]), max_size=2),
    st.fixed_dictionaries({"op": st.sampled_from(["union", "grow", ""])}),
)
_ROLES = st.one_of(st.none(), st.lists(st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["auto", "agriculture"]), "part": st.just("site"),
                           "source": st.just("s")},
                          optional={"since": st.sampled_from(["2020", 2020, None]), "until": st.just("2030")}),
    st.just("not an object")), max_size=2))
_KEYS = ["area_published_km2", "position_error_m", "schematic_area_km2", "area_source", "since", "until",
         "dates_source", "derive", "aliases"]
_PROPS = st.lists(st.builds(lambda d, roles: {**d, **({"roles": roles} if roles is not None else {})},
                            st.dictionaries(st.sampled_from(_KEYS), _VALUES), _ROLES), min_size=1, max_size=12)


def _codes_row_by_row(values: list) -> tuple[list, list]:
    seen = dict.fromkeys(values)
    code = {v: k for k, v in enumerate(seen)}
    return list(seen), [code[v] for v in values]


@settings(max_examples=300, deadline=None)
@given(_PROPS)
@example([{"area_source": 0.0}, {"area_source": -0.0}, {"area_source": 1}, {"area_source": True},
          {"position_error_m": True}, {"position_error_m": "1"}, {"dates_source": 1.0}])
def test_optional_columns_are_those_of_each_row(props):
    optional = [optional_fields(p) for p in props]
    expected = {k: _codes_row_by_row([o.get(k) for o in optional])
                for k in dict.fromkeys(k for o in optional for k in o)}
    got = _optional_columns(_read_columns(props))
    assert list(got) == list(expected)  # the column order too: it is the page's
    for k, (values, codes) in got.items():
        assert (values, codes.tolist()) == expected[k]
        assert [type(v) for v in values] == [type(v) for v in expected[k][0]]
        assert [str(v) for v in values] == [str(v) for v in expected[k][0]]  # -0.0 stays -0.0


@settings(max_examples=300, deadline=None)
@given(_PROPS)
def test_role_keys_are_those_of_each_row(props):
    expected = _codes_row_by_row([(_role_key(p.get("roles")), _text(p.get("since")), _text(p.get("until")))
                                  for p in props])
    columns = [raw_codes([p.get(k) for p in props]) for k in ("roles", "since", "until")]
    keys, codes = converted(*combined(columns), lambda k: (_role_key(k[0]), _text(k[1]), _text(k[2])))
    assert (keys, codes.tolist()) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from(["a", "长", "𝄞", "é", "\n"]), max_size=4), min_size=1, max_size=8),
       st.data())
def test_a_pages_texts_are_its_rows_texts_joined(values, data):
    import numpy as np

    from geo.pointtable import PointTable, _utf16_lengths

    n = len(values)
    codes = np.array(data.draw(st.one_of(st.just(list(range(n))), st.lists(st.integers(0, n - 1)))), dtype=np.int64)
    table = PointTable(values, {}, np.zeros((n, 2), np.int64), np.zeros(n, object),
                       {"name_en": (values, np.arange(n))}, [], np.zeros(n, np.int64))
    assert table.utf8_text("name_en", codes) == "".join(values[i] for i in codes.tolist()).encode("utf-8")
    assert _utf16_lengths(values).tolist() == [len(v.encode("utf-16-le")) // 2 for v in values]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 2, 4]))
def test_points_in_a_container_by_grid_are_those_geos_finds(seed, cells):
    """The grid settles most points; those on a box's edge, a vertex or the boundary still go to GEOS."""
    import numpy as np
    import shapely

    from geo.pointtable import contains_xy

    rng = np.random.default_rng(seed)
    ring = np.cumsum(rng.normal(size=(40, 2)), axis=0)
    geom = shapely.make_valid(shapely.Polygon(ring)).buffer(0.3, quad_segs=2)
    west, south, east, north = geom.bounds
    xy = rng.uniform((west - 1, south - 1), (east + 1, north + 1), size=(3000, 2))
    xy[:200] = np.round(xy[:200] * 2) / 2  # on a grid of halves: box edges when the bounds are
    vertices = shapely.get_coordinates(geom)[:100]
    xy[200:200 + len(vertices)] = vertices
    edges_x = west + (east - west) / cells * np.arange(cells + 1)
    xy[300:400, 0] = rng.choice(edges_x, 100)  # on the boxes' edges
    expected = shapely.contains_xy(geom, xy[:, 0], xy[:, 1])
    assert (contains_xy(geom, xy[:, 0], xy[:, 1], cells) == expected).all()
    assert expected.any() and not expected.all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.0, -0.0, 1.0, float("nan")]),
                          st.sampled_from(["", "a", "长"]), st.lists(st.sampled_from(["a", 1, 1.0, True]), max_size=2),
                          st.dictionaries(st.sampled_from(["role", "since"]), st.sampled_from(["a", 1, True]))),
                min_size=1, max_size=12))
@example([0.0, -0.0, 1, 1.0, True, [1], [1.0], [True], {"a": 1}, {"a": True}, None])
def test_keyed_codes_join_only_values_of_one_type_and_value(values):
    """Rows in one group hold the same JSON value of the same types (what a check may tell
    apart; 0.0 and -0.0 are one, as they are for ``==``)."""
    from geo.columns import keyed_codes

    rows, codes = keyed_codes(values)
    assert codes[rows].tolist() == list(range(len(rows)))  # each group's first row is its own
    for i, code in enumerate(codes.tolist()):
        a, b = values[i], values[rows[code]]
        # repr tells 1, 1.0 and True apart, at any depth
        assert repr(a) == repr(b) or type(a) is float and type(b) is float and a == b, (a, b)
