"""Issue 21: voting and discussion deadlines, like collection's: set at `/retro start` or with *Deadlines*,
shown on the root as Slack date tokens, then moving the phase on by themselves or nudging the facilitator
by DM with a button; a deadline with nothing to do says so, and none stays on the root once passed."""

from __future__ import annotations

from datetime import timedelta

from bot import jobs
from bot.blocks import blocks_to_text
from rituals.retro import capability
from rituals.retro.models import Retro
from tests.retro.driver import buttons, text_input
from tests.retro.driver import select as choose
from tests.retro.seed import seed

MONDAY_9 = 1795424400  # the frozen clock, 2026-11-23 09:00 UTC


def radio(value: str) -> dict:
    return {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}


def phase(database) -> str:
    with database.session() as s:
        return s.get(Retro, 1).phase


def add_item(retro, user: str, words: str) -> None:
    retro.press("retro.add_item", "1", user=user)
    retro.submit(retro.last_opened_view(), {"column": choose("to_improve"), "text": text_input(words)}, user)


def test_deadlines_set_with_the_button_move_voting_and_discussion_on_by_themselves(
    retro, database, clock, deliver, runtime
):
    seed(database, clock, deliver, "group")
    retro.press("retro.timing", "1", user="U0002")
    assert retro.refused_in_modal().startswith("Only the facilitator (<@U0001>) or a workspace admin can change")
    retro.press("retro.timing", "1", user="U0001")
    values = {"vote_deadline": choose("2"), "discuss_deadline": choose("24"), "on_deadline": radio("move_on")}
    assert retro.submit(retro.last_opened_view(), values, "U0001") == {}
    board = retro.root_text(1)
    assert f"voting closes <!date^{MONDAY_9 + 2 * 3600}^" in board
    assert f"discussion ends <!date^{MONDAY_9 + 24 * 3600}^" in board
    assert "nudged" not in board
    with database.session() as s:
        wanted = {j.id: j for j in capability.schedule(s)}
    assert wanted["retro:1:vote_deadline"].trigger.run_date == clock.now() + timedelta(hours=2)
    assert wanted["retro:1:discuss_deadline"].scope == "1:discuss"

    retro.press("retro.advance", "1:group", user="U0001")
    vote = buttons(retro.thread(1)[-1]["blocks"], "retro.vote")[0]
    retro.press("retro.vote", vote["value"], user="U0003")
    clock.advance(hours=1)
    jobs.run("retro.phase_deadline", "1:vote", rt=runtime)  # early: nothing happens
    deliver()
    assert phase(database) == "vote"
    clock.advance(hours=1)
    assert jobs.run("retro.phase_deadline", "1:vote", rt=runtime).ran
    deliver()
    assert phase(database) == "discuss"
    texts = [p["text"] for p in retro.thread(1)]
    assert ":hourglass: The voting deadline passed, so voting ended by itself." in texts
    assert "Voting closed: the results" in texts
    board = retro.root_text(1)
    assert "voting closes <!date" not in board and f"discussion ends <!date^{MONDAY_9 + 24 * 3600}^" in board

    clock.advance(hours=22)
    assert jobs.run("retro.phase_deadline", "1:discuss", rt=runtime).ran
    deliver()
    assert phase(database) == "closed"
    assert "discussion ends <!date" not in retro.root_text(1)
    with database.session() as s:
        assert [j.id for j in capability.schedule(s) if "deadline" in j.id] == []


