"""PI modals as view dicts: new PI, objective (with the optional ML hypothesis), risk, check-in, actual BV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot import blocks as bk
from bot.text import mrkdwn, plain
from rituals.pi.calendar import WEEKDAYS
from rituals.pi.hypothesis_form import hypothesis_inputs, project_input
from rituals.pi.ids import Block, Commitment, Modal
from rituals.pi.models import ROAM, STATUSES, Objective, ProgramIncrement
from rituals.pi.render import ROAM_NAMES, STATUS_NAMES, hypothesis
from rituals.pi.tracking_models import MetricCatalog
from rituals.tickets.models import TicketProject

View = dict[str, Any]


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {**bk.plain_text(text, limit), "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value}


def _modal(
    callback_id: str, title: str, blocks: list[dict[str, Any]], metadata: dict[str, Any], submit: str = "Save"
) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, 24),
        "close": _plain("Cancel"),
        "submit": _plain(submit),
        "blocks": blocks,
        "private_metadata": json.dumps(metadata),
    }


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text(initial: str | None = None, *, multiline: bool = False, max_length: int = 200) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = plain(initial)
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
    return _modal(
        Modal.NEW,
        "New PI",
        [
            _input(Block.NAME, "Name", _text(max_length=120)),
            _input(Block.START, "Start date", {"type": "datepicker", "action_id": "value"}),
            _input(Block.END, "End date", {"type": "datepicker", "action_id": "value"}),
            _input(Block.WEEKDAY, "Weekly check-in day", _select(weekdays, "0")),
            _input(
                Block.TIME,
                "Check-in time",
                {"type": "timepicker", "action_id": "value", "initial_time": "10:00"},
                hint=f"In {timezone}. Reminders follow 4 hours later, the week's summary 8 hours later.",
            ),
            _input(
                Block.CHANNEL,
                "Team channel",
                {"type": "conversations_select", "action_id": "value", "initial_conversation": channel_id},
            ),
            _input(
                Block.BUSINESS_OWNERS,
                "Business owners",
                {"type": "multi_users_select", "action_id": "value", "max_selected_items": 20},
                optional=True,
                hint="They score planned and actual business value. Leave empty: objective owners and you do.",
            ),
        ],
        {"tz": timezone},
        submit="Start PI",
    )


def objective(
    pi: ProgramIncrement,
    existing: Objective | None,
    user: str,
    catalog: Sequence[MetricCatalog] = (),
    ticket_projects: Sequence[TicketProject] = (),
) -> View:
    o = existing
    kinds: list[tuple[str, str]] = [
        (Commitment.COMMITTED, "Committed"),
        (Commitment.UNCOMMITTED, "Uncommitted (stretch)"),
    ]
    owner: dict[str, Any] = {"type": "users_select", "action_id": "value", "initial_user": o.owner_id if o else user}
    return _modal(
        Modal.OBJECTIVE,
        "Edit objective" if o else "New PI objective",
        [
            _input(Block.TITLE, "Title", _text(o.title if o else None)),
            _input(
                Block.DESCRIPTION,
                "Description",
                _text(o.description if o else None, multiline=True, max_length=3000),
                optional=True,
            ),
            _input(
                Block.PLANNED_BV, "Planned business value (1–10)", _text(str(o.planned_bv) if o else None, max_length=3)
            ),
            _input(
                Block.COMMITTED,
                "Commitment",
                _select(kinds, Commitment.UNCOMMITTED if o and not o.committed else Commitment.COMMITTED),
            ),
            _input(Block.OWNER, "Owner", owner),
            _input(
                Block.LINK, "Epic or stage ticket link", _text(o.link if o else None, max_length=500), optional=True
            ),
            *project_input(o, ticket_projects),
            *hypothesis_inputs(pi, o, catalog),
        ],
        {"pi": pi.id, "objective": o.id if o else None},
        submit="Save",
    )


def risk(pi: ProgramIncrement, user: str) -> View:
    roam = [(r, ROAM_NAMES[r]) for r in ROAM]
    return _modal(
        Modal.RISK,
        "New PI risk",
        [
            _input(Block.DESCRIPTION, "Risk", _text(multiline=True, max_length=2000)),
            _input(Block.OWNER, "Owner", {"type": "users_select", "action_id": "value", "initial_user": user}),
            _input(Block.ROAM, "ROAM state", _select(roam, "owned")),
        ],
        {"pi": pi.id},
        submit="Add risk",
    )


def checkin(o: Objective, week: int) -> View:
    statuses = [(s, STATUS_NAMES[s]) for s in STATUSES]
    context = [{"type": "context", "elements": [{"type": "mrkdwn", "text": hypothesis(o)}]}] if o.metric else []
    return _modal(
        Modal.CHECKIN,
        f"Week {week} check-in",
        [
            bk.section(f"*{mrkdwn(o.title, limit=2900)}*"),
            *context,
            _input(Block.STATUS, "Status", _select(statuses, o.status or "on_track")),
            _input(Block.PROGRESS, "Progress (%)", _text(str(o.progress), max_length=4)),
            _input(Block.NOTE, "Note", _text(multiline=True, max_length=2000), optional=True),
        ],
        {"objective": o.id},
        submit="Update",
    )


def actual(o: Objective) -> View:
    return _modal(
        Modal.ACTUAL,
        "Actual business value",
        [
            bk.section(f"*{mrkdwn(o.title, limit=2900)}* · planned BV {o.planned_bv}"),
            _input(Block.ACTUAL_BV, "Actual business value (0–10)", _text(max_length=3)),
        ],
        {"objective": o.id},
        submit="Save",
    )
