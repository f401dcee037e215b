"""A retro's pace and roles on Slack: "I'm done", the deadlines modal, handing facilitation over (button,
modal and `/retro handover @person`). Ack first; refusals follow handlers.access."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.errors import UserError
from bot.text import mrkdwn
from handlers.access import Caller, caller, of_body
from handlers.forms import Form
from handlers.retro.actions import button_id, facilitator_form
from handlers.retro.helpers import metadata, retro_for
from handlers.router import CommandRequest, later
from rituals.retro import phase_view, phases, roles, service
from rituals.retro.ids import Action, Block, Option, View

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def register(app: App) -> None:
    checked = later(Later(SLACK, "Checking with Slack…"))  # membership and admin checks (handlers.access)
    app.action(Action.READY)(checked(ready))
    app.action(Action.TIMING)(checked(timing))
    app.action(Action.HANDOVER)(checked(handover))
    saving = later(Later(SLACK, "Saving…"))
    app.view(View.TIMING)(saving(submit_timing))
    app.view(View.HANDOVER)(saving(submit_handover))


def ready(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, button_id(action), *phase_view.READY_PHASES)
    who.require_member(retro.channel_id, "say you are done in this retro", admins=False)  # a participant's voice
    state = roles.toggle_done(db, retro.id, team_id=who.team, user=who.user, now=clock.now())
    text = phase_view.ready_answer(state.done, state.phase, state.count, state.of)
    respond(response_type="ephemeral", replace_original=False, text=text)


timing = facilitator_form("Deadlines", "change the retro's deadlines", phase_view.timing_modal)


handover = facilitator_form("Hand over", "hand facilitation over", phase_view.handover_modal)


def _hours(form: Form, block: str) -> timedelta | None:
    raw = form.option(block)
    return timedelta(hours=int(raw)) if raw and raw.isdigit() else None


def submit_timing(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    form = Form.of(view)
    on_deadline = form.option(Block.ON_DEADLINE)
    has_cap = Block.ITEM_CAP in form.values
    wanted = phases.Timing(
        vote=_hours(form, Block.VOTE_DEADLINE),
        discuss=_hours(form, Block.DISCUSS_DEADLINE),
        auto_advance=None if on_deadline is None else on_deadline == Option.MOVE_ON,
        cap=phases.parse_cap(form.text(Block.ITEM_CAP)) if has_cap else None,
        set_cap=has_cap,
    )
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, metadata(view)["retro"])
    phases.configure(db, retro.id, wanted, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())
    ack()


def _hand_over(db: Session, who: Caller, retro_id: int, to: str, context: Mapping[str, Any], now: datetime) -> None:
    def is_member(user: str) -> bool:  # the same check, cache and Slack call as any request's caller
        return caller(context, who.client, who.settings, user).is_member(retro.channel_id)

    retro = retro_for(db, who, retro_id)
    roles.hand_over(
        db, retro.id, team_id=who.team, actor=who.user, to=to, is_admin=who.is_admin, is_member=is_member, now=now
    )


def submit_handover(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    to = Form.of(view).option(Block.FACILITATOR) or ""
    who = of_body(context, body, client, settings)
    _hand_over(db, who, metadata(view)["retro"], to, context, clock.now())
    ack()


def handover_command(req: CommandRequest) -> None:
    """`/retro handover @person`: the running retro of this channel gets a new facilitator."""
    found = MENTION.match(req.args[0].strip()) if len(req.args) == 1 else None
    if found is None:
        raise UserError("Name the new facilitator as a mention: `/retro handover @name`.")
    who = caller(req.context, req.client, req.settings, req.user)
    who.require_member(req.channel, "hand over its retro")
    retro = service.current_retro(req.db, req.team, req.channel)
    if retro is None:
        raise UserError("No retro is running in this channel.")
    _hand_over(req.db, who, retro.id, found.group(1), req.context, req.clock.now())
    req.reply(f"<@{found.group(1)}> now facilitates “{mrkdwn(retro.title)}”.")
