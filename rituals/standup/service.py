"""Standup setup: create, edit, pause, resume and delete, and find the standup a command means."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.standup import calendar
from rituals.standup.ids import Block
from rituals.standup.models import POST_MODES, Standup, StandupMember

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = ["What did you do since the last standup?", "What will you do today?", "Anything blocking you?"]
MAX_QUESTIONS = 10


@dataclass
class SetupForm:
    """The setup modal's answers as plain values (the handler reads them out of the view)."""

    participants: dict[str, str]  # user id -> Slack timezone ('' = not looked up yet: standup.roster does it)
    days: list[int]
    ask_time: str
    questions: list[str]
    blocker_number: int | None
    digest_time: str
    timezone: str
    reminder_minutes: int | None = 30
    post_mode: str = "thread"
    everyone: bool = False
    holidays: list[str] = field(default_factory=list)
    name: str = "Standup"
    names: dict[str, str] = field(default_factory=dict)  # user id -> Slack display name, where looked up


def validate(form: SetupForm) -> None:
    if not form.participants:
        raise UserError("Pick at least one participant, or tick “everyone in this channel”.", field=Block.PARTICIPANTS)
    if not form.days or any(d not in range(1, 8) for d in form.days):
        raise UserError("Pick at least one day of the week.", field=Block.DAYS)
    calendar.parse_time(form.ask_time, field=Block.ASK_TIME)
    calendar.parse_time(form.digest_time, field=Block.DIGEST_TIME)
    calendar.zone(form.timezone, field=Block.TIMEZONE)
    questions = [q.strip() for q in form.questions if q.strip()]
    if not questions:
        raise UserError("Write at least one question, one per line.", field=Block.QUESTIONS)
    if len(questions) > MAX_QUESTIONS:
        raise UserError(f"At most {MAX_QUESTIONS} questions, please.", field=Block.QUESTIONS)
    form.questions = questions
    if form.blocker_number is not None and not 1 <= form.blocker_number <= len(questions):
        raise UserError(
            f"The blocker question must be a number from 1 to {len(questions)} (or empty).", field=Block.BLOCKER
        )
    if form.post_mode not in POST_MODES:
        raise UserError("Choose how answers are posted.", field=Block.POST_MODE)


def save(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    form: SetupForm,
    now: datetime,
    standup_id: int | None = None,
) -> Standup:
    """Create a standup (standup_id None) or apply an edit; members keep their history."""
    validate(form)
    standup = get(session, team_id, standup_id) if standup_id else None
    if standup is None:
        standup = Standup(team_id=team_id, channel_id=channel_id, created_by=user_id, created_at=now, paused=False)
        session.add(standup)
    standup.name = form.name.strip()[:120] or "Standup"
    standup.questions = form.questions
    standup.blocker_index = form.blocker_number - 1 if form.blocker_number else None
    standup.days = sorted(set(form.days))
    standup.ask_time, standup.digest_time = form.ask_time, form.digest_time
    standup.timezone, standup.reminder_minutes = form.timezone, form.reminder_minutes
    standup.post_mode, standup.everyone, standup.holidays = form.post_mode, form.everyone, form.holidays
    session.flush()
    sync_members(session, standup, form.participants, form.names)
    log.info(
        "standup saved standup=%s team=%s channel=%s members=%s",
        standup.id,
        team_id,
        standup.channel_id,
        len(form.participants),
    )
    return standup


def sync_members(
    session: Session, standup: Standup, participants: dict[str, str], names: dict[str, str] | None = None
) -> None:
    existing = {m.user_id: m for m in members(session, standup.id, active_only=False)}
    names = names or {}
    for user_id, tz in participants.items():
        member = existing.get(user_id)
        if member is None:
            name = names.get(user_id) or None
            session.add(StandupMember(standup_id=standup.id, user_id=user_id, timezone=tz, name=name, active=True))
        else:
            member.timezone, member.active, member.inactive_reason = tz or member.timezone, True, None
            member.name = names.get(user_id) or member.name
    for user_id, member in existing.items():
        if user_id not in participants and member.active:
            member.active, member.inactive_reason = False, "removed"
    session.flush()


