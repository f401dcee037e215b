"""The health check's messages: the invitation in the retro's thread, its anonymous form, and the averages
with their trend on the board and in the export."""

from __future__ import annotations

from typing import Any

from bot import blocks as bk
from bot.blocks import Blocks
from bot.text import escape, mrkdwn
from rituals.retro.health import MIN_ANSWERS, SCORES, HealthView
from rituals.retro.ids import Action, Block, View
from rituals.retro.modals import _input, _modal, _option, _plain
from rituals.retro.models import Retro

SCORE_LABELS = {5: "5 · great", 4: "4 · good", 3: "3 · okay", 2: "2 · poor", 1: "1 · bad"}


def invite(retro: Retro, asked: list[str]) -> tuple[str, Blocks]:
    text = (
        f"*Team health check* for “{mrkdwn(retro.title)}”: {len(asked)} questions, each 1 to 5 "
        f"({escape(', '.join(asked))}). Answers are anonymous: only their counts are kept, and the averages "
        f"show on the board after the reveal once {MIN_ANSWERS} people answered."
    )
    button = bk.button("Answer the health check", Action.HEALTH, str(retro.id), style="primary")
    return f"Team health check for “{mrkdwn(retro.title)}”", [bk.section(text, accessory=button)]


def form(retro: Retro, asked: list[str]) -> dict[str, Any]:
    options = [_option(str(score), SCORE_LABELS[score]) for score in sorted(SCORES, reverse=True)]
    fields = [
        _input(
            f"{Block.HEALTH}.{n}",
            question,
            {"type": "static_select", "action_id": "value", "options": options, "placeholder": _plain("1 to 5")},
            optional=True,
        )
        for n, question in enumerate(asked)
    ]
    note = bk.context("Anonymous: the bot keeps how many people gave each score, never who gave which.")
    return _modal(View.HEALTH, "Team health check", [*fields, note], {"retro": retro.id}, submit="Send")


def board(health: HealthView | None, phase: str) -> Blocks:
    """The board's health line: nothing while collecting (a count there would date the answers)."""
    if health is None or phase == "collect":
        return []
    if not health.lines:
        return [
            bk.context(
                f"Team health: {health.answered} answer{'' if health.answered == 1 else 's'}; averages show from "
                f"{MIN_ANSWERS}, so no one's scores stand out."
            )
        ]
    lines = "\n".join(f"• {escape(line.trend)}" for line in health.lines)
    return [bk.section(f"*Team health* ({health.answered} answered, 1–5)\n{lines}")]


def markdown(health: HealthView | None) -> list[str]:
    """Export lines (plain text)."""
    if health is None or not health.lines:
        return []
    series = [
        f"- {line.trend}" + (f" (before: {', '.join(str(p) for p in line.previous)})" if line.previous else "")
        for line in health.lines
    ]
    return [f"## Team health ({health.answered} answered, 1–5)", "", *series]
