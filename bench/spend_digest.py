"""Benchmark: how long the spend digest section takes to build for 50 teams x 400 days of history.

    .venv/bin/python bench/spend_digest.py [--quick]

Seeds a throwaway SQLite database with daily costs (teams x days x 3 services), then times the
report (month to date, projections, movers, robust z-score anomalies), its blocks and the chart.
Prints a table and writes bench/results/spend_digest.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bot.db import Database  # noqa: E402
from reports.spend import render, service  # noqa: E402
from reports.spend.config import SpendConfig  # noqa: E402
from reports.spend.models import SpendAlert, SpendBudget, SpendDay, SpendSourceState  # noqa: E402

TARGET_SECONDS = 2.0
SERVICES = ["Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "Amazon SageMaker"]
RESULTS = Path(__file__).resolve().parent / "results"


def seed(db: Database, teams: int, days: int, today: date) -> int:
    for model in (SpendDay, SpendBudget, SpendAlert, SpendSourceState):
        model.__table__.create(db.engine)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    rows = []
    for t in range(teams):
        for n in range(days):
            day = today - timedelta(days=n + 1)
            for k, svc in enumerate(SERVICES):
                cost = Decimal(50 + (t * 7 + n * 3 + k * 11) % 40) + (Decimal(900) if n == 0 and t % 10 == 0 else 0)
                rows.append(
                    {
                        "source": "focus",
                        "day": day,
                        "team": f"team-{t:02d}",
                        "service": svc,
                        "gpu": svc.endswith("Compute Cloud"),
                        "amount": cost,
                        "currency": "USD",
                        "fetched_at": now,
                    }
                )
    with db.session() as s:
        s.execute(insert(SpendDay), rows)
    return len(rows)


def run(quick: bool = False) -> dict[str, Any]:
    teams, days, repeats = (10, 100, 2) if quick else (50, 400, 5)
    today = date(2026, 11, 23)
    config = SpendConfig(
        source="focus", focus_path="unused", budgets={(f"team-{t:02d}", ""): Decimal(60000) for t in range(teams)}
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        started = time.perf_counter()
        count = seed(db, teams, days, today)
        seed_s = time.perf_counter() - started
        timings, chart_bytes, anomalies = [], 0, 0
        for _ in range(repeats):
            started = time.perf_counter()
            with db.session() as s:
                overview = service.build(s, config, "TBENCH", today - timedelta(days=1), datetime.now(UTC))
                blocks = render.section_blocks(overview)
                png = render.chart(overview.reports[0], sum(config.budgets.values()))
            timings.append(time.perf_counter() - started)
            chart_bytes, anomalies = len(png or b""), sum(len(r.anomalies) for r in overview.reports)
        db.dispose()
    build = statistics.median(timings)
    return {
        "name": "spend_digest",
        "target": f"median digest build < {TARGET_SECONDS:.1f} s ({teams} teams x {days} days)",
        "ratio": round(build / TARGET_SECONDS, 3),
        "ok": build < TARGET_SECONDS,
        "metrics": {
            "teams": teams,
            "days": days,
            "rows": count,
            "seed_s": round(seed_s, 3),
            "build_median_s": round(build, 3),
            "build_max_s": round(max(timings), 3),
            "blocks": len(blocks),
            "anomalies": anomalies,
            "chart_png_bytes": chart_bytes,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 teams x 100 days, for a smoke run")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(f"{'metric':<20} value")
    for key, value in result["metrics"].items():
        print(f"{key:<20} {value}")
    print(f"{'target':<20} {result['target']}\n{'ratio':<20} {result['ratio']}\n{'ok':<20} {result['ok']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "spend_digest.json").write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
