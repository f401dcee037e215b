"""PI buttons: confidence votes, opening the check-in and actual-BV modals, editing and dropping objectives."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot.clock import Clock
from bot.errors import UserError
from handlers.pi.common import button_id
from rituals.pi import calendar, modals, render, service, votes
from rituals.pi.models import ProgramIncrement


def register(app: Any) -> None:
    for n, action_id in enumerate(render.VOTE_ACTIONS, start=1):
        app.action(action_id)(_voter(n))
    app.action("pi.vote_close")(close_vote)
    app.action("pi.checkin_open")(open_checkin)
    app.action("pi.actual_open")(open_actual)
    app.action("pi.objective_edit")(open_edit)
    app.action("pi.objective_drop")(drop)
    app.action("pi.risk_roam")(change_roam)


def _voter(score: int) -> Any:
    def cast(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock, respond: Any) -> None:
        ack()
        changed = votes.cast(db, button_id(action), user=body["user"]["id"], score=score, now=clock.now())
        respond(response_type="ephemeral", replace_original=False,
                text=f"Your vote is {'now ' if changed else ''}{score}. Only you see this; "
                     "you can change it until the vote closes.")
    cast.__name__ = f"cast_vote_{score}"
    return cast


def close_vote(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock) -> None:
    ack()
    votes.close(db, button_id(action), actor=body["user"]["id"], now=clock.now())


def open_checkin(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
                 client: WebClient) -> None:
    ack()
    objective = service.load_objective(db, button_id(action))
    pi = service.load_pi(db, objective.pi_id)
    client.views_open(trigger_id=body["trigger_id"],
                      view=modals.checkin(objective, calendar.current_week(pi, clock.now())))


def open_actual(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modals.actual(service.load_objective(db, button_id(action))))


def open_edit(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, client: WebClient) -> None:
    ack()
    objective = service.load_objective(db, button_id(action))
    pi = service.load_pi(db, objective.pi_id)
    client.views_open(trigger_id=body["trigger_id"], view=modals.objective(pi, objective, body["user"]["id"]))


def drop(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, respond: Any) -> None:
    ack()
    objective = service.drop_objective(db, button_id(action), actor=body["user"]["id"])
    respond(response_type="ephemeral", replace_original=False,
            text=f"Dropped “{objective.title}”: it no longer counts towards the plan or predictability.")


def change_roam(ack: Any, action: dict[str, Any], db: Session, clock: Clock, respond: Any) -> None:
    ack()
    risk_id, _, roam = str((action.get("selected_option") or {}).get("value") or "").partition(":")
    if not risk_id.isdigit():
        raise UserError("That menu is not one of this bot's risk menus any more. Use `/pi status` again.")
    risk = service.set_roam(db, int(risk_id), roam, now=clock.now())
    respond(response_type="ephemeral", replace_original=False,
            text=f"Risk “{risk.description[:100]}” is now {render.ROAM_NAMES[risk.roam]}.")


def objective_list(db: Session, pi: ProgramIncrement) -> tuple[str, bk.Blocks]:
    objectives = service.objectives(db, pi.id)
    out: bk.Blocks = [bk.header(f"{pi.name} · objectives")]
    for o in objectives[:23]:
        out.append(bk.section(render.objective_text(o)))
        confirm = bk.confirm_dialog("Drop objective?", f"“{o.title[:200]}” will no longer count.", ok="Drop")
        out.append(bk.actions(bk.button("Edit", "pi.objective_edit", str(o.id)),
                              bk.button("Drop", "pi.objective_drop", str(o.id), style="danger", confirm=confirm)))
    if not objectives:
        out.append(bk.section("_No objectives yet: `/pi objective` adds one._"))
    return f"{pi.name}: {len(objectives)} objectives", out
