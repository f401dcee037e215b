"""Weekly check-ins: owners' updates, the check-in DMs and reminders, and the week's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from rituals.pi import calendar, render, service
from rituals.pi.ids import Block
from rituals.pi.models import STATUSES, CheckIn, Objective, ProgramIncrement, Risk


@dataclass(frozen=True)
class SummaryRow:
    objective: Objective
    current: CheckIn | None
    previous: CheckIn | None

    @property
    def change(self) -> str:
        if self.current is None:
            return "no update this week"
        if self.previous is None:
            return "first update"
        if self.current.status != self.previous.status:
            return f"{render.STATUS_NAMES[self.previous.status]} → {render.STATUS_NAMES[self.current.status]}"
        delta = self.current.progress - self.previous.progress
        return f"unchanged, {'+' if delta >= 0 else ''}{delta} pts"


@dataclass(frozen=True)
class WeekSummary:
    pi: ProgramIncrement
    week: int
    rows: list[SummaryRow]
    missing: list[str]
    new_risks: list[Risk]
    open_risks: list[Risk]


def record(
    s: Session, objective_id: int, *, team_id: str, user: str, status: str, progress: str, note: str, now: datetime
) -> CheckIn:
    objective = service.load_objective(s, objective_id, team_id=team_id)
    pi = service.load_pi(s, objective.pi_id, team_id=team_id)
    if pi.state != "active":
        raise UserError(f"PI “{pi.name}” is closed; check-ins are over.")
    if user not in (objective.owner_id, pi.created_by):
        raise UserError(f"Only the owner (<@{objective.owner_id}>) updates this objective.")
    if status not in STATUSES:
        raise UserError("Pick a status: on track, at risk, off track or done.", field=Block.STATUS)
    raw = progress.strip().rstrip("%").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 100:
        raise UserError(f"Progress is a percentage from 0 to 100 (got “{progress[:20]}”).", field=Block.PROGRESS)
    week = calendar.current_week(pi, now)
    checkin = s.scalars(select(CheckIn).where(CheckIn.objective_id == objective.id, CheckIn.week == week)).first()
    if checkin is None:
        checkin = CheckIn(pi_id=pi.id, objective_id=objective.id, week=week)
        s.add(checkin)
    checkin.status, checkin.progress, checkin.note = status, int(raw), note.strip()[:2000]
    checkin.user_id, checkin.updated_at = user, now
    objective.status, objective.progress = status, int(raw)
    s.flush()
    return checkin


def _week_checkins(s: Session, pi_id: int, week: int) -> dict[int, CheckIn]:
    rows = s.scalars(select(CheckIn).where(CheckIn.pi_id == pi_id, CheckIn.week == week))
    return {c.objective_id: c for c in rows}


def _previous_checkins(s: Session, pi_id: int, week: int) -> dict[int, CheckIn]:
    """Each objective's latest update before `week` (the 'last week' it is compared with)."""
    latest: dict[int, CheckIn] = {}
    for c in s.scalars(select(CheckIn).where(CheckIn.pi_id == pi_id, CheckIn.week < week).order_by(CheckIn.week)):
        latest[c.objective_id] = c
    return latest


def waiting(s: Session, pi: ProgramIncrement, week: int) -> list[Objective]:
    """Objectives still expecting an update this week: not dropped, not done before, not updated yet."""
    done = _week_checkins(s, pi.id, week)
    before = _previous_checkins(s, pi.id, week)
    return [
        o
        for o in service.objectives(s, pi.id)
        if o.id not in done and (before.get(o.id) is None or before[o.id].status != "done")
    ]


def _by_owner(objectives: list[Objective]) -> dict[str, list[Objective]]:
    owners: dict[str, list[Objective]] = {}
    for o in objectives:
        owners.setdefault(o.owner_id, []).append(o)
    return owners


def ask(s: Session, pi: ProgramIncrement, now: datetime, *, reminder: bool = False) -> list[str]:
    """DM every owner whose objectives wait for this week's update; returns whom."""
    week = calendar.current_week(pi, now)
    owners = _by_owner(waiting(s, pi, week))
    kind = "remind" if reminder else "ask"
    for owner, mine in owners.items():
        key = f"pi:{pi.id}:w{week}:{kind}:{owner}"
        if outbox.already_enqueued(s, key):
            continue
        text, blocks = render.checkin_dm(pi, week, mine, reminder=reminder)
        outbox.post(s, channel=owner, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=key)
    return list(owners)


def summary(s: Session, pi: ProgramIncrement, now: datetime) -> WeekSummary:
    week = calendar.current_week(pi, now)
    current = _week_checkins(s, pi.id, week)
    previous = _previous_checkins(s, pi.id, week)
    rows = [SummaryRow(o, current.get(o.id), previous.get(o.id)) for o in service.objectives(s, pi.id)]
    missing = sorted({o.owner_id for o in waiting(s, pi, week)})
    all_risks = service.risks(s, pi.id)
    since = now - timedelta(days=7)
    return WeekSummary(
        pi,
        week,
        rows,
        missing,
        [r for r in all_risks if r.created_at > since],
        [r for r in all_risks if r.roam != "resolved"],
    )


def post_summary(s: Session, pi: ProgramIncrement, now: datetime) -> None:
    data = summary(s, pi, now)
    key = f"pi:{pi.id}:w{data.week}:summary"
    if outbox.already_enqueued(s, key):
        return
    text, blocks = render.week_summary(data)
    outbox.post(s, channel=pi.channel_id, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=key)
