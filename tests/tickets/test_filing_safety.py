"""Filing never loses or duplicates a ticket (built-in tracker): checklists after a move back,
multi-word stage names in one-liners, what a rerun of a project says.
"""

from __future__ import annotations

from sqlalchemy import func, select

from rituals.tickets.models import Ticket


def test_rerunning_a_checklist_after_moving_a_ticket_back_files_no_duplicate(tickets, database):
    tickets.command("project Churn")
    assert tickets.command("move DS-3 data")["text"].startswith("`DS-3` moved to *Data collection")
    again = tickets.command("project Churn")["text"]
    assert again.startswith("Project *Churn* already exists: 6 of 6 stage tickets (0 new).")
    assert "3. *Modelling / EDA* — `DS-3` (now in *Data collection &amp; initial analysis*)" in again
    assert "2. *Data collection &amp; initial analysis* — `DS-2`\n" in again
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 6


def test_one_liner_takes_a_multi_word_stage_name_with_spaces_and_slashes(tickets, database):
    body = tickets.command("Modelling / EDA try xgboost")
    assert body["text"] == "Filed `DS-1` · try xgboost in *Modelling / EDA*."
    body = tickets.command("data collection pull the logs")
    assert body["text"] == "Filed `DS-2` · pull the logs in *Data collection &amp; initial analysis*."
    body = tickets.command('"Testing & validation" backtest Q3')
    assert body["text"] == "Filed `DS-3` · backtest Q3 in *Testing &amp; validation*."
    body = tickets.command("model tuning sweep")
    assert body["text"] == "Filed `DS-4` · tuning sweep in *Modelling / EDA*."
    with database.session() as s:
        assert s.scalars(select(Ticket.summary).order_by(Ticket.id)).all() == [
            "try xgboost",
            "pull the logs",
            "backtest Q3",
            "tuning sweep",
        ]


def test_an_unclosed_quote_says_how_to_name_the_stage(tickets, database):
    body = tickets.command('"Testing & validation backtest')
    assert body["text"].startswith("Close the quote around the stage name")
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
