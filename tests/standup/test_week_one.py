"""What a team hits in its first standup week (issue 21's bugs), through the signed endpoint: false
blockers, asks that keep their question set, several standups in one channel, top-level DMs that are
not answers, skipping on a day off, blocker age in working days, and labels."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage
from rituals.standup.models import StandupBlocker, StandupEntry
from tests.standup.helpers import Simulation, answer_values, blocks_text, dm, set_up, setup_values, utc

ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def ask_ts(database, user: str, n: int = -1) -> str:
    """The ts Slack gave the member's ask (its DM thread)."""
    with database.session() as s:
        rows = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.ref.like("standup:ask:%"), OutboxMessage.status == "sent")
            .order_by(OutboxMessage.id)
        ).all()
        found = [r.ts for r in rows if r.payload["channel"] == user]
    return str(found[n])


def entry_of(slack, user: str, n: int = -1) -> str:
    asks = [p for p in slack.posted(user) if "thread_ts" not in p and p["blocks"][1:]]
    return asks[n]["blocks"][1]["elements"][0]["value"]


def sections(params) -> list[str]:
    return [b["text"]["text"] for b in params.get("blocks") or [] if b.get("type") == "section"]


NOT_BLOCKERS = ["None today", "no blocker", "No blockers at the moment", "all good", "nothing blocking"]
NOT_BLOCKERS += ["nope, all good", "no :)"]


@pytest.mark.parametrize("reply", NOT_BLOCKERS)
def test_a_no_blocker_reply_in_the_dm_thread_is_not_a_blocker(signed, slack, runtime, clock, deliver, database, reply):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    thread = ask_ts(database, ADA)
    for n, text in enumerate(["Trained the baseline", "Tune the LR", reply]):
        signed.event(dm(ADA, text, f"1800000500.00000{n}", thread))
    deliver()
    post = slack.posted("C0001")[-1]
    assert "<@U0001>" in post["text"] and ":construction:" not in blocks_text(post)
    sim.run_until(utc(24, 18, 5))
    digest = blocks_text(slack.posted("C0001")[-1])
    assert "Blockers" not in digest and "standup.clear_blocker" not in digest, "not carried to the next day"


