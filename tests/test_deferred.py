"""Work that calls out runs after the HTTP answer (bot/deferred.py): driven through the signed endpoint
with the dependency held (a Slack double call held until release, an MLflow that holds every request)
and the production answer budget. Each test waits on conditions (the double's calls, the gate's
requests, the lanes going idle), never on the clock; speed is measured in bench/slow_deps.py."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from slack_bolt import App

from bot.config import Settings
from bot.deferred import ANSWER_BUDGET, MLFLOW, Deferred, Later, _Exchange
from bot.failures import is_timeout
from tests.standup.helpers import setup_values

WAIT = 30  # seconds a condition may take on a loaded machine before the test fails (never a sleep)


class Gate:
    """A loopback HTTP server that holds every request until `open()`, then answers 200 `{}`."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._arrived = threading.Condition()
        self._open = threading.Event()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def _hold(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with gate._arrived:
                    gate.paths.append(self.path)
                    gate._arrived.notify_all()
                if not gate._open.wait(WAIT * 2):
                    return
                body = b"{}"
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (its timeout) before the gate opened
                    pass

            do_GET = do_POST = _hold  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait_for(self, count: int) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.paths) >= count, timeout=WAIT)

    def open(self) -> None:
        self._open.set()

    def stop(self) -> None:
        self._open.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def answer_budget() -> float:
    return ANSWER_BUDGET  # production's: the request answers while the dependency still holds the work


@pytest.fixture
def gate() -> Iterator[Gate]:
    server = Gate()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, gate: Gate) -> Settings:
    return dataclasses.replace(settings, mlflow_tracking_uri=gate.url)


@pytest.fixture
def lanes(app: App) -> Iterator[Deferred]:
    deferred: Deferred = app.deferred  # type: ignore[attr-defined]
    yield deferred
    deferred.wait_idle(WAIT)


def _texts(slack: Any) -> list[str]:
    return [r.get("text", "") for r in slack.responses()]


