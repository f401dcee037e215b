"""Fan-out: N standup participants' DMs enqueued and delivered through the outbox against the
Slack double enforcing a rate limit (429 + Retry-After). Reports delivered/lost and the total
time against the theoretical minimum under that limit.

Slack documents chat.postMessage as a "special" tier (about one message per second per channel,
with a workspace-wide cap it does not publish); the double enforces a workspace-wide token bucket
of --rate messages per second (default 10) with a burst of the same size, answering 429 with
Retry-After when it is exceeded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time

from bench.common import Result, print_table, write

TARGET_RATIO = 1.5


def run(quick: bool = False, *, participants: int = 500, rate: float = 10.0) -> dict:
    from bot import outbox
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.db import Database
    from bot.wiring import build_runtime
    from tests.slack.double import SlackDouble

    if quick:
        participants = min(participants, 100)
    slack = SlackDouble()
    slack.start()
    slack.rate_limit("chat.postMessage", per_second=rate, burst=max(1, int(rate)))
    workdir = tempfile.mkdtemp(prefix="ritualbot-fanout-")
    settings = Settings(
        database_url=f"sqlite:///{workdir}/fanout.db", slack_bot_token=slack.token, slack_api_url=slack.base_url
    )
    database = Database(settings.database_url)
    database.upgrade()
    rt = build_runtime(settings, clock=SystemClock(), database=database)
    started = time.perf_counter()
    with database.session() as s:
        for n in range(participants):
            outbox.post(
                s,
                channel=f"U{n:05d}",
                text="Time for the standup: what did you do since yesterday?",
                now=rt.clock.now(),
                dedupe_key=f"bench:ask:{n}",
            )
    enqueued = time.perf_counter() - started
    rounds = 0
    deadline = time.perf_counter() + max(60, 4 * participants / rate)
    while time.perf_counter() < deadline:
        rounds += 1
        report = rt.sender.deliver_due()
        if report.sent == 0:
            due = rt.sender.next_due_at()
            if due is None:
                break
            time.sleep(min(1.0, max(0.01, (due - rt.clock.now()).total_seconds())))
    total = time.perf_counter() - started
    delivered = len({c.params["channel"] for c in slack.calls_to("chat.postMessage")})
    throttled = len([c for c in slack.calls_to("chat.postMessage", ok_only=False) if c.error == "ratelimited"])
    slack.stop()
    database.dispose()
    minimum = max(0.0, (participants - max(1, int(rate))) / rate)
    ratio = total / minimum if minimum else None
    lost = participants - delivered
    print(f"fan-out: {participants} DMs through the outbox, double limited to {rate:g}/s")
    print_table(
        [
            [
                participants,
                delivered,
                lost,
                throttled,
                f"{enqueued:.2f}",
                f"{total:.1f}",
                f"{minimum:.1f}",
                f"{ratio:.2f}" if ratio else "-",
            ]
        ],
        ["participants", "delivered", "lost", "429s", "enqueue s", "total s", "minimum s", "ratio"],
    )
    result = Result(
        "fanout",
        {
            "participants": participants,
            "delivered": delivered,
            "lost": lost,
            "throttled_429": throttled,
            "enqueue_s": enqueued,
            "total_s": total,
            "theoretical_min_s": minimum,
            "rate_per_s": rate,
            "rounds": rounds,
        },
        ratio,
        f"0 lost, total/minimum <= {TARGET_RATIO}",
        lost == 0 and (ratio is None or ratio <= TARGET_RATIO),
    )
    write("fanout", result.as_dict())
    return result.as_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 participants")
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second the double allows")
    args = parser.parse_args(argv)
    return 0 if run(args.quick, participants=args.participants, rate=args.rate)["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
