"""Moments a reader sees are Slack date tokens (`<!date^UNIX^fmt|fallback>`): each reader's client shows
them in their own timezone, and the fallback (the bot's or channel's zone, named) stays readable where
Slack cannot localize. The helper's escaping, then one message per area, as Slack receives it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.text import slack_date, slack_time
from rituals.retro import render as retro_render
from rituals.retro.models import Retro
from tests.slack.shown import fields, pings, shown
from tests.standup.helpers import Simulation, blocks_text, set_up, utc

ADA, GRACE = "U0001", "U0002"
TUESDAY_9_UTC = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 1795510800


def test_a_token_carries_the_moment_slacks_format_and_an_escaped_fallback():
    token = slack_date(TUESDAY_9_UTC, "{date_short_pretty} at {time} <b>|^", "Tue 09:00 A&B <UTC>|x")
    assert token == "<!date^1795510800^{date_short_pretty} at {time} &lt;b&gt;/ |Tue 09:00 A&amp;B &lt;UTC&gt;/x>"
    assert shown("mrkdwn", f"closes {token}") == "closes Tue 09:00 A&B <UTC>/x", "the fallback reads as written"
    assert pings({"text": token}) == []


def test_a_naive_moment_is_utc_and_the_fallback_names_the_zone_it_is_written_in():
    naive = TUESDAY_9_UTC.replace(tzinfo=None)  # how SQLite hands a stored UTC moment back
    assert slack_time(naive, "Europe/Berlin") == (
        "<!date^1795510800^{date_short_pretty} at {time}|Tue 24 Nov 2026 10:00 Europe/Berlin>"
    )
    assert slack_time(TUESDAY_9_UTC, "America/Los_Angeles", "{date_short}", "%d %b %Y") == (
        "<!date^1795510800^{date_short}|24 Nov 2026>"
    )


def test_the_retro_reminder_says_when_collection_closes_as_a_token():
    retro = Retro(title="Q&A <Dec>", deadline_at=TUESDAY_9_UTC.replace(tzinfo=None))
    text = retro_render.reminder(retro)
    assert "collection closes <!date^1795510800^at {time}|at 09:00 UTC>, then" in text
    assert shown("mrkdwn", text) == (
        ":alarm_clock: One hour left to add items to “Q&A <Dec>”: collection closes at 09:00 UTC, then the items are"
        " revealed."
    )


def test_the_standup_digest_says_when_a_later_member_is_asked_in_each_readers_zone(
    signed, slack, runtime, clock, deliver
):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], digest="10:00", reminder="0")
    sim.run_until(utc(23, 9, 5))  # 10:00 Berlin digest; 01:00 in Los Angeles, where Grace is asked at 09:00
    digest = slack.posted("C0001")[-1]
    grace_asked = int(datetime(2026, 11, 23, 17, 0, tzinfo=UTC).timestamp())
    token = f"<!date^{grace_asked}^{{time}}|18:00 Europe/Berlin>"  # the standup's zone as the fallback
    assert f"Asked later today (their morning)*: *grace* (at {token})" in blocks_text(digest)
    assert all(shown(kind, t) is not None for kind, t in fields(digest)), "every field reads as Slack shows it"
