"""Bad input gets a modal validation error on the right field (or a clear ephemeral answer) and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from rituals.pi.models import CheckIn, Objective, ProgramIncrement
from tests.pi.driver import ADA, GRACE, RAVI, choose, hypothesis_values, new_pi_values, objective_values, text_input


def count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_end_before_start_is_a_field_error_on_the_end_date(pi, database):
    pi.command("new")
    answer = pi.submit(new_pi_values("PI 2027.1", "2027-02-01", "2027-01-15"), ADA)
    assert answer == {"response_action": "errors", "errors": {"end": "The end date must be after the start date."}}
    assert count(database, ProgramIncrement) == 0


def test_a_second_active_pi_in_the_channel_is_refused_on_the_channel_field(pi, database, slack):
    slack.members["C0002"] = [GRACE]  # a PI is planned for a channel its creator is in
    pi.command("new")
    assert pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA) == {}
    pi.command("new", user=GRACE)
    answer = pi.submit(new_pi_values("Another", "2026-12-01", "2027-03-01"), GRACE)
    assert answer["response_action"] == "errors"
    assert answer["errors"]["channel"].startswith("#C0001 already has an active PI, “PI 2026.4”."), "plain text"
    assert count(database, ProgramIncrement) == 1
    # another channel may run its own PI
    pi.command("new", user=GRACE)
    assert pi.submit(new_pi_values("Platform PI", "2026-12-01", "2027-03-01", channel="C0002"), GRACE) == {}
    assert count(database, ProgramIncrement) == 2


def test_business_value_eleven_and_a_malformed_target_are_field_errors(pi, database):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    view = pi.opened()
    answer = pi.submit(objective_values("Churn model v2", "11", GRACE), ADA, view)
    assert answer == {
        "response_action": "errors",
        "errors": {"planned_bv": "Planned business value is a whole number from 1 to 10 (got “11”)."},
    }
    churn = pi.experiment("churn-v2", {"val_auc": 0.79})
    high = hypothesis_values(f"{churn}:val_auc", "high")
    answer = pi.submit(objective_values("Churn model v2", "8", GRACE, hypothesis=high), ADA, view)
    assert answer["errors"] == {"threshold": "Write the threshold as a number, e.g. 0.85 (got “high”)."}
    assert count(database, Objective) == 0


def test_check_in_by_someone_else_and_progress_over_100_are_refused(pi, database):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    pi.press("pi.checkin_open", "1", GRACE)
    view = pi.opened()
    answer = pi.submit(
        {"status": choose("on_track"), "progress": text_input("120"), "note": text_input("")}, GRACE, view
    )
    assert answer["errors"] == {"progress": "Progress is a percentage from 0 to 100 (got “120”)."}
    answer = pi.submit({"status": choose("on_track"), "progress": text_input("20"), "note": text_input("")}, RAVI, view)
    assert answer["errors"]["status"] == "Only the owner (@U0002) updates this objective.", "plain text"
    assert count(database, CheckIn) == 0


def test_commands_without_an_active_pi_explain_how_to_start(pi):
    for sub in ("objective", "vote", "status", "close"):
        answer = pi.command(sub)
        assert answer == {
            "response_type": "ephemeral",
            "text": "This channel has no active PI. Start one with `/pi new`.",
        }, sub
    assert pi.command("frobnicate")["text"] == "I don't know `/pi frobnicate`. Try `/pi help`."
