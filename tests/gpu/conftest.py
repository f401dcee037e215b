"""GPU fixtures: one real Prometheus per session, loaded with the known sample."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gpu.prom import prometheus


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prometheus(tmp_path_factory.mktemp("prometheus")) as url:
        yield url
