"""Which failures of a dependency are its timeout or its refused connection, whatever client raised them
(urllib in slack_sdk, httpx, requests in MLflow, botocore): the user is told the dependency's name."""

from __future__ import annotations


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_timeout(exc: BaseException) -> bool:
    """A read or connect timeout from urllib (slack_sdk), httpx, requests (MLflow) or botocore."""
    names = {"TimeoutException", "ReadTimeout", "ConnectTimeout", "ConnectTimeoutError", "ReadTimeoutError", "Timeout"}
    for e in _chain(exc):
        if isinstance(e, TimeoutError) or any(c.__name__ in names for c in type(e).__mro__):
            return True
        if "timed out" in str(e).lower():
            return True
    return False


def is_unreachable(exc: BaseException) -> bool:
    """A refused or failed connection (the dependency is down, or its address is wrong)."""
    names = {"URLError", "ConnectError", "EndpointConnectionError", "NewConnectionError"}
    said = ("connection refused", "failed to establish a new connection", "name or service not known")
    for e in _chain(exc):
        if isinstance(e, ConnectionError) or any(c.__name__ in names for c in type(e).__mro__):
            return True
        if any(s in str(e).lower() for s in said):  # MLflow wraps requests' errors in its own, as text
            return True
    return False
