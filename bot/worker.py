"""The worker process: the scheduler (kept in sync with capabilities) and the outbox sender."""

from __future__ import annotations

import logging
import signal
import threading

from bot.runtime import Runtime, install
from bot.scheduler import build_scheduler, sync_jobs

log = logging.getLogger(__name__)


def run_worker(rt: Runtime, stop: threading.Event | None = None) -> None:
    install(rt)
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = build_scheduler(rt)
    scheduler.start()
    sync_jobs(scheduler, rt)
    log.info("worker started jobs=%s", len(scheduler.get_jobs()))
    try:
        rt.sender.run_forever(stop)
    finally:
        scheduler.shutdown(wait=False)
        log.info("worker stopped")