def test_the_ask_explains_the_blocker_answer_convention(signed, slack, runtime, clock, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0", questions="Blockers?\nToday?", blocker="1")
    sim.run_until(utc(23, 8, 5))
    ask = slack.posted(ADA)[0]["text"]
    assert "*no*" in ask and "*yes: …*" in ask, ask


def test_yes_colon_in_the_dm_is_a_blocker_with_the_text_after_it(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    thread = ask_ts(database, ADA)
    for n, text in enumerate(["a", "b", "yes: waiting on GPU quota"]):
        signed.event(dm(ADA, text, f"1800000500.00000{n}", thread))
    deliver()
    with database.session() as s:
        assert s.scalars(select(StandupBlocker.text)).all() == ["waiting on GPU quota"]


def test_free_text_is_only_a_hint_and_the_member_can_correct_it(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    thread = ask_ts(database, ADA)
    for n, text in enumerate(["a", "b", "waiting for the review of the data contract"]):
        signed.event(dm(ADA, text, f"1800000500.00000{n}", thread))
    deliver()
    thanks = slack.posted(ADA)[-1]["text"]
    assert "as a blocker" in thanks and "reply *no*" in thanks
    signed.event(dm(ADA, "no", "1800000500.000009", thread))
    deliver()
    with database.session() as s:
        assert s.scalars(select(StandupBlocker)).all() == []
        assert s.scalars(select(StandupEntry.answers)).one()[2] == "waiting for the review of the data contract"
    assert ":construction:" not in blocks_text(slack.calls_to("chat.update")[-1].params)


def test_the_form_asks_blocked_no_or_yes_explicitly(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], reminder="0")
    sim.run_until(utc(23, 17, 5))
    signed.action("standup.open_answer", entry_of(slack, ADA), user=ADA, channel=f"D{ADA}")
    modal = slack.calls_to("views.open")[-1].params["view"]
    radio = next(b for b in modal["blocks"] if b.get("element", {}).get("type") == "radio_buttons")
    assert [o["value"] for o in radio["element"]["options"]] == ["no", "yes"]
    blocked = {radio["block_id"]: {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}}}
    values = {**answer_values("a", "b", "All good, nothing blocking me today"), **blocked}
    signed.view_submission("standup.answer", values, user=ADA, private_metadata=modal["private_metadata"])
    values = {**answer_values("g", "h", "None today"), radio["block_id"]: {"value": {"type": "radio_buttons"}}}
    values[radio["block_id"]]["value"]["selected_option"] = {"value": "yes"}
    signed.view_submission("standup.answer", values, user=GRACE, private_metadata=entry_of(slack, GRACE))
    deliver()
    with database.session() as s:
        assert s.execute(select(StandupBlocker.user_id, StandupBlocker.text)).all() == [(GRACE, "None today")]
    missing = {**answer_values("x", "y", ""), **{radio["block_id"]: values[radio["block_id"]]}}
    answer = signed.view_submission("standup.answer", missing, user=ADA, private_metadata=modal["private_metadata"])
    assert answer.json() == {"response_action": "errors", "errors": {"q2": "Say what is blocking you."}}


def test_an_ask_keeps_the_question_set_it_was_sent_with(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.command("/standup", "edit")
    view = slack.calls_to("views.open")[-1].params["view"]
    values = setup_values([ADA], questions="Blockers?\nYesterday?\nToday?", blocker="1")
    assert signed.view_submission("standup.setup", values, private_metadata=view["private_metadata"]).status_code == 200
    signed.view_submission(
        "standup.answer", answer_values("a", "b", "Waiting on data"), user=ADA, private_metadata=entry_of(slack, ADA)
    )
    deliver()
    shown = sections(slack.posted("C0001")[-1])
    assert "*Yesterday?*\na" in shown and "*Blockers?*\n:construction: Waiting on data" in shown


def test_several_standups_in_one_channel_are_picked_by_name(signed, slack, runtime, clock, deliver):
    Simulation(runtime, clock, utc(23, 6))
    set_up(signed, slack, [ADA, GRACE])
    set_up(signed, slack, [ADA], name="Weekly ML review", days=(1,))
    signed.command("/standup", "answer Weekly ML review", user=ADA)
    view = slack.calls_to("views.open")[-1].params["view"]
    assert "Weekly ML review" in view["blocks"][0]["elements"][0]["text"]
    assert "“Daily”" in signed.command("/standup", "answer", user=ADA).json()["text"], "several: which one?"
    for text, expected in [
        ("report", ["Daily", "Weekly ML review"]),
        ("report week", ["Daily", "Weekly ML review"]),
        ("report Weekly ML review", ["Weekly ML review"]),
        ("report month daily", ["Daily"]),
    ]:
        reply = signed.command("/standup", text).json()["text"]
        assert "Posting the" in reply and [n for n in ("Daily", "Weekly ML review") if f"“{n}”" in reply] == expected
    deliver()
    assert len([p for p in slack.posted("C0001") if "answered (" in p["text"]]) == 6
    assert "No standup called “Nightly”" in signed.command("/standup", "report Nightly").json()["text"]


def test_a_top_level_dm_days_later_is_not_an_answer(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], days=(1,), reminder="0", questions="Done?\nNext?", blocker="")
    sim.run_until(utc(25, 9))
    signed.event(dm(ADA, "hey bot, how do I file a ticket?", "1800000700.000001"))
    deliver()
    with database.session() as s:
        assert s.scalars(select(StandupEntry.answers)).one() == [None, None]
    reply = slack.posted(ADA)[-1]
    assert "thread_ts" not in reply and "/ritual help" in reply["text"] and "/standup answer" in reply["text"]


def test_a_top_level_dm_with_two_open_asks_asks_which_standup(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0", questions="Done?\nNext?", blocker="")
    set_up(signed, slack, [ADA], reminder="0", name="Weekly ML review", ask="09:30")
    sim.run_until(utc(23, 9))
    signed.event(dm(ADA, "Merged the tokenizer fix", "1800000700.000001"))
    deliver()
    with database.session() as s:
        assert all(a is None for answers in s.scalars(select(StandupEntry.answers)) for a in answers)
    reply = slack.posted(ADA)[-1]["text"]
    assert "“Daily”" in reply and "“Weekly ML review”" in reply and "thread" in reply


def test_skip_on_a_day_without_standup_says_so(signed, slack, runtime, clock, database):
    Simulation(runtime, clock, utc(28, 10))  # Saturday
    set_up(signed, slack, [ADA])
    reply = signed.command("/standup", "skip").json()["text"]
    assert "Skipped" not in reply and "no “Daily” today" in reply and "/standup away 2026-11-30 2026-11-30" in reply
    with database.session() as s:
        assert s.scalars(select(StandupEntry)).all() == []


def test_a_friday_blocker_is_on_its_second_working_day_on_monday(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(26, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(27, 8, 5))
    signed.view_submission(
        "standup.answer", answer_values("a", "b", "Need data access"), user=ADA, private_metadata=entry_of(slack, ADA)
    )
    sim.run_until(utc(30, 18, 5))
    assert "Need data access _(day 2, since Fri 27 Nov)_" in blocks_text(slack.posted("C0001")[-1])


def test_counts_and_away_labels_read_naturally(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA])
    deliver()
    assert ": 1 member (<@U0001>)" in slack.posted("C0001")[-1]["text"]
    set_up(signed, slack, [GRACE, RAVI], name="Pairs")
    slack.users[GRACE].status_emoji = ":palm_tree:"
    sim.run_until(utc(23, 18, 5))
    digest = " ".join(blocks_text(p) for p in slack.posted("C0001") if "Pairs ·" in p["text"])
    assert "(away (status))" not in digest and "*grace* (Slack status)" in digest
