"""Spend fixtures: settings with a `spend:` section, FOCUS export files written per test, moto's server."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.conftest import SIGNING_SECRET
from tests.slack.double import SlackDouble
from tests.spend.aws import moto_server

FOCUS_COLUMNS = [
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ServiceName",
    "ChargeDescription",
    "Tags",
]


class FocusExport:
    """Writes FOCUS CSV files into a folder, one file per call (like a daily export drop)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def write(
        self, rows: list[tuple[date, str, str, str, str]], *, currency: str = "EUR", description: str = ""
    ) -> Path:
        """rows: (day, team, service, billed cost, charge description)."""
        self.count += 1
        path = self.folder / f"export-{self.count:03d}.csv"
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FOCUS_COLUMNS)
            writer.writeheader()
            for day, team, service, cost, desc in rows:
                writer.writerow(
                    {
                        "ChargePeriodStart": f"{day}T00:00:00Z",
                        "ChargePeriodEnd": f"{day + timedelta(days=1)}T00:00:00Z",
                        "BilledCost": cost,
                        "EffectiveCost": cost,
                        "BillingCurrency": currency,
                        "ServiceName": service,
                        "ChargeDescription": desc or description,
                        "Tags": json.dumps({"team": team}),
                    }
                )
        return path

    def days(self, team: str, service: str, start: date, end: date, cost: str, desc: str = "") -> list[tuple]:
        n = (end - start).days + 1
        return [(start + timedelta(days=i), team, service, cost, desc) for i in range(n)]


@pytest.fixture
def focus(tmp_path: Path) -> FocusExport:
    folder = tmp_path / "focus"
    folder.mkdir()
    return FocusExport(folder)


@pytest.fixture
def spend_yaml(focus: FocusExport) -> dict[str, Any]:
    """The `spend:` section; a plain dict the test may change before the first job runs."""
    return {
        "source": "focus",
        "focus": {"path": str(focus.folder)},
        "budgets": {"vision": 3000, "nlp": 2000},
        "min_anomaly": 100,
    }


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, spend_yaml: dict[str, Any]) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        file={"spend": spend_yaml},
    )


@pytest.fixture(scope="module")
def moto_url():
    """moto's server on a loopback port, one per test module."""
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url):
    """The server, reset: each test starts with no buckets, budgets or queued Cost Explorer results."""
    import httpx

    httpx.post(f"{moto_url}/moto-api/reset")
    return moto_url
