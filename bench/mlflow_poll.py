"""Benchmark: the cost of one runs poll on an experiment with 500 vs 50,000 historical runs.

    .venv/bin/python bench/mlflow_poll.py [--quick]

A poll must not grow with history (it reads `end_time >= watermark`). For each size, a fresh
SQLite MLflow store gets its history written in bulk straight into MLflow's own tables (runs,
latest_metrics, metrics, params, tags through MLflow's SQLAlchemy models: the client needs
~30 ms per run, the bulk insert ~2 s for 50,000), then 5 new runs finish through the MLflow client
and one poll announces them (baseline lookup, deltas, seed noise, render, outbox), timed several
times with a rollback in between: first on MLflow's schema as it ships (every search scans the
`runs` table), then with ritualbot's index on runs(experiment_id, status, end_time), which the worker adds
to a SQL tracking store it reaches (`reports/runs/tracking_index.py`). The target is judged on the
indexed store, the way ritualbot runs; the unindexed ratio is printed for stores behind a tracking
server nobody indexed. The watch's first poll, which finds the best earlier run once, is reported
apart (`first_poll_s`): it is paid once per watch and metric, not per poll.
Prints a table, writes bench/results/mlflow_poll.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlflow import MlflowClient  # noqa: E402
from mlflow.store.tracking.dbmodels.models import (  # noqa: E402
    SqlLatestMetric,
    SqlMetric,
    SqlParam,
    SqlRun,
    SqlTag,
)
from sqlalchemy import create_engine, insert  # noqa: E402

from bot.db import Database  # noqa: E402
from bot.schema import model_modules  # noqa: E402
from reports.runs import service, tracking_index  # noqa: E402
from reports.runs.config import RunsConfig  # noqa: E402
from reports.runs.demo import log_run, ms  # noqa: E402

TARGET_RATIO = 1.5
NEW_RUNS = 3
RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def seed_history(uri: str, experiment_id: str, count: int) -> float:
    """Write `count` finished runs (2 metrics, 3 params incl. seed, 1 tag) before NOW, in bulk."""
    started = time.perf_counter()
    engine = create_engine(uri)
    first = ms(NOW - timedelta(days=365))
    step = (ms(NOW) - 3_600_000 - first) // max(count, 1)
    for offset in range(0, count, 5000):
        runs, latest, metrics, params, tags = [], [], [], [], []
        for n in range(offset, min(count, offset + 5000)):
            rid, end = uuid.uuid4().hex, first + n * step
            runs.append(
                {
                    "run_uuid": rid,
                    "name": f"hist-{n % 50}",
                    "source_type": "LOCAL",
                    "source_name": "",
                    "entry_point_name": "",
                    "user_id": "ada",
                    "status": "FINISHED",
                    "start_time": end - 60_000,
                    "end_time": end,
                    "lifecycle_stage": "active",
                    "artifact_uri": "",
                    "experiment_id": int(experiment_id),
                }
            )
            for key, value in (("val_auc", 0.7 + (n % 97) / 1000), ("val_loss", 0.5 - (n % 89) / 1000)):
                row = {"key": key, "value": value, "timestamp": end, "step": 0, "is_nan": False, "run_uuid": rid}
                latest.append(row)
                metrics.append(row)
            params += [
                {"key": "lr", "value": str(n % 7), "run_uuid": rid},
                {"key": "depth", "value": str(n % 5), "run_uuid": rid},
                {"key": "seed", "value": str(n % 3), "run_uuid": rid},
            ]
            tags.append({"key": "mlflow.user", "value": "ada", "run_uuid": rid})
        with engine.begin() as conn:
            for model, rows in (
                (SqlRun, runs),
                (SqlLatestMetric, latest),
                (SqlMetric, metrics),
                (SqlParam, params),
                (SqlTag, tags),
            ):
                conn.execute(insert(model.__table__), rows)
    engine.dispose()
    return time.perf_counter() - started


def measure(history: int, repeats: int, tmp: Path) -> dict[str, float]:
    uri = f"sqlite:///{tmp / f'mlflow-{history}.db'}"
    mlflow = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = mlflow.create_experiment(f"bench-{history}")
    seed_s = seed_history(uri, exp, history)
    db = Database(f"sqlite:///{tmp / f'bot-{history}.db'}")
    model_modules()  # importing them registers every table in Base.metadata
    from bot.db import Base

    Base.metadata.create_all(db.engine)
    with db.session() as s:
        watch = service.watch(
            s,
            mlflow,
            team_id="TB",
            channel_id="CB",
            experiment=f"bench-{history}",
            primary="val_auc",
            model=None,
            user_id="UB",
            now=NOW,
        )
        watch_id = watch.id
    # the first poll finds the best earlier run once (stored on the watch); time it apart
    log_run(mlflow, exp, "warm-up", start=ms(NOW) + 1000, end=ms(NOW) + 2000, metrics={"val_auc": 0.6})
    started = time.perf_counter()
    with db.session() as s:
        service.poll(s, mlflow, watch_id, RunsConfig(lookback_seconds=0), NOW + timedelta(minutes=1))
    first_poll_s = time.perf_counter() - started
    for n in range(NEW_RUNS):
        log_run(
            mlflow,
            exp,
            f"new-{n}",
            start=ms(NOW) + 1000,
            end=ms(NOW) + 60_000 + n,
            metrics={"val_auc": 0.75 + n / 100, "val_loss": 0.4},
            params={"lr": "1", "depth": "2", "seed": "0"},
        )
    config = RunsConfig(lookback_seconds=0)

    def polls() -> tuple[list[float], int]:
        timings, posted = [], 0
        for _ in range(repeats):
            session = db._sessions()
            started = time.perf_counter()
            posted = service.poll(session, mlflow, watch_id, config, NOW + timedelta(minutes=5))
            timings.append(time.perf_counter() - started)
            session.rollback()
            session.close()
        return timings, posted

    bare, posted = polls()
    tracking_index.ensure(uri)
    indexed, posted_indexed = polls()
    db.dispose()
    return {
        "seed_s": seed_s,
        "first_poll_s": first_poll_s,
        "unindexed_poll_median_s": statistics.median(bare),
        "poll_median_s": statistics.median(indexed),
        "poll_max_s": max(indexed),
        "messages": min(posted, posted_indexed),
    }


def run(quick: bool = False) -> dict[str, Any]:
    small, large, repeats = (500, 5_000, 5) if quick else (500, 50_000, 9)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        few = measure(small, repeats, tmp)
        many = measure(large, repeats, tmp)
    ratio = many["poll_median_s"] / few["poll_median_s"]
    metrics = {
        "new_runs_per_poll": NEW_RUNS,
        "repeats": repeats,
        "unindexed_ratio": round(many["unindexed_poll_median_s"] / few["unindexed_poll_median_s"], 3),
    }
    for size, found in ((small, few), (large, many)):
        metrics.update({f"history_{size}_{k}": round(v, 4) if isinstance(v, float) else v for k, v in found.items()})
    return {
        "name": "mlflow_poll",
        "metrics": metrics,
        "ratio": round(ratio, 3),
        "target": f"poll({large} runs) / poll({small} runs) <= {TARGET_RATIO}, indexed store",
        "ok": ratio <= TARGET_RATIO,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 vs 5,000 runs, for a smoke run")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(f"{'metric':<40} value")
    for key, value in result["metrics"].items():
        print(f"{key:<40} {value}")
    print(f"{'target':<40} {result['target']}\n{'ratio':<40} {result['ratio']}\n{'ok':<40} {result['ok']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mlflow_poll.json").write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
