"""The dates a plan names (geo.timeline._dates) are found without walking a layer of 100,000
undated sites feature by feature: the features it skips must name no date."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from shapely.geometry import Point

import geo.timeline
from geo.plan import PlanFeature, load_plan

LAYERS = Path(__file__).resolve().parent.parent / "layers"
ENTRY = {"role": "auto", "part": "site", "source": "seed002-auto"}


def _every_feature(plan) -> list:
    with mock.patch.object(geo.timeline, "_naming_dates", lambda features: features):
        return list(geo.timeline._dates(plan))


@pytest.mark.parametrize("props", [
    {}, {"roles": None}, {"roles": []}, {"roles": "auto"}, {"roles": [ENTRY]}, {"roles": [ENTRY, "x"]},
    {"since": "2020"}, {"until": "2030-01"}, {"since": ""}, {"roles": [{**ENTRY, "since": "2022-05"}]},
    {"roles": [ENTRY, {**ENTRY, "until": "2031"}]}, {"roles": [{**ENTRY, "since": None}]},
    {"roles": ({**ENTRY, "since": "2022"},)}, {"roles": {"since": "2022"}},
])
def test_the_dates_are_those_of_every_feature(props):
    plan = _with_sites(props)
    assert list(geo.timeline._dates(plan)) == _every_feature(plan)


def test_undated_sites_are_skipped():
    plan = _with_sites({"roles": [ENTRY]})
    assert not {f.id for f in geo.timeline._naming_dates(plan.features)} & {f"s{i}" for i in range(50)}
    assert list(geo.timeline._dates(plan)) == _every_feature(plan)


def _with_sites(props: dict):
    """The plan of layers/ and 50 undated sites, the 21st of which has ``props``."""
    plan = load_plan(LAYERS)
    layer, at = plan.features[0].layer, Point(125, 44)
    sites = [PlanFeature(f"s{i}", layer, {"id": f"s{i}", "roles": [ENTRY]}, at, at) for i in range(50)]
    sites[20] = PlanFeature("odd", layer, {"id": "odd", **props}, at, at)
    plan.features += sites
    return plan
