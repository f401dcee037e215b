"""Bolt asks only the listeners that could match a request (bot.matching.Routes), with the same answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from bot.matching import Routes, _route


def _first_match(listeners: list[Any], body: dict[str, Any]) -> Any:
    """The listener Bolt's loop would run (its first match), or the exception the loop would raise."""
    request, response = BoltRequest(body=body, mode="socket_mode"), BoltResponse(status=200)
    try:
        return next((listener for listener in listeners if listener.matches(req=request, resp=response)), None)
    except Exception as exc:  # noqa: BLE001 — a malformed body fails Bolt's matchers: the same failure both ways
        return type(exc)


def _bodies(values: dict[str, set[str]]) -> list[dict[str, Any]]:
    """For every registered value of every kind, and values nobody registered, a request of each shape."""
    bodies: list[dict[str, Any]] = []
    for kind in ("command", "action", "view_submission", "shortcut", "event"):
        for value in [*sorted(values.get(kind, ())), "/nobody", "nobody.action", "tickets.unknown", ""]:
            bodies += {
                "command": [{"command": value, "text": "help", "team_id": "T0001", "user_id": "U0001"}],
                "action": [
                    {"type": "block_actions", "actions": [{"action_id": value, "value": "1"}], "user": {"id": "U1"}},
                    {"type": "interactive_message", "callback_id": value, "actions": [{"name": "x"}]},
                    {"type": "dialog_submission", "callback_id": value},
                ],
                "view_submission": [{"type": "view_submission", "view": {"callback_id": value, "state": {}}}],
                "shortcut": [
                    {"type": "shortcut", "callback_id": value},
                    {"type": "message_action", "callback_id": value, "message": {"ts": "1.0"}},
                ],
                "event": [
                    {"type": "event_callback", "event": {"type": value}},
                    {"type": "event_callback", "event": {"type": value, "subtype": "bot_message"}},
                ],
            }[kind]
    malformed: list[dict[str, Any]] = [
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "actions": [{"action_id": ["not", "a", "string"]}]},
        {"type": "view_submission", "view": ["callback_id"]},
        {"command": "/ticket", "type": "block_actions", "actions": [{"action_id": "retro.vote"}]},
        {"type": "app_rate_limited"},
        {},
    ]
    return bodies + malformed


def test_every_request_meets_the_listener_bolts_full_scan_would_and_asks_a_few(app):
    everything = list(app._listeners)  # outside a dispatch: every registered listener, in order
    routes = Routes(everything)
    values: dict[str, set[str]] = {}
    for listener in everything:
        route = _route(listener)
        if route is not None and isinstance(route[1], str):
            values.setdefault(route[0], set()).add(route[1])
    assert len(everything) > 60 and {"command", "action", "view_submission", "event"} <= set(values)
    bodies = _bodies(values)
    matched = 0
    for body in bodies:
        expected = _first_match(everything, body)
        assert _first_match(routes.candidates(body), body) == expected, body
        matched += expected is not None and not isinstance(expected, type)
    assert matched >= sum(len(registered) for registered in values.values())  # not None == None throughout
    ticket = routes.candidates({"command": "/ticket", "text": "modelling x"})
    vote = routes.candidates({"type": "block_actions", "actions": [{"action_id": "retro.vote"}]})
    assert len(ticket) <= 6 and len(vote) <= 6, (len(ticket), len(vote))


def test_a_signed_request_runs_its_listener_through_the_routes(signed):
    assert "/ritual help" in signed.command("/ritual", "help").text
    assert "Unknown" not in signed.command("/standup", "").text
