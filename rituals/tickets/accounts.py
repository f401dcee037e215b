"""Slack users' tracker accounts: ritualbot.yaml's `accounts` (Jira) / `logins` (GitHub), plus what
`/ticket map @user <account>` stored; a user without one is named when a ticket cannot be assigned."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets.models import TicketAccountLink

CONFIG_KEY = {"jira": "accounts", "github": "logins"}
ACCOUNT_NAME = {"jira": "Jira account id", "github": "GitHub login"}
SHOWN = {"jira": "Jira", "github": "GitHub"}
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def linked(session: Session, team_id: str, tracker: str) -> dict[str, str]:
    rows = session.scalars(
        select(TicketAccountLink).where(TicketAccountLink.team_id == team_id, TicketAccountLink.tracker == tracker)
    )
    return {r.user_id: r.account for r in rows}


def known(session: Session, config: Mapping[str, object], team_id: str, tracker: str) -> dict[str, str]:
    """Slack user -> tracker account: the tracker's config entries, then the stored links."""
    if tracker not in CONFIG_KEY:
        return {}
    merged = with_links(config, tracker, linked(session, team_id, tracker))[CONFIG_KEY[tracker]]
    return {str(k): str(v) for k, v in merged.items()} if isinstance(merged, Mapping) else {}


def with_links(config: Mapping[str, object], tracker: str, links: Mapping[str, str]) -> dict[str, object]:
    """The tracker's config with the stored links added (the file's own entries win)."""
    key = CONFIG_KEY[tracker]
    configured = config.get(key)
    merged = {**links, **(configured if isinstance(configured, Mapping) else {})}
    return {**config, key: merged}


def parse_user(text: str) -> str:
    found = MENTION.match(text.strip())
    if found is None:
        raise UserError("Name the person as a mention: `/ticket map @name <account>`.")
    return found.group(1)


def link(
    session: Session,
    *,
    team_id: str,
    tracker: str,
    user_id: str,
    account: str,
    set_by: str,
    now: datetime,
) -> TicketAccountLink:
    account = account.strip().lstrip("@")
    if not account or len(account) > 128 or any(c.isspace() for c in account):
        raise UserError(f"Give one {ACCOUNT_NAME[tracker]}, e.g. `/ticket map @name <account>`.")
    row = session.scalar(
        select(TicketAccountLink).where(
            TicketAccountLink.team_id == team_id,
            TicketAccountLink.tracker == tracker,
            TicketAccountLink.user_id == user_id,
        )
    )
    if row is None:
        row = TicketAccountLink(team_id=team_id, tracker=tracker, user_id=user_id, account=account, set_by=set_by)
        session.add(row)
    row.account, row.set_by, row.updated_at = account, set_by, now
    session.flush()
    return row
