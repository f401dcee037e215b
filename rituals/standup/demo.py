"""The demo's standup day: three members in Berlin, Los Angeles and Kolkata, asked at 09:00 their time,
answering by DM thread and by modal, a blocker, a nudge, the digest and a late answer updating it."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot import jobs
from bot.demo_context import DemoContext
from bot.models import OutboxMessage
from rituals.standup import daily, service
from rituals.standup.ids import Job
from rituals.standup.models import StandupEntry


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
    entry = _ask(ctx, sid, "UADA", 8, 0)
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
    ctx.at(18, 20)
    with ctx.session() as s:
        grace = s.query(StandupEntry).filter_by(standup_id=sid, user_id="UGRACE").one().id
        daily.submit(
            s, ctx.team_id, "UGRACE", grace, ["Data audit", "Dashboards for the eval runs", "-"], ctx.clock.now()
        )
    ctx.deliver()
    ctx.clock.set(datetime.combine(ctx.day, time(0, 0), tzinfo=UTC))


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
        daily.dm_message(s, user, f"{ask.ts}{n}", ask.ts, text, ctx.clock.now())
    ctx.deliver()
