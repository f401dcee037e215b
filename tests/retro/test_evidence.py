"""Issue 24: a retro seeded with the period's evidence, read from ritualbot's own tables and offered to the
facilitator as draft items; only the facilitator adds one, under the board's first improvement column."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rituals.retro.models import RetroItem
from rituals.standup.models import Standup, StandupBlocker
from tests.retro.driver import buttons
from tests.retro.seed import seed


def _blocker(database, clock, channel: str, text: str) -> None:
    with database.session() as s:
        standup = Standup(
            team_id="T0001", channel_id=channel, name="Daily", created_by="U0001", questions=[], blocker_index=None,
            days=[1, 2, 3, 4, 5], ask_time="09:00", digest_time="12:00", timezone="UTC", reminder_minutes=None,
            post_mode="thread", everyone=False, holidays=[], paused=False, created_at=clock.now() - timedelta(days=9),
            archived_at=None,
        )  # fmt: skip
        s.add(standup)
        s.flush()
        raised = clock.now() - timedelta(days=3)
        s.add(
            StandupBlocker(standup_id=standup.id, user_id="U0002", text=text, raised_on=raised.date(), raised_at=raised)
        )


def test_the_facilitator_adds_a_blocker_of_the_period_as_an_item(retro, signed, database, clock, deliver):
    _blocker(database, clock, "C0001", "Waiting on GPU quota")
    _blocker(database, clock, "C0002", "Another team's secret")
    seed(database, clock, deliver, "collect")
    refused = retro.command("evidence", user="U0002")
    assert "Only the facilitator (<@U0001>)" in refused["text"]
    offer = retro.command("evidence", user="U0001")
    assert offer["response_type"] == "ephemeral" and "Evidence since the last retro (1)" in offer["text"]
    assert "Waiting on GPU quota" in str(offer["blocks"]) and "secret" not in str(offer["blocks"])
    [add] = buttons(offer["blocks"], "retro.add_evidence")
    retro.press("retro.add_evidence", add["value"], user="U0002")
    assert "Only the facilitator (<@U0001>)" in retro.ephemeral()
    retro.press("retro.add_evidence", add["value"], user="U0001")
    assert retro.new_responses == []
    with database.session() as s:
        added = s.scalars(select(RetroItem).where(RetroItem.text.contains("Waiting on GPU quota"))).one()
        assert (added.column_key, added.author_id) == ("to_improve", "U0001")
    assert "*To improve*\n2 items" in retro.root_text(1)


def test_evidence_needs_a_collecting_retro(retro):
    assert "No retro is collecting items" in retro.command("evidence", user="U0001")["text"]
