"""Ack latency: our real web process vs a bare Bolt app, same server, same load, same run.

Both run as their own processes behind waitress on loopback; a load generator sends signed
requests at a fixed rate with a bounded number of concurrent clients, and prints p50/p95/p99 per
scenario and its p99 ratio to a floor measured in the same run: the bare app's `/echo` (ack only)
for the read scenarios (target <= 1.3), its `/write` (one row, one commit on the same database) for
the write scenarios (target <= 1.5); zero errors. Each run uses a throwaway database (a new SQLite
file, or a new schema on --database-url's PostgreSQL) and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.bench_db import throwaway
from bench.common import Result, free_port, percentile, print_table, write

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TARGET = 1.3  # a read scenario's p99 against the read floor
WRITE_TARGET = 1.5  # a write scenario's p99 against the write floor
WARM_UP = 40  # the slow warm-up's requests (_run_load)
READ_FLOOR, WRITE_FLOOR = "bare /echo (ack only)", "bare /write (one row, one commit)"
Builder = Callable[[int], tuple[str, str]]
Phase = tuple[Builder, float, float]  # (requests, per second, for seconds)


def _sign(body: str) -> dict[str, str]:
    from tests.slack.signed import sign

    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}


async def _load(url: str, phases: list[Phase], clients: int, measured: Callable[[], None]) -> tuple[list[float], int]:
    """Send each phase's requests at its rate, one phase after the other on the same client and connections;
    (latencies in ms, errors) of the last phase. `measured` is called as the last phase starts. An error is a
    non-200 answer, no answer, or our apology (a 200 whose text carries an error id); each kind is printed.

    Open loop: each request is started at its time, whatever the answers before it. Requests are started one
    by one as their time comes, not made up front (2,000 tasks started at once held the loop for the first
    requests' answers, and a new client per phase opened its connections inside the measured second: the
    first 20 ms of every measured run, floors included, came out 10-30 ms slow, which alone is a p99)."""
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    gate = asyncio.Semaphore(clients)
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=clients)) as http:

        async def one(body: str, ctype: str, record: bool) -> None:
            async with gate:
                headers = {"Content-Type": ctype, **_sign(body)}
                sent = time.perf_counter()
                try:
                    response = await http.post(url, content=body.encode(), headers=headers)
                    if response.status_code != 200:
                        kinds[f"HTTP {response.status_code}"] += 1
                    elif "error id" in response.text:
                        kinds["apology"] += 1
                except httpx.HTTPError as exc:
                    kinds[type(exc).__name__] += 1
                if record:
                    latencies.append((time.perf_counter() - sent) * 1000)

        for n, (build, rate, seconds) in enumerate(phases):
            last = n == len(phases) - 1
            if last:
                kinds.clear()  # the warm-up's errors are not the run's
                measured()
            start = time.perf_counter()
            tasks = []
            for i in range(int(rate * seconds)):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(*build(i), last)))
            await asyncio.gather(*tasks)
    if kinds:
        print(f"  errors at {url}: {dict(kinds)}", file=sys.stderr)
    return latencies, sum(kinds.values())


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready after {timeout}s")


def run(
    quick: bool = False,
    *,
    database_url: str | None = None,
    rate: float = 200,
    seconds: float = 10,
    clients: int = 50,
    scenarios: list[str] | None = None,
) -> dict:
    """Every scenario against its floor, on a throwaway database (dropped at the end: a run can follow a run)."""
    if quick:
        rate, seconds = min(rate, 100), min(seconds, 5)
    with throwaway(database_url) as url:
        rows, floors, cpu = _measure(url, rate, seconds, clients, scenarios)
    print(
        f"ack latency: {rate:.0f} req/s for {seconds:.0f}s, {clients} clients, "
        f"database {'postgresql' if database_url else 'sqlite'}"
    )
    table = [[name, *_fmt(lat), err, "1.00", f"{cpu[name]:.2f}", "-"] for name, (lat, err) in floors.items()]
    table += [
        [
            r["scenario"],
            *_fmt(r["latencies"]),
            r["errors"],
            f"{r['ratio_p99']:.2f}",
            f"{r['cpu_ms_per_request']:.2f} ({r['cpu_ratio']:.2f})",
            f"{r['floor']} <= {r['target']}",
        ]
        for r in rows
    ]
    header = [
        "scenario",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "p99 / floor",
        "CPU ms/req (/ floor)",
        "floor, target",
    ]
    print_table(table, header)
    for r in rows:
        if r["floor"] == WRITE_FLOOR:
            print(
                f"  {r['scenario']}: {r['response_url_replies']} replies by response_url for"
                f" {r['requests_with_warm_up']} requests (warm-up included); the worker done"
                f" {r['worker_done_after_s']:.2f} s after the load,"
                f" {r['worker_cpu_ms_per_request']:.2f} ms of its CPU per request"
            )
    for r in rows:
        del r["latencies"]
    writes = [r["ratio_p99"] for r in rows if r["floor"] == WRITE_FLOOR]
    worst = max(writes or [r["ratio_p99"] for r in rows] or [float("nan")])
    errors = sum(r["errors"] for r in rows) + sum(err for _, err in floors.values())
    result = Result(
        "ack_latency",
        {
            "scenarios": rows,
            **{f"{name} p99_ms": percentile(lat, 0.99) for name, (lat, _) in floors.items()},
            **{f"{name} cpu_ms_per_request": cpu[name] for name in floors},
            "database": "postgresql" if database_url else "sqlite",
            "rate": rate,
            "seconds": seconds,
            "clients": clients,
        },
        worst,
        f"write p99 <= {WRITE_TARGET} x {WRITE_FLOOR}, read p99 <= {TARGET} x {READ_FLOOR}, 0 errors",
        all(r["ratio_p99"] <= r["target"] for r in rows) and errors == 0,
    )
    write("ack_latency", result.as_dict())
    return result.as_dict()


def _measure(
    database_url: str, rate: float, seconds: float, clients: int, only: list[str] | None
) -> tuple[list[dict[str, Any]], dict[str, tuple[list[float], int]], dict[str, float]]:
    """Start the Slack double, our web process and the floors' app on `database_url`, and load each in turn."""
    from bench.double_process import DoubleProcess
    from bench.scenarios import WRITES, seed, voters
    from bench.scenarios import scenarios as build_scenarios
    from tests.slack.double import SlackDouble

    def people(double: SlackDouble) -> None:
        for uid, name, tz in [
            ("U0001", "ada", "Europe/Berlin"),
            ("U0002", "grace", "America/Los_Angeles"),
            ("U0003", "ravi", "Asia/Kolkata"),
        ]:
            double.add_user(uid, name, tz=tz)
        double.members["C0001"] = ["U0001", "U0002", "U0003"]
        # the retro's channel: every voter the vote scenario sends (UV000000...) is a member, as in Slack
        double.members["C0002"] = ["U0001", "U0002", "U0003", *voters(int(rate * seconds + rate) + WARM_UP + 100)]

    slack = DoubleProcess(people)  # Slack is another machine: its serving must not slow the load generator
    slack.start()
    ours_port, bare_port = free_port(), free_port()
    env = slack.process_env(
        database_url,
        SLACK_SIGNING_SECRET=SECRET,
        PORT=str(ours_port),
        RITUALBOT_AUTO_MIGRATE="true",
        RITUALBOT_WORKER_PRIORITY="idle",  # as deployed by default (bot.worker.yield_cpu)
    )
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True
    )
    quiet: dict[str, Any] = {"env": env, "cwd": ROOT, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    ours = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], **quiet)
    worker_log = tempfile.TemporaryFile()  # told when the worker stops early (_wait_beat, _drain)
    worker_args = [sys.executable, "-m", "bot.cli", "worker"]  # runs what the web process hands off
    worker = subprocess.Popen(worker_args, **{**quiet, "stderr": worker_log})
    worker.log = worker_log  # type: ignore[attr-defined]
    bare_args = ["--port", str(bare_port), "--api-url", slack.base_url, "--token", slack.token, "--secret", SECRET]
    bare = subprocess.Popen(
        [sys.executable, "-m", "bench._bare_app", *bare_args, "--database-url", database_url], **quiet
    )
    rows: list[dict[str, Any]] = []
    floors: dict[str, tuple[list[float], int]] = {}
    cpu: dict[str, float] = {}
    try:
        _wait_ready(f"http://127.0.0.1:{ours_port}/healthz", ours)
        _wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        _wait_beat(database_url, worker)
        ours_url = f"http://127.0.0.1:{ours_port}/slack/events"
        bare_url = f"http://127.0.0.1:{bare_port}/slack/events"
        seeded = seed(database_url)
        for name, command in ((READ_FLOOR, "/echo"), (WRITE_FLOOR, "/write")):
            lat, err, cpu[name] = _run_load(
                bare_url, _bare(command, slack.response_url()), rate, seconds, clients, bare.pid
            )
            floors[name] = (lat, err)
        for name, build in build_scenarios(seeded, slack.response_url()).items():
            if only and name not in only:
                continue
            answered = slack.responses()
            worker_cpu = _cpu_seconds(worker.pid)
            lat, err, cpu[name] = _run_load(ours_url, build, rate, seconds, clients, ours.pid)
            drain = _drain(database_url, worker)  # the handed-off work, done by the worker (bot.handoff)
            if name in WRITES:  # each write is answered by response_url (the warm-up's too)
                slack.wait_responses(answered + len(lat) + WARM_UP + int(rate), timeout=30)
            replies = slack.responses() - answered
            sent = len(lat) + WARM_UP + int(rate)  # with the warm-up's: the worker carried those out too
            worker_ms = (_cpu_seconds(worker.pid) - worker_cpu) * 1000 / max(sent, 1)
            floor = WRITE_FLOOR if name in WRITES else READ_FLOOR
            ratio = percentile(lat, 0.99) / percentile(floors[floor][0], 0.99)
            rows.append(
                {
                    "scenario": name,
                    "floor": floor,
                    "target": WRITE_TARGET if floor == WRITE_FLOOR else TARGET,
                    "p50_ms": percentile(lat, 0.5),
                    "p95_ms": percentile(lat, 0.95),
                    "p99_ms": percentile(lat, 0.99),
                    "errors": err,
                    "requests": len(lat),
                    "ratio_p99": ratio,
                    "latencies": lat,
                    "cpu_ms_per_request": cpu[name],
                    "cpu_ratio": cpu[name] / cpu[floor],
                    "worker_cpu_ms_per_request": worker_ms,
                    "worker_done_after_s": drain,
                    "response_url_replies": replies,
                    "requests_with_warm_up": sent,
                }
            )
    finally:
        for proc in (ours, bare, worker):
            proc.terminate()
            proc.wait(timeout=10)
        slack.stop()
    return rows, floors, cpu


