"""Issue 23: business value is scored by the PI's business owners (SAFe), set in the PI form. Only they
or an admin enter planned and actual BV; without business owners the objective's owner and the PI's
creator still do. Anyone else is told why, in the form, and nothing changes."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Settings
from rituals.pi.models import Objective, ProgramIncrement
from tests.pi.driver import ADA, GRACE, RAVI, new_pi_values, objective_values, text_input

ADMIN = "U0005"
SCORED_BY = "Business value is scored by this PI's business owners (@U0003)"  # form errors are plain text


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, admins=(ADMIN,))


def start(pi) -> None:
    """Ada plans the PI with Ravi as its business owner; Ravi scores Grace's objective at 8."""
    pi.slack.add_user(ADMIN, "root", tz="UTC")
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12", business_owners=(RAVI,)), ADA)
    pi.command("objective", user=RAVI)
    assert pi.submit(objective_values("Churn model v2", "8", GRACE), RAVI) == {}


def test_the_pi_form_sets_the_business_owners(pi, database):
    start(pi)
    with database.session() as s:
        row = s.get(ProgramIncrement, 1)
        assert row is not None and row.business_owners == RAVI
    assert "Business owners" in str(pi.slack.calls_to("views.open")[0].params["view"]["blocks"])


def test_only_a_business_owner_or_an_admin_sets_planned_bv(pi, database):
    start(pi)
    pi.command("objective")
    refused = pi.submit(objective_values("Feature store backfill", "5", RAVI), ADA)
    assert refused["errors"]["planned_bv"].startswith(SCORED_BY), "the creator no longer scores"
    pi.press("pi.objective_edit", "1", GRACE)
    edit = pi.opened()
    refused = pi.submit(objective_values("Churn model v2", "10", GRACE), GRACE, edit)
    assert refused["errors"]["planned_bv"].startswith(SCORED_BY), "nor the objective's owner"
    assert pi.submit(objective_values("Churn model v2 (renamed)", "8", GRACE), GRACE, edit) == {}, "same BV: fine"
    pi.press("pi.objective_edit", "1", ADMIN)
    assert pi.submit(objective_values("Churn model v2 (renamed)", "9", GRACE), ADMIN) == {}
    with database.session() as s:
        assert [(o.title, o.planned_bv) for o in s.query(Objective).order_by(Objective.id)] == [
            ("Churn model v2 (renamed)", 9)
        ]


def asked_for_actual(pi, user: str) -> bool:
    return any("pi.actual_open" in str(dm.get("blocks")) for dm in pi.dms(user))


def test_only_a_business_owner_or_an_admin_enters_actual_bv(pi, database):
    start(pi)
    pi.command("close")
    assert asked_for_actual(pi, RAVI) and not asked_for_actual(pi, GRACE), "the close asks the business owner"
    for user in (GRACE, ADA):
        pi.press("pi.actual_open", "1", user)
        refused = pi.submit({"actual_bv": text_input("7")}, user)
        assert refused["errors"]["actual_bv"].startswith(SCORED_BY), user
    with database.session() as s:
        assert s.get(Objective, 1).actual_bv is None
    pi.press("pi.actual_open", "1", RAVI)
    assert pi.submit({"actual_bv": text_input("7")}, RAVI) == {}
    with database.session() as s:
        assert s.get(Objective, 1).actual_bv == 7
        assert s.get(ProgramIncrement, 1).state == "closed"


def test_an_admin_enters_actual_bv_for_a_business_owner_who_left(pi, database):
    start(pi)
    pi.command("close")
    pi.press("pi.actual_open", "1", ADMIN)
    assert pi.submit({"actual_bv": text_input("6")}, ADMIN) == {}
    with database.session() as s:
        assert s.get(Objective, 1).actual_bv == 6
