"""Listener matching without Bolt's argument injection per matcher.

Bolt asks every registered listener whether it matches, in order, and each builtin matcher (command,
action_id, callback_id, event type...) first builds the whole keyword set a listener could take
(`build_required_kwargs`: payload views, say/respond, the context) just to pass it `body`. With ~40
listeners that was ~1.5 ms of CPU per request. The same predicate is called here with `body` alone:
same listeners, same order, same answer. Global middleware that only needs the request gets the
same treatment (`RequestMiddleware`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware import Middleware


class BodyMatcher(ListenerMatcher):
    """A builtin matcher whose predicate takes only `body`, called directly."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(req.body))


def direct(matcher: Any) -> Any:
    """`matcher` as a BodyMatcher when it is a builtin one over `body` alone; unchanged otherwise."""
    if type(matcher) is BuiltinListenerMatcher and list(matcher.arg_names) == ["body"]:
        return BodyMatcher(matcher.func)
    return matcher


class RequestMiddleware(Middleware):
    """A global middleware `fn(body, context, next)` without Bolt's argument injection."""

    def __init__(self, fn: Callable[[dict[str, Any], Any, Callable[[], Any]], BoltResponse | None]) -> None:
        self.fn = fn

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 — Bolt's keyword
    ) -> BoltResponse | None:
        return self.fn(req.body, req.context, next)

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", type(self).__name__)
