"""Driving standups in tests: the setup modal through the signed endpoint, and a simulated clock that
fires every standup job (per-member cron triggers) in time order, delivering the outbox after each."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import jobs
from bot.clock import FrozenClock
from bot.runtime import Runtime
from handlers import CAPABILITIES as capabilities


def setup_values(
    users: list[str],
    *,
    ask: str = "09:00",
    digest: str = "19:00",
    tz: str = "Europe/Berlin",
    days: tuple[int, ...] = (1, 2, 3, 4, 5),
    reminder: str = "30",
    mode: str = "thread",
    questions: str = "Yesterday?\nToday?\nBlockers?",
    blocker: str = "3",
    holidays: str = "",
    everyone: bool = False,
    name: str = "Daily",
) -> dict[str, Any]:
    def plain(v: str) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": v}}

    return {
        "name": plain(name),
        "participants": {"value": {"type": "multi_users_select", "selected_users": users}},
        "everyone": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if everyone else []}},
        "days": {"value": {"type": "checkboxes", "selected_options": [{"value": str(d)} for d in days]}},
        "ask_time": {"value": {"type": "timepicker", "selected_time": ask}},
        "questions": plain(questions),
        "blocker": plain(blocker),
        "digest_time": {"value": {"type": "timepicker", "selected_time": digest}},
        "timezone": plain(tz),
        "reminder": {"value": {"type": "static_select", "selected_option": {"value": reminder}}},
        "post_mode": {"value": {"type": "radio_buttons", "selected_option": {"value": mode}}},
        "holidays": plain(holidays),
    }


def set_up(signed: Any, slack: Any, users: list[str], **options: Any) -> Any:
    """`/standup setup` in C0001, then submit the modal it opened."""
    assert signed.command("/standup", "setup").status_code == 200
    view = slack.view("standup.setup")
    assert view["callback_id"] == "standup.setup"
    return signed.view_submission(
        "standup.setup", setup_values(users, **options), private_metadata=view["private_metadata"]
    )


def answer_values(*answers: str) -> dict[str, Any]:
    return {f"q{i}": {"value": {"type": "plain_text_input", "value": a}} for i, a in enumerate(answers)}


def dm(user: str, text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "message", "channel": f"D{user}", "channel_type": "im", "user": user, "text": text, "ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def blocks_text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks") or [], ensure_ascii=False) + params.get("text", "")


class Simulation:
    """Fires the standup jobs between the last position and `until`, as the worker's scheduler would."""

    def __init__(self, runtime: Runtime, clock: FrozenClock, start: datetime, *, deliver_each: bool = True) -> None:
        self.rt, self.clock, self.cursor, self.deliver_each = runtime, clock, start, deliver_each
        clock.set(start)

    def run_until(self, until: datetime) -> list[tuple[datetime, str, str]]:
        with self.rt.database.session() as s:
            desired = [d for d in capabilities.desired_jobs(s) if d.job.startswith("standup.")]
        fires = []
        for want in desired:
            when = want.trigger.get_next_fire_time(None, self.cursor + timedelta(microseconds=1))
            while when is not None and when <= until:
                fires.append((when.astimezone(UTC), want.job, want.scope))
                when = want.trigger.get_next_fire_time(when, when + timedelta(seconds=1))
        ran = []
        for when, name, scope in sorted(fires):
            self.clock.set(when)
            if jobs.run(name, scope, rt=self.rt).ran:
                ran.append((when, name, scope))
            if self.deliver_each:
                self.rt.sender.deliver_due()
        self.clock.set(until)
        self.cursor = until
        self.rt.sender.deliver_due()
        return ran


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)
