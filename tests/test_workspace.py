"""The workspace a request belongs to is the installation's (Bolt's context), never the user's home team:
a Slack Connect or Enterprise Grid user files data where `/pi status` and `/ritual status` in the same
channel find it, and org-wide installs (no team in the authorization) work instead of raising."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import select

from handlers.auth import workspace
from rituals.pi.models import ProgramIncrement
from rituals.standup.models import Standup
from tests.pi.driver import new_pi_values
from tests.slack import shapes
from tests.standup.helpers import Simulation, setup_values, utc

KAZ = "W0KAZ"  # a user of the other organization in a Slack Connect channel
GRID_USER = "W0GRID"  # a Grid user whose home workspace is not the channel's


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    yield
    unhandled = [r.getMessage() for r in caplog.records if r.getMessage().startswith("unhandled error")]
    assert not unhandled, unhandled[:3]


@pytest.fixture
def strangers(slack):
    slack.add_user(KAZ, "kaz", tz="Asia/Tokyo")
    slack.add_user(GRID_USER, "grid", tz="Europe/Paris")
    slack.members["C0001"] += [KAZ, GRID_USER]


def _form(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _submit(signed, payload: dict):
    response = signed.post(_form(payload), "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


def _status_text(response) -> str:
    body = response.json()
    return body["text"] + json.dumps(body.get("blocks") or [])


# -- the helper, on the contexts Bolt builds from Slack's payloads ---------------------------------------


def _context(payload: dict, *, form: bool = True):
    body = f"payload={quote(json.dumps(payload))}" if form else json.dumps(payload)
    headers = None if form else {"content-type": ["application/json"]}
    return BoltRequest(body=body, headers=headers).context


def test_connect_modal_is_filed_under_the_installed_workspace_not_the_other_side():
    context = _context(shapes.connect_view_submission("x", {}, user=KAZ))
    assert workspace(context).id == shapes.INSTALLED_TEAM


def test_connect_button_is_filed_under_the_installed_workspace():
    context = _context(shapes.connect_block_actions("x", "1", user=KAZ))
    assert workspace(context).id == shapes.INSTALLED_TEAM


def test_grid_workspace_install_keeps_the_workspace_and_knows_the_org():
    ws = workspace(_context(shapes.grid_view_submission("x", {}, user=GRID_USER)))
    assert (ws.id, ws.team_id, ws.enterprise_id, ws.is_enterprise_install) == (
        shapes.INSTALLED_TEAM,
        shapes.INSTALLED_TEAM,
        shapes.ORG,
        False,
    )


def test_org_wide_install_files_everything_under_the_organization():
    """Events carry no team (authorizations[0].team_id is null), buttons have `team: null`, modals name the
    user's team: only the organization is the same on every request of an org-wide install."""
    event = _context(json.loads(shapes.org_event({"type": "app_home_opened", "user": "W1", "tab": "home"})), form=False)
    button = _context(shapes.org_block_actions("x", "1", user="W1"))
    modal = _context(shapes.org_view_submission("x", {}, user="W1"))
    assert {workspace(c).id for c in (event, button, modal)} == {shapes.ORG}
    assert all(workspace(c).is_enterprise_install for c in (event, button, modal))


# -- through the endpoint --------------------------------------------------------------------------------


def test_pi_created_by_a_slack_connect_user_is_found_by_pi_status_in_the_same_channel(signed, slack, strangers):
    assert signed.command("/pi", "new", user=KAZ).status_code == 200
    view = slack.calls_to("views.open")[-1].params["view"]
    payload = shapes.connect_view_submission(
        view["callback_id"],
        new_pi_values("PI Connect", "2026-11-23", "2027-02-12"),
        user=KAZ,
        private_metadata=view["private_metadata"],
        blocks=view["blocks"],
    )
    assert _submit(signed, payload) == {}
    status = signed.command("/pi", "status")
    assert "PI Connect" in _status_text(status), status.text


def test_standup_set_up_by_a_grid_user_from_another_workspace_shows_in_ritual_status(
    signed, slack, strangers, database
):
    assert signed.command("/standup", "setup", user=GRID_USER).status_code == 200
    view = slack.view("standup.setup")
    payload = shapes.grid_view_submission(
        "standup.setup",
        setup_values(["U0001", GRID_USER], name="Grid daily"),
        user=GRID_USER,
        private_metadata=view["private_metadata"],
    )
    assert _submit(signed, payload) == {}
    with database.session() as s:
        assert [row.team_id for row in s.scalars(select(Standup))] == [shapes.INSTALLED_TEAM]
    assert "Grid daily" in _status_text(signed.command("/ritual", "status"))


