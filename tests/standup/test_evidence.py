"""The standup ask prefilled with evidence the bot already has (issue 24): the member's runs that
finished since their last standup (real MLflow runs, announced by the runs poller) and the GPUs they
own that sat idle (the GPU report's stored days), as a suggested first answer in the DM and as the
initial value of the form's first question."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot import jobs
from bot.config import Settings
from bot.models import OutboxMessage
from reports.gpu.models import GpuDay
from reports.runs.demo import log_run, ms
from reports.runs.models import AnnouncedRun, RunWatch
from rituals.standup import evidence
from rituals.standup.models import StandupEntry
from tests.runs.conftest import _mlflow_template, mlflow, mlflow_uri, runs_yaml  # noqa: F401 — fixtures
from tests.standup.helpers import Simulation, answer_values, blocks_text, dm, set_up, utc
from tests.standup.test_week_one import entry_of

ADA, GRACE = "U0001", "U0002"
EVIDENCE = "3 runs of churn-v2 finished, best val_auc 0.874; train-b/gpu0 idle 24 h, $295"


@pytest.fixture
def settings(settings: Settings, mlflow_uri: str, runs_yaml) -> Settings:  # noqa: F811
    gpu = {"sources": [{"type": "sample", "path": "reports/gpu/data/demo-fleet.json"}], "users": {"ada": ADA}}
    return replace(settings, mlflow_tracking_uri=mlflow_uri, file={**settings.file, "runs": runs_yaml, "gpu": gpu})


def _gpu_day(day: date, host: str, owner: str, idle_h: float, price: str = "12.291667") -> GpuDay:
    return GpuDay(
        day=day,
        gpu_key=f"{host}/0",
        source="prometheus",
        host=host,
        gpu="0",
        model="A100",
        instance_id="",
        instance_type="",
        owner=owner,
        team="ml",
        allocated_h=24,
        idle_h=idle_h,
        held_h=0,
        nodata_h=0,
        streak_h=idle_h,
        price=Decimal(price),
        currency="USD",
        fetched_at=utc(24, 1),
    )


def _poll(runtime, clock, when) -> None:
    clock.set(when)
    with runtime.database.session() as s:
        watch_id = s.scalars(select(RunWatch.id)).one()
    assert jobs.run("runs.poll", str(watch_id), rt=runtime).ran


def _asks(slack, user: str) -> list[dict]:
    return [p for p in slack.posted(user) if "thread_ts" not in p and p["blocks"][1:]]


@pytest.fixture
def tuesday(signed, slack, runtime, clock, deliver, database, mlflow):  # noqa: F811
    """Ada watches churn-v2 and answered Monday's standup; after it, 3 runs finished (and one failed),
    and her GPU train-b/gpu0 sat idle 24 h on Monday; Tuesday's ask has gone out."""
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], reminder="0")
    experiment = "churn-v2"
    exp = mlflow.create_experiment(experiment)
    assert signed.command("/runs", f"watch {experiment} primary=val_auc", user=ADA).status_code == 200
    log_run(mlflow, exp, "before", start=ms(utc(23, 6)), end=ms(utc(23, 7)), metrics={"val_auc": 0.80})
    _poll(runtime, clock, utc(23, 7, 30))
    sim.cursor = utc(23, 7, 30)
    sim.run_until(utc(23, 8, 5))
    signed.view_submission(
        "standup.answer", answer_values("a", "b", "no"), user=ADA, private_metadata=entry_of(slack, ADA)
    )
    for i, (auc, status) in enumerate([(0.85, "FINISHED"), (0.874, "FINISHED"), (0.5, "FAILED"), (0.86, "FINISHED")]):
        start = ms(utc(23, 10 + i))
        log_run(mlflow, exp, f"r{i}", start=start, end=start + 600_000, metrics={"val_auc": auc}, status=status)
    _poll(runtime, clock, utc(23, 15))
    with database.session() as s:
        s.add_all(
            [
                _gpu_day(date(2026, 11, 22), "train-b", "ada", 10),  # before her last standup
                _gpu_day(date(2026, 11, 23), "train-b", "ada", 24),
                _gpu_day(date(2026, 11, 23), "train-c", "grace", 24),  # not hers
            ]
        )
    sim.cursor = utc(23, 15)
    sim.run_until(utc(24, 8, 5))
    return sim


def test_the_ask_suggests_runs_finished_and_idle_gpus_since_the_last_standup(tuesday, slack, database):
    ask = _asks(slack, ADA)[-1]
    shown = blocks_text(ask)
    assert EVIDENCE in shown
    assert "Reply *ok* in this thread to keep it" in shown
    with database.session() as s:
        entries = {e.day: e for e in s.scalars(select(StandupEntry).where(StandupEntry.user_id == ADA))}
    assert entries[date(2026, 11, 24)].suggested == EVIDENCE
    grace = blocks_text(_asks(slack, GRACE)[-1])
    assert "Suggested" not in grace and "train-c" not in grace, "no evidence of hers: the plain ask"


