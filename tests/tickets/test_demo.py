"""The tickets part of `ritualbot demo`: a project's stage tickets are filed and the board is shown."""

from __future__ import annotations

from datetime import date

from bot.blocks import blocks_to_text
from bot.demo_context import DemoContext
from handlers.tickets import CAPABILITY


def test_demo_files_a_project_checklist_and_posts_the_board(runtime, clock, slack, tmp_path):
    ctx = DemoContext(runtime=runtime, clock=clock, day=date(2026, 11, 23), out_dir=tmp_path)
    CAPABILITY.demo(ctx)
    ctx.deliver()
    posts = slack.posted("CDEMO")
    assert posts[0]["text"].startswith("Project *Churn model*: 6 of 6 stage tickets.")
    assert posts[1]["text"].startswith("<@UGRACE> filed `DS-7` · *Modelling / EDA* · Churn model")
    board = blocks_to_text(posts[2]["blocks"])
    assert board.startswith("# Board · Churn model\n6 open · 1 closed")
    assert "• `DS-3` · Modelling / EDA: Churn model · <@UADA> · 9d" in board
