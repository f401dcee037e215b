"""Issue 21, retro bug 7: only undiscussed improvement items carry over by default; the facilitator parks
any other undiscussed item (or drops a carried one) from the next retro's review."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import blocks_to_text
from rituals.retro import boards, items, service
from rituals.retro.models import RetroItem
from tests.retro.driver import buttons
from tests.retro.seed import seed

NEVER = lambda: False  # noqa: E731


def _carried(database, retro_id: int = 2) -> dict[str, str | None]:
    with database.session() as s:
        return {i.text: i.author_id for i in s.scalars(select(RetroItem).where(RetroItem.retro_id == retro_id))}


def test_went_well_items_do_not_carry_over_by_default(retro, database, clock, deliver):
    with database.session() as s:
        first = service.start_retro(
            s, team_id="T0001", channel_id="C0001", facilitator="U0001", board=boards.BUILT_IN["wwi"], title="S9",
            now=clock.now(),
        )  # fmt: skip
        for column, text in (("went_well", "Fast CI"), ("to_improve", "Slow reviews"), ("to_improve", "Flaky")):
            items.add_item(s, first.id, team_id="T0001", author="U0002", column=column, text=text, anonymous=False,
                           now=clock.now())  # fmt: skip
        for phase in ("collect", "group"):
            service.advance(s, first.id, team_id="T0001", from_phase=phase, actor="U0001", is_admin=NEVER,
                            now=clock.now())  # fmt: skip
        flaky = s.scalars(select(RetroItem.id).where(RetroItem.text == "Flaky")).one()
        items.vote(s, first.id, flaky, team_id="T0001", voter="U0002", now=clock.now())
        service.advance(s, first.id, team_id="T0001", from_phase="vote", actor="U0001", is_admin=NEVER, now=clock.now())
    deliver()
    retro.press("retro.close", "1", user="U0001")
    summary = retro.root_text(1)
    assert "• Slow reviews _(carries over)_" in summary and "• Fast CI\n" in summary + "\n", summary
    retro.command("start Sprint 10", user="U0001")
    assert _carried(database) == {"Slow reviews": "U0002"}, "went well stays behind, improvements carry over"
    review = blocks_to_text(retro.thread(2)[0]["blocks"])
    assert "*Carried over*" in review and "• Slow reviews" in review
    assert "*Parking lot*" in review and "• Fast CI" in review, "the facilitator sees what was left behind"
    assert "Flaky" not in review, "discussed items neither carry over nor wait in the parking lot"
    assert "*Went well*\n0 items" in retro.root_text(2) and "*To improve*\n1 item" in retro.root_text(2)


def test_the_facilitator_parks_a_left_behind_item_into_the_new_retro(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")  # "Fast CI" (went well) was not discussed; "Flaky evals" was
    retro.command("start Sprint 10", user="U0003")
    review = retro.thread(2)[0]
    [park] = buttons(review["blocks"], "retro.carry")
    assert buttons(review["blocks"], "retro.drop_carried") == []
    retro.press("retro.carry", park["value"], user="U0002")
    assert "Only the facilitator (<@U0003>)" in retro.ephemeral()
    assert _carried(database) == {}
    retro.press("retro.carry", park["value"], user="U0003")
    assert retro.new_responses == []
    assert _carried(database) == {"Fast CI": "U0002"}
    retro.press("retro.carry", park["value"], user="U0003")
    assert "already on this board" in retro.ephemeral(), "a double click carries it once"
    assert len(_carried(database)) == 1
    updated = blocks_to_text(retro.updates_of(retro.ts_of("retro:2:review"))[-1]["blocks"])
    assert "*Carried over*" in updated and "*Parking lot*" not in updated
    assert "*Went well*\n1 item" in retro.root_text(2)


def test_an_item_of_another_channel_cannot_be_parked_here(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed", channel="C0002", title="Other team")
    seed(database, clock, deliver, "closed")
    retro.command("start Sprint 10", user="U0001")
    with database.session() as s:
        foreign = s.scalars(select(RetroItem.id).where(RetroItem.retro_id == 1, RetroItem.text == "Fast CI")).one()
    retro.press("retro.carry", f"3:{foreign}", user="U0001")
    assert "not left over from this channel's last retro" in retro.ephemeral()
    assert _carried(database, 3) == {}, "nothing of the other channel lands here"
