"""Slow dependencies: every command and action that calls out answers in < 1 s p99 while Slack and MLflow
are slowed (0.3 s per call) or hang, and the work still completes (or the user is told).

Our web process (`ritualbot serve`) talks to Slack through a loopback proxy in front of the Slack double
that delays every call 0.3 s ("slow") or holds every Web API call ("hang"; response_url posts still go
through, as hooks are a different host); MLflow is a loopback server answering `{}` after 0.3 s or never.
A load generator sends signed requests at a fixed rate; the floor is the bare Bolt app's `/echo` (ack only)
behind the same server in the same run. Target: p99 < 1000 ms in every scenario and mode, no errors, and
in "slow" mode every request's work done (an answer in place, a response_url post, or the modal opened).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.common import Result, free_port, percentile, print_table, write

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
DELAY = 0.3
TARGET_MS = 1000.0
BUSY = "busy with earlier requests"  # a full lane's answer (bot.deferred)
Builder = Callable[[int], tuple[str, str]]


class Dependency:
    """A loopback server in front of `target` (or answering `{}` itself): each call waits `delay` s, or,
    when `hang` is set, is held until stop() (paths under `passthrough` are never held)."""

    def __init__(self, target: str | None, *, passthrough: str = "\0") -> None:
        self.target, self.passthrough = target, passthrough
        self.delay, self.hang = DELAY, False
        self._stop = threading.Event()
        dep = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                dep._serve(self)

            do_GET = do_POST = _serve  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        body = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        held = self.hang and not req.path.startswith(self.passthrough)
        if held:
            self._stop.wait()
            return
        self._stop.wait(self.delay)
        status, ctype, answer = 200, "application/json", b"{}"
        if self.target:
            headers = {k: v for k, v in req.headers.items() if k.lower() in ("content-type", "authorization")}
            forwarded = urllib.request.Request(self.target + req.path.lstrip("/"), data=body or None, headers=headers)
            forwarded.method = req.command
            try:
                with urllib.request.urlopen(forwarded, timeout=30) as res:
                    status, ctype, answer = res.status, res.headers.get("Content-Type", ctype), res.read()
            except urllib.error.HTTPError as exc:
                status, ctype, answer = exc.code, exc.headers.get("Content-Type", ctype), exc.read()
        try:
            req.send_response(status)
            req.send_header("Content-Type", ctype)
            req.send_header("Content-Length", str(len(answer)))
            req.end_headers()
            req.wfile.write(answer)
        except OSError:
            pass

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def _sign(body: str) -> dict[str, str]:
    from tests.slack.signed import sign

    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}


async def _load(url: str, build: Builder, rate: float, seconds: float) -> tuple[list[float], int, list[str]]:
    """(latencies in ms, errors, answer texts): an error is a non-200, no answer, or our apology."""
    latencies: list[float] = []
    texts: list[str] = []
    errors = 0
    async with httpx.AsyncClient(timeout=10) as http:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            body, ctype = build(i)
            sent = time.perf_counter()
            try:
                response = await http.post(url, content=body.encode(), headers={"Content-Type": ctype, **_sign(body)})
                ok = response.status_code == 200
                text = response.json().get("text", "") if response.content.startswith(b"{") else ""
            except httpx.HTTPError:
                ok, text = False, ""
            latencies.append((time.perf_counter() - sent) * 1000)
            texts.append(text)
            errors += 0 if ok and "error id" not in text else 1

        await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
    return latencies, errors, texts


def _command(response_url: str, name: str, text: str, channel: str = "C0001") -> Builder:
    def build(n: int) -> tuple[str, str]:
        form = {"team_id": "T0001", "channel_id": channel, "user_id": "U0001", "command": name}
        form |= {"text": text.replace("{n}", str(n)), "response_url": response_url, "trigger_id": f"t.{n}"}
        return urlencode(form), "application/x-www-form-urlencoded"

    return build


def _button(response_url: str, action_id: str, value: str, user: Callable[[int], str]) -> Builder:
    """A block_actions click on the seeded retro's message in C0002."""

    def build(n: int) -> tuple[str, str]:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": user(n), "team_id": "T0001"},
            "channel": {"id": "C0002"},
            "response_url": response_url,
            "trigger_id": f"t.{n}",
            "container": {"type": "message", "message_ts": "1800000000.000001", "channel_id": "C0002"},
            "message": {"ts": "1800000000.000001", "text": ""},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        }
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"

    return build


