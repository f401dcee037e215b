"""`POST /tickets/webhooks/github` and `/tickets/webhooks/jira` on the web process: verified and
applied by the tickets domain."""

from __future__ import annotations

from bot.capabilities import WebRequest, WebResponse, WebRoute
from bot.runtime import Runtime
from rituals.tickets import webhooks
from rituals.tickets.ids import Route


def github(runtime: Runtime, request: WebRequest) -> WebResponse:
    return WebResponse(*webhooks.receive(runtime, "github", request.headers, request.body))


def jira(runtime: Runtime, request: WebRequest) -> WebResponse:
    return WebResponse(*webhooks.receive(runtime, "jira", request.headers, request.body))


ROUTES: dict[str, WebRoute] = {Route.GITHUB: github, Route.JIRA: jira}
