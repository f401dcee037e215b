"""Seeding a retro with evidence (issue 24): the period's spend anomalies, idle-GPU cost, failed runs and
blockers, offered to the facilitator as draft items. Reads only ritualbot's stored tables (the digest's
"Needs attention" sources), never a cloud, Prometheus or MLflow."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities, SectionContext
from bot.config import Settings
from bot.errors import UserError
from reports.digest import attention
from rituals.retro import items
from rituals.retro.boards import is_improvement
from rituals.retro.models import Retro
from rituals.retro.queries import AdminCheck, load, require_facilitator

log = logging.getLogger(__name__)
DEFAULT_PERIOD = timedelta(days=14)  # a first retro looks back one two-week sprint
SOURCES = (attention.spend, attention.gpus, attention.runs, attention.blockers)


def period_start(s: Session, retro: Retro, now: datetime) -> datetime:
    previous = s.get(Retro, retro.previous_id) if retro.previous_id else None
    return previous.created_at if previous is not None else now - DEFAULT_PERIOD


def drafts(
    s: Session,
    retro: Retro,
    *,
    settings: Settings,
    capabilities: Capabilities,
    actor: str,
    is_admin: AdminCheck,
    now: datetime,
) -> list[str]:
    """Draft items (mrkdwn lines) for the facilitator of a retro that is still collecting."""
    if retro.phase != "collect":
        raise UserError("Evidence can only be added while the retro is collecting items.")
    require_facilitator(retro, actor, is_admin, "seed the retro with evidence")
    ctx = SectionContext(
        session=s,
        settings=settings,
        now=now,
        team_id=retro.team_id,
        channel_id=retro.channel_id,
        day=now.date(),
        timezone="UTC",
        capabilities=capabilities,
        since=period_start(s, retro, now),
    )
    found: list[str] = []
    for source in SOURCES:
        try:
            found += [item.text for item in source(ctx)]
        except Exception:  # noqa: BLE001 — one broken source must not hide the others' evidence
            log.exception("retro evidence source failed retro=%s source=%s", retro.id, source.__name__)
    return found


def add(s: Session, retro_id: int, text: str, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime) -> None:
    """The facilitator adds a draft as a named item of theirs (their choice to raise it)."""
    retro = load(s, retro_id, "collect", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "add evidence to the retro")
    items.add_item(
        s, retro.id, team_id=team_id, author=actor, column=evidence_column(retro), text=text, anonymous=False, now=now
    )


def evidence_column(retro: Retro) -> str:
    """Evidence is something to improve: the board's first improvement column (else its first column)."""
    keys = [c["key"] for c in retro.columns]
    return next((k for k in keys if is_improvement(k)), keys[0])


def running(s: Session, team_id: str, channel_id: str) -> Retro:
    retro = s.scalars(
        select(Retro)
        .where(Retro.team_id == team_id, Retro.channel_id == channel_id, Retro.phase == "collect")
        .where(Retro.abandoned.is_(False))
        .order_by(Retro.id.desc())
        .limit(1)
    ).first()
    if retro is None:
        raise UserError("No retro is collecting items in this channel. Start one with `/retro start`.")
    return retro
