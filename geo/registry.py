"""The role registry (``layers/roles.toml``) and the sources it cites (``layers/sources.toml``).

Both are data a planner edits; this module parses them into frozen objects, looks roles up
forgivingly (case, spaces and punctuation do not matter) and fails precisely, quoting what was
asked for and naming the valid ids and the closest match.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

__all__ = ["Part", "Registry", "Role", "Source", "closest", "load_registry"]

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

    @property
    def reference(self) -> str:
        if self.kind == "seed":
            return f"seed {self.seed}, paragraph {self.para}"
        return self.cite


@dataclass(frozen=True)
class Role:
    id: str
    group: str
    name_en: str
    name_zh: str
    colour: str
    description: str
    source: str
    description_zh: str = ""  # "" shows the English description in every language

    @property
    def label(self) -> str:
        return f"{self.name_en} ({self.name_zh})"


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", str(text).lower())


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

    def role(self, name: str) -> Role:
        """Look a role up by id or name, forgiving case and punctuation."""
        key = _norm(name)
        for r in self.roles:
            if key in (_norm(r.id), _norm(r.name_en), _norm(r.name_zh)):
                return r
        raise DataError(self.unknown_role_message(name))

    def unknown_role_message(self, name: str) -> str:
        ids = [r.id for r in self.roles]
        near = closest(name, ids)
        hint = f"; did you mean {near!r}?" if near else ""
        return f"unknown role {name!r}{hint} (valid roles: {', '.join(ids)})"

    def group(self, group: str) -> tuple[Role, ...]:
        return tuple(r for r in self.roles if r.group == group)

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


def load_registry(layers_dir: Path | str = "layers") -> Registry:
    """Read ``roles.toml`` and ``sources.toml`` from ``layers_dir``; raise DataError on any fault."""
    layers_dir = Path(layers_dir)
    roles_path = layers_dir / "roles.toml"
    raw = _load_toml(roles_path)
    sources = {}
    for key, s in _load_toml(layers_dir / "sources.toml").items():
        if not isinstance(s, dict) or s.get("kind") not in ("seed", "fact"):
            raise DataError(f"{layers_dir / 'sources.toml'}: [{key}] needs kind = \"seed\" or \"fact\"")
        if not isinstance(s.get("para", 0), int):
            raise DataError(f"{layers_dir / 'sources.toml'}: [{key}] para = {s['para']!r} should be a line number")
        sources[key] = Source(
            id=key, kind=s["kind"], title=str(s.get("title", key)), quote=str(s.get("quote", "")),
            seed=str(s.get("seed", "")), para=int(s.get("para", 0)), cite=str(s.get("cite", "")),
        )
    parts = {}
    for pid, p in (raw.get("parts") or {}).items():
        if not isinstance(p, dict):
            raise DataError(f"{roles_path}: [parts] {pid} must be a table with en and zh")
        if not isinstance(p.get("weight", 2), int) or not 1 <= p.get("weight", 2) <= 3:
            raise DataError(f"{roles_path}: [parts] {pid}: weight = {p['weight']!r} should be 1, 2 or 3")
        parts[pid] = Part(pid, str(p.get("en", pid)), str(p.get("zh", "")), int(p.get("weight", 2)))
    roles, seen = [], {}
    problems = []
    role_list = raw.get("role") or []
    if not isinstance(role_list, list) or not all(isinstance(r, dict) for r in role_list):
        raise DataError(f"{roles_path}: write each role as [[role]] (an array of tables)")
    for i, r in enumerate(role_list):
        where = f"{roles_path}: role #{i + 1} ({r.get('id', '?')})"
        missing = [k for k in ("id", "group", "name_en", "name_zh", "colour", "description", "source")
                   if not str(r.get(k, "")).strip()]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if r["id"] in seen:
            problems.append(f"{where}: duplicate role id {r['id']!r}: role #{seen[r['id']]} has it "
                            "already (features' roles are checked once the ids are unique)")
        seen.setdefault(r["id"], i + 1)
        if not _HEX.match(str(r["colour"])):
            problems.append(f"{where}: colour {r['colour']!r} is not a #rrggbb hex colour")
        if r["source"] not in sources:
            near = closest(r["source"], sources)
            problems.append(f"{where}: source {r['source']!r} is not in sources.toml"
                            + (f"; did you mean {near!r}?" if near else ""))
        roles.append(Role(*(str(r[k]) for k in ("id", "group", "name_en", "name_zh", "colour",
                                                "description", "source")),
                          description_zh=str(r.get("description_zh", ""))))
    if not roles and not problems:
        problems.append(f"{roles_path}: no [[role]] defined")
    if problems:
        raise DataError("\n".join(problems))
    return Registry(tuple(roles), parts, sources)
