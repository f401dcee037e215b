"""The team health check, an optional step of a retro's collection: a few questions scored 1-5, answered
anonymously, shown as averages on the board (from the reveal) with the trend across this channel's
previous retros ("Speed 3.4 ↑ from 2.9").

Anonymity: no row holds an answer. Each question has a count per score (1-5), all created when the
check opens and rewritten in key order after each answer, so neither the rows, their storage order nor
a timestamp tells whose answer moved which count. Who answered is kept apart (only to refuse a second
answer), undated. Averages stay hidden until MIN_ANSWERS people answered.

ritualbot.yaml:
  retro:
    health:
      questions: [Delivering value, Speed, Fun, Learning]   # optional; DEFAULT_QUESTIONS otherwise
      templates: [wwi]                                      # the templates that include the step
    templates:
      daki: {columns: [Drop, Add, Keep, Improve], health: true}   # or per team template
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from bot.errors import ConfigError, UserError
from rituals.retro.boards import slug
from rituals.retro.ids import Block
from rituals.retro.models import Retro, RetroHealthRespondent, RetroHealthScore
from rituals.retro.queries import load

# After Spotify's squad health check model.
DEFAULT_QUESTIONS = ("Delivering value", "Speed", "Fun", "Learning", "Teamwork", "Health of codebase")
SCORES = (1, 2, 3, 4, 5)
MIN_ANSWERS = 3  # fewer answers would give one person's scores away
MAX_QUESTIONS = 10
HISTORY = 4  # previous retros shown in a question's trend


@dataclass(frozen=True)
class Line:
    question: str
    average: Decimal
    previous: tuple[Decimal, ...] = ()  # older retros' averages, oldest first

    @property
    def trend(self) -> str:
        if not self.previous:
            return f"{self.question} {self.average}"
        before = self.previous[-1]
        arrow = "↑" if self.average > before else "↓" if self.average < before else "→"
        return f"{self.question} {self.average} {arrow} from {before}"


@dataclass(frozen=True)
class HealthView:
    questions: tuple[str, ...]
    answered: int
    lines: tuple[Line, ...] = ()  # empty until shown (revealed, and enough answers)


def questions(config: Mapping[str, Any]) -> list[str]:
    raw = (config.get("health") or {}).get("questions") or DEFAULT_QUESTIONS
    if not isinstance(raw, list | tuple) or not all(isinstance(q, str) and q.strip() for q in raw):
        raise ConfigError("retro.health.questions must be a list of questions")
    found = [" ".join(q.split())[:100] for q in raw][:MAX_QUESTIONS]
    return list(dict.fromkeys(found))


def enabled(config: Mapping[str, Any], template_key: str) -> bool:
    """Whether this template includes the health check (`retro.health.templates`, or `health: true`)."""
    listed = {slug(str(k)) for k in (config.get("health") or {}).get("templates") or []}
    own = (config.get("templates") or {}).get(template_key)
    return template_key in listed or (isinstance(own, Mapping) and own.get("health") is True)


def open_check(s: Session, retro: Retro, asked: list[str]) -> None:
    """Every (question, score) count at zero: answers then only change counts, never add rows."""
    s.add_all(
        RetroHealthScore(retro_id=retro.id, position=n, score=score, question=q, count=0)
        for n, q in enumerate(asked)
        for score in SCORES
    )
    s.flush()


def questions_of(s: Session, retro_id: int) -> list[str]:
    return list(
        s.scalars(
            select(RetroHealthScore.question)
            .where(RetroHealthScore.retro_id == retro_id, RetroHealthScore.score == SCORES[0])
            .order_by(RetroHealthScore.position)
        )
    )


def answered(s: Session, retro_id: int) -> int:
    count = select(func.count()).select_from(RetroHealthRespondent).where(RetroHealthRespondent.retro_id == retro_id)
    return s.scalar(count) or 0


def answer(s: Session, retro_id: int, scores: dict[int, int], *, team_id: str, user: str) -> None:
    """Count one person's scores (question position -> 1..5); once per person, never changed after."""
    retro = load(s, retro_id, "collect", team_id=team_id)
    asked = questions_of(s, retro.id)
    if not asked:
        raise UserError("This retro has no health check.")
    if not scores:
        raise UserError("Score at least one question (1 to 5).", field=f"{Block.HEALTH}.0")
    if any(p not in range(len(asked)) or v not in SCORES for p, v in scores.items()):
        raise UserError("Pick each score from the list (1 to 5).", field=f"{Block.HEALTH}.0")
    if s.get(RetroHealthRespondent, (retro.id, user)) is not None:
        raise UserError(
            "You already answered this retro's health check; answers are anonymous, so they stay.",
            field=f"{Block.HEALTH}.0",
        )
    s.add(RetroHealthRespondent(retro_id=retro.id, user_id=user))
    table = cast(Table, RetroHealthScore.__table__)
    rows = [
        dict(r._mapping)
        for r in s.execute(select(table).where(table.c.retro_id == retro.id).order_by(table.c.position, table.c.score))
    ]
    for row in rows:
        if scores.get(row["position"]) == row["score"]:
            row["count"] += 1
    # rewritten in key order: an UPDATE would move the touched rows (PostgreSQL writes a new version at the
    # heap's end), so a dump's storage order would show which counts the last answer changed
    s.execute(delete(table).where(table.c.retro_id == retro.id))
    s.execute(insert(table), rows)


def _averages(s: Session, retro_id: int) -> dict[str, Decimal]:
    rows = s.execute(
        select(RetroHealthScore.question, RetroHealthScore.score, RetroHealthScore.count).where(
            RetroHealthScore.retro_id == retro_id
        )
    ).all()
    totals: dict[str, list[int]] = {}
    for question, score, count in rows:
        total = totals.setdefault(question, [0, 0])
        total[0] += score * count
        total[1] += count
    return {
        q: (Decimal(t) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for q, (t, n) in totals.items()
        if n
    }


def view(s: Session, retro: Retro) -> HealthView | None:
    """The board's health check: None without one; averages once revealed and enough people answered."""
    asked = questions_of(s, retro.id)
    if not asked:
        return None
    count = answered(s, retro.id)
    if retro.phase == "collect" or count < MIN_ANSWERS:
        return HealthView(tuple(asked), count)
    now = _averages(s, retro.id)
    earlier = list(
        s.scalars(
            select(Retro.id)
            .where(
                Retro.team_id == retro.team_id,
                Retro.channel_id == retro.channel_id,
                Retro.id < retro.id,
                Retro.abandoned.is_(False),
            )
            .order_by(Retro.id)
        )
    )
    history = [_averages(s, rid) for rid in earlier if answered(s, rid) >= MIN_ANSWERS][-HISTORY:]
    lines = tuple(Line(q, now[q], tuple(h[q] for h in history if q in h)) for q in asked if q in now)
    return HealthView(tuple(asked), count, lines)
