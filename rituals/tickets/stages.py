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


BANK_STAGES = (
    "Submit business request (hypotheses)",
    "Pre-study",
    "Prepare data",
    "Method & research design",
    "R&D",
    "Testing & validation",
    "Pilot",
    "Service development & deploy",
)
BUILTIN_TEMPLATES = {"default": DEFAULT_STAGES, "bank": BANK_STAGES}


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


def templates(config: Mapping[str, Any]) -> dict[str, list[Stage]]:
    """Named stage lists a project can run (`tickets: templates:`), plus the built-in default and bank."""
    if not isinstance(config, Mapping):
        raise ConfigError("ritualbot.yaml: tickets.templates must map template names to lists of stages")
    named = {**BUILTIN_TEMPLATES, **config}
    return {str(name).lower(): configured({"stages": names}) for name, names in named.items()}


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


QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’"}


def split_one_liner(stages: Sequence[Stage], words: Sequence[str]) -> tuple[Stage, str]:
    """`/ticket <stage> <summary>`: the stage is a quoted name, the longest run of leading words that
    is a stage's name (spaces and slashes included) or the start of exactly one stage's name, or the
    first word (a number or a prefix, asked about when several stages match)."""
    text = " ".join(words)
    close = QUOTES.get(text[:1])
    if close:
        name, found, summary = text[1:].partition(close)
        if not found:
            raise UserError(f"Close the quote around the stage name: `/ticket {text[:1]}Stage name{close} <summary>`.")
        return match(stages, name), summary.strip()
    for n in range(len(words) - 1, 1, -1):
        typed = " ".join(words[:n]).lower()
        exact = [s for s in stages if typed in (s.name.lower(), s.slug)]
        starts = [s for s in stages if s.name.lower().startswith(typed)]
        if exact or len(starts) == 1:
            return (exact or starts)[0], " ".join(words[n:])
    return match(stages, words[0]), " ".join(words[1:])
