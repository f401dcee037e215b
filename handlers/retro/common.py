"""Small helpers the retro listeners share: who may override the facilitator, and button values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_sdk.web import WebClient

from bot.config import Settings
from bot.errors import UserError


def admin_check(client: WebClient, settings: Settings, user_id: str) -> Callable[[], bool]:
    """Asked only when a non-facilitator acts: configured admins, then Slack's workspace admin flag."""
    def check() -> bool:
        if user_id in settings.admins:
            return True
        user = client.users_info(user=user_id).get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner"))
    return check


def ints(value: str | None, count: int) -> list[int]:
    parts = (value or "").split(":")
    try:
        numbers = [int(p) for p in parts[:count]]
    except ValueError:
        numbers = []
    if len(numbers) != count:
        raise UserError("That button is not one of this bot's retro buttons any more. Use the latest messages.")
    return numbers


def metadata(body: dict[str, Any]) -> dict[str, Any]:
    raw = (body.get("view") or {}).get("private_metadata") or "{}"
    try:
        data = json.loads(raw)
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("retro"), int):
        raise UserError("This window no longer belongs to a retro. Close it and use the retro's buttons again.")
    return data


def value_of(view: dict[str, Any], block: str) -> Any:
    """The submitted value of an input block (text, select, users, date or checkbox values)."""
    state = (view.get("state") or {}).get("values", {}).get(block, {}).get("value") or {}
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    if "selected_options" in state:
        return [o["value"] for o in state["selected_options"] or []]
    for key in ("selected_user", "selected_date", "value"):
        if key in state:
            return state[key]
    return None
