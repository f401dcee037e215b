"""Work that calls out (Slack lookups, trackers, MLflow, metrics, cloud APIs), kept off the request.

With `process_before_response` Bolt sends the HTTP answer only when the listener returns, and Bolt's
lazy listeners start before `RitualApp.dispatch` commits the request's session and share one pool of
five threads, so neither bounds a slow dependency. Here the listener hands its work to a `Lane`: a
few daemon threads and a short queue per dependency, so eight `/runs latest` against a dead MLflow
fill the MLflow lane, not the web server's threads (a full lane is refused at once, by name).

The request waits at most `budget` seconds (ANSWER_BUDGET). Work done by then (committed) answers in
place, as if it had run in the request (its UserError becomes the ephemeral answer or the modal's field error).
Otherwise the request answers with the `Later.pending` text ("Filing your ticket…") and whatever the
work says afterwards goes by `late` (response_url, or a DM for a modal); its failure is told to the
user too: a UserError as written, a timeout or refused connection naming the dependency.
The work runs in its own session, committed when it returns; the request's session is committed
before the work starts, so the work sees what the request wrote.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings, mlflow_request_timeout
from bot.db import Database
from bot.errors import UserError
from bot.failures import is_timeout, is_unreachable
from bot.handoff import RAW, SIGNED, Handoff
from bot.text import mrkdwn

log = logging.getLogger(__name__)

ANSWER_BUDGET = 0.4  # seconds a request waits for its work before answering with the pending text
SLACK_TIMEOUT = 10.0  # seconds per Slack Web API call (bot.slack_client.build_client)
AWS_CONNECT_TIMEOUT, AWS_READ_TIMEOUT = 3.0, 10.0  # boto3 clients (aws_config())

Message = dict[str, Any]
Work = Callable[[Session, Callable[..., None], Callable[[Callable[[], None]], None]], None]


@dataclass(frozen=True)
class Lane:
    """One dependency: how many calls to it may run at once, how many may wait, and how it is named
    to the user (`names(settings)`, with its per-call timeout `timeout(settings)` when known)."""

    name: str
    workers: int
    backlog: int
    names: Callable[[Settings], str]
    timeout: Callable[[Settings], float | None] = lambda s: None


SLACK = Lane("slack", 8, 32, lambda s: f"Slack ({s.slack_api_url or 'slack.com/api'})", lambda s: SLACK_TIMEOUT)
MLFLOW = Lane("mlflow", 4, 16, lambda s: f"MLflow at {s.mlflow_tracking_uri}", lambda s: mlflow_request_timeout())
TRACKERS = Lane("trackers", 4, 32, lambda s: "the issue tracker (Jira or GitHub)")
METRICS = Lane("metrics", 2, 4, lambda s: "the GPU metrics sources (Prometheus, CloudWatch, NVML)")
REPLIES = Lane("replies", 4, 256, lambda s: "Slack's response_url")  # error answers to buttons (bot.app)
CLOUD = Lane("cloud", 2, 8, lambda s: "the cloud or cluster API (AWS, Slurm, Kubernetes)", lambda s: AWS_READ_TIMEOUT)


@dataclass(frozen=True)
class Later:
    """Marks a listener or subcommand as calling out: its lane and what the user sees at once.
    `needed(body, context)`, when given, is asked first: False says this request's work will not call
    out after all (a cached answer, a tracker that is our own tables), and it runs in the request: no
    lane, no second session and commit. Its response_url posts wait for the request's commit (`hold`).
    `handoff`: while a worker process runs, the web process only records the request and the worker
    carries it out (bot.handoff); for work whose answer can follow by response_url."""

    lane: Lane
    pending: str
    needed: Callable[[dict[str, Any], Any], bool] | None = None
    handoff: bool = False

    def runs_inline(self, body: dict[str, Any], context: Any) -> bool:
        return self.needed is not None and not self.needed(body, context)


HELD = "deferred_held"  # context key: response_url posts of work run in the request, sent after its commit


def unheard(message: Message) -> None:
    """`late` for work nobody waits on (an event's): what it says after the answer is logged, not sent."""
    log.warning("deferred event work said after the answer: %s", str(message.get("text", ""))[:200])


def aws_config() -> Any:
    """botocore Config for every boto3 client: connect/read timeouts and two attempts, not 60 s x 5."""
    from botocore.config import Config

    return Config(
        connect_timeout=AWS_CONNECT_TIMEOUT,
        read_timeout=AWS_READ_TIMEOUT,
        retries={"max_attempts": 2, "mode": "standard"},
    )


class _Exchange:
    """One request's conversation with its work. Until the request has answered, what the work says
    is the answer; after, it goes `late`. The lock decides which, so nothing is said twice or lost.
    Late messages (and the work's own response_url calls, `hold`) go out once the work's session has
    committed: the user reads committed state, and no SQLite write lock is held while Slack answers."""

    def __init__(self, late: Callable[[Message], None]) -> None:
        self._late = late
        self._changed = threading.Condition()
        self._noticed = threading.Event()
        self._noticed.set()
        self._held: list[Callable[[], None]] | None = []  # None once released
        self.answer: Message | None = None
        self.finished = False
        self.error: Exception | None = None
        self.gone = False

    def say(self, **message: Any) -> None:
        with self._changed:
            if not self.gone and self.answer is None:
                self.answer = message
                self._changed.notify_all()
                return
        if message.get("text"):
            self.hold(lambda: self._say_late(message))

    def hold(self, call: Callable[[], None]) -> None:
        """Run `call` once the work has committed (at once if it has)."""
        with self._changed:
            if self._held is not None:
                self._held.append(call)
                return
        call()

    def release(self, *, send: bool) -> None:
        """The work's session is closed: send what it held (dropped when the work failed)."""
        with self._changed:
            held, self._held = self._held or [], None
        for call in held if send else []:
            try:
                call()
            except Exception:  # noqa: BLE001 — one lost message must not lose the rest
                log.exception("a deferred message could not be sent")

    def _say_late(self, message: Message) -> None:
        self._noticed.wait(SLACK_TIMEOUT)  # the pending notice first, then the result
        self._late(message)

    def notice(self, text: str) -> None:
        """Tell the user the work goes on, from a thread of its own: the request does not wait on Slack."""
        self._noticed.clear()

        def send() -> None:
            try:
                self._late({"response_type": "ephemeral", "text": text})
            except Exception:  # noqa: BLE001 — a lost notice must not hold the result back
                log.warning("could not send the pending notice")
            finally:
                self._noticed.set()

        threading.Thread(target=send, name="deferred-notice", daemon=True).start()

    def finish(self, error: Exception | None = None) -> bool:
        """The work is done; True when the request will report it (it has not answered yet)."""
        with self._changed:
            self.finished = True
            if self.gone:
                return False
            self.error = error
            self._changed.notify_all()
            return True

    def settle(self, budget: float | None) -> None:
        """Wait for the end of the work, at most `budget` seconds (None: until the end)."""
        with self._changed:
            # the end of the work, not its first word: its session commits before `finish`, and a caller
            # reading the answer must find what the work wrote
            self._changed.wait_for(lambda: self.finished, timeout=budget)
            self.gone = True


class _Queue:
    """A lane's daemon threads and bounded queue (threads start on first use; a hung call holds one
    thread of its own lane only)."""

    def __init__(self, lane: Lane) -> None:
        self.lane = lane
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue(maxsize=lane.backlog)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> bool:
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            return False
        with self._lock:
            while len(self._threads) < self.lane.workers:
                thread = threading.Thread(target=self._run, name=f"deferred-{self.lane.name}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return True

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # noqa: BLE001 — a job reports its own failures; the lane must survive
                log.exception("deferred job crashed lane=%s", self.lane.name)


class Deferred:
    """The lanes of one process, and the request side of deferring work to them."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        budget: float | None = ANSWER_BUDGET,
        wake: Callable[[], None] = lambda: None,
        handoff: Handoff | None = None,
    ) -> None:
        self.handoff = handoff
        self._database = database
        self._settings = settings
        self.budget = budget
        self._wake = wake
        self._queues: dict[str, _Queue] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._running = 0

    def run(
        self,
        later: Later,
        work: Work,
        *,
        request_db: Session,
        ack: Callable[..., Any],
        late: Callable[[Message], None],
        pending: str = "ack",
    ) -> None:
        """Called by the listener: runs `work(session, say)` in `later.lane` and answers the request
        within the budget. A request whose work is still running answers with `later.pending`: in the
        ack ("ack", slash commands), as an empty ack and a notice through `late` ("notice", buttons and
        shortcuts), or an empty ack alone ("none", a modal: it closes)."""
        request_db.commit()  # the work's own session must see what the request wrote, and wait on no lock
        exchange = _Exchange(late)
        lane = later.lane
        with self._idle:
            self._running += 1
        if not self._queue(lane).submit(lambda: self._job(lane, work, exchange)):
            self._done_one()
            log.warning("lane full lane=%s", lane.name)
            raise UserError(
                f"{lane.names(self._settings)} is slow right now and busy with earlier requests: "
                "please try again in a minute."
            )
        exchange.settle(self.budget)
        if exchange.error is not None:  # as if the listener had raised it: the global error handler answers
            named = named_failure(lane, exchange.error, self._settings)
            if named is not None:
                raise UserError(named) from exchange.error
            raise exchange.error
        if exchange.answer is not None:
            ack(**exchange.answer)
        elif exchange.finished or pending != "ack":
            ack()
            if not exchange.finished and pending == "notice":
                exchange.notice(later.pending)
        else:
            ack(response_type="ephemeral", text=later.pending)

    def hands_off(self, later: Later, context: Any) -> bool:
        """True when this request is to be recorded for the worker instead of run (`hand_off`)."""
        handoff = self.handoff  # None in the worker's own app; RAW and SIGNED: a verified HTTP request
        return later.handoff and handoff is not None and RAW in context and SIGNED in context and handoff.worker_alive()

    def hand_off(self, context: Any, request_db: Session) -> bool:
        """Record the request for the worker, which runs it and answers by response_url (False: a replay)."""
        assert self.handoff is not None
        return self.handoff.record(request_db, context)

    def hold(self, context: Any, call: Callable[[], None]) -> None:
        """Send `call` (a response_url post of work run in the request) once the request has committed:
        the user reads committed state, and no write lock is held while Slack answers. Dropped when the
        request rolls back (RitualApp.dispatch calls `release`)."""
        context.setdefault(HELD, []).append(call)

    def release(self, context: Any, *, send: bool) -> None:
        """The request's unit of work is over: send what it held through the replies lane. The answer
        waits for them only when the budget is None (tests read the replies in place)."""
        held = context.pop(HELD, None) or []
        for call in held if send else []:
            self.post(call, wait=self.budget is None)

    def post(self, call: Callable[[], None], *, wait: bool = True) -> None:
        """Send a reply (a response_url post) in the replies lane, waiting for it at most the budget like any
        deferred work (`wait=False`: not at all); dropped, and logged, when too many wait."""
        sent = threading.Event()

        def job() -> None:
            try:
                call()
            except Exception:  # noqa: BLE001 — the user misses one reply; the log says so
                log.warning("could not send a reply by response_url")
            finally:
                sent.set()

        if not self._queue(REPLIES).submit(job):
            log.warning("reply dropped: too many replies waiting for Slack")
            return
        if wait:
            sent.wait(self.budget)

    def wait_idle(self, timeout: float) -> bool:
        """Until no work is running (tests; a graceful stop)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout=timeout)

    def _queue(self, lane: Lane) -> _Queue:
        with self._lock:
            if lane.name not in self._queues:
                self._queues[lane.name] = _Queue(lane)
            return self._queues[lane.name]

    def _job(self, lane: Lane, work: Work, exchange: _Exchange) -> None:
        try:
            try:
                with self._database.session() as session:
                    work(session, exchange.say, exchange.hold)
            except Exception as exc:  # noqa: BLE001 — told to the user below, or re-raised by the request
                exchange.release(send=False)
                if not exchange.finish(exc):
                    self._tell(lane, exc, exchange)
                return
            exchange.release(send=True)  # before finish: a request still waiting answers after its replies
            exchange.finish()
            self._wake()
        finally:
            self._done_one()

    def _done_one(self) -> None:
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    def _tell(self, lane: Lane, exc: BaseException, exchange: _Exchange) -> None:
        """A failure after the answer went out: the user learns it through `late`."""
        try:
            exchange.say(response_type="ephemeral", text=failure_text(lane, exc, self._settings))
        except Exception:  # noqa: BLE001 — nothing more to do than log it
            log.exception("could not tell the user that deferred work failed lane=%s", lane.name)


def named_failure(lane: Lane, exc: BaseException, settings: Settings) -> str | None:
    """Human text naming the dependency when `exc` is its timeout or refused connection, else None."""
    named = lane.names(settings)
    if is_timeout(exc):
        seconds = lane.timeout(settings)
        within = f"within {seconds:g} s" if seconds else "in time"
        log.warning("dependency timed out lane=%s error=%s", lane.name, type(exc).__name__)
        return f"{named} did not answer {within}. Nothing more was done; please try again later."
    if is_unreachable(exc):
        log.warning("dependency unreachable lane=%s error=%s", lane.name, type(exc).__name__)
        return f"{named} could not be reached. Nothing more was done; please try again later."
    return None


def failure_text(lane: Lane, exc: BaseException, settings: Settings) -> str:
    """What the user reads when deferred work failed: their mistake, a named dependency, or an apology."""
    if isinstance(exc, UserError):
        return mrkdwn(exc.message)
    named = named_failure(lane, exc, settings)
    if named is not None:
        return mrkdwn(named)
    error_id = uuid.uuid4().hex[:8]
    log.error("deferred work failed lane=%s error_id=%s", lane.name, error_id, exc_info=exc)
    return (
        f"Sorry, something went wrong on our side (error id `{error_id}`). "
        "Please try again, and tell your admin the id if it keeps happening."
    )
