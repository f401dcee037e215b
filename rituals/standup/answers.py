"""A member's answers for a day: saved as they come (modal or DM thread), edits, skip/away, blockers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.models import OutboxMessage
from rituals.standup import shapes
from rituals.standup.ids import question_block
from rituals.standup.models import Standup, StandupAway, StandupBlocker, StandupEntry, StandupMember

log = logging.getLogger(__name__)

MAX_AWAY_DAYS = 366
KEEP = "ok"  # the DM thread reply that keeps the suggested first answer


def is_blocker(text: str | None) -> bool:
    """The blocker answer as a member wrote it: the explicit shape when it has one, else the hint."""
    return False if text is None else shapes.blocked(text)


def find_entry(session: Session, standup_id: int, user_id: str, day: date) -> StandupEntry | None:
    return session.scalars(
        select(StandupEntry).where(
            StandupEntry.standup_id == standup_id, StandupEntry.user_id == user_id, StandupEntry.day == day
        )
    ).first()


def previous_entry(session: Session, standup_id: int, user_id: str, before: date) -> StandupEntry | None:
    """The member's last answered standup before `before` (what they planned then)."""
    return session.scalars(
        select(StandupEntry)
        .where(
            StandupEntry.standup_id == standup_id,
            StandupEntry.user_id == user_id,
            StandupEntry.day < before,
            StandupEntry.status == "answered",
        )
        .order_by(StandupEntry.day.desc())
        .limit(1)
    ).first()


def ensure_entry(session: Session, standup: Standup, user_id: str, day: date, now: datetime) -> StandupEntry:
    entry = find_entry(session, standup.id, user_id, day)
    if entry is None:
        entry = StandupEntry(
            standup_id=standup.id,
            user_id=user_id,
            day=day,
            status="asked",
            questions=list(standup.questions),
            blocker_index=standup.blocker_index,
            answers=[None] * len(standup.questions),
            sources={},
            updated_at=now,
        )
        session.add(entry)
        session.flush()
    return entry


def refresh_questions(standup: Standup, entry: StandupEntry) -> None:
    """An entry made early (and not answered yet) takes the current question set when it is asked."""
    if entry.asked_at is None and all(a is None for a in entry.answers):
        entry.questions, entry.blocker_index = list(standup.questions), standup.blocker_index
        entry.answers = [None] * len(standup.questions)


def entry_of(session: Session, entry_id: int, user_id: str) -> StandupEntry:
    entry = session.get(StandupEntry, entry_id)
    if entry is None:
        raise UserError("This standup is gone (it was deleted). Nothing to answer.")
    if entry.user_id != user_id:
        raise UserError("This standup question is for someone else.")
    return entry


def entry_in_thread(session: Session, user_id: str, thread_ts: str) -> StandupEntry | None:
    """The entry whose ask a DM thread reply answers."""
    query = (
        select(StandupEntry)
        .join(OutboxMessage, OutboxMessage.id == StandupEntry.ask_message_id)
        .where(StandupEntry.user_id == user_id, OutboxMessage.ts == thread_ts)
    )
    return session.scalars(query.order_by(StandupEntry.id.desc()).limit(1)).first()


def open_asks(session: Session, user_id: str) -> list[tuple[StandupEntry, Standup, str]]:
    """The member's asked, unanswered entries of live standups, with the member's timezone."""
    rows = session.execute(
        select(StandupEntry, Standup, StandupMember.timezone)
        .join(Standup, Standup.id == StandupEntry.standup_id)
        .join(StandupMember, (StandupMember.standup_id == Standup.id) & (StandupMember.user_id == user_id))
        .where(
            StandupEntry.user_id == user_id,
            StandupEntry.status == "asked",
            StandupEntry.asked_at.is_not(None),
            Standup.archived_at.is_(None),
        )
        .order_by(StandupEntry.asked_at, StandupEntry.id)
    ).all()
    return [(entry, standup, tz or standup.timezone) for entry, standup, tz in rows]


@dataclass(frozen=True)
class Stored:
    """What a DM message did: stored as answer `index`, completed the entry, or was a repeat."""

    index: int | None
    completed: bool = False
    duplicate: bool = False
    next_question: str | None = None
    corrected: bool = False  # a “yes”/“no” after the fact, for a blocker answer without that shape


CORRECTION = -1  # sources' marker for a correcting message: editing it changes no answer


def hinted(entry: StandupEntry) -> bool:
    """The blocker answer is free text: whether it blocks was guessed, and can be corrected."""
    answer = blocker_answer(entry)
    return answer is not None and shapes.shape(answer) is None


def record_message(
    session: Session, standup: Standup, entry: StandupEntry, ts: str, text: str, now: datetime
) -> Stored:
    if ts in entry.sources:
        return Stored(index=entry.sources[ts], duplicate=True)
    open_slots = [i for i, a in enumerate(entry.answers) if a is None]
    if not open_slots:
        found = shapes.shape(text)
        if found is None or not hinted(entry) or entry.status != "answered":
            return Stored(index=None)
        entry.blocked, entry.sources, entry.updated_at = found.blocked, {**entry.sources, ts: CORRECTION}, now
        sync_blocker(session, standup, entry, now)
        return Stored(index=entry.blocker_index, corrected=True)
    index = open_slots[0]
    answers = list(entry.answers)
    keep = index == 0 and text.strip().lower().rstrip(".!") == KEEP
    answers[index] = entry.suggested if keep and entry.suggested else text.strip()
    entry.answers, entry.sources = answers, {**entry.sources, ts: index}
    entry.updated_at = now
    if index == entry.blocker_index:
        entry.blocked = shapes.blocked(text)
    if len(open_slots) == 1:
        complete(session, standup, entry, now)
        return Stored(index=index, completed=True)
    return Stored(index=index, next_question=entry.questions[open_slots[1]])


