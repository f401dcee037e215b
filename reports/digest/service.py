"""Digest settings per channel, and building the day's digest from the sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks
from bot.capabilities import Capabilities, Chart, SectionContext
from bot.config import Settings, parse_time_of_day
from bot.errors import UserError
from bot.templates import render as render_template
from reports.digest import attention, render
from reports.digest import weekly as weekly_figures
from reports.digest.models import DigestChannel
from reports.digest.sections import collect


@dataclass(frozen=True)
class Digest:
    """The message (`text`, `blocks`) and what its thread holds (`thread`: messages, then `charts`)."""

    text: str
    blocks: blocks.Blocks
    charts: list[Chart]
    empty: bool
    thread: list[render.Part] = field(default_factory=list)
    lines_above_fold: int = 0


def get(session: Session, team_id: str, channel_id: str) -> DigestChannel | None:
    return session.scalar(
        select(DigestChannel).where(DigestChannel.team_id == team_id, DigestChannel.channel_id == channel_id)
    )


def enabled_channels(session: Session) -> list[DigestChannel]:
    return list(
        session.scalars(select(DigestChannel).where(DigestChannel.enabled.is_(True)).order_by(DigestChannel.id))
    )


def enable(
    session: Session, *, team_id: str, channel_id: str, user_id: str, now: datetime, local_time: str, timezone: str
) -> DigestChannel:
    """Turn the daily digest on for a channel (or change its time/timezone)."""
    try:
        hour, minute = parse_time_of_day(local_time)
    except ValueError:
        raise UserError(f"`{local_time}` is not a time of day: use HH:MM in 24h, e.g. `09:30`.") from None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"`{timezone}` is not a timezone: use a name like `Europe/Berlin` or `UTC`.") from None
    row = get(session, team_id, channel_id)
    if row is None:
        row = DigestChannel(
            team_id=team_id,
            channel_id=channel_id,
            created_by=user_id,
            created_at=now,
            local_time="",
            timezone="",
            updated_at=now,
        )
        session.add(row)
    row.local_time, row.timezone, row.enabled, row.updated_at = f"{hour:02d}:{minute:02d}", timezone, True, now
    session.flush()
    return row


def disable(session: Session, *, team_id: str, channel_id: str, now: datetime) -> DigestChannel:
    row = get(session, team_id, channel_id)
    if row is None or not row.enabled:
        raise UserError("The daily digest is not on in this channel. Turn it on with `/ritual digest on`.")
    row.enabled, row.updated_at = False, now
    return row


def local_day(row: DigestChannel, now: datetime) -> date:
    return now.astimezone(ZoneInfo(row.timezone)).date()


def is_weekly(day: date) -> bool:
    """Monday's digest is the weekly one."""
    return day.weekday() == 0


def window_start(row: DigestChannel, now: datetime, *, weekly: bool) -> datetime:
    """Since the last digest; for a channel's first one, since the start of its yesterday (of the
    week before, on Monday), so nothing that ended before the digest was turned on is missed."""
    if row.last_sent_at is not None and row.last_sent_at < now:
        return row.last_sent_at
    first = local_day(row, now) - timedelta(days=7 if weekly else 1)
    return datetime.combine(first, time(0), ZoneInfo(row.timezone)).astimezone(UTC)


def build(
    session: Session, settings: Settings, row: DigestChannel, now: datetime, day: date, capabilities: Capabilities
) -> Digest:
    weekly = is_weekly(day)
    since = window_start(row, now, weekly=weekly)
    ctx = SectionContext(
        session=session,
        settings=settings,
        now=now,
        team_id=row.team_id,
        channel_id=row.channel_id,
        day=day,
        timezone=row.timezone,
        capabilities=capabilities,
        since=since,
        weekly=weekly,
    )
    sections = collect(ctx)
    items = attention.collect(ctx, [line for part in sections for line in part.attention])
    heading = render.title(day, weekly=weekly)
    glance = [render.glance_line(part, _command(capabilities, part.key)) for part in sections]
    thread = [p for p in [render.overflow(heading, items)] if p]
    if weekly:
        this_week, last_week = weekly_figures.weeks(ctx)
        thread += [p for p in [render.week_over_week(heading, weekly_figures.figures(ctx), this_week, last_week)] if p]
    thread += [render.in_full(heading, part) for part in sections]
    charts = [chart for part in sections for chart in part.charts]
    top = render.root(
        heading,
        render.window(since, now, row.timezone),
        items,
        glance,
        weekly=weekly,
        threaded=bool(thread or charts),
    )
    text = render_template("reports.digest", "fallback.txt.j2", title=top.text, sections=sections)
    return Digest(
        text=text,
        blocks=top.blocks,
        charts=charts,
        empty=not sections and not items,
        thread=thread,
        lines_above_fold=len(blocks.blocks_to_text(top.blocks).splitlines()),
    )


def mark_sent(row: DigestChannel, now: datetime) -> None:
    """The next digest's window starts here."""
    row.last_sent_at = now


def _command(capabilities: Capabilities, key: str) -> str | None:
    try:
        commands = capabilities.named(key).commands
    except KeyError:
        return None
    return commands[0] if commands else None