def members(session: Session, standup_id: int, *, active_only: bool = True) -> list[StandupMember]:
    query = select(StandupMember).where(StandupMember.standup_id == standup_id)
    if active_only:
        query = query.where(StandupMember.active.is_(True))
    return list(session.scalars(query.order_by(StandupMember.user_id)))


def get(session: Session, team_id: str, standup_id: int) -> Standup:
    standup = session.get(Standup, standup_id)
    if standup is None or standup.team_id != team_id or standup.archived_at is not None:
        raise UserError("That standup no longer exists. `/standup setup` creates a new one.")
    return standup


def in_channel(session: Session, team_id: str, channel_id: str) -> list[Standup]:
    return list(
        session.scalars(
            select(Standup)
            .where(Standup.team_id == team_id, Standup.channel_id == channel_id, Standup.archived_at.is_(None))
            .order_by(Standup.id)
        )
    )


def same_name(name: str, typed: str) -> bool:
    """A standup's name as typed after a command: case and spacing do not matter."""
    return " ".join(name.split()).casefold() == " ".join(typed.split()).casefold()


def named(session: Session, team_id: str, channel_id: str, name: str | None) -> list[Standup]:
    """The channel's standups, or the one `name` names (UserError when none does)."""
    found = in_channel(session, team_id, channel_id)
    if not found:
        raise UserError("There is no standup in this channel yet. Start one with `/standup setup`.")
    if not name:
        return found
    match = [s for s in found if same_name(s.name, name)]
    if not match:
        names = ", ".join(f"“{s.name}”" for s in found)
        raise UserError(f"No standup called “{name}” here; this channel has {names}.")
    return match[:1]


def for_channel(
    session: Session, team_id: str, channel_id: str, name: str | None = None, *, sub: str = "edit"
) -> Standup:
    """The channel's standup; with several, `name` (the rest of the command) picks one."""
    found = named(session, team_id, channel_id, name)
    if len(found) > 1:
        names = ", ".join(f"“{s.name}”" for s in found)
        raise UserError(
            f"This channel has several standups ({names}): add the name, e.g. `/standup {sub} {found[0].name}`."
        )
    return found[0]


def of_user(session: Session, team_id: str, user_id: str) -> list[Standup]:
    return list(
        session.scalars(
            select(Standup)
            .join(StandupMember, StandupMember.standup_id == Standup.id)
            .where(
                Standup.team_id == team_id,
                Standup.archived_at.is_(None),
                StandupMember.user_id == user_id,
                StandupMember.active.is_(True),
            )
            .order_by(Standup.id)
        )
    )


def set_paused(session: Session, standup: Standup, paused: bool) -> Standup:
    if standup.paused == paused:
        raise UserError(f"“{standup.name}” is already {'paused' if paused else 'running'}.")
    standup.paused = paused
    return standup


def delete_standup(session: Session, standup: Standup, now: datetime) -> str:
    """Deleting archives: nobody is asked and the channel lists it no more, but its history stays
    (`/standup history` and the export still read it)."""
    standup.archived_at, standup.paused = now, True
    session.flush()
    log.info("standup archived standup=%s", standup.id)
    return standup.name


def workspace_holidays(settings: object) -> list[str]:
    """`standup: holidays: [YYYY-MM-DD, ...]` in ritualbot.yaml: days nobody is asked."""
    section = settings.section("standup") if hasattr(settings, "section") else {}
    return [str(d) for d in section.get("holidays") or []]


def away_emojis(settings: object) -> set[str]:
    """Slack status emoji that count as away (`standup: away_status_emoji`), :palm_tree: by default."""
    section = settings.section("standup") if hasattr(settings, "section") else {}
    return set(section.get("away_status_emoji") or [":palm_tree:"])


def check_manager(standup: Standup, user_id: str, is_admin: Callable[[], bool]) -> None:
    """Editing, pausing and deleting are for whoever set the standup up, and admins."""
    if user_id != standup.created_by and not is_admin():
        raise UserError(f"Only <@{standup.created_by}> (who set up “{standup.name}”) or an admin can change it.")
