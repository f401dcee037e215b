"""More standup flows through the signed endpoint: blockers carried over and cleared by a “no”,
summary mode updated in place, half-answered then finished in the modal, editing after posting,
`/standup edit`, the weekly report with its chart, and /ritual status."""

from __future__ import annotations

from tests.standup.helpers import Simulation, answer_values, blocks_text, dm, set_up, utc

ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def _entry_of(slack, user, n=-1):
    asks = [p for p in slack.posted(user) if "thread_ts" not in p]
    return asks[n]["blocks"][1]["elements"][0]["value"]


def _answer(signed, slack, user, *answers):
    return signed.view_submission(
        "standup.answer", answer_values(*answers), user=user, private_metadata=_entry_of(slack, user)
    )


def test_blocker_carries_over_with_its_age_until_answered_with_no(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 9))
    _answer(signed, slack, ADA, "a", "b", "Need access to the feature store")
    sim.run_until(utc(24, 9))
    _answer(signed, slack, ADA, "c", "d", "still waiting on access")
    sim.run_until(utc(24, 18, 5))
    tuesday = blocks_text(slack.posted("C0001")[-1])
    assert "Blockers (2)" in tuesday
    assert "Need access to the feature store _(day 2, since Mon 23 Nov)_" in tuesday
    assert "still waiting on access _(new today)_" in tuesday
    sim.run_until(utc(25, 9))
    _answer(signed, slack, ADA, "e", "f", "None.")
    sim.run_until(utc(25, 18, 5))
    assert "Blockers" not in blocks_text(slack.posted("C0001")[-1])


def test_summary_mode_keeps_one_message_updated_in_place(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, RAVI], mode="summary", reminder="0")
    sim.run_until(utc(23, 8, 30))
    _answer(signed, slack, RAVI, "r1", "r2", "no")
    deliver()
    _answer(signed, slack, ADA, "a1", "a2", "Flaky CI")
    deliver()
    summaries = [p for p in slack.posted("C0001") if "Daily ·" in p["text"]]
    assert len(summaries) == 1 and "r1" in blocks_text(summaries[0])
    update = slack.calls_to("chat.update")[-1].params
    assert "a1" in blocks_text(update) and "Flaky CI" in blocks_text(update)
    sim.run_until(utc(23, 18, 5))
    assert len([p for p in slack.posted("C0001") if "Daily ·" in p["text"]]) == 1, "the digest is the summary"
    assert "Answered (2/2)" in blocks_text(slack.calls_to("chat.update")[-1].params)


def test_half_answered_in_dm_is_kept_and_finished_in_the_modal(signed, slack, runtime, clock, deliver, database):
    from sqlalchemy import select

    from bot.models import OutboxMessage

    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    with database.session() as s:
        ask_ts = s.scalars(select(OutboxMessage.ts).where(OutboxMessage.ref.like("standup:ask:%"))).one()
    signed.event(dm(ADA, "Shipped the eval harness", "1800000900.000001", ask_ts))
    signed.action("standup.open_answer", _entry_of(slack, ADA), user=ADA, channel=f"D{ADA}")
    modal = slack.calls_to("views.open")[-1].params["view"]
    assert modal["blocks"][1]["element"]["initial_value"] == "Shipped the eval harness"
    assert "initial_value" not in modal["blocks"][2]["element"]
    signed.view_submission(
        "standup.answer",
        answer_values("Shipped the eval harness", "Write docs", "no"),
        user=ADA,
        private_metadata=modal["private_metadata"],
    )
    deliver()
    posted = slack.posted("C0001")[-1]
    assert "Write docs" in blocks_text(posted)
    # editing in the modal afterwards edits that message in place
    signed.view_submission(
        "standup.answer",
        answer_values("Shipped the eval harness", "Write the README", "no"),
        user=ADA,
        private_metadata=modal["private_metadata"],
    )
    deliver()
    assert "Write the README" in blocks_text(slack.calls_to("chat.update")[-1].params)
    assert len([p for p in slack.posted("C0001") if p.get("thread_ts")]) == 1


def test_edit_opens_the_form_prefilled_and_saves_changes(signed, slack, runtime, clock, database):
    set_up(signed, slack, [ADA, GRACE], questions="Done?\nNext?\nBlocked?")
    signed.command("/standup", "edit")
    view = slack.calls_to("views.open")[-1].params["view"]
    assert view["title"]["text"] == "Edit standup"
    questions = next(b for b in view["blocks"] if b["block_id"] == "questions")
    assert questions["element"]["initial_value"] == "Done?\nNext?\nBlocked?"
    response = signed.view_submission(
        "standup.setup", _values_with(ADA, RAVI), private_metadata=view["private_metadata"]
    )
    assert response.status_code == 200
    status = signed.command("/ritual", "status").json()
    text = str(status)
    assert "Standup “Daily”" in text and "2 members" in text


def _values_with(*users):
    from tests.standup.helpers import setup_values

    return setup_values(list(users), questions="Next?\nDone?\nBlocked?")


def test_weekly_report_posts_rates_and_a_chart(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], reminder="0")
    sim.run_until(utc(23, 8, 10))
    _answer(signed, slack, ADA, "a", "b", "Blocked by quota")
    sim.run_until(utc(24, 8, 10))
    _answer(signed, slack, ADA, "a", "b", "no")
    sim.run_until(utc(24, 19))
    reply = signed.command("/standup", "report week").json()
    assert reply["response_type"] == "ephemeral" and "Posting the week report" in reply["text"]
    deliver()
    report = slack.posted("C0001")[-1]
    assert "<@U0001>: 2/2 answered (100%), streak 2, median answer time 10 min" in report["text"]
    assert "<@U0002>: 0/2 answered (0%), streak 0" in report["text"]
    assert "Blockers raised: 1 · cleared: 1 · team participation 50%" in report["text"]
    complete = slack.calls_to("files.completeUploadExternal")[-1].params
    assert complete["channel_id"] == "C0001" and complete.get("thread_ts")
    png = slack.uploads[complete["files"][0]["id"]]
    assert png.startswith(b"\x89PNG")
    assert "Use `/standup report week`" in signed.command("/standup", "report year").json()["text"]


def test_digest_before_a_members_morning_lists_them_as_later_not_missing(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], digest="10:00", reminder="0")
    sim.run_until(utc(23, 9, 5))  # 10:00 Berlin digest; 01:00 in Los Angeles
    digest = blocks_text(slack.posted("C0001")[-1])
    assert "Asked later today (their morning)*: *grace*" in digest and "No answer*: *ada*" in digest
    sim.run_until(utc(23, 17, 5))
    _answer(signed, slack, GRACE, "g1", "g2", "no")
    deliver()
    assert "Answered (1/2)*: *grace*" in blocks_text(slack.calls_to("chat.update")[-1].params)


def test_a_top_level_dm_answers_the_open_standup(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], questions="Done?\nNext?", blocker="", reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.event(dm(ADA, "Merged the tokenizer fix", "1800000700.000001"))
    signed.event(dm(ADA, "Profile the dataloader", "1800000700.000002"))
    deliver()
    posted = blocks_text(slack.posted("C0001")[-1])
    assert "Merged the tokenizer fix" in posted and "Profile the dataloader" in posted
    signed.event(dm(ADA, "one more thing", "1800000700.000003"))
    deliver()
    assert len([p for p in slack.posted("C0001") if p.get("thread_ts")]) == 1, "a finished standup takes no more"
