"""`ritualbot demo`: a simulated day of every capability on embedded defaults, no Slack needed.

It seeds a demo team (three members in three timezones), lets each capability set itself up
(`Capability.demo`), then runs every scheduled job at its time through the real job runner and
outbox, printing each message as text in time order and writing its Block Kit JSON (charts as PNG files
beside it); with `--html`, one self-contained page of the day (`bot.demo_page`). Each member's App
Home ends the day.
"""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot import blocks, jobs
from bot.blocks import blocks_to_text
from bot.clock import FrozenClock
from bot.config import DeliverySettings, Settings
from bot.db import Database
from bot.demo_context import CHANNEL_ID, DEMO_USERS, TEAM_ID, DemoContext
from bot.demo_html import Entry, Names
from bot.demo_page import page
from bot.offline_slack import OfflineSlack, RecordedCall
from bot.runtime import install
from bot.wiring import build_runtime
from handlers.ritual.events import view_for as home_view_for
from reports.digest import service as digest

POSTING = {
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.publish",
    "views.open",
    "views.update",
    "files.upload",
}
HOME = "ritualbot — App Home"


class _Recorder:
    """Keeps every visible call with the demo clock's time; `finish` writes and prints them in time order
    (the capabilities' demos set the clock back and forth: Sunday's retro comes before Monday's standup)."""

    def __init__(self, out_dir: Path, quiet: bool, clock: FrozenClock) -> None:
        self.out_dir, self.quiet, self.clock = out_dir, quiet, clock
        self.entries: list[Entry] = []

    @property
    def count(self) -> int:
        return len(self.entries)

    def __call__(self, call: RecordedCall) -> None:
        if call.method not in POSTING:
            return
        params = dict(call.params)
        image = ""
        if call.method == "files.upload":
            image = "data:image/png;base64," + str(params.pop("content_b64", ""))
        self.entries.append(Entry(self.clock.now(), len(self.entries), call.method, params, image))

    def finish(self) -> list[Entry]:
        ordered = sorted(self.entries, key=lambda e: (e.at, e.seq))
        for n, entry in enumerate(ordered, start=1):
            self._write(n, entry)
        return ordered

    def _write(self, n: int, entry: Entry) -> None:
        p = entry.params
        where = p.get("channel") or p.get("user_id") or "?"
        name = f"{n:03d}-{entry.method.replace('.', '_')}-{where}"
        if entry.method == "files.upload":
            png = f"{name}.png"
            (self.out_dir / png).write_bytes(base64.b64decode(entry.image.partition(",")[2]))
            payload = {"blocks": [blocks.image(png, str(p.get("title") or png), str(p.get("title") or png))]}
        else:
            payload = {"blocks": p.get("blocks") or (p.get("view") or {}).get("blocks") or []}
        (self.out_dir / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        if self.quiet:
            return
        stamp = entry.at.strftime("%a %d %b %H:%M UTC")
        thread = " (in thread)" if p.get("thread_ts") else ""
        target = f"user {p['user_id']} Home" if entry.method == "views.publish" else f"{where}{thread}"
        print(f"\n── {stamp} · {entry.method} → {target} · {name}.json")
        if entry.method == "files.upload":
            print(f"  [chart {name}.png: {p.get('title')}]")
            return
        text = blocks_to_text(payload["blocks"]) or p.get("text", "")
        print("\n".join("  " + line for line in text.splitlines()))


def run_demo(*, out_dir: str = "demo-output", quiet: bool = False, day: date | None = None, html: bool = False) -> int:
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    day = day or date(2026, 11, 23)
    clock = FrozenClock(datetime.combine(day, time(0, 0), tzinfo=UTC))
    printer = _Recorder(out, quiet, clock)
    slack = OfflineSlack(users={u.id: u for u in DEMO_USERS}, on_call=printer)
    settings = Settings(
        database_url=f"sqlite:///{out / 'ritualbot-demo.db'}",
        mlflow_tracking_uri=str(out / "mlruns"),
        timezone="Europe/Berlin",
        slack_bot_token="xoxb-offline-demo",
        delivery=DeliverySettings(concurrency=1),  # one call at a time: the day prints in the same order every run
    )
    database = Database(settings.database_url)
    database.upgrade()
    rt = build_runtime(settings, clock=clock, clients=slack, database=database)
    install(rt)
    ctx = DemoContext(runtime=rt, clock=clock, day=day, out_dir=out)
    print(
        f"ritualbot demo — team {TEAM_ID}, channel #{CHANNEL_ID}, day {day:%a %d %b %Y}; "
        f"members: {', '.join(f'{u.name} ({u.tz})' for u in DEMO_USERS)}"
    )
    with ctx.session() as s:
        digest.enable(
            s,
            team_id=TEAM_ID,
            channel_id=CHANNEL_ID,
            user_id="UADA",
            now=clock.now(),
            local_time="09:00",
            timezone="Europe/Berlin",
        )
    for demo in rt.capabilities.demos():
        demo(ctx)
        ctx.deliver()
    ran = _simulate_day(ctx)
    _publish_homes(ctx)
    database.dispose()
    entries = printer.finish()
    print(f"\nSimulated {ran} scheduled job runs; {printer.count} messages. Block Kit JSON and charts in {out}/.")
    if html:
        names = Names({u.id: u.name for u in DEMO_USERS}, {CHANNEL_ID: "ml-team"})
        index = out / "index.html"
        index.write_text(page(entries, names, day), encoding="utf-8")
        print(f"Open the day as Slack would show it: {index.resolve()}")
    return 0


def _publish_homes(ctx: DemoContext) -> None:
    """Each member opens App Home at 17:30 UTC: their own page, as the app_home_opened listener publishes it."""
    ctx.at(17, 30)
    client = ctx.runtime.clients.for_team(ctx.team_id)
    with ctx.session() as s:
        for user in ctx.users:
            view = home_view_for(
                s, ctx.runtime.settings, ctx.runtime.capabilities, ctx.team_id, user.id, ctx.clock.now()
            )
            client.views_publish(user_id=user.id, view=view)


def _simulate_day(ctx: DemoContext) -> int:
    """Run every desired job at each of its fire times on the demo day, in time order."""
    start = datetime.combine(ctx.day, time(0, 0), tzinfo=UTC)
    end = start + timedelta(days=1)
    with ctx.session() as s:
        desired = ctx.runtime.capabilities.desired_jobs(s)
    fires: list[tuple[datetime, str, str]] = []
    for want in desired:
        when = want.trigger.get_next_fire_time(None, start)
        while when is not None and when < end:
            fires.append((when.astimezone(UTC), want.job, want.scope))
            when = want.trigger.get_next_fire_time(when, when + timedelta(seconds=1))
    ran = 0
    for when, name, scope in sorted(fires):
        ctx.clock.set(when)
        if jobs.run(name, scope, rt=ctx.runtime).ran:
            ran += 1
        ctx.deliver()
    return ran
