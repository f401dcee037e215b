"""A project's flow from its stage history: a chart of stage over time (each ticket's stays, so a
return to data preparation after poor model results shows), cycle time per stage, and the moves back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from matplotlib import dates as mdates
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import charts
from bot.errors import UserError
from rituals.tickets import history, projects
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.setup import TicketSetup


@dataclass(frozen=True)
class Flow:
    project: TicketProject
    stages: list[str]
    spans: list[history.Span]
    keys: dict[int, str]
    cycle_days: dict[str, float]
    back: list[tuple[str, str, str]]  # (key, from stage, to an earlier stage)
    now: datetime


def build(session: Session, setup: TicketSetup, *, team_id: str, project_name: str, now: datetime) -> Flow:
    project = projects.find_project(session, team_id, " ".join(project_name.split()))
    if project is None:
        known = ", ".join(p.name for p in projects.projects(session, team_id)) or "none yet"
        raise UserError(f"There is no project `{project_name[:60]}`. Projects: {known}.")
    stages = [s.name for s in projects.stages_of(setup, project)]
    tickets = list(session.scalars(select(Ticket).where(Ticket.project_id == project.id).order_by(Ticket.id)))
    moves = history.moves(session, [t.id for t in tickets])
    keys = {t.id: t.key for t in tickets}
    order = {name: n for n, name in enumerate(stages)}
    back = [
        (keys[m.ticket_id], m.from_stage, m.to_stage)
        for m in moves
        if m.from_stage in order and m.to_stage in order and order[m.to_stage] < order[m.from_stage]
    ]
    spans = history.spans(moves)
    closed = {t.id: t.closed_at for t in tickets}
    return Flow(project, stages, spans, keys, history.cycle_days(spans, now, closed), back, now)


def chart(flow: Flow) -> bytes:
    """Stage over time: one row per stage, one bar per stay, labelled with the ticket's key."""
    fig, ax = charts.new_figure(9.0, 0.5 * len(flow.stages) + 1.5)
    rows = {name: n for n, name in enumerate(reversed(flow.stages))}
    for span in flow.spans:
        if span.stage not in rows:
            continue
        start, end = mdates.date2num(span.start), mdates.date2num(span.end or flow.now)
        ax.barh(rows[span.stage], max(end - start, 0.05), left=start, height=0.6)
        ax.text(start, rows[span.stage], f" {flow.keys[span.ticket_id]}", va="center", fontsize=7)
    ax.set_yticks(list(rows.values()), list(rows.keys()), fontsize=8)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_title(f"{flow.project.name}: stage over time")
    return charts.to_png(fig)
