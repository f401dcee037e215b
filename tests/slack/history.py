"""The Slack double's conversations: every message it accepted, so conversations.history and
conversations.replies answer as Slack does (newest first, `oldest`/`latest`/`limit`/`cursor`, message
metadata only with include_all_metadata, a thread's replies only through conversations.replies)."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from typing import Any


class Conversations:
    def __init__(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # conversation -> oldest first
        self._lock = threading.Lock()

    def remember(self, channel: str, params: dict[str, Any]) -> None:
        """A message Slack accepted (chat.postMessage params plus its ts)."""
        message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": params.get("text") or ""}
        message["ts"] = params["ts"]
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        if params.get("files"):
            message["files"] = params["files"]
        with self._lock:
            self.messages[conversation(channel)].append(message)

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            messages = list(reversed(self.messages.get(params["channel"], [])))
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or math.inf)
        messages = [m for m in messages if oldest <= float(m["ts"]) <= latest]
        if method == "conversations.replies":
            messages = [m for m in messages if params["ts"] in (m["ts"], m.get("thread_ts"))][::-1]
        else:
            messages = [m for m in messages if m.get("thread_ts") in (None, m["ts"])]
        if str(params.get("include_all_metadata")).lower() not in ("true", "1"):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page, more = messages[start : start + limit], start + limit < len(messages)
        cursor = str(start + limit) if more else ""
        return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def conversation(channel: str) -> str:
    """A post to a user id lands in the IM with that user, which conversations.open names D<user>."""
    return "D" + channel if channel[:1] in ("U", "W") else channel
