"""How to split one fetch into queries that each stay well under Prometheus's `--query.max-samples`:
by time (whole buckets) and, when a day of the whole fleet is too much, by series (node or namespace).

Prometheus counts the samples a query holds at its peak. For a packed query (sources/promql.py)
that is about 2 samples per series per step of the range, and 3 per step for the query's scalars
(measured with `stats=all` on the real Prometheus the tests use; tests/gpu/test_prometheus_crunching.py
checks the plan covers it), whatever the scrape interval: the utilisation and memory parts of one
query are evaluated one after the other, so it peaks like one of them. Each query is planned to at
most half of the limit, and to at most `MAX_POINTS` (or a day), which bounds the JSON Prometheus
builds for one answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

COST, OVERHEAD = 3, 4  # peak samples per series per step, and per step for the scalars; measured ~2 and 3
MAX_POINTS = 1_000_000  # per answer, ~24 MB of JSON streamed a series at a time: 4 days of 10,000 GPUs
SHARD_LABELS = ("kubernetes_node", "node", "nodename", "instance", "Hostname", "hostname", "exported_namespace")


@dataclass(frozen=True)
class Query:
    """One range query: bucket ends `first`..`last` (inclusive), series whose `shard` label is one of the values."""

    first: int
    last: int
    shard: tuple[str, tuple[str, ...]] | None


def plan(
    series: Sequence[Mapping[str, str]], first: int, last: int, bucket: int, step: int, max_samples: int
) -> list[Query]:
    budget = max_samples // 2
    per_bucket = (len(series) * COST + OVERHEAD) * (bucket // step)
    buckets = (last - first) // bucket + 1
    day = 86400 // bucket
    chunk = max(1, min(buckets, max(day, MAX_POINTS // max(len(series), 1)), budget // max(per_bucket, 1)))
    if chunk >= min(day, buckets):
        return [Query(t, min(last, t + (chunk - 1) * bucket), None) for t in range(first, last + 1, chunk * bucket)]
    # Even a day of every series is too much: a day at a time, a group of nodes at a time.
    shards = _shards(series, (budget // (86400 // step) - OVERHEAD) // COST)
    return [
        Query(t, min(last, t + (day - 1) * bucket), shard)
        for t in range(first, last + 1, day * bucket)
        for shard in shards
    ]


def _shards(series: Sequence[Mapping[str, str]], per_query: int) -> list[tuple[str, tuple[str, ...]] | None]:
    label = next((name for name in SHARD_LABELS if all(s.get(name) for s in series)), None)
    if label is None:
        return [None]
    counts = Counter(s[label] for s in series)
    shards: list[tuple[str, tuple[str, ...]] | None] = []
    values: list[str] = []
    size = 0
    for value in sorted(counts):
        if values and size + counts[value] > per_query:
            shards.append((label, tuple(values)))
            values, size = [], 0
        values.append(value)
        size += counts[value]
    shards.append((label, tuple(values)))
    return shards
