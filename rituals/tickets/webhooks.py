"""Jira and GitHub webhooks on the web process (`POST /tickets/webhooks/github`, `.../jira`): the body's
HMAC-SHA256 checked against the secret named in ritualbot.yaml (`trackers.github.webhook_secret_env`,
`trackers.jira.webhook_secret_env`), then the ticket's tracker state applied by rituals.tickets.sync.

GitHub signs with `X-Hub-Signature-256: sha256=<hex>`; Jira Cloud webhooks registered with a secret
sign with `X-Hub-Signature: sha256=<hex>`. Both over the raw body."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from bot.errors import ConfigError
from bot.runtime import Runtime
from rituals.tickets import sync
from rituals.tickets.models import Ticket
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import RemoteTicket, TrackerError
from rituals.tickets.trackers.github import GitHubTracker

log = logging.getLogger(__name__)
HEADER = {"github": "x-hub-signature-256", "jira": "x-hub-signature"}
SECRET_ENV = {"github": "GITHUB_WEBHOOK_SECRET", "jira": "JIRA_WEBHOOK_SECRET"}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def receive(rt: Runtime, tracker: str, headers: Mapping[str, str], body: bytes) -> tuple[int, str]:
    try:
        setup = TicketSetup.from_settings(rt.settings)
    except ConfigError as exc:
        return 503, f"stage tickets are not set up correctly: {exc}"
    config = setup.trackers.get(tracker)
    if not isinstance(config, Mapping):
        return 404, f"the {tracker} tracker is not set up here"
    try:
        secret = rt.settings.secret(str(config.get("webhook_secret_env") or SECRET_ENV[tracker]))
    except ConfigError as exc:
        log.warning("tickets webhook refused: no secret tracker=%s problem=%s", tracker, exc)
        return 503, "the webhook secret is not configured on this server"
    if not hmac.compare_digest(headers.get(HEADER[tracker], ""), signature(secret, body)):
        log.warning("tickets webhook refused: bad signature tracker=%s", tracker)
        return 401, "bad signature"
    try:
        payload = json.loads(body)
    except ValueError:
        return 400, "the body is not JSON"
    if not isinstance(payload, dict):
        return 400, "the body is not a JSON object"
    key, remote = _github(config, headers, payload) if tracker == "github" else _jira(payload)
    if key is None:
        return 200, "ignored"
    return _apply(rt, setup, tracker, key, remote)


def _github(config: Mapping[str, Any], headers: Mapping[str, str], payload: dict[str, Any]) -> tuple[str | None, Any]:
    """`issues` and `issue_comment` events carry the whole issue, as the REST API shows it."""
    if headers.get("x-github-event") not in ("issues", "issue_comment"):
        return None, None
    repo = ((payload.get("repository") or {}).get("full_name") or "").lower()
    issue = payload.get("issue")
    if repo != str(config.get("repo") or "").lower() or not isinstance(issue, dict) or "pull_request" in issue:
        return None, None
    return f"#{issue['number']}", GitHubTracker.ticket_of(issue)


def _jira(payload: dict[str, Any]) -> tuple[str | None, Any]:
    """Issue and comment events name the issue; its state is read back from Jira (comment events carry
    only part of it)."""
    key = (payload.get("issue") or {}).get("key")
    return (str(key), None) if key else (None, None)


def _apply(rt: Runtime, setup: TicketSetup, tracker: str, key: str, remote: RemoteTicket | None) -> tuple[int, str]:
    now = rt.clock.now()
    with rt.database.session() as s:
        tickets = list(s.scalars(select(Ticket).where(Ticket.tracker == tracker, Ticket.key == key)))
        if not tickets:
            return 200, "not a ritualbot ticket"
        changed = 0
        for ticket in tickets:
            try:
                current = remote or setup.build(tracker, s, ticket.team_id).get(key)
            except (TrackerError, ConfigError) as exc:
                log.warning("tickets webhook could not read tracker=%s key=%s problem=%s", tracker, key, exc)
                return 502, f"could not read {key} back from {tracker}"
            changed += bool(sync.apply(s, setup, ticket, current, now=now))
    return 200, f"{changed} ticket(s) updated"
