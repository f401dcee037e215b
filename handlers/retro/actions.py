"""Retro buttons: open the modals, move phases, vote, review. Ack first; forged presses get an ephemeral why,
except a form's: its modal opens loading while Slack is asked and shows the refusal (helpers.open_retro_form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.errors import UserError
from handlers.access import Caller, of_body
from handlers.loading import View
from handlers.retro.helpers import metadata, open_retro_form, retro_for
from handlers.router import later
from rituals.retro import followup, items, modals, publish, queries, service
from rituals.retro.ids import Action
from rituals.retro.models import Retro


def register(app: App) -> None:
    for action_id, listener in ACTIONS.items():
        votes = action_id in _MEMBERS_ONLY  # a worker, when one runs, counts them (bot.handoff)
        spec = Later(SLACK, "Checking with Slack…", needed=_asks_slack if votes else None, handoff=votes)
        app.action(action_id)(later(spec)(listener))  # handlers.access


def _asks_slack(body: dict[str, Any], context: BoltContext) -> bool:
    """For a press that asks Slack nothing but whether the presser is in the retro's channel: False when the
    cached members say so (or there is no such retro), and the press runs in the request (bot.deferred)."""
    try:
        retro_id = button_id((body.get("actions") or [{}])[0])
    except UserError:
        return False  # refused as stale before anyone is asked
    who = of_body(context, body, context.client, context["settings"])
    retro = queries.find(context["db"], retro_id, team_id=who.team)
    # held for the request: the session's identity map is weak, and retro_for then finds it without a query
    context["retro_pressed"] = retro
    return retro is not None and not who.known_member(retro.channel_id)


def stale_button() -> UserError:
    return UserError("That button is not one of this bot's retro buttons any more. Use the latest messages.")


def _numbers(action: dict[str, Any], count: int) -> list[int]:
    """The first `count` numbers of a button value like `7:42`; a clear refusal for anything else."""
    parts = str(action.get("value") or "").split(":")
    try:
        numbers = [int(p) for p in parts[:count]]
    except ValueError:
        numbers = []
    if len(numbers) != count:
        raise stale_button()
    return numbers


def button_id(action: dict[str, Any]) -> int:
    return _numbers(action, 1)[0]


def button_pair(action: dict[str, Any]) -> tuple[int, int]:
    first, second = _numbers(action, 2)
    return first, second


def retro_form(
    title: str, build: Callable[[Session, Caller, Retro], View], *phases: str, doing: str | None = None
) -> Callable[..., None]:
    """A button that opens one of a retro's forms, on a retro in `phases` (any phase when none) and, with
    `doing`, for its facilitator only: the form or the refusal arrives by the loading modal."""
    return _form_opener(
        title, lambda action: (button_id(action), 0), lambda db, who, retro, _: build(db, who, retro), phases, doing
    )


def pair_form(
    title: str, build: Callable[[Session, Caller, Retro, int], View], *phases: str, doing: str | None = None
) -> Callable[..., None]:
    """`retro_form` for a button about one thing in the retro (an item, a group): `build` gets its id too."""
    return _form_opener(title, button_pair, build, phases, doing)


def _form_opener(
    title: str,
    ids: Callable[[dict[str, Any]], tuple[int, int]],
    build: Callable[[Session, Caller, Retro, int], View],
    phases: tuple[str, ...],
    doing: str | None,
) -> Callable[..., None]:
    def opener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        db: Session,
        context: BoltContext,
        settings: Settings,
        client: WebClient,
    ) -> None:
        ack()
        retro_id, second = ids(action)
        who = of_body(context, body, client, settings)

        def form() -> View:
            retro = retro_for(db, who, retro_id, *phases)
            if doing is not None:
                queries.require_facilitator(retro, who.user, who.is_admin, doing)
            return build(db, who, retro, second)

        open_retro_form(db, who, retro_id, body["trigger_id"], title, form)

    return opener


def facilitator_form(title: str, doing: str, modal: Callable[[Retro], View], *phases: str) -> Callable[..., None]:
    """One of the facilitator's forms (settings, deadlines, handover)."""
    return retro_form(title, lambda db, who, retro: modal(retro), *phases, doing=doing)


def _add_item_form(db: Session, who: Caller, retro: Retro) -> View:
    service.join(db, retro, who.user)  # no edit of the root here: it would date the join
    return modals.add_item(retro)


add_item = retro_form("Add an item", _add_item_form, "collect")


