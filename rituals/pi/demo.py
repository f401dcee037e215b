"""`ritualbot demo`: a PI mid-flight (week 8 of 11) with an ML hypothesis on the runs demo's MLflow
experiment (so it runs after the runs demo), a committed plan, a closed confidence vote, two weeks of
check-ins and a risk; the simulated day then measures the hypothesis (the owner is told which run met
it) and runs today's check-in DMs, reminders and summary."""

from __future__ import annotations

from datetime import date

from bot.demo_context import DemoContext
from rituals.pi import checkins, hypotheses, measure, plan, service, votes
from rituals.pi.hypotheses import HypothesisInput


def run(ctx: DemoContext) -> None:
    ada, grace, ravi = (u.id for u in ctx.users)
    with ctx.session() as s:
        measure.refresh_catalog(s, ctx.runtime.settings, ctx.at(7, 0))  # what the `pi.catalog` job reads
        experiment_id = next(c.experiment_id for c in hypotheses.catalog(s) if c.name == "churn-model")
    churn = HypothesisInput(f"{experiment_id}:val_auc", ">=", "0.85", "", "0", "0.80", "3")
    with ctx.session() as s:
        pi = service.create_pi(
            s,
            team_id=ctx.team_id,
            actor=ada,
            now=ctx.at(8, 0, days=-49),
            data=service.PiInput(
                "PI 2026.4", date(2026, 10, 5), date(2026, 12, 18), 0, "10:00", ctx.channel_id, "Europe/Berlin"
            ),
        )
        objectives = [
            ("Churn model v2 beats the baseline", "8", True, grace, churn),
            ("Feature store backfill for 2025", "5", True, ravi, None),
            ("LLM ticket-triage prototype", "3", False, ada, None),
        ]
        ids = []
        for title, bv, committed, owner, hypothesis in objectives:
            ids.append(
                service.save_objective(
                    s,
                    pi,
                    service.ObjectiveInput(title, "", bv, committed, owner, hypothesis=hypothesis),
                    actor=ada,
                    now=ctx.at(8, 30, days=-49),
                ).id
            )
        plan.commit(s, pi, service.objectives(s, pi.id), actor=ada, now=ctx.at(8, 45, days=-49))
        vote = votes.start(s, pi, facilitator=ada, now=ctx.at(9, 0, days=-49))
        for user, score in ((ada, 4), (grace, 3), (ravi, 4)):
            votes.cast(s, vote.id, team_id=ctx.team_id, user=user, score=score, now=ctx.at(9, 5, days=-49))
        votes.close(s, vote.id, team_id=ctx.team_id, actor=ada, is_admin=lambda: False, now=ctx.at(9, 30, days=-49))
        for days, updates in (
            (-14, [("on_track", "55"), ("on_track", "60"), ("on_track", "20")]),
            (-7, [("at_risk", "62"), ("on_track", "75"), ("on_track", "40")]),
        ):
            for objective_id, owner, (status, progress) in zip(ids, (grace, ravi, ada), updates, strict=True):
                checkins.record(
                    s,
                    objective_id,
                    team_id=ctx.team_id,
                    user=owner,
                    status=status,
                    progress=progress,
                    note="",
                    now=ctx.at(11, 0, days=days),
                )
        service.add_risk(
            s,
            pi,
            description="Labelling vendor is two weeks late: the eval set is incomplete",
            owner_id=grace,
            roam="owned",
            actor=grace,
            now=ctx.at(12, 0, days=-6),
        )
        checkins.record(
            s,
            ids[2],
            team_id=ctx.team_id,
            user=ada,
            status="done",
            progress="100",
            note="Demoed to support; handing over",
            now=ctx.at(8, 30),
        )
    ctx.deliver()
