"""Event listeners answer Slack before anything that calls out: driven through the signed endpoint with
the production answer budget while the Slack double holds the outbound call until the test releases it.
The order is what is asserted (the HTTP answer arrived while the call was still held, then the work
finished without an error), never a duration; speed is measured in bench/slow_deps.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App

from bot.deferred import ANSWER_BUDGET, Deferred

WAIT = 30  # seconds a condition may take on a loaded machine before the test fails (never a sleep)


@pytest.fixture
def answer_budget() -> float:
    return ANSWER_BUDGET


@pytest.fixture
def lanes(app: App) -> Iterator[Deferred]:
    deferred: Deferred = app.deferred  # type: ignore[attr-defined]
    yield deferred
    deferred.wait_idle(WAIT)


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_app_home_opened_answers_while_views_publish_is_held_and_publishes_after(signed, slack, lanes, caplog):
    slack.hang_next("views.publish")
    response = signed.event({"type": "app_home_opened", "user": "U0001", "tab": "home", "channel": "DU0001"})
    assert response.status_code == 200 and response.text == ""
    held = [c.params["user_id"] for c in slack.calls_to("views.publish")]
    assert held == ["U0001"], "the publish was under way (held by Slack) when the event was answered"
    assert _failures(caplog) == [], "the answer did not come from the Slack client giving up"
    slack.release()
    assert lanes.wait_idle(WAIT)
    assert _failures(caplog) == [], "the publish finished once Slack answered"
    (published,) = slack.calls_to("views.publish")
    assert published.params["view"]["type"] == "home"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "im", "channel": "DU0001", "user": "U0001", "text": "hi", "ts": "1.2"},
        {
            "type": "reaction_added",
            "user": "U0001",
            "reaction": "ticket",
            "item": {"type": "message", "channel": "C0001", "ts": "1800000000.000001"},
        },
    ],
    ids=["standup DM answer", "ticket reaction"],
)
def test_events_that_only_write_answer_without_calling_slack(signed, slack, lanes, event):
    """A DM answer and the :ticket: reaction only write (their replies go through the outbox). Bolt's
    single-workspace authorization calls `auth.test` once per process (cached), not per request."""
    assert signed.event(event).status_code == 200
    assert [c.method for c in slack.calls if c.method != "auth.test"] == [], "nothing called out before the answer"
