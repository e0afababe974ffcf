"""The registry: the plans and their roles (``layers/roles.toml``) and the sources they cite
(``layers/sources.toml``).

A plan is one layout system of the plan documents (the six cities, the economic circle, the
four plates ...), announced on a date in a source passage; each role belongs to one plan, and
each plan gets a page. Both files are data a planner edits; this module parses them into
frozen objects, looks roles and plans up forgivingly (case, spaces and punctuation do not
matter) and fails precisely, quoting what was asked for and naming the valid ids and the
closest match.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .dates import date_key, parse_date
from .errors import DataError

__all__ = ["NotDrawn", "Part", "Plan", "Registry", "Role", "Source", "closest", "load_registry"]

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Part:
    id: str
    en: str
    zh: str
    weight: int = 2


@dataclass(frozen=True)
class Source:
    id: str
    kind: str  # "seed" or "fact"
    title: str
    quote: str = ""
    seed: str = ""
    para: int = 0
    cite: str = ""
    date: str = ""  # the document's date (a seed) or the fact's; "" when not given

    @property
    def reference(self) -> str:
        if self.kind == "seed":
            return f"seed {self.seed}, paragraph {self.para}"
        return self.cite


@dataclass(frozen=True)
class Role:
    id: str
    plan: str  # the id of the plan it belongs to
    name_en: str
    name_zh: str
    colour: str
    description: str
    source: str
    description_zh: str = ""  # "" shows the English description in every language

    @property
    def label(self) -> str:
        return f"{self.name_en} ({self.name_zh})"

    @property
    def group(self) -> str:
        """The plan id (the name roles.toml used before plans)."""
        return self.plan


@dataclass(frozen=True)
class NotDrawn:
    """Something a plan names that its page does not draw, and why."""

    name_en: str
    name_zh: str
    reason_en: str
    reason_zh: str


@dataclass(frozen=True)
class Plan:
    """One layout system: announced on ``date`` in the passage ``source``; its page shows its
    roles (and the roles of other plans listed in ``also``) over the ``context`` layers."""

    id: str
    name_en: str
    name_zh: str
    date: str
    source: str
    see_also: tuple[str, ...] = ()
    title_en: str = ""
    title_zh: str = ""
    subtitle_en: str = ""
    subtitle_zh: str = ""
    note_en: str = ""
    note_zh: str = ""
    page: str = ""
    role_pages: bool = False
    context: tuple[str, ...] = ()
    context_around: str = ""
    also: tuple[str, ...] = ()
    not_drawn: tuple[NotDrawn, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name_en} ({self.name_zh})"

    @property
    def file(self) -> str:
        return self.page or f"{self.id}.html"


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", str(text).lower())


def _find(items, name: str):
    """The item whose id is ``name`` or, forgiving case and punctuation, whose id or English or
    Chinese name it is; None when none."""
    for x in items:
        if x.id == name:
            return x
    key = _norm(name)
    return next((x for x in items if key in (_norm(x.id), _norm(x.name_en), _norm(x.name_zh))), None)


def closest(word: str, choices) -> str | None:
    """The choice closest to ``word``, or None when nothing is close."""
    choices = list(choices)
    normed = {_norm(c): c for c in choices}
    hit = difflib.get_close_matches(_norm(word), list(normed), n=1, cutoff=0.5)
    return normed[hit[0]] if hit else None


@dataclass(frozen=True)
class Registry:
    roles: tuple[Role, ...]
    parts: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    plans: tuple[Plan, ...] = ()

    def role(self, name: str) -> Role:
        """Look a role up by id or name, forgiving case and punctuation."""
        found = _find(self.roles, name)
        if found is None:
            raise DataError(self.unknown_role_message(name))
        return found

    def unknown_role_message(self, name: str) -> str:
        ids = [r.id for r in self.roles]
        near = closest(name, ids)
        hint = f"; did you mean {near!r}?" if near else ""
        return f"unknown role {name!r}{hint} (valid roles: {', '.join(ids)})"

    def plan(self, name: str) -> Plan:
        """Look a plan up by id or name, forgiving case and punctuation."""
        found = _find(self.plans, name)
        if found is not None:
            return found
        ids = [p.id for p in self.plans]
        near = closest(name, ids)
        raise DataError(f"unknown plan {name!r}" + (f"; did you mean {near!r}?" if near else "")
                        + f" (valid plans: {', '.join(ids)})")

    def plan_roles(self, plan_id: str) -> tuple[Role, ...]:
        """The roles that belong to the plan, in registry order."""
        return tuple(r for r in self.roles if r.plan == plan_id)

    def page_roles(self, plan: Plan) -> tuple[Role, ...]:
        """What the plan's page shows: the roles of other plans it lists in ``also`` (such as the
        one master of the six pairs), then its own."""
        return tuple(self.role(r) for r in plan.also) + self.plan_roles(plan.id)

    def group(self, group: str) -> tuple[Role, ...]:
        """The roles of a plan (the name used before plans)."""
        return self.plan_roles(group)

    @property
    def plans_by_date(self) -> tuple[Plan, ...]:
        """The plans, oldest first (registry order among plans of the same date)."""
        return tuple(sorted(self.plans, key=lambda p: date_key(p.date)))

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles)


def _load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid TOML: {exc}") from None


_PLAN_TEXT = ("title_en", "title_zh", "subtitle_en", "subtitle_zh", "note_en", "note_zh", "page",
              "context_around")
_PLAN_LISTS = ("see_also", "context", "also")


def _date(value, where: str, key: str, problems: list) -> str:
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(f"{where}: {key} {exc}")
        return ""


def _sources(path: Path) -> dict:
    sources, problems = {}, []
    for key, s in _load_toml(path).items():
        if not isinstance(s, dict) or s.get("kind") not in ("seed", "fact"):
            raise DataError(f"{path}: [{key}] needs kind = \"seed\" or \"fact\"")
        if not isinstance(s.get("para", 0), int):
            raise DataError(f"{path}: [{key}] para = {s['para']!r} should be a line number")
        date = _date(s["date"], f"{path}: [{key}]", "date", problems) if "date" in s else ""
        sources[key] = Source(
            id=key, kind=s["kind"], title=str(s.get("title", key)), quote=str(s.get("quote", "")),
            seed=str(s.get("seed", "")), para=int(s.get("para", 0)), cite=str(s.get("cite", "")), date=date,
        )
    if problems:
        raise DataError("\n".join(problems))
    return sources


def _unknown_source(key, sources) -> str:
    near = closest(str(key), sources)
    return f"source {key!r} is not in sources.toml" + (f"; did you mean {near!r}?" if near else "")


def _plans(raw: dict, path: Path, sources: dict, problems: list) -> list[Plan]:
    entries = raw.get("plan") or []
    if not isinstance(entries, list) or not all(isinstance(p, dict) for p in entries):
        raise DataError(f"{path}: write each plan as [[plan]] (an array of tables)")
    plans, seen = [], set()
    for i, p in enumerate(entries):
        where = f"{path}: plan #{i + 1} ({p.get('id', '?')})"
        missing = [k for k in ("id", "name_en", "name_zh", "date", "source") if not str(p.get(k, "")).strip()]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if p["id"] in seen:
            problems.append(f"{where}: duplicate plan id {p['id']!r}")
        seen.add(p["id"])
        date = _date(p["date"], where, "date", problems)
        lists = {}
        for key in _PLAN_LISTS:
            value = p.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"{where}: {key} = {value!r} should be a list of strings"[:200])
                value = []
            lists[key] = tuple(value)
        for key in (p["source"], *lists["see_also"]):
            if key not in sources:
                problems.append(f"{where}: {_unknown_source(key, sources)}")
        not_drawn = []
        for j, n in enumerate(p.get("not_drawn") or []):
            need = ("name_en", "name_zh", "reason_en", "reason_zh")
            if not isinstance(n, dict) or not all(str(n.get(k, "")).strip() for k in need):
                problems.append(f"{where}: not_drawn #{j + 1} needs {', '.join(need)}")
                continue
            not_drawn.append(NotDrawn(*(str(n[k]) for k in need)))
        if not isinstance(p.get("role_pages", False), bool):
            problems.append(f"{where}: role_pages = {p['role_pages']!r} should be true or false")
        plans.append(Plan(
            id=str(p["id"]), name_en=str(p["name_en"]), name_zh=str(p["name_zh"]), date=date,
            source=str(p["source"]), role_pages=p.get("role_pages") is True, not_drawn=tuple(not_drawn),
            **lists, **{k: str(p.get(k, "")) for k in _PLAN_TEXT}))
    if not plans and not problems:
        problems.append(f"{path}: no [[plan]] defined (each role belongs to a plan)")
    return plans


def load_registry(layers_dir: Path | str = "layers") -> Registry:
    """Read ``roles.toml`` and ``sources.toml`` from ``layers_dir``; raise DataError on any fault."""
    layers_dir = Path(layers_dir)
    roles_path = layers_dir / "roles.toml"
    raw = _load_toml(roles_path)
    sources = _sources(layers_dir / "sources.toml")
    parts = {}
    for pid, p in (raw.get("parts") or {}).items():
        if not isinstance(p, dict):
            raise DataError(f"{roles_path}: [parts] {pid} must be a table with en and zh")
        if not isinstance(p.get("weight", 2), int) or not 1 <= p.get("weight", 2) <= 3:
            raise DataError(f"{roles_path}: [parts] {pid}: weight = {p['weight']!r} should be 1, 2 or 3")
        parts[pid] = Part(pid, str(p.get("en", pid)), str(p.get("zh", "")), int(p.get("weight", 2)))
    problems = []
    plans = _plans(raw, roles_path, sources, problems)
    plan_ids = [p.id for p in plans]
    roles, seen = [], {}
    role_list = raw.get("role") or []
    if not isinstance(role_list, list) or not all(isinstance(r, dict) for r in role_list):
        raise DataError(f"{roles_path}: write each role as [[role]] (an array of tables)")
    for i, r in enumerate(role_list):
        where = f"{roles_path}: role #{i + 1} ({r.get('id', '?')})"
        if "group" in r and "plan" not in r:
            problems.append(f"{where}: group = {r['group']!r}: roles now belong to a plan; "
                            f"write plan = {r['group']!r} (a [[plan]] id)")
            continue
        missing = [k for k in ("id", "plan", "name_en", "name_zh", "colour", "description", "source")
                   if not str(r.get(k, "")).strip()]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if r["id"] in seen:
            problems.append(f"{where}: duplicate role id {r['id']!r}: role #{seen[r['id']]} has it "
                            "already (features' roles are checked once the ids are unique)")
        seen.setdefault(r["id"], i + 1)
        if r["plan"] not in plan_ids and plans:
            near = closest(str(r["plan"]), plan_ids)
            problems.append(f"{where}: plan {r['plan']!r} is not a [[plan]]"
                            + (f"; did you mean {near!r}?" if near else "") + f" (plans: {', '.join(plan_ids)})")
        if not _HEX.match(str(r["colour"])):
            problems.append(f"{where}: colour {r['colour']!r} is not a #rrggbb hex colour")
        if r["source"] not in sources:
            problems.append(f"{where}: {_unknown_source(r['source'], sources)}")
        roles.append(Role(*(str(r[k]) for k in ("id", "plan", "name_en", "name_zh", "colour", "description",
                                                "source")), description_zh=str(r.get("description_zh", ""))))
    if not roles and not problems:
        problems.append(f"{roles_path}: no [[role]] defined")
    role_ids = {r.id for r in roles}
    for i, p in enumerate(plans):
        for rid in p.also:
            if rid not in role_ids:
                near = closest(rid, role_ids)
                problems.append(f"{roles_path}: plan #{i + 1} ({p.id}): also names unknown role {rid!r}"
                                + (f"; did you mean {near!r}?" if near else ""))
        if not any(r.plan == p.id for r in roles) and not p.also:
            problems.append(f"{roles_path}: plan #{i + 1} ({p.id}): no role belongs to it "
                            f"(give a role plan = {p.id!r})")
    if problems:
        raise DataError("\n".join(problems))
    return Registry(tuple(roles), parts, sources, tuple(plans))
