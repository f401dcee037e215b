"""The project form: a project's profile (target, metric, domain, customer, people) filled in a modal,
shown on the board and written into the Jira epic's description."""

from __future__ import annotations

import pytest

from tests.tickets.conftest import jira_config, text_input


@pytest.fixture
def tickets_file(jira):
    return {"trackers": {"default": "builtin", "channels": {"C0002": "jira"}, "jira": jira_config(jira)}}


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token"}


def profile_values():
    return {
        "profile_target": text_input("Cut monthly churn by 10%"),
        "profile_metric": text_input("Recall@top-5% ≥ 0.6"),
        "profile_domain": text_input("Retail banking"),
        "profile_customer": text_input("CRM department"),
        "profile_lead": {"value": {"type": "users_select", "selected_user": "U0001"}},
        "profile_analysts": {"value": {"type": "multi_users_select", "selected_users": ["U0003"]}},
        "profile_data_scientists": {"value": {"type": "multi_users_select", "selected_users": ["U0002", "U0003"]}},
    }


def test_the_project_form_fills_the_profile_shown_on_the_board_and_in_the_epic(tickets, jira, slack):
    tickets.command("project Churn v3", channel="C0002")
    assert tickets.command("profile Churn v3", channel="C0002") == {}
    view = tickets.last_view()
    assert view["callback_id"] == "tickets.profile_modal"
    assert [b["label"]["text"] for b in view["blocks"][1:]] == [
        "Business target",
        "Success metric",
        "Domain",
        "Customer / department",
        "Team lead",
        "Analysts",
        "Data scientists",
    ]
    assert tickets.submit(view, profile_values()) == {}
    board = tickets.command("board Churn v3")
    shown = board["blocks"][2]["text"]["text"]
    assert shown == (
        "Business target: Cut monthly churn by 10%\nSuccess metric: Recall@top-5% ≥ 0.6\nDomain: Retail banking\n"
        "Customer / department: CRM department\nTeam lead: <@U0001>\nAnalysts: <@U0003>\n"
        "Data scientists: <@U0002>, <@U0003>"
    )
    edit = jira.calls("PUT", "/rest/api/3/issue/DS-101")[-1].body
    paragraph = edit["fields"]["description"]["content"][0]["content"]
    assert paragraph[0] == {"type": "text", "text": "Business target: Cut monthly churn by 10%"}
    assert {"type": "text", "text": "Team lead: ada"} in paragraph
    assert {"type": "text", "text": "Data scientists: grace, ravi"} in paragraph  # names, not Slack ids
    assert "U000" not in str(edit)
    dm = slack.posted("U0001")[-1]["text"]
    assert dm.startswith("Saved the profile of *Churn v3*")
    tickets.command("profile Churn v3", channel="C0002")
    again = tickets.last_view()
    assert again["blocks"][1]["element"]["initial_value"] == "Cut monthly churn by 10%"
    assert again["blocks"][7]["element"]["initial_users"] == ["U0002", "U0003"]


def test_a_profile_for_an_unknown_project_names_the_projects(tickets):
    tickets.command("project Churn v3")
    answer = tickets.command("profile Fraud")["text"]
    assert answer == "There is no project `Fraud`. Projects: Churn v3."


def test_a_person_slack_cannot_find_is_named_by_id_and_a_failing_lookup_still_saves(tickets, jira, slack):
    tickets.command("project Churn v3", channel="C0002")
    tickets.command("profile Churn v3", channel="C0002")
    values = profile_values()
    values["profile_analysts"] = {"value": {"type": "multi_users_select", "selected_users": ["U0404"]}}
    slack.fail_next("users.info", status=500, error="internal_error", times=1)  # the lead's lookup fails
    assert tickets.submit(tickets.last_view(), values) == {}
    edit = jira.calls("PUT", "/rest/api/3/issue/DS-101")[-1].body
    paragraph = edit["fields"]["description"]["content"][0]["content"]
    assert {"type": "text", "text": "Team lead: Slack user U0001"} in paragraph
    assert {"type": "text", "text": "Analysts: Slack user U0404"} in paragraph
    assert {"type": "text", "text": "Data scientists: grace, ravi"} in paragraph
    assert slack.posted("U0001")[-1]["text"].startswith("Saved the profile of *Churn v3*")
