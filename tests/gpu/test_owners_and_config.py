"""Owner attribution, exclusions and config errors, table-driven."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from reports.gpu import config as gpu_config
from reports.gpu import owners
from reports.gpu.sources import GpuInfo

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
CONFIG = gpu_config.load(
    Settings(
        file={
            "gpu": {
                "sources": [{"type": "sample", "path": "x.json"}],
                "owners": {
                    "host:box-1": {"owner": "ada@example.com", "team": "vision"},
                    "namespace:nlp": {"team": "nlp"},
                },
                "users": {"ravi": "U0003"},
                "exclude": {
                    "users": ["ci-bot"],
                    "hosts": ["build-1"],
                    "tags": {"env": "prod"},
                    "younger_than_hours": 6,
                },
            }
        }
    )
)


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (GpuInfo("k", "s", "box-1", "0"), ("ada@example.com", "vision")),
        (GpuInfo("k", "s", "box-2", "0", labels={"namespace": "nlp"}), ("", "nlp")),
        (
            GpuInfo("k", "s", "box-1", "0", owner="grace@example.com", team="research"),
            ("grace@example.com", "research"),
        ),
        (GpuInfo("k", "s", "box-9", "0"), ("", "unowned")),
    ],
)
def test_owner_from_tags_then_the_static_map(info, expected):
    assert owners.owner_and_team(info, CONFIG) == expected


@pytest.mark.parametrize(
    ("info", "owner", "excluded"),
    [
        (GpuInfo("k", "s", "box-1", "0"), "ada", False),
        (GpuInfo("k", "s", "box-1", "0"), "ci-bot", True),
        (GpuInfo("k", "s", "build-1", "0"), "", True),
        (GpuInfo("k", "s", "box-1", "0", labels={"env": "prod"}), "", True),
        (GpuInfo("k", "s", "box-1", "0", launched_at=NOW - timedelta(hours=2)), "", True),
        (GpuInfo("k", "s", "box-1", "0", launched_at=NOW - timedelta(hours=7)), "", False),
    ],
)
def test_exclusions(info, owner, excluded):
    assert owners.excluded(info, owner, CONFIG, NOW) is excluded


@pytest.mark.parametrize(
    ("owner", "user"),
    [
        ("ravi", "U0003"),
        ("U0002", "U0002"),
        ("ada@example.com", "U0001"),
        ("nobody@example.com", None),
        ("", None),
    ],
)
def test_slack_user_from_map_id_or_email(owner, user):
    def lookup(email: str) -> str:
        if email != "ada@example.com":
            raise LookupError("users_not_found")
        return "U0001"

    assert owners.slack_user(owner, CONFIG, lookup) == user


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"sources": []}, "gpu.sources must list at least one source"),
        ({"sources": [{"type": "influx"}]}, "gpu.sources[0] needs a type"),
        ({"sources": [{"type": "prometheus", "url": "prom:9090"}]}, "must be the Prometheus base URL"),
        ({"sources": [{"type": "sample", "path": "x"}], "step_seconds": 700}, "gpu.step_seconds must divide an hour"),
        (
            {"sources": [{"type": "sample", "path": "x"}], "prices": {"A100": "cheap"}},
            "gpu.prices.A100 must be an amount",
        ),
    ],
)
def test_config_errors_say_what_to_fix(section, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        gpu_config.load(Settings(file={"gpu": section}))


def test_gpu_command_without_a_gpu_section_explains_how_to_set_it_up(signed):
    answer = signed.command("/gpu", "idle").json()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Idle-GPU reports are not set up: add a `gpu:` section with `sources:`")
