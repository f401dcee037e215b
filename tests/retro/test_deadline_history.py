"""Collection deadline (reminder, then moving on by itself), history with links, Markdown export, templates."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.date import DateTrigger

from bot import jobs
from bot.blocks import blocks_to_text
from rituals.retro import capability
from rituals.retro.models import Retro
from tests.retro.driver import checked, text_input
from tests.retro.driver import select as choose
from tests.retro.seed import seed


def test_deadline_reminds_an_hour_before_then_reveals_by_itself(retro, database, clock, deliver, runtime):
    seed(database, clock, deliver, "collect")
    retro.press("retro.settings", "1", user="U0002")
    assert "Only the facilitator" in retro.refused_in_modal()
    retro.press("retro.settings", "1", user="U0001")
    settings_view = retro.last_opened_view()
    assert (
        retro.submit(
            settings_view, {"votes": text_input("5"), "visible": checked("visible"), "deadline": choose("24")}, "U0001"
        )
        == {}
    )
    board = retro.root_text(1)
    assert "collection closes <!date^1795510800^" in board  # Tue 24 Nov 09:00 UTC
    assert "• Fast CI" in board and "5 votes each" in board, "visible while collecting, as chosen"
    with database.session() as s:
        wanted = {j.id: j for j in capability.schedule(s)}
    assert sorted(wanted) == ["retro:1:deadline", "retro:1:remind"]
    assert isinstance(wanted["retro:1:remind"].trigger, DateTrigger)
    assert wanted["retro:1:remind"].trigger.run_date == clock.now() + timedelta(hours=23)

    clock.advance(hours=22)
    jobs.run("retro.remind", "1", rt=runtime)
    deliver()
    assert retro.thread(1) == [], "too early for the reminder"
    clock.advance(hours=1)
    assert jobs.run("retro.remind", "1", rt=runtime).ran
    assert not jobs.run("retro.remind", "1", rt=runtime).ran, "once per deadline"
    deliver()
    [reminder] = retro.thread(1)
    assert reminder["text"].startswith(":alarm_clock: One hour left to add items to “Sprint 9”")

    clock.advance(hours=1)
    jobs.run("retro.deadline", "1", rt=runtime)
    deliver()
    with database.session() as s:
        assert s.get(Retro, 1).phase == "group"
        assert capability.schedule(s) == []
    assert "*Revealed!*" in blocks_to_text(retro.thread(1)[-1]["blocks"])
    assert "[Start voting ▶]" in retro.root_text(1)


def test_bad_settings_are_refused_on_the_field(retro, database, clock, deliver):
    seed(database, clock, deliver, "collect")
    retro.press("retro.settings", "1", user="U0001")
    answer = retro.submit(retro.last_opened_view(), {"votes": text_input("lots")}, "U0001")
    assert answer == {
        "response_action": "errors",
        "errors": {"votes": "Votes per person must be a whole number from 1 to 20."},
    }
    with database.session() as s:
        assert s.get(Retro, 1).votes_per_person == 3


def test_history_lists_the_channels_retros_with_links_and_export_is_markdown(retro, database, clock, deliver):
    seed(database, clock, deliver, "closed")
    clock.advance(days=7)
    retro.command("start ssc Sprint 10", user="U0002")
    history = retro.command("history")["text"]
    ts = retro.root_ts(1).replace(".", "")
    assert history.splitlines() == [
        "Retros in this channel:",
        f"#2 · <https://slack.com/archives/C0001/p{retro.root_ts(2).replace('.', '')}|Sprint 10> · 2026-11-30 · "
        "collecting · 0 action items",
        f"#1 · <https://slack.com/archives/C0001/p{ts}|Sprint 9> · 2026-11-23 · closed · 1 action item",
    ]
    exported = retro.command("export 1")["text"]
    assert exported.startswith("```\n# Sprint 9\n")
    assert "## Went well\n\n- Fast CI — <@U0002>\n" in exported
    assert "## To improve\n\n- Flaky evals (1 vote)\n" in exported, "an anonymous item has no author"
    assert "- [ ] Pin the eval seed — <@U0003>, due 2026-12-04 (open)" in exported
    assert "There is no retro #99" in retro.command("export 99")["text"]
    assert "/retro export &lt;id&gt;" in retro.command("export")["text"], "escaped once: Slack parses mrkdwn"


def test_templates_are_listed_and_an_unknown_subcommand_points_to_help(retro):
    listed = retro.command("templates")["text"]
    for line in (
        "`wwi` — Went well / To improve / Ideas",
        "`ssc` — Start / Stop / Continue: Start, Stop, Continue",
        "`4ls` — 4Ls: Liked, Learned, Lacked, Longed for",
        "`msg` — Mad / Sad / Glad",
        "`sailboat` — Sailboat: Wind, Anchors, Rocks, Island",
    ):
        assert line in listed
    assert "/retro help" in retro.command("dance")["text"]
    assert "/retro start [template] [title]" in retro.command("help")["text"]
