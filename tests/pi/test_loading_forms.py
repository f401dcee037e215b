"""Issue 15: a modal's trigger_id is good for 3 s, so a PI button whose form must first ask Slack whether
the person is in the PI's channel (conversations.members, cached 60 s) opens the modal at once with a
loading view and shows the form, or the refusal, in it once Slack has answered (handlers/loading.py).
Driven with production's answer budget, conversations.members held by the double and the membership
cache cold (the clock moved past its 60 s); every wait is on a condition, never on the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_bolt import App

from bot.deferred import ANSWER_BUDGET, Deferred
from tests.pi.driver import ADA, GRACE, new_pi_values, objective_values

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


def _planned(pi, lanes, clock) -> None:
    """A PI in C0001 with one objective owned by Grace; then the membership cache goes cold."""
    pi.command("new")
    assert lanes.wait_idle(WAIT)
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    assert lanes.wait_idle(WAIT)
    pi.command("objective")
    assert lanes.wait_idle(WAIT)
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    assert lanes.wait_idle(WAIT)
    clock.advance(timedelta(seconds=61))  # handlers.access caches a channel's members for 60 s


def _click_with_members_held(pi, action_id: str, user: str) -> dict:
    slack = pi.slack
    opened_before = len(slack.calls_to("views.open"))
    updated_before = len(slack.calls_to("views.update"))
    slack.hang_next("conversations.members")
    answer = pi.signed.action(action_id, "1", user=user)
    assert answer.status_code == 200 and answer.text == "", "an empty ack: the opened modal is the answer"
    assert slack.wait_until(lambda s: s.calls_to("conversations.members"), timeout=WAIT), "the lookup was asked"
    opened = slack.calls_to("views.open")[opened_before:]
    assert len(opened) == 1, "the modal is open before Slack answered the lookup"
    assert opened[0].params["trigger_id"].startswith("trig."), "opened with the click's trigger_id"
    assert len(slack.calls_to("views.update")) == updated_before, "the form waits for the lookup"
    slack.release()
    assert slack.wait_until(lambda s: len(s.calls_to("views.update")) > updated_before, timeout=WAIT)
    return opened[0].params["view"]


def test_check_in_opens_loading_at_once_and_shows_the_form_when_slack_answers(pi, slack, clock, lanes):
    _planned(pi, lanes, clock)
    assert slack.calls_to("conversations.members"), "the setup asked once; the cache has expired since"
    loading = _click_with_members_held(pi, "pi.checkin_open", GRACE)
    assert "submit" not in loading and "Checking with Slack" in str(loading["blocks"])
    assert lanes.wait_idle(WAIT)
    update = slack.calls_to("views.update")[-1]
    assert update.params["view_id"].startswith("V") and update.params["hash"], "the opened view, at its hash"
    assert update.params["view"]["callback_id"] == "pi.checkin_modal"
    assert "Churn model v2" in str(update.params["view"]["blocks"])


def test_edit_objective_by_someone_outside_the_channel_shows_the_refusal_in_the_modal(pi, slack, clock, lanes):
    slack.add_user(OUTSIDER, "mallory", tz="UTC")
    _planned(pi, lanes, clock)
    _click_with_members_held(pi, "pi.objective_edit", OUTSIDER)
    assert lanes.wait_idle(WAIT)
    shown = slack.view()
    assert "callback_id" not in shown and "submit" not in shown, "no form"
    assert shown["blocks"][0]["text"]["text"] == (
        ":warning: Only members of <#C0001> can take part in this PI. Ask to be added to the channel first."
    )
    assert "Churn" not in str(shown), "the refusal tells nothing about the objective"
