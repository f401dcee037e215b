"""What the retro's pace looks like: the root's deadline and readiness lines and buttons, the facilitator's
nudges, the thread notes of a passed deadline, and the deadlines and handover modals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import blocks as bk
from bot.blocks import Blocks
from bot.text import mrkdwn, slack_time
from rituals.retro.ids import Action, Block, Option, View
from rituals.retro.modals import DEADLINE_CHOICES, _input, _modal, _option
from rituals.retro.models import Retro

ADVANCE_LABEL = {"collect": "Reveal items ▶", "group": "Start voting ▶", "vote": "Close voting ▶"}
DEADLINE_NAME = {"collect": "collection", "vote": "voting", "discuss": "discussion"}
READY_PHASES = ("collect", "vote")


def when(moment: datetime) -> str:
    """A Slack date token: every reader sees it in their own timezone (bot.text.slack_time)."""
    return slack_time(moment)


def root_lines(retro: Retro, done: int, participants: int) -> list[str]:
    """The root's context lines beyond the collection deadline: later deadlines, readiness."""
    lines = []
    if retro.vote_deadline_at and retro.phase in ("collect", "group", "vote"):
        lines.append(f"voting closes {when(retro.vote_deadline_at)}")
    if retro.discuss_deadline_at and retro.phase in ("collect", "group", "vote", "discuss"):
        lines.append(f"discussion ends {when(retro.discuss_deadline_at)}")
    if not retro.auto_advance and (retro.deadline_at or retro.vote_deadline_at or retro.discuss_deadline_at):
        lines.append("at a deadline the facilitator is nudged")
    if retro.max_votes_per_item and retro.phase == "group":  # collecting and voting say it under the board
        lines.append(f"{retro.votes_per_person} votes each, at most {retro.max_votes_per_item} on one item")
    if retro.phase in READY_PHASES and participants:
        lines.append(f"{done} of {participants} done")  # a count only: never who
    return lines


def cap_note(retro: Retro) -> str:
    cap = retro.max_votes_per_item
    return f" At most {cap} on one item." if cap else ""


def buttons(retro: Retro) -> Blocks:
    rid = str(retro.id)
    out = [bk.button("I'm done", Action.READY, rid)] if retro.phase in READY_PHASES else []
    return out + [bk.button("Deadlines", Action.TIMING, rid), bk.button("Hand over", Action.HANDOVER, rid)]


def cap_reached(cap: int, left: int) -> str:
    rest = f" Put your other {left} vote{'' if left == 1 else 's'} on other items." if left else ""
    return f"You already put {cap} votes on this item, the most one person may put on one item in this retro.{rest}"


def ready_answer(done: bool, phase: str, count: int, of: int) -> str:
    name = DEADLINE_NAME[phase]
    if done:
        return f"Marked as done with {name} (only you see this): {count} of {of} done. Press *I'm done* again to undo."
    return f"You are no longer marked as done with {name}: {count} of {of} done."


def _move_on_button(retro: Retro, phase: str) -> dict[str, Any]:
    if phase == "discuss":
        return bk.button(
            "Close retro",
            Action.CLOSE,
            str(retro.id),
            style="danger",
            confirm=bk.confirm_dialog(
                "Close the retro?", "Undiscussed items carry over to the next retro; action owners get a DM."
            ),
        )
    return bk.button(ADVANCE_LABEL[phase], Action.ADVANCE, f"{retro.id}:{phase}", style="primary")


def deadline_nudge(retro: Retro, phase: str, at: datetime) -> tuple[str, Blocks]:
    text = (
        f":hourglass: The {DEADLINE_NAME[phase]} deadline of “{mrkdwn(retro.title)}” in <#{retro.channel_id}> "
        f"passed ({when(at)}). Move on when you are ready:"
    )
    return text, [bk.section(text), bk.actions(_move_on_button(retro, phase))]


