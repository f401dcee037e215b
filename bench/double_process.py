"""The Slack double in a process of its own, for benchmarks that measure latency from the load generator.

Slack is another machine: the worker's replies by `response_url` and its `chat.postMessage` calls (hundreds
a second under load) must not be served by threads that share the load generator's interpreter, where
they would delay its timers and inflate every latency it measures (the floors' runs have no such calls).
The child is forked after `setup` configured the double; the parent asks it over a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from tests.slack.double import SlackDouble


class DoubleProcess:
    def __init__(self, setup: Callable[[SlackDouble], None]) -> None:
        self._setup = setup
        self._conn: Any = None
        self._proc: Any = None
        self.base_url = self.token = ""
        self._response_url = ""

    def start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self._setup), name="slack-double", daemon=True)
        self._proc.start()
        self.base_url, self.token, self._response_url = self._conn.recv()

    def _ask(self, *question: Any) -> Any:
        self._conn.send(question)
        return self._conn.recv()

    def process_env(self, database_url: str, **extra: str) -> dict[str, str]:
        return self._ask("env", database_url, extra)

    def response_url(self) -> str:
        return self._response_url

    def responses(self) -> int:
        """How many messages reached response_url so far."""
        return self._ask("responses")

    def wait_responses(self, count: int, timeout: float) -> int:
        return self._ask("wait", count, timeout)

    def stop(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._ask("stop")
            self._proc.join(timeout=10)


def _serve(conn: Any, setup: Callable[[SlackDouble], None]) -> None:
    # another machine's work: on a shared bench machine it runs only on CPU nobody else wants (SCHED_IDLE)
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    slack = SlackDouble()
    setup(slack)
    slack.start()
    conn.send((slack.base_url, slack.token, slack.response_url()))
    while True:
        question = conn.recv()
        if question[0] == "env":
            conn.send(slack.process_env(question[1], **question[2]))
        elif question[0] == "responses":
            conn.send(len(slack.calls_to("response_url")))
        elif question[0] == "wait":
            count, timeout = question[1], question[2]
            slack.wait_until(lambda d, n=count: len(d.calls_to("response_url")) >= n, timeout=timeout)
            conn.send(len(slack.calls_to("response_url")))
        else:
            slack.stop()
            conn.send(None)
            return
