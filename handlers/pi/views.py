"""PI modal submissions: new PI, objective, risk, weekly check-in, actual business value."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.errors import UserError
from handlers.pi.common import metadata, text_of, value_of
from rituals.pi import checkins, closing, service


def register(app: Any) -> None:
    app.view("pi.new_modal")(submit_new)
    app.view("pi.objective_modal")(submit_objective)
    app.view("pi.risk_modal")(submit_risk)
    app.view("pi.checkin_modal")(submit_checkin)
    app.view("pi.actual_modal")(submit_actual)


def _date(view: dict[str, Any], block: str) -> date | None:
    raw = value_of(view, block)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise UserError("Pick the date from the calendar.", field=block) from None


def _user(body: dict[str, Any]) -> str:
    return body["user"]["id"]


def submit_new(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    weekday = text_of(view, "weekday")
    data = service.PiInput(name=text_of(view, "name"), start_on=_date(view, "start"), end_on=_date(view, "end"),
                           weekday=int(weekday) if weekday.isdigit() else None, checkin_time=text_of(view, "time"),
                           channel_id=text_of(view, "channel"), timezone=str(metadata(body).get("tz") or "UTC"))
    service.create_pi(db, team_id=body["user"]["team_id"], data=data, actor=_user(body), now=clock.now())
    ack()


def submit_objective(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta = metadata(body)
    pi = service.load_pi(db, int(meta.get("pi") or 0))
    data = service.ObjectiveInput(
        title=text_of(view, "title"), description=text_of(view, "description"),
        planned_bv=text_of(view, "planned_bv"), committed=text_of(view, "committed") != "uncommitted",
        owner_id=text_of(view, "owner"), link=text_of(view, "link"), experiment=text_of(view, "experiment"),
        target=text_of(view, "target"), kill_criterion=text_of(view, "kill"))
    service.save_objective(db, pi, data, actor=_user(body), now=clock.now(), objective_id=meta.get("objective"))
    ack()


def submit_risk(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    pi = service.load_pi(db, int(metadata(body).get("pi") or 0))
    service.add_risk(db, pi, description=text_of(view, "description"), owner_id=text_of(view, "owner"),
                     roam=text_of(view, "roam"), actor=_user(body), now=clock.now())
    ack()


def submit_checkin(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    checkins.record(db, int(metadata(body).get("objective") or 0), user=_user(body), status=text_of(view, "status"),
                    progress=text_of(view, "progress"), note=text_of(view, "note"), now=clock.now())
    ack()


def submit_actual(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    closing.enter_actual(db, int(metadata(body).get("objective") or 0), user=_user(body),
                         value=text_of(view, "actual_bv"), now=clock.now())
    ack()
