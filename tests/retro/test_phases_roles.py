"""Issue 21: "I'm done" readiness (a count on the root, never names; the facilitator is nudged once when
everyone is done) and facilitator handover (to a channel member, by the facilitator or an admin)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Settings
from rituals.retro.models import Retro
from tests.retro.driver import buttons, text_input
from tests.retro.driver import select as choose

ADMIN, OUTSIDER = "U0005", "U0009"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, admins=(ADMIN,))


def user_pick(user: str) -> dict:
    return {"value": {"type": "users_select", "selected_user": user}}


def add_item(retro, user: str, words: str) -> None:
    retro.press("retro.add_item", "1", user=user)
    retro.submit(retro.last_opened_view(), {"column": choose("to_improve"), "text": text_input(words)}, user)


def context_lines(retro) -> str:
    return " ".join(e["text"] for b in retro.root_now(1)["blocks"] if b["type"] == "context" for e in b["elements"])


def test_participants_say_they_are_done_and_the_facilitator_hears_when_all_are(retro, slack, database):
    retro.command("start Sprint 9")
    add_item(retro, "U0002", "Flaky evals")
    add_item(retro, "U0003", "On-call is chaos")
    assert "0 of 2 done" in context_lines(retro)
    assert [b["text"]["text"] for b in retro.root_buttons(1, "retro.ready")] == ["I'm done"]

    retro.press("retro.ready", "1", user="U0002")
    assert retro.ephemeral() == (
        "Marked as done with collection (only you see this): 1 of 2 done. Press *I'm done* again to undo."
    )
    assert "1 of 2 done" in context_lines(retro)
    retro.press("retro.ready", "1", user="U0002")
    assert retro.ephemeral() == "You are no longer marked as done with collection: 0 of 2 done."
    retro.press("retro.ready", "1", user="U0002")
    assert slack.posted("U0001") == []
    retro.press("retro.ready", "1", user="U0003")
    meta = context_lines(retro)
    assert "2 of 2 done" in meta
    assert "U0002" not in meta and "U0003" not in meta, "a count, never who"
    [nudge] = slack.posted("U0001")
    assert nudge["text"].startswith(
        ":white_check_mark: Everyone in “Sprint 9” in <#C0001> is done with collection (2 of 2)."
    )
    retro.press("retro.ready", "1", user="U0003")
    retro.press("retro.ready", "1", user="U0003")
    assert len(slack.posted("U0001")) == 1, "one nudge per phase"

    retro.press("retro.ready", "1", user=OUTSIDER)
    assert "Only members of <#C0001>" in retro.ephemeral()
    retro.press("retro.ready", "1", user=ADMIN)
    assert "Only members of <#C0001>" in retro.ephemeral(), "an admin outside the channel is no participant"

    [reveal] = buttons(nudge["blocks"], "retro.advance")
    retro.press("retro.advance", reveal["value"], user="U0001")
    retro.press("retro.advance", "1:group", user="U0001")
    assert "0 of 2 done" in context_lines(retro), "each phase counts afresh"
    retro.press("retro.ready", "1", user="U0004")  # joins by saying so
    assert retro.ephemeral().endswith("with voting (only you see this): 1 of 3 done. Press *I'm done* again to undo.")
    retro.press("retro.advance", "1:vote", user="U0001")
    assert retro.root_buttons(1, "retro.ready") == [] and "done" not in context_lines(retro)
    retro.press("retro.ready", "1", user="U0002")
    assert "is discussing now, not collecting or voting" in retro.ephemeral()


def test_the_facilitator_hands_over_to_a_member_who_then_has_the_controls(retro, slack, database):
    retro.command("start Sprint 9")
    add_item(retro, "U0002", "Flaky evals")
    retro.press("retro.handover", "1", user="U0002")
    assert retro.refused_in_modal().startswith("Only the facilitator (<@U0001>) or a workspace admin can hand")
    retro.press("retro.handover", "1", user=OUTSIDER)
    assert "Only members of <#C0001>" in retro.refused_in_modal()
    retro.press("retro.handover", "1", user="U0001")
    view = retro.last_opened_view()
    assert retro.submit(view, {"facilitator": user_pick(OUTSIDER)}, "U0001")["errors"] == {
        "facilitator": "That person is not a member of the retro's channel, so they cannot facilitate it. "
        "Add them to the channel first, or pick a member."
    }
    assert retro.submit(view, {"facilitator": user_pick("U0001")}, "U0001")["errors"] == {
        "facilitator": "That person already facilitates “Sprint 9”."
    }
    assert retro.submit(view, {"facilitator": user_pick("U0002")}, "U0001") == {}
    with database.session() as s:
        assert s.get(Retro, 1).facilitator_id == "U0002"
    assert "facilitator <@U0002>" in context_lines(retro)
    assert retro.thread(1)[-1]["text"] == (
        ":arrows_counterclockwise: <@U0001> handed facilitation to <@U0002>. <@U0002> now has the controls."
    )
    [dm] = slack.posted("U0002")
    assert dm["text"].startswith("You now facilitate “Sprint 9” in <#C0001>")

    retro.press("retro.advance", "1:collect", user="U0001")
    assert retro.ephemeral().startswith("Only the facilitator (<@U0002>)")
    retro.press("retro.advance", "1:collect", user="U0002")
    with database.session() as s:
        assert s.get(Retro, 1).phase == "group"


def test_handover_by_command_for_the_facilitator_or_an_admin(retro, slack, database):
    retro.command("start Sprint 9")
    assert "as a mention" in retro.command("handover ravi")["text"]
    assert "Only the facilitator (<@U0001>)" in retro.command("handover <@U0003>", user="U0002")["text"]
    assert retro.command("handover <@U0003|ravi>")["text"] == "<@U0003> now facilitates “Sprint 9”."
    assert retro.command("handover <@U0002>", user=ADMIN)["text"] == "<@U0002> now facilitates “Sprint 9”."
    assert retro.thread(1)[-1]["text"] == (
        ":arrows_counterclockwise: <@U0003> handed facilitation to <@U0002> (by <@U0005>). "
        "<@U0002> now has the controls."
    )
    assert "not a member of the retro's channel" in retro.command(f"handover <@{OUTSIDER}>", user="U0002")["text"]
    retro.command("abandon", user="U0002")
    assert "No retro is running" in retro.command("handover <@U0003>", user="U0002")["text"]
