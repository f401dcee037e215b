"""A sweep is a parent run with children (`mlflow.parentRunId`): ONE message, edited in place (chat.update)
as its trials end, with the best trial so far against the champion, and a final summary when the parent
ends. Runs that merely end in the same poll are cards of their own. Against a real MLflow store."""

from __future__ import annotations

from mlflow.entities import Metric, Param
from sqlalchemy import select

from bot import outbox
from reports.runs.announce import sweep_ref
from reports.runs.demo import PARENT_TAG, register
from reports.runs.models import RunSweep, RunWatch
from tests.runs.helpers import at, poll, run, text


def _watch(signed, database, args: str) -> RunWatch:
    signed.command("/runs", f"watch {args}")
    with database.session() as s:
        return s.scalars(select(RunWatch)).one()


def _start(mlflow, exp: str, name: str, start: float, parent: str | None = None) -> str:
    tags = {"mlflow.user": "ada", **({PARENT_TAG: parent} if parent else {})}
    return mlflow.create_run(exp, start_time=at(start), run_name=name, tags=tags).info.run_id


def _end(mlflow, run_id: str, end: float, metrics: dict[str, float], status: str = "FINISHED") -> None:
    mlflow.log_batch(run_id, metrics=[Metric(k, v, at(end), 0) for k, v in metrics.items()])
    mlflow.set_terminated(run_id, status=status, end_time=at(end))


