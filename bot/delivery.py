"""What a failed Slack call means for an outbox row, and how to find out whether a post whose answer was
lost reached Slack: every chat.postMessage carries message metadata naming its outbox row, and the
channel's recent history (or the thread's replies) is searched for it before any resend.

Slack documents message metadata (`metadata.event_type` / `event_payload`) on chat.postMessage and returns
it from conversations.history / conversations.replies with `include_all_metadata=true`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk.errors import SlackApiError

from bot.errors import ConfigError

log = logging.getLogger(__name__)

OUTBOX_EVENT = "ritualbot_outbox"
HISTORY_PAGE = 200
HISTORY_PAGES = 5
CLOCK_SKEW = timedelta(minutes=2)

PERMANENT_ERRORS = {
    "invalid_blocks",
    "invalid_arguments",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "no_text",
    "user_not_found",
    "cannot_dm_bot",
    "message_not_found",
    "cant_update_message",
    "missing_scope",
    "user_not_in_channel",
    "invalid_blocks_format",
    "restricted_action",
    "already_reacted",
}
# The workspace's token is gone or not accepted: no message of that workspace can go until a new token is
# installed; nothing about the message itself is wrong.
TOKEN_ERRORS = {"invalid_auth", "account_inactive", "token_revoked", "token_expired", "not_authed", "team_not_found"}

Kind = Literal["rate_limited", "token", "unknown_outcome", "permanent", "transient"]


@dataclass(frozen=True)
class Failure:
    kind: Kind
    error: str
    retry_after: timedelta | None = None


def classify(exc: Exception) -> Failure:
    """rate_limited (429), token (the workspace's token), unknown_outcome (no answer, or a 5xx: the call
    may have been done), permanent (Slack refused this message), transient (try again later)."""
    if isinstance(exc, ConfigError):  # no installation for the workspace: uninstalled, not this message's fault
        return Failure("token", str(exc))
    response = getattr(exc, "response", None)
    if not isinstance(exc, SlackApiError) or response is None:
        return Failure("unknown_outcome", f"no answer from Slack ({type(exc).__name__}: {exc})")
    status = getattr(response, "status_code", 200)
    error = str(response.get("error") or exc)
    if status == 429 or error == "ratelimited":
        return Failure("rate_limited", error, _retry_after(response))
    if error in TOKEN_ERRORS:
        return Failure("token", error)
    if status >= 500:
        return Failure("unknown_outcome", f"HTTP {status}: {error}")
    if error in PERMANENT_ERRORS or 400 <= status < 500:
        return Failure("permanent", error)
    return Failure("transient", error)


def tag(outbox_id: int) -> dict[str, Any]:
    """The message metadata every outbox post carries, so a post whose answer was lost can be found."""
    return {"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": outbox_id}}


def find_landed(client: Any, outbox_id: int, payload: dict[str, Any], since: datetime) -> tuple[str, str] | None:
    """(channel, ts) of the message carrying `outbox_id` posted since `since`, or None when it is not there.
    A DM addressed to a user id is looked up in the IM Slack opened for it; a reply in its thread."""
    channel = str(payload["channel"])
    if channel[:1] in ("U", "W"):
        channel = str(client.conversations_open(users=channel)["channel"]["id"])
    args: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{(since - CLOCK_SKEW).timestamp():.6f}",
        "limit": HISTORY_PAGE,
        "include_all_metadata": True,
    }
    thread_ts = payload.get("thread_ts")
    for _ in range(HISTORY_PAGES):
        page = client.conversations_replies(ts=thread_ts, **args) if thread_ts else client.conversations_history(**args)
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT and _same_id(metadata.get("event_payload"), outbox_id):
                return channel, str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
        args["cursor"] = cursor
    log.warning("outbox history check gave up after %s messages id=%s", HISTORY_PAGE * HISTORY_PAGES, outbox_id)
    return None


def _same_id(event_payload: Any, outbox_id: int) -> bool:
    return isinstance(event_payload, dict) and str(event_payload.get("outbox_id")) == str(outbox_id)


def _retry_after(response: Any) -> timedelta:
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return timedelta(seconds=max(1, int(str(value))))
    except (TypeError, ValueError):
        return timedelta(seconds=30)
