"""Forged and stale presses get a clear ephemeral answer and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rituals.retro.models import Retro, RetroAction, RetroItem, RetroVote
from tests.retro.seed import seed


def state(database) -> tuple:
    with database.session() as s:
        retro = s.get(Retro, 1)
        return (
            retro.phase,
            retro.discuss_pos,
            retro.abandoned,
            retro.votes_per_person,
            s.scalar(select(func.count()).select_from(RetroItem)),
            s.scalar(select(func.coalesce(func.sum(RetroVote.count), 0))),
            s.scalar(select(func.count()).select_from(RetroAction)),
        )


def chat_calls(slack) -> int:
    return len([c for c in slack.calls if c.method.startswith(("chat.", "views."))])


@pytest.mark.parametrize(
    ("phase", "action_id", "value", "said"),
    [
        ("collect", "retro.advance", "1:collect", "can end collecting"),
        ("group", "retro.advance", "1:group", "can end grouping"),
        ("vote", "retro.advance", "1:vote", "can end voting"),
        ("discuss", "retro.next", "1:0", "can move to the next item"),
        ("discuss", "retro.close", "1", "can close the retro"),
    ],
)
def test_only_the_facilitator_moves_the_retro_on(retro, database, clock, deliver, slack, phase, action_id, value, said):
    seed(database, clock, deliver, phase)
    before, calls = state(database), chat_calls(slack)
    retro.press(action_id, value, user="U0002")
    assert retro.ephemeral() == f"Only the facilitator (<@U0001>) or a workspace admin {said}."
    assert state(database) == before and chat_calls(slack) == calls
    assert [c.params["user"] for c in slack.calls_to("users.info")] == ["U0002"], "asked Slack if they are admin"


@pytest.mark.parametrize(
    ("phase", "action_id", "said"),
    [("collect", "retro.settings", "can change the retro's settings"), ("group", "retro.merge", "can merge items")],
)
def test_only_the_facilitator_gets_the_facilitators_forms(
    retro, database, clock, deliver, slack, phase, action_id, said
):
    """A form opens loading while Slack says who may see it: the refusal shows in that modal, not as a form."""
    seed(database, clock, deliver, phase)
    before, posts = state(database), len([c for c in slack.calls if c.method.startswith("chat.")])
    retro.press(action_id, "1", user="U0002")
    assert retro.refused_in_modal() == f"Only the facilitator (<@U0001>) or a workspace admin {said}."
    assert retro.forms_shown() == 0 and retro.new_responses == []
    assert state(database) == before and len([c for c in slack.calls if c.method.startswith("chat.")]) == posts
    assert [c.params["user"] for c in slack.calls_to("users.info")] == ["U0002"], "asked Slack if they are admin"


def test_a_workspace_admin_may_stand_in_for_the_facilitator(retro, database, clock, deliver, slack):
    seed(database, clock, deliver, "collect")
    slack.users["U0003"].is_admin = True
    retro.press("retro.advance", "1:collect", user="U0003")
    assert retro.new_responses == []
    assert state(database)[0] == "group"


def test_a_vote_beyond_the_limit_is_refused_and_not_counted(retro, database, clock, deliver):
    ids = seed(database, clock, deliver, "vote")  # U0002 already used one of 3 votes
    for left in (1, 0):
        retro.press("retro.vote", f"1:{ids['named']}", user="U0002")
        assert f"You have {left} vote" in retro.ephemeral()
    before = state(database)
    retro.press("retro.vote", f"1:{ids['anonymous']}", user="U0002")
    assert "You have used all 3 of your votes" in retro.ephemeral()
    assert state(database) == before
    retro.press("retro.take_back", "1", user="U0002")
    assert "all 3 to place again" in retro.ephemeral()
    assert state(database)[5] == 0


def test_stale_buttons_from_a_closed_retro_change_nothing(retro, database, clock, deliver, slack):
    ids = seed(database, clock, deliver, "closed")
    before, calls = state(database), chat_calls(slack)
    for action_id, value in (
        ("retro.vote", f"1:{ids['named']}"),
        ("retro.next", "1:0"),
        ("retro.advance", "1:vote"),
        ("retro.close", "1"),
    ):
        retro.press(action_id, value, user="U0001")
        assert retro.ephemeral().startswith("“Sprint 9” is closed, so its buttons no longer change anything.")
    assert state(database) == before and chat_calls(slack) == calls
    retro.press("retro.add_item", "1", user="U0001")  # a form: said in the modal that opened loading
    assert retro.refused_in_modal().startswith("“Sprint 9” is closed, so its buttons no longer change anything.")
    assert state(database) == before and retro.forms_shown() == 0


def test_a_button_from_an_earlier_phase_is_explained(retro, database, clock, deliver):
    seed(database, clock, deliver, "vote")
    before = state(database)
    retro.press("retro.advance", "1:collect", user="U0001")
    assert "is voting now, not collecting" in retro.ephemeral()
    retro.press("retro.add_item", "1", user="U0002")
    assert "is voting now, not collecting" in retro.refused_in_modal()
    assert state(database) == before


@pytest.mark.parametrize("value", ["x", "1:abc", "", "1"])
def test_malformed_or_foreign_votes_are_refused(retro, database, clock, deliver, value):
    seed(database, clock, deliver, "vote")
    seed(database, clock, deliver, "vote", channel="C0002", title="Other team")
    before = state(database)
    retro.press("retro.vote", value, user="U0003")
    assert "not one of this bot's retro buttons" in retro.ephemeral()
    with database.session() as s:
        other_item = s.scalars(select(RetroItem.id).where(RetroItem.retro_id == 2)).first()
    retro.press("retro.vote", f"1:{other_item}", user="U0003")
    assert "not on this retro's ballot" in retro.ephemeral()
    assert state(database) == before


def test_abandon_and_resume_keep_the_state(retro, database, clock, deliver):
    seed(database, clock, deliver, "group")
    assert "Only the facilitator" in retro.command("abandon", user="U0002")["text"]
    assert "put aside" in retro.command("abandon", user="U0001")["text"]
    assert "_abandoned_" in retro.root_text(1) and "[Merge items]" not in retro.root_text(1)
    retro.press("retro.merge", "1", user="U0001")
    assert "was abandoned; the facilitator can bring it back with `/retro resume`" in retro.refused_in_modal()
    assert "already running" not in retro.command("resume", user="U0001")["text"]
    assert "[Merge items]" in retro.root_text(1) and state(database)[:3] == ("group", -1, False)


def test_a_second_retro_in_the_same_channel_is_refused(retro, database, clock, deliver):
    seed(database, clock, deliver, "collect")
    answer = retro.command("start Another one", user="U0002")
    assert answer["response_type"] == "ephemeral" and "already running in this channel (“Sprint 9”" in answer["text"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Retro)) == 1