def test_a_parent_with_five_trials_over_three_polls_is_one_message_edited_in_place_then_summarised(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "gbm-base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    parent = _start(mlflow, exp, "optuna-search", 0.5)  # the study's parent run: RUNNING throughout
    kw = {"parent": parent}
    t0 = run(mlflow, exp, "trial-0", 1, 2, metrics={"val_auc": 0.78}, params={"lr": "0.3", "depth": "6"}, **kw)
    t1 = run(mlflow, exp, "trial-1", 1, 3, metrics={"val_auc": 0.82}, params={"lr": "0.1", "depth": "6"}, **kw)
    t2 = _start(mlflow, exp, "trial-2", 3.5, parent=parent)
    mlflow.log_batch(t2, params=[Param("lr", "0.2"), Param("depth", "6")])
    poll(runtime, clock, deliver, watch.id)  # 09:05: two trials ended, one running

    [first] = slack.posted("C0001")
    lines = text(first).splitlines()
    assert lines[:2] == [
        "# Sweep running: optuna-search",
        "2 of 3 trials of optuna-search have ended so far; 1 still running.",
    ]
    assert lines[2].startswith("Best 2 so far on `val_auc`. Baseline: *champion* — `churn-model@champion` version 1")
    assert "🟢 `val_auc` 0.82 vs 0.8: +0.02 (+2.5%) better" in lines
    assert "`lr` 0.1" in lines  # the params the trials varied, not the constant depth
    assert not slack.calls_to("chat.update")

    _end(mlflow, t2, 7, {"val_auc": 0.86})
    run(mlflow, exp, "trial-3", 6, 8, metrics={"val_auc": 0.81}, params={"lr": "0.05", "depth": "6"}, **kw)
    poll(runtime, clock, deliver, watch.id)  # 09:10: four ended, none running, the parent still going

    [second] = slack.calls_to("chat.update")
    with database.session() as s:
        assert second.params["ts"] == outbox.find_by_ref(s, sweep_ref(watch.id, parent)).ts
    middle = second.params["text"]
    assert middle == "4 of 4 trials of optuna-search have ended so far; the parent run is still running."
    assert "1. <http://mlflow.test/#/experiments/1/runs/" + t2 + "|trial-2>" in text(second.params)

    run(mlflow, exp, "trial-4", 9, 12, status="FAILED", params={"lr": "0.01", "depth": "6"}, **kw)
    _end(mlflow, parent, 13, {})
    poll(runtime, clock, deliver, watch.id)  # 09:15: the last trial failed and the parent ended

    assert len(slack.posted("C0001")) == 1  # never a second post: not per trial, not for the parent
    final = slack.calls_to("chat.update")[-1].params
    shown = text(final).splitlines()
    assert shown[:2] == ["# Sweep finished: optuna-search", "5 runs of optuna-search finished (1 failed or killed)."]
    ranked = [line for line in shown if line[:3] in ("1. ", "2. ", "3. ")]
    assert [r.rsplit("|", 1)[1] for r in ranked] == ["trial-2>", "trial-1>", "trial-3>"]
    assert "Best run: :trophy: *Challenger beats champion on `val_auc`*" in shown
    assert "Params varied: `lr` (5 values)" in shown
    [button] = [e for blk in final["blocks"] if blk["type"] == "actions" for e in blk["elements"]]
    assert button["value"] == f"{watch.id}:{t2}:{parent}"
    assert slack.posted("U0001") == [] and not [
        c for c in slack.calls_to("chat.postMessage") if c.params["channel"] != "C0001"
    ]
    with database.session() as s:
        state = s.scalars(select(RunSweep)).one()
        assert state.ended_at is not None and state.baseline_kind == "champion"
    assert t0 not in str(ranked) and t1 in ranked[1]


def test_unrelated_runs_ending_in_one_poll_are_separate_cards(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("grid")
    watch = _watch(signed, database, "grid primary=acc")
    for n, acc in enumerate([0.7, 0.9, 0.8, 0.75, 0.85]):
        run(mlflow, exp, f"grid-{n}", 1, 2 + n / 10, metrics={"acc": acc})
    poll(runtime, clock, deliver, watch.id)
    posts = slack.posted("C0001")
    assert [p["text"].split(" finished")[0] for p in posts] == [f"Run grid-{n}" for n in range(5)]
    assert not slack.calls_to("chat.update")


def test_two_unrelated_runs_in_one_poll_are_two_cards(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("pair")
    watch = _watch(signed, database, "pair primary=acc")
    run(mlflow, exp, "a", 1, 2, metrics={"acc": 0.7})
    run(mlflow, exp, "b", 1, 3, metrics={"acc": 0.8})
    poll(runtime, clock, deliver, watch.id)
    assert [p["text"].split(" finished")[0] for p in slack.posted("C0001")] == ["Run a", "Run b"]


def test_a_trial_ending_after_the_final_summary_edits_the_same_message(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("late")
    watch = _watch(signed, database, "late primary=acc")
    parent = run(mlflow, exp, "sweep", 6, 7)
    run(mlflow, exp, "child-a", 6, 8, parent=parent, metrics={"acc": 0.95})
    poll(runtime, clock, deliver, watch.id, minutes=10)
    [post] = slack.posted("C0001")
    assert post["text"] == "1 run of sweep finished."
    run(mlflow, exp, "child-b", 6, 12, parent=parent, metrics={"acc": 0.5})
    poll(runtime, clock, deliver, watch.id)
    assert len(slack.posted("C0001")) == 1
    [update] = slack.calls_to("chat.update")
    assert update.params["text"] == "2 runs of sweep finished."


def test_promoting_from_an_edited_sweep_message_keeps_its_latest_content(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "gbm-base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    parent = _start(mlflow, exp, "search", 0.5)
    run(mlflow, exp, "t0", 1, 2, metrics={"val_auc": 0.82}, parent=parent)
    poll(runtime, clock, deliver, watch.id)
    best = run(mlflow, exp, "t1", 3, 6, metrics={"val_auc": 0.90}, parent=parent)
    _end(mlflow, parent, 7, {})
    poll(runtime, clock, deliver, watch.id)
    final = slack.calls_to("chat.update")[-1].params
    [button] = [e for blk in final["blocks"] if blk["type"] == "actions" for e in blk["elements"]]
    register(mlflow, "churn-model", best)
    signed.action("runs.promote", button["value"], user="U0001", message_ts="1800000001.000001")
    deliver()
    assert mlflow.get_model_version_by_alias("churn-model", "champion").run_id == best
    after = slack.calls_to("chat.update")[-1].params
    assert after["blocks"][0]["text"]["text"] == "Sweep finished: search"  # the final summary, not the first post
    assert not [blk for blk in after["blocks"] if blk["type"] == "actions"]
    assert after["blocks"][-1]["elements"][0]["text"].startswith(":rocket: <@U0001> promoted run")
