"""After the retro: carried-over items the facilitator drops, review permissions, open actions in App Home."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import blocks_to_text
from rituals.retro.models import RetroAction, RetroItem
from tests.retro.driver import buttons
from tests.retro.seed import seed


def test_the_facilitator_drops_a_carried_over_item_from_the_review(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")  # "Fast CI" got no votes: it was not discussed
    retro.command("start Sprint 10", user="U0003")
    [park] = buttons(retro.thread(2)[0]["blocks"], "retro.carry")  # went well: in the parking lot (bug 7)
    retro.press("retro.carry", park["value"], user="U0003")
    review = retro.updates_of(retro.ts_of("retro:2:review"))[-1]
    assert "*Carried over*" in blocks_to_text(review["blocks"]) and "• Fast CI" in blocks_to_text(review["blocks"])
    assert "*Went well*\n1 item" in retro.root_text(2)
    [drop] = buttons(review["blocks"], "retro.drop_carried")
    retro.press("retro.drop_carried", drop["value"], user="U0002")
    assert "Only the facilitator (<@U0003>)" in retro.ephemeral()
    retro.press("retro.drop_carried", drop["value"], user="U0003")
    assert retro.new_responses == []
    with database.session() as s:
        assert s.scalars(select(RetroItem).where(RetroItem.retro_id == 2)).all() == []
    after = blocks_to_text(retro.updates_of(retro.ts_of("retro:2:review"))[-1]["blocks"])
    assert "*Carried over*" not in after and "*Parking lot*" in after, "a dropped item goes back to the parking lot"
    assert "*Went well*\n0 items" in retro.root_text(2)


def test_only_the_owner_or_facilitator_settles_an_action_in_the_review(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")  # action owned by U0003
    retro.command("start Sprint 10", user="U0001")
    review = retro.thread(2)[0]["blocks"]
    values = {v: b["value"] for v in ("done", "open", "drop") for b in buttons(review, f"retro.review.{v}")}
    assert [values[v].rsplit(":", 1)[1] for v in ("done", "open", "drop")] == ["done", "open", "drop"]
    retro.press("retro.review.drop", values["drop"], user="U0002")
    assert "Only the action's owner (<@U0003>) or the facilitator" in retro.ephemeral()
    retro.press("retro.review.drop", values["drop"], user="U0001")
    with database.session() as s:
        assert s.scalars(select(RetroAction.status)).one() == "dropped"
    assert "Pin the eval seed — <@U0003>, due 2026-12-04 · from “Sprint 9” · *dropped*" in blocks_to_text(
        retro.updates_of(retro.ts_of("retro:2:review"))[-1]["blocks"]
    )


def test_open_actions_show_in_app_home_and_channel_status(retro, database, clock, deliver, signed, slack):
    seed(database, clock, deliver, "closed")
    signed.event({"type": "app_home_opened", "user": "U0003", "channel": "D0003", "tab": "home"})
    home = str(slack.calls_to("views.publish")[0].params["view"]["blocks"])
    assert "Open retro action" in home and "Pin the eval seed — <@U0003>, due 2026-12-04" in home
    status = signed.command("/ritual", "status").json()
    assert "Pin the eval seed" in str(status["blocks"])
