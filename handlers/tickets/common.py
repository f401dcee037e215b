"""What the ticket listeners share: the workspace's ticket setup, filing a draft, tracker errors
as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import Clock
from bot.config import Settings
from bot.errors import ConfigError, UserError
from rituals.tickets import notify, render, service
from rituals.tickets.models import TicketDraft
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TrackerError


def setup_of(settings: Settings) -> TicketSetup:
    try:
        return TicketSetup.from_settings(settings)
    except ConfigError as exc:
        raise UserError(f"Stage tickets are not set up correctly: {exc}. Ask whoever runs ritualbot.") from None


@contextmanager
def tracker_errors() -> Iterator[None]:
    """Move/close have no draft to keep: the tracker's reason goes straight to the user."""
    try:
        yield
    except TrackerError as exc:
        raise UserError(f"{exc.tracker} refused: {exc.reason.rstrip('.')}. Nothing was changed here.") from None
    except ConfigError as exc:
        raise UserError(f"The tracker is not set up: {exc}") from None


def file_draft(
    db: Session,
    setup: TicketSetup,
    draft: TicketDraft,
    clock: Clock,
    *,
    team_id: str,
    channel: str | None,
) -> tuple[str, list[dict[str, Any]], bool]:
    """Submit a draft; returns (text, blocks, ok). On failure the draft stays for Retry."""
    try:
        result = service.submit(db, setup, draft, now=clock.now())
    except TrackerError as exc:
        text, blocks = render.failed_message(draft, exc.tracker, exc.reason)
        return text, blocks, False
    notify.filed(db, result, channel=channel, team_id=team_id, now=clock.now())
    text = f"Filed {render.ticket_line(result.ticket)} in *{result.ticket.stage}*."
    return text, [], True


def ephemeral_to(
    db: Session,
    clock: Clock,
    *,
    team_id: str,
    channel: str | None,
    user: str,
    text: str,
    blocks: list[dict[str, Any]],
) -> None:
    outbox.ephemeral(
        db,
        channel=channel or user,
        user=user,
        text=text,
        blocks=blocks or None,
        now=clock.now(),
        team_id=team_id,
    )


def field_value(view: dict[str, Any], block: str) -> Any:
    """The submitted value of an input block whose element has action_id "value"."""
    state = (view.get("state") or {}).get("values", {}).get(block, {}).get("value") or {}
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    for key in ("selected_user", "value"):
        if key in state:
            return state[key]
    return None


def view_meta(body: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    return meta if isinstance(meta, dict) else {}


def ack_ephemeral(ack: Callable[..., Any], text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    if blocks:
        ack(response_type="ephemeral", text=text, blocks=blocks)
    else:
        ack(response_type="ephemeral", text=text)
