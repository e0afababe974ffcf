"""The layout through time: what holds on a date, and the dates a reader can step through.

A role assignment holds from the latest of its plan's date, its own ``since`` and its
feature's ``since``, until the earliest of its own ``until`` and its feature's ``until``. A
boundary (a feature) holds from its ``since`` until its ``until``. The pages of the plans show
:func:`today` (the latest date the data name: everything that has not ended); the timeline
page carries every span and steps through :func:`steps`, one per dated document or change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dates import date_key
from .plan import Plan, PlanFeature

__all__ = ["Step", "assignment_span", "feature_span", "in_force", "role_span", "steps", "today"]


def _later(*dates):
    dates = [d for d in dates if d]
    return max(dates, key=date_key) if dates else None


def _earlier(*dates):
    dates = [d for d in dates if d]
    return min(dates, key=date_key) if dates else None


def feature_span(f: PlanFeature) -> tuple[str | None, str | None]:
    """(since, until) of a boundary, as written; None where open."""
    return f.since, f.until


def role_span(plan: Plan, f: PlanFeature, entry: dict) -> tuple[str | None, str | None]:
    """(since, until) of one role assignment of feature ``f``, as written; None where open."""
    return assignment_span(plan.registry, str(entry.get("role")), entry.get("since"), entry.get("until"),
                           f.since, f.until)


def assignment_span(registry, role_id: str, since, until, f_since, f_until) -> tuple[str | None, str | None]:
    """(since, until) of an assignment of role ``role_id`` dated ``since``/``until`` to a feature
    dated ``f_since``/``f_until``: from the latest of its plan's date and the two starts, until
    the earliest of the two ends."""
    announced = registry.plan(registry.role(role_id).plan).date
    return _later(announced, since, f_since), _earlier(until, f_until)


def _holds(span, at: str) -> bool:
    since, until = span
    return (since is None or date_key(since) <= at) and (until is None or at < date_key(until))


def in_force(plan: Plan, f: PlanFeature, entry: dict | None, at: str) -> bool:
    """Whether the boundary (``entry`` None) or the role assignment holds on ``at`` (a key)."""
    return _holds(feature_span(f) if entry is None else role_span(plan, f, entry), at)


def _dates(plan: Plan):
    """(date as written, what, id, source key or None) for everything dated in the plan."""
    reg = plan.registry
    for p in reg.plans:
        yield p.date, "plan", p.id, p.source
        for key in p.see_also:
            if reg.sources[key].date:
                yield reg.sources[key].date, "named", p.id, key
    for f in plan.features:
        props = f.props
        for d in (props.get("since"), props.get("until")):
            if d:
                yield d, "boundary", f.id, props.get("dates_source")
        for r in props.get("roles") or ():  # (a layer of 100,000 sites: no more than a look each)
            if type(r) is dict and ("since" in r or "until" in r):
                for k in ("since", "until"):
                    if r.get(k):
                        yield r[k], "role", f"{f.id}/{r.get('role')}", r.get("source") if k == "since" else None


def _all_dates(plan: Plan) -> list:
    """:func:`_dates`, once per plan (today and the steps both walk every feature's dates)."""
    return plan.remembered("dates", lambda: list(_dates(plan)))


def today(plan: Plan) -> str:
    """The latest date the plan names (as a key): what holds then is what holds today."""
    return plan.remembered("today", lambda: max(date_key(d) for d, *_ in _all_dates(plan)))


@dataclass
class Step:
    """One date of the timeline: the documents and changes of that day."""

    at: str  # the date's key, YYYY-MM-DD
    label: str  # the date as precisely as the sources give it
    sources: list[str] = field(default_factory=list)  # sources.toml keys dated that day
    plans: list[str] = field(default_factory=list)  # plans announced that day
    changes: list[str] = field(default_factory=list)  # boundaries that begin or end that day


def steps(plan: Plan) -> list[Step]:
    """Every dated document or change, oldest first (worked out once per plan)."""
    return list(plan.remembered("steps", lambda: _steps(plan)))


def _steps(plan: Plan) -> list[Step]:
    by_key: dict[str, Step] = {}
    # the announcements first, so a step names the document that announced something first
    for d, what, ident, source in sorted(_all_dates(plan), key=lambda e: e[1] != "plan"):
        key = date_key(d)
        step = by_key.setdefault(key, Step(key, d))
        if len(d) > len(step.label):
            step.label = d
        if source and source not in step.sources:
            step.sources.append(source)
        if what == "plan" and ident not in step.plans:
            step.plans.append(ident)
        if what == "boundary" and ident not in step.changes:
            step.changes.append(ident)
    return [by_key[k] for k in sorted(by_key)]
