"""A Slack client for the demo: answers like the Web API would, sends nothing, keeps every call."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web import SlackResponse, WebClient


@dataclass
class RecordedCall:
    method: str
    params: dict[str, Any]


@dataclass
class OfflineUser:
    id: str
    name: str
    tz: str
    email: str


@dataclass
class OfflineSlack:
    """ClientProvider for the demo; `on_call` sees each call as it is made (the demo prints it)."""

    users: dict[str, OfflineUser] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    on_call: Callable[[RecordedCall], None] | None = None

    def __post_init__(self) -> None:
        self._client = _OfflineClient(self)
        self._seq = itertools.count(1)

    def for_team(self, team_id: str | None, *, retries: bool = True) -> WebClient:
        return self._client

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        call = RecordedCall(method, params)
        self.calls.append(call)
        if self.on_call:
            self.on_call(call)
        n = next(self._seq)
        ts = f"{1_800_000_000 + n}.{n:06d}"
        if method == "users.info":
            user = self.users.get(params.get("user", ""))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {
                "ok": True,
                "user": {
                    "id": user.id,
                    "name": user.name,
                    "real_name": user.name,
                    "tz": user.tz,
                    "deleted": False,
                    "is_bot": False,
                    "profile": {"email": user.email, "status_emoji": ""},
                },
            }
        if method == "users.lookupByEmail":
            match = [u for u in self.users.values() if u.email == params.get("email")]
            return {"ok": True, "user": {"id": match[0].id}} if match else {"ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).split(",")[0]}}
        if method == "conversations.members":
            return {"ok": True, "members": list(self.users), "response_metadata": {"next_cursor": ""}}
        if method == "chat.getPermalink":
            return {"ok": True, "permalink": f"https://example.slack.com/archives/{params.get('channel')}/p{n}"}
        return {
            "ok": True,
            "channel": params.get("channel"),
            "ts": params.get("ts") or ts,
            "view": {"id": f"V{n}"},
            "files": [{"id": f"F{n}"}],
        }


class _OfflineClient(WebClient):
    def __init__(self, owner: OfflineSlack) -> None:
        super().__init__(token="xoxb-offline-demo")
        self._owner = owner

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: Any = None,
        data: Any = None,
        params: Any = None,
        json: Any = None,
        headers: Any = None,
        auth: Any = None,
    ) -> SlackResponse:
        merged = {**(params or {}), **(data or {}), **(json or {})}
        body = self._owner.answer(api_method, merged)
        return SlackResponse(
            client=self, http_verb=http_verb, api_url=api_method, req_args={}, data=body, headers={}, status_code=200
        )

    def files_upload_v2(self, **kwargs: Any) -> SlackResponse:
        content = kwargs.pop("content", b"")
        return self.api_call("files.upload", json={**kwargs, "bytes": len(content)})
