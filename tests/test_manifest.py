"""manifest.yml declares exactly what the code listens to, and every declared command answers."""

from __future__ import annotations

from pathlib import Path

import yaml

import handlers
from bot.app import BOT_SCOPES

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yml").read_text())


def test_manifest_commands_match_the_registered_commands():
    listed = sorted(c["command"] for c in MANIFEST["features"]["slash_commands"])
    assert listed == sorted(handlers.declared("COMMANDS"))


def test_manifest_shortcuts_match_the_registered_shortcuts():
    listed = sorted(s["callback_id"] for s in MANIFEST["features"].get("shortcuts") or [])
    assert listed == sorted(handlers.declared("SHORTCUTS"))


def test_manifest_events_match_the_registered_events():
    listed = sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert listed == sorted(set(handlers.declared("EVENTS")))


def test_manifest_scopes_match_the_oauth_install_scopes():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_every_declared_command_is_answered_through_the_endpoint(signed):
    for command in handlers.declared("COMMANDS"):
        response = signed.command(command, "help")
        assert response.status_code == 200, command
        assert response.content, f"{command} was not handled"


def test_interactivity_and_events_point_at_the_one_endpoint():
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    for command in MANIFEST["features"]["slash_commands"]:
        assert command["url"].endswith("/slack/events")
