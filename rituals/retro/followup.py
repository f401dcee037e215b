"""Follow-up: action items, the owners' DMs, carrying undiscussed items over, and the next retro's review."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.retro import publish
from rituals.retro.boards import is_improvement
from rituals.retro.ids import Block
from rituals.retro.models import Retro, RetroAction, RetroItem
from rituals.retro.queries import AdminCheck, actions_of, items_of, load, new_item_id, require_facilitator

CARRIED_COLUMN = {"key": "carried_over", "label": "Carried over"}
REVIEW_STATUSES = {"done": "done", "open": "open", "drop": "dropped"}


def add_action(
    s: Session,
    retro_id: int,
    *,
    team_id: str,
    item_id: int | None,
    owner: str,
    text: str,
    due_on: date | None,
    actor: str,
    now: datetime,
) -> RetroAction:
    retro = load(s, retro_id, "discuss", team_id=team_id)
    text = (text or "").strip()
    if not text:
        raise UserError("Describe the action: what will be done?", field=Block.TEXT)
    if not owner:
        raise UserError("Pick an owner for the action.", field=Block.OWNER)
    if due_on is not None and due_on < now.date():
        raise UserError("The due date is in the past; pick today or later.", field=Block.DUE)
    if item_id is not None:
        item = s.get(RetroItem, item_id)
        if item is None or item.retro_id != retro.id:
            raise UserError("That item is not part of this retro.")
    action = RetroAction(
        retro_id=retro.id,
        item_id=item_id,
        owner_id=owner,
        text=text[:2000],
        due_on=due_on,
        status="open",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    s.add(action)
    s.flush()
    publish.post_action(s, retro, action, now)
    publish.refresh_root(s, retro, now)
    return action


def open_actions(s: Session, team_id: str, channel_id: str | None = None) -> list[tuple[Retro, RetroAction]]:
    query = (
        select(Retro, RetroAction)
        .join(RetroAction, RetroAction.retro_id == Retro.id)
        .where(Retro.team_id == team_id, RetroAction.status == "open", Retro.phase == "closed")
        .order_by(RetroAction.id)
    )
    if channel_id:
        query = query.where(Retro.channel_id == channel_id)
    return [(r, a) for r, a in s.execute(query).all()]


def notify_owners(s: Session, retro: Retro, now: datetime) -> None:
    by_owner: dict[str, list[RetroAction]] = {}
    for action in actions_of(s, retro.id):
        by_owner.setdefault(action.owner_id, []).append(action)
    for owner, actions in sorted(by_owner.items()):
        publish.post_owner_dm(s, retro, owner, actions, now)


def carry_over(s: Session, retro: Retro, previous: Retro | None) -> list[RetroItem]:
    """Copy the previous retro's undiscussed improvement groups into the new retro (the review lists them);
    the rest waits in the review's parking lot for the facilitator to carry over."""
    if previous is None:
        return []
    items = items_of(s, previous.id)
    carried = [_carry(s, retro, lead, items) for lead in left_over(items) if is_improvement(lead.column_key)]
    s.flush()
    return carried


def left_over(items: list[RetroItem]) -> list[RetroItem]:
    """The leads of the groups a closed retro did not discuss."""
    return [i for i in items if i.group_id is None and not i.discussed]


def parking_lot(s: Session, retro: Retro) -> list[RetroItem]:
    """The previous retro's undiscussed groups that are not (or no longer) on this retro's board."""
    if retro.previous_id is None:
        return []
    on_board = set(s.scalars(select(RetroItem.carried_from_id).where(RetroItem.retro_id == retro.id)))
    return [i for i in left_over(items_of(s, retro.previous_id)) if i.id not in on_board]


