"""Role colours stay distinguishable for colour-blind readers.

The check: the roles a plan's page shows together (its plan's roles in layers/roles.toml, and
those of other plans it lists in `also`) must keep every pair of their colours at least
MIN_DELTA_E apart, as distances in CAM02-UCS (a perceptually uniform colour space: about 1 is a
just-noticeable difference), under normal vision and under simulated protanopia, deuteranopia
and tritanopia (Machado, Oliveira & Fernandes 2009, severity 100%, as implemented by
colorspacious). The colours are those of strokes, dots, lines and swatches, drawn at full
strength; the lighter fills get stripes when a place takes several roles (checked in the page
below) and their full-strength outline. (The timeline page shows the plans of a date all at
once; a reader tells them apart by plan with its panel's checkboxes, so the check is made plan
page by plan page.)
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from browser_util import plan_and_pages

MIN_DELTA_E = 10.0
VISION = ("normal", "protanomaly", "deuteranomaly", "tritanomaly")


def rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(colour: np.ndarray, vision: str) -> np.ndarray:
    from colorspacious import cspace_convert

    if vision == "normal":
        return colour
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(colour, cvd, "sRGB1"), 0, 1)


def closest_pair(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    from colorspacious import deltaE

    sim = {k: seen(rgb(v), vision) for k, v in colours.items()}
    return min((float(deltaE(sim[a], sim[b], input_space="sRGB1")), a, b) for a, b in itertools.combinations(sim, 2))


def groups() -> dict[str, dict[str, str]]:
    """Each plan's page -> the colours of the roles it shows together."""
    plan, pages = plan_and_pages()
    reg = plan.registry
    return {p.file: {rid: reg.role(rid).colour for rid in p.roles} for p in pages
            if p.plan_id and not p.timeline and len(p.roles) > 1}


def test_the_check_can_fail():
    # the classic red and green: far apart for most readers, one colour for a deuteranope
    pair = {"red": "#d62728", "green": "#2ca02c"}
    assert closest_pair(pair, "normal")[0] > 30
    assert closest_pair(pair, "deuteranomaly")[0] < MIN_DELTA_E
    # and a grey is a grey whatever the vision
    for vision in VISION:
        assert np.allclose(seen(np.array([0.5, 0.5, 0.5]), vision), 0.5, atol=0.01)


@pytest.mark.parametrize("vision", VISION)
def test_role_colours_stay_apart(vision):
    found = groups()
    reg = plan_and_pages()[0].registry
    # every plan with several roles is checked on its page
    assert set(found) == {p.file for p in reg.plans if len(reg.page_roles(p)) > 1}
    assert len(found["six-cities.html"]) == len(reg.plan_roles("six-cities")) == 6
    for group, colours in found.items():
        d, a, b = closest_pair(colours, vision)
        print(f"{group}, {vision}: closest pair {a}/{b}, {d:.1f}")
        assert d >= MIN_DELTA_E, (f"{group}: under {vision} {a} ({colours[a]}) and {b} ({colours[b]}) are only "
                                  f"{d:.1f} apart (CAM02-UCS); change a colour in layers/roles.toml")


@pytest.mark.browser
def test_places_in_several_roles_are_striped(built_maps, open_page):
    """A place in k of the page's roles is filled with k interleaved stripes, one per role,
    each in its role's colour: shared places stay legible without telling colours apart."""
    plan, pages = plan_and_pages()
    spec = next(p for p in pages if p.file == "six-cities.html")
    mp = open_page(built_maps / spec.file)
    fills = mp.evaluate("""() => Array.from(document.querySelectorAll('path.geo-role')).map((p) => {
        const m = /url\\(#(geo-pat-[^)]+)\\)/.exec(p.getAttribute('fill') || '');
        const pat = m && document.getElementById(m[1]);
        const rect = pat && pat.querySelector('rect');
        return {cls: p.getAttribute('class'), pattern: m ? m[1] : null,
                colour: rect ? rect.getAttribute('fill') : null, x: rect ? rect.getAttribute('x') : null};
    })""")
    by_feature: dict[str, list] = {}
    for f in fills:
        fi = next(c for c in f["cls"].split() if c.startswith("geo-f-"))
        by_feature.setdefault(fi, []).append(f)
    striped = 0
    for fi, paths in by_feature.items():
        feat = mp.data["features"][int(fi[6:])]
        style = next(lyr["style"] for lyr in mp.data["layers"] if lyr["id"] == feat["layer"])
        roles = list(dict.fromkeys(r["role"] for r in feat["roles"]))
        if len(roles) < 2 or not feat["g"]["t"].endswith("Polygon") or style == "outline":
            continue
        striped += 1
        colours = {plan.registry.role(r).colour for r in roles}
        assert {p["colour"] for p in paths} == colours, (feat["id"], paths)
        assert len({p["x"] for p in paths}) == len(roles), f"{feat['id']}: stripes overlap instead of interleaving"
    assert striped >= 5, f"only {striped} places in several roles found"
    mp.assert_clean()


def test_no_two_roles_share_a_colour():
    """The timeline draws the plans of a date together: a colour names one role only."""
    roles = plan_and_pages()[0].registry.roles
    by_colour: dict[str, list[str]] = {}
    for r in roles:
        by_colour.setdefault(r.colour.lower(), []).append(r.id)
    assert not {c: ids for c, ids in by_colour.items() if len(ids) > 1}
