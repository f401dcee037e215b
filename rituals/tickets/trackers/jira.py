"""Jira Cloud (REST v3): issues with an ADF description under a parent epic, stage as a label or a
configured select custom field, Basic auth with an account email and API token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from bot.errors import ConfigError
from bot.text import plain
from rituals.tickets.trackers.base import (
    HttpTracker,
    RemoteProject,
    RemoteTicket,
    TicketSpec,
    TrackerError,
    json_or_empty,
)

MARKER_PREFIX = "ritualbot-"


def reason(response: httpx.Response) -> str:
    """Jira's error body: {"errorMessages": [...], "errors": {"field": "message"}}."""
    body = json_or_empty(response)
    if not isinstance(body, dict):
        return ""
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(parts)


def adf(text: str, link: str | None = None) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document: one paragraph per blank-line block."""
    content: list[dict[str, Any]] = []
    for block in [b for b in text.split("\n\n") if b.strip()]:
        nodes: list[dict[str, Any]] = []
        for n, line in enumerate(block.strip().split("\n")):
            if n:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    if link:
        content.append(
            {
                "type": "paragraph",
                "content": [
                    {
                        "type": "text",
                        "text": "From Slack",
                        "marks": [{"type": "link", "attrs": {"href": link}}],
                    }
                ],
            }
        )
    return {"type": "doc", "version": 1, "content": content}


class JiraTracker(HttpTracker):
    def __init__(self, config: Mapping[str, Any], token: str, *, timeout: float = 2.5) -> None:
        for key in ("url", "email", "project_key"):
            if not config.get(key):
                raise ConfigError(f"ritualbot.yaml: trackers.jira.{key} is required for the Jira tracker")
        self.base_url = str(config["url"]).rstrip("/")
        self.project_key = str(config["project_key"])
        self.issue_type = str(config.get("issue_type") or "Task")
        self.epic_type = str(config.get("epic_issue_type") or "Epic")
        self.stage_field = config.get("stage_field")
        self.accounts: Mapping[str, str] = config.get("accounts") or {}
        client = httpx.Client(
            base_url=self.base_url,
            auth=(str(config["email"]), token),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
        )
        super().__init__(name="Jira", client=client, reason_of=reason)

    def browse(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    def create(self, spec: TicketSpec) -> RemoteTicket:
        labels = [*[_label(x) for x in spec.labels], MARKER_PREFIX + spec.marker]
        fields: dict[str, Any] = {
            "project": {"key": self.project_key},
            "issuetype": {"name": self.issue_type},
            "summary": plain(spec.summary),  # Slack markup as readable text: Jira shows it literally
            "description": adf(plain(spec.description), spec.link),
        }
        if self.stage_field:
            fields[str(self.stage_field)] = {"value": spec.stage_name}
        else:
            labels.insert(0, spec.stage_label)
        fields["labels"] = labels
        if spec.project_ref:
            fields["parent"] = {"key": spec.project_ref}
        if spec.assignee and spec.assignee in self.accounts:
            fields["assignee"] = {"accountId": self.accounts[spec.assignee]}
        body = self.request("POST", "/rest/api/3/issue", json={"fields": fields}).json()
        return RemoteTicket(
            key=body["key"],
            url=self.browse(body["key"]),
            summary=spec.summary,
            labels=tuple(labels),
        )

    def find_by_marker(self, marker: str, spec: TicketSpec) -> RemoteTicket | None:
        found = self._search(f'project = "{self.project_key}" AND labels = "{MARKER_PREFIX}{marker}"')
        return found[0] if found else None

    def create_project(self, name: str, marker: str) -> RemoteProject:
        existing = self._search(f'project = "{self.project_key}" AND labels = "{MARKER_PREFIX}{marker}"')
        if existing:
            return RemoteProject(existing[0].key, existing[0].url)
        fields = {
            "project": {"key": self.project_key},
            "issuetype": {"name": self.epic_type},
            "summary": plain(name),
            "labels": [MARKER_PREFIX + marker],
        }
        body = self.request("POST", "/rest/api/3/issue", json={"fields": fields}).json()
        return RemoteProject(body["key"], self.browse(body["key"]))

    def set_stage(self, key: str, old_label: str, new: TicketSpec) -> None:
        if self.stage_field:
            payload: dict[str, Any] = {"fields": {str(self.stage_field): {"value": new.stage_name}}}
        else:
            payload = {"update": {"labels": [{"remove": old_label}, {"add": new.stage_label}]}}
        self.request("PUT", f"/rest/api/3/issue/{key}", json=payload)

    def close(self, key: str) -> None:
        transitions = self.request("GET", f"/rest/api/3/issue/{key}/transitions").json().get("transitions", [])
        done = [t for t in transitions if ((t.get("to") or {}).get("statusCategory") or {}).get("key") == "done"]
        if not done:
            raise TrackerError(self.name, f"{key} has no transition to a done status")
        self.request(
            "POST",
            f"/rest/api/3/issue/{key}/transitions",
            json={"transition": {"id": done[0]["id"]}},
        )

    def get(self, key: str) -> RemoteTicket:
        body = self.request("GET", f"/rest/api/3/issue/{key}", params={"fields": "summary,status,labels"}).json()
        return self._ticket(body)

    def list_project(self, project_ref: str) -> list[RemoteTicket]:
        return self._search(f'parent = "{project_ref}"')

    def _search(self, jql: str) -> list[RemoteTicket]:
        body = self.request(
            "GET",
            "/rest/api/3/search/jql",
            params={"jql": jql, "fields": "summary,status,labels", "maxResults": 100},
        ).json()
        return [self._ticket(issue) for issue in body.get("issues", [])]

    def _ticket(self, issue: dict[str, Any]) -> RemoteTicket:
        fields = issue.get("fields") or {}
        category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
        return RemoteTicket(
            key=issue["key"],
            url=self.browse(issue["key"]),
            status="closed" if category == "done" else "open",
            summary=fields.get("summary") or "",
            labels=tuple(fields.get("labels") or ()),
        )


def _label(text: str) -> str:
    return "-".join(text.split())
