"""How the Slack double answers a call it accepted: the method's fixture JSON filled in with the
call's values, then the method's own handler (users, members, user groups, posts, history)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.slack.double import SlackDouble

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"

Handler = Callable[["SlackDouble", dict[str, Any], dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass
class User:
    id: str
    name: str
    tz: str = "UTC"
    email: str | None = None
    deleted: bool = False
    is_bot: bool = False
    status_emoji: str = ""
    is_admin: bool = False


def answer(double: SlackDouble, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The answer body; raises LookupError("<slack error>") for what Slack answers ok=false."""
    fixture = json.loads((FIXTURES / f"{method}.json").read_text())
    n = next(double._ids)
    ts = params.get("ts") or f"{1_800_000_000 + next(double._ts)}.{n:06d}"
    values = {
        "channel": params.get("channel") or "",
        "ts": ts,
        "text": params.get("text") or "",
        "view_id": params.get("view_id") or f"V{n:06d}",
        "hash": f"h{n}",
        "file_id": f"F{n:06d}",
        "callback_id": view.get("callback_id", "") if isinstance(view := params.get("view"), dict) else "",
        "user": params.get("users") or "",
        "name": f"channel-{params.get('channel', '')}".lower(),
        "ts_compact": str(params.get("message_ts") or ts).replace(".", ""),
        "upload_url": f"{double.root_url}upload/F{n:06d}",
        "title": params.get("title") or "",
    }
    if method == "conversations.open":
        values["channel"] = "D" + str(params.get("users") or params.get("channel")).split(",")[0]
    if method == "files.completeUploadExternal":
        files = params["files"]
        values["file_id"], values["title"] = files[0]["id"], files[0].get("title", "")
    body = fill(fixture, values)
    handler = HANDLERS.get(method)
    return handler(double, params, body, values) if handler else body


def _users_info(double: SlackDouble, params: dict[str, Any], body: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    body["user"] = user_json(_user(double, params["user"]), body["user"])
    return body


def _lookup_by_email(
    double: SlackDouble, params: dict[str, Any], _: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    match = [u for u in double.users.values() if u.email and u.email.lower() == params["email"].lower()]
    if not match:
        raise LookupError("users_not_found")
    template = fill(json.loads((FIXTURES / "users.info.json").read_text()), values)["user"]
    return {"ok": True, "user": user_json(match[0], template)}


def _members(double: SlackDouble, params: dict[str, Any], body: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    if params["channel"] not in double.members:
        raise LookupError("channel_not_found")
    members = list(double.members[params["channel"]])  # pages like Slack: `limit`, then `next_cursor`
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or 100) or 100
    body["members"] = members[start : start + limit]
    more = start + limit < len(members)
    body["response_metadata"] = {"next_cursor": str(start + limit) if more else ""}
    return body


def _usergroup_users(
    double: SlackDouble, params: dict[str, Any], body: dict[str, Any], _: dict[str, Any]
) -> dict[str, Any]:
    if params["usergroup"] not in double.usergroups:
        raise LookupError("no_such_subteam")
    body["users"] = list(double.usergroups[params["usergroup"]][1])
    return body


def _usergroups(double: SlackDouble, _: dict[str, Any], body: dict[str, Any], __: dict[str, Any]) -> dict[str, Any]:
    template = body["usergroups"][0]
    body["usergroups"] = [
        {**template, "id": gid, "handle": handle, "name": handle, "user_count": len(users)}
        for gid, (handle, users) in double.usergroups.items()
    ]
    return body


def _post(double: SlackDouble, params: dict[str, Any], body: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    if params.get("thread_ts"):
        body["message"]["thread_ts"] = params["thread_ts"]
    if params.get("metadata"):
        body["message"]["metadata"] = params["metadata"]
    double.conversations.remember(params["channel"], {**params, "ts": values["ts"]})
    return body


def _complete_upload(
    double: SlackDouble, params: dict[str, Any], body: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Sharing the uploaded files posts a message carrying them (in the thread, with thread_ts)."""
    channel = params.get("channel_id") or str(params.get("channels") or "").split(",")[0]
    if channel:
        files = [{"id": f["id"], "title": f.get("title", "")} for f in params["files"]]
        message = {"text": params.get("initial_comment") or "", "files": files, "thread_ts": params.get("thread_ts")}
        double.conversations.remember(channel, {**message, "ts": values["ts"]})
    return body


def _history(double: SlackDouble, params: dict[str, Any], body: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    body.update(double.conversations.answer("conversations.history", params))
    return body


def _replies(double: SlackDouble, params: dict[str, Any], body: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    body.update(double.conversations.answer("conversations.replies", params))
    return body


HANDLERS: dict[str, Handler] = {
    "users.info": _users_info,
    "users.lookupByEmail": _lookup_by_email,
    "conversations.members": _members,
    "usergroups.users.list": _usergroup_users,
    "usergroups.list": _usergroups,
    "chat.postMessage": _post,
    "files.completeUploadExternal": _complete_upload,
    "conversations.history": _history,
    "conversations.replies": _replies,
}


def _user(double: SlackDouble, user_id: str) -> User:
    if user_id not in double.users:
        raise LookupError("user_not_found")
    return double.users[user_id]


def user_json(user: User, template: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(template)
    data.update(
        id=user.id,
        name=user.name,
        real_name=user.name,
        tz=user.tz,
        deleted=user.deleted,
        is_bot=user.is_bot,
        is_admin=user.is_admin,
    )
    data["profile"].update(
        real_name=user.name, display_name=user.name, email=user.email, status_emoji=user.status_emoji
    )
    return data


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, str) and "{" in value:
        for key, replacement in values.items():
            value = value.replace("{" + key + "}", str(replacement))
        return value
    return value
