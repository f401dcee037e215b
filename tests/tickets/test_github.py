"""The GitHub Issues adapter against a local GitHub fake: Bearer token, stage labels, milestone
per project, GitHub's error messages, and the hidden draft marker that prevents duplicates
after a timeout.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket
from rituals.tickets.trackers.base import TicketSpec, TrackerError
from rituals.tickets.trackers.github import GitHubTracker, marker_text
from tests.tickets.conftest import buttons
from tests.tickets.fakes import github_error


@pytest.fixture
def tickets_file(github):
    return {
        "trackers": {
            "default": "builtin",
            "timeout_seconds": 0.5,
            "channels": {"C0001": "github"},
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
    return {"GH_TOKEN": "gh-token"}


def tracker(github, token="gh-token"):
    return GitHubTracker({"repo": github.repo, "api_url": github.url}, token, timeout=0.5)


def spec(**kw):
    base = {
        "summary": "Try XGBoost",
        "stage_name": "Modelling / EDA",
        "stage_label": "stage:modelling-eda",
        "marker": "d1",
    }
    return TicketSpec(**{**base, **kw})


def test_checklist_is_a_milestone_with_one_labelled_issue_per_stage(tickets, github, database):
    text = tickets.command("project Churn model")["text"]
    milestone = github.calls("POST", "/repos/acme/ds/milestones")[0]
    assert milestone.headers["authorization"] == "Bearer gh-token"
    assert milestone.headers["accept"] == "application/vnd.github+json"
    assert milestone.body["title"] == "Churn model"
    created = github.calls("POST", "/repos/acme/ds/issues")
    assert [r.body["labels"] for r in created][0] == ["stage:business-case"]
    assert all(r.body["milestone"] == 1 for r in created) and len(created) == 6
    assert "<!-- ritualbot:draft=" in created[0].body["body"]
    assert "*Monitoring* — <https://github.com/acme/ds/issues/6|#6>" in text
    with database.session() as s:
        assert s.scalars(select(Ticket.key).order_by(Ticket.id)).all() == [f"#{n}" for n in range(1, 7)]


def test_move_swaps_the_stage_label_and_close_completes_the_issue(tickets, github):
    tickets.command("model Try XGBoost")
    tickets.command("move 1 testing")
    patch = github.calls("PATCH", "/repos/acme/ds/issues/1")[0].body
    assert patch == {"labels": ["stage:testing-validation"]}
    tickets.command("close #1")
    assert github.calls("PATCH", "/repos/acme/ds/issues/1")[1].body == {
        "state": "closed",
        "state_reason": "completed",
    }
    assert github.state.issues[1]["state"] == "closed"


def test_bad_credentials_are_reported_with_githubs_message_and_retry_succeeds(tickets, github):
    github.fail_next(401, github_error("Bad credentials", status="401"))
    answer = tickets.command("business Size the problem")
    assert answer["text"].split("\n")[0] == ":warning: GitHub did not file “Size the problem”: Bad credentials"
    retry = buttons(answer["blocks"])[0]
    reply = tickets.press(retry["action_id"], retry["value"])[-1]
    assert reply["text"] == "Filed <https://github.com/acme/ds/issues/1|#1> · Size the problem in *Business case*."


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (
            403,
            github_error("Resource not accessible by personal access token"),
            "Resource not accessible by personal access token",
        ),
        (404, github_error("Not Found"), "Not Found"),
        (
            422,
            github_error(
                "Validation Failed",
                errors=[{"resource": "Issue", "field": "milestone", "code": "invalid"}],
            ),
            "Validation Failed (Issue milestone invalid)",
        ),
        (502, None, "answered HTTP 502"),
    ],
)
def test_refusals_carry_githubs_own_reason(github, status, body, reason):
    github.fail_next(status, body)
    with pytest.raises(TrackerError) as caught:
        tracker(github).create(spec())
    assert (caught.value.reason, caught.value.status, caught.value.uncertain) == (
        reason,
        status,
        status >= 500,
    )
    assert github.state.issues == {}


def test_wrong_token_is_refused_by_the_fake_as_github_does(github):
    with pytest.raises(TrackerError) as caught:
        tracker(github, token="stale").create(spec())
    assert caught.value.reason == "Bad credentials" and caught.value.status == 401


def test_after_a_timeout_the_marker_finds_the_issue_that_was_created(github):
    github.hang_next()
    with pytest.raises(TrackerError) as caught:
        tracker(github).create(spec(marker="draft42"))
    assert caught.value.uncertain and len(github.state.issues) == 1
    github.release.set()
    found = tracker(github).find_by_marker("draft42", spec())
    assert found is not None and found.key == "#1"
    assert github.state.issues[1]["body"].endswith(marker_text("draft42"))
    assert tracker(github).find_by_marker("other", spec()) is None


def test_an_existing_milestone_is_reused(github):
    first = tracker(github).create_project("Churn model", "m1")
    again = tracker(github).create_project("Churn model", "m2")
    assert first.ref == again.ref == "1" and len(github.state.milestones) == 1


def test_list_by_project_and_get_read_state_and_labels(github):
    gh = tracker(github)
    ref = gh.create_project("Churn model", "m1").ref
    gh.create(spec(project_ref=ref, labels=("xgb",)))
    gh.create(spec(summary="Unrelated"))
    gh.close("#1")
    listed = gh.list_project(ref)
    assert [(t.key, t.status, t.labels) for t in listed] == [("#1", "closed", ("stage:modelling-eda", "xgb"))]
    assert gh.get("#2").summary == "Unrelated"


def test_a_shortcut_ticket_refused_by_github_gets_an_ephemeral_retry_that_replies_in_the_thread(
    tickets, signed, github
):
    message = {"type": "message", "user": "U0002", "ts": "1800000000.000050", "text": "Scorer OOMs"}
    signed.message_shortcut("tickets.file_from_message", message=message, user="U0003")
    view = tickets.last_view()
    github.fail_next(503, github_error("Service Unavailable"))
    values = {
        "stage": {"value": {"selected_option": {"value": "Operationalization"}}},
        "summary": {"value": {"value": "Scorer OOMs"}},
        "assignee": {"value": {"selected_user": "U0002"}},
    }
    assert tickets.submit(view, values, user="U0003") == {}, "the modal closes; the reason comes ephemerally"
    prompt = tickets.ephemerals()[-1]
    assert (prompt["channel"], prompt["user"]) == ("C0001", "U0003")
    assert prompt["text"].startswith(":warning: GitHub did not file “Scorer OOMs”: Service Unavailable")
    assert [p for p in tickets.posts() if p.get("thread_ts")] == []
    retry = buttons(prompt["blocks"])[0]
    assert "Only the person" in tickets.press(retry["action_id"], retry["value"], user="U0001")[-1]["text"]
    reply = tickets.press(retry["action_id"], retry["value"], user="U0003")[-1]
    assert reply["text"].startswith("Filed <https://github.com/acme/ds/issues/1|#1>")
    searched = github.calls("GET", "/repos/acme/ds/issues")
    assert searched and searched[0].query["state"] == "all", "a 5xx may have applied: look before re-creating"
    thread = [p for p in tickets.posts() if p.get("thread_ts") == "1800000000.000050"]
    assert len(thread) == 1 and "filed <https://github.com/acme/ds/issues/1|#1>" in thread[0]["text"]
    assert github.state.issues[1]["assignees"] == [{"login": "grace"}]


def test_without_a_login_mapping_the_assignee_stays_in_ritualbot_only(github):
    tracker(github).create(spec(assignee="U0002"))
    assert "assignees" not in github.calls("POST", "/repos/acme/ds/issues")[0].body
