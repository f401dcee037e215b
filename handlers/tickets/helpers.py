"""What several ticket listeners share: the workspace's ticket setup, the filing modal, filing a
draft, a checklist's reply, an ephemeral answer through the outbox."""

from __future__ import annotations

from typing import Any, NamedTuple

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import Clock
from bot.config import Settings
from bot.errors import ConfigError, UserError
from rituals.tickets import notify, projects, render, service
from rituals.tickets.checklist import Checklist
from rituals.tickets.models import TicketDraft
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TrackerError

Blocks = list[dict[str, Any]]


def setup_of(settings: Settings) -> TicketSetup:
    try:
        return TicketSetup.from_settings(settings)
    except ConfigError as exc:
        raise UserError(f"Stage tickets are not set up correctly: {exc}. Ask whoever runs ritualbot.") from None


def open_modal(
    db: Session,
    client: WebClient,
    setup: TicketSetup,
    *,
    trigger_id: str,
    team_id: str,
    meta: dict[str, Any],
    channel: str | None,
    summary: str = "",
    description: str = "",
) -> None:
    view = file_view(db, setup, team_id=team_id, meta=meta, channel=channel, summary=summary, description=description)
    client.views_open(trigger_id=trigger_id, view=view)


def file_view(
    db: Session,
    setup: TicketSetup,
    *,
    team_id: str,
    meta: dict[str, Any],
    channel: str | None,
    summary: str = "",
    description: str = "",
) -> dict[str, Any]:
    """The filing modal, prefilled."""
    return render.file_modal(
        setup.stages,
        projects.projects(db, team_id),
        default=projects.default_project(db, team_id, channel),
        meta=meta,
        summary=summary,
        description=description,
    )


class Outcome(NamedTuple):
    """A filing's answer to the filer: `note` is what they should know although it was filed."""

    text: str
    blocks: Blocks
    ok: bool
    note: str | None = None


def file_draft(
    db: Session,
    setup: TicketSetup,
    draft: TicketDraft,
    clock: Clock,
    *,
    team_id: str,
    channel: str | None,
) -> Outcome:
    """Submit a draft (the tracker call is here: keep it movable to the deferred path). On failure the
    draft stays for Retry."""
    try:
        result = service.submit(db, setup, draft, now=clock.now())
    except TrackerError as exc:
        text, blocks = render.failed_message(draft, exc.tracker, exc.reason, filed_key=exc.filed_key)
        return Outcome(text, blocks, False)
    notify.filed(db, result, channel=channel, team_id=team_id, now=clock.now())
    note = render.unmapped_note(result.ticket, result.unmapped) if result.unmapped else None
    text = render.filed_reply(result.ticket)
    return Outcome(f"{text}\n{note}" if note else text, [], True, note)


def checklist_reply(setup: TicketSetup, result: Checklist) -> tuple[str, Blocks]:
    """A project checklist as filed so far, with the tracker's refusal and a Retry when it stopped."""
    error = f"{result.error.tracker}: {result.error.reason}" if result.error else None
    return render.checklist_message(
        result.project, result.slots, result.created, result.stages, error, existed=result.existed
    )


def ephemeral_to(
    db: Session,
    clock: Clock,
    *,
    team_id: str,
    channel: str | None,
    user: str,
    text: str,
    blocks: Blocks,
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


def dm(db: Session, clock: Clock, *, team_id: str, user: str, text: str) -> None:
    """A direct message (after a modal closed, there is no response_url)."""
    outbox.post(db, channel=user, text=text, now=clock.now(), team_id=team_id)
