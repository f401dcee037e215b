"""The Jira adapter against a local Jira fake, driven through /ticket: request shape (Basic auth,
project key, issue type, ADF description, parent epic, stage label), the tracker's reasons,
Retry, no duplicates.
"""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket, TicketDraft
from rituals.tickets.trackers.base import TicketSpec
from rituals.tickets.trackers.jira import JiraTracker
from tests.tickets.conftest import buttons, jira_config
from tests.tickets.fakes import Reply, jira_error


@pytest.fixture
def tickets_file(jira):
    return {"trackers": {"default": "jira", "timeout_seconds": 0.5, "jira": jira_config(jira)}}


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token"}


def test_checklist_creates_an_epic_and_stage_issues_shaped_as_jira_documents(tickets, jira, database):
    text = tickets.command("project Churn model")["text"]
    epic, *issues = jira.calls("POST", "/rest/api/3/issue")
    auth = "Basic " + base64.b64encode(b"bot@example.com:jira-token").decode()
    assert all(r.headers["authorization"] == auth for r in jira.requests)
    assert epic.body["fields"]["issuetype"] == {"name": "Epic"} and epic.body["fields"]["summary"] == "Churn model"
    assert len(issues) == 6
    fields = issues[2].body["fields"]
    assert fields["project"] == {"key": "DS"} and fields["issuetype"] == {"name": "Task"}
    assert fields["summary"] == "Modelling / EDA: Churn model"
    assert fields["parent"] == {"key": "DS-101"}
    assert fields["labels"][0] == "stage:modelling-eda" and fields["labels"][1].startswith("ritualbot-")
    assert fields["description"] == {"type": "doc", "version": 1, "content": []}
    assert f"*Modelling / EDA* — <{jira.url}/browse/DS-104|DS-104>" in text
    assert f"(<{jira.url}/browse/DS-101|epic>)" in text


def test_description_and_permalink_become_adf_paragraphs_with_a_link(tickets, signed, jira):
    message = {
        "type": "message",
        "user": "U0002",
        "ts": "1800000000.000042",
        "text": "Drift on EU\n\nAUC 0.81 -> 0.74",
    }
    signed.message_shortcut("tickets.file_from_message", message=message)
    view = tickets.slack.view()
    tickets.submit(
        view,
        {
            "stage": {"value": {"selected_option": {"value": "Monitoring"}}},
            "summary": {"value": {"value": "Drift on EU"}},
            "description": {"value": {"value": message["text"]}},
        },
    )
    description = jira.calls("POST", "/rest/api/3/issue")[0].body["fields"]["description"]
    assert description["content"][0] == {
        "type": "paragraph",
        "content": [{"type": "text", "text": "Drift on EU"}],
    }
    assert description["content"][1]["content"][0]["text"] == "AUC 0.81 -> 0.74"
    link = description["content"][2]["content"][0]
    assert link["marks"][0]["attrs"]["href"].endswith("/archives/C0001/p1800000000000042")
    assert tickets.posts()[-1]["thread_ts"] == "1800000000.000042"
    assert f"<{jira.url}/browse/DS-101|DS-101>" in tickets.posts()[-1]["text"]


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (
            401,
            "Client must be authenticated to access this resource.",
            "Jira did not file “Try XGBoost”: authentication failed (check the token)",
        ),
        (
            403,
            jira_error("You do not have permission to create issues in this project."),
            "Jira did not file “Try XGBoost”: You do not have permission to create issues in this project.",
        ),
        (
            404,
            jira_error("Project 'DS' does not exist."),
            "Jira did not file “Try XGBoost”: Project 'DS' does not exist.",
        ),
        (
            400,
            jira_error(issuetype="Specify an issue type"),
            "Jira did not file “Try XGBoost”: issuetype: Specify an issue type",
        ),
        (
            503,
            jira_error("Service unavailable"),
            "Jira did not file “Try XGBoost”: Service unavailable",
        ),
    ],
)
def test_a_refusal_shows_jiras_reason_and_retry_files_the_kept_draft_once(
    tickets, jira, database, status, body, reason
):
    jira.fail_next(status, body)
    answer = tickets.command("model Try XGBoost")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].split("\n")[0] == ":warning: " + reason
    retry = buttons(answer["blocks"])[0]
    assert retry["text"]["text"] == "Retry"
    assert tickets.posts() == []
    with database.session() as s:
        draft = s.scalars(select(TicketDraft)).one()
        assert (draft.status, draft.payload["summary"], draft.payload["stage"]) == (
            "failed",
            "Try XGBoost",
            "Modelling / EDA",
        )
    replies = tickets.press(retry["action_id"], retry["value"])
    assert replies[-1]["replace_original"] is True
    assert replies[-1]["text"] == f"Filed <{jira.url}/browse/DS-101|DS-101> · Try XGBoost in *Modelling / EDA*."
    assert len(jira.issues) == 1
    with database.session() as s:
        assert s.scalars(select(Ticket.key)).all() == ["DS-101"]
    again = tickets.press(retry["action_id"], retry["value"])[-1]["text"]
    assert again == f"Filed <{jira.url}/browse/DS-101|DS-101> · Try XGBoost in *Modelling / EDA*."
    assert len(tickets.posts()) == 1, "the channel hears about the ticket once"
    assert len(jira.issues) == 1, "pressing Retry again on a filed draft does not file it twice"


