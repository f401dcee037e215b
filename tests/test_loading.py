"""handlers/loading.py against the Slack double: the modal opens before the lookup, and the lookup's
failure is shown in it, the dependency named (the flows through the signed endpoint are in
tests/test_deferred.py: `/standup setup` and `/standup edit` with users.info held)."""

from __future__ import annotations

from slack_sdk.web import WebClient

from bot.deferred import MLFLOW, SLACK, Later
from handlers.loading import open_loading

OPENING = Later(SLACK, "Looking you up in Slack…")


def test_a_lookup_that_times_out_is_named_in_the_modal_it_opened(slack, settings):
    client = WebClient(token=slack.token, base_url=slack.base_url)
    order: list[str] = []

    def lookup() -> dict:
        order.append(f"lookup after {[c.method for c in slack.calls]}")
        raise TimeoutError("The read operation timed out")

    open_loading(client, "trig.1", "Set up a standup", lookup, later=OPENING, settings=settings)
    assert order == ["lookup after ['views.open']"], "the modal was open before the lookup started"
    opened, updated = slack.calls_to("views.open")[0].params, slack.calls_to("views.update")[0].params
    assert "Looking you up in Slack…" in str(opened["view"]["blocks"])
    text = str(updated["view"]["blocks"])
    assert f"Slack ({slack.base_url}) did not answer within 10 s." in text
    assert "submit" not in updated["view"] and updated["view"]["close"]["text"] == "Close"


def test_an_unreachable_dependency_is_named_and_a_bug_gets_an_error_id(slack, settings):
    client = WebClient(token=slack.token, base_url=slack.base_url)

    def refused() -> dict:
        raise ConnectionRefusedError(111, "Connection refused")

    def bug() -> dict:
        raise KeyError("oops")

    open_loading(client, "trig.1", "Runs", refused, later=Later(MLFLOW, "Asking MLflow…"), settings=settings)
    open_loading(client, "trig.2", "Runs", bug, later=Later(MLFLOW, "Asking MLflow…"), settings=settings)
    refused_text, bug_text = (str(c.params["view"]["blocks"]) for c in slack.calls_to("views.update"))
    assert f"MLflow at {settings.mlflow_tracking_uri} could not be reached." in refused_text
    assert "Sorry, something went wrong on our side (error id `" in bug_text and "oops" not in bug_text


def test_a_modal_closed_before_the_lookup_ended_is_not_an_error(slack, settings):
    client = WebClient(token=slack.token, base_url=slack.base_url)
    slack.fail_next("views.update", status=200, error="not_found")
    open_loading(client, "trig.1", "Set up a standup", lambda: {"type": "modal"}, later=OPENING, settings=settings)
    assert [c.error for c in slack.calls_to("views.update", ok_only=False)] == ["not_found"]
