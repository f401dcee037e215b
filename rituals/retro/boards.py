"""Retro templates: the built-in column sets and the ones a team defines in ritualbot.yaml.

retro:
  templates:
    daki: {name: "Drop / Add / Keep / Improve", columns: [Drop, Add, Keep, Improve]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import UserError

DEFAULT_TEMPLATE = "wwi"


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Board:
    key: str
    name: str
    columns: tuple[Column, ...]

    def column_dicts(self) -> list[dict[str, str]]:
        return [{"key": c.key, "label": c.label} for c in self.columns]


def _board(key: str, name: str, labels: list[str]) -> Board:
    return Board(key, name, tuple(Column(slug(label), label) for label in labels))


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:64] or "column"


BUILT_IN: dict[str, Board] = {
    b.key: b
    for b in (
        _board("wwi", "Went well / To improve / Ideas", ["Went well", "To improve", "Ideas"]),
        _board("ssc", "Start / Stop / Continue", ["Start", "Stop", "Continue"]),
        _board("4ls", "4Ls", ["Liked", "Learned", "Lacked", "Longed for"]),
        _board("msg", "Mad / Sad / Glad", ["Mad", "Sad", "Glad"]),
        _board("sailboat", "Sailboat", ["Wind", "Anchors", "Rocks", "Island"]),
    )
}


# Columns about what already works: their undiscussed items stay behind unless the facilitator parks them.
KEEP_COLUMNS = frozenset({"went_well", "continue", "keep", "liked", "learned", "glad", "wind", "island", "kudos"})


def is_improvement(column_key: str) -> bool:
    """Whether an undiscussed item of this column carries over to the next retro by default (issue 21)."""
    return column_key not in KEEP_COLUMNS


def available(config: Mapping[str, Any]) -> dict[str, Board]:
    """Built-in templates plus the team's own (`retro.templates` in ritualbot.yaml); a team's wins."""
    boards = dict(BUILT_IN)
    for key, spec in (config.get("templates") or {}).items():
        if not isinstance(spec, Mapping) or not spec.get("columns"):
            continue
        labels = [str(c) for c in spec["columns"]][:10]
        boards[slug(str(key))] = _board(slug(str(key)), str(spec.get("name") or key), labels)
    return boards


def find(config: Mapping[str, Any], key: str | None) -> Board:
    boards = available(config)
    board = boards.get(slug(key or DEFAULT_TEMPLATE))
    if board is None:
        raise UserError(
            f"There is no retro template `{key}`. Known templates: "
            f"{', '.join(sorted(boards))} (see `/retro templates`)."
        )
    return board