def edit_message(
    session: Session, standup: Standup, entry: StandupEntry, ts: str, text: str, now: datetime
) -> int | None:
    """A DM answer edited in Slack: the stored answer follows. Returns the question index, if any."""
    index = entry.sources.get(ts)
    if index is None or index == CORRECTION:
        return None
    answers = list(entry.answers)
    answers[index] = text.strip()
    entry.answers, entry.updated_at = answers, now
    if index == entry.blocker_index:
        entry.blocked = shapes.blocked(text)
    if entry.status == "answered":
        sync_blocker(session, standup, entry, now)
    return int(index)


def set_answers(
    session: Session,
    standup: Standup,
    entry: StandupEntry,
    answers: list[str],
    now: datetime,
    blocked: bool | None = None,
) -> bool:
    """The answer modal: replace every answer; `blocked` is the form's explicit “Blocked? no / yes”
    (None: a form without it, where the answer's shape or hint decides). Returns True when this
    completed the entry."""
    if len(answers) != len(entry.questions):
        raise UserError("The questions changed while you were answering: please open the form again.")
    texts = [a.strip() for a in answers]
    index = entry.blocker_index
    if index is not None and index < len(texts):
        if blocked is None:
            blocked = shapes.blocked(texts[index]) if texts[index] else None
        elif blocked and not texts[index]:
            raise UserError("Say what is blocking you.", field=question_block(index))
        elif not blocked and not texts[index]:
            texts[index] = "no"
    if not any(texts):
        raise UserError("Write at least one answer.")
    entry.answers, entry.blocked = texts, blocked
    entry.updated_at = now
    was_open = entry.status != "answered"
    complete(session, standup, entry, now)
    return was_open


def complete(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    if entry.status != "answered":
        entry.status, entry.completed_at = "answered", now
    sync_blocker(session, standup, entry, now)


def blocker_answer(entry: StandupEntry) -> str | None:
    """The answer to the blocker question of the set the entry was asked with."""
    index = entry.blocker_index
    if index is None or index >= len(entry.answers):
        return None
    answer = entry.answers[index]
    return None if answer is None else str(answer)


def sync_blocker(session: Session, standup: Standup, entry: StandupEntry, now: datetime) -> None:
    """A blocker answer opens (or edits) this entry's blocker; a “no” clears the member's open ones."""
    answer = blocker_answer(entry)
    if answer is None:
        return
    own = session.scalars(select(StandupBlocker).where(StandupBlocker.entry_id == entry.id)).first()
    if entry.blocked:
        answer = shapes.detail(answer)
        if own is None:
            session.add(
                StandupBlocker(
                    standup_id=standup.id,
                    entry_id=entry.id,
                    user_id=entry.user_id,
                    text=answer,
                    raised_on=entry.day,
                    raised_at=now,
                )
            )
        else:
            own.text = answer
        session.flush()
        return
    if own is not None:
        session.delete(own)
    for blocker in open_blockers(session, standup.id, user_id=entry.user_id):
        if blocker.raised_on < entry.day:
            blocker.cleared_at, blocker.cleared_by = now, entry.user_id
    session.flush()


def open_blockers(
    session: Session, standup_id: int, *, user_id: str | None = None, on_or_before: date | None = None
) -> list[StandupBlocker]:
    query = select(StandupBlocker).where(StandupBlocker.standup_id == standup_id, StandupBlocker.cleared_at.is_(None))
    if user_id:
        query = query.where(StandupBlocker.user_id == user_id)
    if on_or_before:
        query = query.where(StandupBlocker.raised_on <= on_or_before)
    return list(session.scalars(query.order_by(StandupBlocker.raised_on, StandupBlocker.id)))


def clear_blocker(session: Session, team_id: str, blocker_id: int, actor: str, now: datetime) -> StandupBlocker:
    blocker = session.get(StandupBlocker, blocker_id)
    standup = session.get(Standup, blocker.standup_id) if blocker else None
    if blocker is None or standup is None or standup.team_id != team_id:
        raise UserError("That blocker no longer exists.")
    if blocker.user_id != actor:
        raise UserError(f"Only <@{blocker.user_id}> can mark their blocker as cleared.")
    if blocker.cleared_at is None:
        blocker.cleared_at, blocker.cleared_by = now, actor
    return blocker


def add_away(
    session: Session, *, team_id: str, user_id: str, start: date, end: date, kind: str, today: date, now: datetime
) -> StandupAway:
    if end < start:
        raise UserError(
            "The away period ends before it starts: use `/standup away <from> <to>`, "
            "e.g. `/standup away 2026-12-20 2027-01-03`."
        )
    if end < today:
        raise UserError("That period is already over.")
    if (end - start).days > MAX_AWAY_DAYS:
        raise UserError("Away periods are limited to a year; `/standup pause` stops a whole standup.")
    away = StandupAway(team_id=team_id, user_id=user_id, start=start, end=end, kind=kind, created_at=now)
    session.add(away)
    session.flush()
    return away


def away_kind(session: Session, standup: Standup, user_id: str, day: date, workspace_holidays: list[str]) -> str | None:
    """Why a member is not asked on `day`: 'holiday', 'skipped', 'away', or None."""
    if day.isoformat() in set(standup.holidays) | set(workspace_holidays):
        return "holiday"
    away = session.scalars(
        select(StandupAway)
        .where(
            StandupAway.team_id == standup.team_id,
            StandupAway.user_id == user_id,
            StandupAway.start <= day,
            StandupAway.end >= day,
        )
        .order_by(StandupAway.id.desc())
    ).first()
    if away is None:
        return None
    return "skipped" if away.kind == "skip" else "away"
