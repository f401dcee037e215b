"""The digest's Needs attention names what a lead acts on from the runs: a challenger that beats the
champion, and failed runs by their run name (not an id), from what the poll stored."""

from __future__ import annotations

from datetime import timedelta

from bot import jobs
from reports.runs.demo import register
from tests.digest import view
from tests.runs.helpers import poll, run


def test_needs_attention_names_the_challenger_that_beats_the_champion_and_failed_runs(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "gbm-base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    signed.command("/runs", "watch churn primary=val_auc model=churn-model")
    signed.command("/ritual", "digest on 09:00 UTC")
    run(mlflow, exp, "gbm-deep", 1, 3, metrics={"val_auc": 0.84})
    run(mlflow, exp, "lr-too-high", 2, 4, metrics={"val_auc": 0.5}, status="FAILED")
    poll(runtime, clock, deliver, 1, minutes=10)
    clock.advance(timedelta(days=1))
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).ran
    deliver()
    top = view.digests(slack)[-1]
    shown = view.sections(top)
    assert "|gbm-deep> in *churn* beats the champion on `val_auc` (0.84 vs 0.8)" in shown
    assert ":x: Run <http://mlflow.test/#/experiments/1/runs/" in shown
    assert "|lr-too-high> in *churn* failed" in shown
