"""Multi-workspace (OAuth) mode: tokens encrypted at rest with a rotate-able key, installations found
for Grid and org-wide installs, no silent retries for a workspace without one, the app's uninstall and
token revocation (jobs stop, tokens go, history stays), and rotating bot tokens refreshed before use."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from slack_sdk.web import WebClient
from sqlalchemy import select, text

from bot import outbox
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.installations import EncryptedInstallationStore, TokenCipher
from bot.models import OutboxMessage
from bot.slack_client import SlackClients
from bot.wiring import build_runtime
from handlers import CAPABILITIES
from reports.digest.models import DigestChannel
from tests.oauth.conftest import oauth_settings
from tests.slack import shapes

KEY_OLD, KEY_NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
USER_TOKEN = "xoxp-user-secret-1234"
INSTALLER = "U0INSTALLER"


@pytest.fixture
def settings(database_url, slack) -> Settings:
    return oauth_settings(database_url, slack, KEY_OLD)  # the key test_* rotates away from


def _install(store, slack, *, team_id="T0001", enterprise_id=None, org=False, bot_token=None, **extra):
    store.save(
        Installation(
            app_id="A0001",
            enterprise_id=enterprise_id,
            team_id=None if org else team_id,
            is_enterprise_install=org,
            user_id=INSTALLER,  # not the requests' user: Bolt then leaves the user token alone
            user_token=USER_TOKEN,
            bot_token=bot_token or slack.token,
            bot_id="B0001",
            bot_user_id="UBOT",
            bot_scopes=["chat:write", "commands"],
            **extra,
        )
    )


def _raw_tokens(database) -> list[str]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT bot_token, user_token FROM slack_installations")).all()
        rows += conn.execute(text("SELECT bot_token, NULL FROM slack_bots")).all()
    return [value for row in rows for value in row if value]


def _post(runtime, team_id: str, text: str = "hello") -> int:
    with runtime.database.session() as s:
        return outbox.post(s, channel="C0001", text=text, now=runtime.clock.now(), team_id=team_id).id


def _row(database, row_id: int) -> OutboxMessage:
    with database.session() as s:
        row = s.get(OutboxMessage, row_id)
        assert row is not None
        return row


# -- encryption at rest ----------------------------------------------------------------------------------


def test_tokens_are_encrypted_at_rest_and_read_back_in_the_clear(store, slack, database):
    _install(store, slack)
    raw = _raw_tokens(database)
    assert raw and all(value.startswith("fernet:") for value in raw)
    assert not any(slack.token in value or USER_TOKEN in value for value in raw)
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == slack.token
    assert store.find_installation(enterprise_id=None, team_id="T0001").user_token == USER_TOKEN


def test_a_new_key_still_reads_rows_of_the_old_one_and_reencrypt_moves_them_to_it(store, slack, database):
    _install(store, slack)
    rotated = EncryptedInstallationStore("111.222", database.engine, TokenCipher([KEY_NEW, KEY_OLD]))
    assert rotated.find_bot(enterprise_id=None, team_id="T0001").bot_token == slack.token
    assert rotated.reencrypt() == 2  # the installation row and the bot row
    assert rotated.reencrypt() == 0
    new_only = EncryptedInstallationStore("111.222", database.engine, TokenCipher([KEY_NEW]))
    assert new_only.find_installation(enterprise_id=None, team_id="T0001").user_token == USER_TOKEN
    assert not any(slack.token in value for value in _raw_tokens(database))


def test_tokens_saved_before_encryption_still_read_and_get_encrypted(store, slack, database):
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO slack_bots (client_id, app_id, team_id, bot_token, bot_id, bot_user_id, "
                "is_enterprise_install, installed_at) VALUES ('111.222', 'A0001', 'T0LEGACY', :t, 'B1', 'U1', "
                ":f, CURRENT_TIMESTAMP)"
            ),
            {"t": slack.token, "f": False},
        )
    assert store.find_bot(enterprise_id=None, team_id="T0LEGACY").bot_token == slack.token
    assert store.reencrypt() == 1
    assert all(value.startswith("fernet:") for value in _raw_tokens(database))


def test_a_row_under_a_key_no_longer_configured_is_a_clear_error(store, slack, database):
    _install(store, slack)
    stranger = EncryptedInstallationStore("111.222", database.engine, TokenCipher([KEY_NEW]))
    with pytest.raises(ConfigError, match="RITUALBOT_ENCRYPTION_KEY"):
        stranger.find_bot(enterprise_id=None, team_id="T0001")


def test_oauth_mode_refuses_to_store_tokens_without_an_encryption_key(settings, database):
    no_key = Settings(**{**settings.__dict__, "encryption_keys": ()})
    with pytest.raises(ConfigError, match="RITUALBOT_ENCRYPTION_KEY is required"):
        build_runtime(no_key, database=database)


def test_a_malformed_encryption_key_is_named_without_echoing_it():
    with pytest.raises(ConfigError) as error:
        load_settings({"RITUALBOT_ENCRYPTION_KEY": f"{KEY_NEW},not-a-key-secret"})
    assert "key 2 is not a Fernet key" in str(error.value) and "not-a-key-secret" not in str(error.value)
    assert load_settings({"RITUALBOT_ENCRYPTION_KEY": f" {KEY_NEW} , {KEY_OLD}"}).encryption_keys == (KEY_NEW, KEY_OLD)


# -- requests and the outbox find the installation ---------------------------------------------------------


def test_a_command_in_oauth_mode_is_authorized_from_the_encrypted_store(store, slack, signed):
    _install(store, slack)
    response = signed.command("/ritual", "help")
    assert response.status_code == 200 and "/ritual" in response.json()["text"]
    assert slack.calls_to("auth.test")[-1].token == slack.token


def test_grid_workspace_install_is_found_for_the_outbox_without_an_enterprise_id(runtime, store, slack, deliver):
    _install(store, slack, enterprise_id=shapes.ORG)
    row_id = _post(runtime, "T0001", "grid workspace")
    assert deliver().sent == 1
    assert _row(runtime.database, row_id).status == "sent"


def test_org_wide_install_is_found_for_the_outbox_by_its_organization(runtime, store, slack, deliver):
    _install(store, slack, enterprise_id=shapes.ORG, org=True)
    _post(runtime, shapes.ORG, "org wide")
    assert deliver().sent == 1
    assert [p["text"] for p in slack.posted("C0001")] == ["org wide"]
    assert runtime.clients.for_team("T0001", enterprise_id=shapes.ORG) is not None  # a workspace of the org


def test_outbox_for_a_workspace_without_installation_says_why_and_goes_out_once_installed(
    runtime, store, slack, clock, deliver, caplog
):
    """Not retried silently: the row says why it waits, the log names the workspace, and the message
    goes out once the app is installed there (the sender's token pause, bot/pauses.py)."""
    row_id = _post(runtime, "T0NONE")
    assert deliver().sent == 0
    row = _row(runtime.database, row_id)
    assert row.status == "pending"
    assert "no installation of the app for workspace T0NONE" in (row.last_error or "")
    assert any("T0NONE" in r.getMessage() and r.levelname in ("WARNING", "ERROR") for r in caplog.records)
    assert not slack.calls_to("chat.postMessage", ok_only=False)
    _install(store, slack, team_id="T0NONE")
    clock.advance(minutes=1)
    deliver()
    assert _row(runtime.database, row_id).status == "sent"


# -- uninstall and revocation ----------------------------------------------------------------------------


def _jobs_of(runtime, team_id: str) -> list[str]:
    with runtime.database.session() as s:
        return [j.id for j in CAPABILITIES.desired_jobs(s) if j.team_id == team_id]


def test_app_uninstalled_stops_jobs_deletes_tokens_and_keeps_history(runtime, store, slack, signed):
    _install(store, slack)
    assert signed.command("/ritual", "digest on 09:00 Europe/Berlin").status_code == 200
    assert _jobs_of(runtime, "T0001") == ["digest:T0001:C0001"]
    response = signed.post(shapes.lifecycle_event({"type": "app_uninstalled"}), "application/json")
    assert response.status_code == 200
    assert _jobs_of(runtime, "T0001") == []
    assert store.find_bot(enterprise_id=None, team_id="T0001") is None
    assert _raw_tokens(runtime.database) == []
    with runtime.database.session() as s:
        assert [c.channel_id for c in s.scalars(select(DigestChannel))] == ["C0001"], "history is kept"
    _install(store, slack)  # installed again through OAuth
    assert _jobs_of(runtime, "T0001") == ["digest:T0001:C0001"]


def test_org_wide_uninstall_names_only_the_organization_and_still_stops_its_jobs(runtime, store, slack, signed):
    _install(store, slack, enterprise_id=shapes.ORG, org=True)
    form = shapes.org_command_form("/ritual", "digest on 09:00 UTC", user="U0001")
    from urllib.parse import urlencode

    assert signed.post(urlencode(form), "application/x-www-form-urlencoded").status_code == 200
    assert _jobs_of(runtime, shapes.ORG) == [f"digest:{shapes.ORG}:C0001"]
    event = shapes.lifecycle_event({"type": "app_uninstalled"}, team_id=None, enterprise_id=shapes.ORG)
    assert signed.post(event, "application/json").status_code == 200
    assert _jobs_of(runtime, shapes.ORG) == []
    assert store.find_bot(enterprise_id=shapes.ORG, team_id=None, is_enterprise_install=True) is None


def test_revoked_user_tokens_keep_the_bot_and_its_jobs(runtime, store, slack, signed):
    _install(store, slack)
    assert signed.command("/ritual", "digest on 09:00 UTC").status_code == 200
    event = {"type": "tokens_revoked", "tokens": {"oauth": [INSTALLER], "bot": []}}
    assert signed.post(shapes.lifecycle_event(event), "application/json").status_code == 200
    assert store.find_installation(enterprise_id=None, team_id="T0001", user_id=INSTALLER) is None
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == slack.token
    assert _jobs_of(runtime, "T0001") == ["digest:T0001:C0001"]


def test_revoked_bot_token_stops_the_jobs_like_an_uninstall(runtime, store, slack, signed):
    _install(store, slack)
    assert signed.command("/ritual", "digest on 09:00 UTC").status_code == 200
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert signed.post(shapes.lifecycle_event(event), "application/json").status_code == 200
    assert store.find_bot(enterprise_id=None, team_id="T0001") is None
    assert _jobs_of(runtime, "T0001") == []


def test_every_scheduled_job_names_its_workspace(runtime, store, slack, signed):
    """Jobs can only be stopped per workspace if each says which one it runs for."""
    _install(store, slack)
    assert signed.command("/ritual", "digest on 09:00 UTC").status_code == 200
    assert signed.command("/standup", "setup").status_code == 200
    from tests.standup.helpers import setup_values

    view = slack.view("standup.setup")
    signed.view_submission("standup.setup", setup_values(["U0001"]), private_metadata=view["private_metadata"])
    with runtime.database.session() as s:
        desired = CAPABILITIES.desired_jobs(s)
    assert {j.job.split(".")[0] for j in desired} >= {"digest", "standup"}
    assert [j.id for j in desired if j.team_id != "T0001"] == []


# -- token rotation --------------------------------------------------------------------------------------


@pytest.fixture
def oauth_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Slack's oauth.v2.access for refresh_token grants: answers with a new rotating bot token."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            from urllib.parse import parse_qs

            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            seen.append({k: v[0] for k, v in parse_qs(raw).items()})
            body = json.dumps(
                {
                    "ok": True,
                    "access_token": "xoxe.xoxb-1-rotated-bot-token",
                    "refresh_token": "xoxe-1-new-refresh-token",
                    "token_type": "bot",
                    "expires_in": 43200,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/", seen
    server.shutdown()
    server.server_close()


def test_an_expiring_bot_token_is_rotated_before_use_and_stored_encrypted(
    settings, store, slack, database, clock, oauth_server
):
    url, seen = oauth_server
    _install(
        store,
        slack,
        bot_token="xoxe.xoxb-1-old-bot-token",
        bot_refresh_token="xoxe-1-old-refresh-token",
        bot_token_expires_at=int(time.time()) + 600,  # within the 120 minutes before expiry
    )
    rotator = TokenRotator(client_id="111.222", client_secret="client-secret", client=WebClient(base_url=url))
    clients = SlackClients(settings, store, rotator=rotator)
    slack.token = "xoxe.xoxb-1-rotated-bot-token"  # Slack accepts only the new token from now on
    runtime = build_runtime(settings, clock=clock, database=database, clients=clients)
    _post(runtime, "T0001", "after rotation")
    assert runtime.sender.deliver_due().sent == 1
    assert seen and seen[0]["grant_type"] == "refresh_token" and seen[0]["refresh_token"] == "xoxe-1-old-refresh-token"
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == "xoxe.xoxb-1-rotated-bot-token"
    assert not any("rotated-bot-token" in value or "refresh-token" in value for value in _raw_tokens(database))


def test_a_token_error_looks_the_installation_up_again_once_before_failing(runtime, store, slack, clock, deliver):
    """A cached client whose token was replaced (reinstall, rotation elsewhere) is not the end of the
    queued messages: the sender forgets it and tries once more with the stored token."""
    _install(store, slack)
    _post(runtime, "T0001", "first")
    assert deliver().sent == 1  # the client for T0001 is now cached
    slack.token = "xoxb-reinstalled"
    _install(store, slack)  # the reinstall stores the new token
    row_id = _post(runtime, "T0001", "second")
    assert deliver().sent == 0
    assert _row(runtime.database, row_id).status == "pending"
    clock.advance(seconds=2)
    assert deliver().sent == 1
    assert [c.error for c in slack.calls_to("chat.postMessage", ok_only=False)] == [None, "invalid_auth", None]
