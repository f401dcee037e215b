"""Drives PI flows the way Slack does (signed requests) and reads back what the bot sent to the Slack double."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import jobs, outbox
from bot.blocks import blocks_to_text
from reports.runs.demo import log_run, ms

CHANNEL = "C0001"
ADA, GRACE, RAVI = "U0001", "U0002", "U0003"


def text_input(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def choose(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def user_pick(user: str) -> dict[str, Any]:
    return {"value": {"type": "users_select", "selected_user": user}}


def new_pi_values(
    name: str,
    start: str,
    end: str,
    *,
    weekday: str = "0",
    at: str = "10:00",
    channel: str = CHANNEL,
    business_owners: tuple[str, ...] = (),
) -> dict[str, Any]:
    owners = {"business_owners": {"value": {"type": "multi_users_select", "selected_users": list(business_owners)}}}
    return {
        **(owners if business_owners else {}),
        "name": text_input(name),
        "start": {"value": {"type": "datepicker", "selected_date": start}},
        "end": {"value": {"type": "datepicker", "selected_date": end}},
        "weekday": choose(weekday),
        "time": {"value": {"type": "timepicker", "selected_time": at}},
        "channel": {"value": {"type": "conversations_select", "selected_conversation": channel}},
    }


def objective_values(
    title: str, bv: str, owner: str, *, committed: bool = True, hypothesis: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "title": text_input(title),
        "description": text_input(""),
        "planned_bv": text_input(bv),
        "committed": choose("committed" if committed else "uncommitted"),
        "owner": user_pick(owner),
        "link": text_input(""),
        **(hypothesis or {}),
    }


def hypothesis_values(
    metric: str,
    threshold: str,
    *,
    comparator: str = ">=",
    alias: str = "",
    due: str = "0",
    kill_threshold: str = "",
    kill_iteration: str | None = None,
) -> dict[str, Any]:
    """The form's ML hypothesis inputs; `metric` is a metric menu option's value ("<experiment id>:<metric>")."""
    values = {
        "hypothesis_metric": choose(metric),
        "comparator": choose(comparator),
        "threshold": text_input(threshold),
        "alias": text_input(alias),
        "deadline_iteration": choose(due),
        "kill_threshold": text_input(kill_threshold),
    }
    if kill_iteration is not None:
        values["kill_iteration"] = choose(kill_iteration)
    return values


@dataclass
class PiDriver:
    signed: Any
    slack: Any
    deliver: Any
    runtime: Any
    mlflow: Any = None

    def command(self, text: str, user: str = ADA, channel: str = CHANNEL) -> dict[str, Any]:
        response = self.signed.command("/pi", text, user=user, channel=channel)
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def opened(self) -> dict[str, Any]:
        """The modal the user sees now: a form opened loading arrives by views.update (handlers.loading)."""
        return self.slack.view()

    def submit(self, values: dict[str, Any], user: str, view: dict[str, Any] | None = None) -> dict[str, Any]:
        view = view or self.opened()
        response = self.signed.view_submission(
            view["callback_id"], values, user=user, private_metadata=view["private_metadata"], blocks=view["blocks"]
        )
        assert response.status_code == 200
        self.deliver()
        return response.json() if response.content else {}

    def press(self, action_id: str, value: str, user: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
        before = len(self.slack.responses())
        assert self.signed.action(action_id, value, user=user, channel=channel).status_code == 200
        self.deliver()
        return self.slack.responses()[before:]

    def run(self, job: str, scope: str = "1", period: str | None = None) -> bool:
        ran = jobs.run(job, scope, period=period, rt=self.runtime).ran
        self.deliver()
        return ran

    def experiment(self, name: str, metrics: dict[str, float], minutes_ago: int = 60) -> str:
        """An MLflow experiment with one finished run logging `metrics`, then the catalog job reads MLflow."""
        experiment_id = self.mlflow.create_experiment(name)
        self.log(experiment_id, "baseline", metrics, minutes_ago=minutes_ago)
        assert self.run("pi.catalog", "", period=f"catalog-{name}")
        return experiment_id

    def log(self, experiment_id: str, name: str, metrics: dict[str, float], *, minutes_ago: int = 1) -> str:
        """A finished run that ended `minutes_ago` before the frozen clock's now."""
        end = ms(self.runtime.clock.now()) - minutes_ago * 60_000
        return log_run(self.mlflow, experiment_id, name, start=end - 600_000, end=end, metrics=metrics)

    def ts_of(self, ref: str) -> str:
        with self.runtime.database.session() as s:
            row = outbox.find_by_ref(s, ref)
            assert row is not None and row.ts, ref
            return row.ts

    def dms(self, user: str) -> list[dict[str, Any]]:
        return self.slack.posted(user)

    def channel_texts(self) -> list[str]:
        return [blocks_to_text(p.get("blocks") or []) or p["text"] for p in self.slack.posted(CHANNEL)]
