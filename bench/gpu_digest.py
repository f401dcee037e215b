"""Benchmark: the idle-GPU digest refresh against a real Prometheus holding N GPUs x 15 days.

    .venv/bin/python bench/gpu_digest.py [--gpus 1000,10000] [--quick]

For each fleet size the fleet is written as OpenMetrics a day at a time and loaded with promtool's
TSDB import (dcgm-exporter series as kube-prometheus stores them: 5-minute samples of
DCGM_FI_DEV_GPU_UTIL and DCGM_FI_DEV_FB_USED; a quarter of the GPUs busy, idle with 15-minute blips,
idle, memory-held). Then two refreshes run, each in a fresh child process so its CPU and peak memory
are its own: `cold`, the first refresh (14 days, empty database), and `daily`, the next day's refresh
with the 14 days and the running streaks stored (what the digest does every day). Each also builds
the report, its blocks and its chart. Target (issue 19): the first and the daily refresh < 5 s CPU
and < 200 MB peak RSS at 10,000 GPUs, and growing at most 12x from 1,000 to 10,000 GPUs ("peak +MB"
is the child's peak RSS less its RSS after the imports). `--fake` answers from
bench/gpu_fake_prometheus.py instead of a loaded Prometheus (the same JSON, checked to store the same
rows at 1,000 GPUs): ritualbot's side only, for a machine where Prometheus cannot crunch 10,000 GPUs
in time. Prometheus's own CPU for the queries is reported too. Writes bench/results/gpu_digest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, peak_mb, print_table, write  # noqa: E402

TARGET_CPU_S, TARGET_PEAK_MB, TARGET_GROWTH = 5.0, 200.0, 12.0
DAY = date(2026, 11, 22)  # the cold refresh's last day; the daily refresh adds 23 Nov
FIRST = DAY - timedelta(days=13)
STEP = 300
MODEL = "NVIDIA A100-SXM4-80GB"


def _labels(n: int) -> str:
    node = f"node-{n // 8:04d}"
    exporter = f"nvidia-dcgm-exporter-{n // 8:04d}"
    return (
        f'gpu="{n % 8}",UUID="GPU-{n:08d}",modelName="{MODEL}",Hostname="{exporter}",node="{node}",'
        f'namespace="gpu-operator",pod="{exporter}",exported_namespace="team-{n % 12}",exported_pod="job-{n}",'
        'cluster="bench"'
    )


def _values(kind: int, t: int) -> tuple[str, str]:
    """(utilisation %, memory MiB) at step t: busy, idle with a 15-minute blip every 2 h, idle, held."""
    busy = kind == 0 or (kind == 1 and t % 7200 < 900)
    return ("80" if busy else "1"), ("20000" if kind in (0, 3) else "0")


def load(gpus: int, folder: Path, days: int) -> float:
    """Write and import the fleet a day at a time (a day of 10,000 GPUs is ~1.3 GB of text); seconds taken."""
    started = time.perf_counter()
    labels = [_labels(n) for n in range(gpus)]
    for d in range(days):
        day0 = int(datetime.combine(FIRST + timedelta(days=d), datetime.min.time(), UTC).timestamp())
        steps = range(day0, day0 + 86400, STEP)
        text = folder / "day.om"
        with text.open("w") as out:
            for index, name in enumerate(("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED")):
                tails = [[f" {_values(kind, t)[index]} {t + STEP // 2}\n" for t in steps] for kind in range(4)]
                out.write(f"# TYPE {name} gauge\n")
                for n in range(gpus):
                    head = f"{name}{{{labels[n]}}}"
                    out.write(head + head.join(tails[n % 4]))
            out.write("# EOF\n")
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", str(text)]
            + [str(folder / "data")],
            check=True,
            capture_output=True,
        )
        text.unlink()
    return time.perf_counter() - started


def start_prometheus(folder: Path) -> tuple[subprocess.Popen, str]:
    (folder / "prometheus.yml").write_text("global: {}\nscrape_configs: []\n")
    port = free_port()
    proc = subprocess.Popen(
        ["prometheus", f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'data'}"]
        + [f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y", "--query.timeout=10m"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "prometheus.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # a starting server, not a clock under test
    proc.terminate()
    raise RuntimeError(f"prometheus did not start: {(folder / 'prometheus.log').read_text()[-500:]}")


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(url: str, db_path: str, last_day: str) -> dict[str, Any]:
    """One refresh plus the report, blocks and chart, measured in this (fresh) process."""
    from bot.db import Database
    from reports.gpu import render, service
    from reports.gpu.config import GpuConfig
    from reports.gpu.models import GpuDay, GpuRefresh, GpuResponse, GpuStreak
    from reports.gpu.sources.prometheus import PrometheusSource

    db = Database(f"sqlite:///{db_path}")
    for model in (GpuDay, GpuRefresh, GpuResponse, GpuStreak):
        model.__table__.create(db.engine, checkfirst=True)  # type: ignore[attr-defined]
    config = GpuConfig(sources=({"type": "prometheus", "url": url},), history_days=14)
    source = PrometheusSource("bench", url, matchers={"cluster": "bench"}, timeout=600)
    day = date.fromisoformat(last_day)
    now = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=9)
    rss_before = _rss_mb()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with db.session() as s:
        result = service.refresh(s, config, [source], day, now)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    with db.session() as s:
        report = service.report(s, config, day, now)
        blocks = render.section_blocks(report)
        png = render.chart(report) or b""
    cpu2, wall2 = time.process_time(), time.perf_counter()
    peak = peak_mb()  # not ru_maxrss: under `bench all` that was the parent's peak (278 MB at 1,000 GPUs)
    return {
        "refresh_cpu_s": round(cpu1 - cpu0, 3),
        "refresh_wall_s": round(wall1 - wall0, 3),
        "report_cpu_s": round(cpu2 - cpu1, 3),
        "report_wall_s": round(wall2 - wall1, 3),
        "peak_rss_mb": round(peak, 1),
        "peak_growth_mb": round(peak - rss_before, 1),
        "queries": result.queries,
        "errors": result.errors,
        "gpus": result.gpus,
        "idle_gpu_hours": round(report.idle_h, 1),
        "blocks": len(blocks),
        "chart_bytes": len(png),
    }


def measure(url: str, prom: subprocess.Popen, db_path: str, last_day: date) -> dict[str, Any]:
    before = _cpu_of(prom.pid)
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, db_path, last_day.isoformat()], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"the {last_day} refresh failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["prometheus_cpu_s"] = round(_cpu_of(prom.pid) - before, 3)
    return figures


def fake_fleet(gpus: int) -> dict[str, Any]:
    """Both refreshes against bench/gpu_fake_prometheus.py: ritualbot's side only (no Prometheus CPU)."""
    folder = Path(tempfile.mkdtemp(prefix=f"gpu-bench-fake-{gpus}-"))
    port = free_port()
    server = Path(__file__).with_name("gpu_fake_prometheus.py")
    proc = subprocess.Popen([sys.executable, str(server), str(port), str(gpus)], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/api/v1/status", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # a starting server, not a clock under test
        db_path = str(folder / "bench.db")
        cold = measure(url, proc, db_path, DAY)
        daily = measure(url, proc, db_path, DAY + timedelta(days=1))
        return {"gpus": gpus, "load_s": 0.0, "cold": cold, "daily": daily, "prometheus": "fake"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def fleet(gpus: int, keep: Path | None = None) -> dict[str, Any]:
    """Load (or, with `keep`, reuse a folder loaded before) and measure both refreshes."""
    folder = keep / str(gpus) if keep else Path(tempfile.mkdtemp(prefix=f"gpu-bench-{gpus}-"))
    try:
        load_s = 0.0
        if not (folder / "data").exists():
            folder.mkdir(parents=True, exist_ok=True)
            load_s = load(gpus, folder, 15)
        (folder / "bench.db").unlink(missing_ok=True)
        prom, url = start_prometheus(folder)
        try:
            db_path = str(folder / "bench.db")
            cold = measure(url, prom, db_path, DAY)
            daily = measure(url, prom, db_path, DAY + timedelta(days=1))
        finally:
            prom.terminate()
            prom.wait(timeout=30)
        return {"gpus": gpus, "load_s": round(load_s, 1), "cold": cold, "daily": daily}
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(
    quick: bool = False, sizes: list[int] | None = None, keep: Path | None = None, fake: bool = False
) -> dict[str, Any]:
    sizes = sizes or ([100] if quick else [1000, 10000])
    fleets = [fake_fleet(n) if fake else fleet(n, keep) for n in sizes]
    last, first = fleets[-1], fleets[0]
    kinds = ("cold", "daily")
    growth = {k: last[k]["refresh_cpu_s"] / max(first[k]["refresh_cpu_s"], 1e-9) for k in kinds}
    limit = TARGET_GROWTH * last["gpus"] / first["gpus"] / 10
    ok = (
        all(last[k]["refresh_cpu_s"] < TARGET_CPU_S and last[k]["peak_rss_mb"] < TARGET_PEAK_MB for k in kinds)
        and (len(fleets) == 1 or all(g <= limit for g in growth.values()))
        and not any(f[k]["errors"] for f in fleets for k in kinds)
    )
    return {
        "name": "gpu_digest",
        "target": f"first and daily refresh < {TARGET_CPU_S:.0f} s CPU, < {TARGET_PEAK_MB:.0f} MB peak RSS at "
        f"{last['gpus']} GPUs"
        + (f"; growth {first['gpus']}->{last['gpus']} <= {limit:.0f}x" if len(fleets) > 1 else ""),
        "ratio": round(max(last[k]["refresh_cpu_s"] for k in kinds) / TARGET_CPU_S, 3),
        "ok": ok,
        "metrics": {
            "fleets": fleets,
            "daily_cpu_growth": round(growth["daily"], 2),
            "cold_cpu_growth": round(growth["cold"], 2),
            "prometheus": "fake" if fake else "real",
        },
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(child(*argv[1:4])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 GPUs, for a smoke run")
    parser.add_argument("--gpus", default="", help="fleet sizes, e.g. 1000,10000 (the default)")
    parser.add_argument("--keep", type=Path, help="keep the loaded Prometheus data here and reuse it next time")
    parser.add_argument(
        "--fake", action="store_true", help="answer from bench/gpu_fake_prometheus.py: ritualbot's side only"
    )
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.gpus.split(",") if n] or None
    result = run(quick=args.quick, sizes=sizes, keep=args.keep, fake=args.fake)
    rows = [
        [f["gpus"], kind, f[kind]["refresh_cpu_s"], f[kind]["report_cpu_s"], f[kind]["peak_growth_mb"]]
        + [f[kind]["peak_rss_mb"], f[kind]["queries"], f[kind]["prometheus_cpu_s"], f["load_s"]]
        for f in result["metrics"]["fleets"]
        for kind in ("cold", "daily")
    ]
    header = ["gpus", "refresh", "cpu s", "report cpu s", "peak +MB", "peak RSS MB", "queries", "prom cpu s", "load s"]
    print_table(rows, header)
    for f in result["metrics"]["fleets"]:
        for kind in ("cold", "daily"):
            if f[kind]["errors"]:
                print(f"{f['gpus']} GPUs, {kind} refresh failed: {f[kind]['errors']}")
    growth = (
        f"cpu growth: first {result['metrics']['cold_cpu_growth']}x, daily {result['metrics']['daily_cpu_growth']}x"
    )
    print(f"target: {result['target']}\n{growth}\nratio: {result['ratio']}  ok: {result['ok']}")
    write("gpu_digest", result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
