"""Changing tickets from Slack in Jira and GitHub: a move takes the configured Jira status, reopen and
reassign reach the tracker, an unmapped person is named, a refusal says nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket
from tests.tickets.conftest import jira_config
from tests.tickets.fakes import Reply, jira_error


@pytest.fixture
def tickets_file(jira, github):
    return {
        "trackers": {
            "default": "jira",
            "timeout_seconds": 2,
            "channels": {"C0003": "github"},
            "jira": jira_config(
                jira,
                accounts={"U0002": "acc-grace"},
                stage_statuses={"Modelling / EDA": "In Progress", "Testing & validation": "In Review"},
            ),
            "github": {
                "repo": github.repo,
                "api_url": github.url,
                "token_env": "GH_TOKEN",
                "logins": {"U0002": "grace"},
            },
        }
    }


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token", "GH_TOKEN": "gh-token"}


def test_a_move_takes_the_jira_transition_configured_for_the_stage(tickets, jira):
    tickets.command("business Size churn")
    assert tickets.command("move DS-101 testing")["text"].startswith(f"<{jira.url}/browse/DS-101|DS-101> moved to")
    assert jira.calls("POST", "/rest/api/3/issue/DS-101/transitions")[-1].body == {"transition": {"id": "41"}}
    assert jira.issues["DS-101"].status == "In Review"
    answer = tickets.command("move DS-101 monitoring")["text"]
    assert answer.count(":warning:") == 0, "a stage with no status configured only relabels"
    assert jira.issues["DS-101"].status == "In Review"


def test_a_status_jira_refuses_after_the_relabel_is_a_warning_not_nothing_changed(tickets, jira, database):
    tickets.command("business Size churn")
    original = jira.answer

    def refuse_transitions(req):
        if req.path.endswith("/transitions") and req.method == "POST":
            return Reply(403, jira_error("You do not have permission to transition this issue."))
        return original(req)

    jira.answer = refuse_transitions
    answer = tickets.command("move DS-101 model")["text"]
    assert "Nothing was changed" not in answer
    assert answer.endswith(
        ":warning: Jira took the stage but not the status “In Progress”: "
        "You do not have permission to transition this issue."
    )
    with database.session() as s:
        assert s.scalars(select(Ticket.stage)).one() == "Modelling / EDA"


def test_reopen_and_reassign_reach_jira_and_github(tickets, jira, github, database):
    tickets.command("business Size churn")
    tickets.command("close DS-101")
    assert tickets.command("reopen DS-101")["text"].startswith(f"<{jira.url}/browse/DS-101|DS-101> was reopened by")
    assert jira.issues["DS-101"].category == "new"
    assert tickets.command("assign DS-101 <@U0002|grace>")["text"].endswith("was assigned to <@U0002> by <@U0001>.")
    assert jira.calls("PUT", "/rest/api/3/issue/DS-101/assignee")[-1].body == {"accountId": "acc-grace"}
    answer = tickets.command("assign DS-101 <@U0003|ravi>")["text"]
    assert answer.endswith(
        ":warning: <@U0003> has no Jira account mapped, so DS-101 is unassigned in Jira (`/ticket map`)."
    )
    assert jira.calls("PUT", "/rest/api/3/issue/DS-101/assignee")[-1].body == {"accountId": None}
    tickets.command("test Backtest", channel="C0003")
    tickets.command("close #1")
    tickets.command("reopen #1")
    tickets.command("assign #1 <@U0002|grace>")
    issue = github.state.issues[1]
    assert (issue["state"], issue["assignees"]) == ("open", [{"login": "grace"}])
    with database.session() as s:
        rows = s.execute(select(Ticket.key, Ticket.status, Ticket.assignee).order_by(Ticket.id)).all()
    assert [tuple(r) for r in rows] == [("DS-101", "open", "U0003"), ("#1", "open", "U0002")]


def test_a_tracker_that_does_not_answer_is_named(tickets, jira):
    tickets.command("business Size churn")
    jira.stop()
    answer = tickets.command("close DS-101")["text"]
    assert answer == "Jira could not be reached (ConnectError). Nothing was changed."


def test_a_move_jira_did_not_answer_in_time_does_not_claim_nothing_changed(tickets, jira, database):
    tickets.command("business Size churn")
    jira.hang_next()
    answer = tickets.command("close DS-101")["text"]
    assert "Nothing was changed" not in answer
    assert answer.startswith("Jira did not answer in time: the change may or may not have been made there")
