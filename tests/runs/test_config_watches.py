"""Watches listed under `runs.watches` in ritualbot.yaml: started, announced, protected from
`/runs unwatch`, and stopped when taken out of the file, through the real job runner."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import jobs
from bot.config import Settings
from bot.errors import ConfigError
from handlers import CAPABILITIES as capabilities
from reports.runs import config as runs_config
from reports.runs.models import RunWatch
from tests.runs.helpers import poll, run


def _sync(runtime, clock) -> None:
    clock.advance(timedelta(minutes=5))  # one claim per poll slot
    assert jobs.run("runs.config", "", rt=runtime).ran


def _watches(database) -> list[RunWatch]:
    with database.session() as s:
        return list(s.scalars(select(RunWatch).order_by(RunWatch.id)))


def test_a_watch_from_the_file_starts_is_listed_scheduled_and_announces_runs(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    exp = mlflow.create_experiment("churn")
    run(mlflow, exp, "history", -100, -90, metrics={"val_auc": 0.80})
    runs_yaml["watches"] = [{"experiment": "churn", "channel": "C0001", "primary": "val_auc"}]
    _sync(runtime, clock)

    [watch] = _watches(database)
    assert (watch.channel_id, watch.experiment_id, watch.primary_metric, watch.team_id) == ("C0001", exp, "val_auc", "")
    listed = signed.command("/runs", "list").json()["text"]
    assert listed == f"• *churn* (id {exp}), primary `val_auc` — from ritualbot.yaml"
    with database.session() as s:
        wanted = {(d.job, d.scope) for d in capabilities.desired_jobs(s)}
    assert {("runs.poll", str(watch.id)), ("runs.config", "")} <= wanted

    run(mlflow, exp, "challenger", 6, 7, metrics={"val_auc": 0.85})
    assert poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    assert card["text"].startswith(
        "Run challenger finished in churn. :trophy: Challenger beats the best run on val_auc"
    )


def test_the_file_owns_its_watches_and_taking_one_out_stops_it(signed, database, mlflow, runtime, clock, runs_yaml):
    mlflow.create_experiment("churn")
    runs_yaml["watches"] = [{"experiment": "churn", "channel": "C0001"}]
    _sync(runtime, clock)

    refused = signed.command("/runs", "unwatch churn").json()
    assert refused["response_type"] == "ephemeral"
    assert "watched here from ritualbot.yaml (`runs.watches`): remove it there" in refused["text"]
    changed = signed.command("/runs", "watch churn primary=val_loss").json()
    assert "change its primary metric or model there" in changed["text"]
    assert [(w.enabled, w.primary_metric) for w in _watches(database)] == [(True, None)]

    runs_yaml["watches"] = []
    _sync(runtime, clock)
    assert [w.enabled for w in _watches(database)] == [False]
    assert "watches no experiment" in signed.command("/runs", "list").json()["text"]
    with database.session() as s:
        assert not [d for d in capabilities.desired_jobs(s) if d.job.startswith("runs.")]


def test_a_command_made_watch_listed_in_the_file_is_taken_over_not_doubled(
    signed, database, mlflow, runtime, clock, runs_yaml
):
    mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn primary=val_auc")
    runs_yaml["watches"] = [{"experiment": "churn", "channel": "C0001", "primary": "val_f1"}]
    _sync(runtime, clock)
    [watch] = _watches(database)
    assert (watch.team_id, watch.primary_metric, watch.created_by) == ("T0001", "val_f1", "config")


def test_an_entry_mlflow_cannot_resolve_is_logged_and_the_rest_start(
    database, mlflow, runtime, clock, runs_yaml, caplog
):
    exp = mlflow.create_experiment("churn")
    runs_yaml["watches"] = [
        {"experiment": "no-such-experiment", "channel": "C0001"},
        {"experiment": "churn", "channel": "C0002", "model": "no-such-model"},
        {"experiment": exp, "channel": "C0003"},
    ]
    with caplog.at_level(logging.WARNING, logger="reports.runs.configured"):
        _sync(runtime, clock)
    assert [(w.channel_id, w.experiment_name) for w in _watches(database)] == [("C0003", "churn")]
    problems = " ".join(r.getMessage() for r in caplog.records)
    assert "no-such-experiment -> C0001: MLflow has no active experiment" in problems
    assert "churn -> C0002: MLflow has no registered model `no-such-model`" in problems


@pytest.mark.parametrize(
    ("watches", "message"),
    [
        ({"experiment": "churn"}, "runs.watches must be a list"),
        (["churn"], "runs.watches[0] must be a mapping with experiment and channel"),
        ([{"channel": "C0001"}], "runs.watches[0].experiment must name an MLflow experiment"),
        (
            [{"experiment": "churn", "channel": "#ml-team"}],
            "runs.watches[0].channel must be a channel id like C0123ABCD",
        ),
        (
            [{"experiment": "churn", "channel": "C0001", "metric": "auc"}],
            "runs.watches[0].metric is not a watch setting",
        ),
    ],
)
def test_malformed_watches_name_the_entry_and_what_to_write(watches, message):
    with pytest.raises(ConfigError, match="^" + message.replace("[", r"\[").replace("]", r"\]")):
        runs_config.load(Settings(file={"runs": {"watches": watches}}))


def test_the_documented_runs_section_loads_as_documented():
    import yaml

    example = yaml.safe_load(runs_config.__doc__.split("\n", 2)[2])
    loaded = runs_config.load(Settings(file=example))
    assert loaded.promoter_groups == ("S0456", "@ml-leads")
    assert loaded.may_promote("U0123") and not loaded.may_promote("U9999")
    assert loaded.may_promote("U9999", lambda group: {"U9999"} if group == "@ml-leads" else set())
    assert loaded.watches == (runs_config.ConfiguredWatch("churn", "C0123ABCD", "val_auc", "churn-model"),)
    assert loaded.tracking_index is True and loaded.ui_url == "https://mlflow.example.com/"
