"""Prometheus does the crunching (the lab fleet of tests/gpu/fleet.py in the real Prometheus): a packed
point per GPU per hour, only the new day once the history is stored, and queries split by node so
none nears `--query.max-samples`, also through a Prometheus that reads the data by remote_read
(the path Thanos, Mimir and Cortex serve)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings
from reports.gpu import analysis, service
from reports.gpu import config as gpu_config
from reports.gpu.models import GpuDay, GpuRefresh
from reports.gpu.sources import GpuInfo, GpuSeries, SourceError, plan, promql
from reports.gpu.sources.prometheus import PrometheusSource
from reports.gpu.states import Thresholds
from tests.gpu.fleet import FLEET, OWNERS, PRICES
from tests.gpu.prom import prometheus

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
LAB = {"cluster": "lab"}
LIMIT = 2500  # --query.max-samples of the remote-read Prometheus: a day of the lab's 6 GPU_UTIL series needs ~3,500


def cfg(days: int = 14) -> gpu_config.GpuConfig:
    section = {"sources": [{"type": "sample", "path": "-"}], "prices": PRICES, "owners": OWNERS, "history_days": days}
    return gpu_config.load(Settings(file={"gpu": section}))


class Recording(httpx.BaseTransport):
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.points = 0
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        params = dict(httpx.QueryParams(request.content.decode() or request.url.query.decode()))
        response = self._inner.handle_request(request)
        response.read()
        result = response.json().get("data") or {}
        if isinstance(result, dict):
            self.points += sum(len(r.get("values", [])) for r in result.get("result", []))
        self.sent.append({"path": request.url.path, **params})
        return response

    def ranges(self) -> list[dict[str, Any]]:
        return [q for q in self.sent if q["path"].endswith("/query_range")]


def stored(database, day: date) -> dict[str, tuple[float, float, float]]:
    with database.session() as s:
        rows = s.scalars(select(GpuDay).where(GpuDay.day == day))
        return {r.gpu_key: (r.idle_h, r.held_h, r.streak_h) for r in rows}


def at(day: date, hour: int = 0) -> str:
    return str(int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp()))


def test_prometheus_is_asked_for_one_packed_point_per_gpu_per_hour(database, prometheus_url):
    transport = Recording()
    source = PrometheusSource("dcgm", prometheus_url, matchers=LAB, transport=transport)
    with database.session() as s:
        service.refresh(s, cfg(), [source], DAY, NOW)
    assert [q["path"] for q in transport.sent] == ["/api/v1/series", "/api/v1/query", "/api/v1/query_range"]
    sent = transport.ranges()
    assert {(q["start"], q["end"], q["step"]) for q in sent} == {
        (at(date(2026, 11, 9), 1), at(date(2026, 11, 23)), "3600s")
    }
    th = Thresholds()
    assert sent[0]["query"] == promql.combined(promql.DCGM, th, matchers=LAB, shard=None, step=300, bucket=3600)
    util = (
        'sum_over_time((((avg_over_time(DCGM_FI_DEV_GPU_UTIL{cluster="lab"}[299999ms]) >= bool 5) * 2 + 2)'
        " * 6 ^ (((time() - 300) % 3600) / 300))[3599s:300s])"
    )
    memory = (
        'sum_over_time(((avg_over_time(DCGM_FI_DEV_FB_USED{cluster="lab"}[299999ms]) >= bool 1024)'
        " * 6 ^ (((time() - 300) % 3600) / 300))[3599s:300s])"
    )
    engine = util.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE").replace("bool 5)", "bool 0.05)")
    assert sent[0]["query"] == (
        f"sum without (ritualbot_memory) ({engine} or {util} or "
        f'label_replace({memory}, "ritualbot_memory", "1", "", ""))'
    )
    # 14 days x 24 hours of 6 GPUs (less F's day without data), utilisation and memory in one point:
    # 2,000 points, where the raw 5-minute series were 3 x 6 x 4,032 = 72,576.
    assert transport.points == 6 * 14 * 24 - 24


def test_the_next_day_fetches_only_that_day_and_continues_the_stored_streaks(database, prometheus_url):
    transport = Recording()
    source = PrometheusSource("dcgm", prometheus_url, matchers=LAB, transport=transport)
    with database.session() as s:
        service.refresh(s, cfg(), [source], DAY, NOW)
        transport.sent.clear()
        service.refresh(s, cfg(), [source], DAY + timedelta(days=1), NOW + timedelta(days=1))
    assert {(q["start"], q["end"]) for q in transport.ranges()} == {(at(date(2026, 11, 23), 1), at(date(2026, 11, 24)))}
    monday = stored(database, DAY + timedelta(days=1))
    assert monday["dcgm:GPU-dddddddd"] == (24, 0, 192)  # idle since 16 Nov: the 168 h stored + 24
    assert monday["dcgm:GPU-ffffffff"] == (24, 0, 120)  # idle since 19 Nov (no data on the 18th)
    assert monday["dcgm:GPU-bbbbbbbb"] == (21, 0, 1.75)
    assert monday["dcgm:GPU-eeeeeeee"] == (0, 24, 24 * 15)


def test_a_day_at_a_time_stores_what_the_whole_window_at_once_stores(database, prometheus_url):
    source = PrometheusSource("dcgm", prometheus_url, matchers=LAB)
    with database.session() as s:
        service.refresh(s, cfg(8), [source], DAY - timedelta(days=1), NOW - timedelta(days=1))
        service.refresh(s, cfg(8), [source], DAY, NOW)
    day_by_day = stored(database, DAY)
    with database.session() as s:
        s.execute(GpuDay.__table__.delete())
        s.execute(GpuRefresh.__table__.delete())
        service.refresh(s, cfg(8), [source], DAY, NOW)
    at_once = stored(database, DAY)
    assert len(day_by_day) == 6
    # The same hours and streaks, except that a run older than the window is known day by day: E has
    # been held since 14 Nov, the first day of the first refresh's window (21 Nov - 7 days).
    assert day_by_day.pop("dcgm:GPU-eeeeeeee") == (0, 24, 24 * 9)
    assert at_once.pop("dcgm:GPU-eeeeeeee") == (0, 24, 24 * 8)
    assert at_once == day_by_day


@pytest.fixture(scope="module")
def remote_read_url(prometheus_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty Prometheus that reads the lab through remote_read and refuses queries over LIMIT samples."""
    config = f"remote_read:\n  - url: {prometheus_url}/api/v1/read\n    read_recent: true\n"
    folder = tmp_path_factory.mktemp("remote-read")
    with prometheus(Path(folder), config=config, flags=(f"--query.max-samples={LIMIT}",)) as url:
        yield url


