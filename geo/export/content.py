"""What one print map shows, from the plan and the page's spec: the same features as the web
page (its context layers in grey, every feature in one of its roles, as they hold today), in the
print projection."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..plan import Plan, PlanFeature
from .frame import to_print

__all__ = ["Item", "PageContent", "page_content"]


@dataclass
class Item:
    """A feature on the page: its roles there (in the page's role order) and its print geometry."""

    feature: PlanFeature
    roles: list[dict]
    geometry: object  # projected, metres
    anchor: object    # projected label point
    context: bool
    weight: int = 2   # the heaviest of its parts on the page: 3 flagship/core, 2 member..., 1 driven

    @property
    def role_ids(self) -> list[str]:
        out = []
        for r in self.roles:
            if r["role"] not in out:
                out.append(r["role"])
        return out


@dataclass
class PageContent:
    page: object
    roles: list  # registry Role objects, in page order
    items: list[Item] = field(default_factory=list)
    layer_order: dict = field(default_factory=dict)

    @property
    def context(self) -> list[Item]:
        return [i for i in self.items if i.context]

    @property
    def overlays(self) -> list[Item]:
        """Role features, bottom to top: by layer, then larger first (as the web pages stack them)."""
        on = [i for i in self.items if i.roles]
        return sorted(on, key=lambda i: (self.layer_order[i.feature.layer.id], -i.feature.area_km2))

    def bounds(self):
        """The projected bounds of the role features (of the context when there are none)."""
        import shapely

        chosen = [i.geometry for i in self.items if i.roles] or [i.geometry for i in self.items]
        return shapely.union_all(chosen).bounds if chosen else (-150_000, -150_000, 150_000, 150_000)


def page_content(plan: Plan, page, geoms: dict) -> PageContent:
    """The page's features; ``geoms``: the print geometry (WGS-84) of every feature by id."""
    reg = plan.registry
    content = PageContent(page, [reg.role(r) for r in page.roles],
                          layer_order={s.id: k for k, s in enumerate(plan.catalogue.layers)})
    from ..render import page_features

    for f, entries, context in page_features(plan, page):  # as the web page: what holds today, near its place
        mine = sorted(entries, key=lambda r: page.roles.index(r["role"]))
        weight = max((getattr(reg.parts.get(r.get("part")), "weight", 2) for r in mine), default=2)
        content.items.append(Item(f, mine, to_print(geoms[f.id]), to_print(f.anchor), context, weight))
    return content
