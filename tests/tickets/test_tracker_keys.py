"""Keys across trackers and epics per project, with a built-in channel and a Jira channel: keys are
tracker-qualified, a failure after Jira's answer never claims nothing changed, each project has its
own epic, an unmapped assignee is named.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rituals.tickets.models import Ticket, TicketProject
from tests.tickets.conftest import jira_config, text_input, user_select
from tests.tickets.conftest import select as choose


@pytest.fixture
def tickets_file(jira):
    return {
        "trackers": {
            "default": "builtin",
            "channels": {"C0002": "jira"},
            "timeout_seconds": 2,
            "jira": jira_config(jira),
        }
    }


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token"}


def command(tickets, text, channel="C0001", user="U0001"):
    response = tickets.signed.command("/ticket", text, user=user, channel=channel)
    assert response.status_code == 200
    tickets.deliver()
    return response.json() if response.content else {}


def test_the_same_key_in_two_trackers_files_both_and_asks_which_one_to_close(tickets, jira, database):
    jira._next = 0  # a Jira project keyed DS, as new as the built-in numbering
    assert command(tickets, "1 Built-in one")["text"] == "Filed `DS-1` · Built-in one in *Business case*."
    answer = command(tickets, "1 Jira one", channel="C0002")["text"]
    assert answer == f"Filed <{jira.url}/browse/DS-1|DS-1> · Jira one in *Business case*."
    ask = command(tickets, "close DS-1")["text"]
    assert ask.startswith("`DS-1` is a key in more than one tracker")
    assert "`jira:DS-1`" in ask and "`builtin:DS-1`" in ask
    assert command(tickets, "close jira:DS-1")["text"].startswith(f"<{jira.url}/browse/DS-1|DS-1> was closed")
    assert jira.issues["DS-1"].category == "done"
    with database.session() as s:
        rows = s.execute(select(Ticket.tracker, Ticket.key, Ticket.status).order_by(Ticket.id)).all()
    assert [tuple(r) for r in rows] == [("builtin", "DS-1", "open"), ("jira", "DS-1", "closed")]


def test_a_failure_after_jira_filed_says_jira_has_it_and_keeps_the_draft(tickets, jira, database):
    command(tickets, "1 First", channel="C0002")  # DS-101
    jira.issues.clear()
    jira._next = 100  # the Jira project was recreated: it hands out DS-101 again
    answer = command(tickets, "1 Second", channel="C0002")
    assert "Nothing was changed" not in answer["text"]
    assert answer["text"].startswith(":warning: Jira filed DS-101 for “Second”, but ritualbot could not record it")
    with database.session() as s:
        assert s.scalars(select(Ticket.summary)).all() == ["First"]


def test_two_projects_whose_names_slug_alike_get_their_own_epics(tickets, jira, database):
    command(tickets, "project Churn v2", channel="C0002")
    command(tickets, "project churn-v2", channel="C0002")
    epics = [r for r in jira.calls("POST", "/rest/api/3/issue") if r.body["fields"]["issuetype"]["name"] == "Epic"]
    assert [e.body["fields"]["summary"] for e in epics] == ["Churn v2", "churn-v2"]
    with database.session() as s:
        refs = dict(s.execute(select(TicketProject.name, TicketProject.external_ref)).all())
        assert refs["Churn v2"] != refs["churn-v2"]
        children = s.execute(
            select(TicketProject.external_ref, Ticket.key).join(Ticket, Ticket.project_id == TicketProject.id)
        ).all()
    parents = {jira.issues[key].fields["parent"]["key"]: ref for ref, key in children}
    assert all(parent == ref for parent, ref in parents.items())
    assert len([i for i in jira.issues.values() if i.fields.get("parent")]) == 12


def test_an_assignee_without_a_jira_account_is_named_and_mapping_them_assigns_the_next(tickets, jira, database):
    command(tickets, "", channel="C0002")
    view = tickets.last_view()
    values = {"stage": choose("Monitoring"), "summary": text_input("Watch AUC"), "assignee": user_select("U0002")}
    assert tickets.submit(view, values) == {}
    fields = jira.calls("POST", "/rest/api/3/issue")[-1].body["fields"]
    assert "assignee" not in fields
    note = tickets.ephemerals()[-1]
    assert note["user"] == "U0001"
    assert "<@U0002> has no Jira account mapped, so DS-101 is unassigned in Jira" in note["text"]
    assert "`/ticket map @user <Jira account id>`" in note["text"]
    refused = command(tickets, "map <@U0002|grace> 5b10ac8d82e05b22cc7d4ef5", channel="C0002", user="U0003")
    assert refused["text"] == "Only <@U0002> or a ritualbot admin can map <@U0002> to a tracker account."
    answer = command(tickets, "map <@U0002|grace> 5b10ac8d82e05b22cc7d4ef5", channel="C0002", user="U0002")["text"]
    assert answer == "<@U0002> is now `5b10ac8d82e05b22cc7d4ef5` in Jira."
    assert tickets.submit(view, values) == {}
    assert jira.calls("POST", "/rest/api/3/issue")[-1].body["fields"]["assignee"] == {
        "accountId": "5b10ac8d82e05b22cc7d4ef5"
    }
