"""Drives a retro the way Slack does (signed requests) and reads back what the bot sent to the Slack double."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import outbox
from bot.blocks import blocks_to_text

CHANNEL = "C0001"


def text_input(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def select(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def checked(*values: str) -> dict[str, Any]:
    return {"value": {"type": "checkboxes", "selected_options": [{"value": v} for v in values]}}


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


@dataclass
class RetroDriver:
    signed: Any
    slack: Any
    deliver: Any
    database: Any

    def command(self, text: str, user: str = "U0001") -> dict[str, Any]:
        body = self.signed.command("/retro", text, user=user).json()
        self.deliver()
        return body

    def press(self, action_id: str, value: str, user: str = "U0001", view: dict[str, Any] | None = None) -> None:
        before = len(self.slack.responses())
        assert self.signed.action(action_id, value, user=user, view=view).status_code == 200
        self.deliver()
        self.new_responses = self.slack.responses()[before:]

    def ephemeral(self) -> str:
        """The one ephemeral answer the last press produced (via response_url)."""
        assert len(self.new_responses) == 1, self.new_responses
        assert self.new_responses[0]["response_type"] == "ephemeral"
        return self.new_responses[0]["text"]

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str) -> dict[str, Any]:
        response = self.signed.view_submission(
            view["callback_id"],
            values,
            user=user,
            private_metadata=view["private_metadata"],
            view_id=view.get("id", "V0001"),
            blocks=view.get("blocks"),
        )
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def last_opened_view(self) -> dict[str, Any]:
        """The modal the user sees now: a form opened loading arrives by views.update (handlers.loading)."""
        return self.slack.view()

    def refused_in_modal(self) -> str:
        """The refusal a form opened loading shows in its place (handlers.loading.failed_view): no form."""
        view = self.slack.view()
        assert "callback_id" not in view and "submit" not in view, view
        text = str(view["blocks"][0]["text"]["text"])
        assert text.startswith(":warning: "), text
        return text.removeprefix(":warning: ")

    def forms(self) -> list[str]:
        """The callback_ids of the forms the user was shown (a loading or refusal view has none)."""
        methods = ("views.open", "views.update", "views.push")
        calls = [c for c in self.slack.calls if c.ok and c.method in methods]
        return [c.params["view"]["callback_id"] for c in calls if "callback_id" in c.params["view"]]

    def forms_shown(self) -> int:
        return len(self.forms())

    # -- what the channel shows --------------------------------------------------------------
    def ts_of(self, ref: str) -> str:
        with self.database.session() as s:
            row = outbox.find_by_ref(s, ref)
            assert row is not None and row.ts, ref
            return row.ts

    def root_ts(self, retro_id: int) -> str:
        return self.ts_of(f"retro:{retro_id}:root")

    def root_now(self, retro_id: int) -> dict[str, Any]:
        """The root message as it reads now: the last chat.update of it, else the original post."""
        ts = self.root_ts(retro_id)
        updates = self.updates_of(ts)
        if updates:
            return updates[-1]
        roots = [p for p in self.slack.posted(CHANNEL) if not p.get("thread_ts")]
        return roots[retro_id - 1]

    def root_text(self, retro_id: int) -> str:
        return blocks_to_text(self.root_now(retro_id)["blocks"])

    def root_buttons(self, retro_id: int, action_id: str) -> list[dict[str, Any]]:
        return buttons(self.root_now(retro_id)["blocks"], action_id)

    def thread(self, retro_id: int) -> list[dict[str, Any]]:
        ts = self.root_ts(retro_id)
        return [p for p in self.slack.posted(CHANNEL) if p.get("thread_ts") == ts]

    def updates_of(self, message_ts: str) -> list[dict[str, Any]]:
        return [c.params for c in self.slack.calls_to("chat.update") if c.params.get("ts") == message_ts]

    def web_calls(self) -> int:
        return len([c for c in self.slack.calls if c.method != "response_url"])


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    return json.loads(view["private_metadata"])
