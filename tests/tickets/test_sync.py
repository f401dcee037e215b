"""Two-way sync through real signed webhooks (GitHub's X-Hub-Signature-256, Jira's X-Hub-Signature)
into the web process, and the reconcile job where no webhook is set up: the board and the ticket's
Slack thread follow what changed in the tracker.
"""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from bot import jobs, outbox
from rituals.tickets.models import Ticket, TicketStageMove
from rituals.tickets.webhooks import signature
from tests.tickets.conftest import jira_config

GH_SECRET = "gh-hook-secret"
JIRA_SECRET = "jira-hook-secret"


@pytest.fixture
def tickets_file(github, jira):
    return {
        "trackers": {
            "default": "builtin",
            "timeout_seconds": 2,
            "channels": {"C0001": "github", "C0002": "jira"},
            "github": {
                "repo": github.repo,
                "api_url": github.url,
                "token_env": "GH_TOKEN",
                "logins": {"U0002": "grace"},
            },
            "jira": jira_config(jira, accounts={"U0003": "acc-ravi"}),
        }
    }


@pytest.fixture
def tickets_env():
    return {
        "GH_TOKEN": "gh-token",
        "JIRA_API_TOKEN": "jira-token",
        "GITHUB_WEBHOOK_SECRET": GH_SECRET,
        "JIRA_WEBHOOK_SECRET": JIRA_SECRET,
    }


def hook(app_url, path, payload, headers):
    body = json.dumps(payload).encode()
    secret = GH_SECRET if path.endswith("github") else JIRA_SECRET
    header = "X-Hub-Signature-256" if path.endswith("github") else "X-Hub-Signature"
    sent = {"Content-Type": "application/json", header: signature(secret, body), **headers}
    return httpx.post(app_url + path.lstrip("/"), content=body, headers=sent)


def ticket(database, key):
    with database.session() as s:
        row = s.scalars(select(Ticket).where(Ticket.key == key)).one()
        s.expunge(row)
        return row


def test_a_github_issue_closed_and_relabelled_there_updates_the_board_and_the_thread(
    tickets, github, app_url, database
):
    tickets.command("model Try XGBoost")
    with database.session() as s:
        filed_ts = outbox.find_by_ref(s, f"tickets:ticket:{ticket(database, '#1').id}").ts
    issue = github.state.issues[1]
    issue["state"] = "closed"
    issue["labels"] = [{"name": "stage:testing-validation"}]
    issue["assignees"] = [{"login": "grace"}]
    issue["comments"] = 2
    payload = {"action": "closed", "issue": issue, "repository": {"full_name": github.repo}}
    answer = hook(app_url, "/tickets/webhooks/github", payload, {"X-GitHub-Event": "issues"})
    assert (answer.status_code, answer.text) == (200, "1 ticket(s) updated")
    tickets.deliver()
    row = ticket(database, "#1")
    assert (row.status, row.stage, row.assignee, row.comments) == ("closed", "Testing & validation", "U0002", 2)
    reply = tickets.posts()[-1]
    assert filed_ts and reply["thread_ts"] == filed_ts
    assert reply["text"].endswith(
        "In GitHub: closed; moved to *Testing & validation*; assigned to <@U0002>; 2 new comments."
    )
    board = tickets.command("board")["text"]
    assert "Testing &amp; validation 0" in board and "Modelling / EDA 0" in board
    with database.session() as s:
        moves = s.execute(select(TicketStageMove.from_stage, TicketStageMove.to_stage, TicketStageMove.actor)).all()
    assert [tuple(m) for m in moves] == [
        (None, "Modelling / EDA", "U0001"),
        ("Modelling / EDA", "Testing & validation", "GitHub"),
    ]


def test_a_webhook_with_a_wrong_signature_or_another_repo_changes_nothing(tickets, github, app_url, database):
    tickets.command("model Try XGBoost")
    issue = {**github.state.issues[1], "state": "closed"}
    body = json.dumps({"issue": issue, "repository": {"full_name": github.repo}}).encode()
    forged = httpx.post(
        app_url + "tickets/webhooks/github",
        content=body,
        headers={"X-GitHub-Event": "issues", "X-Hub-Signature-256": signature("not-the-secret", body)},
    )
    assert (forged.status_code, forged.text) == (401, "bad signature")
    other = {"issue": issue, "repository": {"full_name": "someone/else"}}
    assert hook(app_url, "/tickets/webhooks/github", other, {"X-GitHub-Event": "issues"}).text == "ignored"
    assert ticket(database, "#1").status == "open"


def test_a_jira_webhook_reads_the_issue_back_and_applies_its_done_status(tickets, jira, app_url, database):
    answer = tickets.command("model Try XGBoost", channel="C0002")
    assert answer["text"].startswith("Filed <")
    jira.issues["DS-101"].status, jira.issues["DS-101"].category = "Done", "done"
    jira.issues["DS-101"].fields["assignee"] = {"accountId": "acc-ravi"}
    jira.issues["DS-101"].comments = 1
    payload = {"webhookEvent": "jira:issue_updated", "issue": {"key": "DS-101", "fields": {}}}
    assert hook(app_url, "/tickets/webhooks/jira", payload, {}).text == "1 ticket(s) updated"
    row = ticket(database, "DS-101")
    assert (row.status, row.assignee, row.comments) == ("closed", "U0003", 1)
    assert hook(app_url, "/tickets/webhooks/jira", payload, {}).text == "0 ticket(s) updated", "applied once"


def test_the_reconcile_job_applies_changes_made_in_jira_and_skips_a_tracker_that_is_down(
    tickets, jira, github, runtime, database, clock
):
    tickets.command("model Try XGBoost", channel="C0002")
    tickets.command("test Backtest")  # GitHub #1
    jira.issues["DS-101"].fields["labels"] = ["stage:monitoring", *jira.issues["DS-101"].fields["labels"][1:]]
    github.state.issues[1]["state"] = "closed"
    github.fail_next(503, {"message": "Service unavailable"})
    assert jobs.run("tickets.reconcile", "T0001", rt=runtime).state == "ran"
    assert ticket(database, "DS-101").stage == "Monitoring"
    assert ticket(database, "#1").status == "open", "GitHub was down: left as it was"
    clock.advance(minutes=15)
    assert jobs.run("tickets.reconcile", "T0001", rt=runtime).state == "ran"
    assert ticket(database, "#1").status == "closed"
    with database.session() as s:
        desired = runtime.capabilities.desired_jobs(s)
    assert [d.id for d in desired if d.job == "tickets.reconcile"] == ["tickets:T0001:reconcile"]