def _tail(proc: subprocess.Popen) -> str:
    log = getattr(proc, "log", None)
    if log is None:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]


def _wait_beat(database_url: str, worker: subprocess.Popen, timeout: float = 60) -> None:
    """Until the worker has said it runs: the web process hands writes off only then (bot.handoff)."""
    from bot.db import Database
    from bot.handoff import worker_started

    app_db = Database(database_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited with {worker.returncode}: {_tail(worker)}")
            if worker_started(app_db):
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker did not beat within {timeout}s")
    finally:
        app_db.dispose()


def _drain(database_url: str, worker: subprocess.Popen, timeout: float = 300) -> float:
    """Seconds after the load until the worker has carried out every handed-off request (0: none waited)."""
    from bot.db import Database
    from bot.handoff import HandedOff, open_store

    app_db = Database(database_url)
    db = open_store(app_db, create=True) or app_db
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            with db.session() as s:
                if s.query(HandedOff).first() is None:
                    return time.monotonic() - start
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited with {worker.returncode}: {_tail(worker)}")
            time.sleep(0.05)
        raise RuntimeError(f"handed-off requests still waiting after {timeout}s")
    finally:
        db.dispose()
        app_db.dispose()


def _run_load(
    url: str, build: Builder, rate: float, seconds: float, clients: int, pid: int
) -> tuple[list[float], int, float]:
    """(latencies, errors, the server process's CPU ms per request over the run): CPU time is what a busy
    shared machine disturbs least, so it is reported next to the latencies."""
    total = int(rate * seconds)  # the warm-up sends numbers after the run's: no request body is sent twice
    # warm-up, not measured: 2 s at 20 req/s, then 1 s at the run's rate (each server opens the database
    # connections and threads the rate needs before it is measured; the floors' servers alike)
    phases: list[Phase] = [
        (lambda n: build(total + n), 20, 2),
        (lambda n: build(total + WARM_UP + n), rate, 1),
        (build, rate, seconds),
    ]
    before = [0.0]

    def measured() -> None:
        before[0] = _cpu_seconds(pid)

    lat, err = asyncio.run(_load(url, phases, clients, measured))
    return lat, err, (_cpu_seconds(pid) - before[0]) * 1000 / max(len(lat), 1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (Linux /proc); NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _bare(command: str, response_url: str) -> Builder:
    def build(n: int) -> tuple[str, str]:
        form = {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "command": command,
            "text": f"Benchmark row {n}",
            "response_url": response_url,
            "trigger_id": f"t.{n}",
        }
        return urlencode(form), "application/x-www-form-urlencoded"

    return build


def _fmt(lat: list[float]) -> list[str]:
    return [f"{percentile(lat, q):.1f}" for q in (0.5, 0.95, 0.99)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ack_latency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 req/s for 5 s")
    parser.add_argument("--rate", type=float, default=200, help="requests per second (default 200)")
    parser.add_argument("--seconds", type=float, default=10, help="duration per scenario (default 10)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to run on (a throwaway schema in it) instead of a new SQLite file",
    )
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    args = parser.parse_args(argv)
    result = run(
        args.quick,
        database_url=args.database_url,
        rate=args.rate,
        seconds=args.seconds,
        clients=args.clients,
        scenarios=args.scenario,
    )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
