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


def standups_for(
    session: Session, team_id: str, channel_id: str, user_id: str, name: str | None = None
) -> list[Standup]:
    """The channel's standups the user is in; from anywhere else (a DM), all of theirs; `name` picks one."""
    mine = service.of_user(session, team_id, user_id)
    here = [s for s in mine if s.channel_id == channel_id]
    if not mine:
        raise UserError("You are not in any standup yet. Someone can add you with `/standup setup` or `/standup edit`.")
    if name:
        named = [s for s in here or mine if service.same_name(s.name, name)]
        if not named:
            names = ", ".join(f"“{s.name}”" for s in here or mine)
            raise UserError(f"You are in no standup called “{name}” here; yours: {names}.")
        return named[:1]
    return here or mine


def answer_target(
    session: Session, team_id: str, channel_id: str, user_id: str, now: datetime, name: str | None = None
) -> tuple[Standup, StandupEntry]:
    """Today's entry, or the next standup day's once today is answered or digested (answer early);
    with several standups, the one named, else the one asked and waiting today."""
    found = standups_for(session, team_id, channel_id, user_id, name)
    if len(found) > 1:
        waiting = [s for s in found if _waiting_today(session, s, user_id, now)]
        if len(waiting) != 1:
            names = ", ".join(f"“{s.name}”" for s in found)
            example = f"`/standup answer {found[0].name}`"
            raise UserError(f"You are in several standups ({names}): add the name, e.g. {example}.")
        found = waiting
    standup = found[0]
    today = calendar.local_date(now, _member_tz(session, standup, user_id))
    day = today
    entry = answers.find_entry(session, standup.id, user_id, today)
    digested = publish.get_day(session, standup, today).digest_posted_at is not None
    if not calendar.is_standup_weekday(standup.days, today) or digested or (entry and entry.status == "answered"):
        day = calendar.next_standup_day(standup.days, today, standup.holidays)
    entry = answers.ensure_entry(session, standup, user_id, day, now)
    return standup, entry


def _waiting_today(session: Session, standup: Standup, user_id: str, now: datetime) -> bool:
    today = calendar.local_date(now, _member_tz(session, standup, user_id))
    entry = answers.find_entry(session, standup.id, user_id, today)
    return entry is not None and entry.status == "asked" and entry.asked_at is not None


def open_entry(session: Session, team_id: str, entry_id: int, user_id: str) -> tuple[Standup, StandupEntry]:
    entry = answers.entry_of(session, entry_id, user_id)
    standup = service.get(session, team_id, entry.standup_id)
    return standup, entry


def submit(
    session: Session,
    team_id: str,
    user_id: str,
    entry_id: int,
    texts: list[str],
    now: datetime,
    blocked: bool | None = None,
) -> None:
    standup, entry = open_entry(session, team_id, entry_id, user_id)
    if answers.set_answers(session, standup, entry, texts, now, blocked):
        _completed(session, standup, entry, now)
    else:
        publish.answer_edited(session, standup, entry, now)


def _completed(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    late = publish.answer_completed(session, standup, entry, now)
    publish.dm_reply(session, standup, entry, render.thanks(standup, entry, late=late), now)


def dm_message(
    session: Session, team_id: str, user_id: str, ts: str, thread_ts: str | None, text: str, now: datetime
) -> bool:
    """A message the member typed in the bot's DM: a reply in an ask's thread answers it; a top-level
    message answers only the one ask open today, else the bot asks which standup (or says what it does)."""
    if not text.strip():
        return False
    if thread_ts:
        entry = answers.entry_in_thread(session, user_id, thread_ts)
        standup = session.get(Standup, entry.standup_id) if entry is not None else None
        if entry is None or standup is None:
            return False
    else:
        today = [(e, s) for e, s, tz in answers.open_asks(session, user_id) if calendar.local_date(now, tz) == e.day]
        if len(today) != 1:
            publish.dm_help(session, team_id, user_id, render.dm_help([s for _, s in today]), now)
            return True
        entry, standup = today[0]
    stored = answers.record_message(session, standup, entry, ts, text, now)
    if stored.duplicate:
        log.info("standup DM answer already stored entry=%s ts=%s", entry.id, ts)
    elif stored.corrected:
        publish.answer_edited(session, standup, entry, now)
        publish.dm_reply(session, standup, entry, render.corrected(entry), now)
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
    if thread_ts:
        entry = answers.entry_in_thread(session, user_id, thread_ts)
    else:
        entry = _entry_by_source(session, user_id, ts)
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


def skip_today(
    session: Session, team_id: str, channel_id: str, user_id: str, now: datetime, name: str | None = None
) -> list[Standup]:
    """Skip today's standup(s); on a day without one, nothing is skipped and the member is told how to
    skip the next one."""
    found = standups_for(session, team_id, channel_id, user_id, name)
    days = {s.id: calendar.local_date(now, _member_tz(session, s, user_id)) for s in found}
    due = [s for s in found if calendar.is_standup_weekday(s.days, days[s.id]) and str(days[s.id]) not in s.holidays]
    if not due:
        standup = found[0]
        today = days[standup.id]
        nxt = calendar.next_standup_day(standup.days, today, standup.holidays).isoformat()
        raise UserError(
            f"There is no “{standup.name}” today ({render.day_label(today)}), so nothing was skipped. "
            f"To skip the next one: `/standup away {nxt} {nxt}`."
        )
    for standup in due:
        entry = answers.find_entry(session, standup.id, user_id, days[standup.id])
        if entry is not None and entry.status == "answered":
            raise UserError(f"You already answered “{standup.name}” today; nothing to skip.")
    for standup in due:
        entry = answers.ensure_entry(session, standup, user_id, days[standup.id], now)
        entry.status, entry.updated_at = "skipped", now
        publish.refresh_day(session, standup, publish.get_day(session, standup, days[standup.id]), now)
    return due


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
