"""Token rotation on the request path (OAuth mode): a request arriving while the stored bot token has
expired refreshes it through the double's oauth.v2.access (grant_type=refresh_token, the app's client id
and secret as Basic auth), stores the new token encrypted, and answers with it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.oauth.conftest import OLD_REFRESH, OLD_TOKEN, install_rotating


def _install_expired(store) -> None:
    install_rotating(store, expires_at=int(time.time()) - 60, token=OLD_TOKEN)  # expired a minute ago


def _raw(database) -> list[str]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT bot_token, bot_refresh_token FROM slack_installations")).all()
        rows += conn.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots")).all()
    return [value for row in rows for value in row if value]


def test_a_request_with_an_expired_bot_token_refreshes_it_stores_it_encrypted_and_answers_with_it(
    store, slack, signed, database
):
    _install_expired(store)
    slack.rotate_tokens(OLD_REFRESH)
    response = signed.command("/standup", "setup")
    assert response.status_code == 200
    (refresh,) = slack.calls_to("oauth.v2.access")
    assert refresh.params == {"grant_type": "refresh_token", "refresh_token": OLD_REFRESH}
    (new_token,) = slack.rotation.issued
    assert slack.calls_to("auth.test")[0].token == new_token, "authorized with the refreshed token"
    opened = slack.calls_to("views.open")
    assert opened and {c.token for c in opened} == {new_token}, "the answer used the refreshed token"
    assert not slack.calls_to("views.open", ok_only=False)[0].error
    found = store.find_installation(enterprise_id=None, team_id="T0001")
    assert found.bot_token == new_token and found.bot_refresh_token != OLD_REFRESH
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == new_token
    raw = _raw(database)
    assert raw and all(v.startswith("fernet:") for v in raw), "stored encrypted"
    assert not any("xoxe" in v for v in raw)
    signed.command("/standup", "setup")
    assert len(slack.calls_to("oauth.v2.access")) == 1, "a fresh token is not refreshed again"
    assert len(slack.calls_to("auth.test")) == 1, "authorized once per token, not by a Slack call before each answer"


def test_the_double_refuses_a_refresh_with_wrong_credentials_or_a_spent_refresh_token(slack):
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web import WebClient

    slack.rotate_tokens(OLD_REFRESH)
    client = WebClient(base_url=slack.base_url)
    with pytest.raises(SlackApiError, match="bad_client_secret"):
        client.oauth_v2_access(
            client_id="111.222", client_secret="wrong", grant_type="refresh_token", refresh_token=OLD_REFRESH
        )
    ok = client.oauth_v2_access(
        client_id="111.222", client_secret="client-secret", grant_type="refresh_token", refresh_token=OLD_REFRESH
    )
    assert ok["token_type"] == "bot" and ok["expires_in"] == 43200 and ok["access_token"] == slack.token
    with pytest.raises(SlackApiError, match="invalid_refresh_token"):
        client.oauth_v2_access(
            client_id="111.222", client_secret="client-secret", grant_type="refresh_token", refresh_token=OLD_REFRESH
        )
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(base_url=slack.base_url, token="xoxe.xoxb-expired").auth_test()
