"""Every id the retro's messages and modals carry and its listeners answer, defined once.

The string values are what Slack sends back (and what stored messages already hold): never change one.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Button action ids (messages and modals)."""

    ADD_ITEM = "retro.add_item"
    MY_ITEMS = "retro.my_items"
    EDIT_ITEM = "retro.edit_item"
    DELETE_ITEM = "retro.delete_item"
    SETTINGS = "retro.settings"
    ADVANCE = "retro.advance"
    MERGE = "retro.merge"
    VOTE = "retro.vote"
    TAKE_BACK = "retro.take_back"
    MY_VOTES = "retro.my_votes"  # "see my votes": only the voter's own dots, ephemeral
    NEXT = "retro.next"
    ADD_ACTION = "retro.add_action"
    CLOSE = "retro.close"
    REVIEW = "retro.review"  # one id for three buttons: Slack refused it; kept for its listener
    REVIEW_DONE = "retro.review.done"  # one action id per button: Slack refuses a repeat in one block
    REVIEW_OPEN = "retro.review.open"
    REVIEW_DROP = "retro.review.drop"
    DROP_CARRIED = "retro.drop_carried"
    ADD_TO_TRACKER = "retro.add_to_tracker"  # file an action as a stage ticket
    ADD_EVIDENCE = "retro.add_evidence"  # a draft item from the period's evidence, added by the facilitator
    CARRY = "retro.carry"  # the parking lot: carry a left-behind item of the last retro onto the board
    EDIT_GROUP = "retro.edit_group"  # name a merged group or split items back out (rituals.retro.groups)
    HEALTH = "retro.health"  # open the anonymous team health check (rituals.retro.health)
    READY = "retro.ready"  # a participant's "I'm done" in the current phase (pressed again: not done)
    TIMING = "retro.timing"  # the facilitator's deadlines, what a passed one does, the per-item vote cap
    HANDOVER = "retro.handover"  # hand the facilitator's role to another channel member


class View(StrEnum):
    """Modal callback ids; the ones without a submit button have no listener."""

    ADD_ITEM = "retro.add_item_modal"
    EDIT_ITEM = "retro.edit_item_modal"
    MERGE = "retro.merge_modal"
    ACTION = "retro.action_modal"
    SETTINGS = "retro.settings_modal"
    ANONYMOUS_ITEM = "retro.anonymous_item"
    MY_ITEMS = "retro.my_items_view"
    DONE = "retro.done"
    EDIT_GROUP = "retro.edit_group_modal"
    HEALTH = "retro.health_modal"
    TIMING = "retro.timing_modal"
    HANDOVER = "retro.handover_modal"


class Block(StrEnum):
    """Input block ids of the modals (also the `field` of a UserError about that input)."""

    COLUMN = "column"
    TEXT = "text"
    ANONYMOUS = "anonymous"
    ITEMS = "items"
    OWNER = "owner"
    DUE = "due"
    VOTES = "votes"
    VISIBLE = "visible"
    DEADLINE = "deadline"
    VOTE_DEADLINE = "vote_deadline"
    DISCUSS_DEADLINE = "discuss_deadline"
    ON_DEADLINE = "on_deadline"
    ITEM_CAP = "item_cap"
    FACILITATOR = "facilitator"
    GROUP_TITLE = "group_title"
    SPLIT = "split"
    HEALTH = "health"  # the health check's questions: f"{Block.HEALTH}.{position}"
    ROOT = "retro.root"  # the root message's button row: f"{Block.ROOT}.{retro_id}"


class Option(StrEnum):
    """Checkbox option values the listeners look for."""

    ANONYMOUS = "anonymous"
    VISIBLE = "visible"
    MOVE_ON = "move_on"  # a passed deadline moves the phase on
    NUDGE = "nudge"  # a passed deadline DMs the facilitator a button instead


class Job(StrEnum):
    """Scheduled job names (the job store keeps them as plain strings: pass `.value`)."""

    REMIND = "retro.remind"
    DEADLINE = "retro.deadline"
    PHASE_DEADLINE = "retro.phase_deadline"  # voting's and discussion's deadlines (scope "<retro>:<phase>")
    ACTION_DUE = "retro.action_due"  # DM an open action's owner the day before it is due
