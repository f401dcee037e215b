"""Retro buttons: open the modals, move phases, vote, review. Ack first; forged presses get an ephemeral why."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from handlers.retro.common import admin_check, ints, metadata
from rituals.retro import followup, items, modals, publish, service


def register(app: Any) -> None:
    for action_id, fn in ACTIONS.items():
        app.action(action_id)(fn)


def _user(body: dict[str, Any]) -> str:
    return body["user"]["id"]


def add_item(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
             client: WebClient) -> None:
    ack()
    retro = service.load(db, *ints(action.get("value"), 1), "collect")
    if service.join(db, retro, _user(body)):
        publish.refresh_root(db, retro, clock.now())
    client.views_open(trigger_id=body["trigger_id"], view=modals.add_item(retro))


def my_items(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    ack()
    retro = service.load(db, *ints(action.get("value"), 1), "collect")
    mine = items.own_items(db, retro.id, _user(body))
    client.views_open(trigger_id=body["trigger_id"], view=modals.my_items(retro, mine))


def edit_item(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    ack()
    meta = metadata(body)
    item = items.owned(db, *ints(action.get("value"), 1), _user(body), meta.get("secret"))
    retro = service.load(db, item.retro_id, "collect")
    client.views_update(view_id=body["view"]["id"], view=modals.edit_item(retro, item, meta.get("secret")))


def delete_item(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
                client: WebClient) -> None:
    ack()
    meta, user = metadata(body), _user(body)
    items.delete_item(db, *ints(action.get("value"), 1), actor=user, secret=meta.get("secret"), now=clock.now())
    if meta.get("secret"):
        view = modals.gone("Item deleted", "Your anonymous item is deleted.")
    else:
        retro = service.load(db, meta["retro"], "collect")
        view = modals.my_items(retro, items.own_items(db, retro.id, user))
    client.views_update(view_id=body["view"]["id"], view=view)


def settings_button(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, settings: Settings,
                    client: WebClient) -> None:
    ack()
    retro = service.load(db, *ints(action.get("value"), 1), "collect", "group")
    service.require_facilitator(retro, _user(body), admin_check(client, settings, _user(body)),
                                "change the retro's settings")
    client.views_open(trigger_id=body["trigger_id"], view=modals.settings(retro))


def advance(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock, settings: Settings,
            client: WebClient) -> None:
    ack()
    retro_id, phase = (action.get("value") or ":").split(":", 1)
    if phase not in service.NEXT_PHASE:
        ints("", 1)  # malformed: the same clear answer as any other forged value
    service.advance(db, *ints(retro_id, 1), from_phase=phase, actor=_user(body),
                    is_admin=admin_check(client, settings, _user(body)), now=clock.now())


def merge(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, settings: Settings,
          client: WebClient) -> None:
    ack()
    retro = service.load(db, *ints(action.get("value"), 1), "group")
    service.require_facilitator(retro, _user(body), admin_check(client, settings, _user(body)), "merge items")
    client.views_open(trigger_id=body["trigger_id"], view=modals.merge(publish.snapshot(db, retro)))


def vote(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock, respond: Any) -> None:
    ack()
    retro_id, item_id = ints(action.get("value"), 2)
    left = items.vote(db, retro_id, item_id, voter=_user(body), now=clock.now())
    respond(response_type="ephemeral", replace_original=False,
            text=f"Vote counted (only you see this). You have {left} vote{'' if left == 1 else 's'} left.")


def take_back(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, respond: Any) -> None:
    ack()
    left = items.take_back_votes(db, *ints(action.get("value"), 1), voter=_user(body))
    respond(response_type="ephemeral", replace_original=False,
            text=f"Your votes are taken back: you have all {left} to place again.")


def next_item(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
              settings: Settings, client: WebClient) -> None:
    ack()
    retro_id, position = ints(action.get("value"), 2)
    service.next_item(db, retro_id, position=position, actor=_user(body),
                      is_admin=admin_check(client, settings, _user(body)), now=clock.now())


def add_action(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    ack()
    retro_id, item_id = ints(action.get("value"), 2)
    retro = service.load(db, retro_id, "discuss")
    client.views_open(trigger_id=body["trigger_id"], view=modals.add_action(retro, item_id, _user(body)))


def close(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock, settings: Settings,
          client: WebClient) -> None:
    ack()
    service.close(db, *ints(action.get("value"), 1), actor=_user(body),
                  is_admin=admin_check(client, settings, _user(body)), now=clock.now())


def review(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock, settings: Settings,
           client: WebClient) -> None:
    ack()
    retro_id, action_id = ints(action.get("value"), 2)
    verdict = (action.get("value") or "").rsplit(":", 1)[-1]
    followup.review_action(db, retro_id, action_id, verdict, actor=_user(body),
                           is_admin=admin_check(client, settings, _user(body)), now=clock.now())


def drop_carried(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
                 settings: Settings, client: WebClient) -> None:
    ack()
    retro_id, item_id = ints(action.get("value"), 2)
    followup.drop_carried(db, retro_id, item_id, actor=_user(body),
                          is_admin=admin_check(client, settings, _user(body)), now=clock.now())


ACTIONS = {
    "retro.add_item": add_item, "retro.my_items": my_items, "retro.edit_item": edit_item,
    "retro.delete_item": delete_item, "retro.settings": settings_button, "retro.advance": advance,
    "retro.merge": merge, "retro.vote": vote, "retro.take_back": take_back, "retro.next": next_item,
    "retro.add_action": add_action, "retro.close": close, "retro.review": review,
    "retro.drop_carried": drop_carried,
}
