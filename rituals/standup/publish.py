"""Standup messages through the outbox: DMs (ask, next question, nudge, thanks) and the channel side
(a member's answers, the day's thread or summary, the digest), edited in place when answers change."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.models import OutboxMessage
from rituals.standup import answers, blocker_tickets, calendar, render, service
from rituals.standup.models import Standup, StandupDay, StandupEntry

log = logging.getLogger(__name__)
AWAY_STATES = ("away", "skipped", "holiday", "status")


def ask(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> OutboxMessage:
    """DM the member (post to the user id: Slack opens the IM)."""
    previous = answers.previous_entry(session, standup.id, entry.user_id, entry.day)
    blockers = answers.open_blockers(session, standup.id, user_id=entry.user_id, on_or_before=entry.day)
    text, blocks = render.ask(standup, entry, previous, blockers)
    row = outbox.post(
        session,
        channel=entry.user_id,
        text=text,
        blocks=blocks,
        now=now,
        team_id=standup.team_id,
        dedupe_key=f"standup:ask:{entry.id}",
        ref=f"standup:ask:{entry.id}",
    )
    entry.ask_message_id, entry.asked_at, entry.updated_at = row.id, now, now
    return row


def dm_reply(
    session: Session, standup: Standup, entry: StandupEntry, text: str, now: datetime, blocks: list | None = None
) -> OutboxMessage:
    """A message in the ask's DM thread (or a plain DM when the member was never asked)."""
    parent = session.get(OutboxMessage, entry.ask_message_id) if entry.ask_message_id else None
    return outbox.post(
        session, channel=entry.user_id, text=text, blocks=blocks, now=now, team_id=standup.team_id, thread_of=parent
    )


def dm_help(session: Session, team_id: str, user_id: str, text: str, now: datetime) -> OutboxMessage:
    """A top-level DM answer that is not a standup answer."""
    return outbox.post(session, channel=user_id, text=text, now=now, team_id=team_id)


