"""Retro modals as view dicts: add/edit an item, the anonymous author's private view, merge, action, settings."""

from __future__ import annotations

import json
from typing import Any

from bot import blocks as bk
from bot.text import escape, mrkdwn, plain
from rituals.retro.ids import Action, Block, Option, View
from rituals.retro.models import Retro, RetroItem
from rituals.retro.snapshot import Snapshot

DEADLINE_CHOICES = [
    ("0", "No deadline"),
    ("1", "in 1 hour"),
    ("2", "in 2 hours"),
    ("4", "in 4 hours"),
    ("8", "in 8 hours"),
    ("24", "in 24 hours"),
    ("48", "in 2 days"),
    ("72", "in 3 days"),
]


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {**bk.plain_text(text, limit), "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value}


def _modal(
    callback_id: str, title: str, blocks: list[dict[str, Any]], metadata: dict[str, Any], submit: str | None = "Save"
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, 24),
        "close": _plain("Close"),
        "blocks": blocks,
        "private_metadata": json.dumps(metadata),
    }
    if submit:
        view["submit"] = _plain(submit)
    return view


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}


def _columns(retro: Retro, selected: str | None) -> dict[str, Any]:
    options = [_option(c["key"], c["label"]) for c in retro.columns]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    chosen = next((o for o in options if o["value"] == selected), options[0])
    element["initial_option"] = chosen
    return element


def _text(initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 2000}
    if initial:
        element["initial_value"] = plain(initial)
    return element


def add_item(retro: Retro) -> dict[str, Any]:
    anonymous = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [
            _option(Option.ANONYMOUS, "Post anonymously (nobody, not even the bot's database, will know it was you)")
        ],
    }
    return _modal(
        View.ADD_ITEM,
        "Add an item",
        [
            _input(Block.COLUMN, "Column", _columns(retro, None)),
            _input(Block.TEXT, "Your item", _text()),
            _input(Block.ANONYMOUS, "Anonymity", anonymous, optional=True),
        ],
        {"retro": retro.id},
        submit="Add",
    )


def edit_item(retro: Retro, item: RetroItem, secret: str | None) -> dict[str, Any]:
    return _modal(
        View.EDIT_ITEM,
        "Edit your item",
        [
            _input(Block.COLUMN, "Column", _columns(retro, item.column_key)),
            _input(Block.TEXT, "Your item", _text(item.text)),
        ],
        {"retro": retro.id, "item": item.id, "secret": secret},
    )


def anonymous_added(retro: Retro, item: RetroItem, secret: str, note: str = "Added anonymously.") -> dict[str, Any]:
    """Shown only to the author: the secret lives in this view's private metadata, nowhere else."""
    meta = {"retro": retro.id, "item": item.id, "secret": secret}
    return _modal(
        View.ANONYMOUS_ITEM,
        "Your anonymous item",
        [
            bk.section(f"*{note}*\n> {mrkdwn(item.text, limit=2800)}"),
            bk.context(
                "Only this window can change it: the bot stores no link between you and the item. "
                "Once you close it, the item can no longer be edited or deleted."
            ),
            bk.actions(
                bk.button("Edit", Action.EDIT_ITEM, str(item.id)),
                bk.button("Delete", Action.DELETE_ITEM, str(item.id), style="danger"),
            ),
        ],
        meta,
        submit=None,
    )


def gone(title: str, text: str) -> dict[str, Any]:
    return _modal(View.DONE, title, [bk.section(text)], {}, submit=None)


def my_items(retro: Retro, items: list[RetroItem]) -> dict[str, Any]:
    labels = {c["key"]: c["label"] for c in retro.columns}
    body: list[dict[str, Any]] = []
    for item in items[:40]:
        body.append(bk.section(f"_{escape(labels.get(item.column_key, ''))}_ · {mrkdwn(item.text, limit=2800)}"))
        body.append(
            bk.actions(
                bk.button("Edit", Action.EDIT_ITEM, str(item.id)),
                bk.button("Delete", Action.DELETE_ITEM, str(item.id), style="danger"),
            )
        )
    if not items:
        body.append(bk.section("You have no named items in this retro yet."))
    body.append(bk.context("Anonymous items are not listed: only the window you added one in can change it."))
    return _modal(View.MY_ITEMS, "My items", body, {"retro": retro.id}, submit=None)


def merge(snap: Snapshot) -> dict[str, Any]:
    labels = {c.key: c.label for c in snap.columns}
    options = [_option(str(g.id), f"{labels[g.column]}: {g.full_text}") for g in snap.groups][:100]
    element = {
        "type": "multi_static_select",
        "action_id": "value",
        "options": options,
        "placeholder": _plain("Pick the items that say the same thing"),
    }
    return _modal(
        View.MERGE,
        "Merge items",
        [
            _input(Block.ITEMS, "Items to merge into one group", element),
            _input(
                Block.GROUP_TITLE,
                "Group title (optional; shown on the board and in the export)",
                {"type": "plain_text_input", "action_id": "value", "max_length": 150},
                optional=True,
            ),
        ],
        {"retro": snap.retro.id},
        submit="Merge",
    )


def add_action(retro: Retro, item_id: int, owner: str) -> dict[str, Any]:
    return _modal(
        View.ACTION,
        "Add an action item",
        [
            _input(Block.OWNER, "Owner", {"type": "users_select", "action_id": "value", "initial_user": owner}),
            _input(Block.TEXT, "What will be done", _text()),
            _input(Block.DUE, "Due date", {"type": "datepicker", "action_id": "value"}, optional=True),
        ],
        {"retro": retro.id, "item": item_id},
        submit="Add",
    )


def settings(retro: Retro) -> dict[str, Any]:
    visible = _option(Option.VISIBLE, "Show items while collecting")
    checkbox: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": [visible]}
    if retro.visible_while_collecting:
        checkbox["initial_options"] = [visible]
    deadline = {
        "type": "static_select",
        "action_id": "value",
        "options": [_option(v, label) for v, label in DEADLINE_CHOICES],
    }
    blocks = [
        _input(
            Block.VOTES,
            "Votes per person",
            {"type": "plain_text_input", "action_id": "value", "initial_value": str(retro.votes_per_person)},
        ),
        _input(Block.VISIBLE, "Visibility", checkbox, optional=True),
    ]
    if retro.phase == "collect":
        blocks.append(_input(Block.DEADLINE, "Collection deadline (then items are revealed)", deadline, optional=True))
    return _modal(View.SETTINGS, "Retro settings", blocks, {"retro": retro.id})
