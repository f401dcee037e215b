"""App Home through the real endpoint: a member's own page with buttons that act, a lead's team spend,
an outsider's how-to-start page; built from stored data only (no Slack call but views.publish)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from bot import jobs
from bot.blocks import blocks_to_text
from bot.config import Settings
from reports.spend import store
from reports.spend.config import load
from rituals.standup.models import Standup, StandupBlocker
from tests.standup.helpers import set_up

SAMPLE = "reports/spend/data/focus-sample"
SPEND = {"source": "focus", "focus": {"path": SAMPLE}, "budgets": {"ml-research": 5000, "web": 3000}}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, file={**settings.file, "spend": SPEND})


def _home(signed, slack, user: str) -> dict:
    before = len(slack.calls)
    assert signed.event({"type": "app_home_opened", "user": user, "tab": "home"}).status_code == 200
    made = [c.method for c in slack.calls[before:]]
    assert made == ["views.publish"], made  # built from stored data: no other Slack call, no source
    return slack.calls_to("views.publish")[-1].params["view"]


@pytest.fixture
def team(signed, slack, runtime, database, clock):
    """U0001 set up the standup (a lead) for U0001 and U0002; U0002 is asked today and has a blocker."""
    set_up(signed, slack, ["U0001", "U0002"])
    with database.session() as s:
        standup = s.scalars(select(Standup)).one()
        s.add(
            StandupBlocker(
                standup_id=standup.id,
                user_id="U0002",
                text="Waiting for GPU quota & the VPN",
                raised_on=date(2026, 11, 20),
                raised_at=clock.now(),
            )
        )
        standup_id = standup.id
    clock.set(clock.now().replace(hour=17, minute=30))  # 09:30 in Los Angeles: U0002 was asked at 09:00
    assert jobs.run("standup.ask", f"{standup_id}:U0002", rt=runtime).ran
    config = load(runtime.settings)
    with database.session() as s:
        store.sync(s, store.build_source(config), config, clock.now())
    return standup_id


def test_a_member_sees_their_standup_and_blocker_with_buttons_that_act(signed, slack, team):
    view = _home(signed, slack, "U0002")
    text = blocks_to_text(view["blocks"])
    assert "*My standup today* · *Daily* in <#C0001> — asked, not answered yet" in text
    assert "*My blocker* since Fri 20 Nov: Waiting for GPU quota &amp; the VPN" in text
    buttons = {b["accessory"]["action_id"]: b["accessory"]["value"] for b in view["blocks"] if b.get("accessory")}
    assert set(buttons) == {"standup.open_answer", "standup.clear_blocker"}
    assert buttons["standup.clear_blocker"].endswith(":2026-11-20")
    assert "Team spend vs budget" not in text  # money is for leads
    assert len(view["blocks"]) <= 100

    opened = signed.action("standup.open_answer", buttons["standup.open_answer"], user="U0002")
    assert opened.status_code == 200
    assert slack.calls_to("views.open")[-1].params["view"]["callback_id"] == "standup.answer"


def test_a_lead_also_sees_the_teams_spend_against_budget(signed, slack, team):
    text = blocks_to_text(_home(signed, slack, "U0001")["blocks"])
    assert "*Team spend vs budget* (month to date)" in text
    assert "• *ml-research* $" in text and " of $5,000.00" in text
    assert "Rituals and reports in this workspace" in text


def test_an_outsider_gets_a_page_that_says_how_to_start(signed, slack, team):
    text = blocks_to_text(_home(signed, slack, "U0003")["blocks"])
    assert "Nothing of yours here yet" in text and "/standup" in text
    assert "Team spend" not in text and "My standup" not in text
