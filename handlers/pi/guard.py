"""The one check before any PI listener touches what a request names: the object must be in the
installation's workspace (rituals.pi.scope) and the person a member of the PI's channel or an admin
(handlers.access). Returns the caller, whose `is_admin` the close and vote rules take."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.deferred import SLACK, Later
from handlers.access import Caller, of_body
from handlers.loading import View, open_loading
from rituals.pi import scope

DOING = "take part in this PI"
OPENING = Later(SLACK, "Checking with Slack that you are in the PI's channel…")


def pi(
    db: Session, context: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, settings: Settings, pi_id: int
) -> Caller:
    who = of_body(context, body, client, settings)
    who.require_member(scope.pi(db, pi_id, team_id=who.team).channel_id, DOING)
    return who


def objective(
    db: Session,
    context: Mapping[str, Any],
    body: Mapping[str, Any],
    client: WebClient,
    settings: Settings,
    objective_id: int,
) -> Caller:
    who = of_body(context, body, client, settings)
    who.require_member(scope.objective(db, objective_id, team_id=who.team)[1].channel_id, DOING)
    return who


def risk(
    db: Session,
    context: Mapping[str, Any],
    body: Mapping[str, Any],
    client: WebClient,
    settings: Settings,
    risk_id: int,
) -> Caller:
    who = of_body(context, body, client, settings)
    who.require_member(scope.risk(db, risk_id, team_id=who.team)[1].channel_id, DOING)
    return who


def vote(
    db: Session,
    context: Mapping[str, Any],
    body: Mapping[str, Any],
    client: WebClient,
    settings: Settings,
    vote_id: int,
    *,
    casting: bool = False,
) -> Caller:
    """Only members of the PI's channel cast a vote (an outsider's score would count in the average,
    an admin's too unless they are in the channel); members and admins may close it."""
    who = of_body(context, body, client, settings)
    channel = scope.vote(db, vote_id, team_id=who.team)[1].channel_id
    who.require_member(channel, "vote on this PI's confidence" if casting else DOING, admins=not casting)
    return who


def objective_form(
    db: Session,
    context: Mapping[str, Any],
    body: Mapping[str, Any],
    client: WebClient,
    settings: Settings,
    objective_id: int,
    title: str,
    build: Callable[[Caller], View],
) -> None:
    """An objective's form (check-in, actual BV, edit). Another workspace's objective is refused at once,
    as missing; else the modal opens loading (a trigger_id is good for 3 s) while Slack says whether the
    person is in the PI's channel, then shows `build(caller)` or the refusal (handlers.loading)."""
    who = of_body(context, body, client, settings)
    channel = scope.objective(db, objective_id, team_id=who.team)[1].channel_id

    def form() -> View:
        who.require_member(channel, DOING)
        return build(who)

    open_loading(client, str(body["trigger_id"]), title, form, later=OPENING, settings=settings)
