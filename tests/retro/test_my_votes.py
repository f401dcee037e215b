"""Issue 21: "see my votes" shows a voter their own dots (and what is left), to them only, while voting."""

from __future__ import annotations

from tests.retro.driver import buttons
from tests.retro.seed import seed


def test_a_voter_sees_only_their_own_votes(retro, slack, database, clock, deliver):
    seed(database, clock, deliver, "vote")  # U0002 put one dot on the anonymous "Flaky evals"
    ballot = next(p for p in retro.thread(1) if p["text"].startswith("Voting is open"))
    [mine] = buttons(ballot["blocks"], "retro.my_votes")
    retro.press("retro.my_votes", mine["value"], user="U0002")
    assert retro.ephemeral() == "Your votes (only you see this):\n• Flaky evals — 1\n2 votes left."
    retro.press("retro.my_votes", mine["value"], user="U0003")
    assert retro.ephemeral() == "You have not voted yet (only you see this): 3 votes to place."
    retro.press("retro.my_votes", mine["value"], user="U0009")
    assert "Only members of <#C0001>" in retro.ephemeral(), "outsiders learn nothing"
