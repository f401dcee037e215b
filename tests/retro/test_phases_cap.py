"""Issue 21: a per-item vote cap (at most N of your dots on one item), set per retro, shown on the root and
the ballot, refused with a clear ephemeral message, and held under simultaneous clicks like the budget."""

from __future__ import annotations

from sqlalchemy import func, select

from rituals.retro.models import Retro, RetroVote
from tests.retro.driver import buttons, text_input
from tests.retro.seed import seed
from tests.retro.test_vote_race import VOTER, click_at_once


def set_cap(retro, database, clock, deliver, cap: str) -> dict[str, int]:
    ids = seed(database, clock, deliver, "group")
    retro.press("retro.timing", "1", user="U0001")
    retro.submit(retro.last_opened_view(), {"item_cap": text_input(cap)}, "U0001")
    return ids


def test_a_voter_can_put_at_most_the_cap_on_one_item(retro, database, clock, deliver):
    ids = seed(database, clock, deliver, "group")
    retro.press("retro.timing", "1", user="U0001")
    view = retro.last_opened_view()
    for bad in ("0", "many", "21"):
        answer = retro.submit(view, {"item_cap": text_input(bad)}, "U0001")
        assert answer["errors"] == {
            "item_cap": "The most votes one person may put on one item is a whole number from 1 to 20 "
            "(or empty: no cap)."
        }
    assert retro.submit(view, {"item_cap": text_input("2")}, "U0001") == {}
    assert "3 votes each, at most 2 on one item" in retro.root_text(1)

    retro.press("retro.advance", "1:group", user="U0001")
    ballot = retro.thread(1)[-1]
    assert "you may put several on one item. At most 2 on one item." in ballot["blocks"][0]["text"]["text"]
    assert "At most 2 on one item." in retro.root_text(1)
    values = {b["value"] for b in buttons(ballot["blocks"], "retro.vote")}
    named, anonymous = f"1:{ids['named']}", f"1:{ids['anonymous']}"
    assert values == {named, anonymous}
    for _ in range(2):
        retro.press("retro.vote", named, user="U0003")
    retro.press("retro.vote", named, user="U0003")
    assert retro.ephemeral() == (
        "You already put 2 votes on this item, the most one person may put on one item in this retro. "
        "Put your other 1 vote on other items."
    )
    retro.press("retro.vote", anonymous, user="U0003")
    assert retro.ephemeral() == "Vote counted (only you see this). You have 0 votes left."
    with database.session() as s:
        mine = dict(s.execute(select(RetroVote.item_id, RetroVote.count).where(RetroVote.voter_id == "U0003")).all())
    assert mine == {ids["named"]: 2, ids["anonymous"]: 1}


def test_no_cap_by_default_and_an_empty_field_removes_it(retro, database, clock, deliver):
    set_cap(retro, database, clock, deliver, "1")
    with database.session() as s:
        assert s.get(Retro, 1).max_votes_per_item == 1
    retro.press("retro.timing", "1", user="U0001")
    view = retro.last_opened_view()
    [field] = [b for b in view["blocks"] if b.get("block_id") == "item_cap"]
    assert field["element"]["initial_value"] == "1", "the window shows the cap in force"
    retro.submit(view, {"item_cap": text_input("")}, "U0001")
    with database.session() as s:
        assert s.get(Retro, 1).max_votes_per_item is None
    assert "on one item" not in retro.root_text(1)


def test_ten_simultaneous_clicks_on_one_item_with_a_cap_of_two_store_exactly_two(
    retro, database, clock, deliver, slack, app_url
):
    ids = set_cap(retro, database, clock, deliver, "2")
    retro.press("retro.advance", "1:group", user="U0001")
    before = len(slack.responses())
    assert click_at_once(app_url, slack.response_url(), [f"1:{ids['named']}"] * 10) == [200] * 10
    with database.session() as s:
        stored = s.scalar(select(func.sum(RetroVote.count)).where(RetroVote.voter_id == VOTER))
    assert stored == 2
    answers = [r["text"] for r in slack.responses()[before:]]
    assert len(answers) == 10
    assert sorted(a for a in answers if a.startswith("Vote counted")) == [
        "Vote counted (only you see this). You have 1 vote left.",
        "Vote counted (only you see this). You have 2 votes left.",
    ]
    capped = [a for a in answers if a.startswith("You already put 2 votes on this item")]
    assert len(capped) == 8, answers
    assert all(a.endswith("Put your other 1 vote on other items.") for a in capped)
