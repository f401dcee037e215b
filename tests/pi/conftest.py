from __future__ import annotations

from typing import Any

import pytest

from bot.config import Settings
from tests.conftest import SIGNING_SECRET
from tests.pi.driver import PiDriver
from tests.runs.conftest import _mlflow_template, mlflow, mlflow_uri  # noqa: F401 — a real MLflow store per test
from tests.slack.double import SlackDouble


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, mlflow_uri: str) -> Settings:  # noqa: F811
    """The suite's settings with the team in Berlin and MLflow at this test's own SQLite tracking store."""
    runs: dict[str, Any] = {"lookback_seconds": 0}
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        mlflow_tracking_uri=mlflow_uri,
        timezone="Europe/Berlin",  # the team's timezone: PIs run in it
        file={"runs": runs},
    )


@pytest.fixture
def pi(signed, slack, deliver, runtime, mlflow) -> PiDriver:  # noqa: F811
    return PiDriver(signed, slack, deliver, runtime, mlflow)
