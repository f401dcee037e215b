"""PI buttons and menus: confidence votes, opening the check-in and actual-BV modals, editing and
dropping objectives, a risk's ROAM state."""

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
from bot.text import mrkdwn
from handlers.access import Caller
from handlers.loading import View
from handlers.pi import guard
from handlers.router import later
from rituals.pi import calendar, hypotheses, met, modals, projects, render, service, votes
from rituals.pi.ids import VOTES, Action


def register(app: App) -> None:
    checked = later(Later(SLACK, "Checking with Slack…"))  # handlers.access: membership and admins
    for score, action_id in enumerate(VOTES, start=1):
        app.action(action_id)(checked(_voter(score)))
    app.action(Action.VOTE_CLOSE)(checked(close_vote))
    app.action(Action.CHECKIN_OPEN)(checked(open_checkin))
    app.action(Action.ACTUAL_OPEN)(checked(open_actual))
    app.action(Action.OBJECTIVE_EDIT)(checked(open_edit))
    app.action(Action.OBJECTIVE_DROP)(checked(drop))
    app.action(Action.RISK_ROAM)(checked(change_roam))
    app.action(Action.HYPOTHESIS_DONE)(checked(mark_hypothesis_done))


def button_id(action: dict[str, Any]) -> int:
    """The vote or objective id a PI button carries."""
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise UserError("That button is not one of this bot's PI buttons any more. Use the latest messages.")
    return int(value)


def _voter(score: int) -> Callable[..., None]:
    def cast(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        db: Session,
        clock: Clock,
        respond: Respond,
        context: BoltContext,
        client: WebClient,
        settings: Settings,
    ) -> None:
        ack()
        who = guard.vote(db, context, body, client, settings, button_id(action), casting=True)
        changed = votes.cast(
            db, button_id(action), team_id=who.team, user=body["user"]["id"], score=score, now=clock.now()
        )
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=f"Your vote is {'now ' if changed else ''}{score}. Only you see this; "
            "you can change it until the vote closes.",
        )

    cast.__name__ = f"cast_vote_{score}"
    return cast


def close_vote(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    ack()
    who = guard.vote(db, context, body, client, settings, button_id(action))
    votes.close(db, button_id(action), team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())


def open_checkin(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    client: WebClient,
    context: BoltContext,
    settings: Settings,
) -> None:
    ack()
    objective_id = button_id(action)

    def form(who: Caller) -> View:
        objective = service.load_objective(db, objective_id, team_id=who.team)
        pi = service.load_pi(db, objective.pi_id, team_id=who.team)
        return modals.checkin(objective, calendar.current_week(pi, clock.now()))

    guard.objective_form(db, context, body, client, settings, objective_id, "Weekly check-in", form)


def open_actual(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    client: WebClient,
    context: BoltContext,
    settings: Settings,
) -> None:
    ack()
    objective_id = button_id(action)

    def form(who: Caller) -> View:
        return modals.actual(service.load_objective(db, objective_id, team_id=who.team))

    guard.objective_form(db, context, body, client, settings, objective_id, "Actual business value", form)


def open_edit(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    client: WebClient,
    context: BoltContext,
    settings: Settings,
) -> None:
    ack()
    objective_id = button_id(action)

    def form(who: Caller) -> View:
        objective = service.load_objective(db, objective_id, team_id=who.team)
        pi = service.load_pi(db, objective.pi_id, team_id=who.team)
        catalog, choices = hypotheses.catalog(db), projects.choices(db, pi.team_id)
        return modals.objective(pi, objective, who.user, catalog, choices)

    guard.objective_form(db, context, body, client, settings, objective_id, "Edit objective", form)


def drop(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    respond: Respond,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    ack()
    who = guard.objective(db, context, body, client, settings, button_id(action))
    objective = service.drop_objective(
        db, button_id(action), team_id=who.team, actor=body["user"]["id"], now=clock.now()
    )
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Dropped “{mrkdwn(objective.title)}”: it no longer counts towards the plan or predictability.",
    )


def change_roam(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    respond: Respond,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    ack()
    risk_id, _, roam = str((action.get("selected_option") or {}).get("value") or "").partition(":")
    if not risk_id.isdigit():
        raise UserError("That menu is not one of this bot's risk menus any more. Use `/pi status` again.")
    who = guard.risk(db, context, body, client, settings, int(risk_id))
    risk = service.set_roam(db, int(risk_id), roam, team_id=who.team, now=clock.now())
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Risk “{mrkdwn(risk.description, limit=100)}” is now {render.ROAM_NAMES[risk.roam]}.",
    )


def mark_hypothesis_done(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    respond: Respond,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    ack()
    who = guard.objective(db, context, body, client, settings, button_id(action))
    objective = met.mark_done(db, button_id(action), team_id=who.team, user=body["user"]["id"], now=clock.now())
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"“{mrkdwn(objective.title)}” is done: this week's check-in says so, naming the run that met it.",
    )
