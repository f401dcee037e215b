"""`/standup history [@user] [period] [name]` and `/standup export [period] [name]`: answers over a
period from the channel's standups, deleted (archived) ones included, as a message or a CSV file."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from bot.text import mrkdwn, plain
from rituals.standup import calendar, render, service
from rituals.standup.models import Standup, StandupEntry

PERIODS: dict[str, int | None] = {"week": 7, "month": 30, "quarter": 91, "all": None}
MAX_TEXT = 3500
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
STATUS = {"skipped": "skipped", "away": "away", "holiday": "holiday", "status": "away (Slack status)"}


@dataclass(frozen=True)
class Query:
    user_id: str | None
    period: str
    name: str | None


def parse(args: list[str], default_user: str | None) -> Query:
    """`[@user] [week|month|quarter|all] [standup name]`, in any order for the mention."""
    user, rest = None, []
    for word in args:
        mention = _MENTION.match(word)
        if mention and user is None:
            user = mention.group(1)
        else:
            rest.append(word)
    period = rest.pop(0).lower() if rest and rest[0].lower() in PERIODS else "week"
    return Query(user or default_user, period, " ".join(rest) or None)


def span(period: str) -> str:
    return "all time" if period == "all" else f"the last {period}"


def entries(
    session: Session, team_id: str, channel_id: str, query: Query, now: datetime
) -> list[tuple[Standup, StandupEntry]]:
    standups = list(
        session.scalars(
            select(Standup).where(Standup.team_id == team_id, Standup.channel_id == channel_id).order_by(Standup.id)
        )
    )
    if query.name:
        standups = [s for s in standups if service.same_name(s.name, query.name)]
        if not standups:
            raise UserError(f"No standup called “{query.name}” here, now or before.")
    if not standups:
        raise UserError("There is no standup in this channel yet. Start one with `/standup setup`.")
    by_id = {s.id: s for s in standups}
    select_entries = select(StandupEntry).where(StandupEntry.standup_id.in_(by_id))
    days = PERIODS[query.period]
    if days is not None:
        since = calendar.local_date(now, standups[0].timezone) - timedelta(days=days - 1)
        select_entries = select_entries.where(StandupEntry.day >= since)
    if query.user_id:
        select_entries = select_entries.where(StandupEntry.user_id == query.user_id)
    rows = session.scalars(select_entries.order_by(StandupEntry.day.desc(), StandupEntry.standup_id))
    return [(by_id[e.standup_id], e) for e in rows]


def describe(rows: list[tuple[Standup, StandupEntry]], query: Query) -> str:
    who = f"<@{query.user_id}>" if query.user_id else "everyone"
    if not rows:
        return f"No standup answers from {who} in {span(query.period)}."
    parts = [f"*Standup history of {who}, {span(query.period)}*"]
    used = len(parts[0])
    for n, (standup, entry) in enumerate(rows):
        part = _entry_text(standup, entry, with_user=query.user_id is None)
        if used + len(part) > MAX_TEXT:
            parts.append(f"… and {len(rows) - n} more (`/standup export {query.period}` has everything).")
            break
        parts.append(part)
        used += len(part)
    return "\n\n".join(parts)


def _entry_text(standup: Standup, entry: StandupEntry, *, with_user: bool) -> str:
    archived = " (deleted)" if standup.archived_at else ""
    head = f"*{render.day_label(entry.day)}* · {mrkdwn(standup.name)}{archived}"
    head += f" · <@{entry.user_id}>" if with_user else ""
    if entry.status != "answered":
        return f"{head}: _{STATUS.get(entry.status, 'no answer')}_"
    lines = [
        f"• {mrkdwn(q)} {':construction: ' if i == entry.blocker_index and entry.blocked else ''}{mrkdwn(a or '-')}"
        for i, (q, a) in enumerate(zip(entry.questions, entry.answers, strict=False))
    ]
    return head + "\n" + "\n".join(lines)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def to_csv(rows: list[tuple[Standup, StandupEntry]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["standup", "day", "user", "status", "question", "answer", "blocker"])
    for standup, entry in sorted(rows, key=lambda r: (r[1].day, r[0].id, r[1].user_id)):
        for i, question in enumerate(entry.questions):
            answer = entry.answers[i] if i < len(entry.answers) else None
            blocker = "yes" if i == entry.blocker_index and entry.blocked else ""
            row = [standup.name, entry.day.isoformat(), entry.user_id, entry.status, question, plain(answer or "")]
            writer.writerow([_cell(v) for v in row + [blocker]])
    return out.getvalue().encode("utf-8")


def export(session: Session, team_id: str, channel_id: str, query: Query, now: datetime) -> int:
    """Upload the answers as a CSV in the channel; returns how many standup days it holds."""
    rows = entries(session, team_id, channel_id, query, now)
    if not rows:
        raise UserError(f"No standup answers in {span(query.period)} to export.")
    outbox.upload(
        session,
        channel=channel_id,
        filename=f"standup-{query.period}.csv",
        content=to_csv(rows),
        now=now,
        title=f"Standup answers, {span(query.period)}",
        team_id=team_id,
    )
    return len(rows)
