"""Listener matching without Bolt's argument injection per matcher.

Bolt asks every registered listener whether it matches, in order, and each builtin matcher (command,
action_id, callback_id, event type...) first builds the whole keyword set a listener could take
(`build_required_kwargs`: payload views, say/respond, the context) just to pass it `body`. With ~40
listeners that was ~1.5 ms of CPU per request. The same predicate is called here with `body` alone:
same listeners, same order, same answer. Global middleware that only needs the request gets the
same treatment (`RequestMiddleware`).

`Routes` then spares Bolt most of the asking: of ~90 listeners, a `/ticket` can only be answered by the
one registered for `/ticket` (and those no key narrows), a vote by the one for its action_id. Each
listener's primary matcher, when it is one of Bolt's builtins over a command name, an action_id or
callback_id, a view's callback_id, a shortcut's callback_id or an event type, can only say yes to a
request of that kind carrying that value; Bolt's loop is given, in registration order, the listeners
that could (the others never would), and asks each as before. Anything unrecognised is always asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener import Listener
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware import Middleware
from slack_bolt.request import payload_utils as kinds


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


ANY = object()  # a listener's value when its constraint is a pattern: every value of its kind

# Bolt's builtin matcher (the function's qualified name in slack_bolt.listener_matcher.builtins) -> the kind
# of request it requires and the closure variable its value is compared with
_BUILTINS = {
    "command.<locals>.func": ("command", "command"),
    "action.<locals>.func": ("action", "constraints"),
    "view_submission.<locals>.func": ("view_submission", "callback_id"),
    "shortcut.<locals>.func": ("shortcut", "callback_id"),
    "event.<locals>.func": ("event", "event_type"),
}


def _route(listener: Listener) -> tuple[str, object] | None:
    """(kind, value or ANY) that the listener's primary matcher requires; None: ask it every time."""
    matcher = listener.matchers[0] if listener.matchers else None
    func = getattr(matcher, "func", None)
    known = _BUILTINS.get(getattr(func, "__qualname__", ""))
    if func is None or known is None or func.__closure__ is None:
        return None
    kind, variable = known
    cells = dict(zip(func.__code__.co_freevars, func.__closure__, strict=True))
    if variable not in cells:
        return None
    value = cells[variable].cell_contents
    if isinstance(value, str):
        return kind, str.__str__(value)  # an enum member of str compares as its text (not its name)
    return (kind, ANY) if hasattr(value, "search") else None  # a dict constraint (block_id...): ask it


def _request_routes(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(kind, value) for each kind the request is, as Bolt's predicates see it: the value a builtin matcher
    of that kind compares (None when the request has none)."""
    found: list[tuple[str, str | None]] = []
    if kinds.is_slash_command(body):
        found.append(("command", body.get("command")))
    if kinds.is_block_actions(body):
        actions = body.get("actions") or [{}]
        found.append(("action", actions[0].get("action_id")))
    elif kinds.is_action(body):  # attachment action, dialog submission or cancellation, workflow step edit
        found.append(("action", body.get("callback_id")))
    if kinds.is_view_submission(body):
        found.append(("view_submission", body["view"].get("callback_id")))
    if kinds.is_shortcut(body):
        found.append(("shortcut", body.get("callback_id")))
    if kinds.is_event(body):
        found.append(("event", body["event"].get("type")))
    return found


class _Index:
    """The routes of one list of listeners; made whole, then published in one assignment (Routes._index), so a
    request in another thread never sees it half built."""

    def __init__(self, listeners: list[Listener]) -> None:
        self.listeners = list(listeners)
        self.routes = [_route(listener) for listener in self.listeners]
        self.values: dict[str, set[str]] = {}
        for route in self.routes:
            if route is not None and isinstance(route[1], str):
                self.values.setdefault(route[0], set()).add(route[1])
        self.cache: dict[tuple[tuple[str, str | None], ...], list[Listener]] = {}


class Routes:
    """The listeners that could match a request, in registration order (Bolt's `_listeners` during dispatch)."""

    def __init__(self, listeners: list[Listener]) -> None:
        self._listeners = listeners
        self._index: _Index | None = None

    def candidates(self, body: Any) -> list[Listener]:
        if not isinstance(body, dict):
            return self._listeners
        index = self._index
        if index is None or len(index.listeners) != len(self._listeners):  # registered at start-up; or one added
            index = self._index = _Index(self._listeners)
        try:
            request = _request_routes(body)
            # values no listener registered are one key (None): the cache stays as small as the registrations
            key = tuple((kind, value if value in index.values.get(kind, ()) else None) for kind, value in request)
        except (AttributeError, IndexError, KeyError, TypeError):  # a malformed body: Bolt asks every listener
            return self._listeners
        found = index.cache.get(key)
        if found is None:
            wanted = dict(key)
            found = index.cache[key] = [
                listener
                for listener, route in zip(index.listeners, index.routes, strict=True)
                if route is None or (route[0] in wanted and route[1] in (ANY, wanted[route[0]]))
            ]
        return found
