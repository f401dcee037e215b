"""Standup listeners: the setup and answer modals, the DM buttons, blocker clearing, deletion, and
answers typed (or edited) in the bot's DM."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import Clock
from bot.errors import UserError
from rituals.standup import answers, daily, modals, people, publish, render, service, stats
from rituals.standup.service import SetupForm

log = logging.getLogger(__name__)
DELETE = "standup.delete"
INLINE_LOOKUPS = 20  # users.info calls that fit in Slack's 3 seconds; the rest go to standup.roster


def register(app: Any) -> None:
    app.view(modals.SETUP)(submit_setup)
    app.view(modals.ANSWER)(submit_answer)
    app.action(render.ANSWER_BUTTON)(open_answer)
    app.action(render.CLEAR_BLOCKER)(clear_blocker)
    app.action(DELETE)(delete_standup)
    app.event("message", matchers=[is_direct_message])(dm_message)


def is_direct_message(body: dict[str, Any]) -> bool:
    event = body.get("event") or {}
    return event.get("type") == "message" and event.get("channel_type") == "im"


def _value(values: dict[str, Any], block: str) -> Any:
    element = (values.get(block) or {}).get("value") or {}
    kind = element.get("type")
    if kind == "multi_users_select":
        return element.get("selected_users") or []
    if kind == "checkboxes":
        return [o["value"] for o in element.get("selected_options") or []]
    if kind == "timepicker":
        return element.get("selected_time") or ""
    if kind in ("static_select", "radio_buttons"):
        return (element.get("selected_option") or {}).get("value")
    return element.get("value") or ""


def _blocker_number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise UserError("Give the blocker question's number (1, 2, 3 …), or leave it empty.", field="blocker")
    return int(text)


def submit_setup(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock,
                 client: WebClient, settings: Any) -> None:
    values, meta = view["state"]["values"], json.loads(view.get("private_metadata") or "{}")
    team, user = body["user"]["team_id"], body["user"]["id"]
    if meta.get("standup"):
        service.check_manager(service.get(db, team, meta["standup"]), user, admin_check(client, settings, user))
    everyone = bool(_value(values, "everyone"))
    chosen = list(_value(values, "participants"))
    if everyone:
        chosen += people.channel_members(client, meta["channel"])
    chosen = list(dict.fromkeys(chosen))
    participants = {p.id: p.tz for p in people.humans(client, chosen[:INLINE_LOOKUPS])}
    participants.update({u: "" for u in chosen[INLINE_LOOKUPS:]})  # standup.roster looks these up
    form = SetupForm(participants=participants,
                     days=[int(d) for d in _value(values, "days")], ask_time=_value(values, "ask_time"),
                     questions=str(_value(values, "questions")).splitlines(),
                     blocker_number=_blocker_number(str(_value(values, "blocker"))),
                     digest_time=_value(values, "digest_time"), timezone=str(_value(values, "timezone")).strip(),
                     reminder_minutes=int(_value(values, "reminder") or 0) or None,
                     post_mode=_value(values, "post_mode") or "thread", everyone=everyone,
                     holidays=_holidays(str(_value(values, "holidays"))), name=str(_value(values, "name")))
    standup = service.save(db, team_id=team, channel_id=meta["channel"], user_id=user, form=form, now=clock.now(),
                           standup_id=meta.get("standup"))
    ack()
    members = ", ".join(f"<@{u}>" for u in form.participants)
    verb = "updated" if meta.get("standup") else "set up"
    outbox.post(db, channel=standup.channel_id, team_id=team, now=clock.now(),
                text=f"<@{user}> {verb} *{standup.name}*: {len(form.participants)} members ({members}), asked at "
                     f"{standup.ask_time} in each one's timezone, digest at {standup.digest_time} {standup.timezone}.")


def _holidays(text: str) -> list[str]:
    from rituals.standup.calendar import parse_dates

    return parse_dates(text, field="holidays")


def submit_answer(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    values = view["state"]["values"]
    texts = [str(_value(values, f"q{i}")) for i in range(len(values))]
    daily.submit(db, body["user"]["team_id"], body["user"]["id"], int(view["private_metadata"]), texts, clock.now())
    ack()


def open_answer(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    standup, entry = daily.open_entry(db, body["user"]["team_id"], int(action["value"]), body["user"]["id"])
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modals.answer(standup, entry))


def clear_blocker(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock) -> None:
    blocker_id, _, day = action["value"].partition(":")
    blocker = answers.clear_blocker(db, body["user"]["team_id"], int(blocker_id), body["user"]["id"], clock.now())
    standup = service.get(db, body["user"]["team_id"], blocker.standup_id)
    publish.refresh_day(db, standup, publish.get_day(db, standup, date.fromisoformat(day)), clock.now())
    ack()


def delete_standup(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, respond: Any,
                   client: WebClient, settings: Any) -> None:
    standup = service.get(db, body["user"]["team_id"], int(action["value"]))
    service.check_manager(standup, body["user"]["id"], admin_check(client, settings, body["user"]["id"]))
    name = service.delete_standup(db, standup)
    ack()
    respond(text=f"Deleted “{name}”.", response_type="ephemeral", replace_original=True)


def dm_message(ack: Any, event: dict[str, Any], db: Session, clock: Clock) -> None:
    ack()
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message") or {}
        if message.get("user") and not message.get("bot_id"):
            daily.dm_edit(db, message["user"], message["ts"], message.get("thread_ts"), message.get("text") or "",
                          clock.now())
        return
    if subtype or event.get("bot_id") or not event.get("user"):
        return
    daily.dm_message(db, event["user"], event["ts"], event.get("thread_ts"), event.get("text") or "", clock.now())


def report(ack: Any, db: Session, clock: Clock, team: str, channel: str, period: str | None) -> None:
    standup = service.for_channel(db, team, channel)
    result = stats.report(db, standup, period or "week", clock.now())
    stats.publish(db, standup, result, clock.now())
    ack(response_type="ephemeral", text=f"Posting the {result.period} report of “{standup.name}” in this channel.")


def admin_check(client: WebClient, settings: Any, user_id: str) -> Any:
    """Asked only when someone other than the standup's creator manages it."""
    def check() -> bool:
        if user_id in settings.admins:
            return True
        user = client.users_info(user=user_id).get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner"))
    return check
