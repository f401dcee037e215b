"""Tokens are refreshed ahead of time by a job (every 30 minutes, one process through the job claim), so a
request never refreshes on its path: the job's window (`AHEAD_MINUTES`) is wider than the request path's."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy import text

from bot import jobs, scheduler, token_refresh
from bot.clock import FrozenClock
from tests.oauth.conftest import OLD_REFRESH, OLD_TOKEN, install_rotating


@pytest.fixture
def clock() -> FrozenClock:
    # Slack's tokens and Bolt's request-path check live on the wall clock: the test's clock starts there.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def _install(store, clock, *, team_id="T0001", expires_in=timedelta(minutes=150), refresh=OLD_REFRESH) -> None:
    install_rotating(store, expires_at=int((clock.now() + expires_in).timestamp()), team_id=team_id, refresh=refresh)


def _raw_bot_tokens(database, team_id: str) -> list[str]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT bot_token FROM slack_installations WHERE team_id = :t UNION ALL "
                "SELECT bot_token FROM slack_bots WHERE team_id = :t"
            ),
            {"t": team_id},
        ).all()
    return [row[0] for row in rows]


def test_the_job_refreshes_a_token_expiring_in_150_minutes_and_a_request_then_refreshes_nothing(
    store, slack, signed, runtime, database, clock
):
    _install(store, clock, expires_in=timedelta(minutes=150))
    slack.rotate_tokens(OLD_REFRESH)
    outcome = jobs.run(token_refresh.JOB, rt=runtime)
    assert outcome.ran
    (refresh,) = slack.calls_to("oauth.v2.access")
    assert refresh.params == {"grant_type": "refresh_token", "refresh_token": OLD_REFRESH}
    (new_token,) = slack.rotation.issued
    found = store.find_installation(enterprise_id=None, team_id="T0001")
    assert found.bot_token == new_token and found.bot_refresh_token != OLD_REFRESH
    assert found.bot_token_expires_at > clock.now().timestamp() + 11 * 3600
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == new_token
    raw = _raw_bot_tokens(database, "T0001")
    assert raw and all(v.startswith("fernet:") and store.cipher.decrypt(v) == new_token for v in raw)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(base_url=slack.base_url, token=f"{OLD_TOKEN}-T0001").auth_test()
    assert WebClient(base_url=slack.base_url, token=new_token).auth_test()["ok"]

    response = signed.command("/standup", "setup")
    assert response.status_code == 200
    assert len(slack.calls_to("oauth.v2.access")) == 1, "the request did not refresh on its path"
    opened = slack.calls_to("views.open")
    assert opened and {c.token for c in opened} == {new_token}


def test_a_token_expiring_in_10_hours_is_left_alone(store, slack, runtime, clock):
    _install(store, clock, expires_in=timedelta(hours=10))
    slack.rotate_tokens(OLD_REFRESH)
    assert jobs.run(token_refresh.JOB, rt=runtime).ran
    assert not slack.calls_to("oauth.v2.access", ok_only=False)
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == f"{OLD_TOKEN}-T0001"


def test_a_revoked_refresh_token_is_logged_and_does_not_stop_another_workspace(
    store, slack, runtime, clock, database, caplog
):
    _install(store, clock, team_id="T0001", refresh="xoxe-1-revoked-refresh-token")
    _install(store, clock, team_id="T0002", refresh=OLD_REFRESH)
    slack.rotate_tokens(OLD_REFRESH)
    with caplog.at_level(logging.INFO, logger="bot.token_refresh"):
        assert jobs.run(token_refresh.JOB, rt=runtime).ran
    (new_token,) = slack.rotation.issued
    assert store.find_bot(enterprise_id=None, team_id="T0002").bot_token == new_token
    assert store.find_bot(enterprise_id=None, team_id="T0001").bot_token == f"{OLD_TOKEN}-T0001"
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failed) == 1 and "T0001" in failed[0].getMessage()
    assert "invalid_refresh_token" in failed[0].getMessage() and "reinstall" in failed[0].getMessage()
    logged = caplog.text
    assert "xoxe" not in logged, "no token or refresh token is ever logged"


def test_the_job_runs_every_30_minutes_once_per_half_hour_and_outruns_the_request_path(runtime, clock):
    assert token_refresh.AHEAD_MINUTES > token_refresh.REQUEST_PATH_MINUTES
    assert token_refresh.JOB in scheduler.kernel_jobs()
    trigger = scheduler.KERNEL_JOBS[token_refresh.JOB]
    first = trigger.get_next_fire_time(None, clock.now())
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert second - first == timedelta(minutes=30)
    assert jobs.run(token_refresh.JOB, rt=runtime).ran
    assert not jobs.run(token_refresh.JOB, rt=runtime).ran, "a second process in the same half hour skips"
    clock.set(clock.now() + timedelta(minutes=30))
    assert jobs.run(token_refresh.JOB, rt=runtime).ran


def test_the_request_path_refreshes_only_within_its_smaller_window(app, runtime):
    assert app.oauth_flow is not None
    assert app._authorize.token_rotation_expiration_minutes == token_refresh.REQUEST_PATH_MINUTES
    assert runtime.clients._rotate_minutes == token_refresh.REQUEST_PATH_MINUTES
