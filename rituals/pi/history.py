"""A channel's PIs: the start announcement, `/pi history` (past and running PIs with predictability) and
`/pi export` (one PI as Markdown: plan, changes, check-ins, confidence, risks, hypotheses, result)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.text import plain
from rituals.pi import closing, plan, render, service, votes
from rituals.pi.models import CheckIn, ProgramIncrement
from rituals.pi.verdict import NAMES


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    state: str
    dates: str
    predictability: str


def entries(s: Session, team_id: str, channel_id: str, limit: int = 20) -> list[Entry]:
    rows = s.scalars(
        select(ProgramIncrement)
        .where(ProgramIncrement.team_id == team_id, ProgramIncrement.channel_id == channel_id)
        .order_by(ProgramIncrement.id.desc())
        .limit(limit)
    )
    return [
        Entry(
            p.id,
            p.name,
            p.state,
            f"{p.start_on:%Y-%m-%d} – {p.end_on:%Y-%m-%d}",
            closing.result(s, p).label if p.state == "closed" else "at close",
        )
        for p in rows
    ]


def find(s: Session, team_id: str, pi_id: int) -> ProgramIncrement:
    """A PI of this workspace by its number (another workspace's reads as missing)."""
    pi = s.get(ProgramIncrement, pi_id)  # not scope.pi: a number typed in /pi export gets its own message
    if pi is None or pi.team_id != team_id:
        raise UserError(f"There is no PI #{pi_id}. `/pi history` lists this channel's PIs with their ids.")
    return pi


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d}" if moment else "—"


def export_markdown(s: Session, pi: ProgramIncrement) -> str:
    """The PI as Markdown; typed text as readable text (`plain`), escaped once by whoever shows it."""
    objectives = service.objectives(s, pi.id, include_dropped=True)
    figure = closing.result(s, pi)
    out = [
        f"# {plain(pi.name)}",
        f"{pi.start_on:%Y-%m-%d} – {pi.end_on:%Y-%m-%d} · {pi.timezone} · state {pi.state}",
        "",
        f"Predictability: {figure.label if pi.state == 'closed' else 'at close'} "
        f"(actual {figure.actual} / planned {figure.planned}). {plan.note(s, pi, slack=False)}",
        "",
        "## Objectives",
    ]
    for o in objectives:
        kind = "dropped" if o.dropped else "committed" if o.committed else "stretch"
        actual = "" if o.actual_bv is None else f", actual BV {o.actual_bv}"
        out.append(
            f"- {plain(o.title)} ({kind}) — owner <@{o.owner_id}>, planned BV {o.planned_bv}{actual}, "
            f"last status {render.status_label(o.status, o.progress if o.status else None)}"
        )
        if o.hypothesis is not None and o.target is not None:
            h = o.hypothesis
            best = f", best {h.best_value:g} ({plain(h.best_run or '?')})" if h.best_value is not None else ""
            out.append(
                f"  - ML hypothesis {o.metric} {o.comparator} {o.target:g} on {plain(o.experiment or '')}: "
                f"{NAMES[h.verdict]}{best}"
            )
    snapshot = plan.snapshot(s, pi.id)
    if snapshot is not None:
        titles = {o.id: o.title for o in objectives}
        out += ["", f"## Plan committed {_when(snapshot.committed_at)} by <@{snapshot.committed_by}>"]
        out += [f"- {plain(render_change)}" for render_change in _changes(s, pi, titles)] or ["- no changes since"]
    checkins = s.scalars(select(CheckIn).where(CheckIn.pi_id == pi.id).order_by(CheckIn.week, CheckIn.objective_id))
    titles = {o.id: o.title for o in objectives}
    out += ["", "## Check-ins"]
    out += [
        f"- week {c.week}: {plain(titles.get(c.objective_id, '?'))} — {render.status_label(c.status, c.progress)}"
        + (f": {plain(c.note)}" if c.note else "")
        for c in checkins
    ] or ["- none"]
    average = votes.last_average(s, pi.id)
    out += ["", f"## Confidence\nLast closed vote: {f'{average}/5' if average is not None else 'none'}"]
    out += ["", "## Risks"]
    out += [
        f"- {render.ROAM_NAMES[r.roam]}: {plain(r.description)} — <@{r.owner_id}>" for r in service.risks(s, pi.id)
    ] or ["- none"]
    return "\n".join(out)


def _changes(s: Session, pi: ProgramIncrement, titles: dict[int, str]) -> list[str]:
    out = []
    for e in plan.edits(s, pi.id):
        what = "; ".join(
            k if k in ("added", "dropped") else f"{plan.LABELS.get(k, k)} {a} → {b}" for k, (a, b) in e.changes.items()
        )
        out.append(f"{e.at:%Y-%m-%d} {titles.get(e.objective_id, '?')}: {what} (<@{e.user_id}>)")
    return out
