"""Merged groups after the merge: the facilitator names a group (shown on the board, the ballot, the
discussion and the export) and splits items back out of it, while grouping or voting.

A group is its lead item plus the items whose `group_id` is the lead; the title lives on the lead.
Splitting changes only `group_id` (and the title's place): an item keeps its own author and secret, so
an anonymous item stays anonymous. Votes are cast on a group's lead and stay with the group: when the
lead itself is split out, the group's votes move to its new lead (the remaining item with the lowest
id); an item split out starts with none. A group left with one item loses its title.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from rituals.retro import publish, render
from rituals.retro.ids import Block
from rituals.retro.models import Retro, RetroItem, RetroVote
from rituals.retro.queries import AdminCheck, items_of, load, require_facilitator
from rituals.retro.render_groups import MAX_TITLE

PHASES = ("group", "vote")


def group_of(s: Session, retro: Retro, lead_id: int) -> list[RetroItem]:
    """The group led by `lead_id`, lead first; refused unless it is one of this retro's groups."""
    items = items_of(s, retro.id)
    lead = next((i for i in items if i.id == lead_id and i.group_id is None), None)
    if lead is None:
        raise UserError("That group is no longer on this retro's board: use the latest *Grouped* message.")
    return [lead, *(i for i in items if i.group_id == lead.id)]


def edit(
    s: Session,
    retro_id: int,
    lead_id: int,
    *,
    title: str,
    split_out: list[int],
    team_id: str,
    actor: str,
    is_admin: AdminCheck,
    now: datetime,
) -> list[RetroItem]:
    """Name the group (an empty title removes it) and split the chosen items out; returns the group's
    items afterwards, lead first (empty when every item was split out)."""
    retro = load(s, retro_id, *PHASES, team_id=team_id)
    require_facilitator(retro, actor, is_admin, "name or split groups")
    group = group_of(s, retro, lead_id)
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE:
        raise UserError(f"Keep a group's title under {MAX_TITLE} characters.", field=Block.GROUP_TITLE)
    ids = {i.id for i in group}
    if any(i not in ids for i in split_out):
        raise UserError("Pick items of this group to split out.", field=Block.SPLIT)
    staying = [i for i in group if i.id not in split_out]
    for item in group:
        item.group_id, item.title = None, None
    if staying:
        new_lead = min(staying, key=lambda i: i.id) if group[0] not in staying else group[0]
        for item in staying:
            item.group_id = None if item is new_lead else new_lead.id
        new_lead.title = (title or None) if len(staying) > 1 else None
        if new_lead.id != group[0].id:
            s.execute(update(RetroVote).where(RetroVote.item_id == group[0].id).values(item_id=new_lead.id))
        staying = [new_lead, *(i for i in staying if i is not new_lead)]
    elif title:
        raise UserError("Every item was split out: there is no group left to name.", field=Block.GROUP_TITLE)
    s.flush()
    _show(s, retro, now)
    return staying


def _show(s: Session, retro: Retro, now: datetime) -> None:
    """The thread's *Grouped* post, the root, and while voting the ballot, as they stand now."""
    publish.post_groups(s, retro, now)
    if retro.phase == "vote":
        ballot = outbox.find_by_ref(s, f"retro:{retro.id}:ballot")
        if ballot is not None:
            text, blocks = render.ballot(publish.snapshot(s, retro))
            outbox.update(s, ballot, text=text, blocks=blocks, now=now)
    publish.refresh_root(s, retro, now)
