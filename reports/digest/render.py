"""The digest's layout: a short message (what needs attention, one line per section) and the rest in
its thread (the remaining items, each section in full, the week over week, the charts). Every thread
reply's notification text starts with the digest's title, so a reply read alone says what it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import blocks
from bot.capabilities import Section
from bot.templates import render
from bot.text import escape, slack_date
from reports.digest.weekly import Figure

ATTENTION_TOP = 5  # items above the fold; the rest go to the thread


@dataclass(frozen=True)
class Part:
    """A message of the digest: its notification text and its blocks."""

    text: str
    blocks: blocks.Blocks


def title(day: date, *, weekly: bool) -> str:
    return render("reports.digest", "title.txt.j2", day=day, weekly=weekly)


def window(since: datetime, now: datetime, tz: str) -> str:
    """Each reader sees the window in their own timezone; the fallback is the channel's (named)."""
    zone = ZoneInfo(tz)
    start, end = since.astimezone(zone), now.astimezone(zone)
    first = slack_date(since, "{date_short_pretty} {time}", f"{start:%a %d %b %H:%M} {tz}")
    last = slack_date(now, "{date_short_pretty} {time}", f"{end:%a %d %b %H:%M} {tz}")
    return f"Since the last digest, {first} – {last}"


def glance_line(part: Section, command: str | None) -> str:
    where = f" · `{command}`" if command else ""
    mark = ":warning: " if part.unavailable else ""
    return f"• *{escape(part.title)}* — {mark}{escape(part.summary)}{where}"


def root(
    heading: str, since_line: str, attention: list[str], glance: list[str], *, weekly: bool, threaded: bool
) -> Part:
    """The message above the fold: ≤ 15 lines for a team with three reports and a handful of items."""
    shown = attention[:ATTENTION_TOP]
    body: blocks.Blocks = [blocks.header(heading), blocks.context(since_line)]
    if shown:
        more = len(attention) - len(shown)
        lines = shown + ([f"… and {more} more in the thread"] if more else [])
        body.append(blocks.section("*Needs attention*\n" + "\n".join(lines)))
    else:
        body.append(blocks.section("*Needs attention* — nothing today :white_check_mark:"))
    if glance:
        body.append(blocks.section("*At a glance*\n" + "\n".join(glance)))
    if threaded:
        what = "the week over week, " if weekly else ""
        body.append(blocks.context(f"More in the thread: {what}every section in full and the charts."))
    count = f"{len(attention)} item{'s' if len(attention) != 1 else ''} need attention" if attention else "all clear"
    return Part(f"{heading}: {count}", body)


def overflow(heading: str, attention: list[str]) -> Part | None:
    rest = attention[ATTENTION_TOP:]
    if not rest:
        return None
    return Part(
        f"{heading} · {len(rest)} more items need attention",
        [blocks.section("*Also needs attention*\n" + "\n".join(rest))],
    )


def week_over_week(heading: str, rows: list[Figure], this_week: date, last_week: date) -> Part | None:
    if not rows:
        return None
    lines = [f"• *{r.label}*: {r.this_week} (week before {r.last_week}, {r.change})" for r in rows]
    top = f"*Week over week* · from {this_week:%a %d %b}, against the week from {last_week:%a %d %b}"
    return Part(f"{heading} · week over week", [blocks.section(top + "\n" + "\n".join(lines))])


def in_full(heading: str, part: Section) -> Part:
    return Part(f"{heading} · {part.title}: {part.summary}", part.blocks)
