"""/runs latest, /runs compare, bad input, and the seed-noise verdict, through the signed endpoint."""

from __future__ import annotations

from sqlalchemy import func, select

from reports.runs.models import RunWatch
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run, text


def test_latest_shows_the_newest_finished_run_against_its_baseline_only_to_the_caller(signed, mlflow, slack):
    exp = mlflow.create_experiment("churn")
    run(mlflow, exp, "a", -100, -90, metrics={"val_auc": 0.8})
    run(mlflow, exp, "b", -80, -70, metrics={"val_auc": 0.82})
    run(mlflow, exp, "running-late", -60, -50, metrics={"val_auc": 0.99}, status="FAILED")
    body = signed.command("/runs", "latest churn").json()
    assert body["response_type"] == "ephemeral"
    lines = text(body).splitlines()
    assert lines[0] == "# Run finished: b"
    assert "🟢 `val_auc` 0.82 vs 0.8: +0.02 (+2.5%) better" in lines
    assert slack.posted() == []


def test_compare_gives_run_b_deltas_against_run_a(signed, mlflow):
    exp = mlflow.create_experiment("churn")
    a = run(mlflow, exp, "a", -100, -90, metrics={"val_loss": 0.5, "val_f1": 0.6}, params={"lr": "0.1"})
    b = run(mlflow, exp, "b", -80, -70, metrics={"val_loss": 0.55, "val_f1": 0.66}, params={"lr": "0.2"})
    body = signed.command("/runs", f"compare {a} {b} primary=val_f1").json()
    lines = text(body).splitlines()
    assert lines[2:] == [
        ":trophy: *Challenger beats the other run on `val_f1`*",
        f"Compared with <{UI}#/experiments/{exp}/runs/{a}|a>",
        "🟢 `val_f1` 0.66 vs 0.6: +0.06 (+10.0%) better",
        "🔴 `val_loss` 0.55 vs 0.5: +0.05 (+10.0%) worse",
        "Params changed: `lr` 0.1 → 0.2",
        "Duration 10m 00s  User ada",
    ]


def test_bad_input_gets_actionable_ephemeral_answers_and_stores_nothing(signed, database, mlflow):
    mlflow.create_experiment("churn")
    cases = {
        "watch": "Name the experiment",
        "watch nope": "MLflow has no active experiment named or numbered `nope`",
        "watch churn model=ghost": "MLflow has no registered model `ghost`",
        "watch churn speed=fast": "`speed=fast` is not an option here",
        "watch churn #general": "pick it from Slack's autocomplete",
        'watch "churn': "A quote is not closed",
        "compare abc": "two run ids",
        "compare abc def": "MLflow has no run `abc`",
        "latest": "Name the experiment",
        "unwatch churn": "This channel does not watch `churn`",
        "dance": "I don't know `/runs dance`",
    }
    for args, expected in cases.items():
        body = signed.command("/runs", args).json()
        assert body["response_type"] == "ephemeral", args
        assert expected in body["text"], (args, body["text"])
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(RunWatch)) == 0


def test_watch_another_channel_list_and_unwatch(signed, database, mlflow):
    mlflow.create_experiment("churn model")
    body = signed.command("/runs", 'watch "churn model" <#C0999|ml-news> primary=val_auc').json()
    assert body["text"].startswith("<#C0999> now gets finished runs of *churn model*")
    assert "No experiment" not in signed.command("/runs", "list", channel="C0999").json()["text"]
    assert "*churn model*" in signed.command("/runs", "list", channel="C0999").json()["text"]
    assert (
        "Stopped announcing *churn model*"
        in signed.command("/runs", 'unwatch "churn model"', channel="C0999").json()["text"]
    )
    assert "watches no experiment" in signed.command("/runs", "list", channel="C0999").json()["text"]


def test_a_win_inside_the_seed_spread_is_called_noise_not_a_win(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    config = {"lr": "0.1", "depth": "6"}
    # the baseline's configuration, run with three seeds: val_auc spread 0.81 - 0.79 = 0.02
    for seed, auc in (("1", 0.80), ("2", 0.81), ("3", 0.79)):
        run(
            mlflow,
            exp,
            f"base-s{seed}",
            -100,
            -90 + int(seed),
            metrics={"val_auc": auc},
            params={**config, "seed": seed},
        )
    run(
        mlflow,
        exp,
        "other-config",
        -100,
        -95,
        metrics={"val_auc": 0.70},
        params={"lr": "0.3", "depth": "6", "seed": "9"},
    )
    signed.command("/runs", "watch churn primary=val_auc")
    with database.session() as s:
        watch = s.scalars(select(RunWatch)).one()
    run(mlflow, exp, "tweak", 1, 2, metrics={"val_auc": 0.825}, params={"lr": "0.1", "depth": "7", "seed": "1"})
    run(mlflow, exp, "big-win", 1, 3, metrics={"val_auc": 0.86}, params={"lr": "0.1", "depth": "8", "seed": "1"})
    poll(runtime, clock, deliver, watch.id)
    tweak, big = (text(p) for p in slack.posted("C0001"))
    # best earlier run is base-s2 (0.81): +0.015 is within the 0.02 spread over 3 seeds
    assert (
        ":game_die: *Within noise on `val_auc`*: the change +0.015 is inside the seed-to-seed spread of "
        "0.02 (3 seeds), so it is not a win." in tweak
    )
    assert "Promote" not in tweak
    # tweak ended first and is the best run when big-win ends (as if a poll had run in between);
    # tweak's configuration has one seed only, so there is no spread to be within
    assert ":trophy: *Challenger beats the best run on `val_auc`*" in big
    assert "🟢 `val_auc` 0.86 vs 0.825: +0.035 (+4.2%) better" in big
    assert "noise" not in big
