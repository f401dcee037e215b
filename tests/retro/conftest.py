from __future__ import annotations

import pytest

from tests.retro.driver import RetroDriver


@pytest.fixture
def retro(signed, slack, deliver, database) -> RetroDriver:
    slack.add_user("U0004", "linus", tz="Europe/Helsinki", email="linus@example.com")
    slack.members["C0001"].append("U0004")
    return RetroDriver(signed, slack, deliver, database)
