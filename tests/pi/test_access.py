"""Issue 16's PI holes, driven as Slack does: objects named from another workspace, confidence votes
from outside the channel, and RITUALBOT_ADMINS closing a PI whose creator left."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from rituals.pi import votes
from rituals.pi.models import Ballot, ProgramIncrement, Risk
from tests.conftest import SIGNING_SECRET
from tests.pi.driver import ADA, GRACE, RAVI, choose, new_pi_values, objective_values, text_input, user_pick
from tests.slack.signed import SignedSlack

OUTSIDER, ADMIN = "U0009", "U0005"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, admins=(ADMIN,))


@pytest.fixture
def other_workspace(app_url, slack):
    client = SignedSlack(app_url + "slack/events", SIGNING_SECRET, team_id="T0002", response_url=slack.response_url())
    yield client
    client.close()


def start(pi) -> None:
    pi.slack.add_user(OUTSIDER, "mallory", tz="UTC")
    pi.slack.add_user(ADMIN, "root", tz="UTC")
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    pi.command("risk", user=RAVI)
    pi.submit(
        {
            "description": text_input("Backfill needs the prod replica"),
            "owner": user_pick(RAVI),
            "roam": choose("owned"),
        },
        RAVI,
    )


def roam(signed, user: str, value: str):
    return signed.action(
        "pi.risk_roam",
        "",
        user=user,
        type="static_select",
        selected_option={"value": value, "text": {"type": "plain_text", "text": "Resolved"}},
    )


def test_a_risk_menu_from_another_workspace_changes_nothing(pi, database, slack, other_workspace):
    start(pi)
    before = len(slack.responses())
    assert roam(other_workspace, ADA, "1:resolved").status_code == 200
    pi.deliver()
    assert slack.responses()[before]["text"] == "That risk no longer exists."
    with database.session() as s:
        assert s.get(Risk, 1).roam == "owned"


def test_a_risk_menu_from_outside_the_channel_is_refused(pi, database, slack, signed):
    start(pi)
    before = len(slack.responses())
    roam(signed, OUTSIDER, "1:resolved")
    pi.deliver()
    assert slack.responses()[before]["text"].startswith("Only members of <#C0001> can take part in this PI.")
    with database.session() as s:
        assert s.get(Risk, 1).roam == "owned"


def test_check_in_and_edit_buttons_from_another_workspace_open_nothing(pi, slack, other_workspace):
    start(pi)
    opened = len(slack.calls_to("views.open"))
    for action_id in ("pi.checkin_open", "pi.objective_edit", "pi.actual_open", "pi.objective_drop"):
        before = len(slack.responses())
        other_workspace.action(action_id, "1", user=GRACE)
        pi.deliver()
        assert slack.responses()[before]["text"] == "That objective was dropped or no longer exists.", action_id
    assert len(slack.calls_to("views.open")) == opened


def test_only_channel_members_count_in_the_confidence_vote(pi, database, slack, other_workspace):
    start(pi)
    pi.command("vote")
    assert pi.press("pi.vote_5", "1", GRACE)[0]["text"].startswith("Your vote is 5.")
    refused = pi.press("pi.vote_1", "1", OUTSIDER)
    assert refused[0]["text"].startswith("Only members of <#C0001> can vote on this PI's confidence.")
    assert pi.press("pi.vote_1", "1", ADMIN)[0]["text"].startswith("Only members of <#C0001>"), "admins do not vote"
    before = len(slack.responses())
    other_workspace.action("pi.vote_1", "1", user=RAVI)
    pi.deliver()
    assert slack.responses()[before]["text"] == "That vote no longer exists."
    with database.session() as s:
        assert s.scalars(select(Ballot.user_id)).all() == [GRACE]
    pi.press("pi.vote_close", "1", ADA)
    with database.session() as s:
        assert votes.last_average(s, 1) == Decimal("5.0"), "the outsider's 1 does not pull the average down"


def test_a_configured_admin_closes_the_vote_and_the_pi_when_the_creator_is_gone(pi, database):
    start(pi)
    pi.command("vote")
    assert "Only the facilitator" in pi.press("pi.vote_close", "1", GRACE)[0]["text"]
    assert pi.press("pi.vote_close", "1", ADMIN) == []
    assert "Only the PI's creator (<@U0001>) or an admin" in pi.command("close", user=GRACE)["text"]
    assert "waiting for actual business value" in pi.command("close", user=ADMIN)["text"]
    assert "closed with predictability" in pi.command("close now", user=ADMIN)["text"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(ProgramIncrement).where(ProgramIncrement.state == "closed"))


def private_team(pi) -> None:
    """A private channel whose only member is Grace runs the same PI as C0001."""
    pi.slack.members["C0004"] = [GRACE]
    start(pi)
    pi.command("new", user=GRACE, channel="C0004")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12", channel="C0004"), GRACE)
    pi.command("objective", user=GRACE, channel="C0004")
    pi.submit(objective_values("Secret merger model", "9", GRACE), GRACE)


def test_the_train_shows_only_channels_the_caller_is_in_and_counts_the_rest(pi):
    private_team(pi)
    answer = pi.command("train", user=RAVI)
    shown = answer["text"] + str(answer["blocks"])
    assert "Secret merger model" not in shown and "C0004" not in shown
    assert "1 more channel runs this PI; only its members (and admins) see it." in shown
    assert "Secret merger model" in str(pi.command("train", user=ADMIN)["blocks"])
    assert "Secret merger model" in str(pi.command("train", user=GRACE)["blocks"])


def test_export_of_a_pi_from_a_channel_the_caller_is_not_in_is_refused(pi):
    private_team(pi)
    answer = pi.command("export 2", user=RAVI)
    assert answer["text"].startswith("Only members of <#C0004> can export its PIs.")
    assert "Secret merger model" not in answer["text"]
    assert "Secret merger model" in pi.command("export 2", user=GRACE, channel="C0004")["text"]
