"""The domain's port to Slack (bot/directory.py), as implemented on slack_sdk, against the Web API double."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.directory import Person, humans


def test_a_person_is_read_from_users_info(runtime, slack):
    slack.add_user("U0009", "boss", tz="Europe/Paris", is_admin=True)
    directory = runtime.directory("T0001")
    assert directory.person("U0002") == Person(id="U0002", tz="America/Los_Angeles", name="grace")
    assert directory.person("U0009") == Person(id="U0009", tz="Europe/Paris", is_admin=True, name="boss")
    assert [c.params["user"] for c in slack.calls_to("users.info")] == ["U0002", "U0009"]


def test_a_user_slack_does_not_know_is_none_not_an_error(runtime):
    assert runtime.directory("T0001").person("U404") is None


def test_humans_leave_out_bots_deactivated_and_unknown_users(runtime, slack):
    slack.add_user("UBOT", "bot", is_bot=True)
    slack.add_user("UGONE", "gone", deleted=True)
    people = humans(runtime.directory("T0001"), ["U0001", "UBOT", "UGONE", "U404", "U0001"])
    assert [p.id for p in people] == ["U0001"]


def test_channel_members_and_email_lookups(runtime):
    directory = runtime.directory("T0001")
    assert directory.channel_members("C0001") == ["U0001", "U0002", "U0003"]
    assert directory.user_by_email("Grace@Example.com") == "U0002"
    assert directory.user_by_email("nobody@example.com") is None


def test_a_real_slack_failure_is_not_swallowed(runtime):
    with pytest.raises(SlackApiError) as raised:
        runtime.directory("T0001").channel_members("CNOPE")
    assert raised.value.response["error"] == "channel_not_found"
