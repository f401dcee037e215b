"""The outbox sender's pauses: a workspace and method after a 429 (Slack's Retry-After), and a whole
workspace after Slack refused its token (backing off, and resuming as soon as a new token is installed)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

TOKEN_BACKOFF = timedelta(minutes=5)
TOKEN_BACKOFF_MAX = timedelta(hours=1)
TOKEN_CHECK_EVERY = timedelta(seconds=30)


@dataclass
class _TokenPause:
    until: datetime
    token: str | None
    strikes: int
    checked: datetime


class Pauses:
    """In-process state, shared by the sender's threads. `clients` is the sender's ClientProvider; when it
    can `forget(team_id)` a cached client, a token check looks the installation up afresh."""

    def __init__(self, clients: Any) -> None:
        self._clients = clients
        self._rate: dict[tuple[str | None, str], datetime] = {}
        self._tokens: dict[str | None, _TokenPause] = {}
        self._lock = threading.Lock()

    # -- 429 ---------------------------------------------------------------------------------------
    def rate_limit(self, team_id: str | None, method: str, until: datetime) -> None:
        with self._lock:
            self._rate[(team_id, method)] = max(until, self._rate.get((team_id, method), until))

    def rate_limited(self, team_id: str | None, method: str, now: datetime) -> bool:
        with self._lock:
            until = self._rate.get((team_id, method))
        return until is not None and until > now

    # -- tokens ------------------------------------------------------------------------------------
    def token_failed(self, team_id: str | None, error: str, token: str | None, now: datetime) -> datetime | None:
        """Pause the workspace and return until when; None when a fresh look-up finds another token than
        the one Slack refused (rotated or reinstalled meanwhile): retry at once with it."""
        with self._lock:
            known = self._tokens.get(team_id)
            if known is not None and known.until > now:
                return known.until  # another call in flight met the same error: paused already
        fresh = self._current_token(team_id)
        if fresh is not None and fresh != token:
            log.info("outbox token error with an outdated token workspace=%s error=%s: retrying", team_id, error)
            return None
        with self._lock:
            strikes = known.strikes + 1 if known is not None else 1
            until = now + min(TOKEN_BACKOFF * 2 ** (strikes - 1), TOKEN_BACKOFF_MAX)
            self._tokens[team_id] = _TokenPause(until, fresh, strikes, now)
        log.warning(
            "outbox paused workspace=%s error=%s until=%s: its messages stay queued and go out once a new "
            "token is installed (reinstall the app) or after the pause",
            team_id,
            error,
            until.isoformat(timespec="seconds"),
        )
        return until

    def paused_until(self, team_id: str | None, now: datetime) -> datetime | None:
        with self._lock:
            pause = self._tokens.get(team_id)
        return pause.until if pause is not None and pause.until > now else None

    def resumed(self, now: datetime) -> list[str | None]:
        """Paused workspaces that have a new token now (each checked at most every TOKEN_CHECK_EVERY)."""
        with self._lock:
            due = [t for t, p in self._tokens.items() if p.until > now and now - p.checked >= TOKEN_CHECK_EVERY]
            for team_id in due:
                self._tokens[team_id].checked = now
        back = []
        for team_id in due:
            fresh = self._current_token(team_id)
            with self._lock:
                pause = self._tokens.get(team_id)
                if pause is not None and fresh is not None and fresh != pause.token:
                    del self._tokens[team_id]
                    back.append(team_id)
        for team_id in back:
            log.info("outbox resumed workspace=%s: a new token is installed", team_id)
        return back

    def delivered(self, team_id: str | None) -> None:
        """A call went through: the workspace's token works (again)."""
        if team_id in self._tokens:
            with self._lock:
                self._tokens.pop(team_id, None)

    def _current_token(self, team_id: str | None) -> str | None:
        forget = getattr(self._clients, "forget", None)
        if forget is not None:
            forget(team_id)
        try:
            token = self._clients.for_team(team_id, retries=False).token
        except Exception:  # noqa: BLE001 — no installation (uninstalled) or the store is down: no token
            return None
        return str(token) if token else None
