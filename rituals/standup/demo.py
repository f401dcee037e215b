"""The demo's standup day: three members in Berlin, Los Angeles and Kolkata, asked at 09:00 their time,
answering by DM thread and by modal, a blocker, a nudge, the digest, the blocker filed as a stage ticket
(as its *File a ticket* form would), a late answer updating the digest, and the blocker cleared with its
ticket closed. Ada's ask is prefilled with yesterday's evidence (runs finished, an idle GPU of hers),
seeded here as the runs poller and the GPU report store it: their own demos run later in the day, so the
seed (and the GPU owner map) is removed once the ask went out and they start clean."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from bot import jobs
from bot.demo_context import DemoContext
from bot.models import OutboxMessage
from reports.gpu.models import GpuDay
from reports.gpu.sources.sample import DEMO_FLEET
from reports.runs.models import AnnouncedRun, RunWatch
from rituals.standup import answers, blocker_tickets, daily, publish, service
from rituals.standup.ids import Job
from rituals.standup.models import StandupBlocker, StandupEntry
from rituals.tickets import notify
from rituals.tickets import service as tickets


def run(ctx: DemoContext) -> None:
    with ctx.session() as s:
        standup = service.save(
            s,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            user_id="UADA",
            now=ctx.clock.now(),
            form=service.SetupForm(
                participants={u.id: u.tz for u in ctx.users},
                days=[1, 2, 3, 4, 5],
                ask_time="09:00",
                questions=list(service.DEFAULT_QUESTIONS),
                blocker_number=3,
                digest_time="19:00",
                timezone="Europe/Berlin",
                reminder_minutes=30,
                name="ML team standup",
            ),
        )
        sid = standup.id
    _ask(ctx, sid, "URAVI", 3, 30)
    for n, text in enumerate(
        ["Trained the baseline on the new split", "Tune the LR schedule", "Waiting on GPU quota for the 8xA100 node"]
    ):
        ctx.at(3, 40 + n)
        _dm(ctx, sid, "URAVI", text, n)
    ctx.at(8, 0)
    seeded, settings = _seed_evidence(ctx), ctx.runtime.settings
    gpu = {"sources": [{"type": "sample", "path": str(DEMO_FLEET)}], "users": {"ada": "UADA"}}
    ctx.runtime.settings = dataclasses.replace(settings, file={**settings.file, "gpu": gpu})
    entry = _ask(ctx, sid, "UADA", 8, 0)
    ctx.runtime.settings = settings
    _unseed(ctx, seeded)
    ctx.at(8, 12)
    with ctx.session() as s:
        daily.submit(
            s, ctx.team_id, "UADA", entry, ["Wrote the feature loader", "Review Ravi's PR", "none"], ctx.clock.now()
        )
    ctx.deliver()
    _ask(ctx, sid, "UGRACE", 17, 0)
    ctx.at(17, 30)
    jobs.run(Job.REMIND, f"{sid}:UGRACE", rt=ctx.runtime)
    ctx.deliver()
    ctx.at(18, 0)
    jobs.run(Job.DIGEST, str(sid), rt=ctx.runtime)
    ctx.deliver()
    ctx.at(18, 10)
    blocker_id = _file_ticket(ctx, "URAVI")
    ctx.at(18, 20)
    with ctx.session() as s:
        grace = s.query(StandupEntry).filter_by(standup_id=sid, user_id="UGRACE").one().id
        daily.submit(
            s, ctx.team_id, "UGRACE", grace, ["Data audit", "Dashboards for the eval runs", "-"], ctx.clock.now()
        )
    ctx.deliver()
    ctx.at(18, 40)
    with ctx.session() as s:
        blocker = answers.clear_blocker(s, ctx.team_id, blocker_id, "URAVI", ctx.clock.now())
        standup = service.get(s, ctx.team_id, sid)
        publish.refresh_day(s, standup, publish.get_day(s, standup, blocker.raised_on), ctx.clock.now())
        blocker_tickets.close(s, ctx.runtime.settings, ctx.team_id, blocker_id, "URAVI", ctx.clock.now())
    ctx.deliver()
    ctx.clock.set(datetime.combine(ctx.day, time(0, 0), tzinfo=UTC))


def _seed_evidence(ctx: DemoContext) -> tuple[int, int]:
    """Three churn-v2 runs of Ada's that finished yesterday (the best val_auc 0.874) and her idle GPU."""
    now = ctx.clock.now()
    with ctx.session() as s:
        watch = RunWatch(
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            experiment_id="demo-evidence",
            experiment_name="churn-v2",
            primary_metric="val_auc",
            watermark_ms=0,
            created_by="UADA",
            created_at=now - timedelta(days=2),
            best_metric="val_auc",
            best_run_id="r2",
            best_value=0.874,
        )
        s.add(watch)
        s.flush()
        for n in range(3):
            end = now - timedelta(hours=14 - n)
            s.add(
                AnnouncedRun(
                    watch_id=watch.id,
                    run_id=f"r{n + 1}",
                    status="FINISHED",
                    kind="card",
                    announced_at=end,
                    end_time_ms=int(end.timestamp() * 1000),
                )
            )
        gpu = GpuDay(
            day=(now - timedelta(days=1)).date(),
            gpu_key="demo-evidence/train-b/0",
            source="demo",
            host="train-b",
            gpu="0",
            model="A100",
            instance_id="",
            instance_type="",
            owner="ada",
            team="ml",
            allocated_h=24,
            idle_h=24,
            held_h=0,
            nodata_h=0,
            streak_h=24,
            price=Decimal("12.291667"),
            currency="USD",
            fetched_at=now,
        )
        s.add(gpu)
        s.flush()
        return watch.id, gpu.id


