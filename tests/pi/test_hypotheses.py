"""ML hypotheses measured from a real MLflow store: the form offers the experiment's real metrics, the
`pi.measure` job reads MLflow (never a request), a run logged mid-PI meets the hypothesis, the owner is
told once and marks it done, and the verdict shows in /pi status, the weekly summary, the digest and the
close report."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks import blocks_to_text
from bot.capabilities import SectionContext
from reports.runs.demo import register
from rituals.pi import measure, tracking
from rituals.pi.models import Objective
from tests.pi.driver import ADA, CHANNEL, GRACE, hypothesis_values, new_pi_values, objective_values, text_input


def start(pi, **hypothesis) -> str:
    """A PI with one hypothesis objective (Grace's) on churn-v2's val_auc; returns the experiment id."""
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    churn = pi.experiment("churn-v2", {"val_auc": 0.79, "val_loss": 0.41})
    pi.command("objective")
    values = hypothesis_values(f"{churn}:val_auc", "0.85", **hypothesis)
    assert pi.submit(objective_values("Churn model v2", "8", GRACE, hypothesis=values), ADA) == {}
    return churn


def measure_now(pi, clock, minutes: int = 5) -> None:
    clock.advance(timedelta(minutes=minutes))
    assert pi.run("pi.measure")


def dashboard(pi) -> str:
    return blocks_to_text(pi.command("status")["blocks"])


def met_dms(pi) -> list[dict]:
    return [p for p in pi.dms(GRACE) if "is met" in p["text"]]


def test_the_objective_form_offers_the_experiments_real_metrics(pi):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    assert "none is known yet" in blocks_to_text(pi.opened()["blocks"]), "before the catalog job read MLflow"
    churn = pi.experiment("churn-v2", {"val_auc": 0.79, "val_loss": 0.41})
    pi.experiment("fraud", {"recall": 0.6})
    pi.command("objective")
    [menu] = [b["element"] for b in pi.opened()["blocks"] if b.get("block_id") == "hypothesis_metric"]
    assert [(g["label"]["text"], [o["value"] for o in g["options"]]) for g in menu["option_groups"]] == [
        ("churn-v2", [f"{churn}:val_auc", f"{churn}:val_loss"]),
        ("fraud", [f"{int(churn) + 1}:recall"]),
    ]
    due = [b["element"] for b in pi.opened()["blocks"] if b.get("block_id") == "deadline_iteration"][0]
    assert [o["text"]["text"] for o in due["options"]][:2] == ["End of the PI (12 Feb)", "Iteration 1 (ends 06 Dec)"]


def test_a_metric_the_experiment_never_logged_is_refused_on_its_field(pi, database):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    churn = pi.experiment("churn-v2", {"val_auc": 0.79})
    pi.command("objective")
    view = pi.opened()
    answer = pi.submit(
        objective_values("Churn", "8", GRACE, hypothesis=hypothesis_values(f"{churn}:f1", "0.9")), ADA, view
    )
    assert answer["errors"] == {
        "hypothesis_metric": "MLflow no longer lists `f1` for that experiment: reopen the form and pick again."
    }
    kill = hypothesis_values(f"{churn}:val_auc", "0.85", kill_threshold="0.8")
    answer = pi.submit(objective_values("Churn", "8", GRACE, hypothesis=kill), ADA, view)
    assert answer["errors"] == {"kill_iteration": "Pick the iteration by which the kill threshold must be reached."}
    alias = hypothesis_values(f"{churn}:val_auc", "0.85", alias="churn champion")
    answer = pi.submit(objective_values("Churn", "8", GRACE, hypothesis=alias), ADA, view)
    assert answer["errors"]["alias"].startswith("Write the model alias as `model@alias`")
    with database.session() as s:
        assert s.query(Objective).count() == 0


def test_a_run_logged_mid_pi_meets_the_hypothesis_and_the_owner_marks_it_done(pi, slack, clock, database, runtime):
    churn = start(pi)
    measure_now(pi, clock)
    assert ":large_green_circle: *on track* · best 0.79 (baseline) · latest 0.79" in dashboard(pi)

    clock.advance(timedelta(hours=1))
    pi.log(churn, "gbm-wider", {"val_auc": 0.82})
    measure_now(pi, clock)
    assert not met_dms(pi)
    clock.advance(timedelta(hours=1))
    pi.log(churn, "gbm-deeper", {"val_auc": 0.874})
    measure_now(pi, clock)
    [dm] = met_dms(pi)
    assert (
        dm["text"]
        == "Your ML hypothesis `val_auc &gt;= 0.85` for “Churn model v2” is met: run *gbm-deeper* logged 0.874."
    )
    assert dm["blocks"][0]["accessory"]["action_id"] == "pi.hypothesis_done"
    measure_now(pi, clock)
    assert len(met_dms(pi)) == 1, "the owner is told once per run that met it"
    shown = dashboard(pi)
    assert ":white_check_mark: *met* · best 0.874 (gbm-deeper) · latest 0.874 · trend `▁▃█`" in shown

    answer = pi.press("pi.hypothesis_done", "1", GRACE)
    assert answer[0]["text"].startswith("“Churn model v2” is done")
    assert "done 100%" in dashboard(pi)

    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # the week's summary, 18:00 Berlin
    assert pi.run("pi.summary")
    summary = pi.channel_texts()[-1]
    assert "> ML hypothesis met by run gbm-deeper: val_auc 0.874" in summary
    assert ":white_check_mark: *met* · best 0.874 (gbm-deeper)" in summary

    with database.session() as s:
        ctx = SectionContext(
            s, runtime.settings, clock.now(), "T0001", CHANNEL, clock.now().date(), "UTC", runtime.capabilities
        )
        section = tracking.section(ctx)
        assert section is not None and section.summary == "1 ML hypothesis: 1 met"
        assert ":white_check_mark: *met* · best 0.874 (gbm-deeper)" in blocks_to_text(section.blocks)

    pi.command("close")
    pi.command("close now")
    report = blocks_to_text(slack.posted(CHANNEL)[-1]["blocks"])
    assert "PI report" in report and ":white_check_mark: *met* · best 0.874 (gbm-deeper)" in report


def test_the_kill_criterion_is_hit_when_its_iteration_ends_below_the_kill_threshold(pi, clock):
    start(pi, kill_threshold="0.80", kill_iteration="1")
    measure_now(pi, clock)
    assert "*on track*" in dashboard(pi)
    clock.set(datetime(2026, 12, 6, 22, 59, tzinfo=UTC))  # iteration 1 ends at midnight Berlin
    measure_now(pi, clock, minutes=0)
    assert "*kill criterion hit*" not in dashboard(pi)
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    measure_now(pi, clock)
    assert ":octagonal_sign: *kill criterion hit* · best 0.79 (baseline)" in dashboard(pi)


def test_a_model_alias_is_judged_by_the_champions_value(pi, mlflow, clock):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    churn = pi.experiment("churn-v2", {"val_auc": 0.80})
    champion = pi.log(churn, "gbm-champion", {"val_auc": 0.86}, minutes_ago=3)
    pi.log(churn, "gbm-challenger", {"val_auc": 0.88}, minutes_ago=2)
    register(mlflow, "churn", champion, alias="champion")
    values = hypothesis_values(f"{churn}:val_auc", "0.87", alias="churn@champion")
    pi.command("objective")
    assert pi.submit(objective_values("Churn model v2", "8", GRACE, hypothesis=values), ADA) == {}
    measure_now(pi, clock)
    assert "best 0.88 (gbm-challenger) · latest 0.88 · churn@champion 0.86 (v1)" in dashboard(pi)
    assert not met_dms(pi), "the champion, not the best run, has to reach the target"
    register(mlflow, "churn", pi.log(churn, "gbm-next", {"val_auc": 0.9}), alias="champion")
    measure_now(pi, clock)
    [dm] = met_dms(pi)
    assert "met: churn@champion (version 2) has 0.9." in dm["text"]
    register(mlflow, "churn", pi.log(churn, "gbm-later", {"val_auc": 0.91}), alias="champion")
    measure_now(pi, clock)
    assert len(met_dms(pi)) == 1, "a better champion keeps it met: the owner was told already"
    assert "churn@champion 0.91 (v3)" in dashboard(pi)


def test_an_unreachable_mlflow_keeps_the_last_values_and_says_so(pi, clock, runtime):
    start(pi)
    measure_now(pi, clock)
    runtime.settings = dataclasses.replace(
        runtime.settings,
        mlflow_tracking_uri="http://127.0.0.1:9",  # nothing listens on loopback's discard port
        file={**runtime.settings.file, "pi": {"mlflow_timeout_seconds": 0.5}},
    )
    measure_now(pi, clock)
    shown = dashboard(pi)
    assert "*on track* · best 0.79 (baseline)" in shown and "_MLflow unreachable at the last check:" in shown
    # requests never read MLflow: the form and its submission work while MLflow is down
    pi.command("objective")
    assert pi.submit(objective_values("Docs", "2", ADA), ADA) == {}


def test_bounded_gives_up_on_a_call_that_does_not_return():
    release = threading.Event()
    with pytest.raises(measure.MlflowTimeout, match="within 0.05 s"):
        measure.bounded(release.wait, 0.05)
    release.set()
    assert measure.bounded(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        measure.bounded(lambda: 1 / 0, 5)


def test_the_note_text_survives_in_the_checkin_modal(pi):
    start(pi)
    pi.press("pi.checkin_open", "1", GRACE)
    assert "experiment `churn-v2`" in blocks_to_text(pi.opened()["blocks"])
    assert (
        pi.submit({"status": {"value": {"selected_option": {"value": "on_track"}}}, "progress": text_input("5")}, GRACE)
        == {}
    )
