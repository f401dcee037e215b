"""What a reader sees of what the bot sent: every text field of a recorded call, and Slack's display of it.

`fields(params)` yields (kind, text) for each text field of a message, an ephemeral reply or a view:
"mrkdwn" for what Slack parses (a message's top-level `text`, mrkdwn objects, a file's comment) and
"plain" for plain_text objects and inputs' initial values. `shown(kind, text)` is what Slack displays,
written independently of bot/text.py: mentions as `@U…`, channels as `#name`, links as their label,
entities decoded. It raises `Malformed` for what Slack would not show as written: a raw `<` or `>`
outside markup, an `&` that starts no entity, and `ping()` finds special mentions that notify people.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_QUOTE = re.compile(r"(?:^|(?<=\n))> ")
_PING = re.compile(r"<!(channel|here|everyone|subteam\^[^>]*)(\|[^>]*)?>")


class Malformed(AssertionError):
    pass


def fields(params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("text", "initial_comment"):
        if isinstance(params.get(key), str):
            yield "mrkdwn", params[key]
    view = params.get("view")
    if isinstance(view, dict):
        yield from _walk(view)
    if isinstance(params.get("blocks"), list):
        yield from _walk(params["blocks"])


def _walk(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
        yield ("mrkdwn" if node["type"] == "mrkdwn" else "plain"), node["text"]
        return
    if isinstance(node.get("initial_value"), str):
        yield "plain", node["initial_value"]
    for key, value in node.items():
        if key not in ("private_metadata", "value", "action_id", "block_id", "callback_id", "url", "image_url"):
            yield from _walk(value)


def shown(kind: str, text: str) -> str:
    """What Slack displays for one field."""
    if kind == "plain":
        return text
    text = _QUOTE.sub("", text)  # a `>` opening a line is mrkdwn's block quote, not text
    out, pos = [], 0
    for match in _TOKEN.finditer(text):
        out.append(_literal(text[pos : match.start()]))
        out.append(_markup(match.group(1)))
        pos = match.end()
    out.append(_literal(text[pos:]))
    return "".join(out)


def pings(params: dict[str, Any]) -> list[str]:
    """Special mentions (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`) in fields Slack parses."""
    return [m.group(0) for kind, text in fields(params) if kind == "mrkdwn" for m in _PING.finditer(text)]


def _literal(text: str) -> str:
    if "<" in text or ">" in text:
        raise Malformed(f"raw < or > outside markup: {text!r}")
    if re.search(r"&(?!(amp|lt|gt);)", text):
        raise Malformed(f"an & that starts no entity: {text!r}")
    return _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def _markup(inner: str) -> str:
    target, _, label = inner.partition("|")
    label = _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], label)
    if target.startswith("@") or target.startswith("#"):
        return target[0] + (label or target[1:])
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return label or _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], target)
