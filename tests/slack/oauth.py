"""The Slack double's `oauth.v2.access` for token rotation (grant_type=refresh_token), as strict as Slack.

slack_sdk's `WebClient.oauth_v2_access` sends the app's client id and secret as HTTP Basic auth and the
grant in the form body; `TokenRotator` reads `token_type`, `access_token`, `refresh_token` and `expires_in`
from the answer (shape from slack_sdk's own test server: app_id, scope, bot_user_id, team, enterprise,
is_enterprise_install). A refresh issues a new access token and a new refresh token; from then on the
double accepts only the new access token (the old one has expired), and the used refresh token is spent.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from dataclasses import dataclass, field
from typing import Any

EXPIRES_IN = 43200  # seconds: Slack's rotating tokens live 12 hours


@dataclass
class Rotation:
    """What the double knows of the app: its credentials and the refresh tokens it issued."""

    client_id: str = "111.222"
    client_secret: str = "client-secret"
    refresh_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)  # access tokens handed out, oldest first
    _n: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def refresh(self, params: dict[str, Any], authorization: str, team_id: str) -> tuple[dict[str, Any], str | None]:
        """(the answer body, the new bot token or None): Slack's errors answer ok=false with HTTP 200."""
        error = self._client_error(params, authorization)
        if error is None and params.get("grant_type") != "refresh_token":
            error = "invalid_grant_type" if params.get("grant_type") else "invalid_code"  # no code exchange here
        if error is None and params.get("refresh_token") not in self.refresh_tokens:
            error = "invalid_refresh_token"
        if error is not None:
            return {"ok": False, "error": error}, None
        self.refresh_tokens.discard(params["refresh_token"])
        n = next(self._n)
        access, refresh = f"xoxe.xoxb-1-rotated-{n}", f"xoxe-1-refresh-{n}"
        self.refresh_tokens.add(refresh)
        self.issued.append(access)
        body = {
            "ok": True,
            "app_id": "A0001",
            "scope": "chat:write,commands",
            "token_type": "bot",
            "access_token": access,
            "bot_user_id": "UBOT",
            "refresh_token": refresh,
            "expires_in": EXPIRES_IN,
            "team": {"id": team_id, "name": "Ritual Test"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return body, access

    def _client_error(self, params: dict[str, Any], authorization: str) -> str | None:
        """The app's credentials: HTTP Basic (what slack_sdk sends), or client_id/client_secret in the form."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization.removeprefix("Basic "), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return "invalid_client_id"
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            return "invalid_client_id"
        if client_secret != self.client_secret:
            return "bad_client_secret"
        return None
