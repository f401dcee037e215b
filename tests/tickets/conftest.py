"""Ticket fixtures: settings with a tickets/trackers section, local Jira and GitHub fakes, and a
driver that talks to the app through the signed endpoint and reads back what reached the Slack
double.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.config import Settings
from tests.tickets.fakes import FakeGitHub, FakeJira

CHANNEL = "C0001"


@pytest.fixture
def tickets_file() -> dict[str, Any]:
    return {}


@pytest.fixture
def tickets_env() -> dict[str, str]:
    return {}


@pytest.fixture
def settings(settings: Settings, tickets_file: dict[str, Any], tickets_env: dict[str, str]) -> Settings:
    return dataclasses.replace(settings, file=tickets_file, env=tickets_env)


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    server = FakeJira()
    yield server
    server.stop()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub()
    yield server
    server.stop()


def jira_config(server: FakeJira, **extra: Any) -> dict[str, Any]:
    return {
        "url": server.url,
        "email": server.email,
        "token_env": "JIRA_API_TOKEN",
        "project_key": server.project,
        **extra,
    }


def text_input(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def select(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}


def user_select(user: str) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user}}


@dataclass
class Driver:
    signed: Any
    slack: Any
    deliver_due: Any
    app: Any = None

    def deliver(self) -> None:
        """Once work handed to bot.deferred has finished (its held response_url posts included), deliver
        the outbox."""
        deferred = getattr(self.app, "deferred", None)
        if deferred is not None:
            assert deferred.wait_idle(30), "deferred work finished"
        self.deliver_due()

    def command(self, text: str, user: str = "U0001", channel: str = CHANNEL) -> dict[str, Any]:
        response = self.signed.command("/ticket", text, user=user, channel=channel)
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = "U0001") -> dict[str, Any]:
        response = self.signed.view_submission(
            view["callback_id"],
            values,
            user=user,
            private_metadata=view["private_metadata"],
            blocks=view["blocks"],
        )
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def press(self, action_id: str, value: str, user: str = "U0001") -> list[dict[str, Any]]:
        before = len(self.slack.responses())
        assert self.signed.action(action_id, value, user=user).status_code == 200
        self.deliver()
        return self.slack.responses()[before:]

    def last_view(self) -> dict[str, Any]:
        return self.slack.view()

    def posts(self) -> list[dict[str, Any]]:
        return self.slack.posted(CHANNEL)

    def ephemerals(self) -> list[dict[str, Any]]:
        return [c.params for c in self.slack.calls_to("chat.postEphemeral")]


def meta(view: dict[str, Any]) -> dict[str, Any]:
    return json.loads(view["private_metadata"])


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        found += [e for e in elements if e.get("type") == "button"]
    return found


@pytest.fixture
def tickets(signed, slack, deliver, request) -> Driver:
    try:
        app = request.getfixturevalue("app")  # the Bolt app, whose deferred work the driver waits for
    except pytest.FixtureLookupError:
        app = None
    return Driver(signed, slack, deliver, app)
