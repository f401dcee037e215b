"""PI modals as view dicts: new PI, objective (with the optional ML hypothesis), risk, check-in, actual BV."""

from __future__ import annotations

import json
from typing import Any

from rituals.pi.calendar import WEEKDAYS
from rituals.pi.models import ROAM, STATUSES, Objective, ProgramIncrement
from rituals.pi.render import ROAM_NAMES, STATUS_NAMES, hypothesis

View = dict[str, Any]


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label[:75]), "value": value}


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]], metadata: dict[str, Any],
           submit: str = "Save") -> View:
    return {"type": "modal", "callback_id": callback_id, "title": _plain(title[:24]), "close": _plain("Cancel"),
            "submit": _plain(submit), "blocks": blocks, "private_metadata": json.dumps(metadata)}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text(initial: str | None = None, *, multiline: bool = False, max_length: int = 200) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline,
                               "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    return element


def _select(options: list[tuple[str, str]], initial: str | None = None) -> dict[str, Any]:
    built = [_option(v, label) for v, label in options]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": built}
    chosen = next((o for o in built if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def new_pi(channel_id: str, timezone: str) -> View:
    weekdays = [(str(n), name) for n, name in enumerate(WEEKDAYS)]
    return _modal("pi.new_modal", "New PI", [
        _input("name", "Name", _text(max_length=120)),
        _input("start", "Start date", {"type": "datepicker", "action_id": "value"}),
        _input("end", "End date", {"type": "datepicker", "action_id": "value"}),
        _input("weekday", "Weekly check-in day", _select(weekdays, "0")),
        _input("time", "Check-in time", {"type": "timepicker", "action_id": "value", "initial_time": "10:00"},
               hint=f"In {timezone}. Reminders follow 4 hours later, the week's summary 8 hours later."),
        _input("channel", "Team channel", {"type": "conversations_select", "action_id": "value",
                                           "initial_conversation": channel_id}),
    ], {"tz": timezone}, submit="Start PI")


def objective(pi: ProgramIncrement, existing: Objective | None, user: str) -> View:
    o = existing
    kinds = [("committed", "Committed"), ("uncommitted", "Uncommitted (stretch)")]
    target = f"{o.metric} {o.comparator} {o.target:g}" if o and o.metric else None
    owner: dict[str, Any] = {"type": "users_select", "action_id": "value", "initial_user": o.owner_id if o else user}
    return _modal("pi.objective_modal", "Edit objective" if o else "New PI objective", [
        _input("title", "Title", _text(o.title if o else None)),
        _input("description", "Description", _text(o.description if o else None, multiline=True, max_length=3000),
               optional=True),
        _input("planned_bv", "Planned business value (1–10)", _text(str(o.planned_bv) if o else None, max_length=3)),
        _input("committed", "Commitment", _select(kinds, "committed" if not o or o.committed else "uncommitted")),
        _input("owner", "Owner", owner),
        _input("link", "Epic or stage ticket link", _text(o.link if o else None, max_length=500), optional=True),
        _input("target", "ML hypothesis: target", _text(target), optional=True,
               hint="Makes this a measurable hypothesis, e.g. val_auc >= 0.85"),
        _input("experiment", "ML hypothesis: MLflow experiment", _text(o.experiment if o else None), optional=True),
        _input("kill", "ML hypothesis: kill criterion", _text(o.kill_criterion if o else None, max_length=500),
               optional=True, hint="e.g. stop if not >= 0.80 by iteration 3"),
    ], {"pi": pi.id, "objective": o.id if o else None}, submit="Save")


def risk(pi: ProgramIncrement, user: str) -> View:
    roam = [(r, ROAM_NAMES[r]) for r in ROAM]
    return _modal("pi.risk_modal", "New PI risk", [
        _input("description", "Risk", _text(multiline=True, max_length=2000)),
        _input("owner", "Owner", {"type": "users_select", "action_id": "value", "initial_user": user}),
        _input("roam", "ROAM state", _select(roam, "owned")),
    ], {"pi": pi.id}, submit="Add risk")


def checkin(o: Objective, week: int) -> View:
    statuses = [(s, STATUS_NAMES[s]) for s in STATUSES]
    context = [{"type": "context", "elements": [{"type": "mrkdwn", "text": hypothesis(o)}]}] if o.metric else []
    return _modal("pi.checkin_modal", f"Week {week} check-in", [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{o.title[:2900]}*"}}, *context,
        _input("status", "Status", _select(statuses, o.status or "on_track")),
        _input("progress", "Progress (%)", _text(str(o.progress), max_length=4)),
        _input("note", "Note", _text(multiline=True, max_length=2000), optional=True),
    ], {"objective": o.id}, submit="Update")


def actual(o: Objective) -> View:
    return _modal("pi.actual_modal", "Actual business value", [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{o.title[:2900]}* · planned BV {o.planned_bv}"}},
        _input("actual_bv", "Actual business value (0–10)", _text(max_length=3)),
    ], {"objective": o.id}, submit="Save")
