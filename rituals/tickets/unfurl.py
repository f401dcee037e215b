"""Link unfurling: the tickets behind the URLs of a `link_shared` event, from stored data only (no
tracker call), within one workspace, rendered as chat.unfurl's `unfurls` map (URL -> blocks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks
from bot.text import escape, mrkdwn
from rituals.tickets.models import Ticket, TicketProject

MAX_LINKS = 20  # Slack sends a handful per message; more is not a message a person wrote


def normalized(url: str) -> str:
    """A tracker URL as stored: no query or fragment, no trailing slash, lower-case scheme and host."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def unfurls(session: Session, *, team_id: str, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each shared URL that is one of this workspace's tickets, mapped to its unfurl; others are left out."""
    wanted: dict[str, list[str]] = {}
    for url in list(dict.fromkeys(urls))[:MAX_LINKS]:
        wanted.setdefault(normalized(url), []).append(url)
    if not wanted:
        return {}
    rows = session.execute(
        select(Ticket, TicketProject.name)
        .outerjoin(TicketProject, TicketProject.id == Ticket.project_id)
        .where(Ticket.team_id == team_id, Ticket.url.is_not(None))
        .where(Ticket.url.in_([*wanted, *(f"{u}/" for u in wanted)]))
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for ticket, project in rows:
        for url in wanted.get(normalized(ticket.url or ""), []):
            found[url] = {"blocks": ticket_blocks(ticket, project)}
    return {url: found[url] for url in urls if url in found}


def ticket_blocks(ticket: Ticket, project: str | None) -> list[dict[str, Any]]:
    """Key, summary, stage, status, assignee (a mention: Slack shows the person's name) and project."""
    key = f"<{escape(ticket.url)}|{escape(ticket.key)}>" if ticket.url else f"`{escape(ticket.key)}`"
    who = f"<@{escape(ticket.assignee)}>" if ticket.assignee else "unassigned"
    facts = [f"*Stage:* {mrkdwn(ticket.stage)}", f"*Status:* {escape(ticket.status)}", f"*Assignee:* {who}"]
    if project:
        facts.append(f"*Project:* {mrkdwn(project)}")
    return [blocks.section(f"*{key}* · {mrkdwn(ticket.summary)}"), blocks.context(" · ".join(facts))]
