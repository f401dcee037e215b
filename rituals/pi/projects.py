"""An objective linked to a ticket project (epic): its progress follows the project's stages.

A project stands at the furthest stage any of its tickets reached; the stages before it are complete,
and that stage too once every ticket in it is closed. Progress is the complete share of the project's
stages (its own template, else the workspace's `tickets.stages`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import UserError
from bot.text import mrkdwn
from rituals.pi.ids import Block
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import ObjectiveProject
from rituals.tickets import projects as ticket_projects
from rituals.tickets import stages as stage_mod
from rituals.tickets.models import Ticket, TicketProject


def choices(s: Session, team_id: str) -> list[TicketProject]:
    return ticket_projects.projects(s, team_id)


def link(s: Session, pi: ProgramIncrement, objective: Objective, raw: str) -> None:
    """Link (or unlink, for "") the objective to a project of the PI's workspace."""
    row = s.get(ObjectiveProject, objective.id)
    if raw.strip() in ("", "none"):
        if row is not None:
            s.delete(row)
        return
    project = s.get(TicketProject, int(raw)) if raw.isdigit() else None
    if project is None or project.team_id != pi.team_id:
        raise UserError("That ticket project no longer exists: reopen the form and pick again.", field=Block.PROJECT)
    if row is None:
        row = ObjectiveProject(objective_id=objective.id, project_id=project.id, name=project.name)
        s.add(row)
    elif row.project_id != project.id:
        row.project_id, row.name, row.stage, row.stage_number, row.stages = project.id, project.name, None, None, None


def standing(tickets: list[Ticket], stages: list[stage_mod.Stage]) -> tuple[int, str, int]:
    """(stage number reached, its name, percent complete) of a project with these tickets."""
    numbers = {s.name.lower(): s.number for s in stages}
    reached = [(numbers[t.stage.lower()], t) for t in tickets if t.stage.lower() in numbers]
    if not reached:
        return 0, "not started", 0
    top = max(n for n, _ in reached)
    complete = top - 1 + (1 if all(t.status == "closed" for n, t in reached if n == top) else 0)
    return top, stages[top - 1].name, round(complete * 100 / len(stages))


def refresh(s: Session, pi: ProgramIncrement, settings: Settings, now: datetime) -> None:
    """Move each linked objective's progress to its project's (no Slack or MLflow involved)."""
    workspace_stages = stage_mod.configured(settings.file.get("tickets") or {})
    linked = s.execute(
        select(Objective, ObjectiveProject, TicketProject)
        .join(ObjectiveProject, ObjectiveProject.objective_id == Objective.id)
        .join(TicketProject, TicketProject.id == ObjectiveProject.project_id)
        .where(Objective.pi_id == pi.id, Objective.dropped.is_(False))
    )
    for o, row, project in linked:
        stages = (
            [stage_mod.Stage(n, str(name)) for n, name in enumerate(project.stages, start=1)]
            if project.stages
            else workspace_stages
        )
        tickets = list(s.scalars(select(Ticket).where(Ticket.project_id == project.id)))
        row.stage_number, row.stage, percent = standing(tickets, stages)
        row.stages, row.checked_at, row.name = len(stages), now, project.name
        o.progress = percent
    s.flush()


def line(o: Objective) -> str | None:
    """`Ticket project *churn*: stage 3 of 6, Modelling / EDA`, None without a link."""
    row = o.project
    if row is None:
        return None
    where = "progress not read yet"
    if row.stages:
        where = (
            f"stage {row.stage_number} of {row.stages}, {mrkdwn(row.stage or '')}"
            if row.stage_number
            else "not started"
        )
    return f"Ticket project *{mrkdwn(row.name)}*: {where}"
