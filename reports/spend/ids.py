"""The spend capability's job name, defined once for the job and the schedule that runs it (spend
messages carry no buttons). The value is what stored jobs hold, so it never changes."""

from __future__ import annotations

from enum import StrEnum


class Job(StrEnum):
    """Job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    ALERTS = "spend.alerts"
