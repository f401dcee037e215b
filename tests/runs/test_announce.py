"""Finished runs announced through the real job runner and outbox, from a real SQLite MLflow store."""

from __future__ import annotations

from sqlalchemy import select

from reports.runs.demo import register
from reports.runs.models import RunWatch
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run, text


def _watch(signed, database, args: str) -> RunWatch:
    body = signed.command("/runs", f"watch {args}").json()
    assert body["response_type"] == "ephemeral", body
    with database.session() as s:
        return s.scalars(select(RunWatch).order_by(RunWatch.id.desc())).first()


def test_challenger_beating_the_champion_gets_exact_deltas_verdict_and_promote_button(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(
        mlflow,
        exp,
        "gbm-base",
        -120,
        -60,
        metrics={"val_auc": 0.80, "val_loss": 0.50, "epochs": 10},
        params={"lr": "0.1", "depth": "6"},
    )
    register(mlflow, "churn-model", champ, alias="champion")
    body = signed.command("/runs", "watch churn primary=val_auc model=churn-model").json()
    assert (
        "<#C0001> now gets finished runs of *churn*, primary metric `val_auc`, champion `churn-model@champion`"
        in body["text"]
    )
    with database.session() as s:
        watch = s.scalars(select(RunWatch)).one()
    challenger = run(
        mlflow,
        exp,
        "gbm-deep",
        1,
        3,
        metrics={"val_auc": 0.84, "val_loss": 0.45, "epochs": 12},
        params={"lr": "0.05", "depth": "6", "dropout": "0.2"},
        tags={"team": "retention"},
    )

    assert poll(runtime, clock, deliver, watch.id)

    [card] = slack.posted("C0001")
    lines = text(card).splitlines()
    link = f"<{UI}#/experiments/{exp}/runs/{challenger}|gbm-deep>"
    assert lines == [
        "# Run finished: gbm-deep",
        f"*churn* · {link}",
        ":trophy: *Challenger beats champion on `val_auc`*",
        "Baseline: *champion* — `churn-model@champion` version 1 "
        f"(run <{UI}#/experiments/{exp}/runs/{champ}|gbm-base>)",
        "🟢 `val_auc` 0.84 vs 0.8: +0.04 (+5.0%) better",
        "• `epochs` 12 vs 10: +2 (+20.0%)",
        "🟢 `val_loss` 0.45 vs 0.5: -0.05 (-10.0%) better",
        "Params changed: `lr` 0.1 → 0.05, `dropout` ∅ → 0.2",  # changed values before added ones
        "Duration 2m 00s  User ada  Tags: team=retention",
        "cost unknown: the run has no `host` or `k8s.pod` tag",
        "[Promote to champion]",
    ]
    assert card["text"].startswith("Run gbm-deep finished in churn. :trophy: Challenger beats champion on val_auc")
    assert card["blocks"][-1]["elements"][0]["value"] == f"{watch.id}:{challenger}"


def test_a_worse_run_does_not_beat_and_gets_no_button(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    run(mlflow, exp, "worse", 1, 2, metrics={"val_auc": 0.78})
    poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    body = text(card)
    assert "*Challenger does not beat champion on `val_auc`*" in body
    assert "🔴 `val_auc` 0.78 vs 0.8: -0.02 (-2.5%) worse" in body
    assert "Promote" not in body


def test_without_a_registered_model_the_best_earlier_run_is_the_baseline(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("forecast")
    run(mlflow, exp, "a", -300, -240, metrics={"rmse": 12.0})
    best = run(mlflow, exp, "b", -200, -180, metrics={"rmse": 10.0})
    run(mlflow, exp, "c", -100, -90, metrics={"rmse": 11.0})
    run(mlflow, exp, "crashed", -50, -40, metrics={"rmse": 1.0}, status="FAILED")
    watch = _watch(signed, database, "forecast")
    run(mlflow, exp, "d", 1, 2, metrics={"rmse": 9.5})
    poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    body = text(card)
    assert (
        f"Baseline: *best finished run* of the experiment on `rmse` — <{UI}#/experiments/{exp}/runs/{best}|b>" in body
    )
    assert "🟢 `rmse` 9.5 vs 10: -0.5 (-5.0%) better" in body
    assert ":trophy: *Challenger beats the best run on `rmse`*" in body


def test_a_run_that_ended_earlier_in_the_same_poll_is_the_best_baseline_of_the_next(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("forecast")
    old = run(mlflow, exp, "old", -100, -90, metrics={"rmse": 10.0})
    watch = _watch(signed, database, "forecast")
    first = run(mlflow, exp, "first", 1, 2, metrics={"rmse": 8.0})
    run(mlflow, exp, "second", 1, 3, metrics={"rmse": 9.0})
    poll(runtime, clock, deliver, watch.id)
    one, two = (text(m) for m in slack.posted("C0001"))
    link = lambda rid, name: f"<{UI}#/experiments/{exp}/runs/{rid}|{name}>"  # noqa: E731
    assert f"Baseline: *best finished run* of the experiment on `rmse` — {link(old, 'old')}" in one
    assert "🟢 `rmse` 8 vs 10: -2 (-20.0%) better" in one
    assert f"Baseline: *best finished run* of the experiment on `rmse` — {link(first, 'first')}" in two
    assert "🔴 `rmse` 9 vs 8: +1 (+12.5%) worse" in two
    assert ":trophy:" not in two
    with database.session() as s:
        assert s.get(RunWatch, watch.id).best_run_id == first


def test_without_a_known_direction_the_previous_run_of_the_same_name_is_the_baseline(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("embeddings")
    run(mlflow, exp, "nightly", -300, -290, metrics={"throughput": 90.0})
    previous = run(mlflow, exp, "nightly", -100, -90, metrics={"throughput": 100.0})
    run(mlflow, exp, "other", -80, -70, metrics={"throughput": 500.0})
    watch = _watch(signed, database, "embeddings")
    run(mlflow, exp, "nightly", 1, 2, metrics={"throughput": 110.0})
    poll(runtime, clock, deliver, watch.id)
    body = text(slack.posted("C0001")[0])
    assert (
        f"Baseline: *previous finished run* named `nightly` — <{UI}#/experiments/{exp}/runs/{previous}|nightly>" in body
    )
    assert "• `throughput` 110 vs 100: +10 (+10.0%)" in body  # neutral: no colour, no verdict word
    assert "🟢" not in body and "🔴" not in body
    assert "*No verdict*: the primary metric is not set." in body


def test_the_first_run_has_no_baseline_and_says_so(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("fresh")
    watch = _watch(signed, database, "fresh primary=val_f1")
    run(mlflow, exp, "first", 1, 2, metrics={"val_f1": 0.5})
    poll(runtime, clock, deliver, watch.id)
    body = text(slack.posted("C0001")[0])
    assert "No baseline yet: no champion, no earlier finished run with `val_f1`, no earlier run named `first`." in body


def test_failed_run_is_a_top_level_note_with_mlflows_reason_and_a_brief_dm_to_its_user(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn primary=val_auc")
    run(mlflow, exp, "good", 1, 2, metrics={"val_auc": 0.8})
    poll(runtime, clock, deliver, watch.id)
    failed = run(mlflow, exp, "oom", 6, 8, status="FAILED", user="grace", tags={"error": "CUDA out of\nmemory"})
    killed = run(mlflow, exp, "stopped", 6, 9, status="KILLED", user="someone")
    poll(runtime, clock, deliver, watch.id)
    posts = slack.posted()
    assert len(posts) == 4
    note = (
        f":x: Run <{UI}#/experiments/{exp}/runs/{failed}|oom> in *churn* failed after 2m 00s (grace). "
        "Reason: CUDA out of memory"
    )
    channel = [p for p in posts[1:] if p["channel"] == "C0001"]
    assert channel == [  # not in the thread of an unrelated card
        {"channel": "C0001", "text": note},
        {
            "channel": "C0001",
            "text": f":x: Run <{UI}#/experiments/{exp}/runs/{killed}|stopped> in *churn* was killed after 3m 00s "
            "(someone). MLflow has no reason recorded (set an `error` tag on failure to see it here).",
        },
    ]
    assert [p for p in posts if p["channel"] == "U0002"] == [{"channel": "U0002", "text": note}]


def test_two_channels_watching_one_experiment_send_one_dm_per_failed_run(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    first = _watch(signed, database, "churn primary=val_auc")
    second = _watch(signed, database, "churn <#C0002|other> primary=val_auc")
    run(mlflow, exp, "oom", 1, 2, status="FAILED", user="grace")
    poll(runtime, clock, deliver, first.id)
    poll(runtime, clock, deliver, second.id)
    assert len(slack.posted("C0001")) == len(slack.posted("C0002")) == 1
    assert len(slack.posted("U0002")) == 1


def test_runs_that_ended_before_the_watch_started_are_not_announced(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    runs_yaml["lookback_seconds"] = 120
    exp = mlflow.create_experiment("churn")
    for n in range(6):  # within the 120 s lookback before `/runs watch`: history, not news (nor a sweep)
        run(mlflow, exp, f"before-{n}", -3, -1.5 + n * 0.2, metrics={"val_auc": 0.8})
    watch = _watch(signed, database, "churn primary=val_auc")
    run(mlflow, exp, "after", 1, 2, metrics={"val_auc": 0.81})
    poll(runtime, clock, deliver, watch.id)
    assert [p["text"].split(".")[0] for p in slack.posted("C0001")] == ["Run after finished in churn"]


def test_a_failed_run_whose_mlflow_user_is_an_email_is_dmed_to_that_slack_user(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn primary=val_auc")
    failed = run(mlflow, exp, "oom", 1, 2, status="FAILED", user="ravi@example.com")
    run(mlflow, exp, "lost", 1, 3, status="FAILED", user="nobody@example.com")
    poll(runtime, clock, deliver, watch.id)
    note = (
        f":x: Run <{UI}#/experiments/{exp}/runs/{failed}|oom> in *churn* failed after 1m 00s (ravi@example.com). "
        "MLflow has no reason recorded (set an `error` tag on failure to see it here)."
    )
    assert [p["text"] for p in slack.posted("U0003")] == [note]
    assert [c.params["email"] for c in slack.calls_to("users.lookupByEmail", ok_only=False)] == [
        "ravi@example.com",
        "nobody@example.com",
    ]
    assert len(slack.posted("C0001")) == 2  # both still noted in the channel
    assert {p["channel"] for p in slack.posted()} == {"C0001", "U0003"}
