"""The digest's "Needs attention": what a lead should act on, read from every capability's stored data.

Each source reads ritualbot's own tables (the sections' jobs already fetched from the clouds,
Prometheus and MLflow), so building this list calls nothing outside the database. A source that fails
is logged and left out: the rest of the list and the digest still post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select

from bot.capabilities import SectionContext
from bot.text import escape, mrkdwn
from reports import people
from reports.gpu import config as gpu_config
from reports.gpu import service as gpu_service
from reports.runs import config as runs_config
from reports.runs import service as runs_service
from reports.runs import stalled as runs_stalled
from reports.runs.models import AnnouncedRun
from reports.spend import config as spend_config
from reports.spend import money
from reports.spend import service as spend_service
from rituals.pi import service as pi_service
from rituals.retro.models import Retro, RetroAction
from rituals.standup.models import Standup, StandupBlocker

log = logging.getLogger(__name__)

IDLE_HOURS = 24  # a GPU idle this long is named with its cost and owner
BLOCKER_DAYS = 2  # a blocker older than this is named
TOP_GPUS = 3


@dataclass(frozen=True)
class Item:
    """One line of "Needs attention": `rank` orders them (money and breakage first), `text` is mrkdwn."""

    rank: int
    text: str


def spend(ctx: SectionContext) -> list[Item]:
    config = spend_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return []
    overview = spend_service.build(ctx.session, config, ctx.team_id, ctx.day - timedelta(days=1), ctx.now)
    found = []
    for report in overview.reports:
        cur = report.currency
        for line in report.teams:
            if line.budget is None or line.team == spend_service.TOTAL:
                continue
            team = escape(line.team)
            if line.spent > line.budget:
                found.append(
                    Item(
                        0,
                        f":money_with_wings: *{team}* is over budget: {money.fmt(line.spent, cur)} "
                        f"of {money.fmt(line.budget, cur)} this month",
                    )
                )
            elif line.forecast is not None and line.forecast > line.budget:
                found.append(
                    Item(
                        1,
                        f":chart_with_upwards_trend: *{team}* heads for {money.fmt(line.forecast, cur)} by month "
                        f"end, over its {money.fmt(line.budget, cur)} budget",
                    )
                )
        for a in report.anomalies:
            found.append(
                Item(
                    2,
                    f":rotating_light: Spend anomaly: *{escape(a.group)}* {money.fmt(a.amount, cur)} on "
                    f"{overview.day:%d %b}, {money.fmt(a.above, cur)} above its normal {money.fmt(a.normal, cur)}/day",
                )
            )
    return found


def gpus(ctx: SectionContext) -> list[Item]:
    config = gpu_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return []
    report = gpu_service.report(ctx.session, config, ctx.day - timedelta(days=1), ctx.now)
    long_idle = [g for g in report.idle if max(g.idle_h, g.streak_h) >= IDLE_HOURS]
    long_idle.sort(key=lambda g: (-g.cost, g.label))
    found = []
    for g in long_idle[:TOP_GPUS]:
        user = people.slack_user(g.owner, config.users, None)
        owner = f"<@{user}>" if user else (escape(g.owner) if g.owner else "unowned")
        streak = f"idle {g.streak_h / 24:.0f} days" if g.streak_h >= 48 else f"{g.idle_h:.0f} h idle"
        found.append(
            Item(3, f":zzz: *{escape(g.label)}* {streak}, {money.fmt(g.cost, report.currency)} yesterday · {owner}")
        )
    if len(long_idle) > TOP_GPUS:
        found.append(Item(3, f":zzz: … and {len(long_idle) - TOP_GPUS} more GPUs idle for a day or longer"))
    return found


def runs(ctx: SectionContext) -> list[Item]:
    watches = runs_service.watches(ctx.session, ctx.team_id, ctx.channel_id)
    if not watches:
        return []
    ui_url = runs_config.load(ctx.settings).ui_url
    since = _since(ctx)
    rows = ctx.session.scalars(
        select(AnnouncedRun)
        .where(
            AnnouncedRun.watch_id.in_([w.id for w in watches]),
            or_(AnnouncedRun.status != "FINISHED", AnnouncedRun.beats != ""),
            AnnouncedRun.end_time_ms >= int(since.timestamp() * 1000),
            AnnouncedRun.end_time_ms < int(ctx.now.timestamp() * 1000),
        )
        .order_by(AnnouncedRun.end_time_ms)
    )
    by_watch = {w.id: w for w in watches}
    found = []
    for run in rows:
        watch = by_watch[run.watch_id]
        label = escape(run.name or run.run_id[:8])  # the run's name; rows announced before names were kept: the id
        name = f"`{label}`"
        if ui_url:
            name = f"<{escape(ui_url)}#/experiments/{watch.experiment_id}/runs/{run.run_id}|{label}>"
        where = f"in *{escape(watch.experiment_name)}*"
        if run.status == "FINISHED":  # a challenger that beats the champion: promote it?
            found.append(Item(1, f":trophy: {name} {where} beats the champion on {run.beats}"))
        else:
            found.append(Item(1, f":x: Run {name} {where} {run.status.lower()}"))
    found += [Item(1, line) for line in runs_stalled.attention(ctx.session, watches, since, ctx.now, ui_url)]
    return found


def retro_actions(ctx: SectionContext) -> list[Item]:
    rows = ctx.session.execute(
        select(RetroAction, Retro.title)
        .join(Retro, Retro.id == RetroAction.retro_id)
        .where(
            Retro.team_id == ctx.team_id,
            Retro.channel_id == ctx.channel_id,
            RetroAction.status == "open",
            RetroAction.due_on < ctx.day,
        )
        .order_by(RetroAction.due_on, RetroAction.id)
    )
    return [
        Item(4, f":alarm_clock: Retro action overdue since {a.due_on:%d %b}: {mrkdwn(a.text)} — <@{a.owner_id}>")
        for a, _title in rows
        if a.due_on is not None
    ]


def blockers(ctx: SectionContext) -> list[Item]:
    rows = ctx.session.scalars(
        select(StandupBlocker)
        .join(Standup, Standup.id == StandupBlocker.standup_id)
        .where(
            Standup.team_id == ctx.team_id,
            Standup.channel_id == ctx.channel_id,
            StandupBlocker.cleared_at.is_(None),
            StandupBlocker.raised_on <= ctx.day - timedelta(days=BLOCKER_DAYS),
        )
        .order_by(StandupBlocker.raised_on, StandupBlocker.id)
    )
    return [
        Item(5, f":construction: <@{b.user_id}> blocked since {b.raised_on:%a %d %b}: {mrkdwn(b.text)}") for b in rows
    ]


def objectives(ctx: SectionContext) -> list[Item]:
    pi = pi_service.active_pi(ctx.session, ctx.team_id, ctx.channel_id)
    if pi is None:
        return []
    shown = {"at_risk": ":large_yellow_circle: at risk", "off_track": ":red_circle: off track"}
    return [
        Item(6, f"{shown[o.status]}: PI objective {mrkdwn(o.title)} — <@{o.owner_id}> · {o.progress}%")
        for o in pi_service.objectives(ctx.session, pi.id)
        if o.status in shown
    ]


SOURCES: list[tuple[str, Callable[[SectionContext], list[Item]]]] = [
    ("spend", spend),
    ("gpu", gpus),
    ("runs", runs),
    ("retro", retro_actions),
    ("standup", blockers),
    ("pi", objectives),
]


def collect(ctx: SectionContext, extra: list[str] | None = None) -> list[str]:
    """Every item in rank order; `extra` are the lines the sections contributed (`Section.attention`)."""
    found: list[Item] = [Item(2, line) for line in extra or []]
    for name, source in SOURCES:
        try:
            found.extend(source(ctx))
        except Exception:  # noqa: BLE001 — one broken source must not hide the others' items
            log.exception("digest attention source failed source=%s channel=%s", name, ctx.channel_id)
    return [item.text for item in sorted(found, key=lambda i: i.rank)]


def _since(ctx: SectionContext) -> datetime:
    return (ctx.since or ctx.now - timedelta(days=1)).astimezone(UTC)
