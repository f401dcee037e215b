"""What a failed Slack call means for an outbox row, and how to find out whether a post whose answer was
lost reached Slack: every chat.postMessage carries message metadata naming its outbox row, and the
channel's recent history (or the thread's replies) is searched for it before any resend. A file upload is
found the same way by its file id, kept on the row before the step that shares it; an ephemeral message
cannot be found, so it is never sent twice (`UNCHECKABLE`).

Slack documents message metadata (`metadata.event_type` / `event_payload`) on chat.postMessage and returns
it from conversations.history / conversations.replies with `include_all_metadata=true`.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.errors import ConfigError

log = logging.getLogger(__name__)

OUTBOX_EVENT = "ritualbot_outbox"
UPLOADED = "uploaded_file_id"  # the payload key an upload's file id is kept under before it is shared
# What an unknown outcome leaves no trace of: Slack keeps no copy of an ephemeral message that could be looked
# up, so one whose outcome is unknown is never sent again (at most once: a lost ephemeral beats one shown twice).
UNCHECKABLE = {"chat.postEphemeral"}
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

    def tagged(message: dict[str, Any]) -> bool:
        metadata = message.get("metadata") or {}
        return metadata.get("event_type") == OUTBOX_EVENT and _same_id(metadata.get("event_payload"), outbox_id)

    return _search(client, payload, since, tagged, f"id={outbox_id}")


def upload(client: Any, payload: dict[str, Any], *, remember: Callable[[str], None]) -> dict[str, Any]:
    """Slack's two-step external upload of an outbox row's file. Only the last step
    (files.completeUploadExternal) shares the file in the conversation, so `remember(file_id)` records the
    file's id before it: an upload whose answer is lost is then found by that id (`find_upload`)."""
    content = base64.b64decode(payload["content_b64"])
    args = {"filename": payload["filename"], "length": len(content)}
    if payload.get("alt_txt"):
        args["alt_txt"] = payload["alt_txt"]
    step1 = client.files_getUploadURLExternal(**args)
    file_id = str(step1["file_id"])
    sent = client._upload_file(  # slack_sdk's own step 2 (files_upload_v2 calls it the same way)
        url=step1["upload_url"], data=content, logger=log, timeout=client.timeout, proxy=client.proxy, ssl=client.ssl
    )
    if sent.status != 200:
        raise SlackRequestError(f"file upload failed (status {sent.status}) file={file_id}")
    remember(file_id)
    share = {k: payload[k] for k in ("initial_comment", "thread_ts") if payload.get(k)}
    client.files_completeUploadExternal(
        files=[{"id": file_id, "title": payload.get("title") or payload["filename"]}],
        channel_id=payload["channel"],
        **share,
    )
    return {"channel": payload["channel"], "file_id": file_id}


def find_upload(client: Any, file_id: str, payload: dict[str, Any], since: datetime) -> tuple[str, str] | None:
    """(channel, ts) of the message that shared file `file_id` in the row's conversation (or thread), or None."""

    def sharing(message: dict[str, Any]) -> bool:
        return any(isinstance(f, dict) and f.get("id") == file_id for f in message.get("files") or [])

    return _search(client, payload, since, sharing, f"file={file_id}")


def _search(
    client: Any, payload: dict[str, Any], since: datetime, match: Callable[[dict[str, Any]], bool], what: str
) -> tuple[str, str] | None:
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
            if match(message):
                return channel, str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
        args["cursor"] = cursor
    log.warning("outbox history check gave up after %s messages %s", HISTORY_PAGE * HISTORY_PAGES, what)
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
