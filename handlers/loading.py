"""A modal that needs a slow lookup first: opened at once with a loading view (a trigger_id is good for
3 s only), then `views.update`d with the real form when the lookup is done, or with the failure (the
user's mistake as written, a slow or unreachable dependency by name, or an apology with an error id).

Call it from work already off the request (a `Later` subcommand or listener, bot.deferred): `opened()`
runs right after the loading view is open, so the request answers with it (an empty ack).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import blocks as b
from bot.config import Settings
from bot.deferred import Later, failure_text
from bot.text import mrkdwn

log = logging.getLogger(__name__)

View = dict[str, Any]


def open_loading(
    client: WebClient,
    trigger_id: str,
    title: str,
    build: Callable[[], View],
    *,
    later: Later,
    settings: Settings,
    opened: Callable[[], object] = lambda: None,
) -> None:
    """Open `loading_view(title, later.pending)` now; `build()` the form (the lookup), then show it in its place."""
    shown = client.views_open(trigger_id=trigger_id, view=loading_view(title, later.pending))["view"]
    opened()
    try:
        view = build()
    except Exception as exc:  # noqa: BLE001 — whatever went wrong is shown in the modal the user is looking at
        view = failed_view(title, failure_text(later.lane, exc, settings))
    try:
        client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=view)
    except SlackApiError as exc:  # closed meanwhile (not_found), or changed by the user (hash_conflict)
        log.info("loading modal not updated error=%s", exc.response.get("error"))


def loading_view(title: str, pending: str) -> View:
    return {
        "type": "modal",
        "title": b.plain_text(title, limit=24),
        "close": b.plain_text("Cancel"),
        "blocks": [b.section(f":hourglass_flowing_sand: {mrkdwn(pending)}")],
    }


def failed_view(title: str, text: str) -> View:
    """`text` is mrkdwn already (bot.deferred.failure_text)."""
    return {
        "type": "modal",
        "title": b.plain_text(title, limit=24),
        "close": b.plain_text("Close"),
        "blocks": [b.section(f":warning: {text}")],
    }
