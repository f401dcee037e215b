"""One reader of submitted views: every input element type Slack sends, by block id.

`Form.of(view)` wraps `view.state.values` and `view.private_metadata`. Each input block holds one
element; its value is read by the element's `type` (or, for payloads without one, by the key Slack
uses for it) and returned as plain Python: text and numbers as `str`, selections as option values,
users, conversations and channels as ids, dates as `YYYY-MM-DD`, times as `HH:MM`, rich text as its
block. Empty elements read as None (single values) or [] (multiple values).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SINGLE_OPTION = {"static_select", "external_select", "radio_buttons"}
MULTI_OPTION = {"multi_static_select", "multi_external_select", "checkboxes"}
TEXT = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
KEY_OF_TYPE = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "rich_text_input": "rich_text_value",
}
# For payloads without "type" (older clients, hand-written fixtures): the key tells the kind.
KEYS_IN_ORDER = ("selected_option", "selected_options", *KEY_OF_TYPE.values(), "value")


def element_value(element: Mapping[str, Any]) -> Any:
    """The value of one element of view.state.values[block][action_id]."""
    kind = element.get("type")
    if kind in SINGLE_OPTION or (kind is None and "selected_option" in element):
        return (element.get("selected_option") or {}).get("value")
    if kind in MULTI_OPTION or (kind is None and "selected_options" in element):
        return [o.get("value") for o in element.get("selected_options") or [] if isinstance(o, Mapping)]
    if kind in TEXT:
        return element.get("value")
    key = KEY_OF_TYPE.get(kind or "")
    if key is None:
        key = next((k for k in KEYS_IN_ORDER if k in element), "value")
    value = element.get(key)
    if value is None and key.endswith("s") and key.startswith("selected_") and key != "selected_options":
        return []
    return value


def rich_text_plain(value: Any) -> str:
    """The human text of a rich_text block (what a user typed, without the formatting; see bot.text)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            kind = node.get("type")
            if kind == "text":
                parts.append(str(node.get("text") or ""))
            elif kind == "link":  # human text keeps Slack's markup (bot.text): live in mrkdwn, readable elsewhere
                url, label = str(node.get("url") or ""), str(node.get("text") or "")
                parts.append(f"<{url}|{label}>" if label and label != url else f"<{url}>")
            elif kind == "user":
                parts.append(f"<@{node.get('user_id')}>")
            elif kind == "channel":
                parts.append(f"<#{node.get('channel_id')}>")
            elif kind == "broadcast":  # @channel/@here typed in a rich text input: shown, never a ping
                parts.append(f"<!{node.get('range')}>")
            elif kind == "usergroup":
                parts.append(f"<!subteam^{node.get('usergroup_id')}>")
            elif kind == "emoji":
                parts.append(f":{node.get('name')}:")
            for child in node.get("elements") or []:
                walk(child)
            if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote") and parts:
                parts.append("\n")
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return "".join(parts).strip()


def parse_metadata(raw: str | None) -> dict[str, Any]:
    """private_metadata as the JSON object the bot put there; {} for anything else."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Form:
    values: Mapping[str, Mapping[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    callback_id: str = ""

    @classmethod
    def of(cls, view: Mapping[str, Any] | None) -> Form:
        view = view or {}
        values = (view.get("state") or {}).get("values") or {}
        return cls(
            values=values if isinstance(values, Mapping) else {},
            metadata=parse_metadata(view.get("private_metadata")),
            callback_id=view.get("callback_id") or "",
        )

    def value(self, block: str, action_id: str | None = None) -> Any:
        """The block's element value (the named action_id, else its one element); None when absent."""
        elements = self.values.get(block)
        if not isinstance(elements, Mapping) or not elements:
            return None
        element = elements.get(action_id) if action_id else next(iter(elements.values()))
        return element_value(element) if isinstance(element, Mapping) else None

    def text(self, block: str) -> str:
        """A text answer, "" when empty; rich text as its plain text; lists joined by commas."""
        value = self.value(block)
        if value is None:
            return ""
        if isinstance(value, Mapping):
            return rich_text_plain(value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def option(self, block: str) -> str | None:
        value = self.value(block)
        return None if value is None or isinstance(value, list | Mapping) else str(value)

    def options(self, block: str) -> list[str]:
        value = self.value(block)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def checked(self, block: str) -> bool:
        """True when any checkbox of the block is ticked."""
        return bool(self.options(block))
