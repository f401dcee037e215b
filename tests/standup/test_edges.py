"""Standup edge cases: all away (no empty digest), skip/away, DST week, timezone change, deactivated
and departed members, 200 participants through the rate-limited outbox, answer early, bad input."""

from __future__ import annotations

from sqlalchemy import select

from rituals.standup.models import StandupEntry, StandupMember
from tests.standup.helpers import Simulation, answer_values, blocks_text, set_up, utc

ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def test_day_when_everyone_is_away_posts_no_digest(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE, RAVI], holidays="2026-11-24")
    signed.command("/standup", "away 2026-11-23 2026-11-23", user=ADA)
    clock.set(utc(22, 23, 0))  # 04:30 Monday in Kolkata
    assert "Skipped today's “Daily”" in signed.command("/standup", "skip", user=RAVI).json()["text"]
    slack.users[GRACE].status_emoji = ":palm_tree:"
    sim.run_until(utc(24, 23, 0))
    deliver()
    posted = [p for p in slack.posted() if p["channel"] in (ADA, GRACE, RAVI)]
    assert posted == [], "away, skipped, on-leave-status and holiday members are not asked"
    assert [p for p in slack.posted("C0001") if "Daily ·" in p["text"]] == []


def test_away_members_are_shown_as_away_not_missing(signed, slack, runtime, clock):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE, RAVI])
    signed.command("/standup", "away 2026-11-20 2026-11-30", user=GRACE)
    sim.run_until(utc(23, 18, 5))
    digest = slack.posted("C0001")[-1]
    assert "*grace* (away)" in blocks_text(digest) and "No answer*: *ada*, *ravi*" in blocks_text(digest)


def test_asks_follow_each_members_clock_across_the_dst_change(signed, slack, runtime, clock):
    """Los Angeles leaves daylight time on Sun 1 Nov 2026; Berlin on Sun 25 Oct; Kolkata has none."""
    from datetime import UTC, datetime

    sim = Simulation(runtime, clock, datetime(2026, 10, 29, 0, 0, tzinfo=UTC))
    set_up(signed, slack, [ADA, GRACE, RAVI], reminder="0", days=(1, 2, 3, 4, 5))
    ran = sim.run_until(datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    grace = [w.strftime("%m-%d %H:%M") for w, n, s in ran if n == "standup.ask" and s.endswith(GRACE)]
    ravi = [w.strftime("%m-%d %H:%M") for w, n, s in ran if n == "standup.ask" and s.endswith(RAVI)]
    assert grace == ["10-29 16:00", "10-30 16:00", "11-02 17:00"]  # 09:00 PDT, then 09:00 PST
    assert ravi == ["10-29 03:30", "10-30 03:30", "11-02 03:30"]
    assert len(slack.posted(GRACE)) == 3


def test_a_timezone_change_moves_the_member_ask_from_the_next_day(signed, slack, runtime, clock, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    slack.users[ADA].tz = "Asia/Kolkata"
    sim.run_until(utc(23, 12))
    with database.session() as s:
        assert s.scalars(select(StandupMember.timezone)).one() == "Asia/Kolkata"
    ran = sim.run_until(utc(24, 12))
    assert [(w.strftime("%H:%M"), n) for w, n, _ in ran if n == "standup.ask"] == [("03:30", "standup.ask")]


def test_deactivated_and_departed_members_are_dropped_not_missing(signed, slack, runtime, clock, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE, RAVI])
    slack.users[RAVI].deleted = True
    slack.members["C0001"] = [ADA, RAVI]  # grace left the channel
    sim.run_until(utc(23, 18, 5))
    assert slack.posted(RAVI) == []
    digest = blocks_text(slack.posted("C0001")[-1])
    assert "No answer*: *ada*" in digest and "U0002" not in digest and "U0003" not in digest
    assert "grace" not in digest and "ravi" not in digest
    sim.run_until(utc(24, 18, 5))
    assert len([p for p in slack.posted(GRACE) if "thread_ts" not in p]) == 1, "not asked after leaving"
    assert "No answer*: *ada*" in blocks_text(slack.posted("C0001")[-1])
    with database.session() as s:
        reasons = dict(s.execute(select(StandupMember.user_id, StandupMember.inactive_reason)).all())
    assert reasons == {ADA: None, GRACE: "left", RAVI: "deactivated"}


def test_two_hundred_participants_are_all_asked_through_the_outbox(signed, slack, runtime, clock, database):
    people = [f"W{n:04d}" for n in range(200)]
    for n, user in enumerate(people):
        slack.add_user(user, f"p{n}", tz=["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"][n % 3])
    slack.members["C0001"] = people
    sim = Simulation(runtime, clock, utc(22, 12), deliver_each=False)
    set_up(signed, slack, people, reminder="0", digest="23:59")
    assert len(slack.calls_to("users.info")) <= 21, "setup answers within Slack's 3 seconds"
    sim.run_until(utc(22, 12, 30))  # standup.roster looks up the other 180, 50 every 5 minutes
    with database.session() as s:
        zones = s.scalars(select(StandupMember.timezone).where(StandupMember.user_id.like("W%"))).all()
        assert len(zones) == 200 and "" not in zones
    slack.fail_next("chat.postMessage", status=429, retry_after=2)
    sim.run_until(utc(23, 17, 30))
    rounds = 0
    while runtime.sender.next_due_at() is not None and rounds < 20:
        clock.advance(seconds=3)  # past the Retry-After the 429 asked for
        runtime.sender.deliver_due()
        rounds += 1
    assert sorted(p["channel"] for p in slack.posted() if p["channel"].startswith("W")) == people
    assert len(slack.calls_to("chat.postMessage", ok_only=False)) - len(slack.calls_to("chat.postMessage")) == 1


def test_answer_early_then_not_asked(signed, slack, runtime, clock, database, deliver):
    sim = Simulation(runtime, clock, utc(23, 6))
    set_up(signed, slack, [ADA, GRACE])
    signed.command("/standup", "answer", user=GRACE)  # 22:00 Sunday in Los Angeles: answers Monday's
    view = slack.calls_to("views.open")[-1].params["view"]
    assert "Mon 23 Nov" in view["blocks"][0]["elements"][0]["text"]
    signed.view_submission(
        "standup.answer",
        answer_values("Planning", "Eval runs", "no"),
        user=GRACE,
        private_metadata=view["private_metadata"],
    )
    sim.run_until(utc(23, 18, 5))
    assert [p["text"] for p in slack.posted(GRACE)][0].startswith(":white_check_mark: Thanks!")
    assert len(slack.posted(GRACE)) == 1, "already answered: no ask, no nudge"
    signed.command("/standup", "answer", user=GRACE)
    assert "Tue 24 Nov" in slack.calls_to("views.open")[-1].params["view"]["blocks"][0]["elements"][0]["text"]


def test_setup_rejects_bad_input_on_the_field(signed, slack):
    response = set_up(signed, slack, [ADA], tz="Mars/Olympus")
    assert response.json() == {
        "response_action": "errors",
        "errors": {"timezone": "“Mars/Olympus” is not a timezone: use an Area/City name such as Europe/Berlin."},
    }
    response = set_up(signed, slack, [ADA], blocker="7")
    assert "from 1 to 3" in response.json()["errors"]["blocker"]
    assert "is not a date" in signed.command("/standup", "away 2026-13-01 2026-12-03").json()["text"]
    assert "no standup in this channel" in signed.command("/standup", "pause").json()["text"]


def test_pause_resume_and_delete_with_confirmation(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA])
    assert "paused" in signed.command("/standup", "pause").json()["text"]
    sim.run_until(utc(23, 12))
    assert slack.posted(ADA) == []
    assert "running again" in signed.command("/standup", "resume").json()["text"]
    sim.run_until(utc(24, 8, 10))
    body = signed.command("/standup", "delete").json()
    button = body["blocks"][1]["elements"][0]
    assert button["confirm"]["confirm"]["text"] == "Delete"
    signed.action("standup.delete", button["value"])
    assert slack.wait_until(lambda d: d.responses()), "the answer comes by response_url, maybe after the ack"
    assert slack.responses()[-1]["text"].startswith("Deleted “Daily”: nobody is asked any more")
    with database.session() as s:
        assert len(s.scalars(select(StandupEntry)).all()) == 1, "the history is archived, not wiped"
    assert "no standup in this channel" in signed.command("/standup", "pause").json()["text"]
    sim.run_until(utc(25, 12))
    assert len(slack.posted(ADA)) == 1, "asked on Tuesday; the archived standup asks nobody on Wednesday"


