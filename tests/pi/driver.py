"""Drives PI flows the way Slack does (signed requests) and reads back what the bot sent to the Slack double."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import jobs, outbox
from bot.blocks import blocks_to_text

CHANNEL = "C0001"
ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def text_input(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def choose(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def user_pick(user: str) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user}}


def new_pi_values(
    name: str, start: str, end: str, *, weekday: str = "0", at: str = "10:00", channel: str = CHANNEL
) -> dict[str, Any]:
    return {
        "name": text_input(name),
        "start": {"value": {"type": "datepicker", "selected_date": start}},
        "end": {"value": {"type": "datepicker", "selected_date": end}},
        "weekday": choose(weekday),
        "time": {"value": {"type": "timepicker", "selected_time": at}},
        "channel": {"value": {"type": "conversations_select", "selected_conversation": channel}},
    }


def objective_values(
    title: str, bv: str, owner: str, *, committed: bool = True, target: str = "", experiment: str = "", kill: str = ""
) -> dict[str, Any]:
    return {
        "title": text_input(title),
        "description": text_input(""),
        "planned_bv": text_input(bv),
        "committed": choose("committed" if committed else "uncommitted"),
        "owner": user_pick(owner),
        "link": text_input(""),
        "target": text_input(target),
        "experiment": text_input(experiment),
        "kill": text_input(kill),
    }


@dataclass
class PiDriver:
    signed: Any
    slack: Any
    deliver: Any
    runtime: Any

    def command(self, text: str, user: str = ADA) -> dict[str, Any]:
        response = self.signed.command("/pi", text, user=user)
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def opened(self) -> dict[str, Any]:
        return self.slack.calls_to("views.open")[-1].params["view"]

    def submit(self, values: dict[str, Any], user: str, view: dict[str, Any] | None = None) -> dict[str, Any]:
        view = view or self.opened()
        response = self.signed.view_submission(
            view["callback_id"], values, user=user, private_metadata=view["private_metadata"], blocks=view["blocks"]
        )
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def press(self, action_id: str, value: str, user: str) -> list[dict[str, Any]]:
        before = len(self.slack.responses())
        assert self.signed.action(action_id, value, user=user).status_code == 200
        self.deliver()
        return self.slack.responses()[before:]

    def run(self, job: str, scope: str = "1") -> bool:
        ran = jobs.run(job, scope, rt=self.runtime).ran
        self.deliver()
        return ran

    def ts_of(self, ref: str) -> str:
        with self.runtime.database.session() as s:
            row = outbox.find_by_ref(s, ref)
            assert row is not None and row.ts, ref
            return row.ts

    def dms(self, user: str) -> list[dict[str, Any]]:
        return self.slack.posted(user)

    def channel_texts(self) -> list[str]:
        return [blocks_to_text(p.get("blocks") or []) or p["text"] for p in self.slack.posted(CHANNEL)]
