"""Issue 16 follow-up: the PI domain loaders take the workspace themselves. An id from another
workspace reads exactly like one that does not exist, and every operation that names an object by id
changes nothing when called with another team's id (the listeners' guard is not the only wall)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.errors import UserError
from rituals.pi import checkins, closing, met, service, votes
from rituals.pi.models import Ballot, CheckIn, ConfidenceVote, Objective, ProgramIncrement, Risk
from tests.pi.driver import ADA, GRACE
from tests.pi.test_access import settings, start  # noqa: F401 — the admin-aware settings and the PI set-up

HOME, OTHER = "T0001", "T0002"
PI_GONE = "That PI no longer exists."
OBJECTIVE_GONE = "That objective was dropped or no longer exists."
RISK_GONE = "That risk no longer exists."
VOTE_GONE = "That vote no longer exists."


def refused(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(UserError) as raised:
        call()
    assert raised.value.message == message


def test_each_loader_reads_another_workspaces_object_as_missing(pi, database):
    start(pi)
    pi.command("vote")
    with database.session() as s:
        refused(lambda: service.load_pi(s, 1, team_id=OTHER), PI_GONE)
        refused(lambda: service.load_objective(s, 1, team_id=OTHER), OBJECTIVE_GONE)
        refused(lambda: service.load_risk(s, 1, team_id=OTHER), RISK_GONE)
        refused(lambda: votes.load_vote(s, 1, team_id=OTHER), VOTE_GONE)
        # the same ids in their own workspace load
        assert service.load_pi(s, 1, team_id=HOME).name == "PI 2026.4"
        assert service.load_objective(s, 1, team_id=HOME).title == "Churn model v2"
        assert service.load_risk(s, 1, team_id=HOME).roam == "owned"
        assert votes.load_vote(s, 1, team_id=HOME).is_open
        # an id that exists nowhere reads the same as another workspace's
        refused(lambda: service.load_pi(s, 99, team_id=HOME), PI_GONE)
        refused(lambda: service.load_objective(s, 99, team_id=HOME), OBJECTIVE_GONE)


def test_operations_by_id_from_another_workspace_change_nothing(pi, database, clock):
    start(pi)
    pi.command("vote")
    now = clock.now()
    with database.session() as s:
        refused(lambda: service.set_roam(s, 1, "resolved", team_id=OTHER, now=now), RISK_GONE)
        refused(lambda: service.drop_objective(s, 1, team_id=OTHER, actor=ADA, now=now), OBJECTIVE_GONE)
        refused(
            lambda: checkins.record(
                s, 1, team_id=OTHER, user=GRACE, status="on_track", progress="50", note="", now=now
            ),
            OBJECTIVE_GONE,
        )
        refused(lambda: votes.cast(s, 1, team_id=OTHER, user=GRACE, score=5, now=now), VOTE_GONE)
        refused(lambda: votes.close(s, 1, team_id=OTHER, actor=ADA, is_admin=lambda: True, now=now), VOTE_GONE)
        refused(lambda: met.mark_done(s, 1, team_id=OTHER, user=GRACE, now=now), OBJECTIVE_GONE)
        pi_row = s.get(ProgramIncrement, 1)
        assert pi_row is not None
        pi_row.state = "closing"
        s.flush()
        refused(lambda: closing.enter_actual(s, 1, team_id=OTHER, user=GRACE, value="7", now=now), OBJECTIVE_GONE)
        s.rollback()
    with database.session() as s:
        assert s.get(Risk, 1).roam == "owned"
        objective = s.get(Objective, 1)
        assert not objective.dropped and objective.actual_bv is None and objective.progress == 0
        assert s.scalar(select(func.count()).select_from(CheckIn)) == 0
        assert s.scalar(select(func.count()).select_from(Ballot)) == 0
        assert s.get(ConfidenceVote, 1).is_open
        assert s.get(ProgramIncrement, 1).state == "active"
