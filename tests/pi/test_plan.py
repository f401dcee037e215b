"""A plan that holds: `/pi commit` snapshots the committed plan, later edits and drops are kept as history,
and predictability is measured against the snapshot; the report says a missing actual counts as 0."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks import blocks_to_text
from tests.pi.driver import ADA, CHANNEL, GRACE, RAVI, new_pi_values, objective_values, text_input


def planned(pi) -> None:
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    for title, bv, owner in (("Churn model v2", "8", GRACE), ("Feature store backfill", "5", RAVI)):
        pi.command("objective")
        pi.submit(objective_values(title, bv, owner), ADA)


def test_a_plan_rewritten_in_week_12_is_still_measured_against_the_committed_plan(pi, slack, clock):
    planned(pi)
    assert pi.command("commit")["text"] == "The plan of “PI 2026.4” is committed and posted in the channel."
    announced = pi.channel_texts()[-1]
    committed = "<!date^1795424400^{date_short_pretty} at {time}|Mon 23 Nov 2026 10:00 Europe/Berlin>"
    assert f"*Plan committed* {committed} · PI 2026.4" in announced, "each reader sees the moment in their zone"
    assert "*Churn model v2* — <@U0002> · BV 8 · committed" in announced

    clock.advance(timedelta(weeks=11))  # week 12: the owner rewrites the plan
    pi.press("pi.objective_edit", "1", GRACE)
    assert pi.submit(objective_values("Churn model v2", "2", GRACE, committed=False), GRACE) == {}
    pi.press("pi.objective_drop", "2", ADA)

    history = blocks_to_text(pi.command("plan")["blocks"])
    assert "*Changes since the commit*" in history
    feb_8 = "<!date^1802077200^{date_short}|08 Feb>"
    assert f"{feb_8} · *Churn model v2* — planned BV 8 → 2; commitment committed → stretch (<@U0002>)" in history
    assert f"{feb_8} · *Feature store backfill* — dropped (<@U0001>)" in history

    pi.command("close")
    pi.press("pi.actual_open", "1", GRACE)
    pi.submit({"actual_bv": text_input("2")}, GRACE)
    report = slack.posted(CHANNEL)[-1]
    # against the snapshot: actual 2 (the dropped objective delivers 0) of 8 + 5 committed = 15.4 %
    assert report["text"].startswith("PI 2026.4 is closed. Predictability 15.4%: actual 2 of 13")
    on = "<!date^1795424400^{date_short}|23 Nov 2026>"
    assert f"Measured against the plan committed on {on}; 2 changes after the commit do not alter it." in (
        blocks_to_text(report["blocks"])
    )


def test_the_plan_is_committed_once_by_the_pis_creator(pi):
    planned(pi)
    assert (
        pi.command("commit", user=GRACE)["text"]
        == "Only the PI's creator (<@U0001>) or an admin commits the plan of “PI 2026.4”."
    )
    pi.command("commit")
    again = pi.command("commit")["text"]
    assert again.startswith("The plan of “PI 2026.4” was committed on 23 Nov 2026 by <@U0001>; it cannot be committed")


def test_objectives_added_after_the_commit_count_as_stretch(pi, slack):
    planned(pi)
    pi.command("commit")
    pi.command("objective")
    pi.submit(objective_values("Late idea", "9", ADA), ADA)
    assert "added (<@U0001>)" in blocks_to_text(pi.command("plan")["blocks"])
    pi.command("close")
    for user, objective_id, actual in ((GRACE, 1, "8"), (RAVI, 2, "5"), (ADA, 3, "9")):
        pi.press("pi.actual_open", str(objective_id), user)
        pi.submit({"actual_bv": text_input(actual)}, user)
    assert "Predictability 169.2%: actual 22 of 13" in slack.posted(CHANNEL)[-1]["text"]  # 22 / 13


def test_a_close_without_every_answer_reports_missing_actual_values_as_zero(pi, slack):
    planned(pi)
    pi.command("close")
    pi.press("pi.actual_open", "1", GRACE)
    pi.submit({"actual_bv": text_input("8")}, GRACE)
    pi.command("close now")
    report = blocks_to_text(slack.posted(CHANNEL)[-1]["blocks"])
    assert "Actual BV *None*" not in report
    assert "Actual BV *0 (not entered)* of 5" in report and "Actual BV *8* of 8" in report
    assert "the plan was never committed" in report