my_items = retro_form(
    "My items", lambda db, who, retro: modals.my_items(retro, items.own_items(db, retro.id, who.user)), "collect"
)


def edit_item(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    who, meta = of_body(context, body, client, settings), metadata(body.get("view"))
    retro = retro_for(db, who, meta["retro"], "collect")
    item = items.owned(db, button_id(action), who.user, meta.get("secret"), team_id=who.team)
    if item.retro_id != retro.id:
        raise stale_button()
    client.views_update(view_id=body["view"]["id"], view=modals.edit_item(retro, item, meta.get("secret")))


def delete_item(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    who, meta = of_body(context, body, client, settings), metadata(body.get("view"))
    retro = retro_for(db, who, meta["retro"], "collect")
    item = items.owned(db, button_id(action), who.user, meta.get("secret"), team_id=who.team)
    if item.retro_id != retro.id:
        raise stale_button()
    items.delete_item(db, item.id, team_id=who.team, actor=who.user, secret=meta.get("secret"), now=clock.now())
    if meta.get("secret"):
        view = modals.gone("Item deleted", "Your anonymous item is deleted.")
    else:
        view = modals.my_items(retro, items.own_items(db, retro.id, who.user))
    client.views_update(view_id=body["view"]["id"], view=view)


settings_button = facilitator_form("Retro settings", "change the retro's settings", modals.settings, "collect", "group")


def advance(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    phase = str(action.get("value") or "").partition(":")[2]
    if phase not in service.NEXT_PHASE:
        raise stale_button()
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, button_id(action), phase)
    service.advance(
        db, retro.id, team_id=who.team, from_phase=phase, actor=who.user, is_admin=who.is_admin, now=clock.now()
    )


merge = retro_form(
    "Merge items", lambda db, who, retro: modals.merge(publish.snapshot(db, retro)), "group", doing="merge items"
)


def vote(
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
    retro_id, item_id = button_pair(action)
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, retro_id, "vote")
    who.require_member(retro.channel_id, "vote in this retro", admins=False)  # a dot is a member's voice
    left = items.vote(db, retro_id, item_id, team_id=who.team, voter=who.user, now=clock.now())
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Vote counted (only you see this). You have {left} vote{'' if left == 1 else 's'} left.",
    )


def take_back(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, button_id(action), "vote")
    left = items.take_back_votes(db, retro.id, team_id=who.team, voter=who.user)
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Your votes are taken back: you have all {left} to place again.",
    )


def next_item(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    retro_id, position = button_pair(action)
    who = of_body(context, body, client, settings)
    retro_for(db, who, retro_id, "discuss")
    service.next_item(
        db, retro_id, team_id=who.team, position=position, actor=who.user, is_admin=who.is_admin, now=clock.now()
    )


add_action = pair_form(
    "Add an action item", lambda db, who, retro, item_id: modals.add_action(retro, item_id, who.user), "discuss"
)


def close(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, button_id(action), "discuss")
    service.close(db, retro.id, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())


def review(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    retro_id, action_id = button_pair(action)
    verdict = (action.get("value") or "").rsplit(":", 1)[-1]
    who = of_body(context, body, client, settings)
    retro_for(db, who, retro_id)
    followup.review_action(
        db, retro_id, action_id, verdict, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now()
    )


def drop_carried(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    retro_id, item_id = button_pair(action)
    who = of_body(context, body, client, settings)
    retro_for(db, who, retro_id, "collect")
    followup.drop_carried(
        db, retro_id, item_id, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now()
    )


# retro_for (members pass without asking whether they are admins), the database and a response_url reply
_MEMBERS_ONLY = {Action.VOTE, Action.TAKE_BACK}

ACTIONS: dict[Action, Callable[..., None]] = {
    Action.ADD_ITEM: add_item,
    Action.MY_ITEMS: my_items,
    Action.EDIT_ITEM: edit_item,
    Action.DELETE_ITEM: delete_item,
    Action.SETTINGS: settings_button,
    Action.ADVANCE: advance,
    Action.MERGE: merge,
    Action.VOTE: vote,
    Action.TAKE_BACK: take_back,
    Action.NEXT: next_item,
    Action.ADD_ACTION: add_action,
    Action.CLOSE: close,
    Action.REVIEW: review,
    Action.REVIEW_DONE: review,
    Action.REVIEW_OPEN: review,
    Action.REVIEW_DROP: review,
    Action.DROP_CARRIED: drop_carried,
}
