"""Slack text at the edges: `decode` what Slack sends once, escape what the bot sends once.

Slack sends the `&`, `<`, `>` a person typed (in a message, a slash command, a shortcut's message)
as `&amp;`, `&lt;`, `&gt;`, and its own markup as `<…>`. `decode` turns that into *human text*:
the characters as typed, with the markup a person put in (a user mention `<@U…>`, a channel link
`<#C…|name>`, a web link `<https://…|label>`) kept in Slack's syntax. The bot stores human text
and renders it where it goes out:

- `mrkdwn(text)` for every field Slack parses (mrkdwn blocks, and every message's `text`, which
  Slack parses too): escaped once; user mentions, channel links and honest web links stay live;
  special mentions (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`) and links whose label
  names another address are shown as the literal text, so user text never pings or spoofs.
- `plain(text)` for plain_text fields, input initial values, and Jira/GitHub: the markup as
  readable text (`@ada`, `#general`, `run 42 (https://…)`), nothing escaped.
- `escape(text)` for text that does not come from Slack (MLflow names, tracker errors, settings):
  all of it literal.
- `slack_date(when, fmt, fallback)` / `slack_time(when, tz)` for a moment a reader sees: a `<!date^…>`
  token that each reader's client shows in their own timezone, with a readable fallback (in the bot's or
  the channel's zone, named) for clients and notifications that cannot. Calendar dates (a standup day,
  a due date) are not moments and stay as written: shifted into another zone they would name another day.

View inputs (plain_text_input values) arrive as typed: they are human text already. One ambiguity
is inherent to storing human text: a well-formed mention or link typed as literal characters (say
`<@U123>` typed into a modal) is shown live, like the markup it spells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ELLIPSIS = "…"
_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"@([UW][A-Z0-9]{2,})(?:\|([^|]*))?")
_CHANNEL = re.compile(r"#([CG][A-Z0-9]{2,})(?:\|([^|]*))?")
_LINK = re.compile(r"(https?://[^\s|]+)(?:\|(.*))?", re.S)
_MAILTO = re.compile(r"mailto:([^\s|@]+@[^\s|]+)(?:\|(.*))?", re.S)
# What a label would need to name an address: a scheme's host, or a dotted name ending in a TLD.
_LABEL_HOST = re.compile(r"(?i)[a-z][a-z0-9+.-]*://([^/\s?#:|]*)|\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b")
_PARTIAL_TAIL = re.compile(r"(&[a-z]{0,3}|<[^>]*)$")


def decode(slack: str) -> str:
    """Human text from text as Slack sends it: the three entities decoded, once; markup kept."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], slack)


def escape(text: str) -> str:
    """Every `&`, `<`, `>` literal: for mrkdwn text that does not come from Slack."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int | None = None) -> str:
    """Human text for a field Slack parses: escaped once, live markup kept, pings and spoofs literal.

    With `limit`, the result is at most that long, cut between characters (never inside an entity
    or a link) with an ellipsis.
    """
    pieces = list(_mrkdwn_pieces(text))
    if limit is None or sum(len(p) for p in pieces) <= limit:
        return "".join(pieces)
    out, used = [], 0
    for piece in pieces:
        if used + len(piece) > limit - len(ELLIPSIS):
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS


def plain(text: str) -> str:
    """Human text for a field Slack shows literally (plain_text, input values) and for trackers."""
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        out.append(_readable(match.group(1)) or match.group(0))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def link(url: str, label: str) -> str:
    """A mrkdwn link the bot makes: `url` from settings, a tracker or a form; `label` human text, readable."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(plain(label))}>"


def slack_date(when: datetime, fmt: str, fallback: str) -> str:
    """`<!date^UNIX^fmt|fallback>`: the moment `when` shown in each reader's timezone.

    `fmt` is Slack's: its tokens (`{date_short_pretty}`, `{date_long}`, `{time}`, `{ago}`…) among literal
    text; `fallback` is human text, shown where Slack cannot localize (old clients, notifications): write
    it in the bot's or the channel's zone and name the zone. Both are escaped here (`&<>`, and the `|`
    and `^` that would end their part of the token). A naive `when` is UTC (how the database returns it).
    """
    moment = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return f"<!date^{int(moment.timestamp())}^{_date_part(fmt)}|{_date_part(fallback)}>"


def slack_time(
    when: datetime, tz: str = "UTC", fmt: str = "{date_short_pretty} at {time}", fallback: str = "%a %d %b %Y %H:%M"
) -> str:
    """`slack_date` with the fallback written by strftime `fallback` in the zone `tz` (named after a time
    of day: `Tue 24 Nov 2026 10:00 Europe/Berlin`; a date alone reads `24 Nov 2026`)."""
    moment = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(tz))
    shown = local.strftime(fallback) + (f" {tz}" if "%H" in fallback else "")
    return slack_date(moment, fmt, shown)


def _date_part(text: str) -> str:
    return escape(text).replace("|", "/").replace("^", " ")


def is_live(token: str) -> bool:
    """Whether `<token>` (without the brackets) stays live markup when the bot posts it."""
    return _readable(token) is not None


def cut_mrkdwn(text: str, limit: int) -> str:
    """Cut already rendered mrkdwn to `limit` without leaving half an entity or half a link."""
    if len(text) <= limit:
        return text
    head = _PARTIAL_TAIL.sub("", text[: limit - len(ELLIPSIS)])
    return head + ELLIPSIS


def _mrkdwn_pieces(text: str) -> Iterator[str]:
    """The escaped text in pieces that may be cut between: one character, entity or live token each."""
    pos = 0
    for match in _TOKEN.finditer(text):
        yield from (escape(c) for c in text[pos : match.start()])
        token = match.group(1)
        if is_live(token):
            yield "<" + token.replace("&", "&amp;") + ">"
        else:
            yield from (escape(c) for c in match.group(0))
        pos = match.end()
    yield from (escape(c) for c in text[pos:])


def _readable(token: str) -> str | None:
    """The readable form of a live token; None for anything that must stay literal."""
    if user := _USER.fullmatch(token):
        return "@" + (user.group(2) or user.group(1))
    if channel := _CHANNEL.fullmatch(token):
        return "#" + (channel.group(2) or channel.group(1))
    if web := _LINK.fullmatch(token):
        url, label = web.group(1), web.group(2)
        if not label or label == url:
            return url
        return f"{label} ({url})" if _honest(url, label) else None
    if mail := _MAILTO.fullmatch(token):
        address, label = mail.group(1), mail.group(2)
        return address if not label or label == address else None
    return None


def _honest(url: str, label: str) -> bool:
    """A label that names no address, or only the link's own host (a spoofed link names another)."""
    try:
        host = _host(urlsplit(url).hostname or "")
    except ValueError:  # a malformed address (an unclosed IPv6 bracket) is nobody's honest link
        return False
    return all(_host(m.group(1) or m.group(2) or "") == host for m in _LABEL_HOST.finditer(label))


def _host(name: str) -> str:
    name = name.lower().rstrip(".")
    return name.removeprefix("www.")
