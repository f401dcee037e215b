"""The committed plan: an explicit "commit plan" step snapshots the objectives (planned BV, committed or
stretch), every later edit or drop is kept as history, and predictability is measured against the
snapshot, so a plan rewritten in week 12 still answers for what was committed in week 1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import outbox
from bot.blocks import Blocks
from bot.errors import UserError
from bot.text import mrkdwn, slack_time
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.predictability import ObjectiveValue
from rituals.pi.tracking_models import ObjectiveEdit, PlanSnapshot

TRACKED = ("title", "planned_bv", "committed", "owner_id", "metric", "comparator", "target", "experiment")
LABELS = {"planned_bv": "planned BV", "owner_id": "owner", "committed": "commitment", "target": "threshold"}


def fields(o: Objective) -> dict[str, Any]:
    return {name: getattr(o, name) for name in TRACKED}


def snapshot(s: Session, pi_id: int) -> PlanSnapshot | None:
    return s.get(PlanSnapshot, pi_id)


def commit(
    s: Session,
    pi: ProgramIncrement,
    objectives: Sequence[Objective],
    *,
    actor: str,
    now: datetime,
    is_admin: Callable[[], bool] = lambda: False,
) -> PlanSnapshot:
    """Snapshot the plan (once) and announce it in the channel; the PI's creator or an admin commits."""
    if pi.state != "active":
        raise UserError(f"PI “{pi.name}” is being closed; its plan can no longer be committed.")
    if actor != pi.created_by and not is_admin():
        raise UserError(f"Only the PI's creator (<@{pi.created_by}>) or an admin commits the plan of “{pi.name}”.")
    existing = snapshot(s, pi.id)
    if existing is not None:
        raise UserError(
            f"The plan of “{pi.name}” was committed on {existing.committed_at:%d %b %Y} by "
            f"<@{existing.committed_by}>; it cannot be committed again. `/pi plan` shows the changes since."
        )
    if not any(o.committed for o in objectives):
        raise UserError("Add at least one committed objective (`/pi objective`) before committing the plan.")
    items = [
        {"id": o.id, "title": o.title, "planned_bv": o.planned_bv, "committed": o.committed, "owner_id": o.owner_id}
        for o in objectives
    ]
    snap = PlanSnapshot(pi_id=pi.id, committed_by=actor, committed_at=now, objectives=items)
    s.add(snap)
    s.flush()
    text, blocks = committed_message(pi, snap)
    outbox.post(
        s, channel=pi.channel_id, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=f"pi:{pi.id}:plan"
    )
    return snap


def record_edit(
    s: Session, pi: ProgramIncrement, o: Objective, before: dict[str, Any] | None, *, actor: str, now: datetime
) -> ObjectiveEdit | None:
    """Keep what an edit after the commit changed (new objectives count as added)."""
    if snapshot(s, pi.id) is None:
        return None
    after = fields(o)
    if before is None:
        changes = {"added": [None, o.title]}
    else:
        changes = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
    if not changes:
        return None
    edit = ObjectiveEdit(pi_id=pi.id, objective_id=o.id, user_id=actor, at=now, changes=changes)
    s.add(edit)
    return edit


def record_drop(s: Session, pi: ProgramIncrement, o: Objective, *, actor: str, now: datetime) -> None:
    if snapshot(s, pi.id) is not None:
        s.add(ObjectiveEdit(pi_id=pi.id, objective_id=o.id, user_id=actor, at=now, changes={"dropped": [False, True]}))


def edits(s: Session, pi_id: int) -> list[ObjectiveEdit]:
    return list(s.scalars(select(ObjectiveEdit).where(ObjectiveEdit.pi_id == pi_id).order_by(ObjectiveEdit.id)))


