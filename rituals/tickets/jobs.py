"""`tickets.reconcile`: every quarter hour per team with Jira or GitHub tickets, read them back from
their tracker and apply what changed there (where webhooks are not set up, or one was missed)."""

from __future__ import annotations

import logging

from bot.errors import ConfigError
from bot.jobs import job
from bot.runtime import Runtime
from rituals.tickets import sync
from rituals.tickets.ids import Job
from rituals.tickets.setup import TicketSetup

log = logging.getLogger(__name__)
SLOT_MINUTES = 15


def quarter_hour(rt: Runtime, scope: str) -> str:
    now = rt.clock.now()
    return now.replace(minute=now.minute - now.minute % SLOT_MINUTES, second=0, microsecond=0).isoformat()


@job(Job.RECONCILE.value, period=quarter_hour, description="read Jira and GitHub tickets back; apply their changes")
def reconcile(rt: Runtime, scope: str, period: str) -> None:
    try:
        setup = TicketSetup.from_settings(rt.settings)
    except ConfigError as exc:
        log.warning("tickets reconcile skipped team=%s problem=%s", scope, exc)
        return
    with rt.database.session() as s:
        result = sync.reconcile(s, setup, team_id=scope, now=rt.clock.now())
    log.info(
        "tickets reconciled team=%s checked=%s changed=%s down=%s",
        scope,
        result.checked,
        len(result.changed),
        result.down,
    )