def test_a_query_for_a_day_of_the_whole_fleet_is_refused_over_the_limit(remote_read_url):
    source = PrometheusSource("dcgm", remote_read_url, matchers=LAB)  # planned for the default 50 M
    with pytest.raises(SourceError, match="query processing would load too many samples into memory"):
        source.steps(datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), 300, Thresholds())


def test_queries_split_by_node_stay_under_the_limit_and_find_the_same_hours(database, prometheus_url, remote_read_url):
    transport = Recording()
    split = PrometheusSource("dcgm", remote_read_url, matchers=LAB, max_samples=LIMIT, transport=transport)
    with database.session() as s:
        result = service.refresh(s, cfg(8), [split], DAY, NOW)
    assert result.errors == {}
    through_remote_read = stored(database, DAY)
    shards = {q["query"].split('Hostname=~"')[1].split('"')[0] for q in transport.ranges()}
    assert shards == {"nb-1", "train-1", "train-2", "train-3"}  # one node per query
    assert len(transport.ranges()) == 8 * 4  # a day at a time, a node at a time, the 3 metrics in one query
    with database.session() as s:
        s.execute(GpuDay.__table__.delete())
        s.execute(GpuRefresh.__table__.delete())
        service.refresh(s, cfg(8), [PrometheusSource("dcgm", prometheus_url, matchers=LAB)], DAY, NOW)
    assert stored(database, DAY) == through_remote_read


def test_the_planned_cost_per_series_and_step_covers_what_prometheus_measures(prometheus_url):
    """The plan's cost per series and step (and per step, for the query's scalars) covers the peak
    Prometheus reports (`stats=all`), with room to spare."""
    end = int(datetime(2026, 11, 23, tzinfo=UTC).timestamp())
    for cluster, days in (("lab", 1), ("lab", 14), ("k8s", 8)):
        matchers = {"cluster": cluster}
        series = [
            s
            for metric in promql.DCGM.util_metrics
            for s in httpx.get(
                f"{prometheus_url}/api/v1/series", params={"match[]": promql.selector(metric, matchers)}
            ).json()["data"]
        ]
        query = promql.combined(promql.DCGM, Thresholds(), matchers=matchers, shard=None, step=300, bucket=3600)
        answer = httpx.post(
            f"{prometheus_url}/api/v1/query_range",
            data={"query": query, "start": end - days * 86400 + 3600, "end": end, "step": "3600s", "stats": "all"},
        ).json()
        peak = answer["data"]["stats"]["samples"]["peakSamples"]
        planned = (plan.COST * len(series) + plan.OVERHEAD) * days * 288  # the parts are evaluated one at a time
        assert planned / 2 <= peak <= planned, (cluster, days, peak, planned)  # covered, not wildly over


def test_prometheus_finds_what_the_readings_give_in_a_half_hour_timezone(database, prometheus_url):
    """Kolkata's day starts at 18:30 UTC, inside an hour bucket: the packed steps, cut at the local day,
    give the same days as classifying the lab fleet's own readings (tests/gpu/fleet.py)."""
    tz, first, days = "Asia/Kolkata", date(2026, 11, 15), 8
    with database.session() as s:
        service.refresh(s, cfg(days), [PrometheusSource("dcgm", prometheus_url, matchers=LAB)], DAY, NOW, tz)
        rows = s.scalars(select(GpuDay).where(GpuDay.day >= first)).all()
        from_prometheus = {(r.gpu_key, r.day): (r.idle_h, r.held_h, r.nodata_h, r.streak_h) for r in rows}
    bounds = analysis.day_starts(first, days, tz)
    expected = {}
    for gpu in FLEET:
        util = {t: (gpu.engine(t) * 100 if gpu.engine else gpu.util(t)) for t in range(bounds[0], bounds[-1], 300)}
        util = {t: v for t, v in util.items() if v is not None and gpu.util(t) is not None}
        series = GpuSeries(GpuInfo("k", "t", "h", "0"), util=util, mem={t: gpu.mem(t) for t in util})
        for d in analysis.gpu_days(series, first, days, 300, Thresholds(), tz):
            expected[(f"dcgm:{gpu.uuid}", d.day)] = (d.idle_h, d.held_h, d.nodata_h, d.streak_h)
    assert from_prometheus == expected
