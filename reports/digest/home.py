"""A person's App Home, from stored data only (App Home must open fast: nothing here calls MLflow,
Prometheus, a cloud or Slack): their standup today and open blockers, retro actions, tickets by stage,
runs this week, idle GPUs they own, PI objectives; and, for a lead, the team's spend against budget."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from reports import people
from reports.digest.models import DigestChannel
from reports.gpu import config as gpu_config
from reports.gpu import service as gpu_service
from reports.gpu.models import GpuDay
from reports.runs.models import AnnouncedRun, RunWatch
from reports.spend import config as spend_config
from reports.spend import service as spend_service
from reports.spend.service import BudgetLine
from rituals.pi.models import Objective, ProgramIncrement
from rituals.retro.models import Retro, RetroAction
from rituals.standup.models import Standup, StandupBlocker, StandupEntry, StandupMember
from rituals.tickets import board


@dataclass(frozen=True)
class StandupToday:
    name: str
    channel_id: str
    entry_id: int | None  # the entry to answer; None when not asked yet today
    status: str  # "asked", "answered", "skipped", ... or "not asked yet"


@dataclass(frozen=True)
class RunsWeek:
    experiment: str
    finished: int
    failed: int


@dataclass(frozen=True)
class IdleGpu:
    label: str
    idle_h: float
    cost: Decimal
    currency: str


@dataclass
class Home:
    user_id: str
    lead: bool
    standups: list[StandupToday] = field(default_factory=list)
    blockers: list[StandupBlocker] = field(default_factory=list)
    actions: list[RetroAction] = field(default_factory=list)
    tickets: dict[str, list[board.Item]] = field(default_factory=dict)
    runs: list[RunsWeek] = field(default_factory=list)
    gpus: list[IdleGpu] = field(default_factory=list)
    objectives: list[tuple[Objective, str]] = field(default_factory=list)  # (objective, PI name)
    budgets: list[tuple[BudgetLine, str]] = field(default_factory=list)  # (team's line, currency) for a lead

    @property
    def member(self) -> bool:
        """Anything of theirs to show: an outsider gets the how-to-start page."""
        return bool(
            self.standups or self.blockers or self.actions or self.tickets or self.gpus or self.objectives or self.runs
        )


def is_lead(session: Session, settings: Settings, team_id: str, user_id: str) -> bool:
    """A configured admin, or whoever set up a digest, a standup or a PI in the workspace."""
    if user_id in settings.admins:
        return True
    for model in (DigestChannel, Standup, ProgramIncrement):
        found = session.scalar(
            select(func.count()).select_from(model).where(model.team_id == team_id, model.created_by == user_id)
        )
        if found:
            return True
    return False


def build(session: Session, settings: Settings, team_id: str, user_id: str, now: datetime) -> Home:
    home = Home(user_id=user_id, lead=is_lead(session, settings, team_id, user_id))
    home.standups, home.blockers = _standups(session, team_id, user_id, now)
    home.actions = list(
        session.scalars(
            select(RetroAction)
            .join(Retro, Retro.id == RetroAction.retro_id)
            .where(Retro.team_id == team_id, RetroAction.owner_id == user_id, RetroAction.status == "open")
            .order_by(RetroAction.due_on, RetroAction.id)
        )
    )
    by_stage: dict[str, list[board.Item]] = defaultdict(list)
    for item in board.mine(session, team_id=team_id, user_id=user_id, now=now):
        by_stage[item.stage].append(item)
    home.tickets = dict(by_stage)
    home.runs = _runs(session, team_id, user_id, now)
    home.gpus = _gpus(session, settings, user_id, now)
    home.objectives = [
        (o, pi.name)
        for o, pi in session.execute(
            select(Objective, ProgramIncrement)
            .join(ProgramIncrement, ProgramIncrement.id == Objective.pi_id)
            .where(
                ProgramIncrement.team_id == team_id,
                ProgramIncrement.state == "active",
                Objective.owner_id == user_id,
                Objective.dropped.is_(False),
            )
            .order_by(Objective.id)
        )
    ]
    if home.lead:
        home.budgets = _budgets(session, settings, team_id, now)
    return home


def _standups(
    session: Session, team_id: str, user_id: str, now: datetime
) -> tuple[list[StandupToday], list[StandupBlocker]]:
    rows = session.execute(
        select(Standup, StandupMember.timezone)
        .join(StandupMember, StandupMember.standup_id == Standup.id)
        .where(Standup.team_id == team_id, StandupMember.user_id == user_id, StandupMember.active.is_(True))
        .order_by(Standup.id)
    )
    today: list[StandupToday] = []
    blockers: list[StandupBlocker] = []
    for standup, tz in rows:
        day = now.astimezone(ZoneInfo(tz or standup.timezone)).date()
        entry = session.scalar(
            select(StandupEntry).where(
                StandupEntry.standup_id == standup.id, StandupEntry.user_id == user_id, StandupEntry.day == day
            )
        )
        status = entry.status if entry else "not asked yet"
        today.append(StandupToday(standup.name, standup.channel_id, entry.id if entry else None, status))
        blockers += session.scalars(
            select(StandupBlocker)
            .where(
                StandupBlocker.standup_id == standup.id,
                StandupBlocker.user_id == user_id,
                StandupBlocker.cleared_at.is_(None),
            )
            .order_by(StandupBlocker.raised_on)
        )
    return today, blockers


def _runs(session: Session, team_id: str, user_id: str, now: datetime) -> list[RunsWeek]:
    """The experiments they watch (set the watch up), with this week's finished and failed runs."""
    watches = session.scalars(
        select(RunWatch).where(RunWatch.team_id == team_id, RunWatch.created_by == user_id, RunWatch.enabled.is_(True))
    )
    since = int((now - timedelta(days=7)).timestamp() * 1000)
    found = []
    for watch in watches:
        rows = session.execute(
            select(AnnouncedRun.status, func.count())
            .where(AnnouncedRun.watch_id == watch.id, AnnouncedRun.end_time_ms >= since)
            .group_by(AnnouncedRun.status)
        )
        counts: dict[str, int] = {status: n for status, n in rows}
        failed = sum(n for status, n in counts.items() if status != "FINISHED")
        found.append(RunsWeek(watch.experiment_name, counts.get("FINISHED", 0), failed))
    return found


def _gpus(session: Session, settings: Settings, user_id: str, now: datetime) -> list[IdleGpu]:
    """GPUs whose owner is this person (ritualbot.yaml's gpu.users, or a Slack id tag), idle on the
    latest stored day."""
    config = gpu_config.load(settings)
    latest = session.scalar(select(func.max(GpuDay.day)).where(GpuDay.day <= now.astimezone(UTC).date()))
    if latest is None:
        return []
    rows = session.scalars(select(GpuDay).where(GpuDay.day == latest, GpuDay.idle_h > 0))
    mine = [r for r in rows if r.owner and people.slack_user(r.owner, config.users, None) == user_id]
    return [
        IdleGpu(gpu_service.label(r), r.idle_h, gpu_service.cost(r.idle_h, r.price), r.currency)
        for r in sorted(mine, key=lambda r: -r.idle_h)
    ]


def _budgets(session: Session, settings: Settings, team_id: str, now: datetime) -> list[tuple[BudgetLine, str]]:
    config = spend_config.load(settings)
    if not config.enabled:
        return []
    overview = spend_service.build(session, config, team_id, _yesterday(now), now)
    return [(line, r.currency) for r in overview.reports for line in r.teams if line.budget is not None]


def _yesterday(now: datetime) -> date:
    return now.astimezone(UTC).date() - timedelta(days=1)