def test_the_form_starts_with_the_suggestion_which_the_member_can_edit(tuesday, signed, slack, database):
    entry = entry_of(slack, ADA)
    signed.action("standup.open_answer", entry, user=ADA, channel=f"D{ADA}")
    modal = slack.calls_to("views.open")[-1].params["view"]
    assert modal["blocks"][1]["element"]["initial_value"] == EVIDENCE
    assert "initial_value" not in modal["blocks"][2]["element"]
    edited = EVIDENCE + " (r1 goes to review)"
    signed.view_submission("standup.answer", answer_values(edited, "t", "no"), user=ADA, private_metadata=entry)
    with database.session() as s:
        assert s.get(StandupEntry, int(entry)).answers[0] == edited


def test_ok_in_the_dm_thread_keeps_the_suggestion_and_other_text_replaces_it(tuesday, signed, slack, database):
    with database.session() as s:
        asks = s.scalars(
            select(OutboxMessage).where(OutboxMessage.ref.like("standup:ask:%")).order_by(OutboxMessage.id)
        )
        ask_ts = [m.ts for m in asks if m.channel and m.channel.endswith(ADA)][-1]
    signed.event(dm(ADA, "ok", "1800000900.000001", ask_ts))
    entry = int(entry_of(slack, ADA))
    with database.session() as s:
        assert s.get(StandupEntry, entry).answers[0] == EVIDENCE
    signed.event(dm(ADA, "Reviewed r1 instead", "1800000900.000002", ask_ts))
    with database.session() as s:
        answers = s.get(StandupEntry, entry).answers
    assert answers[:2] == [EVIDENCE, "Reviewed r1 instead"], "ok answers only the question it was suggested for"


def test_names_from_elsewhere_are_escaped_once_in_the_dm_and_kept_as_typed_in_the_form(
    signed,
    slack,
    runtime,
    clock,
    deliver,
    database,
    mlflow,  # noqa: F811
):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    exp = mlflow.create_experiment("churn<v3>&co")
    assert signed.command("/runs", "watch churn<v3>&co", user=ADA).status_code == 200
    log_run(mlflow, exp, "r", start=ms(utc(23, 6)), end=ms(utc(23, 7)))
    _poll(runtime, clock, utc(23, 7, 30))
    sim.cursor = utc(23, 7, 30)
    sim.run_until(utc(23, 8, 5))
    shown = blocks_text(_asks(slack, ADA)[-1])
    assert "1 run of churn&lt;v3&gt;&amp;co finished" in shown
    assert "&amp;amp;" not in shown and "<v3>" not in shown
    signed.action("standup.open_answer", entry_of(slack, ADA), user=ADA, channel=f"D{ADA}")
    modal = slack.calls_to("views.open")[-1].params["view"]
    assert modal["blocks"][1]["element"]["initial_value"] == "1 run of churn<v3>&co finished"


def test_evidence_counts_each_experiment_once_names_the_best_only_when_set_in_the_window_and_skips_unpriced_cost(
    database, settings
):
    now = utc(24, 8)
    since = now - timedelta(days=1)
    with database.session() as s:
        watches = [
            RunWatch(
                team_id="T0001",
                channel_id=c,
                experiment_id=e,
                experiment_name=n,
                watermark_ms=0,
                created_by=ADA,
                created_at=utc(20, 9),
                best_metric="val_auc",
                best_run_id=b,
                best_value=0.9,
            )
            for c, e, n, b in [("C1", "1", "churn", "old"), ("C2", "1", "churn", "old"), ("C1", "2", "ltv", "x1")]
        ]
        s.add_all(watches)
        s.flush()
        for watch, run, status, hours_ago in [
            (watches[0], "a", "FINISHED", 2),
            (watches[1], "a", "FINISHED", 2),  # the same run announced in a second channel
            (watches[0], "old", "FINISHED", 30),  # the best, but before the window
            (watches[2], "x1", "FINISHED", 3),
            (watches[2], "x2", "KILLED", 1),
        ]:
            end = now - timedelta(hours=hours_ago)
            s.add(
                AnnouncedRun(
                    watch_id=watch.id, run_id=run, status=status, end_time_ms=ms(end), kind="card", announced_at=end
                )
            )
        s.add_all([_gpu_day(date(2026, 11, 23), "a", "ada", 5, "0"), _gpu_day(date(2026, 11, 23), "b", ADA, 9)])
        s.flush()
        found = evidence.suggest(s, settings, "T0001", ADA, since, now)
        nothing = evidence.suggest(s, settings, "T0001", GRACE, since, now)
    assert (
        found
        == "1 run of churn finished; 1 run of ltv finished, best val_auc 0.9; b/gpu0 idle 9 h, $111; a/gpu0 idle 5 h"
    )
    assert nothing is None
