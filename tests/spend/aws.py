"""moto's server on a loopback port, clients for it, and the Cost Explorer results queue."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def client(service: str, url: str | None = None) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=url or "http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def queue_cost_results(url: str, *results: dict[str, Any]) -> None:
    """Each result answers one distinct get_cost_and_usage request, in order."""
    response = httpx.post(f"{url}/moto-api/static/ce/cost-and-usage-results", json={"results": list(results)})
    assert response.status_code == 201


def day_result(
    day: str, end: str, groups: list[tuple[str, str, str]], unit: str = "USD", metric: str = "UnblendedCost"
) -> dict[str, Any]:
    """One ResultsByTime entry; groups are (team tag value, service, amount)."""
    return {
        "TimePeriod": {"Start": day, "End": end},
        "Total": {},
        "Estimated": False,
        "Groups": [
            {"Keys": [f"team${team}", service], "Metrics": {metric: {"Amount": amount, "Unit": unit}}}
            for team, service, amount in groups
        ],
    }


def record_calls(ce: Any, operation: str) -> list[dict[str, Any]]:
    """What we sent, as botocore validated it."""
    sent: list[dict[str, Any]] = []
    ce.meta.events.register(f"provide-client-params.ce.{operation}", lambda params, **_: sent.append(dict(params)))
    return sent
