"""The worker process: the scheduler (kept in sync with capabilities), the requests the web process
handed off (bot.handoff) and the outbox sender."""

from __future__ import annotations

import gc
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
    yield_cpu(rt.settings.worker_priority)
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = build_scheduler(rt)
    scheduler.start()
    sync_jobs(scheduler, rt)
    log.info("worker started jobs=%s", len(scheduler.get_jobs()))
    from bot.app import create_app  # the listeners, as in the web process (imported here: the app imports much)

    runner = Runner(create_app(rt.settings, runtime=rt, handoff=False), rt.database, rt.clock.now)
    gc.collect()
    gc.freeze()  # as in the web process (bot.web.serve): full collections skip what lives as long as the process
    handed = threading.Thread(target=runner.run_forever, args=(stop,), name="handoff-runner", daemon=True)
    handed.start()
    try:
        rt.sender.run_forever(stop)
    finally:
        handed.join(timeout=10)
        scheduler.shutdown(wait=False)
        log.info("worker stopped")


def yield_cpu(priority: str) -> None:
    """The worker's work waits; the web process's 3-second answers do not. "idle" (the default) runs it on CPU
    the machine has to spare (Linux SCHED_IDLE: on a machine of its own nothing changes; next to the web
    process it no longer takes a core the web needs); a number is a niceness; "normal" leaves it alone."""
    if priority == "idle" and hasattr(os, "sched_setscheduler"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif priority.isdigit():
        os.nice(int(priority))
