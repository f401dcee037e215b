"""Which tracker a ticket goes to, and building it from ritualbot.yaml.

```yaml
tickets:   {stages: [...], reaction: ticket, key_prefix: DS}
trackers:
  default: builtin            # builtin | jira | github
  timeout_seconds: 2.5
  channels: {C0123: jira}     # per channel
  projects: {"Churn model": github}   # per project (wins over the channel)
  jira: {url: ..., email: ..., token_env: JIRA_API_TOKEN, project_key: DS, issue_type: Task,
         epic_issue_type: Epic, stage_field: customfield_10050, accounts: {U0123: <accountId>}}
  github: {repo: owner/name, token_env: GITHUB_TOKEN, api_url: ..., logins: {U0123: octocat}}
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import ConfigError
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

    @classmethod
    def from_settings(cls, settings: Any) -> TicketSetup:
        tickets = settings.section("tickets")
        return cls(
            stages=stage_mod.configured(tickets),
            trackers=settings.section("trackers"),
            secret=settings.secret,
            reaction=str(tickets.get("reaction") or "ticket").strip(":"),
            prefix=str(tickets.get("key_prefix") or "DS"),
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
        if name == "jira":
            return JiraTracker(config, token, timeout=self.timeout)
        return GitHubTracker(config, token, timeout=self.timeout)
