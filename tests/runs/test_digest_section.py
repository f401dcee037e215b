"""The MLflow runs section of the channel digest, through the real digest job and outbox."""

from __future__ import annotations

from datetime import timedelta

from bot import jobs
from tests.digest import view
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run


def _digest(slack) -> str:
    return view.sections(view.digests(slack)[-1])


def test_the_digest_counts_the_runs_since_the_last_digest_per_watched_experiment_with_the_best_so_far(
    signed, mlflow, runtime, clock, deliver, slack
):
    churn = mlflow.create_experiment("churn")
    mlflow.create_experiment("embeddings")
    signed.command("/runs", "watch churn primary=val_auc")
    signed.command("/runs", "watch embeddings")
    signed.command("/ritual", "digest on 09:00 UTC")
    run(mlflow, churn, "a", 1, 2, metrics={"val_auc": 0.81})
    best = run(mlflow, churn, "b", 1, 3, metrics={"val_auc": 0.85})
    run(mlflow, churn, "oom", 1, 4, status="FAILED")
    poll(runtime, clock, deliver, 1)
    poll(runtime, clock, deliver, 2)
    clock.advance(timedelta(hours=22, minutes=50))  # Tuesday 08:00: an overnight run counts
    run(
        mlflow, churn, "early", 22 * 60 + 55, 22 * 60 + 58, metrics={"val_auc": 0.80}
    )  # (the first digest: since Monday)
    poll(runtime, clock, deliver, 1)
    clock.advance(timedelta(hours=1))
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).ran
    deliver()

    body = _digest(slack)
    assert (
        "*MLflow runs* · since Mon 23 Nov 00:00\n"
        f"• *churn*: 3 finished, 1 failed or killed · best on `val_auc` so far: "
        f"<{UI}#/experiments/{churn}/runs/{best}|0.85>\n"
        "• *embeddings*: no runs finished"
    ) in body
    [[digest, *_thread]] = view.digests(slack)
    assert "4 MLflow runs finished (1 failed)" in digest["text"]


def test_a_channel_without_watches_has_no_runs_section(signed, runtime, clock, deliver, slack):
    signed.command("/ritual", "digest on 09:00 UTC")
    clock.advance(timedelta(days=1))
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).ran
    deliver()
    assert "MLflow runs" not in _digest(slack)
