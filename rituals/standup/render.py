"""Standup messages as Block Kit: the DM ask, a member's posted answers, the day's thread parent and
the digest. Plain data in, blocks out; text from the templates beside this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot import blocks as b
from bot.templates import render as template
from bot.text import escape, mrkdwn, slack_time
from rituals.standup import calendar
from rituals.standup.answers import KEEP, blocker_answer, hinted
from rituals.standup.ids import Action
from rituals.standup.models import Standup, StandupBlocker, StandupEntry

PKG = "rituals.standup"
AWAY_LABELS = {
    "holiday": "holiday",
    "skipped": "skipped today",
    "away": "away",
    "status": "Slack status",
    "left": "left the channel",
    "deactivated": "deactivated",
}


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def convention(entry: StandupEntry) -> str:
    """How to answer the blocker question in the DM thread."""
    if entry.blocker_index is None or entry.blocker_index >= len(entry.questions):
        return ""
    question = mrkdwn(entry.questions[entry.blocker_index])
    return f"For “{question}”, reply *no* when nothing blocks you, or *yes: …* with what does."


def ask(
    standup: Standup,
    entry: StandupEntry,
    previous: StandupEntry | None = None,
    blockers: list[StandupBlocker] | None = None,
) -> tuple[str, b.Blocks]:
    """The DM ask, with what the member planned last time and their blockers still open."""
    text = template(
        PKG,
        "ask.md.j2",
        standup=mrkdwn(standup.name),
        channel=standup.channel_id,
        day=day_label(entry.day),
        total=len(entry.questions),
        first=mrkdwn(entry.questions[0]),
        convention=convention(entry),
    )
    blocks = [
        b.section(text),
        b.actions(b.button("Answer standup", Action.OPEN_ANSWER, str(entry.id), style="primary")),
    ]
    if entry.suggested and entry.questions:
        blocks.append(b.context(suggestion(entry)))
    recap = _recap(previous, blockers or [])
    return text, blocks + ([b.context(*recap)] if recap else [])


def suggestion(entry: StandupEntry) -> str:
    """The evidence offered as the first answer (`entry.suggested` is set)."""
    question, found = mrkdwn(entry.questions[0]), mrkdwn(entry.suggested or "", 600)
    return (
        f":bulb: Suggested for “{question}”: {found}\n"
        f"Reply *{KEEP}* in this thread to keep it, or write your own; the form starts with it."
    )


def _recap(previous: StandupEntry | None, blockers: list[StandupBlocker]) -> list[str]:
    lines = []
    plan = _plan(previous) if previous is not None else None
    if previous is not None and plan:
        lines.append(f":memo: On {day_label(previous.day)} you planned: {mrkdwn(plan, 300)}")
    for blocker in blockers[:3]:
        since = day_label(blocker.raised_on)
        lines.append(f":construction: Still open since {since}: {mrkdwn(blocker.text, 200)} (answer *no* to clear)")
    if len(blockers) > 3:
        lines.append(f"… and {len(blockers) - 3} more open blockers")
    return lines


def _plan(entry: StandupEntry) -> str | None:
    """The answer about what comes next: the last question that is not the blocker question (of two or more)."""
    asked = [i for i in range(len(entry.questions)) if i != entry.blocker_index]
    if len(entry.questions) < 2 or not asked or asked[-1] == 0 or asked[-1] >= len(entry.answers):
        return None
    answer = entry.answers[asked[-1]]
    return str(answer) if answer else None


def next_question(entry: StandupEntry, index: int) -> str:
    line = f"*{index + 1}/{len(entry.questions)}* {mrkdwn(entry.questions[index])}"
    return f"{line} (*no*, or *yes: …*)" if index == entry.blocker_index else line


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
    text = (
        f":white_check_mark: Thanks! Your answers are posted in {where}"
        + (" and added to today's digest." if late else ".")
        + " Edit a message here, or press *Answer standup* again, to change them."
    )
    return f"{text}\n{guess(entry)}" if hinted(entry) else text


def guess(entry: StandupEntry) -> str:
    """What a free-text blocker answer was taken for, and how to correct it."""
    answer = mrkdwn(blocker_answer(entry) or "", 200)
    if entry.blocked:
        return f"I took “{answer}” as a blocker: reply *no* here if nothing blocks you."
    return f"I took “{answer}” as no blocker: reply *yes: …* here if something does."


def corrected(entry: StandupEntry) -> str:
    return "Got it: listed as a blocker." if entry.blocked else "Got it: no blocker."


def dm_help(open_standups: list[Standup]) -> str:
    """A top-level DM that is not an answer: which standup, or what the bot does."""
    if open_standups:
        names = ", ".join(f"“{mrkdwn(s.name)}”" for s in open_standups)
        return (
            f"You have several standups open ({names}): reply in the thread of the question you are "
            "answering, or use `/standup answer <name>`."
        )
    return (
        "I read standup answers in the thread of a standup's question; `/standup answer` opens the form, "
        "and `/ritual help` lists everything else I do."
    )


def _answer_lines(standup: Standup, entry: StandupEntry) -> list[str]:
    lines = []
    for i, (question, answer) in enumerate(zip(entry.questions, entry.answers, strict=False)):
        shown = mrkdwn(answer) if answer else "_(no answer)_"
        flag = ":construction: " if i == entry.blocker_index and entry.blocked else ""
        lines.append(f"*{mrkdwn(question)}*\n{flag}{shown}")
    return lines


def _gist(view: DayView, entry: StandupEntry) -> str:
    """A member's line in the summary: their first answer, short; the rest is in the thread."""
    first = next((str(a) for a in entry.answers if a), "")
    flag = " :construction:" if entry.blocked else ""
    return f"• {view.who(entry.user_id)}{flag}: {mrkdwn(first, GIST)}"


