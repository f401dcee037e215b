"""Predictability over time as a chart once a channel has two closed PIs; App Home and /ritual status show the PI."""

from __future__ import annotations

from datetime import date

from bot.blocks import blocks_to_text
from rituals.pi import closing, service
from tests.pi.driver import ADA, CHANNEL, GRACE, new_pi_values, objective_values, text_input


def closed_pi(database, clock) -> None:
    """Last quarter's PI: planned 10 committed, actual 7 -> 70%."""
    with database.session() as s:
        pi = service.create_pi(
            s,
            team_id="T0001",
            actor=ADA,
            now=clock.now(),
            data=service.PiInput(
                "PI 2026.3", date(2026, 8, 3), date(2026, 10, 30), 0, "10:00", CHANNEL, "Europe/Berlin"
            ),
        )
        o = service.save_objective(
            s, pi, service.ObjectiveInput("Ranking model", "", "10", True, GRACE), actor=ADA, now=clock.now()
        )
        closing.start_close(s, pi, actor=ADA, is_admin=lambda: False, now=clock.now())
        closing.enter_actual(s, o.id, team_id="T0001", user=GRACE, value="7", now=clock.now())


def test_second_closed_pi_posts_the_predictability_chart_in_the_report_thread(pi, slack, database, clock):
    closed_pi(database, clock)
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    pi.command("close")
    pi.press("pi.actual_open", "2", GRACE)
    pi.submit({"actual_bv": text_input("8")}, GRACE)
    report = slack.posted(CHANNEL)[-1]
    assert "Predictability 100.0%" in report["text"]  # 8 / 8
    [upload] = slack.calls_to("files.completeUploadExternal")
    assert upload.params["channel_id"] == CHANNEL and upload.params["thread_ts"] == pi.ts_of("pi:2:report")
    assert upload.params["files"][0]["title"] == "Predictability per PI"
    [png] = slack.uploads.values()
    assert png.startswith(b"\x89PNG")


def test_app_home_and_ritual_status_show_objectives_confidence_and_open_risks(pi, signed, slack):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    pi.command("risk")
    pi.submit(
        {
            "description": text_input("GPU quota"),
            "owner": {"value": {"type": "users_select", "selected_user": ADA}},
            "roam": {"value": {"type": "static_select", "selected_option": {"value": "accepted"}}},
        },
        ADA,
    )
    pi.command("vote")
    pi.press("pi.vote_5", "1", GRACE)
    pi.press("pi.vote_close", "1", ADA)
    assert signed.event({"type": "app_home_opened", "user": ADA, "tab": "home"}).status_code == 200
    home = blocks_to_text(slack.calls_to("views.publish")[-1].params["view"]["blocks"])
    assert "“PI 2026.4” until 12 Feb 2027, active; last confidence 5.0/5" in home
    assert "Churn model v2 — <@U0002> · no update yet" in home and "Accepted: GPU quota — <@U0001>" in home
    status = signed.command("/ritual", "status").json()
    assert "Churn model v2" in status["text"] or "Churn model v2" in blocks_to_text(status["blocks"])


def test_weekly_jobs_act_on_check_in_days_only_and_once_per_day(pi, slack, clock):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12", weekday="1"), ADA)  # Tuesdays
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    assert pi.run("pi.checkin") and pi.dms(GRACE) == [], "Monday is not the check-in day"
    clock.advance(days=1)
    assert pi.run("pi.checkin") and len(pi.dms(GRACE)) == 1
    assert not pi.run("pi.checkin") and len(pi.dms(GRACE)) == 1, "one run per local day"
