"""The channel digest as people read it: the short message and the replies in its thread."""

from __future__ import annotations

from typing import Any

TITLES = ("Daily digest",)


def digests(slack: Any, channel: str = "C0001") -> list[list[dict[str, Any]]]:
    """Each digest posted in the channel: [the message, its thread replies ...], oldest first."""
    found: list[list[dict[str, Any]]] = []
    for p in slack.posted(channel):
        if not p["text"].startswith(TITLES):
            continue
        if p.get("thread_ts") and found:
            found[-1].append(p)
        elif not p.get("thread_ts"):
            found.append([p])
    return found


def sections(messages: list[dict[str, Any]]) -> str:
    """The text of every section block of a digest's messages, one per line."""
    return "\n".join(b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section")


def part(messages: list[dict[str, Any]], heading: str) -> dict[str, Any]:
    """The message of a digest whose first section starts with `heading` (e.g. "*Idle GPUs*")."""
    for m in messages:
        texts = [b["text"]["text"] for b in m["blocks"] if b["type"] == "section"]
        if texts and texts[0].startswith(heading):
            return m
    raise AssertionError(f"no message of the digest starts with {heading!r}")
