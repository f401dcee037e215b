"""The PI object a button, menu or modal names, only ever in the request's workspace.

Every PI listener resolves the id it was given through here first: an id from another workspace
reads exactly like one that does not exist, and the PI comes back with it so the listener can check
that the person is in the PI's channel (handlers/access.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.pi.models import ConfidenceVote, Objective, ProgramIncrement, Risk


def pi(s: Session, pi_id: int, *, team_id: str) -> ProgramIncrement:
    found = s.get(ProgramIncrement, pi_id)
    if found is None or found.team_id != team_id:
        raise UserError("That PI no longer exists.")
    return found


def _pi_or(s: Session, pi_id: int, team_id: str, gone: str) -> ProgramIncrement:
    found = s.get(ProgramIncrement, pi_id)
    if found is None or found.team_id != team_id:
        raise UserError(gone)
    return found


def objective(s: Session, objective_id: int, *, team_id: str) -> tuple[Objective, ProgramIncrement]:
    gone = "That objective was dropped or no longer exists."
    found = s.get(Objective, objective_id)
    if found is None:
        raise UserError(gone)
    return found, _pi_or(s, found.pi_id, team_id, gone)


def risk(s: Session, risk_id: int, *, team_id: str) -> tuple[Risk, ProgramIncrement]:
    gone = "That risk no longer exists."
    found = s.get(Risk, risk_id)
    if found is None:
        raise UserError(gone)
    return found, _pi_or(s, found.pi_id, team_id, gone)


def vote(s: Session, vote_id: int, *, team_id: str) -> tuple[ConfidenceVote, ProgramIncrement]:
    gone = "That vote no longer exists."
    found = s.get(ConfidenceVote, vote_id)
    if found is None:
        raise UserError(gone)
    return found, _pi_or(s, found.pi_id, team_id, gone)
