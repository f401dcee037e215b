"""Digest settings per channel, and building the day's digest from the sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks
from bot.capabilities import Capabilities, Chart, SectionContext
from bot.config import Settings, parse_time_of_day
from bot.errors import UserError
from bot.templates import render
from reports.digest.models import DigestChannel
from reports.digest.sections import collect


@dataclass(frozen=True)
class Digest:
    text: str
    blocks: blocks.Blocks
    charts: list[Chart]
    empty: bool


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


def build(
    session: Session, settings: Settings, row: DigestChannel, now: datetime, day: date, capabilities: Capabilities
) -> Digest:
    ctx = SectionContext(
        session=session,
        settings=settings,
        now=now,
        team_id=row.team_id,
        channel_id=row.channel_id,
        day=day,
        timezone=row.timezone,
        capabilities=capabilities,
    )
    sections = collect(ctx)
    title = render("reports.digest", "title.txt.j2", day=day)
    body: blocks.Blocks = [blocks.header(title)]
    for n, part in enumerate(sections):
        if n:
            body.append(blocks.divider())
        body.extend(part.blocks)
    text = render("reports.digest", "fallback.txt.j2", title=title, sections=sections)
    charts = [chart for part in sections for chart in part.charts]
    empty = all(part.key == "rituals" for part in sections)
    return Digest(text=text, blocks=body, charts=charts, empty=empty)
