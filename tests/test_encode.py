"""The page geometry encoding: the vectorised encoder equals the published algorithm."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.encode import _encode_coords_reference, decode_coords, encode_coords

coords = st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=1, max_size=60)


@given(coords)
@settings(max_examples=300, deadline=None)
def test_vectorised_encoder_matches_reference(pts):
    assert encode_coords(pts) == _encode_coords_reference(pts)


@given(coords)
@settings(max_examples=200, deadline=None)
def test_decode_round_trip(pts):
    back = np.asarray(decode_coords(encode_coords(pts)))
    assert np.abs(back - np.round(np.asarray(pts), 5)).max() < 1e-9


def test_known_polyline():
    # Google's documented example: (38.5, -120.2), (40.7, -120.95), (43.252, -126.453)
    assert encode_coords([(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)]) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
