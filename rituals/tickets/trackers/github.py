"""GitHub Issues (REST): an issue per ticket with a `stage:<name>` label, a milestone per project,
a Bearer token from the environment."""

from __future__ import annotations

import dataclasses
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

DEFAULT_API = "https://api.github.com"


def marker_text(marker: str) -> str:
    return f"<!-- ritualbot:draft={marker} -->"


def reason(response: httpx.Response) -> str:
    """GitHub's error body: {"message", "errors": [{"resource", "field", "code"}], ...}."""
    body = json_or_empty(response)
    if not isinstance(body, dict):
        return ""
    details = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            details.append(
                error.get("message") or " ".join(str(error[k]) for k in ("resource", "field", "code") if error.get(k))
            )
        else:
            details.append(str(error))
    message = str(body.get("message") or "")
    return f"{message} ({'; '.join(details)})" if details else message


class GitHubTracker(HttpTracker):
    def __init__(self, config: Mapping[str, Any], token: str, *, timeout: float = 2.5) -> None:
        repo = str(config.get("repo") or "")
        if repo.count("/") != 1:
            raise ConfigError("ritualbot.yaml: trackers.github.repo must be owner/name")
        self.repo = repo
        self.logins: Mapping[str, str] = config.get("logins") or {}
        client = httpx.Client(
            base_url=str(config.get("api_url") or DEFAULT_API).rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        super().__init__(name="GitHub", client=client, reason_of=reason)

    def create(self, spec: TicketSpec) -> RemoteTicket:
        body = plain(spec.description).strip()  # Slack markup as readable text, as GitHub shows it
        if spec.link:
            body += f"\n\n[From Slack]({spec.link})"
        payload: dict[str, Any] = {
            "title": plain(spec.summary),
            "body": f"{body}\n\n{marker_text(spec.marker)}".lstrip(),
            "labels": [spec.stage_label, *spec.labels],
        }
        if spec.project_ref:
            payload["milestone"] = int(spec.project_ref)
        if spec.assignee and spec.assignee in self.logins:
            payload["assignees"] = [self.logins[spec.assignee]]
        created = self._ticket(self.request("POST", f"/repos/{self.repo}/issues", json=payload).json())
        if spec.assignee and spec.assignee not in self.logins:
            return dataclasses.replace(created, unmapped=spec.assignee)
        return created

    def find_by_marker(self, marker: str, spec: TicketSpec) -> RemoteTicket | None:
        issues = self.request(
            "GET",
            f"/repos/{self.repo}/issues",
            params={"state": "all", "sort": "created", "direction": "desc", "per_page": 100},
        ).json()
        for issue in issues:
            if marker_text(marker) in (issue.get("body") or ""):
                return self._ticket(issue)
        return None

    def create_project(self, name: str, marker: str) -> RemoteProject:
        try:
            body = self.request(
                "POST",
                f"/repos/{self.repo}/milestones",
                json={"title": plain(name), "description": marker_text(marker)},
            ).json()
        except TrackerError as exc:
            if exc.status != 422:
                raise
            body = self._milestone_titled(plain(name))
            if body is None:
                raise
        return RemoteProject(str(body["number"]), body.get("html_url"))

    def set_stage(self, key: str, old_label: str, new: TicketSpec) -> str | None:
        current = self.get(key)
        labels = [label for label in current.labels if not label.startswith("stage:")] + [new.stage_label]
        self.request("PATCH", f"/repos/{self.repo}/issues/{_number(key)}", json={"labels": labels})
        return None

    def reopen(self, key: str) -> None:
        self.request("PATCH", f"/repos/{self.repo}/issues/{_number(key)}", json={"state": "open"})

    def describe_project(self, ref: str, text: str) -> None:
        self.request("PATCH", f"/repos/{self.repo}/milestones/{int(ref)}", json={"description": text})

    def assign(self, key: str, user_id: str | None) -> str | None:
        login = self.logins.get(user_id) if user_id else None
        self.request("PATCH", f"/repos/{self.repo}/issues/{_number(key)}", json={"assignees": [login] if login else []})
        if user_id and not login:
            return f"<@{user_id}> has no GitHub login mapped, so {key} is unassigned in GitHub (`/ticket map`)."
        return None

    def close(self, key: str) -> None:
        self.request(
            "PATCH",
            f"/repos/{self.repo}/issues/{_number(key)}",
            json={"state": "closed", "state_reason": "completed"},
        )

    def get(self, key: str) -> RemoteTicket:
        return self._ticket(self.request("GET", f"/repos/{self.repo}/issues/{_number(key)}").json())

    def list_project(self, project_ref: str) -> list[RemoteTicket]:
        issues = self.request(
            "GET",
            f"/repos/{self.repo}/issues",
            params={"milestone": project_ref, "state": "all", "per_page": 100},
        ).json()
        return [self._ticket(i) for i in issues]

    def _milestone_titled(self, title: str) -> dict[str, Any] | None:
        milestones = self.request(
            "GET", f"/repos/{self.repo}/milestones", params={"state": "all", "per_page": 100}
        ).json()
        return next((m for m in milestones if m.get("title") == title), None)

    @staticmethod
    def ticket_of(issue: dict[str, Any]) -> RemoteTicket:
        """An issue as the REST API and the `issues` / `issue_comment` webhooks send it."""
        return GitHubTracker._ticket(issue)

    @staticmethod
    def _ticket(issue: dict[str, Any]) -> RemoteTicket:
        labels = tuple(label["name"] if isinstance(label, dict) else str(label) for label in issue.get("labels", []))
        assignees = [a.get("login") for a in issue.get("assignees") or [] if isinstance(a, dict)]
        return RemoteTicket(
            key=f"#{issue['number']}",
            url=issue.get("html_url"),
            status="closed" if issue.get("state") == "closed" else "open",
            summary=issue.get("title") or "",
            labels=labels,
            number=issue["number"],
            assignee=assignees[0] if assignees else None,
            comments=issue.get("comments"),
        )


def _number(key: str) -> int:
    return int(key.rsplit("#", 1)[-1])
