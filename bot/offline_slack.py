"""A Slack client for the demo: answers like the Web API would, sends nothing, keeps every call."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web import SlackResponse, WebClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result


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
        self._filenames: dict[str, tuple[str, int]] = {}

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

    def files_getUploadURLExternal(self, **kwargs: Any) -> SlackResponse:  # noqa: N802 — slack_sdk's name
        """Step 1 of the outbox's two-step upload: nothing is recorded until the file is shared (step 3)."""
        file_id = f"F{next(self._owner._seq)}"
        self._filenames[file_id] = (str(kwargs.get("filename") or ""), int(kwargs.get("length") or 0))
        return self._response("files.getUploadURLExternal", {"ok": True, "upload_url": "offline:", "file_id": file_id})

    def _upload_file(self, **kwargs: Any) -> FileUploadV2Result:
        self._uploaded = bytes(kwargs.get("data") or b"")  # the demo shows the chart itself (step 3 records it)
        return FileUploadV2Result(status=200, body="OK")

    def files_completeUploadExternal(self, **kwargs: Any) -> SlackResponse:  # noqa: N802 — slack_sdk's name
        """The upload, recorded (and shown by the demo) as one files.upload call."""
        file = kwargs["files"][0]
        filename, length = self._filenames.pop(file["id"], ("", 0))
        params = {
            "channel": kwargs.get("channel_id"),
            "filename": filename,
            "title": file.get("title"),
            "bytes": length,
            "content_b64": base64.b64encode(getattr(self, "_uploaded", b"")).decode(),
        }
        params.update({k: kwargs[k] for k in ("thread_ts", "initial_comment") if kwargs.get(k)})
        return self.api_call("files.upload", json=params)

    def _response(self, method: str, body: dict[str, Any]) -> SlackResponse:
        return SlackResponse(
            client=self, http_verb="POST", api_url=method, req_args={}, data=body, headers={}, status_code=200
        )
