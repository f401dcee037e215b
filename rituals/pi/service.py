"""PIs, objectives and risks: creation with validation, edits, drops, and the lookups the rest share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.pi import announce, business, hypotheses, plan, projects, scope
from rituals.pi.calendar import parse_hhmm
from rituals.pi.ids import Block
from rituals.pi.models import ROAM, Objective, ProgramIncrement, Risk


@dataclass(frozen=True)
class PiInput:
    name: str
    start_on: date | None
    end_on: date | None
    weekday: int | None
    checkin_time: str
    channel_id: str
    timezone: str
    business_owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    description: str
    planned_bv: str
    committed: bool
    owner_id: str
    link: str = ""
    hypothesis: hypotheses.HypothesisInput | None = None
    project: str = ""  # a ticket project's id: progress follows its stages


def create_pi(s: Session, *, team_id: str, data: PiInput, actor: str, now: datetime) -> ProgramIncrement:
    if not data.name.strip():
        raise UserError("Give the PI a name, e.g. “PI 2027.1”.", field=Block.NAME)
    if data.start_on is None:
        raise UserError("Pick the PI's start date.", field=Block.START)
    if data.end_on is None:
        raise UserError("Pick the PI's end date.", field=Block.END)
    if data.end_on <= data.start_on:
        raise UserError("The end date must be after the start date.", field=Block.END)
    if data.weekday is None or not 0 <= data.weekday <= 6:
        raise UserError("Pick the weekday of the weekly check-in.", field=Block.WEEKDAY)
    at = parse_hhmm(data.checkin_time)
    if at is None:
        raise UserError("Pick the check-in time (HH:MM).", field=Block.TIME)
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"Unknown timezone {data.timezone!r}; set yours in your Slack profile.", field=Block.TIME
        ) from None
    if not data.channel_id:
        raise UserError("Pick the team channel for the PI.", field=Block.CHANNEL)
    existing = active_pi(s, team_id, data.channel_id)
    if existing is not None:
        raise UserError(
            f"<#{data.channel_id}> already has an active PI, “{existing.name}”. Close it with "
            "`/pi close` first (past PIs are kept).",
            field=Block.CHANNEL,
        )
    pi = ProgramIncrement(
        team_id=team_id,
        channel_id=data.channel_id,
        name=data.name.strip()[:120],
        start_on=data.start_on,
        end_on=data.end_on,
        checkin_weekday=data.weekday,
        checkin_time=at.strftime("%H:%M"),
        timezone=data.timezone,
        state="active",
        created_by=actor,
        created_at=now,
    )
    business.store(pi, list(data.business_owners))
    s.add(pi)
    s.flush()
    announce.started(s, pi, now)
    return pi


def active_pi(s: Session, team_id: str, channel_id: str) -> ProgramIncrement | None:
    """The channel's running PI (active, or closing while owners enter actual business value)."""
    return s.scalars(
        select(ProgramIncrement)
        .where(
            ProgramIncrement.team_id == team_id,
            ProgramIncrement.channel_id == channel_id,
            ProgramIncrement.state.in_(("active", "closing")),
        )
        .order_by(ProgramIncrement.id.desc())
    ).first()


def require_pi(s: Session, team_id: str, channel_id: str, *, state: str | None = "active") -> ProgramIncrement:
    pi = active_pi(s, team_id, channel_id)
    if pi is None:
        raise UserError("This channel has no active PI. Start one with `/pi new`.")
    if state and pi.state != state:
        raise UserError(f"PI “{pi.name}” is being closed: owners are entering actual business value.")
    return pi


def load_pi(s: Session, pi_id: int, *, team_id: str) -> ProgramIncrement:
    """A PI of this workspace; another workspace's reads as missing (rituals.pi.scope)."""
    return scope.pi(s, pi_id, team_id=team_id)


def scheduled_pi(s: Session, job_scope: str) -> ProgramIncrement | None:
    """The PI a scheduled job runs for. The scope is the scheduler's own (capability.schedule), never
    a request's, so it is the one load without a workspace; None when the PI is gone."""
    return s.get(ProgramIncrement, int(job_scope)) if job_scope.isdigit() else None


def objectives(s: Session, pi_id: int, *, include_dropped: bool = False) -> list[Objective]:
    query = select(Objective).where(Objective.pi_id == pi_id)
    if not include_dropped:
        query = query.where(Objective.dropped.is_(False))
    return list(s.scalars(query.order_by(Objective.id)))


def load_objective(s: Session, objective_id: int, *, team_id: str) -> Objective:
    """A live objective of this workspace; another workspace's or a dropped one reads as missing."""
    objective, _ = scope.objective(s, objective_id, team_id=team_id)
    if objective.dropped:
        raise UserError("That objective was dropped or no longer exists.")
    return objective


