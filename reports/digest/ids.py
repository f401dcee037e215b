"""The channel digest's ids, defined once."""

from __future__ import annotations

from enum import StrEnum


class Job(StrEnum):
    """Job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    POST = "digest.post"