def _vote(response_url: str, seeded: dict[str, Any]) -> Builder:
    from bench.scenarios import voter

    return _button(response_url, "retro.vote", _vote_value(seeded), voter)


def _facilitator_form(response_url: str, seeded: dict[str, Any]) -> Builder:
    """The facilitator opens the deadlines form: a loading modal at once, the form after the membership check."""
    return _button(response_url, "retro.timing", str(seeded["retro_id"]), lambda n: "U0001")


def _home_opened(n: int) -> tuple[str, str]:
    """The Events API's app_home_opened (its answer is empty; the work is the views.publish after it)."""
    event = {"type": "app_home_opened", "user": "U0001", "channel": "DU0001", "tab": "home"}
    envelope: dict[str, Any] = {"team_id": "T0001", "api_app_id": "A0001", "type": "event_callback", "event": event}
    envelope |= {"event_id": f"EvBench{n:08d}", "event_time": int(time.time())}
    envelope["authorizations"] = [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}]
    return json.dumps(envelope), "application/json"


def _vote_value(seeded: dict[str, Any]) -> str:
    return f"{seeded['retro_id']}:{seeded['item_id']}"


# name -> (builder factory, the pending text its request answers with while the work runs)
def _scenarios(response_url: str, seeded: dict[str, Any]) -> dict[str, tuple[Builder, str]]:
    return {
        "/standup setup (users.info, views.open)": (
            _command(response_url, "/standup", "setup"),
            "Opening the standup form…",
        ),
        "/pi new (users.info, views.open)": (_command(response_url, "/pi", "new"), "Checking with Slack…"),
        "/ritual digest on (users.info)": (
            _command(response_url, "/ritual", "digest on"),
            "Looking up your timezone in Slack…",
        ),
        "/retro abandon (members, admin)": (_command(response_url, "/retro", "abandon"), "Checking with Slack…"),
        "/runs latest (MLflow)": (
            _command(response_url, "/runs", "latest exp-{n}"),
            "Looking up the latest run in MLflow…",
        ),
        "retro vote (members)": (_vote(response_url, seeded), ""),
        "retro deadlines form (members, views.open)": (_facilitator_form(response_url, seeded), ""),
        "app_home_opened event (views.publish)": (_home_opened, ""),
    }


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
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


def _done(slack: Any, texts: list[str], pending: str, before: tuple[int, int]) -> int:
    """Requests whose work finished: answered in place, posted to response_url, or the modal opened."""
    inline = sum(1 for t in texts if t and t != pending and BUSY not in t)
    return inline + len(slack.responses()) - before[0] + _shown(slack) - before[1]


def _shown(slack: Any) -> int:
    """Forms and Home tabs the work showed: a form opened at once, one opened loading and then updated
    (handlers/loading.py), or a published Home tab (its views.open without a callback_id is the loading view)."""
    forms = sum(1 for c in slack.calls_to("views.open") if (c.params.get("view") or {}).get("callback_id"))
    return forms + len(slack.calls_to("views.update")) + len(slack.calls_to("views.publish"))


def _offset(build: Builder, offset: int, n: int) -> tuple[str, str]:
    return build(offset + n)


def _settle(slack: Any, texts: list[str], pending: str, before: tuple[int, int], total: int) -> int:
    """Wait (at most a minute) until every request's work is done; how many are."""
    deadline = time.monotonic() + 60
    total -= sum(1 for t in texts if BUSY in t)  # refused at once, by name: nothing to wait for
    while _done(slack, texts, pending, before) < total and time.monotonic() < deadline:
        time.sleep(0.2)
    return _done(slack, texts, pending, before)


