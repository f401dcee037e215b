from __future__ import annotations

import pytest

from tests.pi.driver import PiDriver


@pytest.fixture
def pi(signed, slack, deliver, runtime) -> PiDriver:
    return PiDriver(signed, slack, deliver, runtime)
