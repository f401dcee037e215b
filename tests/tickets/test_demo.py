"""The tickets part of `ritualbot demo`: a project's stage tickets are filed and the board is shown."""

from __future__ import annotations

from datetime import date

from bot import outbox
from bot.blocks import blocks_to_text
from bot.demo_context import DemoContext
from handlers.tickets import CAPABILITY


def test_demo_files_a_project_checklist_the_banks_eight_stages_and_their_flow(runtime, clock, slack, tmp_path):
    ctx = DemoContext(runtime=runtime, clock=clock, day=date(2026, 11, 23), out_dir=tmp_path)
    CAPABILITY.demo(ctx)
    ctx.deliver()
    posts = slack.posted("CDEMO")
    assert posts[0]["text"].startswith("Project *Churn model*: 6 of 6 stage tickets.")
    assert posts[1]["text"].startswith("<@UGRACE> filed `DS-7` · *Modelling / EDA* · Churn model")
    board = blocks_to_text(posts[2]["blocks"])
    assert board.startswith("# Board · Churn model\n6 open · 1 closed")
    assert "• `DS-3` · Modelling / EDA: Churn model · <@UADA> · 9d" in board
    assert posts[3]["text"].startswith("Project *Card fraud*: 8 of 8 stage tickets.")
    assert "8. *Service development &amp; deploy* — `DS-15`" in posts[3]["text"]
    assert posts[4]["text"] == "`DS-12` moved to *Prepare data* by <@UADA>."
    with runtime.database.session() as s:
        announced = outbox.find_by_ref(s, "tickets:project:2")
        assert announced is not None and posts[4]["thread_ts"] == announced.ts, "told in the project's thread"
    upload = slack.calls_to("files.completeUploadExternal")[-1].params
    assert "Went back 1 time:\n• DS-12: R&amp;D → Prepare data" in upload["initial_comment"]
