"""Standup messages as Block Kit: the DM ask, a member's posted answers, the day's thread parent and
the digest. Plain data in, blocks out; text from the templates beside this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import blocks as b
from bot.templates import render as template
from bot.text import mrkdwn
from rituals.standup.answers import is_blocker
from rituals.standup.ids import Action
from rituals.standup.models import Standup, StandupBlocker, StandupEntry

PKG = "rituals.standup"
AWAY_LABELS = {
    "holiday": "holiday",
    "skipped": "skipped today",
    "away": "away",
    "status": "away (status)",
    "left": "left the channel",
    "deactivated": "deactivated",
}


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def ask(standup: Standup, entry: StandupEntry) -> tuple[str, b.Blocks]:
    text = template(
        PKG,
        "ask.md.j2",
        standup=mrkdwn(standup.name),
        channel=standup.channel_id,
        day=day_label(entry.day),
        total=len(entry.questions),
        first=mrkdwn(entry.questions[0]),
    )
    return text, [
        b.section(text),
        b.actions(b.button("Answer standup", Action.OPEN_ANSWER, str(entry.id), style="primary")),
    ]


def next_question(entry: StandupEntry, index: int) -> str:
    return f"*{index + 1}/{len(entry.questions)}* {mrkdwn(entry.questions[index])}"


def reminder(standup: Standup, entry: StandupEntry) -> tuple[str, b.Blocks]:
    answered = sum(1 for a in entry.answers if a is not None)
    text = template(
        PKG,
        "reminder.md.j2",
        standup=mrkdwn(standup.name),
        channel=standup.channel_id,
        answered=answered,
        total=len(entry.questions),
    )
    return text, [b.section(text), b.actions(b.button("Answer standup", Action.OPEN_ANSWER, str(entry.id)))]


def thanks(standup: Standup, entry: StandupEntry, *, late: bool) -> str:
    where = f"<#{standup.channel_id}>"
    return (
        f":white_check_mark: Thanks! Your answers are posted in {where}"
        + (" and added to today's digest." if late else ".")
        + " Edit a message here, or press *Answer standup* again, to change them."
    )


def _answer_lines(standup: Standup, entry: StandupEntry) -> list[str]:
    lines = []
    for i, (question, answer) in enumerate(zip(entry.questions, entry.answers, strict=False)):
        shown = mrkdwn(answer) if answer else "_(no answer)_"
        flag = ":construction: " if i == standup.blocker_index and is_blocker(answer) else ""
        lines.append(f"*{mrkdwn(question)}*\n{flag}{shown}")
    return lines


def answer_post(standup: Standup, entry: StandupEntry) -> tuple[str, b.Blocks]:
    text = f"Standup from <@{entry.user_id}> for {day_label(entry.day)}"
    blocks = [b.section(f"*<@{entry.user_id}>*")] + [b.section(line) for line in _answer_lines(standup, entry)]
    return text, blocks


def delete_prompt(standup: Standup) -> tuple[str, b.Blocks]:
    """The ephemeral "are you sure" of `/standup delete`, with its confirmed button."""
    confirm = b.confirm_dialog(
        "Delete standup?", f"“{mrkdwn(standup.name)}” and all its answers will be deleted.", ok="Delete"
    )
    return f"Delete “{mrkdwn(standup.name)}”?", [
        b.section(f"Delete *{mrkdwn(standup.name)}* with all its answers and history?"),
        b.actions(b.button("Delete standup", Action.DELETE, str(standup.id), style="danger", confirm=confirm)),
    ]


def thread_parent(standup: Standup, day: date) -> tuple[str, b.Blocks]:
    text = f"{mrkdwn(standup.name)} · {day_label(day)} — answers in the thread"
    return text, [b.section(f":sunrise: *{mrkdwn(standup.name)}* · {day_label(day)} — answers in the thread :thread:")]


@dataclass
class DayView:
    """Everything the day's digest (or summary message) shows."""

    standup: Standup
    day: date
    answered: list[StandupEntry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    away: list[tuple[str, str]] = field(default_factory=list)
    blockers: list[StandupBlocker] = field(default_factory=list)
    final: bool = False
    with_answers: bool = False

    @property
    def total(self) -> int:
        return len(self.answered) + len(self.missing) + len(self.later)


def digest(view: DayView) -> tuple[str, b.Blocks]:
    s = view.standup
    title = f"{s.name} · {day_label(view.day)}"
    blocks: b.Blocks = [b.header(title)]
    if view.blockers:
        blocks.append(b.section(f":construction: *Blockers ({len(view.blockers)})*"))
        for blocker in view.blockers:
            age = (view.day - blocker.raised_on).days
            since = "new today" if age <= 0 else f"day {age + 1}, since {day_label(blocker.raised_on)}"
            # The "File a ticket" button (stage-ticket modal, prefilled) joins "Cleared" once the tickets
            # capability offers that modal; until then it stays hidden.
            blocks.append(
                b.section(
                    f"<@{blocker.user_id}> — {mrkdwn(blocker.text)} _({since})_",
                    accessory=b.button("Cleared", Action.CLEAR_BLOCKER, f"{blocker.id}:{view.day}"),
                )
            )
        blocks.append(b.divider())
    names = ", ".join(f"<@{e.user_id}>" for e in view.answered) or "nobody yet"
    blocks.append(b.section(f":white_check_mark: *Answered ({len(view.answered)}/{view.total})*: {names}"))
    if view.with_answers:
        for entry in view.answered:
            blocks.append(b.section(f"*<@{entry.user_id}>*\n" + "\n".join(_answer_lines(s, entry))))
    if view.missing:
        label = "No answer" if view.final else "Waiting for"
        blocks.append(b.section(f":hourglass: *{label}*: " + ", ".join(f"<@{u}>" for u in view.missing)))
    if view.later:
        blocks.append(
            b.section(":alarm_clock: *Asked later today (their morning)*: " + ", ".join(f"<@{u}>" for u in view.later))
        )
    if view.away:
        blocks.append(
            b.section(":palm_tree: *Away*: " + ", ".join(f"<@{u}> ({AWAY_LABELS.get(k, k)})" for u, k in view.away))
        )
    if not view.with_answers and view.answered:
        blocks.append(b.context("Answers are in the day's standup thread."))
    text = template(
        PKG,
        "digest.txt.j2",
        standup=mrkdwn(s.name),
        day=day_label(view.day),
        answered=len(view.answered),
        total=view.total,
        blockers=len(view.blockers),
        missing=", ".join(f"<@{u}>" for u in view.missing),
        away=", ".join(f"<@{u}>" for u, _ in view.away),
    )
    return text, blocks
