"""A whole PI through the signed endpoint: planning, a confidence vote, three weekly check-ins (one missed
update, one status change), risks, and close with predictability checked against a hand calculation."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks import blocks_to_text
from rituals.pi import capability
from tests.pi.driver import (
    ADA,
    CHANNEL,
    GRACE,
    RAVI,
    choose,
    hypothesis_values,
    new_pi_values,
    objective_values,
    text_input,
    user_pick,
)

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def at(day: int, hour: int) -> datetime:
    return MONDAY.replace(day=day, hour=hour)


def check_in(pi, user, objective_id, status, progress, note=""):
    pi.press("pi.checkin_open", str(objective_id), user)
    view = pi.opened()
    assert view["callback_id"] == "pi.checkin_modal"
    assert (
        pi.submit({"status": choose(status), "progress": text_input(progress), "note": text_input(note)}, user, view)
        == {}
    )


def plan(pi):
    pi.command("new", user=ADA)
    assert pi.opened()["callback_id"] == "pi.new_modal"
    assert pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA) == {}
    churn = pi.experiment("churn-v2", {"val_auc": 0.79})
    for title, bv, owner, extra in [
        (
            "Churn model v2",
            "8",
            GRACE,
            {"hypothesis": hypothesis_values(f"{churn}:val_auc", "0.85", kill_threshold="0.80", kill_iteration="3")},
        ),
        ("Feature store backfill", "5", RAVI, {}),
        ("LLM triage prototype", "3", ADA, {"committed": False}),
    ]:
        pi.command("objective", user=ADA)
        assert pi.submit(objective_values(title, bv, owner, **extra), ADA) == {}


def test_whole_pi_from_planning_to_predictability(pi, slack, clock, database):
    plan(pi)

    # the weekly jobs fire in the PI's timezone: Monday 10:00 / 14:00 / 18:00 Berlin = 09/13/17 UTC in winter
    with database.session() as s:
        wanted = {j.job: j.trigger for j in capability.schedule(s)}
    after = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert {name: t.get_next_fire_time(None, after).astimezone(UTC) for name, t in wanted.items()} == {
        "pi.checkin": at(23, 9),
        "pi.remind": at(23, 13),
        "pi.summary": at(23, 17),
        "pi.catalog": after,  # MLflow is read on the runs poll interval (every 5 minutes by default)
        "pi.measure": after,
    }

    # confidence vote: private ballots, a changed vote, live count, only the facilitator closes
    assert "Confidence vote posted" in pi.command("vote", user=ADA)["text"]
    vote_msg = slack.posted(CHANNEL)[-1]
    vote_ts = pi.ts_of("pi:vote:1")
    assert [e["action_id"] for e in vote_msg["blocks"][2]["elements"]] == [f"pi.vote_{n}" for n in range(1, 6)]
    assert pi.press("pi.vote_4", "1", GRACE)[0]["text"].startswith("Your vote is 4.")
    pi.press("pi.vote_2", "1", RAVI)
    assert pi.press("pi.vote_3", "1", RAVI)[0]["text"].startswith("Your vote is now 3.")
    pi.press("pi.vote_2", "1", ADA)
    live = slack.calls_to("chat.update")[-1].params
    assert live["ts"] == vote_ts and "3 votes so far" in live["text"]
    assert "GRACE" not in str(live) and "U0002" not in str(live["blocks"]), "individual votes stay private"
    assert "Only the facilitator (<@U0001>)" in pi.press("pi.vote_close", "1", GRACE)[0]["text"]
    pi.press("pi.vote_close", "1", ADA)
    closed = slack.calls_to("chat.update")[-1].params
    assert closed["text"] == "Confidence vote · PI 2026.4 closed: average 3.0 from 3 votes"  # (4+3+2)/3
    assert "4 ✋ `█` 1" in blocks_to_text(closed["blocks"]) and "1 ✊ `·` 0" in blocks_to_text(closed["blocks"])
    prompt = slack.posted(CHANNEL)[-1]
    assert prompt["thread_ts"] == vote_ts and "What would raise your confidence?" in prompt["text"]

    # week 1: everybody is asked and answers
    assert pi.run("pi.checkin")
    assert [len(pi.dms(u)) for u in (ADA, GRACE, RAVI)] == [1, 1, 1]
    grace_dm = blocks_to_text(pi.dms(GRACE)[0]["blocks"])
    assert "Churn model v2" in grace_dm and "`val_auc &gt;= 0.85`" in grace_dm and "experiment `churn-v2`" in grace_dm
    assert "Feature store" not in grace_dm
    check_in(pi, GRACE, 1, "on_track", "20", "baseline trained")
    check_in(pi, RAVI, 2, "on_track", "30")
    check_in(pi, ADA, 3, "on_track", "10")
    clock.set(at(23, 13))
    assert pi.run("pi.remind")
    assert [len(pi.dms(u)) for u in (ADA, GRACE, RAVI)] == [1, 1, 1], "nobody to remind"
    clock.set(at(23, 17))
    pi.run("pi.summary")
    week1 = pi.channel_texts()[-1]
    assert "# PI 2026.4 · week 1 check-in" in week1 and "No update from:* nobody" in week1
    assert week1.count("first update") == 3

    # week 2: Grace's objective goes at risk, Ravi misses the update and is reminded, Grace raises a risk
    clock.set(at(30, 9))
    pi.run("pi.checkin")
    check_in(pi, GRACE, 1, "at_risk", "35", "label backlog")
    check_in(pi, ADA, 3, "on_track", "30")
    pi.command("risk", user=GRACE)
    assert (
        pi.submit(
            {
                "description": text_input("Labelling vendor late: eval set incomplete"),
                "owner": user_pick(GRACE),
                "roam": choose("owned"),
            },
            GRACE,
        )
        == {}
    )
    clock.set(at(30, 13))
    pi.run("pi.remind")
    reminders = [blocks_to_text(p["blocks"]) for p in pi.dms(RAVI) if "Reminder" in p["text"]]
    assert len(reminders) == 1 and "Feature store backfill" in reminders[0]
    assert not [p for u in (ADA, GRACE) for p in pi.dms(u) if "Reminder" in p["text"]]
    clock.set(at(30, 17))
    pi.run("pi.summary")
    week2 = pi.channel_texts()[-1]
    assert "*Churn model v2* — <@U0002> · at risk 35% · _on track → at risk_" in week2
    assert "*Feature store backfill* — <@U0003> · on track 30% · _no update this week_" in week2
    assert "No update from:* <@U0003>" in week2
    assert "New risks this week*\n*Owned* · Labelling vendor late: eval set incomplete — <@U0002>" in week2

    # week 3: everybody updates, LLM triage is done
    clock.set(at(30, 9).replace(month=12, day=7))
    pi.run("pi.checkin")
    check_in(pi, GRACE, 1, "at_risk", "60")
    check_in(pi, RAVI, 2, "on_track", "70")
    check_in(pi, ADA, 3, "done", "100")
    clock.set(at(30, 17).replace(month=12, day=7))
    pi.run("pi.summary")
    week3 = pi.channel_texts()[-1]
    assert "week 3 check-in" in week3 and "_unchanged, +25 pts_" in week3 and "_unchanged, +40 pts_" in week3
    assert "_on track → done_" in week3 and "No update from:* nobody" in week3
    assert "New risks this week" not in week3 and "Risk board (open)*\n*Owned* · Labelling vendor" in week3

    status = pi.command("status", user=RAVI)
    dashboard = blocks_to_text(status["blocks"])
    assert status["response_type"] == "ephemeral" and "Week 3 of 12" in dashboard
    assert "*Last confidence vote*\n3.0/5" in dashboard and "at risk 60%" in dashboard
    assert "*Owned* · Labelling vendor late" in dashboard

    # close: owners enter actual business value; predictability = (6 + 4 + 2) / (8 + 5) = 12/13 = 92.3%
    assert "waiting for actual business value from <@U0001>, <@U0002>, <@U0003>" in pi.command("close")["text"]
    for user, objective_id, actual in ((GRACE, 1, "6"), (RAVI, 2, "4"), (ADA, 3, "2")):
        assert "Enter actual BV" in blocks_to_text(pi.dms(user)[-1]["blocks"])
        pi.press("pi.actual_open", str(objective_id), user)
        assert pi.submit({"actual_bv": text_input(actual)}, user) == {}
    report = slack.posted(CHANNEL)[-1]
    assert report["text"] == (
        "PI 2026.4 is closed. Predictability 92.3%: actual 12 of 13 planned business value (committed objectives)."
    )
    assert "*Predictability: 92.3%* — within the 80–100% band" in blocks_to_text(report["blocks"])
    assert not slack.calls_to("files.completeUploadExternal"), "a chart needs two or more PIs"
