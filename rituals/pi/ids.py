"""Every id the PI messages and modals carry, defined once: the renderers write them, the listeners
(handlers/pi) match on them. Values are what Slack sends back, so they never change."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    VOTE_1 = "pi.vote_1"
    VOTE_2 = "pi.vote_2"
    VOTE_3 = "pi.vote_3"
    VOTE_4 = "pi.vote_4"
    VOTE_5 = "pi.vote_5"
    VOTE_CLOSE = "pi.vote_close"
    CHECKIN_OPEN = "pi.checkin_open"
    ACTUAL_OPEN = "pi.actual_open"
    OBJECTIVE_EDIT = "pi.objective_edit"
    OBJECTIVE_DROP = "pi.objective_drop"
    RISK_ROAM = "pi.risk_roam"
    HYPOTHESIS_DONE = "pi.hypothesis_done"


# The fist-of-five buttons, in score order: VOTES[n - 1] casts n.
VOTES = (Action.VOTE_1, Action.VOTE_2, Action.VOTE_3, Action.VOTE_4, Action.VOTE_5)


class Modal(StrEnum):
    """Modal callback ids."""

    NEW = "pi.new_modal"
    OBJECTIVE = "pi.objective_modal"
    RISK = "pi.risk_modal"
    CHECKIN = "pi.checkin_modal"
    ACTUAL = "pi.actual_modal"


class Block(StrEnum):
    """Block ids: the vote message's button rows and the modals' inputs (also a UserError's field)."""

    VOTE = "pi.vote"
    VOTE_ADMIN = "pi.vote_admin"
    NAME = "name"
    START = "start"
    END = "end"
    WEEKDAY = "weekday"
    TIME = "time"
    CHANNEL = "channel"
    BUSINESS_OWNERS = "business_owners"
    TITLE = "title"
    DESCRIPTION = "description"
    PLANNED_BV = "planned_bv"
    COMMITTED = "committed"
    OWNER = "owner"
    LINK = "link"
    TARGET = "target"
    EXPERIMENT = "experiment"
    KILL = "kill"
    ROAM = "roam"
    STATUS = "status"
    PROGRESS = "progress"
    NOTE = "note"
    ACTUAL_BV = "actual_bv"
    METRIC = "hypothesis_metric"
    COMPARATOR = "comparator"
    THRESHOLD = "threshold"
    ALIAS = "alias"
    DEADLINE = "deadline_iteration"
    KILL_THRESHOLD = "kill_threshold"
    KILL_ITERATION = "kill_iteration"
    PROJECT = "ticket_project"


class Commitment(StrEnum):
    """The objective modal's commitment options."""

    COMMITTED = "committed"
    UNCOMMITTED = "uncommitted"


class Job(StrEnum):
    """Scheduled job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    CHECKIN = "pi.checkin"
    REMIND = "pi.remind"
    SUMMARY = "pi.summary"
    MEASURE = "pi.measure"
    CATALOG = "pi.catalog"
