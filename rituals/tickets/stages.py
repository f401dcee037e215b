"""The data-science lifecycle stages a project moves through, and matching what a user typed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import ConfigError, UserError
from rituals.tickets.ids import Block

DEFAULT_STAGES = (
    "Business case",
    "Data collection & initial analysis",
    "Modelling / EDA",
    "Testing & validation",
    "Operationalization",
    "Monitoring",
)


@dataclass(frozen=True)
class Stage:
    number: int
    name: str

    @property
    def slug(self) -> str:
        """Label-safe form: 'Modelling / EDA' -> 'modelling-eda' (Jira labels allow no spaces)."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def label(self) -> str:
        return f"stage:{self.slug}"


def configured(config: Mapping[str, Any]) -> list[Stage]:
    """The workspace's stages from ritualbot.yaml `tickets: stages: [...]`, else the default six."""
    names = config.get("stages") or DEFAULT_STAGES
    if (
        not isinstance(names, Sequence)
        or isinstance(names, str)
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        raise ConfigError("ritualbot.yaml: tickets.stages must be a list of stage names")
    return [Stage(n, name.strip()) for n, name in enumerate(names, start=1)]


def stage_list(stages: Sequence[Stage]) -> str:
    return "\n".join(f"{s.number}. {s.name}" for s in stages)


def match(stages: Sequence[Stage], typed: str) -> Stage:
    """A stage by number, exact name, slug or unambiguous prefix (case-insensitive)."""
    word = typed.strip().lower()
    if word.isdigit():
        for stage in stages:
            if stage.number == int(word):
                return stage
    exact = [s for s in stages if word in (s.name.lower(), s.slug)]
    if exact:
        return exact[0]
    found = [s for s in stages if word and (s.name.lower().startswith(word) or s.slug.startswith(word))]
    if len(found) == 1:
        return found[0]
    why = f"`{typed[:40]}` matches {len(found)} stages" if found else f"There is no stage `{typed[:40]}`"
    raise UserError(f"{why}. Use a stage number or the start of its name:\n{stage_list(stages)}", field=Block.STAGE)


def by_name(stages: Sequence[Stage], name: str) -> Stage:
    for stage in stages:
        if stage.name == name or stage.slug == name:
            return stage
    return match(stages, name)
