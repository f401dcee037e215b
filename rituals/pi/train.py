"""The whole train: every team channel running the same PI (same name, same workspace) in one view —
objectives per team with business value, each team's and the train's confidence, the risk board, and
predictability per team and overall (each against its committed plan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot.blocks import Blocks
from bot.errors import UserError
from bot.text import mrkdwn
from rituals.pi import plan, render, service, votes
from rituals.pi.models import Ballot, ConfidenceVote, Objective, ProgramIncrement, Risk
from rituals.pi.predictability import ObjectiveValue, Predictability, measure

MAX_OBJECTIVES_SHOWN = 8


@dataclass(frozen=True)
class Team:
    pi: ProgramIncrement
    objectives: list[Objective]
    confidence: Decimal | None
    predictability: Predictability
    values: list[ObjectiveValue]

    @property
    def committed_bv(self) -> int:
        return sum(o.planned_bv for o in self.objectives if o.committed)


@dataclass(frozen=True)
class Train:
    name: str
    teams: list[Team]
    confidence: Decimal | None  # every ballot of each team's last closed vote, pooled
    risks: list[tuple[ProgramIncrement, Risk]]
    predictability: Predictability
    hidden: int = 0  # channels running this PI that the caller may not see (not a member, not an admin)


def latest(s: Session, team_id: str, channel_id: str) -> ProgramIncrement:
    """The channel's running PI, else its last closed one (the train stays in view after the close)."""
    pi = s.scalars(
        select(ProgramIncrement)
        .where(ProgramIncrement.team_id == team_id, ProgramIncrement.channel_id == channel_id)
        .order_by(ProgramIncrement.id.desc())
    ).first()
    if pi is None:
        raise UserError("This channel has no PI yet. Start one with `/pi new`; PIs of the same name form a train.")
    return pi


def members(s: Session, pi: ProgramIncrement) -> list[ProgramIncrement]:
    """The PIs of the same name in the workspace (one per channel: the newest), this one first."""
    rows = s.scalars(
        select(ProgramIncrement)
        .where(ProgramIncrement.team_id == pi.team_id, func.lower(ProgramIncrement.name) == pi.name.lower())
        .order_by(ProgramIncrement.id.desc())
    )
    newest: dict[str, ProgramIncrement] = {}
    for row in rows:
        newest.setdefault(row.channel_id, row)
    others = sorted((p for p in newest.values() if p.channel_id != pi.channel_id), key=lambda p: p.channel_id)
    return [pi, *others]


def _last_closed_scores(s: Session, pi_id: int) -> list[int]:
    vote_id = s.scalar(
        select(ConfidenceVote.id)
        .where(ConfidenceVote.pi_id == pi_id, ConfidenceVote.is_open.is_(False))
        .order_by(ConfidenceVote.id.desc())
        .limit(1)
    )
    return list(s.scalars(select(Ballot.score).where(Ballot.vote_id == vote_id))) if vote_id else []


def build(s: Session, pi: ProgramIncrement, visible: Callable[[str], bool] = lambda _channel: True) -> Train:
    """The train as the caller may see it: `visible(channel)` says whether they may see a team's channel
    (the request's own channel always); other channels are only counted."""
    teams, pooled, risks, all_values = [], [], [], []
    shown = [m for m in members(s, pi) if m.channel_id == pi.channel_id or visible(m.channel_id)]
    for member in shown:
        objectives = service.objectives(s, member.id, include_dropped=True)
        values = plan.values(s, member, objectives)
        teams.append(
            Team(
                member,
                [o for o in objectives if not o.dropped],
                votes.last_average(s, member.id),
                measure(values),
                values,
            )
        )
        pooled += _last_closed_scores(s, member.id)
        risks += [(member, r) for r in service.risks(s, member.id, open_only=True)]
        all_values += values
    hidden = len(members(s, pi)) - len(shown)
    return Train(pi.name, teams, votes.tally(pooled).average, risks, measure(all_values), hidden)


def _confidence(value: Decimal | None) -> str:
    return f"{value}/5" if value is not None else "no closed vote"


def _predictability(team: Team) -> str:
    if team.pi.state == "active":
        return "at close"
    return team.predictability.label


def message(train: Train) -> tuple[str, Blocks]:
    """`/pi train` (and the App Home status line's source)."""
    closed = [t for t in train.teams if t.pi.state != "active"]
    overall = train.predictability.label if closed and len(closed) == len(train.teams) else "when every team has closed"
    text = (
        f"Train {mrkdwn(train.name)}: {len(train.teams)} team{'s' if len(train.teams) != 1 else ''}, "
        f"confidence {_confidence(train.confidence)}"
    )
    out: Blocks = [
        bk.header(f"{train.name} · the whole train"),
        bk.fields(
            [
                f"*Teams*\n{len(train.teams)}",
                f"*Committed BV*\n{sum(t.committed_bv for t in train.teams)}",
                f"*Train confidence*\n{_confidence(train.confidence)}",
                f"*Predictability*\n{overall}",
            ]
        ),
        bk.divider(),
    ]
    for team in train.teams:
        head = (
            f"*<#{team.pi.channel_id}>* · {team.pi.state} · committed BV {team.committed_bv} · "
            f"confidence {_confidence(team.confidence)} · predictability {_predictability(team)}"
        )
        lines = [
            f"{render.STATUS_ICONS[o.status]} {mrkdwn(o.title, limit=120)} — <@{o.owner_id}> · BV {o.planned_bv}"
            f"{'' if o.committed else ' (stretch)'}"
            for o in team.objectives[:MAX_OBJECTIVES_SHOWN]
        ]
        if len(team.objectives) > MAX_OBJECTIVES_SHOWN:
            lines.append(f"… and {len(team.objectives) - MAX_OBJECTIVES_SHOWN} more")
        out.append(bk.section(head + "\n" + ("\n".join(lines) or "_No objectives yet._")))
    board = [
        f"<#{p.channel_id}> {line}"
        for (p, _), line in zip(train.risks, render.risk_lines([r for _, r in train.risks]), strict=True)
    ]
    out.append(bk.section("*Train risk board (open)*\n" + ("\n".join(board[:30]) or "_No open risks._")))
    if train.hidden:
        many = train.hidden != 1
        out.append(
            bk.context(
                f"{train.hidden} more channel{'s' if many else ''} run{'' if many else 's'} this PI; "
                f"only {'their' if many else 'its'} members (and admins) see {'them' if many else 'it'}."
            )
        )
    return text, out


def status_detail(train: Train) -> str:
    return (
        f"“{train.name}”: {len(train.teams)} teams, committed BV {sum(t.committed_bv for t in train.teams)}, "
        f"train confidence {_confidence(train.confidence)}, {len(train.risks)} open risks — `/pi train`"
    )
