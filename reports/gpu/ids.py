"""Every id idle GPUs put on the wire, defined once: the renderer writes the button and block ids on
owner DMs, handlers/gpu/ listens for them, and the scheduler runs the jobs by name. The values are
what Slack sends back (and what stored jobs hold), so they never change."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """The buttons of an owner DM."""

    IN_USE = "gpu.in_use"
    RELEASE = "gpu.release"
    SNOOZE = "gpu.snooze"
    STOP = "gpu.stop"
    FREE = "gpu.free"  # an admin's cancel job / delete pod (gpu.enforce), on owner DMs and lead reminders


class Block(StrEnum):
    ANSWER = "gpu.answer"  # the actions block holding an owner DM's buttons
    FREE = "gpu.free_block"  # the actions block of a lead reminder


class Job(StrEnum):
    """Job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    OWNERS = "gpu.owners"
    SAMPLE = "gpu.sample"
    WASTE = "gpu.waste"
