"""Every id the stage-ticket messages and the filing modal carry, defined once: the renderer writes
them, the listeners (handlers/tickets) match on them. Values are what Slack sends back, so they never change."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    RETRY = "tickets.retry"
    RETRY_PROJECT = "tickets.retry_project"
    OPEN_FROM_REACTION = "tickets.open_from_reaction"


class Job(StrEnum):
    RECONCILE = "tickets.reconcile"


class Route(StrEnum):
    """The web process's webhook paths (POST)."""

    GITHUB = "/tickets/webhooks/github"
    JIRA = "/tickets/webhooks/jira"


class Modal(StrEnum):
    """Modal callback ids."""

    FILE = "tickets.file_modal"
    PROFILE = "tickets.profile_modal"


class Shortcut(StrEnum):
    """Message shortcut callback ids (also in manifest.yml)."""

    FILE_FROM_MESSAGE = "tickets.file_from_message"


class Block(StrEnum):
    """The filing modal's input blocks (also a UserError's field)."""

    PROJECT = "project"
    NEW_PROJECT = "new_project"
    STAGE = "stage"
    SUMMARY = "summary"
    DESCRIPTION = "description"
    ASSIGNEE = "assignee"
    LABELS = "labels"


class ProjectChoice(StrEnum):
    """The project menu's two options that are not a project id."""

    NEW = "__new__"
    NONE = "__none__"
