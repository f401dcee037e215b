"""A heartbeat: a daemon thread that calls `beat` every few seconds while some work runs, so the lease or
claim that work holds stays fresh; when the process dies, the beats stop and the lease runs out."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Heartbeat:
    """`with Heartbeat(refresh, every=5):` beats until the block ends; `beat()` also beats by hand.
    `count` and `wait_for` let a caller (a test, a status line) see that beats happen."""

    def __init__(self, refresh: Callable[[], object], every: float, *, name: str = "heartbeat") -> None:
        self._refresh = refresh
        self.every = every
        self.name = name
        self.count = 0
        self._beaten = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start beating (no-op when already beating)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop beating; does not wait for a beat in progress."""
        with self._lock:
            self._stop.set()

    def beat(self) -> None:
        try:
            self._refresh()
        except Exception:  # noqa: BLE001 — a missed beat only shortens the lease; the next one retries
            log.warning("heartbeat failed name=%s", self.name, exc_info=True)
        with self._beaten:
            self.count += 1
            self._beaten.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until `count` beats have happened (or the timeout passes); True when they have."""
        with self._beaten:
            return self._beaten.wait_for(lambda: self.count >= count, timeout=timeout)

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            self.beat()

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
