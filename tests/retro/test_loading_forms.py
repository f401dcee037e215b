"""Issue 15: a modal's trigger_id is good for 3 s, so a retro button whose form must first ask Slack
whether the person is in the retro's channel (conversations.members, cached 60 s) opens the modal at
once with a loading view and shows the form, or the refusal, in it once Slack has answered
(handlers/loading.py). Driven with production's answer budget, conversations.members held by the
double and the membership cache cold; every wait is on a condition, never on the clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.deferred import ANSWER_BUDGET, Deferred
from rituals.retro.models import RetroParticipant
from tests.retro.seed import seed

WAIT = 30  # seconds a condition may take on a loaded machine before the test fails (never a sleep)
OUTSIDER = "U0009"


@pytest.fixture
def answer_budget() -> float:
    return ANSWER_BUDGET  # production's: the request answers while Slack still holds the lookup


@pytest.fixture
def lanes(app: App, slack) -> Iterator[Deferred]:
    deferred: Deferred = app.deferred  # type: ignore[attr-defined]
    yield deferred
    slack.release()
    deferred.wait_idle(WAIT)


def _participants(database) -> int:
    with database.session() as s:
        return int(s.scalar(select(func.count()).select_from(RetroParticipant)) or 0)


def _click_with_members_held(signed, slack, action_id: str, value: str, user: str):
    """Press the button while Slack holds conversations.members: the request answers, and the modal is
    open (with the click's trigger) before the lookup has an answer."""
    slack.hang_next("conversations.members")
    answer = signed.action(action_id, value, user=user)
    assert answer.status_code == 200 and answer.text == "", "an empty ack: the opened modal is the answer"
    assert slack.wait_until(lambda s: s.calls_to("conversations.members"), timeout=WAIT), "the lookup was asked"
    (opened,) = slack.calls_to("views.open")
    assert opened.params["trigger_id"].startswith("trig."), "opened with the click's trigger_id"
    assert slack.calls_to("views.update") == [], "the form waits for the lookup"
    return opened.params["view"]


def test_add_item_opens_loading_at_once_and_shows_the_form_when_slack_answers(
    retro, signed, slack, database, clock, deliver, lanes
):
    seed(database, clock, deliver, "collect")
    loading = _click_with_members_held(signed, slack, "retro.add_item", "1", "U0002")
    assert loading["title"]["text"] == "Add an item" and "submit" not in loading
    assert "Checking with Slack" in str(loading["blocks"])
    slack.release()
    assert slack.wait_until(lambda s: s.calls_to("views.update"), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    (update,) = slack.calls_to("views.update")
    assert update.params["view_id"].startswith("V") and update.params["hash"], "the opened view, at its hash"
    assert update.params["view"]["callback_id"] == "retro.add_item_modal"
    assert slack.view() == update.params["view"], "the form is what the user sees"


def test_settings_form_for_the_facilitator_arrives_by_views_update(
    retro, signed, slack, database, clock, deliver, lanes
):
    seed(database, clock, deliver, "collect")
    loading = _click_with_members_held(signed, slack, "retro.settings", "1", "U0001")
    assert loading["title"]["text"] == "Retro settings"
    slack.release()
    assert slack.wait_until(lambda s: s.calls_to("views.update"), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    assert slack.view()["callback_id"] == "retro.settings_modal"


def test_someone_outside_the_channel_sees_the_refusal_in_the_modal_and_nothing_about_the_retro(
    retro, signed, slack, database, clock, deliver, lanes
):
    slack.add_user(OUTSIDER, "mallory", tz="UTC")
    seed(database, clock, deliver, "collect")
    before = _participants(database)
    _click_with_members_held(signed, slack, "retro.add_item", "1", OUTSIDER)
    slack.release()
    assert slack.wait_until(lambda s: s.calls_to("views.update"), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    shown = slack.view()
    assert "callback_id" not in shown and "submit" not in shown, "no form"
    assert shown["blocks"][0]["text"]["text"] == (
        ":warning: Only members of <#C0001> can take part in this retro. Ask to be added to the channel first."
    )
    assert "Sprint 9" not in str(shown), "the refusal tells nothing about the retro"
    assert _participants(database) == before, "opening nothing made them a participant"
    assert not any("Only members" in r.get("text", "") for r in slack.responses()), "the modal says it, once"


def test_a_retro_of_another_workspace_is_refused_at_once_without_a_modal(
    retro, signed, slack, database, clock, deliver, lanes
):
    seed(database, clock, deliver, "collect")
    answer = signed.action("retro.add_item", "2", user="U0002")  # no retro #2 in this workspace
    assert answer.status_code == 200
    assert lanes.wait_idle(WAIT)
    assert slack.wait_until(lambda s: s.responses(), timeout=WAIT)
    assert slack.responses()[-1]["text"].startswith("That retro does not exist")
    assert slack.calls_to("views.open") == [] and slack.calls_to("conversations.members") == []
