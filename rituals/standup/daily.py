"""A member's standup day as use cases: answer (modal, DM thread, early), edit, skip, away."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.standup import answers, calendar, publish, render, service
from rituals.standup.models import Standup, StandupEntry

log = logging.getLogger(__name__)


def _member_tz(session: Session, standup: Standup, user_id: str) -> str:
    found = [m for m in service.members(session, standup.id) if m.user_id == user_id]
    if not found:
        raise UserError(
            f"You are not a participant of “{standup.name}”. Ask whoever runs it to add you (`/standup edit`)."
        )
    return found[0].timezone or standup.timezone


def standups_for(session: Session, team_id: str, channel_id: str, user_id: str) -> list[Standup]:
    """The channel's standups the user is in; from anywhere else (a DM), all of theirs."""
    mine = service.of_user(session, team_id, user_id)
    here = [s for s in mine if s.channel_id == channel_id]
    if not mine:
        raise UserError("You are not in any standup yet. Someone can add you with `/standup setup` or `/standup edit`.")
    return here or mine


def answer_target(
    session: Session, team_id: str, channel_id: str, user_id: str, now: datetime
) -> tuple[Standup, StandupEntry]:
    """Today's entry, or the next standup day's once today is answered or digested (answer early)."""
    standup = standups_for(session, team_id, channel_id, user_id)[0]
    today = calendar.local_date(now, _member_tz(session, standup, user_id))
    day = today
    entry = answers.find_entry(session, standup.id, user_id, today)
    digested = publish.get_day(session, standup, today).digest_posted_at is not None
    if not calendar.is_standup_weekday(standup.days, today) or digested or (entry and entry.status == "answered"):
        day = calendar.next_standup_day(standup.days, today, standup.holidays)
    entry = answers.ensure_entry(session, standup, user_id, day, now)
    return standup, entry


def open_entry(session: Session, team_id: str, entry_id: int, user_id: str) -> tuple[Standup, StandupEntry]:
    entry = answers.entry_of(session, entry_id, user_id)
    standup = service.get(session, team_id, entry.standup_id)
    return standup, entry


def submit(session: Session, team_id: str, user_id: str, entry_id: int, texts: list[str], now: datetime) -> None:
    standup, entry = open_entry(session, team_id, entry_id, user_id)
    if answers.set_answers(session, standup, entry, texts, now):
        _completed(session, standup, entry, now)
    else:
        publish.answer_edited(session, standup, entry, now)


def _completed(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    late = publish.answer_completed(session, standup, entry, now)
    publish.dm_reply(session, standup, entry, render.thanks(standup, entry, late=late), now)


def dm_message(session: Session, user_id: str, ts: str, thread_ts: str | None, text: str, now: datetime) -> bool:
    """A message the member typed in the bot's DM: the next answer of their open standup."""
    entry = answers.entry_for_dm(session, user_id, thread_ts)
    if entry is None or not text.strip():
        return False
    standup = session.get(Standup, entry.standup_id)
    if standup is None:
        return False
    stored = answers.record_message(session, standup, entry, ts, text, now)
    if stored.duplicate:
        log.info("standup DM answer already stored entry=%s ts=%s", entry.id, ts)
    elif stored.index is None:
        publish.dm_reply(
            session,
            standup,
            entry,
            "You have answered every question. Edit a message, or press *Answer standup*, to change an answer.",
            now,
        )
    elif stored.completed:
        _completed(session, standup, entry, now)
    else:
        publish.dm_reply(session, standup, entry, render.next_question(entry, stored.index + 1), now)
    return True


def dm_edit(session: Session, user_id: str, ts: str, thread_ts: str | None, text: str, now: datetime) -> bool:
    entry = answers.entry_for_dm(session, user_id, thread_ts) if thread_ts else _entry_by_source(session, user_id, ts)
    if entry is None:
        return False
    standup = session.get(Standup, entry.standup_id)
    if standup is None or answers.edit_message(session, standup, entry, ts, text, now) is None:
        return False
    publish.answer_edited(session, standup, entry, now)
    return True


def _entry_by_source(session: Session, user_id: str, ts: str) -> StandupEntry | None:
    from sqlalchemy import select

    recent = session.scalars(
        select(StandupEntry).where(StandupEntry.user_id == user_id).order_by(StandupEntry.id.desc()).limit(20)
    )
    return next((e for e in recent if ts in e.sources), None)


def skip_today(session: Session, team_id: str, channel_id: str, user_id: str, now: datetime) -> list[Standup]:
    skipped = []
    for standup in standups_for(session, team_id, channel_id, user_id):
        today = calendar.local_date(now, _member_tz(session, standup, user_id))
        entry = answers.ensure_entry(session, standup, user_id, today, now)
        if entry.status == "answered":
            raise UserError(f"You already answered “{standup.name}” today; nothing to skip.")
        entry.status, entry.updated_at = "skipped", now
        publish.refresh_day(session, standup, publish.get_day(session, standup, today), now)
        skipped.append(standup)
    return skipped


def away(session: Session, team_id: str, user_id: str, start: date, end: date, now: datetime, tz: str) -> None:
    answers.add_away(
        session,
        team_id=team_id,
        user_id=user_id,
        start=start,
        end=end,
        kind="away",
        today=calendar.local_date(now, tz),
        now=now,
    )
