"""What a page says about layout systems: its own plan (name, date, source passage, what is
not drawn) or, on the timeline page, every plan and every step of the timeline.

Both are parts of the JSON a page embeds (:func:`geo.render.page_data`); each also returns
the ``sources`` keys it cites, so the page carries those passages.
"""

from __future__ import annotations

from .dates import date_key
from .plan import Plan
from .registry import Plan as LayoutPlan
from .timeline import steps

__all__ = ["plan_data", "timeline_data"]


def _plan(p: LayoutPlan, role_ids) -> dict:
    return {"id": p.id, "name_en": p.name_en, "name_zh": p.name_zh, "date": p.date, "at": date_key(p.date),
            "source": p.source, "see_also": list(p.see_also), "file": p.file, "roles": list(role_ids),
            "not_drawn": [{"name_en": n.name_en, "name_zh": n.name_zh, "reason_en": n.reason_en,
                           "reason_zh": n.reason_zh} for n in p.not_drawn]}


def plan_data(plan: Plan, plan_id: str) -> dict:
    """``{"plan": ..., "sources": [...]}`` for a plan's page ({} for a page of no plan)."""
    if not plan_id:
        return {}
    reg = plan.registry
    p = reg.plan(plan_id)
    return {"plan": _plan(p, [r.id for r in reg.page_roles(p)]), "sources": [p.source, *p.see_also]}


def timeline_data(plan: Plan) -> dict:
    """Every plan (oldest first) and every step of the timeline, for the timeline page."""
    reg = plan.registry
    plans = [_plan(p, [r.id for r in reg.plan_roles(p.id)]) for p in reg.plans_by_date]
    timeline = [{"at": s.at, "label": s.label, "sources": s.sources, "plans": s.plans, "changes": s.changes}
                for s in steps(plan)]
    cited = {k for p in reg.plans for k in (p.source, *p.see_also)} | {k for s in timeline for k in s["sources"]}
    return {"plans": plans, "timeline": timeline, "collapse_layers": True, "sources": sorted(cited)}
