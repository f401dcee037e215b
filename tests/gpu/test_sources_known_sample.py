"""The known sample (tests/gpu/fleet.py) through the real Prometheus and moto's CloudWatch/EC2:
the idle hours and cost for Sun 22 Nov must match the hand calculation from either source."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.config import Settings
from reports.gpu import config as gpu_config
from reports.gpu import service
from reports.gpu.sources import SourceError
from reports.gpu.sources.cloudwatch import CloudWatchSource
from reports.gpu.sources.prometheus import PrometheusSource
from reports.gpu.states import Thresholds
from tests.gpu.aws import load_fleet
from tests.gpu.fleet import CW_STEP, OWNERS, PRICES
from tests.spend.aws import client, moto_server

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def config(step: int, days: int, prices=PRICES):
    return gpu_config.load(
        Settings(
            file={
                "gpu": {
                    "sources": [{"type": "sample", "path": "-"}],
                    "prices": prices,
                    "owners": OWNERS,
                    "step_seconds": step,
                    "history_days": days,
                }
            }
        )
    )


def by_label(report):
    return {g.label.split(" ")[0]: (g.idle_h, g.held_h, g.cost, g.streak_h) for g in report.gpus}


def test_prometheus_sample_matches_the_hand_calculation(database, prometheus_url):
    cfg = config(300, 14)
    with database.session() as s:
        source = PrometheusSource("dcgm", prometheus_url, matchers={"cluster": "lab"})
        result = service.refresh(s, cfg, [source], DAY, NOW)
        # the series, kube_pod_info for pods without a node label, one packed query for the 3 metrics
        assert (result.queries, result.gpus, result.errors) == (3, 6, {})
        report = service.report(s, cfg, DAY, NOW)
    assert by_label(report) == {
        "train-1/gpu0": (0, 0, Decimal("0.00"), 0),
        "train-1/gpu1": (21, 0, Decimal("84.00"), 1.75),
        "train-2/gpu0": (0, 0, Decimal("0.00"), 0),
        "train-2/gpu1": (24, 0, Decimal("96.00"), 168),
        "nb-1/gpu0": (0, 24, Decimal("0.00"), 24 * 14),
        "train-3/gpu0": (24, 0, Decimal("96.00"), 96),
    }
    assert (report.idle_h, report.idle_cost, report.held_h, report.held_cost) == (
        69,
        Decimal("276.00"),
        24,
        Decimal("12.00"),
    )
    assert report.prev_avg_h == pytest.approx(435 / 7)
    assert report.prev_avg_cost == Decimal("248.57")
    assert report.teams == {
        "unowned": service.TeamTotal(24, 24, Decimal("108.00")),
        "nlp": service.TeamTotal(24, 0, Decimal("96.00")),
        "vision": service.TeamTotal(21, 0, Decimal("84.00")),
    }
    assert [d for d in report.daily] == [date(2026, 11, d) for d in range(9, 23)]
    assert dict(report.daily[date(2026, 11, 18)]) == {"vision": 21, "nlp": 24, "unowned": 24}  # F: no data; E held


def test_a_bad_query_and_a_refused_connection_name_the_source(prometheus_url):
    with pytest.raises(SourceError, match="dcgm: query failed: bad_data"):
        PrometheusSource("dcgm", prometheus_url)._query_range("sum(", 0, 600, 300)
    with pytest.raises(SourceError, match="dcgm: cannot reach Prometheus at http://127.0.0.1:9"):
        PrometheusSource("dcgm", "http://127.0.0.1:9").steps(NOW, NOW.replace(hour=10), 300, Thresholds())


def test_cloudwatch_sample_matches_the_hand_calculation(database):
    # Prices by instance type: p4d.24xlarge has 8 GPUs, so 32.00 is 4.00 per GPU-hour.
    cfg = config(CW_STEP, 8, {"p4d.24xlarge": 32.00, "g4dn.xlarge": 0.50})
    with moto_server() as url, database.session() as s:
        cloudwatch, ec2 = client("cloudwatch", url), client("ec2", url)
        ids = load_fleet(cloudwatch, ec2)
        result = service.refresh(s, cfg, [CloudWatchSource("cw", cloudwatch, ec2)], DAY, NOW)
        report = service.report(s, cfg, DAY, NOW)
    assert result.errors == {}
    assert result.queries == 1 + 8  # DescribeInstances, then one GetMetricData per day for all 25 GPUs
    lines = {g.label.split(" ")[0]: (g.idle_h, g.held_h, g.cost, g.streak_h) for g in report.gpus if g.nodata_h < 24}
    assert lines == {
        "i-0train1/gpu0": (0, 0, Decimal("0.00"), 0),
        "i-0train1/gpu1": (21, 0, Decimal("84.00"), 1.75),
        "i-0train2/gpu0": (0, 0, Decimal("0.00"), 0),
        "i-0train2/gpu1": (24, 0, Decimal("96.00"), 168),
        "i-0nb1/gpu0": (0, 24, Decimal("0.00"), 24 * 8),
        "i-0train3/gpu0": (24, 0, Decimal("96.00"), 96),
    }
    assert len(report.nodata) == 6 + 6 + 7  # the p4d GPUs without metrics: no data, not idle
    assert (report.idle_h, report.idle_cost, report.held_h, report.held_cost) == (
        69,
        Decimal("276.00"),
        24,
        Decimal("12.00"),
    )
    assert report.prev_avg_h == pytest.approx(435 / 7)
    assert report.teams == {
        "unowned": service.TeamTotal(24, 24, Decimal("108.00")),
        "nlp": service.TeamTotal(24, 0, Decimal("96.00")),
        "vision": service.TeamTotal(21, 0, Decimal("84.00")),
    }
    assert {g.owner for g in report.gpus if g.team == "nlp"} == {"grace@example.com"}
    assert ids


def test_cloudwatch_unreachable_is_a_source_error():
    source = CloudWatchSource("cw", client("cloudwatch"), client("ec2"))
    with pytest.raises(SourceError, match="cw: CloudWatch unavailable"):
        source.fetch(NOW, NOW.replace(hour=10), 300)
