"""Block Kit builders and limits: what rituals/ and reports/ use to describe a message.

Builders return plain dicts validated by slack_sdk's block models, so domain packages never
import Slack. `fit_message` makes any message fit Slack's limits before it is enqueued: long
sections are split, excess blocks become follow-up messages, and nothing is rejected by Slack.

Text (see bot.text): builders of plain_text fields (header, button, image title, confirm title) take
human text and show it readable (`bot.text.plain`); mrkdwn fields (section, fields, context) take
text the caller already rendered with `bot.text.mrkdwn`/`escape`, and are cut without breaking an
entity or a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from bot.text import cut_mrkdwn, plain

Blocks = list[dict[str, Any]]

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_MESSAGE_TEXT = 40000
ELLIPSIS = "…"


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {**plain_text(text, MAX_HEADER_TEXT), "emoji": True}}


def plain_text(text: str, limit: int = MAX_FIELD_TEXT) -> dict[str, Any]:
    """A plain_text object from human text: readable markup, nothing escaped (Slack shows it as is)."""
    return {"type": "plain_text", "text": _cut(plain(text), limit) or " "}


def section(text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(items: Sequence[str]) -> dict[str, Any]:
    cut = [cut_mrkdwn(i, MAX_FIELD_TEXT) for i in items[:MAX_FIELDS]]
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": t or " "} for t in cut]}


def context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": cut_mrkdwn(t, MAX_FIELD_TEXT)} for t in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def image(url: str, alt: str, title: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "image", "image_url": url, "alt_text": _cut(plain(alt), 2000)}
    if title:
        block["title"] = plain_text(title, 2000)
    return block


def button(
    text: str,
    action_id: str,
    value: str = "",
    *,
    style: str | None = None,
    url: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain_text(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, ok: str = "Yes", deny: str = "Cancel") -> dict[str, Any]:
    return {
        "title": plain_text(title, 100),
        "text": {"type": "mrkdwn", "text": cut_mrkdwn(text, 300)},
        "confirm": plain_text(ok, 30),
        "deny": plain_text(deny, 30),
    }


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        block["block_id"] = block_id
    return block


@dataclass(frozen=True)
class Message:
    text: str
    blocks: Blocks


def validate(blocks: Blocks) -> None:
    """Raise slack_sdk's SlackObjectFormationError if a block breaks a Block Kit rule, and ValueError for
    the rules Slack checks that slack_sdk does not: a block_id twice in a message, an action_id twice in
    one block (Slack answers invalid_blocks and the message never posts)."""
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        raise ValueError(f"a block_id is used twice: {block_ids}")
    for block in blocks:
        parsed = Block.parse(block)
        if parsed is None:
            raise ValueError(f"unknown block: {block!r}")
        parsed.to_dict()
        action_ids = [e["action_id"] for e in block.get("elements", []) if isinstance(e, dict) and e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            raise ValueError(f"an action_id is used twice in one block: {action_ids}")


def fit_message(text: str, blocks: Blocks | None) -> list[Message]:
    """Split a message into as many as needed so each respects Slack's limits."""
    text = cut_mrkdwn(text or " ", MAX_MESSAGE_TEXT)
    if not blocks:
        return [Message(text, [])]
    fitted: Blocks = []
    for block in blocks:
        fitted.extend(_fit_block(block))
    validate(fitted)
    chunks = [fitted[i : i + MAX_BLOCKS_MESSAGE] for i in range(0, len(fitted), MAX_BLOCKS_MESSAGE)]
    if len(chunks) == 1:
        return [Message(text, chunks[0])]
    return [
        Message(text if n == 0 else f"{cut_mrkdwn(text, 200)} (continued {n + 1}/{len(chunks)})", chunk)
        for n, chunk in enumerate(chunks)
    ]


def truncate_blocks(blocks: Blocks, limit: int = MAX_BLOCKS_MESSAGE) -> Blocks:
    """Fit into one message or view (chat.update, views): keep the head, say how much is left out."""
    fitted: Blocks = []
    for block in blocks:
        fitted.extend(_fit_block(block))
    if len(fitted) > limit:
        hidden = len(fitted) - (limit - 1)
        fitted = fitted[: limit - 1] + [context(f"{ELLIPSIS} and {hidden} more")]
    validate(fitted)
    return fitted


def blocks_to_text(blocks: Blocks) -> str:
    """A readable plain rendering of blocks (the demo's output and tests' assertions)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"# {block['text']['text']}")
        elif kind == "section":
            if "text" in block:
                lines.append(block["text"]["text"])
            lines.extend(f["text"] for f in block.get("fields", []))
            acc = block.get("accessory")
            if acc and acc.get("type") == "button":
                lines.append(f"[{acc['text']['text']}]")
        elif kind == "context":
            lines.append("  ".join(e.get("text", e.get("alt_text", "")) for e in block["elements"]))
        elif kind == "divider":
            lines.append("---")
        elif kind == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"] if "text" in e))
        elif kind == "image":
            lines.append(f"(image: {block.get('alt_text', '')})")
        elif kind == "input":
            lines.append(f"<{block['label']['text']}>")
    return "\n".join(lines)


def _fit_block(block: dict[str, Any]) -> Blocks:
    kind = block.get("type")
    if kind == "header":
        return [dict(block, text=dict(block["text"], text=_cut(block["text"]["text"], MAX_HEADER_TEXT)))]
    if kind == "section" and "text" in block and len(block["text"]["text"]) > MAX_SECTION_TEXT:
        parts = _split_text(block["text"]["text"], MAX_SECTION_TEXT)
        head = dict(block, text=dict(block["text"], text=parts[0]))
        return [head] + [section(p) for p in parts[1:]]
    return [block]


def _split_text(text: str, limit: int) -> list[str]:
    """Split at line breaks where possible; cut a single over-long line with an ellipsis."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:
            line = cut_mrkdwn(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    parts.append(current)
    return [p if p.strip() else " " for p in parts]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
