"""Which installation a request belongs to, and which installations are gone.

Data is filed under `Workspace.id`: the installed workspace (Bolt's `context.team_id`, which is
`view.app_installed_team_id` for a Slack Connect modal and `team.id` for a button), or, for an
org-wide Enterprise Grid install, the organization, because its events carry no team at all
(`authorizations[0].team_id` is null) and its modals and buttons name whichever workspace the user
came from. Never the user's own team (`user.team_id`): in a Connect channel or for a Grid user from
another workspace that is the other side.

A workspace whose app was uninstalled (or whose bot token was revoked) is recorded in
`uninstalled_workspaces`: its scheduled jobs stop, its history stays. Installing again clears it.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    team_id: str | None
    enterprise_id: str | None = None
    is_enterprise_install: bool = False

    @property
    def id(self) -> str:
        """The id the workspace's data is filed under (the organization's for an org-wide install)."""
        if self.is_enterprise_install and self.enterprise_id:
            return self.enterprise_id
        return self.team_id or ""


def of_context(context: Mapping[str, Any]) -> Workspace | None:
    """The installation Bolt resolved for the request, or None when the request names none."""
    team_id = context.get("team_id") or None
    enterprise_id = context.get("enterprise_id") or None
    if enterprise_id and (context.get("is_enterprise_install") or not team_id):
        # an org-wide install; its app_uninstalled/tokens_revoked name the organization and no team
        return Workspace(team_id, enterprise_id, True)
    if team_id:
        return Workspace(team_id, enterprise_id, False)
    return None


class UninstalledWorkspace(Base):
    """A workspace (or org-wide install) the app was removed from: no jobs run for it."""

    __tablename__ = "uninstalled_workspaces"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]


def mark_uninstalled(session: Session, ws: Workspace, *, reason: str, now: datetime) -> None:
    _found_installed.get(session.get_bind(), {}).pop(ws.id, None)
    row = session.get(UninstalledWorkspace, ws.id)
    if row is None:
        session.add(UninstalledWorkspace(workspace_id=ws.id, enterprise_id=ws.enterprise_id, reason=reason, at=now))
    else:
        row.reason, row.at = reason, now
    log.info("workspace uninstalled workspace=%s reason=%s", ws.id, reason)


def mark_installed(session: Session, workspace_id: str) -> bool:
    """Forget that the workspace was uninstalled; True when it had been. Reads first: this runs on
    every request in single-workspace mode, and a DELETE would take SQLite's write lock each time."""
    row = session.get(UninstalledWorkspace, workspace_id)
    if row is None:
        return False
    session.delete(row)
    log.info("workspace installed again workspace=%s", workspace_id)
    return True


# per engine: workspace -> when a request last found it not marked uninstalled (time.monotonic())
_found_installed: weakref.WeakKeyDictionary[Any, dict[str, float]] = weakref.WeakKeyDictionary()
FOUND_INSTALLED_FOR = 30.0  # seconds


def request_from(session: Session, workspace_id: str) -> None:
    """`mark_installed` for a request of the workspace, read at most every FOUND_INSTALLED_FOR seconds per
    process once it found nothing to forget (a read per request was one statement in ~10 of a write).
    This process forgets that at once when it marks the workspace uninstalled; another process's mark is
    noticed within the period, and only matters if the workspace came back in it."""
    found = _found_installed.setdefault(session.get_bind(), {})
    now = time.monotonic()
    if now - found.get(workspace_id, -FOUND_INSTALLED_FOR) < FOUND_INSTALLED_FOR:
        return
    if not mark_installed(session, workspace_id):
        found[workspace_id] = now


def uninstalled_ids(session: Session) -> set[str]:
    return set(session.scalars(select(UninstalledWorkspace.workspace_id)))