def load_risk(s: Session, risk_id: int, *, team_id: str) -> Risk:
    """A risk of this workspace; another workspace's reads as missing."""
    return scope.risk(s, risk_id, team_id=team_id)[0]


def save_objective(
    s: Session,
    pi: ProgramIncrement,
    data: ObjectiveInput,
    *,
    actor: str,
    now: datetime,
    objective_id: int | None = None,
    is_admin: Callable[[], bool] = business.nobody,
) -> Objective:
    if pi.state != "active":
        raise UserError(f"PI “{pi.name}” is closed for planning; objectives can no longer change.")
    if not data.title.strip():
        raise UserError("Give the objective a title.", field=Block.TITLE)
    raw_bv = data.planned_bv.strip()
    if not raw_bv.isdigit() or not 1 <= int(raw_bv) <= 10:
        raise UserError(
            f"Planned business value is a whole number from 1 to 10 (got “{raw_bv[:20]}”).", field=Block.PLANNED_BV
        )
    if not data.owner_id:
        raise UserError("Pick the objective's owner.", field=Block.OWNER)
    existing = None if objective_id is None else _editable(s, pi, objective_id, actor, is_admin)
    if business.owners(pi) and (existing is None or existing.planned_bv != int(raw_bv)):
        business.require_scorer(pi, existing, actor, is_admin, field=Block.PLANNED_BV)
    target = hypotheses.parse(s, pi, data.hypothesis)
    if existing is None:
        objective = Objective(pi_id=pi.id, created_at=now, progress=0, dropped=False)
        s.add(objective)
        before = None
    else:
        objective = existing
        before = plan.fields(objective)
    objective.title = data.title.strip()[:200]
    objective.description = data.description.strip()[:3000]
    objective.planned_bv = int(raw_bv)
    objective.committed = data.committed
    objective.owner_id = data.owner_id
    objective.link = data.link.strip()[:500] or None
    s.flush()
    hypotheses.store(s, objective, target)
    projects.link(s, pi, objective, data.project)
    s.flush()
    plan.record_edit(s, pi, objective, before, actor=actor, now=now)
    return objective


def drop_objective(s: Session, objective_id: int, *, team_id: str, actor: str, now: datetime) -> Objective:
    objective = load_objective(s, objective_id, team_id=team_id)
    pi = load_pi(s, objective.pi_id, team_id=team_id)
    if pi.state != "active":
        raise UserError(f"PI “{pi.name}” is being closed; objectives can no longer be dropped.")
    _editable(s, pi, objective_id, actor)
    objective.dropped = True
    plan.record_drop(s, pi, objective, actor=actor, now=now)
    return objective


def _editable(
    s: Session, pi: ProgramIncrement, objective_id: int, actor: str, is_admin: Callable[[], bool] = business.nobody
) -> Objective:
    """The owner, the PI's creator, a business owner (who scores its BV) or an admin may change it."""
    objective = load_objective(s, objective_id, team_id=pi.team_id)
    if objective.pi_id != pi.id:
        raise UserError("That objective belongs to another PI.")
    if actor not in (objective.owner_id, pi.created_by, *business.owners(pi)) and not is_admin():
        raise UserError(
            f"Only the owner (<@{objective.owner_id}>) or the PI's creator (<@{pi.created_by}>) "
            "can change this objective."
        )
    return objective


def add_risk(
    s: Session, pi: ProgramIncrement, *, description: str, owner_id: str, roam: str, actor: str, now: datetime
) -> Risk:
    if not description.strip():
        raise UserError("Describe the risk.", field=Block.DESCRIPTION)
    if not owner_id:
        raise UserError("Pick the risk's owner.", field=Block.OWNER)
    if roam not in ROAM:
        raise UserError("Pick the ROAM state: Resolved, Owned, Accepted or Mitigated.", field=Block.ROAM)
    risk = Risk(
        pi_id=pi.id,
        description=description.strip()[:2000],
        owner_id=owner_id,
        roam=roam,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    s.add(risk)
    s.flush()
    return risk


def set_roam(s: Session, risk_id: int, roam: str, *, team_id: str, now: datetime) -> Risk:
    risk = load_risk(s, risk_id, team_id=team_id)
    if roam not in ROAM:
        raise UserError("Pick the ROAM state: Resolved, Owned, Accepted or Mitigated.")
    risk.roam, risk.updated_at = roam, now
    return risk


def risks(s: Session, pi_id: int, *, open_only: bool = False) -> list[Risk]:
    query = select(Risk).where(Risk.pi_id == pi_id)
    if open_only:
        query = query.where(Risk.roam != "resolved")
    return list(s.scalars(query.order_by(Risk.id)))
