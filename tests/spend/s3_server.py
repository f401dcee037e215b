"""moto's S3 server in its own process, recording the requests it receives (moto's recorder), so a test can count
the object bodies a sync fetched: GETs of object keys, not listings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from tests.spend.aws import free_port


@dataclass(frozen=True)
class Request:
    method: str
    key: str  # the object key ('' for a bucket request such as a listing)
    range: str  # the Range header, '' when the whole object was asked for


class S3Server:
    def __init__(self, url: str, recording: Path) -> None:
        self.url = url
        self.recording = recording

    def reset(self) -> None:
        """No buckets, and an empty recording that is on."""
        httpx.post(f"{self.url}/moto-api/reset").raise_for_status()
        self.record()

    def record(self) -> None:
        httpx.post(f"{self.url}/moto-api/recorder/reset-recording").raise_for_status()
        httpx.post(f"{self.url}/moto-api/recorder/start-recording").raise_for_status()

    def requests(self) -> list[Request]:
        found = []
        for line in self.recording.read_text().splitlines():
            entry: dict[str, Any] = json.loads(line)
            parts = urlsplit(entry["url"])
            _, _, key = parts.path.lstrip("/").partition("/")
            headers = {k.lower(): v for k, v in entry["headers"].items()}
            found.append(Request(entry["method"], unquote(key), headers.get("range", "")))
        return found

    def bodies_read(self) -> list[str]:
        """The keys of the objects whose content was fetched (GET of an object, whole or a range)."""
        return sorted({r.key for r in self.requests() if r.method == "GET" and r.key})


@contextmanager
def s3_server(folder: Path) -> Iterator[S3Server]:
    recording = folder / "requests.jsonl"
    recording.touch()
    port = free_port()
    env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(recording)}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        for line in server.stderr:  # werkzeug says when it listens
            if "Running on" in line:
                break
        # keep draining its request log, or the pipe fills and the server blocks
        threading.Thread(target=server.stderr.read, daemon=True).start()
        yield S3Server(f"http://127.0.0.1:{port}", recording)
    finally:
        server.terminate()
        server.wait(timeout=30)
