"""A whole retro through the signed endpoint: 4 people, anonymous and named items, grouping, voting with
limits, discussion with actions, close with DMs, and the next retro's review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.blocks import blocks_to_text
from rituals.retro.models import RetroAction, RetroItem, RetroVote
from tests.retro.driver import CHANNEL, buttons, checked, text_input
from tests.retro.driver import select as choose

ADA, GRACE, RAVI, LINUS = "U0001", "U0002", "U0003", "U0004"


def add(retro, user, column, text, *, anonymous=False):
    retro.press("retro.add_item", "1", user=user)
    view = retro.last_opened_view()
    values = {"column": choose(column), "text": text_input(text)}
    if anonymous:
        values["anonymous"] = checked("anonymous")
    return retro.submit(view, values, user)


def test_whole_retro_from_start_to_the_next_retros_review(retro, slack, database, clock):
    answer = retro.command("start ssc Sprint 47", user=ADA)
    assert answer["response_type"] == "ephemeral" and "you facilitate" in answer["text"]
    root = retro.root_now(1)
    assert root["channel"] == CHANNEL and "thread_ts" not in root
    assert "Retro: Sprint 47" in blocks_to_text(root["blocks"])
    assert "Start / Stop / Continue" in blocks_to_text(root["blocks"]) and "<@U0001>" in root["text"]
    assert retro.thread(1) == [], "a first retro has nothing to review"

    # collect: two named and two anonymous items; the board shows counts only
    add(retro, GRACE, "start", "Pair on the data loaders")
    anonymous = add(retro, RAVI, "stop", "Merging without review", anonymous=True)
    assert anonymous["response_action"] == "update"
    assert "Merging without review" in str(anonymous["view"]["blocks"])
    add(retro, LINUS, "stop", "Skipping code review on hotfixes", anonymous=True)
    add(retro, ADA, "continue", "Weekly demos")
    add(retro, GRACE, "continue", "Demo Fridays")
    assert retro.forms() == ["retro.add_item_modal"] * 5, "each opened loading, then shown by views.update"
    board = retro.root_text(1)
    assert "*Start*\n1 item" in board and "*Stop*\n2 items" in board and "*Continue*\n2 items" in board
    assert "4 participants" in board
    assert "Merging" not in board and "Weekly demos" not in board, "items stay hidden while collecting"

    # only the facilitator reveals
    calls = retro.web_calls()
    retro.press("retro.advance", "1:collect", user=GRACE)
    assert "Only the facilitator (<@U0001>)" in retro.ephemeral()
    assert retro.web_calls() == calls + 1  # the admin lookup (users.info) only
    retro.press("retro.advance", "1:collect", user=ADA)
    reveal = blocks_to_text(retro.thread(1)[0]["blocks"])
    assert "Pair on the data loaders — <@U0002>" in reveal
    assert "Merging without review — anonymous" in reveal
    assert "Skipping code review on hotfixes — anonymous" in reveal
    assert "U0003" not in reveal and "U0004" not in reveal

    # group: merge the two "stop" items
    retro.press("retro.merge", "1", user=ADA)
    merge_view = retro.last_opened_view()
    options = merge_view["blocks"][0]["element"]["options"]
    stop_ids = [o["value"] for o in options if o["text"]["text"].startswith("Stop:")]
    assert len(stop_ids) == 2
    assert (
        retro.submit(
            merge_view,
            {"items": {"value": {"type": "multi_static_select", "selected_options": [{"value": v} for v in stop_ids]}}},
            ADA,
        )
        == {}
    )
    grouped = blocks_to_text(retro.thread(1)[-1]["blocks"])
    # items are shown in a random order (not creation order), so the group's lead is either of the two
    merged = next(line[2:] for line in grouped.splitlines() if " + " in line)
    assert sorted(merged.split(" + ")) == ["Merging without review", "Skipping code review on hotfixes"]

    # vote: 3 each, several on one item allowed, the 4th refused; tallies hidden
    retro.press("retro.advance", "1:group", user=ADA)
    ballot = retro.thread(1)[-1]
    votes = {b["value"]: b for b in buttons(ballot["blocks"], "retro.vote")}
    assert len(votes) == 4, "the merged pair is one ballot line"
    by_text = {
        blocks_to_text([blk]).split(" · ", 1)[1].split("\n")[0]: blk["accessory"]["value"]
        for blk in ballot["blocks"]
        if blk.get("accessory", {}).get("action_id") == "retro.vote"
    }
    stop = by_text[merged]
    demos, loaders = by_text["Weekly demos"], by_text["Pair on the data loaders"]
    for left in (2, 1, 0):
        retro.press("retro.vote", stop, user=GRACE)
        assert f"You have {left} vote" in retro.ephemeral()
    retro.press("retro.vote", demos, user=GRACE)
    assert "used all 3 of your votes" in retro.ephemeral()
    for value in (demos, demos, loaders):
        retro.press("retro.vote", value, user=RAVI)
    retro.press("retro.vote", stop, user=LINUS)
    retro.press("retro.vote", demos, user=ADA)
    assert retro.updates_of(retro.ts_of("retro:1:ballot")) == [], "votes stay hidden while voting"
    assert "vote" not in retro.root_text(1).split("Vote in the thread")[0].lower().replace("votes each", "")

    retro.press("retro.advance", "1:vote", user=ADA)
    results = blocks_to_text(retro.thread(1)[-2]["blocks"])
    assert f"1. {merged} — *4* votes" in results
    assert "2. Weekly demos — *3* votes" in results and "3. Pair on the data loaders — *1* vote" in results
    assert "Demo Fridays" not in results, "unvoted items are not discussed"
    first = retro.thread(1)[-1]
    assert "*1/3* · 4 votes" in blocks_to_text(first["blocks"])

    # discuss: actions and Next
    add_action = buttons(first["blocks"], "retro.add_action")[0]["value"]
    retro.press("retro.add_action", add_action, user=RAVI)
    action_view = retro.last_opened_view()
    assert (
        retro.submit(
            action_view,
            {
                "owner": {"value": {"type": "users_select", "selected_user": LINUS}},
                "text": text_input("Add a required-review rule"),
                "due": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}},
            },
            RAVI,
        )
        == {}
    )
    assert retro.thread(1)[-1]["text"] == (
        ":white_check_mark: Action: Add a required-review rule — <@U0004>, due 2026-12-01"
    )
    next_value = buttons(first["blocks"], "retro.next")[0]["value"]
    posts = len(slack.posted())
    retro.press("retro.next", next_value, user=GRACE)
    assert "Only the facilitator" in retro.ephemeral() and len(slack.posted()) == posts
    retro.press("retro.next", next_value, user=ADA)
    second = retro.thread(1)[-1]
    assert "*2/3* · 3 votes\n> Weekly demos" in blocks_to_text(second["blocks"])
    retro.press("retro.next", next_value, user=ADA)
    assert "already moved past" in retro.ephemeral(), "a double click does not skip an item"
    retro.press("retro.add_action", buttons(second["blocks"], "retro.add_action")[0]["value"], user=GRACE)
    retro.submit(
        retro.last_opened_view(),
        {
            "owner": {"value": {"type": "users_select", "selected_user": GRACE}},
            "text": text_input("Rotate the demo host"),
            "due": {"value": {"type": "datepicker", "selected_date": None}},
        },
        GRACE,
    )

    # close: summary in the root, DMs to owners
    retro.press("retro.close", "1", user=ADA)
    summary = retro.root_text(1)
    assert "*Closed.* 5 items from 4 participants, 8 votes." in summary
    assert f"*Stop* (1)\n• {merged} — 4 votes" in summary
    assert "• Pair on the data loaders — 1 vote _(carries over)_" in summary
    assert "• Add a required-review rule — <@U0004>, due 2026-12-01" in summary
    assert "• Rotate the demo host — <@U0002>" in summary
    assert buttons(retro.root_now(1)["blocks"], "retro.advance") == []
    dms = {p["channel"]: p["text"] for p in slack.posted() if p["channel"] in (LINUS, GRACE)}
    assert "Add a required-review rule (due 2026-12-01)" in dms[LINUS] and "Sprint 47" in dms[LINUS]
    assert "Rotate the demo host" in dms[GRACE]

    # a stale vote from the closed retro changes nothing
    with database.session() as s:
        votes_before = s.scalar(select(func.sum(RetroVote.count)))
    retro.press("retro.vote", demos, user=LINUS)
    assert "closed" in retro.ephemeral()
    with database.session() as s:
        assert s.scalar(select(func.sum(RetroVote.count))) == votes_before == 8

    # the next retro: review of open actions first in the thread, undiscussed items carried over
    clock.advance(timedelta(days=14))
    retro.command("start Sprint 48", user=GRACE)
    review = retro.thread(2)[0]
    text = blocks_to_text(review["blocks"])
    assert text.startswith("*Review of last actions*")
    assert "Add a required-review rule — <@U0004>, due 2026-12-01 · from “Sprint 47” · *open*" in text
    assert "Rotate the demo host — <@U0002>" in text
    assert "Pair on the data loaders" in text and "Demo Fridays" in text
    assert "Weekly demos" not in text, "discussed items do not carry over"
    done = [b["value"] for b in buttons(review["blocks"], "retro.review.done")]
    assert all(v.endswith(":done") for v in done)
    retro.press("retro.review.done", done[0], user=LINUS)
    assert "Add a required-review rule — <@U0004>, due 2026-12-01 · from “Sprint 47” · *done*" in blocks_to_text(
        retro.updates_of(retro.ts_of("retro:2:review"))[-1]["blocks"]
    )
    with database.session() as s:
        statuses = dict(s.execute(select(RetroAction.text, RetroAction.status)).all())
        assert statuses == {"Add a required-review rule": "done", "Rotate the demo host": "open"}
        carried = s.scalars(select(RetroItem.text).where(RetroItem.retro_id == 2)).all()
        assert carried == ["Pair on the data loaders"], "only improvement items carry over by default (bug 7)"
    # "Continue" is not an improvement column: Demo Fridays waits in the parking lot until Grace carries it
    [park] = buttons(review["blocks"], "retro.carry")
    retro.press("retro.carry", park["value"], user=GRACE)
    with database.session() as s:
        carried = s.scalars(select(RetroItem.text).where(RetroItem.retro_id == 2)).all()
        assert sorted(carried) == ["Demo Fridays", "Pair on the data loaders"]
    board = retro.root_text(2)
    # Start/Stop/Continue items under a What went well board: their own column, not the first one (issue 21)
    assert "*Went well*\n0 items" in board and "*Carried over*\n2 items" in board
