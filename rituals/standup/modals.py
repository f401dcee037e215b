"""Standup modals as view dicts: the setup form and the answer form."""

from __future__ import annotations

import json
from typing import Any

from bot import blocks as b
from bot.text import mrkdwn, plain
from rituals.standup import calendar
from rituals.standup.ids import BLOCKED_NO, BLOCKED_YES, Block, View, blocked_block, question_block
from rituals.standup.models import Standup, StandupEntry
from rituals.standup.service import DEFAULT_QUESTIONS

ELEMENT = "value"  # every input block holds one element; handlers read it by block id
REMINDERS = [("15", "15 minutes"), ("30", "30 minutes"), ("60", "1 hour"), ("120", "2 hours"), ("0", "No reminder")]
MODES = [("thread", "A message per member in the day's thread"), ("summary", "One summary message, updated in place")]


def _text(label: str) -> dict[str, Any]:
    return b.plain_text(label, 150)


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": _text(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = _text(hint)
    return block


def _plain(value: str = "", *, multiline: bool = False, action_id: str = ELEMENT) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if value:
        element["initial_value"] = plain(value)
    return element


def setup(
    channel_id: str, timezone: str, standup: Standup | None = None, members: list[str] | None = None
) -> dict[str, Any]:
    days = standup.days if standup else [1, 2, 3, 4, 5]
    questions = standup.questions if standup else DEFAULT_QUESTIONS
    blocker = (standup.blocker_index + 1 if standup.blocker_index is not None else None) if standup else 3
    reminder = str(standup.reminder_minutes or 0) if standup else "30"
    mode = standup.post_mode if standup else "thread"
    users: dict[str, Any] = {"type": "multi_users_select", "action_id": ELEMENT}
    if members:
        users["initial_users"] = members
    everyone: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ELEMENT,
        "options": [_option("yes", "Everyone in this channel")],
    }
    if standup and standup.everyone:
        everyone["initial_options"] = everyone["options"]
    day_options = [_option(str(i + 1), name) for i, name in enumerate(calendar.DAY_NAMES)]
    blocks = [
        _input(Block.NAME, "Name", _plain(standup.name if standup else "Daily standup")),
        _input(Block.PARTICIPANTS, "Participants", users, optional=True),
        _input(Block.EVERYONE, "Or", everyone, optional=True),
        _input(
            Block.DAYS,
            "Days",
            {
                "type": "checkboxes",
                "action_id": ELEMENT,
                "options": day_options,
                "initial_options": [day_options[d - 1] for d in days],
            },
        ),
        _input(
            Block.ASK_TIME,
            "Ask at (each member's own Slack timezone)",
            {"type": "timepicker", "action_id": ELEMENT, "initial_time": standup.ask_time if standup else "09:00"},
        ),
        _input(
            Block.QUESTIONS,
            "Questions, one per line",
            _plain("\n".join(questions), multiline=True),
            hint="Add, remove or reorder lines to change the questions.",
        ),
        _input(
            Block.BLOCKER,
            "Blocker question number",
            _plain(str(blocker) if blocker else ""),
            optional=True,
            hint="The answer form asks this question as “Blocked? no / yes: …”; yes answers are listed as blockers.",
        ),
        _input(
            Block.DIGEST_TIME,
            "Post the digest at",
            {"type": "timepicker", "action_id": ELEMENT, "initial_time": standup.digest_time if standup else "17:00"},
        ),
        _input(Block.TIMEZONE, "Team timezone (for the digest)", _plain(standup.timezone if standup else timezone)),
        _input(
            Block.REMINDER,
            "Remind who has not answered after",
            {
                "type": "static_select",
                "action_id": ELEMENT,
                "options": [_option(v, t) for v, t in REMINDERS],
                "initial_option": _option(reminder, dict(REMINDERS)[reminder]),
            },
        ),
        _input(
            Block.POST_MODE,
            "Post answers as",
            {
                "type": "radio_buttons",
                "action_id": ELEMENT,
                "options": [_option(v, t) for v, t in MODES],
                "initial_option": _option(mode, dict(MODES)[mode]),
            },
        ),
        _input(
            Block.HOLIDAYS,
            "Channel holidays (YYYY-MM-DD, comma separated)",
            _plain(", ".join(standup.holidays) if standup else ""),
            optional=True,
        ),
    ]
    meta = json.dumps({"channel": channel_id, "standup": standup.id if standup else None})
    return {
        "type": "modal",
        "callback_id": View.SETUP,
        "private_metadata": meta,
        "title": _text("Edit standup" if standup else "Set up a standup"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def _blocked_choice(blocked: bool | None) -> dict[str, Any]:
    options = [_option(BLOCKED_NO, "No"), _option(BLOCKED_YES, "Yes")]
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": ELEMENT, "options": options}
    if blocked is not None:
        element["initial_option"] = options[1 if blocked else 0]
    return element


def answer(standup: Standup, entry: StandupEntry) -> dict[str, Any]:
    blocks: b.Blocks = [b.context(f"*{mrkdwn(standup.name)}* in <#{standup.channel_id}> · {entry.day:%a %d %b}")]
    for i, question in enumerate(entry.questions):
        if i == entry.blocker_index:
            blocks.append(_input(blocked_block(i), "Blocked?", _blocked_choice(entry.blocked)))
            blocks.append(
                _input(
                    question_block(i),
                    question,
                    _plain(entry.answers[i] or "", multiline=True),
                    optional=True,
                    hint="If yes: what is blocking you, and who could help.",
                )
            )
            continue
        first = entry.answers[i] or (entry.suggested if i == 0 else None) or ""
        blocks.append(_input(question_block(i), question, _plain(first, multiline=True), optional=True))
    return {
        "type": "modal",
        "callback_id": View.ANSWER,
        "private_metadata": str(entry.id),
        "title": _text("Your standup"),
        "submit": _text("Save" if entry.status == "answered" else "Post"),
        "close": _text("Cancel"),
        "blocks": blocks,
    }
