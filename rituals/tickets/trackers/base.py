"""The one interface every tracker implements; the error that carries the tracker's reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


@dataclass(frozen=True)
class TicketSpec:
    """A ticket to create. `marker` (the draft id) is written into the ticket so a retry after a
    timeout can find it instead of creating it twice."""

    summary: str
    stage_name: str
    stage_label: str
    description: str = ""
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    project_ref: str | None = None
    marker: str = ""
    link: str | None = None


@dataclass(frozen=True)
class RemoteTicket:
    key: str
    url: str | None
    status: str = "open"
    summary: str = ""
    labels: tuple[str, ...] = ()
    number: int | None = None
    unmapped: str | None = None  # the spec's Slack assignee, when the tracker has no account for them
    assignee: str | None = None  # the tracker's own account (Jira account id, GitHub login)
    comments: int | None = None
    stage_name: str | None = None  # from a configured stage field (Jira), else the stage label says


@dataclass(frozen=True)
class RemoteProject:
    ref: str
    url: str | None = None


class TrackerError(Exception):
    """A tracker refused or did not answer. `uncertain` when the request may have been applied
    (timeout, 5xx): look the ticket up by its marker before creating it again."""

    def __init__(
        self,
        tracker: str,
        reason: str,
        *,
        status: int | None = None,
        uncertain: bool = False,
        filed_key: str | None = None,
    ) -> None:
        super().__init__(f"{tracker}: {reason}")
        self.tracker = tracker
        self.reason = reason
        self.status = status
        self.uncertain = uncertain
        self.filed_key = filed_key  # the tracker filed this ticket; what failed came after


class Tracker(Protocol):
    name: str

    def create(self, spec: TicketSpec) -> RemoteTicket: ...

    def find_by_marker(self, marker: str, spec: TicketSpec) -> RemoteTicket | None: ...

    def create_project(self, name: str, marker: str) -> RemoteProject: ...

    def set_stage(self, key: str, old_label: str, new: TicketSpec) -> str | None:
        """Move the ticket; a warning when the tracker took only part of it (the label, not the status)."""
        ...

    def close(self, key: str) -> None: ...

    def reopen(self, key: str) -> None: ...

    def describe_project(self, ref: str, text: str) -> None: ...

    def assign(self, key: str, user_id: str | None) -> str | None:
        """Assign to a Slack user's account (None: unassign); a warning when they have no account."""
        ...

    def get(self, key: str) -> RemoteTicket: ...

    def list_project(self, project_ref: str) -> list[RemoteTicket]: ...


@dataclass
class HttpTracker:
    """Shared HTTP plumbing: one httpx client with timeouts, errors turned into TrackerError."""

    name: str
    client: httpx.Client
    reason_of: Any = field(default=None)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        failure: TrackerError | None = None
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            failure = TrackerError(
                self.name,
                "did not answer in time; it may still have created the ticket",
                uncertain=True,
            )
        except httpx.HTTPError as exc:
            failure = TrackerError(self.name, f"could not be reached ({type(exc).__name__})", uncertain=False)
        if failure is not None:
            raise failure  # outside the handler: no httpx error chained, the tracker's own words reach the user
        if response.status_code >= 400:
            reason = self.reason_of(response) if self.reason_of else ""
            raise TrackerError(
                self.name,
                _one_line(reason or _default_reason(response.status_code)),
                status=response.status_code,
                uncertain=response.status_code >= 500,
            )
        return response


def _default_reason(status: int) -> str:
    return {
        401: "authentication failed (check the token)",
        403: "permission denied",
        404: "not found",
        400: "rejected the request",
    }.get(status, f"answered HTTP {status}")


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def json_or_empty(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
