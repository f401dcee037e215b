"""PI messages as (text, blocks): dashboard, confidence vote, check-in DMs, weekly summary, close report."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from bot import blocks as bk
from bot.blocks import Blocks
from bot.templates import render as template
from bot.text import link, mrkdwn
from rituals.pi import projects, tracking_render
from rituals.pi.calendar import WEEKDAYS
from rituals.pi.ids import VOTES, Action, Block
from rituals.pi.models import ConfidenceVote, Objective, ProgramIncrement, Risk
from rituals.pi.predictability import Predictability, band

if TYPE_CHECKING:
    from rituals.pi.checkins import WeekSummary
    from rituals.pi.votes import Tally

PKG = "rituals.pi"
STATUS_NAMES = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "done": "done"}
STATUS_ICONS = {
    "on_track": ":large_green_circle:",
    "at_risk": ":large_yellow_circle:",
    "off_track": ":red_circle:",
    "done": ":white_check_mark:",
    None: ":white_circle:",
}
ROAM_NAMES = {"resolved": "Resolved", "owned": "Owned", "accepted": "Accepted", "mitigated": "Mitigated"}
Message = tuple[str, Blocks]


def status_label(status: str | None, progress: int | None = None) -> str:
    if status is None:
        return "no update yet"
    return f"{STATUS_NAMES[status]} {progress}%" if progress is not None else STATUS_NAMES[status]


def hypothesis(o: Objective) -> str | None:
    if o.metric is None:
        return None
    target = f"{o.metric} {o.comparator} {o.target:g}"
    parts = [f"ML hypothesis: `{mrkdwn(target)}`"]
    if o.experiment:
        parts.append(f"experiment `{mrkdwn(o.experiment)}`")
    if o.kill_criterion:
        parts.append(f"kill criterion: {mrkdwn(o.kill_criterion)}")
    measured = tracking_render.line(o)
    return " · ".join(parts) + (f"\n{measured}" if measured else "")


def objective_text(o: Objective, *, with_status: bool = True) -> str:
    kind = "committed" if o.committed else "uncommitted (stretch)"
    title = link(o.link, o.title) if o.link else mrkdwn(o.title)
    line = f"*{title}* — <@{o.owner_id}> · BV {o.planned_bv} · {kind}"
    if with_status:
        line = f"{STATUS_ICONS[o.status]} {line} · {status_label(o.status, o.progress if o.status else None)}"
    extra = [text for text in (hypothesis(o), projects.line(o)) if text]
    return "\n".join([line, *extra])


def actual_label(actual: int | None) -> str:
    """An actual BV nobody entered counts as 0 in predictability, so the report says so."""
    return "0 (not entered)" if actual is None else str(actual)


def risk_lines(risks: list[Risk]) -> list[str]:
    return [f"*{ROAM_NAMES[r.roam]}* · {mrkdwn(r.description)} — <@{r.owner_id}>" for r in risks]


def roam_select(r: Risk) -> dict[str, object]:
    options = [
        {"text": {"type": "plain_text", "text": name}, "value": f"{r.id}:{key}"} for key, name in ROAM_NAMES.items()
    ]
    return {
        "type": "static_select",
        "action_id": Action.RISK_ROAM,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == f"{r.id}:{r.roam}"),
    }


def pi_dates(pi: ProgramIncrement) -> str:
    return (
        f"{pi.start_on:%d %b %Y} – {pi.end_on:%d %b %Y} · check-in {WEEKDAYS[pi.checkin_weekday]}s "
        f"{pi.checkin_time} ({pi.timezone}) · <#{pi.channel_id}>"
    )


def dashboard(
    pi: ProgramIncrement,
    objectives: list[Objective],
    risks: list[Risk],
    confidence: Decimal | None,
    week: int,
    weeks: int,
) -> Message:
    state = "" if pi.state == "active" else f" ({pi.state})"
    out: Blocks = [bk.header(f"{pi.name}{state}"), bk.context(f"Week {week} of {weeks} · " + pi_dates(pi))]
    confidence_text = f"{confidence}/5" if confidence is not None else "no closed vote yet"
    planned = sum(o.planned_bv for o in objectives if o.committed)
    out.append(
        bk.fields(
            [f"*Objectives*\n{len(objectives)} ({planned} committed BV)", f"*Last confidence vote*\n{confidence_text}"]
        )
    )
    out.append(bk.divider())
    out += [bk.section(objective_text(o)) for o in objectives] or [bk.section("_No objectives yet: `/pi objective`._")]
    out.append(bk.section("*Risk board (ROAM)*" + ("" if risks else "\n_No risks recorded._")))
    out += [bk.section(line, accessory=roam_select(r)) for r, line in zip(risks, risk_lines(risks), strict=True)]
    text = f"{mrkdwn(pi.name)}: {len(objectives)} objectives, week {week} of {weeks}, confidence {confidence_text}"
    return text, out


def objective_list(pi: ProgramIncrement, objectives: list[Objective]) -> Message:
    """`/pi objectives`: each objective with its Edit and Drop buttons."""
    out: Blocks = [bk.header(f"{pi.name} · objectives")]
    for o in objectives[:23]:
        out.append(bk.section(objective_text(o)))
        confirm = bk.confirm_dialog(
            "Drop objective?", f"“{mrkdwn(o.title, limit=200)}” will no longer count.", ok="Drop"
        )
        out.append(
            bk.actions(
                bk.button("Edit", Action.OBJECTIVE_EDIT, str(o.id)),
                bk.button("Drop", Action.OBJECTIVE_DROP, str(o.id), style="danger", confirm=confirm),
            )
        )
    if not objectives:
        out.append(bk.section("_No objectives yet: `/pi objective` adds one._"))
    return f"{mrkdwn(pi.name)}: {len(objectives)} objectives", out


def vote_message(pi: ProgramIncrement, vote: ConfidenceVote, tally: Tally) -> Message:
    title = f"Confidence vote · {pi.name}"
    if vote.is_open:
        counted = f"{tally.count} vote{'' if tally.count == 1 else 's'} so far"
        out = [
            bk.header(title),
            bk.section(
                "How confident are you that we will meet this PI's committed objectives? "
                "Fist of five: 1 = no chance, 5 = certain. Votes are private; you can change yours "
                "until the vote closes."
            ),
            bk.actions(
                *(bk.button(str(n), action_id, str(vote.id)) for n, action_id in enumerate(VOTES, start=1)),
                block_id=Block.VOTE,
            ),
            bk.context(f"{counted} · facilitator <@{vote.facilitator_id}>"),
            bk.actions(
                bk.button("Close vote", Action.VOTE_CLOSE, str(vote.id), style="danger"), block_id=Block.VOTE_ADMIN
            ),
        ]
        return f"Confidence vote · {mrkdwn(pi.name)}: {counted}", out
    bars = "\n".join(
        f"{n} {'✊' if n == 1 else '🖐' if n == 5 else '✋'} `{'█' * tally.distribution[n] or '·'}` "
        f"{tally.distribution[n]}"
        for n in range(5, 0, -1)
    )
    average = f"{tally.average}" if tally.average is not None else "—"
    out = [
        bk.header(f"{title} (closed)"),
        bk.section(f"*Distribution* ({tally.count} votes)\n{bars}"),
        bk.section(f"*Average:* {average} / 5"),
    ]
    return f"Confidence vote · {mrkdwn(pi.name)} closed: average {average} from {tally.count} votes", out


def confidence_prompt(tally: Tally) -> str:
    low_votes = tally.distribution[1] + tally.distribution[2]
    return template(PKG, "confidence_prompt.txt.j2", tally=tally, low_votes=low_votes)


def checkin_dm(pi: ProgramIncrement, week: int, objectives: list[Objective], *, reminder: bool) -> Message:
    text = template(
        PKG, "checkin_dm.txt.j2", pi_name=mrkdwn(pi.name), week=week, count=len(objectives), reminder=reminder
    )
    out: Blocks = [bk.section(text)]
    for o in objectives:
        out.append(bk.section(objective_text(o), accessory=bk.button("Update", Action.CHECKIN_OPEN, str(o.id))))
    return text, out


def week_summary(data: WeekSummary) -> Message:
    updated = sum(1 for r in data.rows if r.current is not None)
    text = template(
        PKG,
        "summary.txt.j2",
        pi_name=mrkdwn(data.pi.name),
        week=data.week,
        updated=updated,
        total=len(data.rows),
        missing=[f"<@{u}>" for u in data.missing],
        new_risks=len(data.new_risks),
    )
    out: Blocks = [bk.header(f"{data.pi.name} · week {data.week} check-in")]
    for row in data.rows:
        shown = row.current or row.previous
        status = status_label(shown.status, shown.progress) if shown else "no update yet"
        icon = STATUS_ICONS[shown.status if shown else None]
        note = f"\n> {mrkdwn(row.current.note)}" if row.current and row.current.note else ""
        note += f"\n{hypothesis(row.objective)}" if row.objective.metric else ""
        out.append(
            bk.section(
                f"{icon} *{mrkdwn(row.objective.title)}* — <@{row.objective.owner_id}> · {status} "
                f"· _{row.change}_{note}"
            )
        )
    out.append(bk.section("*No update from:* " + (", ".join(f"<@{u}>" for u in data.missing) or "nobody — thanks!")))
    if data.new_risks:
        out.append(bk.section("*New risks this week*\n" + "\n".join(risk_lines(data.new_risks))))
    out.append(bk.section("*Risk board (open)*\n" + ("\n".join(risk_lines(data.open_risks)) or "_No open risks._")))
    return text, out


def actual_dm(pi: ProgramIncrement, objectives: list[Objective]) -> Message:
    text = f"{mrkdwn(pi.name)} is closing: enter the actual business value (0–10) your objectives delivered."
    out: Blocks = [bk.section(text)]
    for o in objectives:
        out.append(bk.section(objective_text(o), accessory=bk.button("Enter actual BV", Action.ACTUAL_OPEN, str(o.id))))
    return text, out


def report(pi: ProgramIncrement, objectives: list[Objective], figure: Predictability, plan_note: str = "") -> Message:
    text = template(PKG, "report.txt.j2", pi_name=mrkdwn(pi.name), figure=figure)
    out: Blocks = [
        bk.header(f"{pi.name} · PI report"),
        bk.context(pi_dates(pi)),
        bk.section(
            f"*Predictability: {figure.label}* — {band(figure.percent)}\n"
            f"Actual {figure.actual} / planned {figure.planned} business value "
            "(planned counts committed objectives; stretch objectives count in actual only)."
        ),
        *([bk.context(plan_note)] if plan_note else []),
    ]
    for o in objectives:
        if o.dropped:
            out.append(bk.section(f"~{mrkdwn(o.title)}~ — dropped, not counted"))
        else:
            out.append(
                bk.section(
                    f"{objective_text(o, with_status=False)}\nActual BV *{actual_label(o.actual_bv)}* of "
                    f"{o.planned_bv} · last status {status_label(o.status)}"
                )
            )
    return text, out