def test_runs_latest_answers_while_mlflow_holds_the_request_and_posts_the_result_after(signed, slack, gate, lanes):
    answer = signed.command("/runs", "latest churn").json()
    assert answer == {"response_type": "ephemeral", "text": "Looking up the latest run in MLflow…"}
    assert gate.wait_for(1), "the work asked MLflow"
    assert slack.responses() == [], "nothing can be done while MLflow holds the request"
    gate.open()
    assert slack.wait_until(lambda s: s.responses(), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    (result,) = slack.responses()
    assert result["response_type"] == "ephemeral" and result["replace_original"] is False
    assert result["text"].startswith("MLflow has no active experiment named or numbered `churn`"), "MLflow's answer"


def test_an_mlflow_that_never_answers_is_named_with_its_timeout(signed, slack, gate, lanes, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "1")
    answer = signed.command("/runs", "latest churn").json()
    assert answer["text"] == "Looking up the latest run in MLflow…"
    assert slack.wait_until(lambda s: s.responses(), timeout=WAIT)
    assert _texts(slack) == [
        f"MLflow at {gate.url} did not answer within 1 s. Nothing more was done; please try again later."
    ]


def test_runs_latest_against_a_hanging_mlflow_fill_its_lane_not_the_server(
    app_url, signed, slack, gate, lanes, monkeypatch
):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")  # held until the gate opens, not timed out
    capacity = MLFLOW.workers + MLFLOW.backlog
    answers = [signed.command("/runs", f"latest exp-{n}").json()["text"] for n in range(capacity)]
    assert answers == ["Looking up the latest run in MLflow…"] * capacity
    assert gate.wait_for(MLFLOW.workers)
    busy = signed.command("/runs", "latest one-too-many").json()["text"]
    assert busy == (
        f"MLflow at {gate.url} is slow right now and busy with earlier requests: please try again in a minute."
    )
    health = httpx.get(app_url + "healthz", timeout=WAIT)
    assert health.status_code == 200 and health.json() == {"ok": True, "database": "ok"}
    assert "/ritual" in signed.command("/ritual", "help").json()["text"], "other commands still answer"
    gate.open()
    assert slack.wait_until(lambda s: len(s.responses()) == capacity, timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    assert len(gate.paths) >= capacity


def test_standup_setup_opens_a_loading_form_at_once_and_shows_the_form_when_users_info_answers(signed, slack, lanes):
    """The trigger_id is good for 3 s: the modal opens before the timezone lookup, and becomes the form after."""
    slack.hang_next("users.info")
    answer = signed.command("/standup", "setup")
    assert answer.status_code == 200 and answer.text == "", "the opened modal is the answer"
    (opened,) = slack.calls_to("views.open")
    loading = opened.params["view"]
    assert "submit" not in loading and "Opening the standup form…" in str(loading["blocks"])
    assert slack.wait_until(lambda s: s.calls_to("users.info"), timeout=WAIT)
    assert slack.calls_to("views.update") == [], "the form waits for the lookup"
    slack.release()
    assert slack.wait_until(lambda s: s.calls_to("views.update"), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    (update,) = slack.calls_to("views.update")
    assert update.params["view_id"].startswith("V") and update.params["hash"], "the opened view, at its hash"
    assert update.params["view"]["callback_id"] == "standup.setup"
    assert "Europe/Berlin" in str(update.params["view"]), "with the caller's timezone from users.info"


def test_standup_edit_by_someone_else_shows_the_refusal_in_the_modal_it_opened(signed, slack, lanes):
    signed.command("/standup", "setup")
    assert lanes.wait_idle(WAIT)
    view = slack.view("standup.setup")
    signed.view_submission("standup.setup", setup_values(["U0001", "U0002"]), private_metadata=view["private_metadata"])
    assert lanes.wait_idle(WAIT)
    slack.hang_next("users.info")  # is U0002 a workspace admin?
    answer = signed.command("/standup", "edit", user="U0002")
    assert answer.status_code == 200 and answer.text == ""
    assert slack.wait_until(lambda s: s.calls_to("users.info"), timeout=WAIT)
    slack.release()
    assert slack.wait_until(lambda s: s.calls_to("views.update"), timeout=WAIT)
    assert lanes.wait_idle(WAIT)
    shown = slack.calls_to("views.update")[-1].params["view"]
    assert "submit" not in shown
    assert "Only <@U0001> (who set up “Daily”) or an admin can change it." in str(shown["blocks"])


def test_standup_setup_submission_closes_the_modal_and_announces_once_the_lookups_are_done(
    signed, slack, lanes, deliver
):
    signed.command("/standup", "setup")
    assert lanes.wait_idle(WAIT)
    view = slack.view("standup.setup")
    slack.hang_next("users.info")
    response = signed.view_submission(
        "standup.setup", setup_values(["U0001", "U0002"]), private_metadata=view["private_metadata"]
    )
    assert response.status_code == 200 and response.text == "", "an empty ack closes the modal"
    assert slack.wait_until(lambda s: s.calls_to("users.info"), timeout=WAIT)
    deliver()
    assert slack.posted("C0001") == [], "not announced while Slack holds a lookup"
    slack.release()
    assert lanes.wait_idle(WAIT)
    deliver()
    (announced,) = slack.posted("C0001")
    assert "set up *Daily*: 2 members" in announced["text"]


def test_a_form_error_found_after_the_modal_closed_reaches_the_user_by_dm(signed, slack, lanes, deliver):
    signed.command("/standup", "setup")
    assert lanes.wait_idle(WAIT)
    view = slack.view("standup.setup")
    slack.hang_next("users.info")
    values = setup_values(["U0001"], blocker="third")
    response = signed.view_submission("standup.setup", values, private_metadata=view["private_metadata"])
    assert response.text == ""
    assert slack.wait_until(lambda s: s.calls_to("users.info"), timeout=WAIT)
    slack.release()
    assert lanes.wait_idle(WAIT)
    deliver()
    (dm,) = slack.posted("U0001")
    assert "blocker question's number" in dm["text"]


def test_work_done_within_the_budget_answers_in_place(signed, slack, lanes):
    answer = signed.command("/standup", "setup")
    assert answer.status_code == 200
    assert lanes.wait_idle(WAIT)
    assert slack.calls_to("views.open"), "the form opened"
    assert slack.responses() == [], "no late message when the work was done in time"


def test_what_the_work_says_after_the_answer_goes_late_once_the_work_committed():
    late: list[dict[str, Any]] = []
    exchange = _Exchange(late.append)
    exchange.say(text="first")
    exchange.settle(0)
    exchange.say(text="second")
    exchange.say()  # a bare ack after the answer says nothing
    assert exchange.answer == {"text": "first"} and late == [], "held while the work's session is open"
    exchange.finish()
    exchange.release(send=True)
    assert late == [{"text": "second"}]
    exchange.say(text="third")
    assert late == [{"text": "second"}, {"text": "third"}], "after the release, at once"


def test_a_failed_work_drops_what_it_held_and_its_failure_is_told_not_re_raised():
    late: list[dict[str, Any]] = []
    exchange = _Exchange(late.append)
    exchange.settle(0)
    exchange.say(text="Saved.")
    exchange.release(send=False)
    assert exchange.finish(ValueError("after the answer")) is False, "told by the work, not re-raised"
    assert late == []


def test_later_marks_are_data_the_router_reads():
    spec = Later(MLFLOW, "Looking…")
    assert spec.lane.name == "mlflow" and json.dumps(spec.pending)


def test_timeouts_are_recognised_through_wrapping_errors():
    try:
        try:
            raise TimeoutError("read")
        except TimeoutError as inner:
            raise RuntimeError("API request failed") from inner
    except RuntimeError as outer:
        assert is_timeout(outer)
    assert not is_timeout(ValueError("bad value"))