def run(quick: bool = False, *, rate: float = 10, seconds: float = 6) -> dict[str, Any]:
    from bench.scenarios import seed, voters
    from tests.slack.double import SlackDouble

    if quick:
        seconds = 3
    slack = SlackDouble()
    slack.start()
    for uid, name in [("U0001", "ada"), ("U0002", "grace"), ("U0003", "ravi")]:
        slack.add_user(uid, name, tz="Europe/Berlin")
    slack.members["C0001"] = ["U0001", "U0002", "U0003"]
    slack.members["C0002"] = ["U0001", *voters(int(rate * seconds) + 40)]
    slack_proxy = Dependency(slack.root_url, passthrough="/response/")
    mlflow = Dependency(None)
    workdir = tempfile.mkdtemp(prefix="ritualbot-slowdeps-")
    ours_port, bare_port = free_port(), free_port()
    database_url = f"sqlite:///{workdir}/bench.db"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_proxy.url + "api/",
        "MLFLOW_TRACKING_URI": mlflow.url.rstrip("/"),
        "PORT": str(ours_port),
        "LOG_LEVEL": "ERROR",
        "RITUALBOT_AUTO_MIGRATE": "true",
    }
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True
    )
    seeded = seed(database_url)
    ours = _start([sys.executable, "-m", "bot.cli", "serve"], env)
    bare_args = ["--port", str(bare_port), "--api-url", slack.base_url, "--token", slack.token, "--secret", SECRET]
    bare = _start([sys.executable, "-m", "bench._bare_app", *bare_args, "--database-url", database_url], env)
    response_url = slack_proxy.url + "response/r"
    rows: list[dict[str, Any]] = []
    table: list[list[Any]] = []
    try:
        _wait_ready(f"http://127.0.0.1:{ours_port}/healthz", ours)
        _wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        ours_url, bare_url = f"http://127.0.0.1:{ours_port}/slack/events", f"http://127.0.0.1:{bare_port}/slack/events"
        floor_lat, floor_err, _ = asyncio.run(_load(bare_url, _command(response_url, "/echo", ""), rate, seconds))
        floor = percentile(floor_lat, 0.99)
        table.append(["bare /echo (floor)", "-", *_fmt(floor_lat), floor_err, "-", "-", "1.00"])
        for mode in ("slow", "hang"):
            slack_proxy.hang = mlflow.hang = mode == "hang"
            for name, (build, pending) in _scenarios(response_url, seeded).items():
                if mode == "slow":  # warm-up, discarded: the first requests of a code path pay for imports
                    before = (len(slack.responses()), _shown(slack))
                    _, _, texts = asyncio.run(_load(ours_url, functools.partial(_offset, build, 10_000), 2, 2))
                    _settle(slack, texts, pending, before, len(texts))
                before = (len(slack.responses()), _shown(slack))
                lat, err, texts = asyncio.run(_load(ours_url, build, rate, seconds))
                total = len(lat)
                busy = sum(1 for t in texts if BUSY in t)
                done = _settle(slack, texts, pending, before, total) if mode == "slow" else None
                p99 = percentile(lat, 0.99)
                rows.append(
                    {
                        "mode": mode,
                        "scenario": name,
                        "p50_ms": percentile(lat, 0.5),
                        "p99_ms": p99,
                        "errors": err,
                        "requests": total,
                        "work_done": done,
                        "lane_full": busy,
                        "ratio_p99": p99 / floor,
                    }
                )
                shown_done = f"{done}/{total}" if done is not None else "-"
                table.append([name, mode, *_fmt(lat), err, shown_done, busy, f"{p99 / floor:.2f}"])
            time.sleep(0.5)
    finally:
        for proc in (ours, bare):
            proc.terminate()
            proc.wait(timeout=15)
        slack_proxy.stop()
        mlflow.stop()
        slack.stop()
    print(
        f"slow dependencies: {rate:.0f} req/s for {seconds:.0f}s per scenario; "
        f"Slack and MLflow {DELAY} s per call, or hanging"
    )
    header = ["scenario", "mode", "p50 ms", "p95 ms", "p99 ms", "errors", "work done", "lane full", "p99 / floor"]
    print_table(table, header)
    worst = max(r["p99_ms"] for r in rows)
    complete = all(r["work_done"] is None or r["work_done"] + r["lane_full"] >= r["requests"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    result = Result(
        "slow_deps",
        {"scenarios": rows, "floor_p99_ms": floor, "worst_p99_ms": worst, "delay_s": DELAY, "rate": rate},
        worst / floor,
        f"p99 < {TARGET_MS:.0f} ms (worst {worst:.0f} ms), 0 errors, all work done",
        worst < TARGET_MS and errors == 0 and complete,
    )
    write("slow_deps", result.as_dict())
    return result.as_dict()


def _fmt(lat: list[float]) -> list[str]:
    return [f"{percentile(lat, q):.1f}" for q in (0.5, 0.95, 0.99)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench slow-deps", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 s per scenario")
    parser.add_argument("--rate", type=float, default=10, help="requests per second (default 10)")
    parser.add_argument("--seconds", type=float, default=6, help="duration per scenario (default 6)")
    args = parser.parse_args(argv)
    return 0 if run(args.quick, rate=args.rate, seconds=args.seconds)["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
