"""Issue 21: the team health check as an optional template step: questions scored 1-5 from the thread,
averages on the board after the reveal with the trend across the channel's previous retros, in the export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from bot.config import Settings
from tests.retro.driver import buttons, text_input
from tests.retro.driver import select as choose

ADA, GRACE, RAVI, LINUS = "U0001", "U0002", "U0003", "U0004"
QUESTIONS = ["Delivering value", "Speed", "Fun"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    retro = {"health": {"questions": QUESTIONS, "templates": ["wwi"]}}
    return replace(settings, file={**settings.file, "retro": retro})


def _invite(retro, rid: int) -> dict:
    [invite] = [m for m in retro.thread(rid) if m["text"].startswith("Team health check")]
    return invite


def answer(retro, rid: int, user: str, scores: Sequence[int | None]) -> dict:
    [button] = buttons(_invite(retro, rid)["blocks"], "retro.health")
    retro.press("retro.health", button["value"], user=user)
    view = retro.last_opened_view()
    assert [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"] == QUESTIONS
    values = {f"health.{n}": choose(str(v)) for n, v in enumerate(scores) if v is not None}
    return retro.submit(view, values, user)


def run_retro(retro, rid: int, answers: dict[str, list[int | None]], *, close: bool = True) -> None:
    retro.command(f"start Sprint {rid}")
    for user, scores in answers.items():
        assert answer(retro, rid, user, scores)["view"]["title"]["text"] == "Health check sent"
    retro.press("retro.add_item", str(rid), user=ADA)
    retro.submit(retro.last_opened_view(), {"column": choose("to_improve"), "text": text_input("Slow CI")}, ADA)
    assert "health" not in retro.root_text(rid).lower(), "nothing shows (or counts) while collecting"
    retro.press("retro.advance", f"{rid}:collect", user=ADA)
    if close:
        retro.press("retro.advance", f"{rid}:group", user=ADA)
        retro.press("retro.advance", f"{rid}:vote", user=ADA)
        retro.press("retro.close", str(rid), user=ADA)


def test_averages_show_after_the_reveal_with_the_trend_since_the_last_retros(retro):
    run_retro(retro, 1, {ADA: [4, 2, 3], GRACE: [4, 3, 3], RAVI: [5, 3, 3]})
    closed = retro.root_text(1)
    assert "*Team health* (3 answered, 1–5)" in closed
    assert "• Delivering value 4.3\n• Speed 2.7\n• Fun 3.0" in closed, closed

    run_retro(retro, 2, {ADA: [4, 3, None], GRACE: [4, 3, 3], RAVI: [4, 4, 3], LINUS: [4, 4, 3]}, close=False)
    board = retro.root_text(2)
    assert "*Team health* (4 answered, 1–5)" in board
    assert "• Delivering value 4.0 ↓ from 4.3\n• Speed 3.5 ↑ from 2.7\n• Fun 3.0 → from 3.0" in board, board

    exported = retro.command("export 2")["text"]
    assert "## Team health (4 answered, 1–5)" in exported
    assert "- Speed 3.5 ↑ from 2.7 (before: 2.7)" in exported


def test_one_answer_each_at_least_one_score_and_few_answers_stay_hidden(retro):
    retro.command("start Sprint 1")
    empty = answer(retro, 1, GRACE, [None, None, None])
    assert empty["response_action"] == "errors" and "health.0" in empty["errors"]
    answer(retro, 1, GRACE, [3, 3, 3])
    again = answer(retro, 1, GRACE, [5, 5, 5])
    assert again["response_action"] == "errors" and "already answered" in again["errors"]["health.0"]
    answer(retro, 1, RAVI, [1, 1, 1])
    retro.press("retro.add_item", "1", user=ADA)
    retro.submit(retro.last_opened_view(), {"column": choose("went_well"), "text": text_input("Demos")}, ADA)
    retro.press("retro.advance", "1:collect", user=ADA)
    board = retro.root_text(1)
    assert "Team health: 2 answers; averages show from 3" in board
    assert "3.0" not in board and "2.0" not in board and "1.0" not in board


def test_a_template_without_the_step_has_no_health_check(retro, slack):
    retro.command("start ssc Sprint 1")
    assert not any(m["text"].startswith("Team health check") for m in retro.thread(1))
    retro.press("retro.health", "1", user=GRACE)  # a forged press
    assert "no health check" in retro.refused_in_modal(), "said in the modal that opened loading"
    assert retro.forms_shown() == 0


def test_templates_say_which_include_the_health_check(retro):
    listed = retro.command("templates")["text"]
    assert "`wwi` — Went well / To improve / Ideas: Went well, To improve, Ideas + team health check" in listed
    assert "`ssc` — Start / Stop / Continue: Start, Stop, Continue\n" in listed
