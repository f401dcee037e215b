"""Small helpers the PI listeners share: modal metadata, submitted values, button ids."""

from __future__ import annotations

import json
from typing import Any

from bot.errors import UserError


def metadata(body: dict[str, Any]) -> dict[str, Any]:
    raw = (body.get("view") or {}).get("private_metadata") or "{}"
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise UserError("This window no longer belongs to a PI. Close it and start again.")
    return data


def value_of(view: dict[str, Any], block: str) -> Any:
    state = (view.get("state") or {}).get("values", {}).get(block, {}).get("value") or {}
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    for key in ("selected_user", "selected_conversation", "selected_date", "selected_time", "value"):
        if key in state:
            return state[key]
    return None


def text_of(view: dict[str, Any], block: str) -> str:
    return str(value_of(view, block) or "")


def button_id(action: dict[str, Any]) -> int:
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise UserError("That button is not one of this bot's PI buttons any more. Use the latest messages.")
    return int(value)
