"""Helpers for runs tests: runs at fixed minutes after the frozen clock's 09:00, a poll, the cards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mlflow import MlflowClient

from bot import jobs
from bot.blocks import blocks_to_text
from bot.runtime import Runtime
from reports.runs.demo import log_run, ms
from tests.conftest import MONDAY_9_UTC

T0 = ms(MONDAY_9_UTC)


def at(minutes: float) -> int:
    """Milliseconds since the epoch, `minutes` after Monday 09:00 UTC (negative: before)."""
    return T0 + int(minutes * 60_000)


def run(mlflow: MlflowClient, exp: str, name: str, start: float, end: float, **kwargs: Any) -> str:
    return log_run(mlflow, exp, name, start=at(start), end=at(end), **kwargs)


def poll(runtime: Runtime, clock: Any, deliver: Any, watch_id: int, *, minutes: int = 5) -> bool:
    clock.advance(timedelta(minutes=minutes))
    ran = jobs.run("runs.poll", str(watch_id), rt=runtime).ran
    deliver()
    return ran


def text(message: dict[str, Any]) -> str:
    return blocks_to_text(message.get("blocks") or []) or message["text"]