def remind(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    text, blocks = render.reminder(standup, entry)
    dm_reply(session, standup, entry, text, now, blocks)
    entry.reminded_at = now


def get_day(session: Session, standup: Standup, day: date) -> StandupDay:
    row = session.scalars(select(StandupDay).where(StandupDay.standup_id == standup.id, StandupDay.day == day)).first()
    if row is None:
        row = StandupDay(standup_id=standup.id, day=day)
        session.add(row)
        session.flush()
    return row


def answer_completed(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> bool:
    """Post a member's finished answers to the channel; after the digest, update the digest too.
    Returns True when the answer came after the digest (a late answer)."""
    day = get_day(session, standup, entry.day)
    if standup.post_mode == "summary":
        refresh_day(session, standup, day, now)  # the short summary first: the answers go in its thread
    parent = _summary_message(session, day) if standup.post_mode == "summary" else None
    parent = parent or _thread_parent(session, standup, day, now)
    if entry.posted_message_id is None:
        text, blocks = render.answer_post(standup, entry)
        row = outbox.post(
            session,
            channel=standup.channel_id,
            text=text,
            blocks=blocks,
            now=now,
            team_id=standup.team_id,
            thread_of=parent,
            ref=f"standup:entry:{entry.id}",
        )
        entry.posted_message_id = row.id
    if standup.post_mode != "summary":
        refresh_day(session, standup, day, now)
    return day.digest_posted_at is not None


def _summary_message(session: Session, day: StandupDay) -> OutboxMessage | None:
    """Summary mode's one channel message: the summary, or the digest it became."""
    for message_id in (day.thread_message_id, day.digest_message_id):
        row = session.get(OutboxMessage, message_id) if message_id else None
        if row is not None:
            return row
    return None


def answer_edited(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    """Answers changed after posting: edit the posted message(s), never post again."""
    if entry.status != "answered":
        return
    if entry.posted_message_id:
        posted = session.get(OutboxMessage, entry.posted_message_id)
        if posted is not None:
            text, blocks = render.answer_post(standup, entry)
            outbox.update(session, posted, text=text, blocks=blocks, now=now)
    refresh_day(session, standup, get_day(session, standup, entry.day), now)


def _thread_parent(session: Session, standup: Standup, day: StandupDay, now: datetime) -> OutboxMessage:
    if day.thread_message_id:
        row = session.get(OutboxMessage, day.thread_message_id)
        if row is not None:
            return row
    text, blocks = render.thread_parent(standup, day.day)
    row = outbox.post(
        session,
        channel=standup.channel_id,
        text=text,
        blocks=blocks,
        now=now,
        team_id=standup.team_id,
        ref=f"standup:{standup.id}:{day.day}:thread",
    )
    day.thread_message_id = row.id
    return row


def day_view(
    session: Session,
    standup: Standup,
    day: date,
    *,
    workspace_holidays: list[str],
    final: bool,
    now: datetime | None = None,
) -> render.DayView:
    view = render.DayView(standup=standup, day=day, final=final, with_answers=standup.post_mode == "summary")
    entries = {
        e.user_id: e
        for e in session.scalars(
            select(StandupEntry).where(StandupEntry.standup_id == standup.id, StandupEntry.day == day)
        )
    }
    for member in service.members(session, standup.id, active_only=False):
        if member.name:
            view.names[member.user_id] = member.name
        entry = entries.get(member.user_id)
        if entry is not None and entry.status == "answered":
            view.answered.append(entry)
        elif not member.active:
            continue
        elif entry is not None and entry.status in AWAY_STATES:
            view.away.append((member.user_id, entry.status))
        elif kind := answers.away_kind(session, standup, member.user_id, day, workspace_holidays):
            view.away.append((member.user_id, kind))
        elif (
            entry is None
            and now is not None
            and member.timezone
            and (asked := calendar.local_datetime(day, standup.ask_time, member.timezone)) > now
        ):
            view.later.append(member.user_id)  # their morning has not come yet
            view.asked_at[member.user_id] = asked
        else:
            view.missing.append(member.user_id)
    view.answered.sort(key=lambda e: (e.completed_at or e.updated_at, e.id))
    view.blockers = answers.open_blockers(session, standup.id, on_or_before=day)
    view.tickets = blocker_tickets.shown(session, standup, view.blockers)
    return view


def post_digest(
    session: Session, standup: Standup, day: date, now: datetime, workspace_holidays: list[str]
) -> OutboxMessage | None:
    """The day's digest; none when nobody answered and nobody is missing (everyone away)."""
    row = get_day(session, standup, day)
    view = day_view(session, standup, day, workspace_holidays=workspace_holidays, final=True, now=now)
    if not view.answered and not view.missing and not view.later:
        log.info("standup digest skipped, everyone away standup=%s day=%s", standup.id, day)
        return None
    text, blocks = render.digest(view)
    existing = (
        session.get(OutboxMessage, row.thread_message_id)
        if standup.post_mode == "summary" and row.thread_message_id
        else None
    )
    if existing is not None:
        outbox.update(session, existing, text=text, blocks=blocks, now=now)
        message = existing
    else:
        message = outbox.post(
            session,
            channel=standup.channel_id,
            text=text,
            blocks=blocks,
            now=now,
            team_id=standup.team_id,
            ref=f"standup:{standup.id}:{day}:digest",
            dedupe_key=f"standup:{standup.id}:{day}:digest",
        )
    row.digest_message_id, row.digest_posted_at = message.id, now
    return message


def refresh_day(
    session: Session, standup: Standup, day: StandupDay, now: datetime, workspace_holidays: list[str] | None = None
) -> None:
    """Bring the day's summary message and (once posted) its digest up to date, in place."""
    final = day.digest_posted_at is not None
    view = day_view(session, standup, day.day, workspace_holidays=workspace_holidays or [], final=final, now=now)
    text, blocks = render.digest(view)
    if final and day.digest_message_id:
        digest_row = session.get(OutboxMessage, day.digest_message_id)
        if digest_row is not None:
            outbox.update(session, digest_row, text=text, blocks=blocks, now=now)
        return
    if standup.post_mode == "summary":
        summary = session.get(OutboxMessage, day.thread_message_id) if day.thread_message_id else None
        if summary is None and view.answered:
            summary = outbox.post(
                session,
                channel=standup.channel_id,
                text=text,
                blocks=blocks,
                now=now,
                team_id=standup.team_id,
                ref=f"standup:{standup.id}:{day.day}:summary",
            )
            day.thread_message_id = summary.id
        elif summary is not None:
            outbox.update(session, summary, text=text, blocks=blocks, now=now)
