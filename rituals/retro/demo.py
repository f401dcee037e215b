"""`ritualbot demo`: a finished retro (yesterday's) with anonymous and named items, a named group, a team
health check, votes and an action filed as a stage ticket; today's retro reviews it with the ticket's state."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.demo_context import DemoContext
from rituals.retro import action_tickets, boards, followup, groups, health, health_step, items, service
from rituals.retro.models import Retro, RetroAction
from rituals.tickets import notify
from rituals.tickets import service as tickets
from rituals.tickets.setup import TicketSetup


def run(ctx: DemoContext) -> None:
    ada, grace, ravi = (u.id for u in ctx.users)
    never = lambda: False  # noqa: E731 — the facilitator acts, no admin override needed
    with ctx.session() as s:
        retro = service.start_retro(
            s,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            facilitator=ada,
            board=boards.BUILT_IN["4ls"],
            title="Sprint 47",
            now=ctx.at(14, 0, days=-1),
        )
        rid = retro.id
        for user in (ada, grace, ravi):
            service.join(s, retro, user)
        health_step.start(s, retro, {"health": {"templates": ["4ls"]}}, ctx.at(14, 1, days=-1))
        for user, scores in ((ada, [4, 3, 4, 4, 4, 3]), (grace, [4, 2, 5, 4, 5, 3]), (ravi, [3, 2, 4, 5, 4, 2])):
            health.answer(s, rid, dict(enumerate(scores)), team_id=ctx.team_id, user=user)
        items.add_item(
            s,
            rid,
            team_id=ctx.team_id,
            author=grace,
            column="liked",
            text="The new feature store made backfills painless",
            anonymous=False,
            now=ctx.at(14, 5, days=-1),
        )
        flaky = items.add_item(
            s,
            rid,
            team_id=ctx.team_id,
            author=ravi,
            column="lacked",
            text="GPU quota for the sweep; runs queued for two days",
            anonymous=True,
            now=ctx.at(14, 8, days=-1),
        ).item.id
        quota = items.add_item(
            s,
            rid,
            team_id=ctx.team_id,
            author=ada,
            column="lacked",
            text="Nobody owned the training-queue alerts",
            anonymous=False,
            now=ctx.at(14, 9, days=-1),
        ).item.id
        items.add_item(
            s,
            rid,
            team_id=ctx.team_id,
            author=grace,
            column="learned",
            text="Eval on the holdout set caught the leak",
            anonymous=True,
            now=ctx.at(14, 10, days=-1),
        )
        service.advance(
            s, rid, team_id=ctx.team_id, from_phase="collect", actor=ada, is_admin=never, now=ctx.at(14, 20, days=-1)
        )
        group = items.merge(
            s, rid, [flaky, quota], team_id=ctx.team_id, actor=ada, is_admin=never, now=ctx.at(14, 22, days=-1)
        ).id  # ids are random: the group's lead may be either item
        groups.edit(
            s, rid, group, title="Training queue", split_out=[], team_id=ctx.team_id, actor=ada, is_admin=never,
            now=ctx.at(14, 23, days=-1),
        )  # fmt: skip
        service.advance(
            s, rid, team_id=ctx.team_id, from_phase="group", actor=ada, is_admin=never, now=ctx.at(14, 25, days=-1)
        )
        for voter, votes in ((ada, 2), (grace, 3), (ravi, 2)):
            for _ in range(votes):
                items.vote(s, rid, group, team_id=ctx.team_id, voter=voter, now=ctx.at(14, 27, days=-1))
        service.advance(
            s, rid, team_id=ctx.team_id, from_phase="vote", actor=ada, is_admin=never, now=ctx.at(14, 30, days=-1)
        )
        followup.add_action(
            s,
            rid,
            team_id=ctx.team_id,
            item_id=group,
            owner=ravi,
            text="Alert on queue time > 4h and name an owner",
            due_on=date(ctx.day.year, ctx.day.month, ctx.day.day),
            actor=ada,
            now=ctx.at(14, 40, days=-1),
        )
        service.close(s, rid, team_id=ctx.team_id, actor=ada, is_admin=never, now=ctx.at(14, 50, days=-1))
    ctx.deliver()
    _add_to_tracker(ctx, rid, ravi)
    with ctx.session() as s:  # today's retro opens with the review of yesterday's actions and carried items
        service.start_retro(
            s,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            facilitator=grace,
            board=boards.BUILT_IN["wwi"],
            title="Sprint 48",
            now=ctx.at(10, 0),
        )
    ctx.deliver()


def _add_to_tracker(ctx: DemoContext, retro_id: int, owner: str) -> None:
    """What *Add to tracker* on the action and the tickets form's submission do: the action becomes a stage
    ticket, linked to the action's message, so the next retro's review shows the ticket's state."""
    with ctx.session() as s:
        retro = s.get(Retro, retro_id)
        action = s.scalars(select(RetroAction).where(RetroAction.retro_id == retro_id)).one()
        assert retro is not None
        where = action_tickets.origin(s, retro, action)
        setup = TicketSetup.from_settings(ctx.runtime.settings)
        stage = next((st for st in setup.stages if "Deploy" in st.name or "Monitor" in st.name), setup.stages[0])
        draft = tickets.new_draft(
            s,
            team_id=ctx.team_id,
            user_id=owner,
            channel_id=retro.channel_id,
            now=ctx.at(15, 5, days=-1),
            stage=stage.name,
            summary=action.text,
            description=f"Action from the retro “{retro.title}”: owner <@{owner}>.",
            assignee=owner,
            origin_channel=retro.channel_id,
            origin_ts=where.ts,
        )
        filed = tickets.submit(s, setup, draft, now=ctx.clock.now())
        notify.filed(s, filed, channel=retro.channel_id, team_id=ctx.team_id, now=ctx.clock.now())
    ctx.deliver()
