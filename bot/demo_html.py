"""`ritualbot demo --html`: the simulated day as one self-contained page (no network), drawn the way
Slack shows it: Block Kit sections, fields, context, buttons, selects, images (charts inline), mrkdwn,
user and channel names instead of ids; every message in time order, the day's timeline on the side."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_TOKEN = re.compile(r"<([^<>]+)>")
_ENTITY = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
EMOJI = {
    "warning": "⚠️", "rotating_light": "🚨", "zzz": "💤", "x": "❌", "white_check_mark": "✅",
    "large_yellow_circle": "🟡", "large_green_circle": "🟢", "red_circle": "🔴", "chart_with_upwards_trend": "📈",
    "money_with_wings": "💸", "alarm_clock": "⏰", "construction": "🚧", "crystal_ball": "🔮", "tada": "🎉",
    "trophy": "🏆", "memo": "📝", "bulb": "💡", "eyes": "👀", "thumbsup": "👍", "+1": "👍", "calendar": "📅",
    "hourglass": "⏳", "chart": "📊", "bar_chart": "📊", "robot_face": "🤖", "sparkles": "✨", "fire": "🔥",
    "heavy_check_mark": "✔️", "arrow_right": "➡️", "pushpin": "📌", "speech_balloon": "💬", "wave": "👋",
}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One call the day made: when, which method, and its parameters (a chart's PNG as a data URI)."""

    at: datetime
    seq: int
    method: str
    params: dict[str, Any]
    image: str = ""  # data:image/png;base64,... for files.upload


@dataclass(frozen=True)
class Names:
    users: Mapping[str, str]
    channels: Mapping[str, str]

    def user(self, user_id: str) -> str:
        return self.users.get(user_id, "someone")

    def channel(self, channel_id: str) -> str:
        """A DM is posted to the user id (Slack opens the IM) or to its D… id."""
        if channel_id in self.users:
            return f"DM with {self.user(channel_id)}"
        if channel_id.startswith("D") and channel_id[1:] in self.users:
            return f"DM with {self.user(channel_id[1:])}"
        return self.channels.get(channel_id, "a channel")


def emoji(text: str) -> str:
    return re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m.group(1), "•" if m.group(1) else m.group(0)), text)


def mrkdwn(text: str, names: Names) -> str:
    """Slack's mrkdwn as HTML: markup tokens first (kept aside), then entities, escaping and formatting."""
    kept: list[str] = []

    def token(m: re.Match[str]) -> str:
        kept.append(_token(m.group(1), names))
        return f"\x00{len(kept) - 1}\x00"

    body = _TOKEN.sub(token, text)
    for entity, char in _ENTITY.items():
        body = body.replace(entity, char)
    body = html.escape(emoji(body), quote=False)
    body = re.sub(r"```(.+?)```", lambda m: f"<pre>{m.group(1)}</pre>", body, flags=re.S)
    body = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", body)
    body = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"<b>\1</b>", body)
    body = re.sub(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])", r"<i>\1</i>", body)
    body = re.sub(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])", r"<s>\1</s>", body)
    body = re.sub(r"(?m)^&gt; (.*)$", r"<blockquote>\1</blockquote>", body)
    body = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], body)
    return body.replace("\n", "<br>")


def _token(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    for entity, char in _ENTITY.items():
        label = label.replace(entity, char)
        target = target.replace(entity, char)
    if target.startswith("@"):
        return f'<span class="mention">@{html.escape(names.user(target[1:]))}</span>'
    if target.startswith("#"):
        shown = label or names.channel(target[1:])
        return f'<span class="mention">#{html.escape(shown.lstrip("#"))}</span>'
    if target.startswith("!date^"):  # a moment in the reader's timezone: its fallback, as Slack's web client
        return html.escape(label)
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(label or target[1:].split("^")[0])}</span>'
    return f'<a href="{html.escape(target)}">{html.escape(label or target)}</a>'


def plain(obj: dict[str, Any] | None, names: Names) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""), names)
    return html.escape(emoji(str(obj.get("text", ""))))


def element(e: dict[str, Any], names: Names) -> str:
    kind = e.get("type", "")
    if kind == "button":
        style = f" {e['style']}" if e.get("style") in ("primary", "danger") else ""
        return f'<span class="button{style}">{plain(e.get("text"), names)}</span>'
    if kind == "image":
        src, alt = html.escape(e.get("image_url", "")), html.escape(e.get("alt_text", ""))
        return f'<img class="thumb" src="{src}" alt="{alt}">'
    if kind.endswith("select") or kind == "overflow":
        shown = plain(e.get("placeholder"), names) or ("…" if kind == "overflow" else "Select")
        return f'<span class="select">{shown} ▾</span>'
    if kind in ("mrkdwn", "plain_text"):
        return plain(e, names)
    if kind in ("plain_text_input", "datepicker", "timepicker", "checkboxes", "radio_buttons"):
        return f'<span class="input">{html.escape(str(e.get("initial_value", "")))}</span>'
    return ""


def block(b: dict[str, Any], names: Names) -> str:
    kind = b.get("type")
    if kind == "header":
        return f"<h3>{plain(b.get('text'), names)}</h3>"
    if kind == "divider":
        return "<hr>"
    if kind == "section":
        fields = "".join(f"<div>{plain(f, names)}</div>" for f in b.get("fields") or [])
        accessory = element(b["accessory"], names) if b.get("accessory") else ""
        text = f'<div class="text">{plain(b.get("text"), names)}</div>' if b.get("text") else ""
        grid = f'<div class="fields">{fields}</div>' if fields else ""
        return f'<div class="section"><div>{text}{grid}</div>{accessory}</div>'
    if kind == "context":
        return '<div class="context">' + " ".join(element(e, names) for e in b.get("elements") or []) + "</div>"
    if kind == "actions":
        return '<div class="actions">' + "".join(element(e, names) for e in b.get("elements") or []) + "</div>"
    if kind == "image":
        alt = html.escape(b.get("alt_text", ""))
        src = html.escape(b.get("image_url", ""))
        return f'<figure><img src="{src}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'
    if kind == "input":
        label, field = plain(b.get("label"), names), element(b.get("element") or {}, names)
        return f'<div class="field"><label>{label}</label>{field}</div>'
    return ""
