"""A Prometheus range query's answer read as a stream, one series at a time.

A day of 10,000 GPUs is ~240,000 points, ~6 MB of JSON and ~40 MB as Python lists once decoded whole.
Prometheus (and Thanos, Mimir, Cortex) write a matrix as
`{"status":"success","data":{"resultType":"matrix","result":[{series},{series},...]}...}`, so the
series are decoded one by one as the bytes arrive and only one is held at a time. Any other shape
(an error, another field order) is read whole and checked the ordinary way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx

CHUNK = 65536
LONGEST = 16 * 1024 * 1024  # one series' JSON; beyond this the answer is malformed, not slow
PREFIX = re.compile(
    r'\s*\{\s*"status"\s*:\s*"success"\s*,\s*"data"\s*:\s*\{\s*"resultType"\s*:\s*"matrix"\s*,\s*"result"\s*:\s*\['
)
SKIP = re.compile(r"[\s,]*")
_DECODER = json.JSONDecoder()

Series = tuple[dict[str, str], list[Any]]


class Malformed(ValueError):
    """The answer stopped or broke off inside the result."""


def matrix(
    response: httpx.Response, whole: Callable[[str], list[Series]], warn: Callable[[str], None]
) -> Iterator[Series]:
    """The series of a streamed answer; `whole` checks and reads an answer that is not a plain matrix,
    `warn` gets the warnings that follow the result."""
    chunks = response.iter_text(CHUNK)
    buf = ""
    for part in chunks:
        buf += part
        if len(buf) >= 256:
            break
    found = PREFIX.match(buf) if response.status_code < 400 else None
    if found is None:
        return iter(whole(buf + "".join(chunks)))
    return _series(buf, found.end(), chunks, warn)


def _series(buf: str, pos: int, chunks: Iterator[str], warn: Callable[[str], None]) -> Iterator[Series]:
    while True:
        pos = SKIP.match(buf, pos).end()  # type: ignore[union-attr]
        if pos >= len(buf):
            buf, pos = _more(buf, pos, chunks), 0
            continue
        if buf[pos] == "]":
            break
        try:
            item, pos = _DECODER.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if len(buf) - pos > LONGEST:
                raise Malformed("a series longer than 16 MB") from None
            buf, pos = _more(buf, pos, chunks), 0
            continue
        if not isinstance(item, dict):
            raise Malformed("a result that is not a series")
        yield item.get("metric") or {}, item.get("values") or []
        if pos > CHUNK:
            buf, pos = buf[pos:], 0
    tail = (buf[pos + 1 :] + "".join(chunks)).strip()  # `}` closing data, then warnings and infos if any
    rest = tail[1:].strip() if tail.startswith("}") else ""
    if rest.startswith(","):
        try:
            extra = json.loads("{" + rest[1:])
        except json.JSONDecodeError:
            return
        for warning in extra.get("warnings") or [] if isinstance(extra, dict) else []:
            warn(str(warning))


def _more(buf: str, pos: int, chunks: Iterator[str]) -> str:
    part = next(chunks, None)
    if part is None:
        raise Malformed("the answer ended inside the result")
    return buf[pos:] + part
