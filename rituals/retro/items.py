"""Items and votes: adding, editing and deleting (anonymous ones by their secret), merging, dot voting.

An anonymous item keeps no author: its author proves ownership with a per-item secret that only
their modal's private metadata holds; the database keeps the secret's SHA-256 and nothing else.
Item ids are random and the items are rewritten in id order after each addition, so neither an id
nor where a row sits in storage tells when (so, after whose join) an item was added. docs/security.md
has the whole threat model.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.retro import phases, publish, service
from rituals.retro.ids import Block
from rituals.retro.models import Retro, RetroItem, RetroVote
from rituals.retro.queries import AdminCheck, load, new_item_id, require_facilitator

MAX_TEXT = 2000


@dataclass(frozen=True)
class Added:
    item: RetroItem
    secret: str | None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _clean(retro: Retro, column: str, text: str) -> tuple[str, str]:
    text = (text or "").strip()
    if not text:
        raise UserError("Write something first: the item is empty.", field=Block.TEXT)
    if len(text) > MAX_TEXT:
        raise UserError(f"Keep an item under {MAX_TEXT} characters (this one has {len(text)}).", field=Block.TEXT)
    if column not in {c["key"] for c in retro.columns}:
        raise UserError("Pick one of this retro's columns.", field=Block.COLUMN)
    return column, text


def add_item(
    s: Session, retro_id: int, *, team_id: str, author: str, column: str, text: str, anonymous: bool, now: datetime
) -> Added:
    retro = load(s, retro_id, "collect", team_id=team_id)
    column, text = _clean(retro, column, text)
    secret = secrets.token_urlsafe(24) if anonymous else None
    item = RetroItem(
        id=new_item_id(s),
        retro_id=retro.id,
        column_key=column,
        text=text,
        discussed=False,
        author_id=None if anonymous else author,
        secret_hash=hash_secret(secret) if secret else None,
    )
    s.add(item)
    s.flush()
    _reshelve(s, retro.id)
    publish.refresh_root(s, retro, now)
    return Added(item, secret)


def _reshelve(s: Session, retro_id: int) -> None:
    """Rewrite the collecting retro's items in (random) id order: a database keeps rows in the order
    they were written (PostgreSQL's heap, what a dump shows), which would otherwise be creation order."""
    table = cast(Table, RetroItem.__table__)
    rows = [dict(r._mapping) for r in s.execute(select(table).where(table.c.retro_id == retro_id).order_by(table.c.id))]
    s.execute(delete(table).where(table.c.retro_id == retro_id))
    s.execute(insert(table), rows)


def owned(s: Session, item_id: int, actor: str, secret: str | None, *, team_id: str) -> RetroItem:
    item = s.get(RetroItem, item_id)
    if item is None:
        raise UserError("That item was deleted.")
    load(s, item.retro_id, "collect", team_id=team_id)
    if item.author_id is not None:
        if item.author_id != actor:
            raise UserError("You can only change your own items.")
    elif not (secret and item.secret_hash and hmac.compare_digest(item.secret_hash, hash_secret(secret))):
        raise UserError("Only the author can change an anonymous item, from the window they added it in.")
    return item


def edit_item(
    s: Session, item_id: int, *, team_id: str, actor: str, secret: str | None, column: str, text: str, now: datetime
) -> RetroItem:
    item = owned(s, item_id, actor, secret, team_id=team_id)
    retro = s.get(Retro, item.retro_id)
    assert retro is not None
    item.column_key, item.text = _clean(retro, column, text)
    publish.refresh_root(s, retro, now)
    return item


def delete_item(s: Session, item_id: int, *, team_id: str, actor: str, secret: str | None, now: datetime) -> None:
    item = owned(s, item_id, actor, secret, team_id=team_id)
    retro = s.get(Retro, item.retro_id)
    assert retro is not None
    s.delete(item)
    s.flush()
    publish.refresh_root(s, retro, now)


def own_items(s: Session, retro_id: int, user_id: str) -> list[RetroItem]:
    return list(
        s.scalars(
            select(RetroItem)
            .where(RetroItem.retro_id == retro_id, RetroItem.author_id == user_id)
            .order_by(RetroItem.id)
        )
    )


def merge(
    s: Session,
    retro_id: int,
    item_ids: list[int],
    *,
    team_id: str,
    actor: str,
    is_admin: AdminCheck,
    now: datetime,
    title: str = "",
) -> RetroItem:
    """Merge items into one group; the lowest id becomes the group's lead (votes go to the lead). A title
    names the group (rituals.retro.groups renames it and splits items back out)."""
    retro = load(s, retro_id, "group", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "merge items")
    items = [s.get(RetroItem, i) for i in sorted(set(item_ids))]
    if len(items) < 2 or any(i is None or i.retro_id != retro.id for i in items):
        raise UserError("Pick at least two items of this retro to merge.", field=Block.ITEMS)
    leads = sorted({i.group_id or i.id for i in items if i is not None})
    lead_id = leads[0]
    for item in s.scalars(select(RetroItem).where(RetroItem.retro_id == retro.id)):
        if item.id in leads[1:] or item.group_id in leads[1:]:
            item.group_id = lead_id
        if item.id in item_ids and item.id != lead_id:
            item.group_id = lead_id
    lead = s.get(RetroItem, lead_id)
    assert lead is not None
    lead.title = " ".join(title.split())[:150] or lead.title
    s.flush()
    publish.post_groups(s, retro, now)
    publish.refresh_root(s, retro, now)  # the board shows the group (and its title)
    return lead


_ON_ITEM = case((RetroVote.item_id == bindparam("item_id"), RetroVote.count), else_=0)
# built once (composing a statement per click cost more than running it); values come with each execute
_DOTS = select(func.coalesce(func.sum(RetroVote.count), 0), func.coalesce(func.sum(_ON_ITEM), 0)).where(
    RetroVote.retro_id == bindparam("retro_id"), RetroVote.voter_id == bindparam("voter")
)
_FIRST_DOT = insert(cast(Table, RetroVote.__table__))


def dots_placed(s: Session, retro_id: int, item_id: int, voter: str) -> tuple[int, int]:
    """The voter's dots in the retro, and how many of them are on the item: one query."""
    used, here = s.execute(_DOTS, {"retro_id": retro_id, "item_id": item_id, "voter": voter}).one()
    return int(used or 0), int(here or 0)


def vote(s: Session, retro_id: int, item_id: int, *, team_id: str, voter: str, now: datetime) -> int:
    """Put one of the voter's dots on a group; returns how many they have left.

    Simultaneous clicks of one voter are serialized on their participant row (joined without a
    conflict, then locked), so the budget is counted after the previous click committed."""
    retro = load(s, retro_id, "vote", team_id=team_id)
    item = s.get(RetroItem, item_id)
    if item is None or item.retro_id != retro.id or item.group_id is not None:
        raise UserError("That item is not on this retro's ballot.")
    service.join_locked(s, retro, voter)
    used, on_item = dots_placed(s, retro.id, item.id, voter)
    if used >= retro.votes_per_person:
        raise UserError(
            f"You have used all {retro.votes_per_person} of your votes. "
            "Press *Take back my votes* on the ballot to vote differently."
        )
    phases.check_cap(retro, on_item, used)
    if on_item == 0:  # a vote row holds at least one dot (take back deletes rows)
        s.execute(_FIRST_DOT, {"retro_id": retro.id, "item_id": item.id, "voter_id": voter, "count": 1})
    else:
        mine = (RetroVote.item_id == item.id, RetroVote.voter_id == voter)
        s.execute(update(RetroVote).where(*mine).values(count=RetroVote.count + 1))
    return retro.votes_per_person - used - 1


def take_back_votes(s: Session, retro_id: int, *, team_id: str, voter: str) -> int:
    retro = load(s, retro_id, "vote", team_id=team_id)
    service.join_locked(s, retro, voter)
    s.execute(delete(RetroVote).where(RetroVote.retro_id == retro.id, RetroVote.voter_id == voter))
    return retro.votes_per_person
