"""Who scores business value (issue 23): in SAFe the business owners assign planned and actual BV.

A PI may name business owners (the PI form); then only they or an admin enter planned and actual BV.
Without business owners the objective's owner and the PI's creator do, as before, and admins too.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import UserError
from rituals.pi.models import Objective, ProgramIncrement


def owners(pi: ProgramIncrement) -> list[str]:
    return (pi.business_owners or "").split()


def store(pi: ProgramIncrement, users: list[str]) -> None:
    unique = list(dict.fromkeys(u for u in users if u))[:20]
    pi.business_owners = " ".join(unique) or None


def nobody() -> bool:
    return False


def require_scorer(
    pi: ProgramIncrement, objective: Objective | None, user: str, is_admin: Callable[[], bool], *, field: str
) -> None:
    """Refuse (UserError on the BV field) anyone who may not score this objective's business value."""
    scorers = owners(pi)
    if scorers:
        if user in scorers or is_admin():
            return
        names = ", ".join(f"<@{u}>" for u in scorers)
        raise UserError(
            f"Business value is scored by this PI's business owners ({names}); ask one of them to enter it.",
            field=field,
        )
    if user == pi.created_by or (objective is not None and user == objective.owner_id) or is_admin():
        return
    owner = f"the owner (<@{objective.owner_id}>) or " if objective is not None else ""
    raise UserError(f"Only {owner}the PI's creator (<@{pi.created_by}>) enters business value.", field=field)
