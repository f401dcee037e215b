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


# Which bot scope each Web API method and event needs (Slack's method and event reference pages).
SCOPES_FOR_METHOD = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.getPermalink": set(),
    "chat.unfurl": {"links:write"},
    "conversations.open": {"im:write"},
    "conversations.members": {"channels:read", "groups:read"},
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "conversations.replies": {"channels:history", "groups:history", "im:history"},
    "files.upload": {"files:write"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "users.info": {"users:read"},
    "users.lookupByEmail": {"users:read.email"},
    "usergroups.list": {"usergroups:read"},
    "usergroups.users.list": {"usergroups:read"},
    "views.open": set(),
    "views.update": set(),
    "views.push": set(),
    "views.publish": set(),
    "auth.test": set(),
}
SCOPES_FOR_EVENT = {
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "message.im": {"im:history"},
    "reaction_added": {"reactions:read"},
    "link_shared": {"links:read"},
}
# Not tied to one method: slash commands and shortcuts, and posting where the bot was not invited.
ALWAYS = {"commands", "chat:write.public"}
CODE = [Path(__file__).resolve().parent.parent / d for d in ("bot", "handlers", "rituals", "reports")]
NOT_CALLERS = {"offline_slack.py", "demo.py"}  # the offline Web API stand-in implements methods, it does not call Slack


def _methods_called() -> set[str]:
    import re

    found: set[str] = set()
    snake = re.compile(r"client\.((?:chat|conversations|files|users|usergroups|views|reactions|auth)_[A-Za-z_0-9]+)\(")
    dotted = re.compile(r"\"((?:chat|conversations|files|users|usergroups|views|reactions)\.[A-Za-z.]+)\"")
    for root in CODE:
        for path in root.rglob("*.py"):
            if path.name in NOT_CALLERS:
                continue
            source = path.read_text()
            found |= {m.replace("_v2", "").replace("_", ".") for m in snake.findall(source)}
            found |= set(dotted.findall(source))
    return found


def test_requested_scopes_are_exactly_the_ones_the_code_needs():
    methods = _methods_called()
    unknown = methods - SCOPES_FOR_METHOD.keys()
    assert not unknown, f"add the scopes these methods need to SCOPES_FOR_METHOD: {sorted(unknown)}"
    needed = set(ALWAYS)
    for method in methods:
        needed |= SCOPES_FOR_METHOD[method]
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        needed |= SCOPES_FOR_EVENT[event]
    assert sorted(BOT_SCOPES) == sorted(needed)


def test_link_shared_comes_with_unfurl_domains_as_the_manifest_schema_places_them():
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    domains = MANIFEST["features"].get("unfurl_domains") or []
    assert ("link_shared" in events) == bool(domains)
    assert len(domains) <= 5 and all("/" not in d and ":" not in d for d in domains)  # hosts, not URLs


def test_every_requested_scope_is_explained_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("### Scopes", 1)[1].split("\n## ", 1)[0]
    for scope in BOT_SCOPES:
        assert f"`{scope}`" in table, scope