def test_a_failing_profile_lookup_still_asks_with_the_stored_timezone(signed, slack, runtime, clock):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [RAVI], reminder="0")
    slack.fail_next("users.info", status=200, error="fatal_error")
    ran = sim.run_until(utc(23, 4))
    assert [(w.strftime("%H:%M"), n) for w, n, _ in ran] == [("03:30", "standup.ask")]
    assert len(slack.posted(RAVI)) == 1


def test_only_the_creator_or_an_admin_manages_a_standup(signed, slack, database):
    set_up(signed, slack, [ADA, GRACE])
    refusal = "Only <@U0001> (who set up “Daily”) or an admin can change it."
    for sub in ("pause", "delete"):
        reply = signed.command("/standup", sub, user=GRACE).json()
        assert reply["text"] == refusal, sub
    # the edit form opens loading before Slack says whether Grace is an admin (handlers/loading.py): it says why
    assert signed.command("/standup", "edit", user=GRACE).text == ""
    assert refusal in str(slack.calls_to("views.update")[-1].params["view"]["blocks"])
    slack.users[RAVI].is_admin = True
    assert "paused" in signed.command("/standup", "pause", user=RAVI).json()["text"]


def test_workspace_holidays_from_the_config_file_mean_nobody_is_asked(signed, slack, runtime, clock):
    import dataclasses

    runtime.settings = dataclasses.replace(runtime.settings, file={"standup": {"holidays": ["2026-11-23"]}})
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE, RAVI])
    sim.run_until(utc(23, 23))
    assert [p for p in slack.posted() if p["channel"] != "C0001"] == []
    assert len(slack.posted("C0001")) == 1, "only the setup announcement: no digest on a holiday"
    sim.run_until(utc(24, 8, 10))
    assert "Tue 24 Nov" in slack.posted(ADA)[0]["text"], "asked again the next working day"
