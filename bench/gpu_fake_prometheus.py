"""A stand-in for Prometheus serving the gpu_digest bench fleet's packed answers, for measuring
ritualbot's side of a refresh when a real Prometheus cannot crunch 10,000 GPUs x 14 days in time (a
busy shared machine): the same series API and query_range JSON a real Prometheus gives for the packed
queries of reports/gpu/sources/promql.py, computed from the fleet's pattern (bench/gpu_digest.py).

    .venv/bin/python bench/gpu_fake_prometheus.py PORT GPUS
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gpu_digest import FIRST, STEP, _labels, _values  # noqa: E402

DAYS = 15
BASE = 6


def _start() -> int:
    from datetime import UTC, datetime

    return int(datetime.combine(FIRST, datetime.min.time(), UTC).timestamp())


def _packed(kind: int, end: int, memory: bool) -> int | None:
    """The packed bucket ending at `end` (steps whose samples lie in end-3600..end), None without data."""
    start, total, seen = _start(), 0, False
    for t in range(end - 3300, end + 1, STEP):  # the subquery's 12 evaluation times
        step_start = t - STEP  # avg_over_time(x[299999ms]) at t sees this step's sample (at +150 s)
        if not start <= step_start < start + DAYS * 86400:
            continue
        seen = True
        util, mem = _values(kind, step_start)
        digit = (1 if float(mem) >= 1024 else 0) if memory else (4 if float(util) >= 5 else 2)
        total += digit * BASE ** ((step_start % 3600) // STEP)
    return total if seen else None


class Handler(BaseHTTPRequestHandler):
    gpus = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path == "/api/v1/series":
            wanted = any(m.startswith("DCGM_FI_DEV_GPU_UTIL") for m in params.get("match[]", []))
            data = [self._labels(n, "DCGM_FI_DEV_GPU_UTIL") for n in range(self.gpus)] if wanted else []
            self._send({"status": "success", "data": data})
        else:
            self._send({"status": "success", "data": []})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path != "/api/v1/query_range":
            self._send({"status": "success", "data": {"resultType": "vector", "result": []}})
            return
        query, start, end, step = form["query"], int(form["start"]), int(form["end"]), int(form["step"].rstrip("s"))
        times = range(start, end + 1, step)
        if "DCGM_FI_DEV_GPU_UTIL" not in query:
            self._send({"status": "success", "data": {"resultType": "matrix", "result": []}})
            return
        memory = "DCGM_FI_DEV_FB_USED" in query  # promql.combined: memory digits summed into utilisation's
        by_kind = []
        for kind in range(4):
            points = [(t, _packed(kind, t, False), _packed(kind, t, True) if memory else 0) for t in times]
            by_kind.append(",".join(f'[{t},"{u + (m or 0)}"]' for t, u, m in points if u is not None))
        parts = []
        for n in range(self.gpus):
            labels = {k: v for k, v in self._labels(n, "").items() if k != "__name__"}
            parts.append(f'{{"metric":{json.dumps(labels)},"values":[{by_kind[n % 4]}]}}')
        body = '{"status":"success","data":{"resultType":"matrix","result":[' + ",".join(parts) + "]}}"
        self._raw(body.encode())

    def _labels(self, n: int, name: str) -> dict[str, str]:
        pairs = dict(part.split("=", 1) for part in _labels(n).split('",'))
        labels = {k: v.strip('"') for k, v in pairs.items()}
        return {"__name__": name, **labels} if name else labels

    def _send(self, body: object) -> None:
        self._raw(json.dumps(body).encode())

    def _raw(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    port, gpus = int(sys.argv[1]), int(sys.argv[2])
    Handler.gpus = gpus
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