def all_done_nudge(retro: Retro, phase: str, count: int) -> tuple[str, Blocks]:
    text = (
        f":white_check_mark: Everyone in “{mrkdwn(retro.title)}” in <#{retro.channel_id}> is done with "
        f"{DEADLINE_NAME[phase]} ({count} of {count}). Move on when you are ready:"
    )
    return text, [bk.section(text), bk.actions(_move_on_button(retro, phase))]


def deadline_note(retro: Retro, phase: str, outcome: str) -> str:
    name = DEADLINE_NAME[phase]
    if outcome == "early":
        return (
            f":hourglass: The {name} deadline of “{mrkdwn(retro.title)}” passed before {name} began, so it is "
            "cleared. The facilitator can set a new one with *Deadlines*."
        )
    if outcome == "empty":
        return (
            f":hourglass: The voting deadline of “{mrkdwn(retro.title)}” passed with no votes yet, so voting stays "
            "open without a deadline. Vote on the ballot; the facilitator can close voting or set a new deadline "
            "with *Deadlines*."
        )
    if outcome == "nudged":
        return f":hourglass: The {name} deadline passed: the facilitator decides when to move on."
    return f":hourglass: The {name} deadline passed, so {name} ended by itself."


def handed_over(old: str, new: str, actor: str) -> str:
    by = "" if actor == old else f" (by <@{actor}>)"
    return f":arrows_counterclockwise: <@{old}> handed facilitation to <@{new}>{by}. <@{new}> now has the controls."


def new_facilitator_dm(retro: Retro) -> str:
    return (
        f"You now facilitate “{mrkdwn(retro.title)}” in <#{retro.channel_id}>: the buttons on its main message "
        "(moving between phases, settings, deadlines, closing) are yours."
    )


def _deadline_select(block: str, label: str) -> dict[str, Any]:
    element = {"type": "static_select", "action_id": "value", "options": [_option(v, t) for v, t in DEADLINE_CHOICES]}
    return _input(block, label, element, optional=True)


def timing_modal(retro: Retro) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if retro.phase in ("collect", "group", "vote"):
        shown = f" (now {retro.vote_deadline_at:%Y-%m-%d %H:%M} UTC)" if retro.vote_deadline_at else ""
        blocks.append(_deadline_select(Block.VOTE_DEADLINE, f"Voting deadline{shown}"))
    shown = f" (now {retro.discuss_deadline_at:%Y-%m-%d %H:%M} UTC)" if retro.discuss_deadline_at else ""
    blocks.append(_deadline_select(Block.DISCUSS_DEADLINE, f"Discussion deadline{shown}"))
    move_on, nudge = _option(Option.MOVE_ON, "Move on by itself"), _option(Option.NUDGE, "Send me a nudge (DM)")
    radio = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [move_on, nudge],
        "initial_option": move_on if retro.auto_advance else nudge,
    }
    blocks.append(_input(Block.ON_DEADLINE, "When a deadline passes", radio))
    if retro.phase in ("collect", "group"):
        cap: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
        if retro.max_votes_per_item:
            cap["initial_value"] = str(retro.max_votes_per_item)
        blocks.append(
            _input(Block.ITEM_CAP, "Most votes one person may put on one item (empty: no cap)", cap, optional=True)
        )
    blocks.append(bk.context("A deadline left empty stays as it is; pick “No deadline” to remove one."))
    return _modal(View.TIMING, "Deadlines", blocks, {"retro": retro.id})


def handover_modal(retro: Retro) -> dict[str, Any]:
    element = {"type": "users_select", "action_id": "value"}
    return _modal(
        View.HANDOVER,
        "Hand over",
        [
            bk.section(f"<@{retro.facilitator_id}> facilitates now. Pick a member of <#{retro.channel_id}>:"),
            _input(Block.FACILITATOR, "New facilitator", element),
        ],
        {"retro": retro.id},
        submit="Hand over",
    )
