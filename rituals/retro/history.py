"""A channel's past retros with links, and one retro as Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from bot.templates import render as template
from bot.text import plain
from rituals.retro import publish, queries, render_health, service
from rituals.retro.models import PHASE_NAMES, Retro
from rituals.retro.snapshot import ItemView


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    phase: str
    started: datetime
    link: str | None
    actions: int


def link(s: Session, retro: Retro) -> str | None:
    row = outbox.find_by_ref(s, publish.root_ref(retro))
    if row is None or not row.ts or not row.channel:
        return None
    return f"https://slack.com/archives/{row.channel}/p{row.ts.replace('.', '')}"


def entries(s: Session, team_id: str, channel_id: str) -> list[Entry]:
    out = []
    for retro in service.history(s, team_id, channel_id):
        phase = "abandoned" if retro.abandoned else PHASE_NAMES[retro.phase]
        out.append(
            Entry(
                retro.id, retro.title, phase, retro.created_at, link(s, retro), len(publish.snapshot(s, retro).actions)
            )
        )
    return out


def find(s: Session, team_id: str, retro_id: int) -> Retro:
    """A retro of this workspace by its number (another workspace's reads as missing)."""
    retro = queries.find(s, retro_id, team_id=team_id)
    if retro is None:
        raise UserError(f"There is no retro #{retro_id}. `/retro history` lists this channel's retros with their ids.")
    return retro


def export_markdown(s: Session, retro: Retro) -> str:
    """The retro as a Markdown document: what people typed as readable text (`bot.text.plain`), not
    escaped; whoever shows it in Slack escapes it once. Refused while its items are still hidden."""
    if retro.phase == "collect" and not retro.visible_while_collecting:
        raise UserError(
            f"“{retro.title}” is still collecting and its items stay hidden until the facilitator reveals "
            "them. Export it after the reveal."
        )
    snap = publish.snapshot(s, retro)
    columns = [
        {
            "label": c.label,
            "entries": [{"text": plain(i.full_text), "votes": i.votes, "author": _author(i)} for i in c.items],
        }
        for c in snap.columns
    ]
    actions = [
        {"text": plain(a.text), "owner": f"<@{a.owner}>", "due": _iso(a.due), "status": a.status} for a in snap.actions
    ]
    return template(
        "rituals.retro",
        "export.md.j2",
        title=plain(retro.title),
        channel=f"<#{retro.channel_id}>",
        template=snap.board_name,
        facilitator=f"<@{retro.facilitator_id}>",
        started=f"{retro.created_at:%Y-%m-%d %H:%M} UTC",
        closed=f"{retro.closed_at:%Y-%m-%d %H:%M} UTC" if retro.closed_at else None,
        participants=snap.participants,
        columns=columns,
        actions=actions,
        health=render_health.markdown(snap.health),
    )


def _author(item: ItemView) -> str | None:
    """A group names nobody: its lead's author would seem to have written the anonymous items merged in."""
    return f"<@{item.author}>" if item.author and not item.members else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
