"""The team health check's button and anonymous form. Nothing here logs who answered what."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.errors import UserError
from handlers.access import Caller, of_body
from handlers.forms import Form
from handlers.retro.actions import retro_form
from handlers.retro.helpers import metadata, retro_for
from handlers.router import later
from rituals.retro import health, modals, render_health, service
from rituals.retro.ids import Action, Block, View
from rituals.retro.models import Retro


def register(app: App) -> None:
    checked = later(Later(SLACK, "Checking with Slack…"))  # handlers.access asks Slack about membership
    app.action(Action.HEALTH)(checked(open_form))
    app.view(View.HEALTH)(checked(submit))


def _form(db: Session, who: Caller, retro: Retro) -> dict[str, Any]:
    asked = health.questions_of(db, retro.id)
    if not asked:
        raise UserError("This retro has no health check: its template does not include one.")
    return render_health.form(retro, asked)


open_form = retro_form("Team health check", _form, "collect")


def submit(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    meta, form, who = metadata(view), Form.of(view), of_body(context, body, client, settings)
    retro = retro_for(db, who, meta["retro"], "collect")
    who.require_member(retro.channel_id, "answer its health check", admins=False)  # a member's voice
    scores = {}
    for n in range(len(health.questions_of(db, retro.id))):
        chosen = form.option(f"{Block.HEALTH}.{n}")
        if chosen and chosen.isdigit():
            scores[n] = int(chosen)
    health.answer(db, retro.id, scores, team_id=who.team, user=who.user)
    service.join(db, retro, who.user)  # no root edit: it would date the answer
    thanks = "Thanks: your scores are counted. Nobody, not even the bot's database, can tell which were yours."
    ack(response_action="update", view=modals.gone("Health check sent", thanks))
