"""Simultaneous vote clicks (issue 16): the budget holds under concurrency on SQLite and PostgreSQL, and
every refused click hears "you have used your votes", never an apology."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from rituals.retro.models import RetroParticipant, RetroVote
from tests.conftest import SIGNING_SECRET
from tests.retro.seed import seed
from tests.slack.signed import SignedSlack

VOTER = "U0003"  # has not voted yet; 3 votes each


def click_at_once(app_url: str, response_url: str, values: list[str]) -> list[int]:
    clients = [SignedSlack(app_url + "slack/events", SIGNING_SECRET, response_url=response_url) for _ in values]
    start, statuses = threading.Barrier(len(values)), [0] * len(values)

    def click(n: int) -> None:
        start.wait()
        statuses[n] = clients[n].action("retro.vote", values[n], user=VOTER).status_code

    threads = [threading.Thread(target=click, args=(n,)) for n in range(len(values))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    return statuses


def test_ten_simultaneous_clicks_with_a_budget_of_three_store_exactly_three(
    retro, database, clock, deliver, slack, app_url
):
    ids = seed(database, clock, deliver, "vote")
    values = [f"1:{ids['named']}", f"1:{ids['anonymous']}"] * 5
    assert click_at_once(app_url, slack.response_url(), values) == [200] * 10
    with database.session() as s:
        stored = s.scalar(select(func.sum(RetroVote.count)).where(RetroVote.voter_id == VOTER))
        joined = s.scalar(select(func.count()).select_from(RetroParticipant).where(RetroParticipant.user_id == VOTER))
    assert stored == 3 and joined == 1
    answers = [r["text"] for r in slack.responses()]
    assert len(answers) == 10
    counted = sorted(a for a in answers if a.startswith("Vote counted"))
    assert [a.split("You have ")[1] for a in counted] == ["0 votes left.", "1 vote left.", "2 votes left."]
    used = [a for a in answers if a.startswith("You have used all 3 of your votes.")]
    assert len(used) == 7, answers
    assert not any("error id" in a.lower() or "sorry" in a.lower() for a in answers)
