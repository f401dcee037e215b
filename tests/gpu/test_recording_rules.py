"""The shipped recording rules (reports/gpu/data/prometheus/ritualbot-gpu.rules.yml): their promtool unit
tests, and ritualbot reading the recorded series in a real Prometheus that has the rules file in its
config. The recorded history is backfilled with `promtool tsdb create-blocks-from rules` (what an
operator does for new rules; a running Prometheus records only from now on) from the lab fleet and the
sites of tests/gpu/sites.py, and must give the owners, names and hours the subqueries give."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import delete

from reports.gpu import service
from reports.gpu.models import GpuDay, GpuRefresh, GpuStreak
from reports.gpu.sources import promql
from reports.gpu.sources.build import build
from reports.gpu.sources.prometheus import PrometheusSource
from reports.gpu.states import Thresholds
from tests.gpu.prom import HINT, import_openmetrics, openmetrics, prometheus
from tests.gpu.test_prometheus_crunching import LAB, NOW, Recording, cfg
from tests.gpu.test_sites import DAY, lines, refreshed, site_config

RULES = Path(service.__file__).with_name("data") / "prometheus"
RULES_FILE = RULES / "ritualbot-gpu.rules.yml"
# The 8 days the refreshes read (history_days: 8, 15-22 Nov) and the hour before, for the first bucket.
BACKFILL = ("2026-11-14T23:00:00Z", "2026-11-23T00:00:00Z")


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.skip(f"promtool is missing, so the shipped rules cannot be checked: {HINT}")
    return found


def test_the_shipped_rules_pass_promtool_check_and_their_unit_tests():
    tool = promtool()
    check = subprocess.run([tool, "check", "rules", RULES_FILE.name], cwd=RULES, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 4 rules found" in check.stdout
    test = "ritualbot-gpu.rules.test.yml"
    unit = subprocess.run([tool, "test", "rules", test], cwd=RULES, capture_output=True, text=True, timeout=120)
    assert unit.returncode == 0, unit.stdout + unit.stderr
    assert "SUCCESS" in unit.stdout


@pytest.fixture(scope="module")
def recorded_url(prometheus_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The lab and the sites with the rules' 5-minute series backfilled, served by a Prometheus whose
    config loads the rules file."""
    tool = promtool()
    folder = tmp_path_factory.mktemp("recorded")
    steps_only = {
        "groups": [g for g in yaml.safe_load(RULES_FILE.read_text())["groups"] if g["name"].endswith("steps")]
    }
    (folder / "steps.rules.yml").write_text(yaml.safe_dump(steps_only))  # the hourly ratios read recorded series
    subprocess.run(
        [tool, "tsdb", "create-blocks-from", "rules", f"--start={BACKFILL[0]}", f"--end={BACKFILL[1]}"]
        + [f"--url={prometheus_url}", f"--output-dir={folder / 'blocks'}", str(folder / "steps.rules.yml")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    import_openmetrics(openmetrics(), folder, folder / "data")
    for block in (folder / "blocks").iterdir():
        shutil.copytree(block, folder / "data" / block.name)
    with prometheus(folder, config=f"rule_files:\n  - {RULES_FILE}\n") as url:
        yield url


def clear(database) -> None:
    with database.session() as s:
        for model in (GpuDay, GpuRefresh, GpuStreak):
            s.execute(delete(model))


def test_the_test_prometheus_loads_the_rules_file(recorded_url):
    groups = httpx.get(f"{recorded_url}/api/v1/rules").json()["data"]["groups"]
    assert sorted((g["name"], len(g["rules"])) for g in groups) == [
        ("ritualbot-gpu-hourly", 2),
        ("ritualbot-gpu-steps", 2),
    ]


def test_the_recorded_series_are_packed_without_subqueries_over_the_raw_metrics(database, recorded_url):
    transport = Recording()
    source = PrometheusSource("dcgm", recorded_url, matchers=LAB, recording_rules=True, transport=transport)
    with database.session() as s:
        assert service.refresh(s, cfg(8), [source], DAY, NOW).errors == {}
    ranges = [q["query"] for q in transport.ranges()]
    assert ranges == [promql.combined(promql.RECORDED, Thresholds(), matchers=LAB, shard=None, step=300, bucket=3600)]
    util = (
        'sum_over_time((ritualbot:gpu_util_state:5m{cluster="lab"} * 6 ^ (((time() - 300) % 3600) / 300))[3599s:300s])'
    )
    memory = util.replace("gpu_util_state", "gpu_memory_state")
    assert ranges[0] == (
        f'sum without (ritualbot_memory) ({util} or label_replace({memory}, "ritualbot_memory", "1", "", ""))'
    )
    assert "avg_over_time" not in ranges[0]


@pytest.mark.parametrize("cluster", ["lab", "k8s", "slurm", "della", "della-old"])
def test_recorded_series_give_the_owners_names_and_hours_the_subqueries_give(database, recorded_url, cluster):
    rules = site_config(recorded_url, cluster, prometheus={"recording_rules": True})
    with database.session() as s:
        [source] = build(rules, s)
    assert isinstance(source, PrometheusSource) and source.recording_rules
    result, report = refreshed(database, rules)
    assert result.errors == {}
    recorded = lines(report)
    clear(database)
    result, report = refreshed(database, site_config(recorded_url, cluster))
    assert result.errors == {}
    assert recorded == lines(report)
    assert any(idle or held for idle, held, *_ in recorded.values())  # something to compare: not all busy


def test_without_recorded_series_the_rules_setting_falls_back_to_subqueries(database, prometheus_url, caplog):
    result, report = refreshed(database, site_config(prometheus_url, "k8s", prometheus={"recording_rules": True}))
    assert result.errors == {}
    assert lines(report)["gpu-node-1/gpu0"][:2] == (24, 0)
    assert "has no recorded series (ritualbot-gpu.rules.yml): using subqueries" in caplog.text


def test_recording_rules_need_five_minute_steps():
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="recording_rules needs gpu.step_seconds: 300"):
        site_config("http://127.0.0.1:9", "lab", prometheus={"recording_rules": True}, step_seconds=60)


def test_a_source_can_turn_the_rules_on_by_itself():
    rules = site_config("http://127.0.0.1:9", "lab")
    assert not rules.recording_rules(rules.sources[0])
    assert rules.recording_rules({**rules.sources[0], "recording_rules": True})
