"""Every id standups put on the wire, defined once: the renderers (render.py, modals.py) write them,
handlers/standup/ listens for them, and the scheduler runs the jobs by name."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Block action ids (buttons)."""

    OPEN_ANSWER = "standup.open_answer"
    CLEAR_BLOCKER = "standup.clear_blocker"
    FILE_TICKET = "standup.file_ticket"
    CLOSE_TICKET = "standup.close_ticket"
    DELETE = "standup.delete"


class View(StrEnum):
    """Modal callback ids."""

    SETUP = "standup.setup"
    ANSWER = "standup.answer"


class Block(StrEnum):
    """The setup modal's input blocks; a UserError's `field` names one of them."""

    NAME = "name"
    PARTICIPANTS = "participants"
    EVERYONE = "everyone"
    DAYS = "days"
    ASK_TIME = "ask_time"
    QUESTIONS = "questions"
    BLOCKER = "blocker"
    DIGEST_TIME = "digest_time"
    TIMEZONE = "timezone"
    REMINDER = "reminder"
    POST_MODE = "post_mode"
    HOLIDAYS = "holidays"


def question_block(index: int) -> str:
    """The answer modal's block of question `index` (0-based)."""
    return f"q{index}"


def blocked_block(index: int) -> str:
    """The answer modal's “Blocked? no / yes” choice for the blocker question `index`."""
    return f"q{index}_blocked"


BLOCKED_NO, BLOCKED_YES = "no", "yes"


class Job(StrEnum):
    """Job names (`bot.jobs`); pass `.value` where the name is stored (APScheduler pickles its args)."""

    ASK = "standup.ask"
    REMIND = "standup.remind"
    DIGEST = "standup.digest"
    ROSTER = "standup.roster"