def _unseed(ctx: DemoContext, seeded: tuple[int, int]) -> None:
    watch_id, gpu_id = seeded
    with ctx.session() as s:
        for run in s.query(AnnouncedRun).filter_by(watch_id=watch_id):
            s.delete(run)
        s.delete(s.get(RunWatch, watch_id))
        s.delete(s.get(GpuDay, gpu_id))


def _file_ticket(ctx: DemoContext, user: str) -> int:
    """What *File a ticket* on the digest's blocker and the tickets form's submission do."""
    with ctx.session() as s:
        blocker = s.query(StandupBlocker).filter_by(user_id=user).one()
        where = blocker_tickets.origin(s, ctx.team_id, blocker.id, "")
        setup = blocker_tickets.setup_of(ctx.runtime.settings)
        stage = next((st for st in setup.stages if "Model" in st.name), setup.stages[0])
        draft = tickets.new_draft(
            s,
            team_id=ctx.team_id,
            user_id=user,
            channel_id=where.channel,
            now=ctx.clock.now(),
            stage=stage.name,
            summary=blocker.text,
            description=f"Blocker raised by <@{user}> in the standup “{where.standup.name}”.",
            origin_channel=where.channel,
            origin_ts=where.ts,
        )
        filed = tickets.submit(s, setup, draft, now=ctx.clock.now())
        notify.filed(s, filed, channel=where.channel, team_id=ctx.team_id, now=ctx.clock.now())
        blocker_id = blocker.id
    ctx.deliver()
    return blocker_id


def _ask(ctx: DemoContext, sid: int, user: str, hour: int, minute: int) -> int:
    ctx.at(hour, minute)
    jobs.run(Job.ASK, f"{sid}:{user}", rt=ctx.runtime)
    ctx.deliver()
    with ctx.session() as s:
        return s.query(StandupEntry).filter_by(standup_id=sid, user_id=user).one().id


def _dm(ctx: DemoContext, sid: int, user: str, text: str, n: int) -> None:
    with ctx.session() as s:
        entry = s.query(StandupEntry).filter_by(standup_id=sid, user_id=user).one()
        ask = s.get(OutboxMessage, entry.ask_message_id)
        assert ask is not None, "the ask job posted the question"
        daily.dm_message(s, ctx.team_id, user, f"{ask.ts}{n}", ask.ts, text, ctx.clock.now())
    ctx.deliver()
