"""Which tracker a ticket goes to, and building it from ritualbot.yaml.

```yaml
tickets:   {stages: [...], reaction: ticket, key_prefix: DS,
            templates: {bank: [...eight stages]},   # `/ticket project <name> template:bank`
            wip_limits: {"Modelling / EDA": 3}}
trackers:
  default: builtin            # builtin | jira | github
  timeout_seconds: 2.5
  channels: {C0123: jira}     # per channel
  projects: {"Churn model": github}   # per project (wins over the channel)
  jira: {url: ..., email: ..., token_env: JIRA_API_TOKEN, project_key: DS, issue_type: Task,
         epic_issue_type: Epic, stage_field: customfield_10050, accounts: {U0123: <accountId>},
         stage_statuses: {"Testing & validation": "In Review"}, reopen_status: "To Do"}
  github: {repo: owner/name, token_env: GITHUB_TOKEN, api_url: ..., logins: {U0123: octocat}}
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import ConfigError
from rituals.tickets import accounts
from rituals.tickets import stages as stage_mod
from rituals.tickets.trackers.base import Tracker
from rituals.tickets.trackers.builtin import BuiltinTracker
from rituals.tickets.trackers.github import GitHubTracker
from rituals.tickets.trackers.jira import JiraTracker

TRACKERS = ("builtin", "jira", "github")


@dataclass(frozen=True)
class TicketSetup:
    stages: list[stage_mod.Stage]
    trackers: Mapping[str, Any] = field(default_factory=dict)
    secret: Callable[[str], str] | None = None
    reaction: str = "ticket"
    prefix: str = "DS"
    wip_limits: Mapping[str, int] = field(default_factory=dict)
    templates: Mapping[str, list[stage_mod.Stage]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Any) -> TicketSetup:
        tickets = settings.section("tickets")
        return cls(
            stages=stage_mod.configured(tickets),
            trackers=settings.section("trackers"),
            secret=settings.secret,
            reaction=str(tickets.get("reaction") or "ticket").strip(":"),
            prefix=str(tickets.get("key_prefix") or "DS"),
            wip_limits=_wip_limits(tickets.get("wip_limits") or {}),
            templates=stage_mod.templates(tickets.get("templates") or {}),
        )

    @property
    def timeout(self) -> float:
        return float(self.trackers.get("timeout_seconds") or 2.5)

    def tracker_name(self, channel_id: str | None, project: str | None = None) -> str:
        projects = self.trackers.get("projects") or {}
        channels = self.trackers.get("channels") or {}
        name = (
            (projects.get(project) if project else None)
            or (channels.get(channel_id) if channel_id else None)
            or self.trackers.get("default")
            or "builtin"
        )
        if name not in TRACKERS:
            raise ConfigError(f"ritualbot.yaml: tracker {name!r} is not one of {', '.join(TRACKERS)}")
        return str(name)

    def calls_out(self) -> bool:
        """Whether any filing may reach a remote tracker: only a configured Jira or GitHub can be built
        (`build`), so without one every ticket stays in our own tables."""
        return any(isinstance(self.trackers.get(name), Mapping) for name in TRACKERS if name != "builtin")

    def build(self, name: str, session: Session, team_id: str) -> Tracker:
        if name == "builtin":
            return BuiltinTracker(session, team_id, prefix=self.prefix)
        config = self.trackers.get(name)
        if not isinstance(config, Mapping):
            raise ConfigError(f"ritualbot.yaml: trackers.{name} is not configured")
        env = config.get("token_env") or {"jira": "JIRA_API_TOKEN", "github": "GITHUB_TOKEN"}[name]
        if self.secret is None:
            raise ConfigError(f"{env} is not available")
        token = self.secret(str(env))
        config = accounts.with_links(config, name, accounts.linked(session, team_id, name))
        if name == "jira":
            return JiraTracker(config, token, timeout=self.timeout)
        return GitHubTracker(config, token, timeout=self.timeout)


def _wip_limits(config: Any) -> dict[str, int]:
    if not isinstance(config, Mapping) or not all(isinstance(v, int) and v > 0 for v in config.values()):
        raise ConfigError("ritualbot.yaml: tickets.wip_limits must map stage names to positive numbers")
    return {str(k): int(v) for k, v in config.items()}
