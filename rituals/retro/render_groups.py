"""The *Grouped* thread post (each merged group with its *Edit group* button) and the edit-group modal."""

from __future__ import annotations

from typing import Any

from bot import blocks as bk
from bot.blocks import Blocks
from bot.text import escape, mrkdwn
from rituals.retro.ids import Action, Block, View
from rituals.retro.modals import _input, _modal, _option, _plain
from rituals.retro.models import Retro, RetroItem
from rituals.retro.snapshot import Snapshot

MAX_TITLE = 150


def groups(snap: Snapshot) -> tuple[str, Blocks]:
    """Every column's groups; a merged group gets *Edit group* (name it, split items back out)."""
    out: Blocks = [
        bk.section(
            "*Grouped.* The items now stand as below. The facilitator can name a group or split items back "
            "out of it with *Edit group*."
        )
    ]
    for column in snap.columns:
        out.append(bk.section(f"*{escape(column.label)}*" + ("" if column.items else "\n_(nothing)_")))
        for group in column.items:
            edit = bk.button("Edit group", Action.EDIT_GROUP, f"{snap.retro.id}:{group.id}") if group.members else None
            out.append(bk.section(f"• {mrkdwn(group.full_text)}", accessory=edit))
    return "Items after merging", out[:50]


def edit_modal(retro: Retro, group: list[RetroItem]) -> dict[str, Any]:
    """Title (prefilled) and the group's items to split out; texts only, never who wrote them."""
    lead = group[0]
    title: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": MAX_TITLE}
    if lead.title:
        title["initial_value"] = lead.title
    split = {
        "type": "multi_static_select",
        "action_id": "value",
        "options": [_option(str(i.id), i.text) for i in group][:100],
        "placeholder": _plain("Items to take out of the group"),
    }
    return _modal(
        View.EDIT_GROUP,
        "Edit group",
        [
            _input(Block.GROUP_TITLE, "Group title (shown on the board and in the export)", title, optional=True),
            _input(Block.SPLIT, "Split these back out", split, optional=True),
            bk.context("Votes stay with the group; an item split out starts with none."),
        ],
        {"retro": retro.id, "group": lead.id},
    )
