"""Ack latency: our real web process vs a bare Bolt app, same server, same load, same run.

Both run as their own processes behind waitress on loopback; a load generator sends signed
requests at a fixed rate with a bounded number of concurrent clients, and prints p50/p95/p99 per
scenario and the p99 ratio ours/bare (target <= 1.3, zero errors).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.common import Result, free_port, percentile, print_table, write

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TARGET = 1.3
Builder = Callable[[int], tuple[str, str]]


def _sign(body: str) -> dict[str, str]:
    from tests.slack.signed import sign

    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}


async def _load(url: str, build: Builder, rate: float, seconds: float, clients: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(clients)
    total = int(rate * seconds)
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=clients)) as http:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                body, ctype = build(i)
                headers = {"Content-Type": ctype, **_sign(body)}
                sent = time.perf_counter()
                try:
                    response = await http.post(url, content=body.encode(), headers=headers)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += 0 if ok else 1

        await asyncio.gather(*(one(i) for i in range(total)))
    return latencies, errors


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
    seconds: float = 30,
    clients: int = 50,
    scenarios: list[str] | None = None,
) -> dict:
    from bench.scenarios import scenarios as build_scenarios
    from bench.scenarios import seed
    from tests.slack.double import SlackDouble

    if quick:
        rate, seconds = min(rate, 100), min(seconds, 5)
    slack = SlackDouble()
    slack.start()
    for uid, name, tz in [
        ("U0001", "ada", "Europe/Berlin"),
        ("U0002", "grace", "America/Los_Angeles"),
        ("U0003", "ravi", "Asia/Kolkata"),
    ]:
        slack.add_user(uid, name, tz=tz)
    slack.members["C0001"] = ["U0001", "U0002", "U0003"]
    workdir = tempfile.mkdtemp(prefix="ritualbot-bench-")
    ours_port, bare_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{workdir}/bench.db",
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "PORT": str(ours_port),
        "LOG_LEVEL": "WARNING",
        "RITUALBOT_AUTO_MIGRATE": "true",
    }
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True
    )
    ours = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench._bare_app",
            "--port",
            str(bare_port),
            "--api-url",
            slack.base_url,
            "--token",
            slack.token,
            "--secret",
            SECRET,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows, table = [], []
    try:
        _wait_ready(f"http://127.0.0.1:{ours_port}/healthz", ours)
        _wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        ours_url = f"http://127.0.0.1:{ours_port}/slack/events"
        bare_url = f"http://127.0.0.1:{bare_port}/slack/events"
        seeded = seed(env["DATABASE_URL"])
        asyncio.run(_load(bare_url, _echo(slack.response_url()), 20, 2, clients))  # warm-up, discarded
        base_lat, base_err = asyncio.run(_load(bare_url, _echo(slack.response_url()), rate, seconds, clients))
        base_p99 = percentile(base_lat, 0.99)
        table.append(["bare /echo", *_fmt(base_lat), base_err, "1.00"])
        for name, build in build_scenarios(seeded, slack.response_url()).items():
            if scenarios and name not in scenarios:
                continue
            asyncio.run(_load(ours_url, build, 20, 2, clients))  # warm-up, discarded
            lat, err = asyncio.run(_load(ours_url, build, rate, seconds, clients))
            ratio = percentile(lat, 0.99) / base_p99
            rows.append(
                {
                    "scenario": name,
                    "p50_ms": percentile(lat, 0.5),
                    "p95_ms": percentile(lat, 0.95),
                    "p99_ms": percentile(lat, 0.99),
                    "errors": err,
                    "requests": len(lat),
                    "ratio_p99": ratio,
                }
            )
            table.append([name, *_fmt(lat), err, f"{ratio:.2f}"])
    finally:
        for proc in (ours, bare):
            proc.terminate()
            proc.wait(timeout=10)
        slack.stop()
    print(
        f"ack latency: {rate:.0f} req/s for {seconds:.0f}s, {clients} clients, "
        f"database {'postgresql' if database_url else 'sqlite'}"
    )
    print_table(table, ["scenario", "p50 ms", "p95 ms", "p99 ms", "errors", "p99 / bare"])
    worst = max((r["ratio_p99"] for r in rows), default=float("nan"))
    errors = sum(r["errors"] for r in rows) + base_err
    result = Result(
        "ack_latency",
        {"scenarios": rows, "bare_p99_ms": base_p99, "rate": rate, "seconds": seconds, "clients": clients},
        worst,
        f"p99 ratio <= {TARGET}, 0 errors",
        worst <= TARGET and errors == 0,
    )
    write("ack_latency", result.as_dict())
    return result.as_dict()


def _echo(response_url: str) -> Builder:
    def build(n: int) -> tuple[str, str]:
        form = {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "command": "/echo",
            "text": "",
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
    parser.add_argument("--seconds", type=float, default=30, help="duration per scenario (default 30)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--database-url", help="run our app on this database (e.g. PostgreSQL) instead of SQLite")
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
