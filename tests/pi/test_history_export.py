"""A PI's start is announced in the channel and runs in the team's timezone; `/pi history` lists the
channel's PIs and `/pi export` gives one as Markdown, like retros."""

from __future__ import annotations

from bot.blocks import blocks_to_text
from tests.pi.driver import ADA, CHANNEL, GRACE, hypothesis_values, new_pi_values, objective_values, text_input


def test_a_pi_started_by_someone_abroad_runs_in_the_teams_timezone_and_is_announced(pi, slack):
    pi.command("new", user=GRACE)  # Grace's Slack profile says America/Los_Angeles; the team is in Berlin
    view = pi.opened()
    assert [b["hint"]["text"] for b in view["blocks"] if b.get("block_id") == "time"][0].startswith("In Europe/Berlin.")
    assert pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), GRACE) == {}
    [announcement] = slack.posted(CHANNEL)
    assert announcement["text"] == ":rocket: PI PI 2026.4 started, run by <@U0002>."
    shown = blocks_to_text(announcement["blocks"])
    assert "23 Nov 2026 – 12 Feb 2027 · check-in Mondays 10:00 (Europe/Berlin) · <#C0001>" in shown


def test_history_lists_the_channels_pis_and_export_gives_one_as_markdown(pi, slack, clock):
    assert pi.command("history")["text"] == "No PIs in this channel yet. Start one with `/pi new`."
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    churn = pi.experiment("churn-v2", {"val_auc": 0.87})
    pi.command("objective")
    hypothesis = hypothesis_values(f"{churn}:val_auc", "0.85")
    pi.submit(objective_values("Churn <model> & v2", "8", GRACE, hypothesis=hypothesis), ADA)
    pi.command("commit")
    pi.run("pi.measure")
    pi.press("pi.checkin_open", "1", GRACE)
    pi.submit({"status": {"value": {"selected_option": {"value": "on_track"}}}, "progress": text_input("40")}, GRACE)
    pi.command("close")
    pi.press("pi.actual_open", "1", GRACE)
    pi.submit({"actual_bv": text_input("8")}, GRACE)

    listing = pi.command("history")["text"]
    assert listing.endswith("#1 · *PI 2026.4* · 2026-11-23 – 2027-02-12 · closed · predictability 100.0%")
    assert pi.command("export")["text"] == "Use `/pi export &lt;id&gt;`; `/pi history` shows the ids."
    assert pi.command("export 7")["text"].startswith("There is no PI #7.")
    exported = pi.command("export 1")["text"]
    assert exported.startswith("```\n# PI 2026.4\n2026-11-23 – 2027-02-12 · Europe/Berlin · state closed")
    assert "- Churn &lt;model&gt; &amp; v2 (committed) — owner <@U0002>, planned BV 8, actual BV 8" in exported
    assert "  - ML hypothesis val_auc &gt;= 0.85 on churn-v2: met, best 0.87 (baseline)" in exported
    assert "## Plan committed 2026-11-23 by <@U0001>\n- no changes since" in exported
    assert "- week 1: Churn &lt;model&gt; &amp; v2 — on track 40%" in exported
