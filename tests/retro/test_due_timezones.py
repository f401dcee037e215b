"""Issue 21: a retro action's due reminder fires at 09:00 the day before in its owner's timezone (Slack's
users.info, asked by the job, never on the request path), else in the team's configured timezone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bot import jobs
from rituals.retro import capability
from tests.retro.driver import buttons, text_input
from tests.retro.seed import seed

ADA, GRACE, RAVI, LINUS = "U0001", "U0002", "U0003", "U0004"
DUE = "2026-12-04"


def _add_action(retro, owner: str, text: str) -> None:
    [add] = [b for m in retro.thread(1) for b in buttons(m["blocks"], "retro.add_action")]
    retro.press("retro.add_action", add["value"], user=ADA)
    retro.submit(
        retro.last_opened_view(),
        {
            "owner": {"value": {"type": "users_select", "selected_user": owner}},
            "text": text_input(text),
            "due": {"value": {"type": "datepicker", "selected_date": DUE}},
        },
        ADA,
    )


def _planned(database) -> dict[str, datetime]:
    with database.session() as s:
        return {j.scope: j.trigger.run_date for j in capability.schedule(s) if j.job == "retro.action_due"}


def _lookups(slack, user: str) -> int:
    return len([c for c in slack.calls_to("users.info") if c.params.get("user") == user])


def test_reminders_fire_at_nine_in_each_owners_zone_or_the_teams(retro, database, clock, deliver, runtime, slack):
    runtime.settings = dataclasses.replace(runtime.settings, file={"retro": {"timezone": "Pacific/Auckland"}})
    seed(database, clock, deliver, "discuss")
    _add_action(retro, GRACE, "Write the eval runbook")  # America/Los_Angeles
    _add_action(retro, RAVI, "Pin the eval seed")  # Asia/Kolkata
    _add_action(retro, LINUS, "Archive the old sweeps")  # Slack will not know him: the team's zone
    del slack.users[LINUS]
    assert _lookups(slack, GRACE) == _lookups(slack, RAVI) == 0, "no owner lookup on the request path"

    # until the zones are known, every reminder job is planned where 09:00 comes first (UTC+14)
    first = datetime(2026, 12, 2, 19, tzinfo=UTC)
    assert _planned(database) == {"1": first, "2": first, "3": first}
    clock.advance(first - clock.now())
    for scope in ("1", "2", "3"):
        jobs.run("retro.action_due", scope, rt=runtime)
    deliver()
    assert _lookups(slack, GRACE) == _lookups(slack, RAVI) == 1, "the job asked Slack"
    assert slack.posted(GRACE) == slack.posted(RAVI) == [], "too early everywhere"
    assert _planned(database) == {
        "1": datetime(2026, 12, 3, 17, tzinfo=UTC),  # 09:00 in Los Angeles
        "2": datetime(2026, 12, 3, 3, 30, tzinfo=UTC),  # 09:00 in Kolkata
        "3": datetime(2026, 12, 2, 20, tzinfo=UTC),  # 09:00 in Auckland, the team's zone
    }

    sent: dict[str, list[str]] = {}
    for moment in (
        datetime(2026, 12, 2, 19, 59, tzinfo=UTC),
        datetime(2026, 12, 2, 20, tzinfo=UTC),
        datetime(2026, 12, 3, 3, 29, tzinfo=UTC),
        datetime(2026, 12, 3, 3, 30, tzinfo=UTC),
        datetime(2026, 12, 3, 16, 59, tzinfo=UTC),
        datetime(2026, 12, 3, 17, tzinfo=UTC),
    ):
        clock.advance(moment - clock.now())
        for scope in ("1", "2", "3"):
            jobs.run("retro.action_due", scope, rt=runtime)
        deliver()
        sent[f"{moment:%d %H:%M}"] = [
            who for who in (GRACE, RAVI, LINUS) if any("due tomorrow" in p["text"] for p in slack.posted(who))
        ]
    assert sent == {
        "02 19:59": [],
        "02 20:00": [LINUS],
        "03 03:29": [LINUS],
        "03 03:30": [RAVI, LINUS],
        "03 16:59": [RAVI, LINUS],
        "03 17:00": [GRACE, RAVI, LINUS],
    }
    assert [p["text"] for p in slack.posted(GRACE)][-1].startswith(
        f":alarm_clock: Your retro action is due tomorrow ({DUE}): Write the eval runbook"
    )
    assert all(len([p for p in slack.posted(who) if "due tomorrow" in p["text"]]) == 1 for who in (GRACE, RAVI, LINUS))
    assert _lookups(slack, GRACE) == _lookups(slack, RAVI) == 1, "the zone is asked once, then kept"
