"""The datum conversions, against two independent implementations.

coordTransform (wandergis) uses the same Krasovsky semi-major axis as the leaked GCJ-02 code
(a = 6378245 m): the forward transforms must agree to 1e-9 degrees. eviltransform uses the
WGS-84 axis (6378137 m), which moves points by about a centimetre, and its "exact" inverse
stops at 1e-6 degrees (about 0.1 m): agreement with it is tested at those tolerances.
"""

import math

import eviltransform
import numpy as np
from coordTransform import coordTransform as wandergis
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.datum import bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02


def metres(lon1, lat1, lon2, lat2):
    """Equirectangular distance, fine for the sub-kilometre distances tested here."""
    k = math.pi / 180 * 6371008.8
    return math.hypot((lon2 - lon1) * k * math.cos(math.radians(lat1)), (lat2 - lat1) * k)


# Points across Changchun's region and beyond it in China.
lons = st.floats(min_value=118.0, max_value=132.0)
lats = st.floats(min_value=38.0, max_value=50.0)


@given(lons, lats)
@settings(max_examples=300, deadline=None)
def test_forward_matches_independent_implementations(lon, lat):
    ours = wgs84_to_gcj02(lon, lat)
    wlon, wlat = wandergis.wgs84_to_gcj02(lon, lat)
    assert abs(float(ours[0]) - wlon) < 1e-9 and abs(float(ours[1]) - wlat) < 1e-9
    elat, elon = eviltransform.wgs2gcj(lat, lon)
    assert metres(float(ours[0]), float(ours[1]), elon, elat) < 0.05


@given(lons, lats)
@settings(max_examples=300, deadline=None)
def test_inverse_is_better_than_a_millimetre(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert metres(float(wlon), float(wlat), lon, lat) < 0.001


def test_inverse_agrees_with_eviltransform_exact():
    rng = np.random.default_rng(7)
    lon = rng.uniform(124.0, 127.5, 500)
    lat = rng.uniform(43.0, 45.5, 500)
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    for i in range(500):
        elat, elon = eviltransform.gcj2wgs_exact(lat[i], lon[i])
        assert metres(wlon[i], wlat[i], elon, elat) < 0.2


def test_offset_at_changchun_is_about_590_m_east_north_east():
    # The brief: at Changchun every point sits about 590 m east-north-east in GCJ-02.
    glon, glat = wgs84_to_gcj02(125.326, 43.897)
    d = metres(125.326, 43.897, float(glon), float(glat))
    assert 450 < d < 700
    assert float(glon) > 125.326 and float(glat) > 43.897


@given(lons, lats)
@settings(max_examples=200, deadline=None)
def test_bd09_round_trip(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = gcj02_to_bd09(glon, glat)
    elat, elon = eviltransform.gcj2bd(float(glat), float(glon))
    assert abs(float(blon) - elon) < 1e-9 and abs(float(blat) - elat) < 1e-9
    # BD-09's published inverse is itself approximate (about 0.1 m): fine for pasted points.
    wlon, wlat = bd09_to_wgs84(blon, blat)
    assert metres(float(wlon), float(wlat), lon, lat) < 0.5
