"""The worker process: the scheduler (kept in sync with capabilities), the requests the web process
handed off (bot.handoff) and the outbox sender."""

from __future__ import annotations

import logging
import os
import signal
import threading

from bot.handoff import Runner
from bot.runtime import Runtime, install
from bot.scheduler import build_scheduler, sync_jobs

log = logging.getLogger(__name__)


def run_worker(rt: Runtime, stop: threading.Event | None = None) -> None:
    install(rt)
    if rt.settings.worker_nice:  # background work yields the CPU to the web process on a shared machine
        os.nice(rt.settings.worker_nice)
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = build_scheduler(rt)
    scheduler.start()
    sync_jobs(scheduler, rt)
    log.info("worker started jobs=%s", len(scheduler.get_jobs()))
    from bot.app import create_app  # the listeners, as in the web process (imported here: the app imports much)

    runner = Runner(create_app(rt.settings, runtime=rt, handoff=False), rt.database, rt.clock.now)
    handed = threading.Thread(target=runner.run_forever, args=(stop,), name="handoff-runner", daemon=True)
    handed.start()
    try:
        rt.sender.run_forever(stop)
    finally:
        handed.join(timeout=10)
        scheduler.shutdown(wait=False)
        log.info("worker stopped")
