"""Payloads in the shapes Slack sends from Slack Connect channels, Enterprise Grid workspaces and
org-wide installs, where the user's team is not the installation's team.

Taken from Slack's own SDK test suites: bolt-python `tests/scenario_tests/test_view_submission.py`
(`connect_channel_payload`: `team` and `user.team_id` are the other side, `view.app_installed_team_id`
the installed workspace), `tests/scenario_tests/test_events_org_apps.py` (org-wide install events:
`authorizations[0].team_id` null, `is_enterprise_install` true), `tests/slack_bolt/request/test_request.py`
(org-wide block_actions/view_submission: `team` null, `enterprise` set), and java-slack-sdk issue #1041
(a Connect block_actions: `team` is the installed workspace, `user.team_id` the clicking user's).
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

INSTALLED_TEAM = "T0001"  # the workspace the app is installed in (the signed client's team)
OTHER_TEAM, OTHER_ORG = "T0OTHER", "E0OTHER"  # the other side of a Slack Connect channel
ORG = "E0001"  # the Enterprise Grid organization the installed workspace belongs to
HOME_TEAM = "T0HOME"  # a Grid user's home workspace, different from the channel's

_ids = itertools.count(1)


def _view(
    callback_id: str,
    values: dict[str, Any],
    *,
    team_id: str,
    private_metadata: str = "",
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The submitted `view`: `team_id` is where it was opened, `app_installed_team_id` the installation."""
    return {
        "id": f"V{next(_ids):06d}",
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": "1664950703.CmTS8F7U",
        "title": {"type": "plain_text", "text": "ritualbot"},
        "root_view_id": "V00000",
        "app_id": "A0001",
        "external_id": "",
        "app_installed_team_id": INSTALLED_TEAM,
        "bot_id": "B0001",
    }


def _button(action_id: str, value: str, channel: str, response_url: str) -> dict[str, Any]:
    """The parts of a block_actions payload that do not say who or where from."""
    ts = "1800000000.000001"
    return {
        "type": "block_actions",
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"trig.{next(_ids)}",
        "channel": {"id": channel, "name": "shared"},
        "message": {"type": "message", "ts": ts, "text": ""},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def connect_view_submission(
    callback_id: str,
    values: dict[str, Any],
    *,
    user: str,
    private_metadata: str = "",
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A modal submitted by a user of the other organization in a Slack Connect channel."""
    return {
        "type": "view_submission",
        "team": {"id": OTHER_TEAM, "domain": "other-side", "enterprise_id": OTHER_ORG, "enterprise_name": "Other Org"},
        "user": {"id": user, "username": "kaz", "name": "kaz", "team_id": OTHER_TEAM},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trig.{next(_ids)}",
        "view": _view(callback_id, values, team_id=OTHER_TEAM, private_metadata=private_metadata, blocks=blocks),
        "enterprise": {"id": OTHER_ORG, "name": "Other Org"},
    }


def connect_block_actions(
    action_id: str, value: str, *, user: str, channel: str = "C0001", response_url: str = ""
) -> dict[str, Any]:
    """A button pressed by a user of the other workspace on the app's message in a Connect channel."""
    return {
        **_button(action_id, value, channel, response_url),
        "user": {"id": user, "username": "kaz", "name": "kaz", "team_id": OTHER_TEAM},
        "team": {"id": INSTALLED_TEAM, "domain": "ritual-test"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def grid_view_submission(
    callback_id: str,
    values: dict[str, Any],
    *,
    user: str,
    private_metadata: str = "",
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A modal submitted on an Enterprise Grid workspace install by a user whose home workspace differs."""
    return {
        "type": "view_submission",
        "team": {"id": INSTALLED_TEAM, "domain": "ritual-test", "enterprise_id": ORG, "enterprise_name": "Grid Org"},
        "user": {"id": user, "username": "grid-user", "name": "grid-user", "team_id": HOME_TEAM},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trig.{next(_ids)}",
        "view": _view(callback_id, values, team_id=INSTALLED_TEAM, private_metadata=private_metadata, blocks=blocks),
        "enterprise": {"id": ORG, "name": "Grid Org"},
        "is_enterprise_install": False,
    }


def org_block_actions(action_id: str, value: str, *, user: str, channel: str = "C0001") -> dict[str, Any]:
    """A button pressed where the app is installed org-wide: `team` is null."""
    return {
        **_button(action_id, value, channel, ""),
        "user": {"id": user, "username": "primary-owner", "name": "primary-owner", "team_id": INSTALLED_TEAM},
        "team": None,
        "enterprise": {"id": ORG, "name": "Grid Org"},
        "is_enterprise_install": True,
    }


def org_view_submission(
    callback_id: str, values: dict[str, Any], *, user: str, private_metadata: str = ""
) -> dict[str, Any]:
    """A modal submitted where the app is installed org-wide: `team` is null, the user's team is theirs."""
    return {
        "type": "view_submission",
        "team": None,
        "user": {"id": user, "username": "primary-owner", "name": "primary-owner", "team_id": HOME_TEAM},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trig.{next(_ids)}",
        "view": _view(callback_id, values, team_id=HOME_TEAM, private_metadata=private_metadata),
        "response_urls": [],
        "is_enterprise_install": True,
        "enterprise": {"id": ORG, "name": "Grid Org"},
    }


def org_command_form(
    command: str, text: str, *, user: str, channel: str = "C0001", response_url: str = ""
) -> dict[str, str]:
    """A slash command where the app is installed org-wide (form fields as Slack posts them)."""
    return {
        "token": "legacy",
        "team_id": INSTALLED_TEAM,
        "team_domain": "ritual-test",
        "enterprise_id": ORG,
        "enterprise_name": "Grid Org",
        "channel_id": channel,
        "channel_name": "random",
        "user_id": user,
        "user_name": "primary-owner",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "true",
        "response_url": response_url,
        "trigger_id": f"trig.org.{next(_ids)}",
    }


def org_event(event: dict[str, Any], *, event_id: str | None = None) -> str:
    """An Events API envelope for an org-wide install (JSON body)."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": INSTALLED_TEAM,
            "enterprise_id": ORG,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"EvORG{next(_ids):06d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": ORG,
                    "team_id": None,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": True,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


def lifecycle_event(
    event: dict[str, Any], *, team_id: str | None = INSTALLED_TEAM, enterprise_id: str | None = None
) -> str:
    """app_uninstalled / tokens_revoked as Slack documents them (no `authorizations`: the app is gone;
    bolt-python `tests/scenario_tests/test_events_token_revocations.py` sends the same envelope)."""
    envelope: dict[str, Any] = {
        "token": "legacy",
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": f"EvLIFE{next(_ids):06d}",
        "event_time": int(time.time()),
    }
    if team_id:
        envelope["team_id"] = team_id
    if enterprise_id:
        envelope["enterprise_id"] = enterprise_id
    return json.dumps(envelope)
