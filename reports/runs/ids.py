"""Every id MLflow runs put on the wire, defined once: the renderer writes the Promote button on run
cards and sweep messages, handlers/runs/ listens for it, and the scheduler runs the jobs by name.
The values are what Slack sends back (and what stored jobs hold), so they never change."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    PROMOTE = "runs.promote"  # "Promote to champion" on a card or sweep whose best run beats the champion
    PROMOTE_ANYWAY = "runs.promote_anyway"  # the second confirmation when the champion of now is as good


class Job(StrEnum):
    """Job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    POLL = "runs.poll"
    CONFIG = "runs.config"
