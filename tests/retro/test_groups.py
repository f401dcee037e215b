"""Issue 21: the facilitator names a merged group (board, ballot, export) and splits items back out of it;
an anonymous item stays anonymous, and the group's votes stay with the group (its new lead)."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import blocks_to_text
from rituals.retro import items
from rituals.retro.models import RetroItem, RetroVote
from tests.retro.driver import buttons, text_input
from tests.retro.seed import seed

ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def multi(*values: int) -> dict:
    return {"value": {"type": "multi_static_select", "selected_options": [{"value": str(v)} for v in values]}}


def _three_items_grouping(retro, database, clock, deliver) -> dict[str, int]:
    ids = seed(database, clock, deliver, "collect")  # "Fast CI" by U0002, "Flaky evals" anonymous
    with database.session() as s:
        ids["second"] = items.add_item(
            s, ids["retro"], team_id="T0001", author="U0004", column="to_improve", text="Evals time out",
            anonymous=True, now=clock.now(),
        ).item.id  # fmt: skip
    retro.press("retro.advance", "1:collect", user=ADA)
    retro.press("retro.merge", "1", user=ADA)
    retro.submit(retro.last_opened_view(), {"items": multi(ids["named"], ids["anonymous"], ids["second"])}, ADA)
    return ids


def _edit_button(retro) -> str:
    """The *Edit group* button of the latest *Grouped* post."""
    grouped = [m for m in retro.thread(1) if m["text"] == "Items after merging"]
    [edit] = buttons(grouped[-1]["blocks"], "retro.edit_group")
    return edit["value"]


def _authors(database) -> dict[str, tuple[str | None, str | None, int | None]]:
    with database.session() as s:
        return {i.text: (i.author_id, i.secret_hash, i.group_id) for i in s.scalars(select(RetroItem))}


def test_facilitator_names_a_group_shown_on_board_ballot_and_export(retro, database, clock, deliver):
    _three_items_grouping(retro, database, clock, deliver)
    retro.press("retro.edit_group", _edit_button(retro), user=ADA)
    view = retro.last_opened_view()
    options = [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]]
    assert sorted(options) == ["Evals time out", "Fast CI", "Flaky evals"]
    assert not any(u in str(view) for u in ("U0002", "U0003", "U0004")), "the modal names no author"
    retro.submit(view, {"group_title": text_input("Eval pain")}, ADA)

    assert "Eval pain: " in retro.root_text(1)
    grouped = blocks_to_text(retro.thread(1)[-1]["blocks"])
    assert "• Eval pain: " in grouped and "Fast CI" in grouped

    retro.press("retro.advance", "1:group", user=ADA)
    ballot = blocks_to_text(retro.thread(1)[-1]["blocks"])
    assert "Eval pain: " in ballot
    exported = retro.command("export 1")["text"]
    line = next(x for x in exported.splitlines() if "Eval pain" in x)
    assert "<@" not in line, "a group names no author: its anonymous items would seem to be the lead's"


def test_splitting_keeps_anonymity_and_the_groups_votes_move_to_its_new_lead(retro, database, clock, deliver):
    ids = _three_items_grouping(retro, database, clock, deliver)
    before = _authors(database)
    lead = int(_edit_button(retro).split(":")[1])
    retro.press("retro.edit_group", _edit_button(retro), user=ADA)
    retro.submit(retro.last_opened_view(), {"group_title": text_input("Eval pain")}, ADA)
    retro.press("retro.advance", "1:group", user=ADA)
    ballot = retro.thread(1)[-1]
    [group_vote] = [b["value"] for b in buttons(ballot["blocks"], "retro.vote") if b["value"].endswith(f":{lead}")]
    for _ in range(2):
        retro.press("retro.vote", group_vote, user=GRACE)

    # split the lead itself out while voting: the group (two items left) keeps its two votes
    retro.press("retro.edit_group", _edit_button(retro), user=ADA)
    retro.submit(retro.last_opened_view(), {"group_title": text_input("Eval pain"), "split": multi(lead)}, ADA)
    after = _authors(database)
    staying = sorted(set(ids.values()) - {ids["retro"], lead})
    new_lead = min(staying)
    with database.session() as s:
        votes = {v.item_id: v.count for v in s.scalars(select(RetroVote))}
        titles = {i.id: i.title for i in s.scalars(select(RetroItem))}
    assert votes == {new_lead: 2}, "the group's votes went with the group, none with the item split out"
    assert titles[new_lead] == "Eval pain" and titles[lead] is None
    for text, (author, digest, _) in before.items():
        assert after[text][:2] == (author, digest), "an item keeps its own author and secret"
    assert after["Flaky evals"][0] is None and after["Evals time out"][0] is None, "anonymous stays anonymous"
    assert {after[t][2] for t in after} == {None, new_lead}

    ballot_now = retro.updates_of(retro.ts_of("retro:1:ballot"))[-1]
    assert len(buttons(ballot_now["blocks"], "retro.vote")) == 2, "the ballot shows the split item on its own"
    exported = retro.command("export 1")["text"]
    lines = exported.splitlines()
    split_text = next(t for t in after if _id_of(database, t) == lead)
    expected = "- Fast CI — <@U0002>" if split_text == "Fast CI" else f"- {split_text}"
    assert expected in lines, "the item split out stands alone, with its own author or none"
    group_line = next(x for x in lines if x.startswith("- Eval pain: "))
    assert "<@" not in group_line
    assert not any(("Flaky evals" in x or "Evals time out" in x) and "<@" in x for x in lines)


def test_only_the_facilitator_edits_groups_and_a_title_needs_a_group(retro, database, clock, deliver, slack):
    _three_items_grouping(retro, database, clock, deliver)
    value = _edit_button(retro)
    retro.press("retro.edit_group", value, user=GRACE)
    assert "Only the facilitator" in retro.refused_in_modal()
    retro.press("retro.edit_group", value, user=ADA)
    view = retro.last_opened_view()
    every = [int(o["value"]) for o in view["blocks"][1]["element"]["options"]]
    answer = retro.submit(view, {"group_title": text_input("Orphan"), "split": multi(*every)}, ADA)
    assert answer["response_action"] == "errors" and "group_title" in answer["errors"]
    answer = retro.submit(view, {"split": multi(*every)}, ADA)
    assert _edit_button_count(retro) == 0, "every item stands alone again"


def _id_of(database, text: str) -> int:
    with database.session() as s:
        return s.scalars(select(RetroItem.id).where(RetroItem.text == text)).one()


def _edit_button_count(retro) -> int:
    return len(buttons(retro.thread(1)[-1]["blocks"], "retro.edit_group"))


def test_the_merge_form_names_the_group_it_makes(retro, database, clock, deliver):
    ids = seed(database, clock, deliver, "group")
    retro.press("retro.merge", "1", user=ADA)
    view = retro.last_opened_view()
    retro.submit(
        view, {"items": multi(ids["named"], ids["anonymous"]), "group_title": text_input(" CI  and evals ")}, ADA
    )
    assert "• CI and evals: " in blocks_to_text(retro.thread(1)[-1]["blocks"])
    assert "CI and evals: " in retro.root_text(1)
