"""Items and votes: adding, editing and deleting (anonymous ones by their secret), merging, dot voting.

An anonymous item keeps no author: its author proves ownership with a per-item secret that only
their modal's private metadata holds; the database keeps the secret's SHA-256 and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.retro import publish, service
from rituals.retro.ids import Block
from rituals.retro.models import Retro, RetroItem, RetroVote
from rituals.retro.queries import AdminCheck, load, require_facilitator

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
    s: Session, retro_id: int, *, author: str, column: str, text: str, anonymous: bool, now: datetime
) -> Added:
    retro = load(s, retro_id, "collect")
    column, text = _clean(retro, column, text)
    secret = secrets.token_urlsafe(24) if anonymous else None
    item = RetroItem(
        retro_id=retro.id,
        column_key=column,
        text=text,
        discussed=False,
        author_id=None if anonymous else author,
        secret_hash=hash_secret(secret) if secret else None,
    )
    s.add(item)
    s.flush()
    publish.refresh_root(s, retro, now)
    return Added(item, secret)


def owned(s: Session, item_id: int, actor: str, secret: str | None) -> RetroItem:
    item = s.get(RetroItem, item_id)
    if item is None:
        raise UserError("That item was deleted.")
    load(s, item.retro_id, "collect")
    if item.author_id is not None:
        if item.author_id != actor:
            raise UserError("You can only change your own items.")
    elif not (secret and item.secret_hash and hmac.compare_digest(item.secret_hash, hash_secret(secret))):
        raise UserError("Only the author can change an anonymous item, from the window they added it in.")
    return item


def edit_item(
    s: Session, item_id: int, *, actor: str, secret: str | None, column: str, text: str, now: datetime
) -> RetroItem:
    item = owned(s, item_id, actor, secret)
    retro = s.get(Retro, item.retro_id)
    assert retro is not None
    item.column_key, item.text = _clean(retro, column, text)
    publish.refresh_root(s, retro, now)
    return item


def delete_item(s: Session, item_id: int, *, actor: str, secret: str | None, now: datetime) -> None:
    item = owned(s, item_id, actor, secret)
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
    s: Session, retro_id: int, item_ids: list[int], *, actor: str, is_admin: AdminCheck, now: datetime
) -> RetroItem:
    """Merge items into one group; the earliest becomes the group's lead (votes go to the lead)."""
    retro = load(s, retro_id, "group")
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
    s.flush()
    publish.post_groups(s, retro, now)
    lead = s.get(RetroItem, lead_id)
    assert lead is not None
    return lead


def votes_used(s: Session, retro_id: int, voter: str) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(RetroVote.count), 0)).where(
                RetroVote.retro_id == retro_id, RetroVote.voter_id == voter
            )
        )
        or 0
    )


def vote(s: Session, retro_id: int, item_id: int, *, voter: str, now: datetime) -> int:
    """Put one of the voter's dots on a group; returns how many they have left."""
    retro = load(s, retro_id, "vote")
    item = s.get(RetroItem, item_id)
    if item is None or item.retro_id != retro.id or item.group_id is not None:
        raise UserError("That item is not on this retro's ballot.")
    used = votes_used(s, retro.id, voter)
    if used >= retro.votes_per_person:
        raise UserError(
            f"You have used all {retro.votes_per_person} of your votes. "
            "Press *Take back my votes* on the ballot to vote differently."
        )
    joined = service.join(s, retro, voter)
    row = s.scalars(select(RetroVote).where(RetroVote.item_id == item.id, RetroVote.voter_id == voter)).first()
    if row is None:
        s.add(RetroVote(retro_id=retro.id, item_id=item.id, voter_id=voter, count=1))
    else:
        row.count += 1
    s.flush()
    if joined:
        publish.refresh_root(s, retro, now)
    return retro.votes_per_person - used - 1


def take_back_votes(s: Session, retro_id: int, *, voter: str) -> int:
    retro = load(s, retro_id, "vote")
    s.execute(delete(RetroVote).where(RetroVote.retro_id == retro.id, RetroVote.voter_id == voter))
    return retro.votes_per_person
