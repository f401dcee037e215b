"""Token rotation ahead of time: every 30 minutes one process (the job claim) refreshes each installation's
rotating bot and user tokens that expire within `AHEAD_MINUTES`, and saves them through the encrypted store.

The request path (Bolt's authorizer, the outbox's `SlackClients`) refreshes only tokens expiring within
`REQUEST_PATH_MINUTES`, a smaller window: with this job running a token never gets that close to expiring,
so no request calls oauth.v2.access before its 3-second answer. A workspace whose refresh fails is logged
(the error code, never a token) and the others go on; a revoked refresh token needs a reinstall.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from sqlalchemy import select

from bot.installations import EncryptedInstallationStore
from bot.jobs import job
from bot.runtime import Runtime
from bot.slack_client import REQUEST_PATH_MINUTES, SlackClients

log = logging.getLogger(__name__)

__all__ = ["AHEAD_MINUTES", "JOB", "REQUEST_PATH_MINUTES", "refresh", "refresh_due"]

JOB = "tokens.refresh"
EVERY_MINUTES = 30
AHEAD_MINUTES = 180  # wider than the request path's window (REQUEST_PATH_MINUTES) by more than the interval
FORCE_MINUTES = 60 * 24 * 366  # the job decides on its clock; the rotator (on the wall clock) just refreshes
assert AHEAD_MINUTES >= REQUEST_PATH_MINUTES + EVERY_MINUTES


def half_hour(rt: Runtime, scope: str) -> str:
    now = rt.clock.now()
    return f"{now:%Y-%m-%dT%H}:{now.minute // EVERY_MINUTES * EVERY_MINUTES:02d}"


@job(JOB, period=half_hour, description=f"refresh rotating Slack tokens expiring within {AHEAD_MINUTES} minutes")
def refresh(rt: Runtime, scope: str, period: str) -> None:
    clients = rt.clients
    if not isinstance(clients, SlackClients) or clients.installation_store is None or clients.rotator is None:
        return  # single-workspace mode: the bot token comes from the environment and does not rotate
    refreshed, failed = refresh_due(clients, clients.installation_store, clients.rotator, rt.clock.now())
    log.info("tokens refreshed ahead refreshed=%s failed=%s", refreshed, failed)


def refresh_due(
    clients: SlackClients, store: EncryptedInstallationStore, rotator: TokenRotator, now: datetime
) -> tuple[int, int]:
    """(refreshed, failed): every workspace's newest installation whose bot or user token expires soon."""
    due_by = int((now + timedelta(minutes=AHEAD_MINUTES)).timestamp())
    refreshed = failed = 0
    for enterprise_id, team_id, org_wide in _workspaces(store):
        name = (enterprise_id if org_wide else team_id) or "(none)"
        try:
            installation = store.find_installation(
                enterprise_id=enterprise_id, team_id=None if org_wide else team_id, is_enterprise_install=org_wide
            )
            if installation is None:
                continue
            rotated = _rotate(rotator, installation, due_by)
            if rotated is None:
                continue
            store.save(rotated)
            clients.forget(name)
            refreshed += 1
            log.info("token refreshed ahead of expiry workspace=%s", name)
        except SlackTokenRotationError as exc:
            failed += 1
            code = _code(exc.api_error)
            if code == "invalid_refresh_token":
                log.error(
                    "token refresh failed workspace=%s error=invalid_refresh_token: the refresh token was revoked "
                    "or already spent; the workspace stops working when its token expires: reinstall the app "
                    "there (/slack/install)",
                    name,
                )
            else:
                log.error(
                    "token refresh failed workspace=%s error=%s; retried in %s minutes", name, code, EVERY_MINUTES
                )
        except Exception as exc:  # one workspace's failure never stops the others
            failed += 1
            log.error("token refresh failed workspace=%s error=%s", name, type(exc).__name__)
    return refreshed, failed


def _rotate(rotator: TokenRotator, installation: Installation, due_by: int) -> Installation | None:
    """The installation with its due tokens refreshed, or None when none is due (same merge as the rotator)."""
    bot_due = installation.bot_token_expires_at is not None and installation.bot_token_expires_at <= due_by
    user_due = installation.user_token_expires_at is not None and installation.user_token_expires_at <= due_by
    rotated = (
        rotator.perform_user_token_rotation(installation=installation, minutes_before_expiration=FORCE_MINUTES)
        if user_due
        else None
    )
    if bot_due:
        bot = rotator.perform_bot_token_rotation(bot=installation.to_bot(), minutes_before_expiration=FORCE_MINUTES)
        if bot is not None:
            rotated = rotated or Installation(**installation.to_dict_for_copying())
            rotated.bot_token, rotated.bot_refresh_token = bot.bot_token, bot.bot_refresh_token
            rotated.bot_token_expires_at = bot.bot_token_expires_at
    return rotated


def _workspaces(store: EncryptedInstallationStore) -> list[tuple[str | None, str | None, bool]]:
    c = store.installations.c
    query = select(c.enterprise_id, c.team_id, c.is_enterprise_install).where(c.client_id == store.client_id).distinct()
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted({(e, None if org else t, bool(org)) for e, t, org in rows}, key=lambda k: (k[0] or "", k[1] or ""))


def _code(error: SlackApiError | None) -> str:
    data = getattr(getattr(error, "response", None), "data", None)
    return str(data.get("error")) if isinstance(data, dict) else "unknown"
