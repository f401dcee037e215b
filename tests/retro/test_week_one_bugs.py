"""Issue 21's retro bugs 8 and 9: a deadline that passes with no items, and "(1 votes)" in the export."""

from __future__ import annotations

from bot import jobs
from rituals.retro.models import Retro
from tests.retro.driver import select as choose
from tests.retro.driver import text_input
from tests.retro.seed import seed


def test_a_deadline_with_no_items_clears_itself_and_says_so(retro, database, clock, runtime):
    retro.command("start Sprint 9")
    retro.press("retro.settings", "1", user="U0001")
    retro.submit(retro.last_opened_view(), {"votes": text_input("3"), "deadline": choose("24")}, "U0001")
    assert "collection closes" in retro.root_text(1)
    clock.advance(hours=24)
    jobs.run("retro.deadline", "1", rt=runtime)
    retro.deliver()
    with database.session() as s:
        assert s.get(Retro, 1).phase == "collect" and s.get(Retro, 1).deadline_at is None
    assert "collection closes" not in retro.root_text(1), "no past deadline on the board"
    assert "no items" in retro.thread(1)[-1]["text"]


def test_export_says_1_vote(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")  # the anonymous item has one vote
    text = retro.command("export 1", user="U0002")["text"]
    assert "Flaky evals (1 vote)" in text and "(1 votes)" not in text