def test_a_timeout_whose_request_reached_jira_is_found_by_its_marker_not_filed_twice(tickets, jira, database):
    jira.hang_next()
    answer = tickets.command("test Backtest on Q3")
    assert "Jira did not file “Backtest on Q3”: did not answer in time" in answer["text"]
    assert len(jira.issues) == 1, "the request reached Jira before the timeout"
    jira.release.set()
    retry = buttons(answer["blocks"])[0]
    replies = tickets.press(retry["action_id"], retry["value"])
    assert replies[-1]["text"].startswith(f"Filed <{jira.url}/browse/DS-101|DS-101>")
    assert len(jira.calls("POST", "/rest/api/3/issue")) == 1
    search = jira.calls("GET", "/rest/api/3/search/jql")[-1]
    assert search.query["jql"].startswith('project = "DS" AND labels = "ritualbot-')
    with database.session() as s:
        assert s.scalars(select(Ticket.key)).all() == ["DS-101"]


def test_move_relabels_and_close_takes_the_done_transition(tickets, jira):
    tickets.command("model Try XGBoost")
    assert tickets.command("move DS-101 testing")["text"].startswith("<")
    edit = jira.calls("PUT", "/rest/api/3/issue/DS-101")[0].body
    assert edit == {"update": {"labels": [{"remove": "stage:modelling-eda"}, {"add": "stage:testing-validation"}]}}
    tickets.command("close DS-101")
    assert jira.calls("POST", "/rest/api/3/issue/DS-101/transitions")[0].body == {"transition": {"id": "31"}}
    assert jira.issues["DS-101"].category == "done"


def test_a_configured_stage_field_replaces_the_stage_label(tickets, jira, tickets_file):
    tickets_file["trackers"]["jira"]["stage_field"] = "customfield_10050"
    tickets.command("monitor Watch AUC weekly")
    fields = jira.calls("POST", "/rest/api/3/issue")[0].body["fields"]
    assert fields["customfield_10050"] == {"value": "Monitoring"}
    assert not any(label.startswith("stage:") for label in fields["labels"])


def test_a_refused_move_keeps_the_local_stage_and_says_why(tickets, jira, database):
    tickets.command("model Try XGBoost")
    jira.fail_next(403, jira_error("You do not have permission to edit issues in this project."))
    answer = tickets.command("move DS-101 testing")["text"]
    assert answer == (
        "Jira refused: You do not have permission to edit issues in this project. Nothing was changed here."
    )
    with database.session() as s:
        assert s.scalars(select(Ticket.stage)).one() == "Modelling / EDA"


def test_a_checklist_stopped_by_jira_keeps_what_was_filed_and_retry_files_only_the_rest(tickets, jira):
    tickets.command("business Size the problem")  # DS-101, outside the project
    jira.requests.clear()
    jira_error_body = jira_error("Issue type 'Task' is not valid for this project.")
    original = jira.answer
    calls = {"n": 0}

    def refuse_fourth(req):
        calls["n"] += req.method == "POST"
        if req.method == "POST" and calls["n"] == 4:  # epic and two stages pass, the third is refused
            return Reply(400, jira_error_body)
        return original(req)

    jira.answer = refuse_fourth
    answer = tickets.command("project Churn model")
    assert answer["text"].startswith("Project *Churn model*")
    assert "2 of 6 stage tickets" in answer["text"]
    assert "Jira: Issue type 'Task' is not valid for this project." in answer["text"]
    retry = buttons(answer["blocks"])[0]
    assert (retry["action_id"], retry["value"]) == ("tickets.retry_project", "Churn model")
    jira.answer = original
    reply = tickets.press(retry["action_id"], retry["value"])[-1]
    assert "6 of 6 stage tickets (4 new)" in reply["text"]
    posted = [r.body["fields"]["summary"] for r in jira.calls("POST", "/rest/api/3/issue")]
    assert posted.count("Modelling / EDA: Churn model") == 2, "refused once, then filed on retry"
    created = [i.fields["summary"] for i in jira.issues.values()]
    assert created.count("Modelling / EDA: Churn model") == 1 and len(created) == 8
    assert len(posted) == 8  # the epic, 2 stages, the refused one, 4 on retry


def test_a_missing_token_names_the_variable_and_keeps_the_draft(tickets, tickets_env, database):
    tickets_env.clear()
    answer = tickets.command("model Try XGBoost")
    assert answer["text"].startswith(
        ":warning: Jira did not file “Try XGBoost”: the tracker is not set up (JIRA_API_TOKEN is not set"
    )
    assert buttons(answer["blocks"])[0]["text"]["text"] == "Retry"
    with database.session() as s:
        assert s.scalars(select(TicketDraft.status)).one() == "failed"


def test_mapped_assignee_is_sent_as_an_account_id_and_get_and_list_read_jira(tickets, jira, tickets_file):
    tickets_file["trackers"]["jira"]["accounts"] = {"U0002": "5b10ac8d82e05b22cc7d4ef5"}
    jt = JiraTracker(tickets_file["trackers"]["jira"], "jira-token", timeout=0.5)
    epic = jt.create_project("Churn model", "m1")
    assert jt.create_project("Churn model", "m1") == epic, "found by its marker, not created twice"
    spec = TicketSpec(
        "Try XGBoost", "Modelling / EDA", "stage:modelling-eda", assignee="U0002", project_ref=epic.ref, marker="d1"
    )
    created = jt.create(spec)
    fields = jira.calls("POST", "/rest/api/3/issue")[-1].body["fields"]
    assert fields["assignee"] == {"accountId": "5b10ac8d82e05b22cc7d4ef5"}
    jt.close(created.key)
    assert jt.get(created.key).status == "closed"
    assert [t.key for t in jt.list_project(epic.ref)] == [created.key]
    assert jira.calls("GET", "/rest/api/3/search/jql")[-1].query["jql"] == f'parent = "{epic.ref}"'
