"""PI modal submissions: new PI, objective, risk, weekly check-in, actual business value."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.errors import UserError
from handlers.access import of_body
from handlers.auth import workspace
from handlers.forms import Form
from handlers.pi import guard
from handlers.router import later
from rituals.pi import checkins, closing, hypotheses, service
from rituals.pi.ids import Block, Commitment, Modal

WINDOW_GONE = "This window no longer belongs to a PI. Close it and start again."


def register(app: App) -> None:
    checked = later(Later(SLACK, "Saving…"))  # handlers.access asks Slack about membership and admins
    app.view(Modal.NEW)(checked(submit_new))
    app.view(Modal.OBJECTIVE)(checked(submit_objective))
    app.view(Modal.RISK)(checked(submit_risk))
    app.view(Modal.CHECKIN)(checked(submit_checkin))
    app.view(Modal.ACTUAL)(checked(submit_actual))


def metadata(form: Form) -> dict[str, Any]:
    """What the PI modal carries (every PI modal carries something): a window without it is not ours."""
    if not form.metadata:
        raise UserError(WINDOW_GONE)
    return form.metadata


def _id(form: Form, key: str) -> int:
    """The PI or objective id in the modal's metadata."""
    value = metadata(form).get(key) or 0
    if not isinstance(value, int):
        raise UserError(WINDOW_GONE)
    return value


def _date(form: Form, block: Block) -> date | None:
    raw = form.text(block)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise UserError("Pick the date from the calendar.", field=block) from None


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def submit_new(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    channel = form.text(Block.CHANNEL)
    who = of_body(context, body, client, settings)
    if channel and not (who.is_member(channel) or who.is_admin()):
        raise UserError(
            f"Only members of <#{channel}> can plan its PI. Pick a channel you are in.", field=Block.CHANNEL
        )
    weekday = form.text(Block.WEEKDAY)
    data = service.PiInput(
        name=form.text(Block.NAME),
        start_on=_date(form, Block.START),
        end_on=_date(form, Block.END),
        weekday=int(weekday) if weekday.isdigit() else None,
        checkin_time=form.text(Block.TIME),
        channel_id=form.text(Block.CHANNEL),
        timezone=str(metadata(form).get("tz") or "UTC"),
        business_owners=tuple(form.options(Block.BUSINESS_OWNERS)),
    )
    service.create_pi(db, team_id=workspace(context).id, data=data, actor=_user(body), now=clock.now())
    ack()


def submit_objective(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    who = guard.pi(db, context, body, client, settings, _id(form, "pi"))
    if _id(form, "objective"):
        guard.objective(db, context, body, client, settings, _id(form, "objective"))
    pi = service.load_pi(db, _id(form, "pi"), team_id=who.team)
    data = service.ObjectiveInput(
        title=form.text(Block.TITLE),
        description=form.text(Block.DESCRIPTION),
        planned_bv=form.text(Block.PLANNED_BV),
        committed=form.text(Block.COMMITTED) != Commitment.UNCOMMITTED,
        owner_id=form.text(Block.OWNER),
        link=form.text(Block.LINK),
        project=form.text(Block.PROJECT),
        hypothesis=hypotheses.HypothesisInput(
            metric=form.text(Block.METRIC),
            comparator=form.text(Block.COMPARATOR) or ">=",
            threshold=form.text(Block.THRESHOLD),
            alias=form.text(Block.ALIAS),
            deadline_iteration=form.text(Block.DEADLINE),
            kill_threshold=form.text(Block.KILL_THRESHOLD),
            kill_iteration=form.text(Block.KILL_ITERATION),
        ),
    )
    service.save_objective(
        db,
        pi,
        data,
        actor=_user(body),
        now=clock.now(),
        objective_id=_id(form, "objective") or None,
        is_admin=who.is_admin,
    )
    ack()


def submit_risk(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    who = guard.pi(db, context, body, client, settings, _id(form, "pi"))
    pi = service.load_pi(db, _id(form, "pi"), team_id=who.team)
    service.add_risk(
        db,
        pi,
        description=form.text(Block.DESCRIPTION),
        owner_id=form.text(Block.OWNER),
        roam=form.text(Block.ROAM),
        actor=_user(body),
        now=clock.now(),
    )
    ack()


def submit_checkin(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    who = guard.objective(db, context, body, client, settings, _id(form, "objective"))
    checkins.record(
        db,
        _id(form, "objective"),
        team_id=who.team,
        user=_user(body),
        status=form.text(Block.STATUS),
        progress=form.text(Block.PROGRESS),
        note=form.text(Block.NOTE),
        now=clock.now(),
    )
    ack()


def submit_actual(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    who = guard.objective(db, context, body, client, settings, _id(form, "objective"))
    closing.enter_actual(
        db,
        _id(form, "objective"),
        team_id=who.team,
        user=_user(body),
        value=form.text(Block.ACTUAL_BV),
        now=clock.now(),
        is_admin=who.is_admin,
    )
    ack()
