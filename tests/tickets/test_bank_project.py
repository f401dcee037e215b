"""The bank's eight-stage project checklist end to end through the signed endpoint: a project run on its
own stage template, one-liners that know its stages, a return to data preparation after poor model
results (announced in the project's thread, WIP limit warned), time in stage on the board, and the
flow chart with cycle time per stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import outbox
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.stages import BANK_STAGES


@pytest.fixture
def tickets_file():
    return {"tickets": {"wip_limits": {"Prepare data": 1}}}


def test_the_banks_eight_stage_checklist_runs_end_to_end(tickets, slack, clock, database):
    text = tickets.command("project Churn v3 template:bank")["text"]
    assert text.startswith("Project *Churn v3*: 8 of 8 stage tickets.")
    assert "5. *R&amp;D* — `DS-5`" in text and "8. *Service development &amp; deploy* — `DS-8`" in text
    announcement = tickets.posts()[-1]
    assert announcement["text"] == text, "the channel sees the new project, not only whoever ran it"
    with database.session() as s:
        project = s.scalars(select(TicketProject)).one()
        assert project.stages == list(BANK_STAGES)
        root_ts = outbox.find_by_ref(s, f"tickets:project:{project.id}").ts
    assert tickets.command("stages")["text"].startswith("Stages:\n1. Business case"), "the workspace keeps its own"

    tickets.command("default Churn v3")
    assert tickets.command("R&D try xgboost")["text"] == "Filed `DS-9` · try xgboost in *R&amp;D*."
    ask = tickets.command("pre look around")["text"]
    assert ask.startswith("`pre` matches 2 stages.") and "2. Pre-study\n3. Prepare data" in ask

    clock.advance(timedelta(days=2))
    moved = tickets.command("move DS-5 prepare", user="U0002")["text"]
    assert moved == (
        "`DS-5` moved to *Prepare data* by <@U0002>.\n"
        ":warning: Prepare data now has 2 open tickets, over its WIP limit of 1."
    )
    thread = [p for p in tickets.posts() if p.get("thread_ts") == root_ts]
    assert [p["text"] for p in thread] == ["`DS-5` moved to *Prepare data* by <@U0002>."]

    clock.advance(timedelta(days=3))
    tickets.command("move DS-5 R&D", user="U0002")
    board = tickets.command("board Churn v3")
    lines = "\n".join(b["text"]["text"] for b in board["blocks"] if b["type"] == "section")
    assert "`DS-5` · R&amp;D: Churn v3 · unassigned · 5d (0d in stage)" in lines
    assert "*Prepare data* — WIP 1" in lines and "*R&amp;D* — WIP 2" in lines

    clock.advance(timedelta(days=1))
    assert tickets.command("flow Churn v3")["text"] == "Posted the flow of *Churn v3* to the channel."
    upload = slack.calls_to("files.completeUploadExternal")[-1].params
    comment = upload["initial_comment"]
    assert "• Prepare data: 4.5d" in comment, "DS-3 there 6 days, DS-5 days 2 to 5: (6 + 3) / 2"
    assert "• R&amp;D: 3.0d" in comment, "DS-5 days 0 to 2 and 5 to 6, DS-9 6 days: (2 + 1 + 6) / 3"
    assert "Went back 1 time:\n• DS-5: R&amp;D → Prepare data" in comment
    assert upload["files"][0]["title"] == "Churn v3: stage over time"
    with database.session() as s:
        assert s.scalar(select(Ticket.stage).where(Ticket.key == "DS-5")) == "R&D"
