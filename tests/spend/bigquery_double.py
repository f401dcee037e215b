"""A local stand-in for BigQuery's REST API (v2): `jobs.query`, `jobs.getQueryResults`, `jobs.cancel`, in the shapes
the API documents (jobReference, jobComplete, schema.fields, rows[].f[].v as text, pageToken, error bodies).

It runs what it is sent: the BigQuery SQL read back by sqlglot into DuckDB, over a DuckDB table shaped like GCP's
FOCUS table. So it checks that the query we send means what we want (as sqlglot reads BigQuery), not that BigQuery
itself accepts it. `mode` makes it fail the query ("fail") or never finish it ("never")."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import sqlglot
from sqlglot import exp

TYPES = ["DATE", "STRING", "STRING", "STRING", "BOOLEAN", "BIGNUMERIC"]
NAMES = ["day", "team", "service", "currency", "gpu", "amount"]


class BigQueryDouble:
    def __init__(self, con: duckdb.DuckDBPyConnection, *, page_size: int = 3) -> None:
        self.con = con
        self.page_size = page_size  # BigQuery may return fewer rows a page than maxResults asks for
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.jobs: dict[str, list[list[Any]]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bigquery/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> BigQueryDouble:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def run(self, sql: str) -> list[list[Any]]:
        tree = sqlglot.parse_one(sql, read="bigquery")
        # DuckDB has no BIGNUMERIC (38 decimals in BigQuery): sqlglot would read it back as DECIMAL(38, 5)
        tree = tree.transform(
            lambda n: (
                exp.DataType.build("DECIMAL(38, 10)")
                if isinstance(n, exp.DataType) and n.this == exp.DataType.Type.BIGDECIMAL
                else n
            )
        )
        return [list(r) for r in self.con.execute(tree.sql(dialect="duckdb")).fetchall()]

    def answer(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any], authorization: str
    ) -> tuple[int, dict]:
        self.requests.append({"method": method, "path": path, "query": query, "body": body, "auth": authorization})
        if method == "POST" and (m := re.fullmatch(r"/bigquery/v2/projects/([^/]+)/queries", path)):
            if self.mode == "fail":
                message = "Unrecognized name: Tags at [5:40]"
                error = {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
                return 400, {"error": {**error, "errors": [{"reason": "invalidQuery", "message": message}]}}
            job = f"job_{len(self.jobs) + 1}"
            self.jobs[job] = self.run(body["query"])
            reference = {"projectId": m.group(1), "jobId": job, "location": body.get("location", "US")}
            return 200, {"kind": "bigquery#queryResponse", "jobReference": reference, "jobComplete": False}
        if method == "GET" and (m := re.fullmatch(r"/bigquery/v2/projects/([^/]+)/queries/([^/]+)", path)):
            reference = {"projectId": m.group(1), "jobId": m.group(2), "location": query.get("location")}
            if self.mode == "never":
                return 200, {
                    "kind": "bigquery#getQueryResultsResponse",
                    "jobReference": reference,
                    "jobComplete": False,
                }
            rows = self.jobs[m.group(2)]
            start = int(query.get("pageToken", 0))
            end = start + min(int(query.get("maxResults", 100_000)), self.page_size)
            page: dict[str, Any] = {
                "kind": "bigquery#getQueryResultsResponse",
                "jobReference": reference,
                "jobComplete": True,
                "schema": {
                    "fields": [{"name": n, "type": t, "mode": "NULLABLE"} for n, t in zip(NAMES, TYPES, strict=True)]
                },
                "totalRows": str(len(rows)),
                "rows": [{"f": [{"v": _text(v)} for v in r]} for r in rows[start:end]],
            }
            if end < len(rows):
                page["pageToken"] = str(end)
            return 200, page
        if method == "POST" and re.fullmatch(r"/bigquery/v2/projects/[^/]+/jobs/[^/]+/cancel", path):
            return 200, {"kind": "bigquery#jobCancelResponse", "job": {"status": {"state": "DONE"}}}
        return 404, {"error": {"code": 404, "message": f"Not found: {path}", "status": "NOT_FOUND"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply("GET")

            def do_POST(self) -> None:
                self._reply("POST")

            def _reply(self, method: str) -> None:
                url = urlparse(self.path)
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                auth = self.headers.get("Authorization", "")
                status, answer = double.answer(method, url.path, query, body, auth)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _text(value: Any) -> str | None:
    """Values as the REST API sends them: text, booleans as true/false, NULL as null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
