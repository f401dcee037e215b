"""Who is in a standup: “everyone in this channel” (bots left out, newcomers added at the digest),
a failed membership check that keeps everyone, and the demo's three-timezone day."""

from __future__ import annotations

from sqlalchemy import select

from rituals.standup.models import StandupMember
from tests.standup.helpers import Simulation, blocks_text, set_up, utc


def test_everyone_in_the_channel_leaves_bots_out_and_adds_newcomers(signed, slack, runtime, clock, database):
    slack.add_user("UBOT2", "deploybot", is_bot=True)
    slack.members["C0001"].append("UBOT2")
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [], everyone=True)
    with database.session() as s:
        assert sorted(s.scalars(select(StandupMember.user_id))) == ["U0001", "U0002", "U0003"]
    slack.add_user("U0004", "lin", tz="Asia/Tokyo")
    slack.members["C0001"].append("U0004")
    sim.run_until(utc(23, 18, 5))
    with database.session() as s:
        lin = s.scalars(select(StandupMember).where(StandupMember.user_id == "U0004")).one()
        assert (lin.timezone, lin.active) == ("Asia/Tokyo", True)
    sim.run_until(utc(24, 1))
    asks = [p for p in slack.posted("U0004") if "thread_ts" not in p]
    assert len(asks) == 1 and "Tue 24 Nov" in asks[0]["text"], "asked at 09:00 Tokyo = 00:00 UTC the next day"


def test_setup_without_anyone_asks_for_participants(signed, slack):
    response = set_up(signed, slack, [])
    assert response.json()["errors"] == {
        "participants": "Pick at least one participant, or tick “everyone in this channel”."
    }


def test_a_failed_membership_check_still_posts_the_digest_and_keeps_members(signed, slack, runtime, clock, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, ["U0001", "U0002"])
    slack.fail_next("conversations.members", status=200, error="not_in_channel")
    sim.run_until(utc(23, 18, 5))
    assert "No answer*: *ada*, *grace*" in blocks_text(slack.posted("C0001")[-1])
    with database.session() as s:
        assert all(s.scalars(select(StandupMember.active)))


def test_demo_runs_a_standup_day_in_three_timezones(tmp_path):
    from datetime import UTC, date, datetime

    from bot.clock import FrozenClock
    from bot.config import Settings
    from bot.db import Database
    from bot.demo_context import DEMO_USERS, DemoContext
    from bot.models import OutboxMessage
    from bot.offline_slack import OfflineSlack
    from bot.wiring import build_runtime
    from rituals.standup.demo import run

    calls = []
    clock = FrozenClock(datetime(2026, 11, 23, tzinfo=UTC))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", slack_bot_token="xoxb-offline")
    database = Database(settings.database_url)
    database.upgrade()
    slack = OfflineSlack(users={u.id: u for u in DEMO_USERS}, on_call=calls.append)
    rt = build_runtime(settings, clock=clock, clients=slack, database=database)
    run(DemoContext(runtime=rt, clock=clock, day=date(2026, 11, 23), out_dir=tmp_path))
    with database.session() as s:
        posted = s.scalars(select(OutboxMessage).where(OutboxMessage.ref.like("standup:entry:%"))).all()
        answer_ts = next(r.ts for r in posted if "<@URAVI>" in r.payload["text"])
    database.dispose()
    asks = [
        c.params["channel"] for c in calls if c.method == "chat.postMessage" and "Time for" in c.params.get("text", "")
    ]
    assert asks == ["URAVI", "UADA", "UGRACE"]
    updates = [c for c in calls if c.method == "chat.update"]
    assert "Answered (3/3)" in str(updates[-1].params["blocks"])
    # the blocker became a stage ticket, announced in the thread of ravi's answers, shown on the digest
    filed = [c.params for c in calls if c.method == "chat.postMessage" and " filed " in c.params["text"]]
    assert filed and filed[0]["thread_ts"] == answer_ts and "Waiting on GPU quota" in filed[0]["text"]
    assert any("ticket" in str(c.params.get("blocks")) and "Cleared" in str(c.params.get("blocks")) for c in updates)
    closed = [c.params for c in calls if c.method == "chat.postMessage" and c.params.get("thread_ts") == answer_ts]
    assert len(closed) == 2 and "closed" in closed[-1]["text"].lower()
