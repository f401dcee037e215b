"""`/standup report`: participation per member, current streaks, blockers raised/cleared and median
answer time over a week or a month, with a participation chart. `summarize` is pure (unit-tested)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks as b
from bot import outbox
from bot.charts import new_figure, to_png
from bot.errors import UserError
from bot.templates import render as template
from bot.text import mrkdwn, plain
from rituals.standup import calendar, service
from rituals.standup.models import Standup, StandupBlocker, StandupEntry

PERIODS = {"week": 7, "month": 30}
COUNTED = ("asked", "answered")  # away, skipped and holidays are not held against anyone


@dataclass(frozen=True)
class Fact:
    user_id: str
    day: date
    status: str
    asked_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class MemberStats:
    user_id: str
    expected: int
    answered: int
    streak: int
    median_minutes: float | None

    @property
    def rate(self) -> float | None:
        return self.answered / self.expected if self.expected else None


@dataclass(frozen=True)
class Report:
    period: str
    start: date
    end: date
    members: list[MemberStats]
    raised: int
    cleared: int
    chart: bytes | None = None

    @property
    def team_rate(self) -> float | None:
        expected = sum(m.expected for m in self.members)
        return sum(m.answered for m in self.members) / expected if expected else None


def summarize(user_ids: list[str], facts: list[Fact], start: date, end: date) -> list[MemberStats]:
    """Rates and answer times inside [start, end]; streaks over all facts up to `end`."""
    result = []
    for user_id in user_ids:
        mine = sorted((f for f in facts if f.user_id == user_id and f.day <= end), key=lambda f: f.day)
        window = [f for f in mine if f.day >= start and f.status in COUNTED]
        streak = 0
        for fact in reversed([f for f in mine if f.status in COUNTED]):
            if fact.status != "answered":
                break
            streak += 1
        waits = [
            (f.completed_at - f.asked_at).total_seconds() / 60
            for f in window
            if f.status == "answered" and f.asked_at and f.completed_at and f.completed_at >= f.asked_at
        ]
        result.append(
            MemberStats(
                user_id,
                len(window),
                sum(1 for f in window if f.status == "answered"),
                streak,
                median(waits) if waits else None,
            )
        )
    return result


def report(session: Session, standup: Standup, period: str, now: datetime, *, chart: bool = True) -> Report:
    if period not in PERIODS:
        raise UserError("Use `/standup report week` or `/standup report month`.")
    end = calendar.local_date(now, standup.timezone)
    start = end - timedelta(days=PERIODS[period] - 1)
    facts = [
        Fact(e.user_id, e.day, e.status, e.asked_at, e.completed_at)
        for e in session.scalars(
            select(StandupEntry).where(StandupEntry.standup_id == standup.id, StandupEntry.day <= end)
        )
    ]
    members = summarize([m.user_id for m in service.members(session, standup.id)], facts, start, end)
    blockers = list(session.scalars(select(StandupBlocker).where(StandupBlocker.standup_id == standup.id)))
    raised = sum(1 for x in blockers if start <= x.raised_on <= end)
    cleared = sum(
        1 for x in blockers if x.cleared_at and start <= calendar.local_date(x.cleared_at, standup.timezone) <= end
    )
    return Report(period, start, end, members, raised, cleared, chart=_chart(standup, members) if chart else None)


def _chart(standup: Standup, members: list[MemberStats]) -> bytes | None:
    rated = [m for m in members if m.rate is not None]
    if not rated:
        return None
    fig, ax = new_figure(6, 3)
    ax.bar([m.user_id for m in rated], [100 * (m.rate or 0) for m in rated], color="#2c7be5")
    ax.set_ylim(0, 100)
    ax.set_ylabel("answered (%)")
    ax.set_title(f"{plain(standup.name)}: participation")
    return to_png(fig)


def _alt_text(standup: Standup, result: Report) -> str:
    """What the chart shows, for a reader who cannot see it."""
    rates = ", ".join(f"{m.user_id} {_pct(m.rate)}" for m in result.members if m.rate is not None)
    return f"Bar chart: share of {plain(standup.name)} questions each member answered, {result.period}: {rates}."


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(100 * value)}%"


def _minutes(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f} min" if value < 90 else f"{value / 60:.1f} h"


def text(standup: Standup, result: Report) -> str:
    return template(
        "rituals.standup",
        "report.md.j2",
        standup=mrkdwn(standup.name),
        period=result.period,
        start=result.start,
        end=result.end,
        raised=result.raised,
        cleared=result.cleared,
        team_rate=_pct(result.team_rate),
        members=[
            {
                "user_id": m.user_id,
                "answered": m.answered,
                "expected": m.expected,
                "rate": _pct(m.rate),
                "streak": m.streak,
                "median": _minutes(m.median_minutes),
            }
            for m in result.members
        ],
    )


def publish(session: Session, standup: Standup, result: Report, now: datetime) -> None:
    row = outbox.post(
        session,
        channel=standup.channel_id,
        text=text(standup, result),
        blocks=[b.section(text(standup, result))],
        now=now,
        team_id=standup.team_id,
    )
    if result.chart:
        outbox.upload(
            session,
            channel=standup.channel_id,
            filename=f"standup-{result.period}.png",
            content=result.chart,
            now=now,
            title=f"{plain(standup.name)}: participation",
            alt_text=_alt_text(standup, result),
            team_id=standup.team_id,
            thread_of=row,
        )