def values(s: Session, pi: ProgramIncrement, objectives: Sequence[Objective]) -> list[ObjectiveValue]:
    """Predictability's inputs: the snapshot's planned BV and commitment with today's actual BV (a committed
    objective dropped later delivers 0); objectives added after the commit count as stretch. Without a
    snapshot, the objectives as they stand."""
    snap = snapshot(s, pi.id)
    if snap is None:
        return [ObjectiveValue(o.planned_bv, o.actual_bv, o.committed, o.dropped) for o in objectives]
    now_by_id = {o.id: o for o in objectives}
    out = []
    for item in snap.objectives:
        o = now_by_id.get(item["id"])
        actual = None if o is None or o.dropped else o.actual_bv
        out.append(ObjectiveValue(int(item["planned_bv"]), actual, bool(item["committed"])))
    planned = {item["id"] for item in snap.objectives}
    out += [ObjectiveValue(o.planned_bv, o.actual_bv, False, o.dropped) for o in objectives if o.id not in planned]
    return out


def _shown(name: str, value: Any) -> str:
    if name == "committed":
        return "committed" if value else "stretch"
    if name == "owner_id":
        return f"<@{value}>" if value else "—"
    if value is None:
        return "—"
    return mrkdwn(str(value), limit=80)


def change_text(e: ObjectiveEdit, titles: dict[int, str], tz: str = "UTC") -> str:
    what = "; ".join(
        "added"
        if k == "added"
        else "dropped"
        if k == "dropped"
        else f"{LABELS.get(k, k)} {_shown(k, a)} → {_shown(k, b)}"
        for k, (a, b) in e.changes.items()
    )
    on = slack_time(e.at, tz, "{date_short}", "%d %b")
    return f"{on} · *{mrkdwn(titles.get(e.objective_id, '?'), limit=80)}* — {what} (<@{e.user_id}>)"


def committed_message(pi: ProgramIncrement, snap: PlanSnapshot) -> tuple[str, Blocks]:
    planned = sum(int(i["planned_bv"]) for i in snap.objectives if i["committed"])
    on = slack_time(snap.committed_at, pi.timezone)
    text = f"{mrkdwn(pi.name)}: plan committed by <@{snap.committed_by}> {on}, {planned} committed business value"
    lines = [
        f"• *{mrkdwn(i['title'])}* — <@{i['owner_id']}> · BV {i['planned_bv']} · "
        f"{'committed' if i['committed'] else 'stretch'}"
        for i in snap.objectives
    ]
    out: Blocks = [
        bk.section(f":pushpin: *Plan committed* {on} · {mrkdwn(pi.name)}\n" + "\n".join(lines)),
        bk.context("Predictability is measured against this plan; later edits are kept in `/pi plan`."),
    ]
    return text, out


def plan_message(s: Session, pi: ProgramIncrement, objectives: Sequence[Objective]) -> tuple[str, Blocks]:
    """`/pi plan`: the snapshot and the edit history since."""
    snap = snapshot(s, pi.id)
    if snap is None:
        text = f"{mrkdwn(pi.name)}: the plan is not committed yet. `/pi commit` snapshots it when planning ends."
        return text, [bk.section(text)]
    text, out = committed_message(pi, snap)
    titles = {o.id: o.title for o in objectives} | {int(i["id"]): str(i["title"]) for i in snap.objectives}
    history = [change_text(e, titles, pi.timezone) for e in edits(s, pi.id)]
    out.append(bk.section("*Changes since the commit*\n" + ("\n".join(history[-40:]) or "_None._")))
    return text, out


def note(s: Session, pi: ProgramIncrement, *, slack: bool = True) -> str:
    """The close report's line on what predictability was measured against (`slack=False`: the date as
    text, for the Markdown export)."""
    snap = snapshot(s, pi.id)
    if snap is None:
        return "Measured against the objectives as they stand: the plan was never committed (`/pi commit`)."
    changed = len(edits(s, pi.id))
    on = slack_time(snap.committed_at, pi.timezone, "{date_short}", "%d %b %Y")
    if not slack:
        on = f"{snap.committed_at:%d %b %Y}"
    return f"Measured against the plan committed on {on}" + (
        f"; {changed} change{'s' if changed != 1 else ''} after the commit do not alter it." if changed else "."
    )