def test_org_wide_install_app_home_and_ticket_reaction_answer_instead_of_raising(signed, slack):
    home = shapes.org_event({"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home"})
    assert signed.post(home, "application/json").status_code == 200
    assert slack.calls_to("views.publish"), "App Home was not published"
    reaction = shapes.org_event(
        {
            "type": "reaction_added",
            "user": "U0001",
            "reaction": "ticket",
            "item": {"type": "message", "channel": "C0001", "ts": "1800000000.000009"},
            "item_user": "U0002",
            "event_ts": "1800000001.000001",
        }
    )
    assert signed.post(reaction, "application/json").status_code == 200


def test_org_wide_install_pi_is_found_from_another_workspace_of_the_org_and_in_app_home(
    signed, slack, database, deliver
):
    form = shapes.org_command_form("/pi", "new", user="U0001", response_url=slack.response_url())
    assert signed.post(urlencode(form), "application/x-www-form-urlencoded").status_code == 200
    view = slack.calls_to("views.open")[-1].params["view"]
    payload = shapes.org_view_submission(
        view["callback_id"],
        new_pi_values("PI Org", "2026-11-23", "2027-02-12"),
        user="U0001",
        private_metadata=view["private_metadata"],
    )
    assert _submit(signed, payload) == {}
    with database.session() as s:
        assert [pi.team_id for pi in s.scalars(select(ProgramIncrement))] == [shapes.ORG]
    other_workspace = {**shapes.org_command_form("/pi", "status", user="U0002"), "team_id": "T0SECOND"}
    status = signed.post(urlencode(other_workspace), "application/x-www-form-urlencoded")
    assert "PI Org" in _status_text(status), status.text
    home = shapes.org_event({"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home"})
    assert signed.post(home, "application/json").status_code == 200
    assert "PI Org" in json.dumps(slack.calls_to("views.publish")[-1].params["view"])


# -- the app's lifecycle with a single bot token ---------------------------------------------------------


def _digest_jobs(database) -> list[str]:
    from handlers import CAPABILITIES

    with database.session() as s:
        return [j.id for j in CAPABILITIES.desired_jobs(s) if j.job.startswith("digest.")]


def test_single_workspace_uninstall_stops_jobs_until_the_app_is_back(signed, database):
    assert signed.command("/ritual", "digest on 09:00 UTC").status_code == 200
    assert _digest_jobs(database) == ["digest:T0001:C0001"]
    uninstalled = shapes.lifecycle_event({"type": "app_uninstalled"})
    assert signed.post(uninstalled, "application/json").status_code == 200
    assert _digest_jobs(database) == []
    # reinstalled (a new SLACK_BOT_TOKEN): the first request from the workspace shows the app is back
    assert signed.command("/ritual", "status").status_code == 200
    assert _digest_jobs(database) == ["digest:T0001:C0001"]


def test_a_slack_connect_participant_opens_the_standup_answer_from_the_dm_button(
    signed, slack, strangers, runtime, clock
):
    """The installed workspace's standup asks KAZ from the other organization; the button press names
    KAZ's team (`user.team_id`), the entry belongs to the installed workspace."""
    sim = Simulation(runtime, clock, utc(22, 12))
    assert signed.command("/standup", "setup").status_code == 200
    view = slack.view("standup.setup")
    values = setup_values([KAZ], tz="Asia/Tokyo", reminder="0")
    assert signed.view_submission("standup.setup", values, private_metadata=view["private_metadata"]).status_code == 200
    sim.run_until(utc(23, 1))  # 10:00 in Tokyo
    ask = [p for p in slack.posted(KAZ) if "thread_ts" not in p][-1]
    entry = ask["blocks"][1]["elements"][0]["value"]
    opened = len(slack.calls_to("views.open"))
    button = shapes.connect_block_actions(
        "standup.open_answer", entry, user=KAZ, channel=f"D{KAZ}", response_url=slack.response_url()
    )
    assert signed.post(_form(button), "application/x-www-form-urlencoded").status_code == 200
    assert len(slack.calls_to("views.open")) == opened + 1, slack.responses()
    assert slack.calls_to("views.open")[-1].params["view"]["callback_id"] == "standup.answer"
