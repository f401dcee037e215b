"""/ritual through the real HTTP endpoint: help, status, digest on/off; signature checks."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bot.models import ProcessedEvent
from reports.digest.models import DigestChannel
from tests.slack.signed import sign


def test_help_lists_every_command_ephemerally(signed):
    started = time.monotonic()
    response = signed.command("/ritual", "help")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    listed = body["blocks"][1]["text"]["text"]
    for usage in ("/ritual help", "/ritual status", "/ritual digest on", "/ritual digest off"):
        assert usage in listed
    assert elapsed < 3, "Slack drops slash-command responses after 3 seconds"


def test_bad_signature_is_rejected_without_side_effects(signed, database, slack):
    body = "command=%2Fritual&text=digest+on&team_id=T0001&channel_id=C0001&user_id=U0001"
    response = signed.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert response.status_code == 401
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(DigestChannel)) == 0
    assert slack.calls == []


def test_stale_timestamp_is_rejected_even_with_valid_signature(signed, database):
    stale = int(time.time()) - 6 * 60
    body = "command=%2Fritual&text=digest+on&team_id=T0001&channel_id=C0001&user_id=U0001"
    response = signed.post(
        body, "application/x-www-form-urlencoded", timestamp=stale, signature=sign(signed.secret, str(stale), body)
    )
    assert response.status_code == 401
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(DigestChannel)) == 0


def test_digest_on_uses_the_callers_timezone_and_shows_in_status(signed, database):
    response = signed.command("/ritual", "digest on 08:30", user="U0003")
    assert response.status_code == 200
    assert "08:30 (Asia/Kolkata)" in response.json()["text"]
    with database.session() as s:
        row = s.scalars(select(DigestChannel)).one()
        assert (row.channel_id, row.local_time, row.timezone, row.enabled) == ("C0001", "08:30", "Asia/Kolkata", True)
    status = signed.command("/ritual", "status").json()
    assert "Daily digest" in status["blocks"][0]["text"]["text"]
    assert "08:30 Asia/Kolkata" in status["blocks"][0]["text"]["text"]


def test_status_of_an_empty_channel_says_how_to_start(signed):
    status = signed.command("/ritual", "status").json()
    assert "Nothing is set up yet" in status["blocks"][0]["text"]["text"]
    assert "/ritual digest on" in status["blocks"][0]["text"]["text"]


def test_bad_digest_time_gets_an_actionable_ephemeral_and_changes_nothing(signed, database):
    body = signed.command("/ritual", "digest on 25:99").json()
    assert body["response_type"] == "ephemeral"
    assert "HH:MM" in body["text"]
    body = signed.command("/ritual", "digest on 09:00 Mars/Olympus").json()
    assert "not a timezone" in body["text"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(DigestChannel)) == 0


def test_unknown_subcommand_points_to_help(signed):
    body = signed.command("/ritual", "dance").json()
    assert body["response_type"] == "ephemeral"
    assert "/ritual help" in body["text"]


def test_digest_off_when_never_on_explains(signed):
    body = signed.command("/ritual", "digest off").json()
    assert "not on in this channel" in body["text"]


def test_app_home_is_published_on_open_and_retried_event_is_processed_once(signed, slack, database):
    signed.command("/ritual", "digest on 09:00 Europe/Berlin")
    event = {
        "type": "app_home_opened",
        "user": "U0001",
        "channel": "D0001",
        "tab": "home",
        "event_ts": "1800000000.000100",
    }
    first = signed.event(event, event_id="Ev0000HOME")
    retry = signed.event(event, event_id="Ev0000HOME", retry_num=1)
    assert (first.status_code, retry.status_code) == (200, 200)
    published = slack.calls_to("views.publish")
    assert len(published) == 1
    assert published[0].params["user_id"] == "U0001"
    text = str(published[0].params["view"]["blocks"])
    assert "Daily digest" in text and "C0001" in text
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_app_home_empty_state_says_how_to_start(signed, slack):
    signed.event({"type": "app_home_opened", "user": "U0002", "channel": "D0002", "tab": "home"})
    view = slack.calls_to("views.publish")[0].params["view"]
    assert "Nothing is set up yet" in str(view["blocks"])