def _carry(s: Session, retro: Retro, lead: RetroItem, items: list[RetroItem]) -> RetroItem:
    columns = {c["key"] for c in retro.columns}
    if lead.column_key not in columns and CARRIED_COLUMN["key"] not in columns:
        retro.columns = [*retro.columns, CARRIED_COLUMN]  # another template: keep them apart, not in its first column
    group = [lead] + [i for i in items if i.group_id == lead.id]
    authors = {i.author_id for i in group}
    item = RetroItem(
        id=new_item_id(s),
        retro_id=retro.id,
        column_key=lead.column_key if lead.column_key in columns else CARRIED_COLUMN["key"],
        text=" / ".join(i.text for i in group)[:2000],
        # one named author keeps their item; a group with an anonymous item or several authors is
        # nobody's, so no one can edit (or learn they own) an anonymous text by carrying it over
        author_id=lead.author_id if len(authors) == 1 else None,
        secret_hash=None,
        discussed=False,
        carried_from_id=lead.id,
    )
    s.add(item)
    return item


def park(
    s: Session, retro_id: int, lead_id: int, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime
) -> RetroItem:
    """The facilitator carries a left-behind group of the previous retro onto this board (the parking lot)."""
    retro = load(s, retro_id, "collect", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "carry an item over")
    lead = s.get(RetroItem, lead_id)
    if lead is None or retro.previous_id is None or lead.retro_id != retro.previous_id:
        raise UserError("That item is not left over from this channel's last retro.")
    if lead.id not in {i.id for i in parking_lot(s, retro)}:
        raise UserError("That item is already on this board (or was discussed last time).")
    item = _carry(s, retro, lead, items_of(s, retro.previous_id))
    s.flush()
    refresh_review(s, retro, now)
    publish.refresh_root(s, retro, now)
    return item


def post_review(s: Session, retro: Retro, now: datetime, carried: list[RetroItem]) -> None:
    pending = [a for _, a in open_actions(s, retro.team_id, retro.channel_id)]
    if pending or carried or parking_lot(s, retro):
        publish.post_review(s, retro, pending, carried, parking_lot(s, retro), now)


def review_action(
    s: Session,
    retro_id: int,
    action_id: int,
    verdict: str,
    *,
    team_id: str,
    actor: str,
    is_admin: AdminCheck,
    now: datetime,
) -> RetroAction:
    retro = load(s, retro_id, team_id=team_id)
    action = s.get(RetroAction, action_id)
    source = s.get(Retro, action.retro_id) if action else None
    if (
        action is None
        or source is None
        or (source.team_id, source.channel_id) != (retro.team_id, retro.channel_id)
        or verdict not in REVIEW_STATUSES
    ):
        raise UserError("That action item is not part of this channel's review.")
    if actor not in (action.owner_id, retro.facilitator_id) and not is_admin():
        raise UserError(f"Only the action's owner (<@{action.owner_id}>) or the facilitator can update it.")
    action.status, action.updated_at = REVIEW_STATUSES[verdict], now
    s.flush()
    refresh_review(s, retro, now)
    return action


def drop_carried(
    s: Session, retro_id: int, item_id: int, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime
) -> None:
    retro = load(s, retro_id, "collect", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "drop a carried-over item")
    item = s.get(RetroItem, item_id)
    if item is None or item.retro_id != retro.id or item.carried_from_id is None:
        raise UserError("That carried-over item is already gone.")
    s.delete(item)
    s.flush()
    refresh_review(s, retro, now)
    publish.refresh_root(s, retro, now)


def refresh_review(s: Session, retro: Retro, now: datetime) -> None:
    reviewed = list(
        s.scalars(
            select(RetroAction)
            .join(Retro, Retro.id == RetroAction.retro_id)
            .where(
                Retro.channel_id == retro.channel_id,
                Retro.team_id == retro.team_id,
                Retro.id != retro.id,
                RetroAction.updated_at >= retro.created_at,
            )
            .order_by(RetroAction.id)
        )
    )
    pending = [a for _, a in open_actions(s, retro.team_id, retro.channel_id)]
    shown = {a.id: a for a in pending + reviewed}
    carried = list(
        s.scalars(select(RetroItem).where(RetroItem.retro_id == retro.id, RetroItem.carried_from_id.is_not(None)))
    )
    publish.update_review(s, retro, sorted(shown.values(), key=lambda a: a.id), carried, parking_lot(s, retro), now)
