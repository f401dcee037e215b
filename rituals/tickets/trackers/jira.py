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
        self.stage_statuses: Mapping[str, str] = config.get("stage_statuses") or {}
        self.reopen_status = str(config.get("reopen_status") or "")
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
            unmapped=spec.assignee if spec.assignee and spec.assignee not in self.accounts else None,
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

    def set_stage(self, key: str, old_label: str, new: TicketSpec) -> str | None:
        if self.stage_field:
            payload: dict[str, Any] = {"fields": {str(self.stage_field): {"value": new.stage_name}}}
        else:
            payload = {"update": {"labels": [{"remove": old_label}, {"add": new.stage_label}]}}
        self.request("PUT", f"/rest/api/3/issue/{key}", json=payload)
        status = self.stage_statuses.get(new.stage_name)
        if not status:
            return None
        try:
            self._transition(key, lambda t: str((t.get("to") or {}).get("name") or "").lower() == status.lower())
        except TrackerError as exc:
            return f"Jira took the stage but not the status “{status}”: {exc.reason.rstrip('.')}."
        return None

    def close(self, key: str) -> None:
        self._transition(key, lambda t: _category(t) == "done", "a done status")

    def reopen(self, key: str) -> None:
        wanted = self.reopen_status.lower()
        self._transition(
            key,
            lambda t: (
                (str((t.get("to") or {}).get("name") or "").lower() == wanted) if wanted else _category(t) == "new"
            ),
            f"“{self.reopen_status}”" if wanted else "an open status",
        )

    def describe_project(self, ref: str, text: str) -> None:
        self.request("PUT", f"/rest/api/3/issue/{ref}", json={"fields": {"description": adf(text)}})

    def assign(self, key: str, user_id: str | None) -> str | None:
        account = self.accounts.get(user_id) if user_id else None
        self.request("PUT", f"/rest/api/3/issue/{key}/assignee", json={"accountId": account})
        if user_id and not account:
            return f"<@{user_id}> has no Jira account mapped, so {key} is unassigned in Jira (`/ticket map`)."
        return None

    def _transition(self, key: str, wanted: Any, what: str = "that status") -> None:
        transitions = self.request("GET", f"/rest/api/3/issue/{key}/transitions").json().get("transitions", [])
        found = [t for t in transitions if wanted(t)]
        if not found:
            raise TrackerError(self.name, f"{key} has no transition to {what}")
        self.request("POST", f"/rest/api/3/issue/{key}/transitions", json={"transition": {"id": found[0]["id"]}})

    def get(self, key: str) -> RemoteTicket:
        body = self.request("GET", f"/rest/api/3/issue/{key}", params={"fields": self._fields()}).json()
        return self._ticket(body)

    def _fields(self) -> str:
        names = ["summary", "status", "labels", "assignee", "comment"]
        return ",".join([*names, str(self.stage_field)] if self.stage_field else names)

    def list_project(self, project_ref: str) -> list[RemoteTicket]:
        return self._search(f'parent = "{project_ref}"')

    def _search(self, jql: str) -> list[RemoteTicket]:
        body = self.request(
            "GET",
            "/rest/api/3/search/jql",
            params={"jql": jql, "fields": self._fields(), "maxResults": 100},
        ).json()
        return [self._ticket(issue) for issue in body.get("issues", [])]

    def _ticket(self, issue: dict[str, Any]) -> RemoteTicket:
        """An issue as REST v3 and the issue webhooks send it."""
        fields = issue.get("fields") or {}
        category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
        comment = fields.get("comment")
        stage = fields.get(str(self.stage_field)) if self.stage_field else None
        return RemoteTicket(
            key=issue["key"],
            url=self.browse(issue["key"]),
            status="closed" if category == "done" else "open",
            summary=fields.get("summary") or "",
            labels=tuple(fields.get("labels") or ()),
            assignee=(fields.get("assignee") or {}).get("accountId"),
            comments=comment.get("total") if isinstance(comment, dict) else None,
            stage_name=stage.get("value") if isinstance(stage, dict) else None,
        )


def _category(transition: dict[str, Any]) -> str | None:
    return ((transition.get("to") or {}).get("statusCategory") or {}).get("key")


def _label(text: str) -> str:
    return "-".join(text.split())
