"""Link unfurling: a `link_shared` event for a ticket's tracker URL is answered with `chat.unfurl`
showing key, summary, stage, status and assignee from stored data only (no tracker call), scoped to
the installation's workspace."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket
from tests.tickets.conftest import CHANNEL, jira_config


@pytest.fixture
def tickets_file(jira):
    return {"trackers": {"default": "jira", "timeout_seconds": 0.5, "jira": jira_config(jira)}}


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token"}


def link_shared(url: str, *more: str, channel: str = CHANNEL, **extra: object) -> dict[str, Any]:
    """The Events API `link_shared` event as Slack sends it (channel, user, message_ts, links, unfurl_id, source)."""
    links = [{"domain": u.split("/")[2], "url": u} for u in (url, *more)]
    return {
        "type": "link_shared",
        "channel": channel,
        "is_bot_user_member": True,
        "user": "U0002",
        "message_ts": "1800000000.000100",
        "unfurl_id": "C0001.1800000000.000100.abc",
        "source": "conversations_history",
        "links": links,
        "event_ts": "1800000000.000101",
        **extra,
    }


def other_workspace_ticket(database, url: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with database.session() as s:
        s.add(
            Ticket(
                team_id="T0999",
                tracker="jira",
                key="DS-999",
                url=url,
                stage="Deploy",
                summary="Secret launch plan",
                created_by="U0999",
                created_at=now,
                updated_at=now,
            )
        )
        s.commit()


def wait_for_unfurl(tickets) -> dict[str, Any]:
    tickets.deliver()
    assert tickets.slack.wait_until(lambda d: d.calls_to("chat.unfurl", ok_only=False))
    calls = tickets.slack.calls_to("chat.unfurl", ok_only=False)
    assert len(calls) == 1 and calls[0].error is None, calls
    return calls[0].params


def test_a_shared_jira_link_unfurls_with_stored_key_summary_stage_status_and_assignee(tickets, jira, database):
    tickets.command("project Churn model")
    with database.session() as s:
        row = s.scalars(select(Ticket).where(Ticket.key == "DS-104")).one()
        row.assignee = "U0003"
        s.commit()
    jira_calls = len(jira.requests)
    url = f"{jira.url}/browse/DS-104"
    assert tickets.signed.event(link_shared(url)).status_code == 200
    params = wait_for_unfurl(tickets)
    assert len(jira.requests) == jira_calls, "the unfurl reads stored data, not the tracker"
    assert params["channel"] == CHANNEL and params["ts"] == "1800000000.000100"
    unfurl = params["unfurls"][url]
    shown = json.dumps(unfurl["blocks"])
    assert "DS-104" in shown and "Modelling / EDA: Churn model" in shown
    assert "Modelling / EDA" in shown and "open" in shown and "<@U0003>" in shown
    assert "Churn model" in shown  # the project


def test_a_link_typed_in_the_composer_unfurls_by_unfurl_id_and_source(tickets, jira):
    tickets.command("project Churn model")
    url = f"{jira.url}/browse/DS-102"
    event = link_shared(url, channel="COMPOSER", source="composer", message_ts="Uxxxx-abc")
    assert tickets.signed.event(event).status_code == 200
    params = wait_for_unfurl(tickets)
    assert params["unfurl_id"] == event["unfurl_id"] and params["source"] == "composer"
    assert "channel" not in params and "ts" not in params
    assert "DS-102" in json.dumps(params["unfurls"][url])


def test_another_workspaces_ticket_and_unknown_links_are_never_unfurled(tickets, jira, database):
    tickets.command("project Churn model")
    secret = f"{jira.url}/browse/DS-999"
    other_workspace_ticket(database, secret)
    mine = f"{jira.url}/browse/DS-103"
    unknown = f"{jira.url}/browse/DS-4242"
    assert tickets.signed.event(link_shared(secret, unknown, mine)).status_code == 200
    params = wait_for_unfurl(tickets)
    assert list(params["unfurls"]) == [mine]
    assert "Secret launch plan" not in json.dumps(params)


def test_only_foreign_links_call_nothing(tickets, jira, database):
    other_workspace_ticket(database, f"{jira.url}/browse/DS-999")
    event = link_shared(f"{jira.url}/browse/DS-999", f"{jira.url}/browse/DS-1")
    assert tickets.signed.event(event).status_code == 200
    tickets.deliver()
    assert tickets.slack.calls_to("chat.unfurl", ok_only=False) == []


def test_the_double_refuses_chat_unfurl_without_its_required_arguments(slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=slack.token, base_url=slack.base_url)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.chat_unfurl(channel=CHANNEL, unfurls={"https://x.example/1": {"text": "x"}})  # no ts
    with pytest.raises(SlackApiError, match="missing_unfurls"):
        client.chat_unfurl(channel=CHANNEL, ts="1800000000.000100")
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_unfurl(channel=CHANNEL, ts="1800000000.000100", unfurls={"https://x.example/1": {"blocks": [{}]}})
    assert client.chat_unfurl(unfurl_id="u1", source="composer", unfurls={"https://x.example/1": {"text": "x"}})["ok"]