def test_start_options_and_a_voting_deadline_with_no_votes_then_a_nudge_with_a_button(
    retro, database, clock, deliver, runtime, slack
):
    assert "not a duration" in retro.command("start Sprint 9 vote=soon")["text"]
    assert "then=nudge" in retro.command("start Sprint 9 then=later")["text"]
    with database.session() as s:
        assert s.get(Retro, 1) is None, "a bad option starts nothing"
    retro.command("start Sprint 9 vote=3h then=nudge")
    board = retro.root_text(1)
    assert "Retro: Sprint 9" in board, "the options are not part of the title"
    assert f"voting closes <!date^{MONDAY_9 + 3 * 3600}^" in board
    assert "at a deadline the facilitator is nudged" in board
    add_item(retro, "U0002", "Flaky evals")
    retro.press("retro.advance", "1:collect", user="U0001")
    retro.press("retro.advance", "1:group", user="U0001")

    clock.advance(hours=3)
    jobs.run("retro.phase_deadline", "1:vote", rt=runtime)
    deliver()
    assert phase(database) == "vote"
    assert retro.thread(1)[-1]["text"].startswith(
        ":hourglass: The voting deadline of “Sprint 9” passed with no votes yet, so voting stays open"
    )
    assert "voting closes <!date" not in retro.root_text(1), "no past deadline stays on the root"
    assert slack.posted("U0001") == [], "nothing to decide yet: no nudge"

    retro.press("retro.timing", "1", user="U0001")
    view = retro.last_opened_view()
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "vote_deadline",
        "discuss_deadline",
        "on_deadline",
    ], "the per-item cap can no longer change while voting"
    retro.submit(view, {"vote_deadline": choose("1")}, "U0001")
    [vote] = buttons(retro.thread(1)[-2]["blocks"], "retro.vote")
    retro.press("retro.vote", vote["value"], user="U0003")
    clock.advance(hours=1)
    jobs.run("retro.phase_deadline", "1:vote", rt=runtime)
    deliver()
    assert phase(database) == "vote", "nudge, not move on"
    [nudge] = slack.posted("U0001")
    assert nudge["text"].startswith(":hourglass: The voting deadline of “Sprint 9” in <#C0001> passed (<!date^")
    assert "voting closes <!date" not in retro.root_text(1)
    assert (
        retro.thread(1)[-1]["text"]
        == ":hourglass: The voting deadline passed: the facilitator decides when to move on."
    )
    [close] = buttons(nudge["blocks"], "retro.advance")
    assert close["value"] == "1:vote" and close["text"]["text"] == "Close voting ▶"
    retro.press("retro.advance", close["value"], user="U0001")
    assert phase(database) == "discuss"


def test_a_deadline_passing_before_its_phase_is_cleared_and_collection_nudges(
    retro, database, clock, deliver, runtime, slack
):
    retro.command("start Sprint 9 collect=1h vote=1h then=nudge")
    add_item(retro, "U0002", "Flaky evals")
    clock.advance(hours=1)
    jobs.run("retro.deadline", "1", rt=runtime)
    jobs.run("retro.phase_deadline", "1:vote", rt=runtime)
    deliver()
    assert phase(database) == "collect"
    [nudge] = slack.posted("U0001")
    assert "The collection deadline of “Sprint 9”" in nudge["text"]
    [reveal] = buttons(nudge["blocks"], "retro.advance")
    assert reveal["value"] == "1:collect"
    notes = [p["text"] for p in retro.thread(1)]
    assert (
        ":hourglass: The voting deadline of “Sprint 9” passed before voting began, so it is cleared. "
        "The facilitator can set a new one with *Deadlines*."
    ) in notes
    board = retro.root_text(1)
    assert "collection closes <!date" not in board and "voting closes <!date" not in board
    retro.press("retro.advance", reveal["value"], user="U0001")
    assert phase(database) == "group"
    assert "*Revealed!*" in blocks_to_text(retro.thread(1)[-1]["blocks"])


def test_deadline_changes_are_for_the_facilitator_and_refused_once_the_phase_is_over(retro, database, clock, deliver):
    seed(database, clock, deliver, "discuss")
    retro.press("retro.timing", "1", user="U0009")
    assert "Only members of <#C0001>" in retro.refused_in_modal()
    retro.press("retro.timing", "1", user="U0001")
    view = retro.last_opened_view()
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["discuss_deadline", "on_deadline"]
    assert retro.submit(view, {"discuss_deadline": choose("1")}, "U0001") == {}
    assert "discussion ends <!date^" in retro.root_text(1)
    answer = retro.submit(view, {"vote_deadline": choose("1")}, "U0001")  # a stale window from before
    assert answer == {
        "response_action": "errors",
        "errors": {"vote_deadline": "Voting is already over, so its deadline no longer applies."},
    }
    assert retro.submit(view, {"discuss_deadline": choose("0")}, "U0001") == {}
    assert "discussion ends <!date" not in retro.root_text(1), "“No deadline” removes it"


def test_a_deadline_whose_phase_ended_early_is_dropped_without_a_word(retro, database, clock, deliver, runtime):
    seed(database, clock, deliver, "group")
    retro.press("retro.timing", "1", user="U0001")
    retro.submit(retro.last_opened_view(), {"vote_deadline": choose("1")}, "U0001")
    retro.press("retro.advance", "1:group", user="U0001")
    retro.press("retro.advance", "1:vote", user="U0001")  # the facilitator closed voting before its deadline
    posts = len(retro.thread(1))
    clock.advance(hours=1)
    jobs.run("retro.phase_deadline", "1:vote", rt=runtime)
    deliver()
    assert len(retro.thread(1)) == posts and phase(database) == "discuss"
    with database.session() as s:
        assert s.get(Retro, 1).vote_deadline_at is None
