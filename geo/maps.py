"""Which maps the build makes, all from the registry: a page per plan (layout system), a page
per role of the plans that ask for them (the six cities), the timeline page, and the index,
which lists the plans by date with a thumbnail and the source of each.

Adding a [[plan]] to layers/roles.toml adds its page: nothing here names a plan.
"""

from __future__ import annotations

import html

from .i18n import strings
from .plan import Plan
from .render import PageSpec
from .thumbnails import thumbnail_svg

__all__ = ["TIMELINE", "index_html", "page_specs"]

TIMELINE = "timeline.html"


def page_specs(plan: Plan) -> list[PageSpec]:
    """Every page, plans oldest first (each followed by its role pages), then the timeline."""
    reg = plan.registry
    pages = []
    for p in reg.plans_by_date:
        pages.append(PageSpec(
            p.file, p.title_en or p.name_en, p.subtitle_en, tuple(r.id for r in reg.page_roles(p)), p.note_en,
            context_layers=p.context, title_zh=p.title_zh or p.name_zh, subtitle_zh=p.subtitle_zh,
            note_zh=p.note_zh, plan_id=p.id, context_around=p.context_around))
        if p.role_pages:
            for r in reg.plan_roles(p.id):
                pages.append(PageSpec(f"{r.id}.html", r.name_en, r.description, (r.id,), context_layers=p.context,
                                      title_zh=r.name_zh, subtitle_zh=r.description_zh, plan_id=p.id,
                                      context_around=p.context_around))
    s = strings()
    context = tuple(dict.fromkeys(lid for p in reg.plans_by_date for lid in p.context))
    pages.append(PageSpec(
        TIMELINE, s["timeline_title"]["en"], s["timeline_subtitle"]["en"],
        tuple(r.id for p in reg.plans_by_date for r in reg.plan_roles(p.id)), s["timeline_note"]["en"],
        context_layers=context, title_zh=s["timeline_title"]["zh"], subtitle_zh=s["timeline_subtitle"]["zh"],
        note_zh=s["timeline_note"]["zh"], timeline=True))
    return pages


def _bi(en: str, zh: str, tag: str = "span", cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    if not zh or zh == en:
        return f"<{tag}{c}>{html.escape(en)}</{tag}>"
    return (f'<{tag}{c}><span lang="en">{html.escape(en)}</span> '
            f'<span lang="zh-Hans">{html.escape(zh)}</span></{tag}>')


def index_html(plan: Plan, pages: list[PageSpec], geoms: dict, encoded) -> str:
    """The front page: the timeline, then each plan by date with its thumbnail, its source
    passage and its pages. Self-contained: no script, no link to anything outside maps/."""
    reg, s = plan.registry, strings()
    by_plan: dict[str, list[PageSpec]] = {}
    for p in pages:
        by_plan.setdefault(p.plan_id, []).append(p)
    items = []
    for lp in reg.plans_by_date:
        own = by_plan.get(lp.id, [])
        main, role_pages = own[0], own[1:]
        src = reg.sources[lp.source]
        quote = f'<q lang="en">{html.escape(src.quote)}</q> ' if src.quote else ""
        more = "".join(f'<li><a href="{html.escape(p.file)}">{_bi(p.title, p.title_zh)}</a></li>' for p in role_pages)
        items.append(
            f'<li class="plan" id="{html.escape(lp.id)}">'
            f'<a class="thumb-link" href="{html.escape(main.file)}" tabindex="-1" aria-hidden="true">'
            f'{thumbnail_svg(plan, main, geoms, encoded, label=main.title)}</a>'
            f'<div class="text"><time datetime="{html.escape(lp.date)}">{html.escape(lp.date)}</time>'
            f'<h2><a href="{html.escape(main.file)}">{_bi(main.title, main.title_zh)}</a></h2>'
            f'{_bi(main.subtitle, main.subtitle_zh, "p", "sub")}'
            f'<p class="source">{quote}<cite>{html.escape(src.title)} ({html.escape(src.reference)})</cite></p>'
            + (f'<ul class="roles">{more}</ul>' if more else "") + "</div></li>")
    timeline = next(p for p in pages if p.timeline)
    title = s["index_title"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{html.escape(title["en"])} {html.escape(title["zh"])}</title>
<style>
body {{ font-family: "Noto Sans", "Noto Sans CJK SC", "Microsoft YaHei", Arial, sans-serif; max-width: 860px;
       margin: 2em auto; padding: 0 1em; color: #222; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; margin: 2px 0 4px; }}
ol.plans {{ list-style: none; padding: 0; }}
li.plan {{ display: flex; gap: 14px; align-items: flex-start; margin: 0 0 1.4em; }}
.thumb {{ border: 1px solid #ccc; border-radius: 3px; flex: none; display: block; }}
time {{ color: #555; font-size: 13px; }} .sub {{ color: #444; font-size: 14px; margin: 0 0 4px; }}
.source {{ color: #555; font-size: 12px; margin: 0; }} .source cite {{ font-style: normal; color: #666; }}
ul.roles {{ margin: 4px 0 0; padding-left: 1.1em; font-size: 13px; columns: 2; }}
.timeline {{ background: #f4f1ea; padding: 10px 14px; border-radius: 4px; }}
footer {{ color: #666; font-size: 13px; margin-top: 2em; }}
@media (max-width: 599px) {{  /* a phone: each plan's picture above its text, the text the screen's width */
  body {{ margin: 1em auto; }} li.plan {{ flex-direction: column; gap: 6px; }} .text {{ width: 100%; }}
}}
</style></head><body>
<h1>{_bi(title["en"], title["zh"])}</h1>
<p>{_bi(s["index_intro"]["en"], s["index_intro"]["zh"])}</p>
<p class="timeline"><a href="{html.escape(timeline.file)}">{_bi(timeline.title, timeline.title_zh, "strong")}</a> —
{_bi(timeline.subtitle, timeline.subtitle_zh)}</p>
<ol class="plans">
{chr(10).join(items)}
</ol>
<footer>{_bi(s["index_footer"]["en"], s["index_footer"]["zh"])}</footer>
</body></html>
"""
