"""One announcement per run: across polls, a restart, runs ending on the watermark's millisecond,
and runs that ended while the bot was down."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import jobs
from bot.wiring import build_runtime
from reports.runs.models import AnnouncedRun, RunWatch
from tests.runs.helpers import at, poll, run


def _watch(signed, database, args: str) -> RunWatch:
    signed.command("/runs", f"watch {args}")
    with database.session() as s:
        return s.scalars(select(RunWatch)).one()


def _announced_names(slack) -> list[str]:
    return [p["text"].split(" finished")[0].removeprefix("Run ") for p in slack.posted("C0001")]


def test_runs_ending_on_the_watermark_millisecond_are_announced_once_each(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn primary=val_auc")
    run(mlflow, exp, "first", 1, 2, metrics={"val_auc": 0.8})
    poll(runtime, clock, deliver, watch.id)
    with database.session() as s:
        assert s.get(RunWatch, watch.id).watermark_ms == at(2)
    # finishes in the very millisecond the watermark holds: must not be skipped nor repeated
    run(mlflow, exp, "same-ms", 1.5, 2, metrics={"val_auc": 0.81})
    poll(runtime, clock, deliver, watch.id)
    poll(runtime, clock, deliver, watch.id)
    assert _announced_names(slack) == ["first", "same-ms"]


def test_a_restart_announces_what_finished_while_down_exactly_once(
    signed, database, mlflow, runtime, clock, deliver, slack, settings
):
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn primary=val_auc")
    run(mlflow, exp, "before-crash", 1, 2, metrics={"val_auc": 0.8})
    poll(runtime, clock, deliver, watch.id)
    # the bot is down for three hours; runs keep finishing
    run(mlflow, exp, "while-down-1", 10, 60, metrics={"val_auc": 0.82})
    run(mlflow, exp, "while-down-2", 10, 150, metrics={"val_auc": 0.79})
    restarted = build_runtime(settings, clock=clock, database=database)
    clock.advance(minutes=180)
    assert jobs.run("runs.poll", str(watch.id), rt=restarted).ran
    restarted.sender.deliver_due()
    assert not jobs.run("runs.poll", str(watch.id), rt=restarted).ran  # same slot: claimed already
    clock.advance(minutes=5)
    jobs.run("runs.poll", str(watch.id), rt=restarted)
    restarted.sender.deliver_due()
    assert _announced_names(slack) == ["before-crash", "while-down-1", "while-down-2"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(AnnouncedRun)) == 3


def test_history_before_the_watch_is_not_announced_and_running_runs_wait(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    run(mlflow, exp, "old", -60, -30, metrics={"val_auc": 0.7})
    watch = _watch(signed, database, "churn")
    running = mlflow.create_run(exp, start_time=at(1), run_name="still-going").info.run_id
    poll(runtime, clock, deliver, watch.id)
    assert slack.posted("C0001") == []
    mlflow.set_terminated(running, end_time=at(7))
    poll(runtime, clock, deliver, watch.id)
    assert _announced_names(slack) == ["still-going"]


def test_lookback_rereads_late_writes_without_repeating(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    runs_yaml["lookback_seconds"] = 600
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn")
    run(mlflow, exp, "on-time", 1, 4, metrics={"val_auc": 0.8})
    poll(runtime, clock, deliver, watch.id)
    # a client with a slow clock reports an end_time before the watermark
    run(mlflow, exp, "skewed", 1, 3, metrics={"val_auc": 0.81})
    poll(runtime, clock, deliver, watch.id)
    poll(runtime, clock, deliver, watch.id)
    assert _announced_names(slack) == ["on-time", "skewed"]


def test_an_unreachable_tracking_server_keeps_the_watermark_and_records_the_error(
    signed, database, mlflow, runtime, clock, deliver, slack, monkeypatch
):
    exp = mlflow.create_experiment("churn")
    watch = _watch(signed, database, "churn")
    run(mlflow, exp, "r", 1, 2, metrics={"val_auc": 0.8})
    from reports.runs import source

    def down(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(source, "ended_since", down)
    clock.advance(minutes=5)
    try:
        jobs.run("runs.poll", str(watch.id), rt=runtime)
    except ConnectionError:
        pass
    with database.session() as s:
        row = s.get(RunWatch, watch.id)
        assert row.last_error == "ConnectionError: connection refused"
        assert row.watermark_ms == at(0)
    listed = signed.command("/runs", "list").json()["text"]
    assert listed == (
        f"• *churn* (id {exp})\n   :warning: the last poll failed: ConnectionError: connection refused "
        "(retried every poll)"
    )
    monkeypatch.undo()
    assert jobs.run("runs.poll", str(watch.id), rt=runtime).ran  # the claim was released
    deliver()
    assert _announced_names(slack) == ["r"]
    assert signed.command("/runs", "list").json()["text"] == f"• *churn* (id {exp}), primary `val_auc`"  # chosen once
