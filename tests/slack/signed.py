"""Sends correctly signed (v0 HMAC-SHA256) requests to the app's real HTTP endpoint, shaped the
way Slack sends slash commands, interactivity payloads and Events API callbacks."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

_ids = itertools.count(1)


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SignedSlack:
    def __init__(self, url: str, signing_secret: str, *, team_id: str = "T0001", response_url: str = "") -> None:
        self.url = url
        self.secret = signing_secret
        self.team_id = team_id
        self.response_url = response_url
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.secret, ts, body),
            **(headers or {}),
        }
        return self.http.post(self.url, content=body.encode(), headers=all_headers)

    def command(
        self, command: str, text: str = "", *, user: str = "U0001", channel: str = "C0001", **extra: Any
    ) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": self.team_id,
            "team_domain": "ritual-test",
            "channel_id": channel,
            "channel_name": "team",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "response_url": self.response_url,
            "trigger_id": f"trig.{next(_ids)}",
            **extra,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        payload = {
            "team": {"id": self.team_id, "domain": "ritual-test"},
            "api_app_id": "A0001",
            "token": "legacy",
            **payload,
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kwargs)

    def action(
        self,
        action_id: str,
        value: str = "",
        *,
        user: str = "U0001",
        channel: str = "C0001",
        message_ts: str = "1800000000.000001",
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "action_ts": f"{time.time():.6f}",
            **extra,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trig.{next(_ids)}",
            "actions": [action],
            "response_url": self.response_url,
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        else:
            payload["channel"] = {"id": channel, "name": "team"}
            payload["message"] = message or {"type": "message", "ts": message_ts, "text": ""}
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
        return self.interactive(payload)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        user: str = "U0001",
        private_metadata: str = "",
        view_id: str = "V0001",
        blocks: list[dict[str, Any]] | None = None,
    ) -> httpx.Response:
        view = {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "blocks": blocks or [],
            "hash": "h1",
        }
        return self.interactive(
            {
                "type": "view_submission",
                "user": {"id": user, "team_id": self.team_id},
                "view": view,
                "trigger_id": f"trig.{next(_ids)}",
            }
        )

    def message_shortcut(
        self, callback_id: str, *, user: str = "U0001", channel: str = "C0001", message: dict[str, Any] | None = None
    ) -> httpx.Response:
        message = message or {"type": "message", "user": "U0002", "ts": "1800000000.000009", "text": "hello"}
        return self.interactive(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "user": {"id": user, "team_id": self.team_id},
                "channel": {"id": channel},
                "message": message,
                "message_ts": message["ts"],
                "trigger_id": f"trig.{next(_ids)}",
                "response_url": self.response_url,
            }
        )

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        envelope = {
            "token": "legacy",
            "team_id": self.team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        if retry_num:  # a retry is a new delivery, seconds later: Slack stamps and signs it anew
            kwargs.setdefault("timestamp", int(time.time()) + retry_num)
        return self.post(json.dumps(envelope), "application/json", headers=headers, **kwargs)
