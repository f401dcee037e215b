"""A met hypothesis: the owner's DM (once each time it becomes met) and its "Mark done"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.blocks import Blocks
from bot.errors import UserError
from rituals.pi import checkins, service
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import Hypothesis


def mark_done(s: Session, objective_id: int, *, team_id: str, user: str, now: datetime) -> Objective:
    """The owner accepts a met hypothesis: this week's check-in becomes done, 100 %, naming the run."""
    objective = service.load_objective(s, objective_id, team_id=team_id)
    row = s.get(Hypothesis, objective.id)
    if row is None or row.met_run_id is None:
        raise UserError("This objective's hypothesis is not met (any more); update it with its weekly check-in.")
    note = f"ML hypothesis met by run {row.met_run}: {objective.metric} {row.best_value:g}"
    if row.alias and row.champion_value is not None:
        note = f"ML hypothesis met by {row.model}@{row.alias} (v{row.champion_version}): {row.champion_value:g}"
    checkins.record(s, objective_id, team_id=team_id, user=user, status="done", progress="100", note=note, now=now)
    return objective


def notify_met(
    s: Session, pi: ProgramIncrement, objective: Objective, text: str, blocks: Blocks, now: datetime
) -> None:
    """DM the owner once per run that met the hypothesis."""
    row = objective.hypothesis or s.get(Hypothesis, objective.id)
    assert row is not None
    key = f"pi:{pi.id}:hypothesis:{objective.id}:met:{row.met_run_id}"
    if not outbox.already_enqueued(s, key):
        outbox.post(
            s, channel=objective.owner_id, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=key
        )
