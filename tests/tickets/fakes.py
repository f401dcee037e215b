"""Local HTTP fakes of Jira Cloud REST v3 and GitHub REST, bound to 127.0.0.1 port 0.

Each checks what those APIs document for a request (path, auth header, required fields) and answers
with their documented success and error bodies; tests inject failures and a "hang" that applies the
request and then holds the answer until the client has timed out."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any = None


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._failures: list[Reply] = []
        self._hang = 0
        self._gate = 0
        self.release = threading.Event()
        self.entered = threading.Event()
        self.gate = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                server._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        self.release.set()
        self.gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail_next(self, status: int, body: Any = None) -> None:
        self._failures.append(Reply(status, body))

    def hang_next(self) -> None:
        """Apply the next request; answer only once the test releases (the client times out)."""
        self._hang += 1

    def gate_next(self) -> None:
        """Hold the next request (set `entered`) until the test opens `gate`, then answer it normally."""
        self._gate += 1

    def calls(self, method: str, path_prefix: str = "") -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        req = Request(
            h.command,
            parsed.path,
            {k: v[0] for k, v in parse_qs(parsed.query).items()},
            {k.lower(): v for k, v in h.headers.items()},
            body,
        )
        self.requests.append(req)
        if self._gate:
            self._gate -= 1
            self.entered.set()
            self.gate.wait(20)
        reply = self._failures.pop(0) if self._failures else (self.check(req) or self.answer(req))
        if self._hang:
            self._hang -= 1
            self.release.wait(10)
            return
        payload = (
            b""
            if reply.body is None
            else (reply.body.encode() if isinstance(reply.body, str) else json.dumps(reply.body).encode())
        )
        h.send_response(reply.status)
        h.send_header("Content-Type", "text/plain" if isinstance(reply.body, str) else "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    def check(self, req: Request) -> Reply | None:
        raise NotImplementedError

    def answer(self, req: Request) -> Reply:
        raise NotImplementedError


def jira_error(*messages: str, **errors: str) -> dict[str, Any]:
    return {"errorMessages": list(messages), "errors": errors}


@dataclass
class JiraIssue:
    key: str
    fields: dict[str, Any]
    status: str = "To Do"
    category: str = "new"
    comments: int = 0


# (transition id, target status, its category): a small company-managed workflow
JIRA_WORKFLOW = [
    ("21", "To Do", "new"),
    ("11", "In Progress", "indeterminate"),
    ("41", "In Review", "indeterminate"),
    ("31", "Done", "done"),
]


class FakeJira(FakeServer):
    """/rest/api/3/issue (create, get, edit), /transitions, /search/jql; Basic auth email:token."""

    def __init__(self, email: str = "bot@example.com", token: str = "jira-token", project: str = "DS") -> None:
        self.email, self.token, self.project = email, token, project
        self.issues: dict[str, JiraIssue] = {}
        self._next = 100
        super().__init__()

    def check(self, req: Request) -> Reply | None:
        expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if req.headers.get("authorization") != expected:
            return Reply(401, "Client must be authenticated to access this resource.")
        if req.method in ("POST", "PUT") and "application/json" not in req.headers.get("content-type", ""):
            return Reply(415, jira_error("Unsupported media type"))
        return None

    def answer(self, req: Request) -> Reply:
        path = req.path
        if req.method == "POST" and path == "/rest/api/3/issue":
            return self._create(req.body or {})
        if path == "/rest/api/3/search/jql" and req.method == "GET":
            return Reply(
                200,
                {
                    "issues": [self._json(i) for i in self._search(req.query.get("jql", ""))],
                    "isLast": True,
                },
            )
        parts = path.removeprefix("/rest/api/3/issue/").split("/")
        issue = self.issues.get(parts[0]) if path.startswith("/rest/api/3/issue/") else None
        if issue is None:
            return Reply(404, jira_error("Issue does not exist or you do not have permission to see it."))
        if len(parts) == 1 and req.method == "GET":
            return Reply(200, self._json(issue))
        if parts[1:] == ["assignee"] and req.method == "PUT":
            account = (req.body or {}).get("accountId")
            issue.fields["assignee"] = {"accountId": account} if account else None
            return Reply(204)
        if len(parts) == 1 and req.method == "PUT":
            for op in ((req.body or {}).get("update") or {}).get("labels", []):
                labels = issue.fields.setdefault("labels", [])
                if "remove" in op and op["remove"] in labels:
                    labels.remove(op["remove"])
                if "add" in op:
                    labels.append(op["add"])
            issue.fields.update((req.body or {}).get("fields") or {})
            return Reply(204)
        if parts[1:] == ["transitions"] and req.method == "GET":
            return Reply(200, {"transitions": [self._transition(t) for t in JIRA_WORKFLOW if t[1] != issue.status]})
        if parts[1:] == ["transitions"] and req.method == "POST":
            wanted = ((req.body or {}).get("transition") or {}).get("id")
            found = [t for t in JIRA_WORKFLOW if t[0] == wanted and t[1] != issue.status]
            if not found:
                return Reply(400, jira_error("Transition id is not valid for this issue."))
            issue.status, issue.category = found[0][1], found[0][2]
            return Reply(204)
        return Reply(404, jira_error("Not found"))

    def _create(self, body: dict[str, Any]) -> Reply:
        fields = body.get("fields") or {}
        errors: dict[str, str] = {}
        if (fields.get("project") or {}).get("key") != self.project:
            errors["project"] = "valid project is required"
        if not (fields.get("issuetype") or {}).get("name"):
            errors["issuetype"] = "valid issue type is required"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        description = fields.get("description")
        if description is not None and not (
            isinstance(description, dict) and description.get("type") == "doc" and description.get("version") == 1
        ):
            errors["description"] = "Operation value must be an Atlassian Document."
        if any(" " in label for label in fields.get("labels") or []):
            errors["labels"] = "The label can't contain spaces."
        parent = (fields.get("parent") or {}).get("key")
        if parent and parent not in self.issues:
            errors["parent"] = "Could not find issue by id or key."
        if errors:
            return Reply(400, jira_error(**errors))
        self._next += 1
        key = f"{self.project}-{self._next}"
        self.issues[key] = JiraIssue(key, fields)
        return Reply(
            201,
            {
                "id": str(10000 + self._next),
                "key": key,
                "self": f"{self.url}/rest/api/3/issue/{key}",
            },
        )

    def _search(self, jql: str) -> list[JiraIssue]:
        if "labels = " in jql:
            label = jql.split("labels = ", 1)[1].strip().strip('"')
            return [i for i in self.issues.values() if label in i.fields.get("labels", [])]
        if jql.startswith("parent = "):
            parent = jql.removeprefix("parent = ").strip('"')
            return [i for i in self.issues.values() if (i.fields.get("parent") or {}).get("key") == parent]
        return []

    @staticmethod
    def _transition(t: tuple[str, str, str]) -> dict[str, Any]:
        return {"id": t[0], "name": t[1], "to": {"name": t[1], "statusCategory": {"key": t[2]}}}

    def _json(self, issue: JiraIssue) -> dict[str, Any]:
        return {
            "id": issue.key,
            "key": issue.key,
            "self": f"{self.url}/rest/api/3/issue/{issue.key}",
            "fields": {
                **{k: v for k, v in issue.fields.items() if k.startswith("customfield_")},
                "summary": issue.fields.get("summary"),
                "labels": issue.fields.get("labels", []),
                "status": {"name": issue.status, "statusCategory": {"key": issue.category}},
                "assignee": issue.fields.get("assignee"),
                "comment": {"comments": [], "total": issue.comments},
            },
        }


def github_error(message: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest", **extra}


@dataclass
class GitHubState:
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[int, dict[str, Any]] = field(default_factory=dict)


class FakeGitHub(FakeServer):
    """/repos/{owner}/{repo}/issues (create, list, get, update) and /milestones; Bearer token."""

    def __init__(self, repo: str = "acme/ds", token: str = "gh-token") -> None:
        self.repo, self.token, self.state = repo, token, GitHubState()
        super().__init__()

    def check(self, req: Request) -> Reply | None:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, github_error("Bad credentials", status="401"))
        if req.headers.get("accept") != "application/vnd.github+json":
            return Reply(415, github_error("Unsupported 'Accept' header"))
        if not req.path.startswith(f"/repos/{self.repo}/"):
            return Reply(404, github_error("Not Found", status="404"))
        return None

    def answer(self, req: Request) -> Reply:
        rest = req.path.removeprefix(f"/repos/{self.repo}/").split("/")
        s = self.state
        if rest == ["milestones"] and req.method == "POST":
            title = (req.body or {}).get("title")
            if not title:
                return Reply(
                    422,
                    github_error(
                        "Validation Failed",
                        errors=[{"resource": "Milestone", "code": "missing_field", "field": "title"}],
                    ),
                )
            if any(m["title"] == title for m in s.milestones.values()):
                return Reply(
                    422,
                    github_error(
                        "Validation Failed",
                        errors=[{"resource": "Milestone", "code": "already_exists", "field": "title"}],
                    ),
                )
            n = len(s.milestones) + 1
            s.milestones[n] = {
                "number": n,
                "title": title,
                "state": "open",
                "html_url": f"https://github.com/{self.repo}/milestone/{n}",
            }
            return Reply(201, s.milestones[n])
        if rest == ["milestones"] and req.method == "GET":
            return Reply(200, list(s.milestones.values()))
        if rest == ["issues"] and req.method == "POST":
            return self._create(req.body or {})
        if rest == ["issues"] and req.method == "GET":
            found = list(s.issues.values())
            if "milestone" in req.query:
                found = [i for i in found if (i["milestone"] or {}).get("number") == int(req.query["milestone"])]
            return Reply(200, sorted(found, key=lambda i: -i["number"]))
        if len(rest) == 2 and rest[0] == "issues" and rest[1].isdigit() and int(rest[1]) in s.issues:
            issue = s.issues[int(rest[1])]
            if req.method == "PATCH":
                body = req.body or {}
                if "labels" in body:
                    issue["labels"] = [{"name": n} for n in body["labels"]]
                if "state" in body:
                    issue["state"] = body["state"]
                    issue["state_reason"] = body.get("state_reason")
                if "assignees" in body:
                    issue["assignees"] = [{"login": x} for x in body["assignees"]]
            return Reply(200, issue)
        return Reply(404, github_error("Not Found", status="404"))

    def _create(self, body: dict[str, Any]) -> Reply:
        if not body.get("title"):
            return Reply(
                422,
                github_error(
                    "Validation Failed",
                    errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}],
                ),
            )
        labels = body.get("labels") or []
        if not all(isinstance(x, str) for x in labels):
            return Reply(422, github_error("Invalid request.", errors=["labels must be strings"]))
        milestone = body.get("milestone")
        assignees = body.get("assignees") or []
        if not all(isinstance(x, str) for x in assignees):
            return Reply(422, github_error("Invalid request.", errors=["assignees must be logins"]))
        if milestone is not None and milestone not in self.state.milestones:
            return Reply(
                422,
                github_error(
                    "Validation Failed",
                    errors=[
                        {
                            "value": milestone,
                            "resource": "Issue",
                            "field": "milestone",
                            "code": "invalid",
                        }
                    ],
                ),
            )
        n = len(self.state.issues) + 1
        self.state.issues[n] = {
            "number": n,
            "title": body["title"],
            "body": body.get("body"),
            "state": "open",
            "html_url": f"https://github.com/{self.repo}/issues/{n}",
            "labels": [{"name": x} for x in labels],
            "assignees": [{"login": x} for x in assignees],
            "comments": 0,
            "milestone": self.state.milestones.get(milestone) if milestone else None,
        }
        return Reply(201, self.state.issues[n])
