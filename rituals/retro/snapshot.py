"""A retro read out of the database as plain data, for the renderer and the Markdown export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from rituals.retro import health
from rituals.retro.boards import is_improvement
from rituals.retro.health import HealthView
from rituals.retro.models import Retro
from rituals.retro.queries import actions_of, done_count, items_of, participant_count, vote_tallies


@dataclass(frozen=True)
class ItemView:
    id: int
    column: str
    text: str
    author: str | None
    votes: int = 0
    members: tuple[str, ...] = ()
    carried: bool = False
    discussed: bool = False
    title: str | None = None  # a named group's title (rituals.retro.groups)

    @property
    def full_text(self) -> str:
        joined = " + ".join((self.text, *self.members))
        return f"{self.title}: {joined}" if self.title else joined


@dataclass(frozen=True)
class ActionView:
    id: int
    text: str
    owner: str
    due: date | None
    status: str


@dataclass(frozen=True)
class ColumnView:
    key: str
    label: str
    items: list[ItemView] = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    retro: Retro
    board_name: str
    columns: list[ColumnView]
    participants: int
    actions: list[ActionView]
    votes_cast: int
    done: int = 0  # participants who said "I'm done" in the current phase (a count, never who)
    health: HealthView | None = None  # the team health check, if the retro has one (rituals.retro.health)

    @property
    def groups(self) -> list[ItemView]:
        return [i for c in self.columns for i in c.items]

    def group(self, item_id: int) -> ItemView | None:
        return next((g for g in self.groups if g.id == item_id), None)


def take(s: Session, retro: Retro, board_name: str) -> Snapshot:
    items = items_of(s, retro.id)
    tallies = vote_tallies(s, retro.id) if retro.phase in ("discuss", "closed") else {}
    columns = []
    for column in retro.columns:
        views = [
            ItemView(
                i.id,
                i.column_key,
                i.text,
                i.author_id,
                tallies.get(i.id, 0),
                tuple(m.text for m in items if m.group_id == i.id),
                carried=retro.phase == "closed" and not i.discussed and is_improvement(i.column_key),
                discussed=i.discussed,
                title=i.title,
            )
            for i in items
            if i.group_id is None and i.column_key == column["key"]
        ]
        columns.append(ColumnView(column["key"], column["label"], views))
    actions = [ActionView(a.id, a.text, a.owner_id, a.due_on, a.status) for a in actions_of(s, retro.id)]
    participants, done = participant_count(s, retro.id), done_count(s, retro.id, retro.phase)
    return Snapshot(
        retro, board_name, columns, participants, actions, sum(tallies.values()), done, health.view(s, retro)
    )


def item_count(snap: Snapshot) -> int:
    return sum(1 + len(g.members) for g in snap.groups)