GIST = 60


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
    tickets: dict[int, str] = field(default_factory=dict)  # blocker id -> its stage ticket, as mrkdwn
    final: bool = False
    with_answers: bool = False
    names: dict[str, str] = field(default_factory=dict)  # user id -> Slack display name
    asked_at: dict[str, datetime] = field(default_factory=dict)  # a `later` member -> when they are asked

    @property
    def total(self) -> int:
        return len(self.answered) + len(self.missing) + len(self.later)

    def who(self, user_id: str) -> str:
        """A member by name, without a ping (a mention only while the name is unknown)."""
        name = self.names.get(user_id)
        return f"*{escape(name)}*" if name else f"<@{user_id}>"

    def everyone(self, user_ids: list[str]) -> str:
        return ", ".join(self.who(u) for u in user_ids)


def _asked_later(view: DayView, user_id: str) -> str:
    """A member asked later today, with the time each reader sees in their own zone (the standup's as fallback)."""
    at = view.asked_at.get(user_id)
    when = f" (at {slack_time(at, view.standup.timezone, '{time}', '%H:%M')})" if at else ""
    return view.who(user_id) + when


def digest(view: DayView) -> tuple[str, b.Blocks]:
    s = view.standup
    title = f"{s.name} · {day_label(view.day)}"
    blocks: b.Blocks = [b.header(title)]
    if view.blockers:
        blocks.append(b.section(f":construction: *Blockers ({len(view.blockers)})*"))
        for blocker in view.blockers:
            age = calendar.working_days(s.days, s.holidays, blocker.raised_on, view.day)
            since = "new today" if age <= 0 else f"day {age + 1}, since {day_label(blocker.raised_on)}"
            ticket = view.tickets.get(blocker.id)
            linked = f" · {ticket}" if ticket else ""
            blocks.append(
                b.section(
                    f"{view.who(blocker.user_id)} — {mrkdwn(blocker.text)} _({since})_{linked}",
                    accessory=b.button("Cleared", Action.CLEAR_BLOCKER, f"{blocker.id}:{view.day}"),
                )
            )
            if not ticket:
                blocks.append(b.actions(b.button("File a ticket", Action.FILE_TICKET, f"{blocker.id}:{view.day}")))
        blocks.append(b.divider())
    names = view.everyone([e.user_id for e in view.answered]) or "nobody yet"
    if view.with_answers and view.answered:
        lines = "\n".join(_gist(view, entry) for entry in view.answered)
        blocks.append(b.section(f":white_check_mark: *Answered ({len(view.answered)}/{view.total})*\n{lines}"))
    else:
        blocks.append(b.section(f":white_check_mark: *Answered ({len(view.answered)}/{view.total})*: {names}"))
    if view.missing:
        label = "No answer" if view.final else "Waiting for"
        blocks.append(b.section(f":hourglass: *{label}*: " + view.everyone(view.missing)))
    if view.later:
        later = ", ".join(_asked_later(view, u) for u in view.later)
        blocks.append(b.section(":alarm_clock: *Asked later today (their morning)*: " + later))
    if view.away:
        away = ", ".join(f"{view.who(u)} ({AWAY_LABELS.get(k, k)})" for u, k in view.away)
        blocks.append(b.section(f":palm_tree: *Away*: {away}"))
    if view.answered:
        where = "this message's thread" if view.with_answers else "the day's standup thread"
        blocks.append(b.context(f"Each member's answers are in {where}."))
    text = template(
        PKG,
        "digest.txt.j2",
        standup=mrkdwn(s.name),
        day=day_label(view.day),
        answered=len(view.answered),
        total=view.total,
        blockers=len(view.blockers),
        missing=view.everyone(view.missing),
        away=view.everyone([u for u, _ in view.away]),
    )
    return text, blocks
