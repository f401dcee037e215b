"""What the retro's listeners share: the retro a modal belongs to (from its metadata), and the one way
a listener gets at a retro: in the installation's workspace, for members of its channel or admins."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.deferred import SLACK, Later
from bot.errors import UserError
from handlers.access import Caller
from handlers.forms import parse_metadata
from handlers.loading import View, open_loading
from rituals.retro import queries
from rituals.retro.models import Retro


def metadata(view: Mapping[str, Any] | None) -> dict[str, Any]:
    """The modal's private metadata (`retro`, and `item`/`secret` where it has them); refuses a foreign window."""
    data = parse_metadata((view or {}).get("private_metadata"))
    if not isinstance(data.get("retro"), int):
        raise UserError("This window no longer belongs to a retro. Close it and use the retro's buttons again.")
    return data


def retro_for(db: Session, who: Caller, retro_id: int, *phases: str) -> Retro:
    """The retro a request names: another workspace's reads as missing, and someone outside its channel
    is refused before learning anything about it (its title, its phase)."""
    found = queries.find(db, retro_id, team_id=who.team)
    if found is not None:
        who.require_member(found.channel_id, "take part in this retro")
    return queries.load(db, retro_id, *phases, team_id=who.team)


OPENING = Later(SLACK, "Checking with Slack that you are in the retro's channel…")


def open_retro_form(
    db: Session, who: Caller, retro_id: int, trigger_id: str, title: str, build: Callable[[], View]
) -> None:
    """A retro's form: a trigger_id is good for 3 s and `build()` asks Slack first (retro_for), so the
    modal opens at once, loading, and shows the form or the refusal when Slack has answered
    (handlers.loading). A retro of another workspace (or none) is refused at once, as missing."""
    if queries.find(db, retro_id, team_id=who.team) is None:
        queries.load(db, retro_id, team_id=who.team)  # raises: that retro does not exist
    open_loading(who.client, trigger_id, title, build, later=OPENING, settings=who.settings)


_METADATA = re.compile(r"""(["']private_metadata["']\s*:\s*)(["'])(?:\\.|(?!\2).)*\2""")


class PrivateMetadataFilter(logging.Filter):
    """Blanks modals' private metadata in log records: an anonymous item's secret travels there, and
    Bolt (its response) and slack_sdk (views.update) log whole views at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "private_metadata" in message:
            record.msg, record.args = _METADATA.sub(r'\1"[redacted]"', message), None
        return True


def redact_logs(app: App) -> None:
    """Install the filter on Bolt's app logger and slack_sdk's client logger (once)."""
    for logger in (app.logger, logging.getLogger("slack_sdk.web.base_client")):
        if not any(isinstance(f, PrivateMetadataFilter) for f in logger.filters):
            logger.addFilter(PrivateMetadataFilter())
