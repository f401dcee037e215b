"""The requests the ack-latency benchmark sends to our app, and the data they need seeded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

Builder = Callable[[int], tuple[str, str]]
# The scenarios that write (compared with the write floor); the others only read.
WRITES = {"/ticket <stage> <summary>", "retro vote (interactivity)"}


def seed(database_url: str) -> dict[str, Any]:
    """A retro in its voting phase with one item, written through the retro domain (as /retro would)."""
    from bot.clock import SystemClock
    from bot.db import Database
    from rituals.retro import boards, items, service

    db = Database(database_url)
    now = SystemClock().now()
    with db.session() as s:
        retro = service.start_retro(
            s,
            team_id="T0001",
            channel_id="C0002",
            facilitator="U0001",
            board=boards.find({}, None),
            title="Bench retro",
            now=now,
        )
        column = retro.columns[0]["key"]
        item = items.add_item(
            s, retro.id, team_id="T0001", author="U0001", column=column, text="Bench item", anonymous=False, now=now
        )
        for phase in ("collect", "group"):
            service.advance(
                s, retro.id, team_id="T0001", from_phase=phase, actor="U0001", is_admin=lambda: False, now=now
            )
        ids = {"retro_id": retro.id, "item_id": item.item.id}
    db.dispose()
    return ids


def voter(n: int) -> str:
    return f"UV{n:06d}"


def voters(count: int) -> list[str]:
    return [voter(n) for n in range(count)]


def scenarios(seeded: dict[str, Any], response_url: str) -> dict[str, Builder]:
    def command(name: str, text: str) -> Builder:
        def build(n: int) -> tuple[str, str]:
            form = {
                "team_id": "T0001",
                "channel_id": "C0001",
                "user_id": "U0001",
                "command": name,
                "text": text.replace("{n}", str(n)),
                "response_url": response_url,
                "trigger_id": f"t.{n}",
            }
            return urlencode(form), "application/x-www-form-urlencoded"

        return build

    def vote(n: int) -> tuple[str, str]:
        # a different voter each time: every vote is a real write, not the over-the-limit answer
        payload = {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": voter(n)},
            "channel": {"id": "C0002"},
            "response_url": response_url,
            "trigger_id": f"t.{n}",
            "container": {"type": "message", "message_ts": "1800000000.000001", "channel_id": "C0002"},
            "message": {"ts": "1800000000.000001", "text": ""},
            "actions": [
                {
                    "type": "button",
                    "action_id": "retro.vote",
                    "block_id": "b",
                    "value": f"{seeded['retro_id']}:{seeded['item_id']}",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"

    return {
        "/ritual help": command("/ritual", "help"),
        "/standup (status)": command("/standup", ""),
        "/ticket <stage> <summary>": command("/ticket", "modelling Benchmark ticket {n}"),
        "retro vote (interactivity)": vote,
    }
