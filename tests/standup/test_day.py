"""A whole standup day through the signed endpoint for members in Berlin, Los Angeles and Kolkata:
who is DMed when, what is posted where (and in which thread), what is updated in place."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import OutboxMessage
from rituals.standup.models import StandupEntry
from tests.standup.helpers import Simulation, answer_values, blocks_text, dm, set_up, utc

ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def _dms(slack, user):
    return [p for p in slack.posted(user)]


def test_whole_day_in_three_timezones(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(23, 0, 0))
    response = set_up(signed, slack, [ADA, GRACE, RAVI], ask="09:00", digest="19:00", tz="Europe/Berlin")
    assert response.status_code == 200 and not response.content
    deliver()
    announce = slack.posted("C0001")[-1]
    assert "asked at 09:00 in each one's timezone, digest at 19:00 Europe/Berlin" in announce["text"]

    # 09:00 in Kolkata is 03:30 UTC: only ravi is asked.
    ran = sim.run_until(utc(23, 3, 45))
    assert [(w.strftime("%H:%M"), n, s) for w, n, s in ran] == [("03:30", "standup.ask", f"1:{RAVI}")]
    [ask] = _dms(slack, RAVI)
    assert ask["blocks"][1]["elements"][0]["action_id"] == "standup.open_answer"
    assert "*1/3* Yesterday?" in ask["text"]
    ask_ts = _ts_for(database, ask)

    # ravi answers in the DM thread, one message per question; a Slack retry of the last one changes nothing.
    signed.event(dm(RAVI, "Trained the baseline", "1800000500.000001", ask_ts))
    deliver()
    nxt = _dms(slack, RAVI)[-1]
    assert (nxt["thread_ts"], nxt["text"]) == (ask_ts, "*2/3* Today?")
    signed.event(dm(RAVI, "Tune the LR schedule", "1800000500.000002", ask_ts))
    signed.event(dm(RAVI, "Waiting on GPU quota", "1800000500.000003", ask_ts), event_id="EvRAVI3")
    signed.event(dm(RAVI, "Waiting on GPU quota", "1800000500.000003", ask_ts), event_id="EvRAVI3", retry_num=1)
    deliver()
    channel = slack.posted("C0001")
    parent, answer = channel[-2], channel[-1]
    assert "answers in the thread" in parent["text"] and "thread_ts" not in parent
    parent_ts = _ts_for(database, parent)
    assert answer["thread_ts"] == parent_ts and "<@U0003>" in answer["text"]
    assert ":construction: Waiting on GPU quota" in blocks_text(answer)
    assert "Thanks!" in _dms(slack, RAVI)[-1]["text"] and _dms(slack, RAVI)[-1]["thread_ts"] == ask_ts
    with database.session() as s:
        entry = s.scalars(select(StandupEntry).where(StandupEntry.user_id == RAVI)).one()
        assert entry.answers == ["Trained the baseline", "Tune the LR schedule", "Waiting on GPU quota"]

    # 09:00 Berlin = 08:00 UTC: ada is asked, answers with the modal; her reminder (08:30) is not sent.
    sim.run_until(utc(23, 8, 10))
    ada_ask = _dms(slack, ADA)[0]
    entry_id = ada_ask["blocks"][1]["elements"][0]["value"]
    signed.action("standup.open_answer", entry_id, user=ADA, channel=f"D{ADA}")
    modal = slack.calls_to("views.open")[-1].params["view"]
    assert [b["label"]["text"] for b in modal["blocks"][1:]] == ["Yesterday?", "Today?", "Blocked?", "Blockers?"]
    signed.view_submission(
        "standup.answer",
        answer_values("Wrote the loader", "Review PRs", "none"),
        user=ADA,
        private_metadata=modal["private_metadata"],
    )
    deliver()
    ada_post = slack.posted("C0001")[-1]
    assert ada_post["thread_ts"] == parent_ts and "<@U0001>" in ada_post["text"]
    assert len([p for p in slack.posted("C0001") if "answers in the thread" in p["text"]]) == 1

    # 09:00 Los Angeles = 17:00 UTC: grace is asked, nudged at 17:30 in the ask's thread; ada is not nudged.
    sim.run_until(utc(23, 17, 45))
    grace_dms = _dms(slack, GRACE)
    assert len(grace_dms) == 2 and "gentle nudge" in grace_dms[1]["text"]
    assert grace_dms[1]["thread_ts"] == _ts_for(database, grace_dms[0])
    assert len(_dms(slack, ADA)) == 2  # the ask and the thanks, no nudge

    # 19:00 Berlin = 18:00 UTC: the digest, blockers first, grace listed as not answered.
    sim.run_until(utc(23, 18, 5))
    digest = slack.posted("C0001")[-1]
    assert "thread_ts" not in digest
    text = blocks_text(digest)
    assert text.index("Blockers (1)") < text.index("Answered (2/3)")
    assert "*ravi* — Waiting on GPU quota" in text and "No answer*: *grace*" in text
    assert "<@" not in text, "the digest names members without pinging them"

    # grace answers late: her answer joins the thread and the digest is updated, not re-posted.
    before = len(slack.posted("C0001"))
    grace_entry = grace_dms[0]["blocks"][1]["elements"][0]["value"]
    signed.view_submission(
        "standup.answer", answer_values("Data audit", "Dashboards", "-"), user=GRACE, private_metadata=grace_entry
    )
    deliver()
    assert len(slack.posted("C0001")) == before + 1 and slack.posted("C0001")[-1]["thread_ts"] == parent_ts
    update = slack.calls_to("chat.update")[-1].params
    assert update["ts"] == _ts_for(database, digest) and "Answered (3/3)" in blocks_text(update)
    assert "added to today's digest" in _dms(slack, GRACE)[-1]["text"]

    # ravi edits his DM answer: the stored answer and his posted thread message follow.
    signed.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": f"D{RAVI}",
            "channel_type": "im",
            "message": {
                "type": "message",
                "user": RAVI,
                "text": "Waiting on GPU quota (ticket INFRA-7)",
                "ts": "1800000500.000003",
                "thread_ts": ask_ts,
            },
            "ts": "1800000600.000001",
        }
    )
    deliver()
    ravi_post = next(p for p in slack.posted("C0001") if p.get("thread_ts") and "<@U0003>" in p["text"])
    edits = [c.params for c in slack.calls_to("chat.update") if c.params["ts"] == _ts_for(database, ravi_post)]
    assert edits and "ticket INFRA-7" in blocks_text(edits[-1])

    # ravi clears the blocker from the digest: the digest is edited in place without it.
    blocker_button = next(
        b["accessory"] for b in update["blocks"] if b.get("accessory", {}).get("action_id") == "standup.clear_blocker"
    )
    assert signed.action("standup.clear_blocker", blocker_button["value"], user=ADA).status_code == 200
    assert "Only <@U0003>" in slack.responses()[-1]["text"]
    signed.action("standup.clear_blocker", blocker_button["value"], user=RAVI)
    deliver()
    last = slack.calls_to("chat.update")[-1].params
    assert last["ts"] == _ts_for(database, digest) and "Blockers" not in blocks_text(last)


def _ts_for(database, params):
    """The ts Slack returned for a posted message (recorded on its outbox row)."""
    with database.session() as s:
        rows = s.scalars(
            select(OutboxMessage).where(OutboxMessage.method == "chat.postMessage", OutboxMessage.status == "sent")
        ).all()
        found = [
            r.ts
            for r in rows
            if r.payload.get("text") == params["text"]
            and r.payload.get("channel", r.channel) in (params["channel"], None)
        ]
    assert len(found) == 1, found
    return found[0]
