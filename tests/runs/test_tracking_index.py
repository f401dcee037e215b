"""ritualbot's index on MLflow's runs(experiment_id, status, end_time): added by the worker's poll or by
`ritualbot runs index`, on a real SQLite store and (when the tests run on it) a real PostgreSQL one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from mlflow import MlflowClient
from sqlalchemy import create_engine, inspect, text

from bot import jobs, outbox
from reports.runs import service, tracking_index
from reports.runs.announce import card_ref
from reports.runs.config import RunsConfig
from tests.conftest import PG_URL, _create_database
from tests.runs.helpers import poll, run

RANGE_QUERY = (
    "SELECT run_uuid FROM runs WHERE experiment_id IN (1) AND lifecycle_stage IN ('active') "
    "AND status = 'FINISHED' AND end_time >= 0 ORDER BY end_time"
)
# the stalled-run check (reports/runs/trials.active): runs still going, by status
ACTIVE_QUERY = (
    "SELECT run_uuid FROM runs WHERE experiment_id IN (1) AND lifecycle_stage IN ('active') "
    "AND status = 'RUNNING' ORDER BY start_time"
)


def _indexes(uri: str) -> set[str]:
    engine = create_engine(uri)
    try:
        return {i["name"] for i in inspect(engine).get_indexes("runs")}
    finally:
        engine.dispose()


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "MLFLOW_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "runs", "index", *args],
        cwd=tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_first_poll_indexes_the_tracking_store_and_the_poll_query_reads_it_by_range(
    signed, mlflow, mlflow_uri, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn primary=val_auc")
    assert tracking_index.NAME not in _indexes(mlflow_uri)
    run(mlflow, exp, "first", 1, 2, metrics={"val_auc": 0.8})
    assert poll(runtime, clock, deliver, 1)
    assert tracking_index.NAME in _indexes(mlflow_uri)
    engine = create_engine(mlflow_uri)
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + RANGE_QUERY)))
        active = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + ACTIVE_QUERY)))
    engine.dispose()
    assert f"USING INDEX {tracking_index.NAME}" in plan, plan
    # a status without an end time: with (experiment_id, end_time) this read every run of the experiment
    # (a poll at 50,000 runs took 33 ms instead of 21 ms at 500)
    assert f"USING INDEX {tracking_index.NAME} (experiment_id=? AND status=?)" in active, active
    # and MLflow itself still reads and writes the store
    run(mlflow, exp, "second", 6, 7, metrics={"val_auc": 0.9})
    assert poll(runtime, clock, deliver, 1)
    assert [m["text"].split(" finished")[0] for m in slack.posted("C0001")] == ["Run first", "Run second"]


def test_tracking_index_false_leaves_mlflows_schema_alone(signed, mlflow, mlflow_uri, runtime, clock, runs_yaml):
    runs_yaml["tracking_index"] = False
    mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn")
    assert jobs.run("runs.poll", "1", rt=runtime).ran
    assert tracking_index.NAME not in _indexes(mlflow_uri)


def test_cli_indexes_the_configured_store_once_and_says_so(tmp_path: Path):
    store = tmp_path / "mlruns"
    first = _cli(tmp_path, MLFLOW_TRACKING_URI=str(store))
    assert first.returncode == 0, first.stderr
    uri = f"sqlite:///{store.resolve() / 'mlflow.db'}"
    columns = "runs(experiment_id, status, end_time)"
    assert first.stdout.strip() == f"index {tracking_index.NAME} on {columns} created in {uri}"
    assert tracking_index.NAME in _indexes(uri)
    again = _cli(tmp_path, "--store", uri)
    assert again.returncode == 0 and again.stdout.strip().endswith(f"present in {uri}")


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("http://127.0.0.1:5000", "is not a database URI: point --store at the tracking server's backend store"),
        ("sqlite:///{tmp}/not-mlflow.db", "has no MLflow `runs` table"),
        (
            "postgresql://ops:s3cret@127.0.0.1:1/mlflow",
            "could not index the MLflow runs table in postgresql://ops:***@127.0.0.1:1/mlflow",
        ),
        (
            "mysql://ops:s3cret@127.0.0.1/mlflow",
            "cannot open mysql://ops:***@127.0.0.1/mlflow: its driver is not installed (MySQLdb)",
        ),
    ],
)
def test_cli_refuses_what_it_cannot_index_in_one_line_without_the_password(tmp_path: Path, store, message):
    result = _cli(tmp_path, "--store", store.format(tmp=tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


@pytest.mark.skipif(not PG_URL, reason="needs RITUALBOT_TEST_DATABASE_URL (PostgreSQL)")
def test_a_postgresql_tracking_store_gets_a_valid_index_built_concurrently_and_is_polled(database, clock):
    name = PG_URL.rsplit("/", 1)[1] + "_mlflow"
    _create_database(PG_URL, name)
    uri = PG_URL.rsplit("/", 1)[0] + "/" + name
    mlflow = MlflowClient(tracking_uri=uri)
    experiment = f"pg-{os.getpid()}-{time.time_ns()}"
    exp = mlflow.create_experiment(experiment)
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {tracking_index.NAME}"))
    first = run(mlflow, exp, "first", 1, 2, metrics={"val_auc": 0.8})
    assert tracking_index.ensure(uri) == "created"
    assert tracking_index.ensure(uri) == "present"
    with engine.connect() as conn:
        valid = conn.execute(
            text("SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = :n"),
            {"n": tracking_index.NAME},
        ).scalar()
        conn.execute(text("SET enable_seqscan = off"))
        plan = " ".join(conn.execute(text("EXPLAIN " + RANGE_QUERY.replace("IN (1)", f"IN ({exp})"))).scalars())
    engine.dispose()
    assert valid is True
    assert tracking_index.NAME in plan, plan
    with database.session() as s:
        watch = service.watch(
            s,
            mlflow,
            team_id="T0001",
            channel_id="C0001",
            experiment=experiment,
            primary="val_auc",
            model=None,
            user_id="U0001",
            now=clock.now(),
        )
    with database.session() as s:
        later = clock.now() + timedelta(minutes=5)
        assert service.poll(s, mlflow, watch.id, RunsConfig(lookback_seconds=0), later) == 1
        assert outbox.find_by_ref(s, card_ref(watch.id, first)) is not None


def test_the_earlier_index_is_replaced_by_the_one_that_also_reads_by_status(tmp_path: Path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    MlflowClient(tracking_uri=uri).create_experiment("churn")
    engine = create_engine(uri)
    with engine.begin() as conn:  # what an earlier ritualbot added
        conn.execute(text("CREATE INDEX ritualbot_runs_experiment_end_time ON runs (experiment_id, end_time)"))
    engine.dispose()
    assert tracking_index.ensure(uri) == "created"
    assert {n for n in _indexes(uri) if n.startswith("ritualbot")} == {tracking_index.NAME}
