"""Ticket text as Slack sends it and as the bot sends it back, on each tracker: decoded once on the way
in, stored and sent to Jira/GitHub as typed, escaped once in every message, never a ping or a spoofed link.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket, TicketProject
from tests.slack.shown import fields, pings, shown
from tests.tickets.conftest import jira_config, text_input
from tests.tickets.conftest import select as choose

TYPED = "Fix A&B <prod> pipeline"


@pytest.fixture(params=["builtin", "jira", "github"])
def tracker(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tickets_file(tracker, jira, github):
    return {
        "trackers": {
            "default": tracker,
            "timeout_seconds": 0.5,
            "jira": jira_config(jira),
            "github": {"repo": github.repo, "api_url": github.url, "token_env": "GH_TOKEN"},
        }
    }


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token", "GH_TOKEN": "gh-token"}


def sent_to_tracker(tracker: str, jira, github) -> list[dict[str, Any]]:
    """(summary, description text) of every ticket the tracker was asked to create."""
    if tracker == "jira":
        return [
            {
                "summary": r.body["fields"]["summary"],
                "description": "\n\n".join(
                    "".join(part.get("text", "\n") for part in paragraph["content"])
                    for paragraph in r.body["fields"]["description"]["content"]
                ),
            }
            for r in jira.calls("POST", "/rest/api/3/issue")
        ]
    if tracker == "github":
        return [
            {"summary": r.body["title"], "description": r.body["body"]}
            for r in github.calls("POST", "/repos/acme/ds/issues")
        ]
    return []


def everything_shown(slack) -> list[str]:
    """Each text field of every call that reached Slack, as a reader sees it (raises if malformed)."""
    return [shown(kind, text) for call in slack.calls for kind, text in fields(call.params)]


def test_one_liner_is_decoded_once_stored_as_typed_and_posted_escaped_once(
    tickets, slack, database, tracker, jira, github
):
    body = tickets.command("2 Fix A&amp;B &lt;prod&gt; pipeline")
    assert "Fix A&amp;B &lt;prod&gt; pipeline" in body["text"]
    assert "*Data collection &amp; initial analysis*" in body["text"]
    [post] = tickets.posts()
    assert "Fix A&amp;B &lt;prod&gt; pipeline" in post["text"]
    assert "&amp;amp;" not in post["text"] and "&amp;lt;" not in post["text"]
    assert shown("mrkdwn", post["text"]).endswith(f"· *Data collection & initial analysis*: {TYPED}")
    with database.session() as s:
        assert s.scalars(select(Ticket.summary)).one() == TYPED
    if tracker != "builtin":
        assert [t["summary"] for t in sent_to_tracker(tracker, jira, github)] == [TYPED]
    everything_shown(slack)


def test_message_shortcut_prefills_readable_text_and_the_ticket_keeps_it(tickets, signed, slack, tracker, jira, github):
    message = {
        "type": "message",
        "user": "U0002",
        "ts": "1800000000.000077",
        "text": "<@W222> Deploy &lt;model&gt; &amp; retrain\n"
        "see <https://mlflow.example/run/42|run 42> &amp; <#C0001|team>",
    }
    assert signed.message_shortcut("tickets.file_from_message", message=message).status_code == 200
    view = tickets.last_view()
    by_id = {b["block_id"]: b for b in view["blocks"]}
    summary = by_id["summary"]["element"]["initial_value"]
    description = by_id["description"]["element"]["initial_value"]
    assert summary == "@W222 Deploy <model> & retrain"
    assert description == "@W222 Deploy <model> & retrain\nsee run 42 (https://mlflow.example/run/42) & #team"
    tickets.submit(
        view,
        {
            "stage": choose("Monitoring"),
            "summary": text_input(summary),
            "description": text_input(description),
        },
    )
    post = tickets.posts()[-1]
    assert post["thread_ts"] == "1800000000.000077"
    assert "@W222 Deploy &lt;model&gt; &amp; retrain" in post["text"]
    if tracker != "builtin":
        [sent] = sent_to_tracker(tracker, jira, github)
        assert sent["summary"] == summary
        assert sent["description"].startswith(description)
    everything_shown(slack)


def test_links_and_mentions_typed_in_a_command_stay_live_in_slack_and_readable_in_the_tracker(
    tickets, slack, database, tracker, jira, github
):
    tickets.command("model Tune <https://mlflow.example/run/42|run 42> with <@U0002|grace> &amp; co")
    [post] = tickets.posts()
    assert "Tune <https://mlflow.example/run/42|run 42> with <@U0002|grace> &amp; co" in post["text"]
    with database.session() as s:
        assert (
            s.scalars(select(Ticket.summary)).one()
            == "Tune <https://mlflow.example/run/42|run 42> with <@U0002|grace> & co"
        )
    if tracker != "builtin":
        [sent] = sent_to_tracker(tracker, jira, github)
        assert sent["summary"] == "Tune run 42 (https://mlflow.example/run/42) with @grace & co"


def test_special_mentions_and_spoofed_links_in_user_text_never_ping_or_link(tickets, slack, tracker):
    tickets.command(
        "model <!channel> <!here|here> <!subteam^S0001|@ml> read <https://evil.example|https://good.example>"
    )
    tickets.command("project <!everyone> R&amp;D")
    tickets.command("board")
    assert [p for call in slack.calls if (p := pings(call.params))] == []
    [post, *_] = tickets.posts()
    assert "&lt;!channel&gt; &lt;!here|here&gt;" in post["text"]
    assert "&lt;https://evil.example|https://good.example&gt;" in post["text"]
    assert "<https://evil.example" not in post["text"]
    everything_shown(slack)


def test_project_names_typed_in_the_modal_show_as_typed_in_plain_text_and_escaped_in_mrkdwn(tickets, slack, database):
    tickets.command("")
    view = tickets.last_view()
    tickets.submit(
        view,
        {
            "project": choose("__new__"),
            "new_project": text_input("R&D <EU>"),
            "stage": choose("Monitoring"),
            "summary": text_input("Q&A <Dec>"),
        },
    )
    post = tickets.posts()[-1]
    assert "R&amp;D &lt;EU&gt;" in post["text"] and "Q&amp;A &lt;Dec&gt;" in post["text"]
    with database.session() as s:
        assert s.scalars(select(TicketProject.name)).one() == "R&D <EU>"
    tickets.command("")
    options = [o["text"]["text"] for o in tickets.last_view()["blocks"][0]["element"]["options"]]
    assert "R&D <EU>" in options
    board = tickets.command("board R&amp;D &lt;EU&gt;")
    assert board["blocks"][0]["text"]["text"] == "Board · R&D <EU>"
    everything_shown(slack)
