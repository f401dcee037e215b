"""Issue 16's authorization holes, each driven as an attacker inside a workspace would: validly signed
requests naming objects of another channel or workspace. Each is refused with an ephemeral why and
changes nothing."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from reports.spend.models import SpendBudget
from rituals.retro.models import Retro, RetroItem, RetroVote
from tests.conftest import SIGNING_SECRET
from tests.retro.driver import RetroDriver, text_input
from tests.retro.driver import select as choose
from tests.retro.seed import seed
from tests.slack.signed import SignedSlack

OUTSIDER, ADMIN = "U0009", "U0005"


@pytest.fixture
def settings(settings: Settings, tmp_path) -> Settings:
    spend = {"source": "focus", "focus": {"path": str(tmp_path)}}
    return dataclasses.replace(settings, admins=(ADMIN,), file={"spend": spend})


@pytest.fixture
def retro(signed, slack, deliver, database) -> RetroDriver:
    slack.add_user(OUTSIDER, "mallory", tz="UTC")
    slack.add_user(ADMIN, "root", tz="UTC")
    return RetroDriver(signed, slack, deliver, database)


@pytest.fixture
def other_workspace(app_url, slack):
    client = SignedSlack(app_url + "slack/events", SIGNING_SECRET, team_id="T0002", response_url=slack.response_url())
    yield client
    client.close()


def state(database) -> tuple:
    with database.session() as s:
        retro = s.get(Retro, 1)
        return (
            retro.phase,
            retro.discuss_pos,
            s.scalar(select(func.count()).select_from(RetroItem)),
            s.scalar(select(func.coalesce(func.sum(RetroVote.count), 0))),
        )


def test_export_from_a_dm_by_someone_outside_the_channel_is_refused(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")
    answer = retro.signed.command("/retro", "export 1", user=OUTSIDER, channel="D0009").json()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Only members of <#C0001> can export its retros.")
    assert "Fast CI" not in answer["text"] and "U0002" not in answer["text"]
    member = retro.signed.command("/retro", "export 1", user="U0003", channel="D0003").json()
    assert "Fast CI" in member["text"], "a member may export from a DM"
    assert "Fast CI" in retro.signed.command("/retro", "export 1", user=ADMIN, channel="D0005").json()["text"]


def test_export_while_items_are_hidden_is_refused_even_to_members(retro, database, clock, deliver):
    seed(database, clock, deliver, "collect")
    answer = retro.signed.command("/retro", "export 1", user="U0002").json()
    assert "still collecting and its items stay hidden" in answer["text"]
    assert "Fast CI" not in answer["text"] and "Flaky evals" not in answer["text"]


def test_export_from_another_workspace_finds_nothing(retro, database, clock, deliver, other_workspace):
    seed(database, clock, deliver, "closed")
    answer = other_workspace.command("/retro", "export 1", user="U0001").json()
    assert answer["text"].startswith("There is no retro #1.")


def test_retro_buttons_from_another_workspace_change_nothing(retro, database, clock, deliver, slack, other_workspace):
    ids = seed(database, clock, deliver, "collect")
    before = state(database)
    for action_id, value in (("retro.advance", "1:collect"), ("retro.add_item", "1"), ("retro.settings", "1")):
        other_workspace.action(action_id, value, user="U0001")  # the facilitator's id, in another workspace
        deliver()
        assert slack.responses()[-1]["text"].startswith("That retro does not exist"), action_id
    assert state(database) == before and slack.calls_to("views.open") == []
    forged = json.dumps({"retro": ids["retro"]})
    answer = other_workspace.view_submission(
        "retro.add_item_modal",
        {"column": choose("went_well"), "text": text_input("planted")},
        user="U0002",
        private_metadata=forged,
        blocks=[{"type": "input", "block_id": "column"}, {"type": "input", "block_id": "text"}],
    ).json()
    assert answer["response_action"] == "errors" and answer["errors"]["column"].startswith("That retro does not exist")
    assert state(database) == before


def test_retro_buttons_from_outside_the_channel_are_refused(retro, database, clock, deliver, slack):
    ids = seed(database, clock, deliver, "vote")
    before = state(database)
    retro.press("retro.vote", f"1:{ids['named']}", user=OUTSIDER)
    assert retro.ephemeral().startswith("Only members of <#C0001> can take part in this retro.")
    retro.press("retro.add_action", f"1:{ids['named']}", user=OUTSIDER)  # a form: the refusal shows in its modal
    refusal = retro.refused_in_modal()
    assert refusal.startswith("Only members of <#C0001> can take part in this retro.")
    assert "Sprint 9" not in refusal and retro.forms_shown() == 0, "the refusal tells nothing about the retro"
    assert state(database) == before


def test_spend_budget_is_for_admins_when_admins_are_configured(signed, database, slack):
    slack.add_user(ADMIN, "root", tz="UTC")
    refused = signed.command("/spend", "budget nlp 1500", user="U0002").json()
    assert refused["text"] == "Only a ritualbot admin or a workspace admin can set a team's budget."
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(SpendBudget)) == 0
    slack.users["U0003"].is_admin = True  # Slack's own admin flag counts too
    assert "nlp" in signed.command("/spend", "budget nlp 1500", user="U0003").json()["text"]
    assert "vision" in signed.command("/spend", "budget vision 900", user=ADMIN).json()["text"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(SpendBudget)) == 2


def test_membership_reads_every_page_of_a_large_channel(retro, database, clock, deliver, slack):
    seed(database, clock, deliver, "closed")
    slack.add_user("U1234", "late", tz="UTC")
    slack.members["C0001"] = [f"U9{n:05d}" for n in range(1500)] + ["U1234"]  # beyond the first page of 1000
    assert "Fast CI" in retro.signed.command("/retro", "export 1", user="U1234", channel="D1234").json()["text"]
    pages = slack.calls_to("conversations.members")
    assert [c.params.get("cursor") or "" for c in pages] == ["", "1000"]
