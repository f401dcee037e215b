"""What the retro's button and modal listeners both read: the retro a modal belongs to, from its metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import UserError
from handlers.forms import parse_metadata


def metadata(view: Mapping[str, Any] | None) -> dict[str, Any]:
    """The modal's private metadata (`retro`, and `item`/`secret` where it has them); refuses a foreign window."""
    data = parse_metadata((view or {}).get("private_metadata"))
    if not isinstance(data.get("retro"), int):
        raise UserError("This window no longer belongs to a retro. Close it and use the retro's buttons again.")
    return data
