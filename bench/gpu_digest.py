"""Benchmark: build the idle-GPU digest section for 1,000 GPUs over 14 days at 5-minute resolution.

    .venv/bin/python bench/gpu_digest.py [--quick]

A Prometheus double (an httpx transport answering `/api/v1/query_range` with DCGM-shaped matrices,
built before the clock starts) stands in for the server, so the timing covers what ritualbot does:
the fleet-wide queries, parsing, the idle analysis per GPU, storing GPU-days, the report, its
blocks and the chart. The target is on CPU time (wall time is reported too), so a machine busy with
other work does not decide the verdict. Prints a table and writes bench/results/gpu_digest.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bot.db import Database  # noqa: E402
from reports.gpu import render, service  # noqa: E402
from reports.gpu.config import GpuConfig  # noqa: E402
from reports.gpu.models import GpuDay, GpuRefresh, GpuResponse  # noqa: E402
from reports.gpu.sources.prometheus import PrometheusSource  # noqa: E402

TARGET_SECONDS = 30.0
MAX_QUERIES = 10
STEP = 300
RESULTS = Path(__file__).resolve().parent / "results"


def _matrix(gpus: int, start: int, end: int, metric: str) -> bytes:
    """Pattern by GPU: busy, 15-min blips every 2 h, idle, memory held."""
    if "ENGINE" in metric:
        return b'{"status":"success","data":{"resultType":"matrix","result":[]}}'
    parts = []
    for n in range(gpus):
        kind = n % 4
        labels = (
            f'{{"Hostname":"node-{n // 8:03d}","gpu":"{n % 8}","UUID":"GPU-{n:06d}",'
            f'"modelName":"NVIDIA A100-SXM4-80GB","namespace":"team-{n % 12}"}}'
        )
        values = []
        for t in range(start, end + 1, STEP):
            if "UTIL" in metric:
                busy = kind == 0 or (kind == 1 and (t % 7200) < 900)
                values.append(f'[{t},"{80 if busy else 1}"]')
            else:
                values.append(f'[{t},"{20000 if kind in (0, 3) else 0}"]')
        parts.append(f'{{"metric":{labels},"values":[{",".join(values)}]}}')
    return ('{"status":"success","data":{"resultType":"matrix","result":[' + ",".join(parts) + "]}}").encode()


class PrometheusDouble(httpx.BaseTransport):
    def __init__(self, gpus: int, start: int, end: int) -> None:
        self.answers = {
            metric: _matrix(gpus, start, end, metric)
            for metric in ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED")
        }
        self.queries = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.queries += 1
        query = parse_qs(request.content.decode())["query"][0]
        metric = next(m for m in self.answers if m in query)
        return httpx.Response(200, content=self.answers[metric], headers={"content-type": "application/json"})


def run(quick: bool = False) -> dict[str, Any]:
    gpus, days = (100, 14) if quick else (1000, 14)
    day = date(2026, 11, 22)
    config = GpuConfig(sources=({"type": "prometheus", "url": "http://bench"},), history_days=days)
    _, start, end = service.window(day, config, "UTC")
    double = PrometheusDouble(gpus, int(start.timestamp()) + STEP, int(end.timestamp()))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        for model in (GpuDay, GpuRefresh, GpuResponse):
            model.__table__.create(db.engine)  # type: ignore[attr-defined]
        source = PrometheusSource("prometheus", "http://bench", transport=double)
        now = datetime(2026, 11, 23, 9, tzinfo=UTC)
        started, cpu_started = time.perf_counter(), time.process_time()
        with db.session() as s:
            refreshed = service.refresh(s, config, [source], day, now)
        fetched_s = time.perf_counter() - started
        with db.session() as s:
            report = service.report(s, config, day, now)
            blocks = render.section_blocks(report)
            png = render.chart(report) or b""
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        db.dispose()
    ok = cpu < TARGET_SECONDS and double.queries <= MAX_QUERIES and not refreshed.errors
    return {
        "name": "gpu_digest",
        "target": f"digest build < {TARGET_SECONDS:.0f} s CPU and <= {MAX_QUERIES} source queries "
        f"({gpus} GPUs x {days} days at {STEP // 60}-min steps)",
        "ratio": round(cpu / TARGET_SECONDS, 3),
        "ok": ok,
        "metrics": {
            "gpus": gpus,
            "days": days,
            "points_per_series": (days * 86400) // STEP,
            "source_queries": double.queries,
            "fetch_analyse_store_s": round(fetched_s, 3),
            "build_wall_s": round(total, 3),
            "build_cpu_s": round(cpu, 3),
            "idle_gpu_hours": round(report.idle_h, 1),
            "idle_cost": str(report.idle_cost),
            "blocks": len(blocks),
            "chart_png_bytes": len(png),
            "window_end": (day + timedelta(days=1)).isoformat(),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 GPUs instead of 1,000, for a smoke run")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(f"{'metric':<24} value")
    for key, value in result["metrics"].items():
        print(f"{key:<24} {value}")
    print(f"{'target':<24} {result['target']}\n{'ratio':<24} {result['ratio']}\n{'ok':<24} {result['ok']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gpu_digest.json").write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
