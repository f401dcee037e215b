"""A run left RUNNING after its process died (SIGKILL, out of memory, a preempted node) never ends in MLflow.
With no new metric for `runs.stalled_after` it is flagged once: one DM to its owner and a line in the digest's
Needs attention; again only if it logs again and then stalls again. A real MLflow store, the clock advanced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mlflow.entities import Metric
from sqlalchemy import select

from bot import jobs
from bot.config import Settings
from bot.errors import ConfigError
from reports.runs import config as runs_config
from reports.runs.models import RunStall
from tests.digest import view
from tests.runs.helpers import at, poll, run


def _abandoned(mlflow, exp: str, name: str, start: float, last_metric: float, user: str = "grace", **tags: str) -> str:
    """A run whose process died: RUNNING, with its last metric (step loss) logged at `last_metric`."""
    found = mlflow.create_run(exp, start_time=at(start), run_name=name, tags={"mlflow.user": user, **tags})
    run_id = found.info.run_id
    mlflow.log_batch(run_id, metrics=[Metric("loss", 0.5, at(last_metric), 7)])
    return run_id


def _dms(slack, user: str = "U0002") -> list[str]:
    return [m["text"] for m in slack.posted(user)]


def test_a_silent_running_run_is_flagged_once_and_again_only_after_it_resumes_and_stalls_again(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("llm-ft")
    signed.command("/runs", "watch llm-ft")
    run_id = _abandoned(mlflow, exp, "ft-7b", 1, 10)
    poll(runtime, clock, deliver, 1, minutes=15)  # 09:15: logged 5 minutes ago
    poll(runtime, clock, deliver, 1, minutes=120)  # 11:15: silent since 09:10, over the default 2 h
    dms = _dms(slack)
    assert len(dms) == 1
    assert dms[0].startswith(
        ":hourglass: Run <http://mlflow.test/#/experiments/1/runs/" + run_id + "|ft-7b> in *llm-ft* is RUNNING but "
        "has logged nothing for 2 h 05 m (last at 23 Nov 09:10 UTC)."
    )
    assert f'set_terminated("{run_id}", "KILLED")' in dms[0]
    poll(runtime, clock, deliver, 1)
    poll(runtime, clock, deliver, 1, minutes=60)
    assert len(_dms(slack)) == 1  # once per stall, however many polls see it

    mlflow.log_batch(run_id, metrics=[Metric("loss", 0.4, at(200), 8)])  # it resumes at 12:20
    poll(runtime, clock, deliver, 1, minutes=10)  # 12:30
    assert len(_dms(slack)) == 1
    poll(runtime, clock, deliver, 1, minutes=120)  # 14:30: silent since 12:20
    dms = _dms(slack)
    assert len(dms) == 2 and "has logged nothing for 2 h 10 m (last at 23 Nov 12:20 UTC)" in dms[1]
    assert not slack.posted("C0001")  # a DM and the digest, not a channel post


def test_not_flagged_while_it_logs_or_its_trials_end_and_never_for_runs_silent_before_the_watch(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("hpo")
    _abandoned(mlflow, exp, "zombie-from-last-week", -10_000, -9_000)  # dead before anyone watched
    signed.command("/runs", "watch hpo")
    parent = mlflow.create_run(exp, start_time=at(1), run_name="study", tags={"mlflow.user": "grace"}).info.run_id
    alive = _abandoned(mlflow, exp, "still-training", 1, 2)
    for n in range(4):  # the parent logs nothing itself; a trial ends before each poll, the other run beats
        run(mlflow, exp, f"trial-{n}", n * 50, n * 50 + 45, parent=parent, metrics={"acc": 0.5}, user="grace")
        mlflow.log_batch(alive, metrics=[Metric("system/gpu_0_utilization_percentage", 97, at(n * 50 + 40), 0)])
        poll(runtime, clock, deliver, 1, minutes=50)  # 09:50 … 12:20
    assert _dms(slack) == []
    poll(runtime, clock, deliver, 1, minutes=150)  # 14:50: the last trial ended at 12:15, last heartbeat 12:10
    dms = _dms(slack)
    assert len(dms) == 1  # one DM naming both of grace's stalled runs
    assert "|study> in *hpo*" in dms[0] and "|still-training> in *hpo*" in dms[0]
    assert "zombie" not in dms[0]
    [sweep] = slack.posted("C0001")  # the sweep's one message gets its final summary: its process died
    final = slack.calls_to("chat.update")[-1].params["text"]
    assert sweep["text"] == "1 of 1 trials of study have ended so far; the parent run is still running."
    assert final == "4 runs of study finished. The parent run stopped logging (stalled) before it ended."


def test_two_channels_watching_one_experiment_send_one_dm_and_the_digest_names_the_stalled_run(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("vision")
    signed.command("/runs", "watch vision")
    signed.command("/runs", "watch vision", channel="C0002")
    signed.command("/ritual", "digest on 09:00 UTC")
    _abandoned(mlflow, exp, "vit-large", 1, 5)
    clock.advance(timedelta(hours=3))
    for watch_id in (1, 2):
        assert jobs.run("runs.poll", str(watch_id), rt=runtime).ran
    deliver()
    assert len(_dms(slack)) == 1
    clock.advance(timedelta(hours=21))
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).ran
    deliver()
    shown = view.sections(view.digests(slack)[-1])
    assert "|vit-large> in *vision* is stalled: RUNNING, nothing logged for 23 h 55 m · <@U0002>" in shown


def test_a_run_that_ended_is_no_longer_stalled_and_is_announced_as_killed(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("nlp")
    signed.command("/runs", "watch nlp")
    run_id = _abandoned(mlflow, exp, "bert", 1, 5)
    poll(runtime, clock, deliver, 1, minutes=180)
    assert len(_dms(slack)) == 1
    mlflow.set_terminated(run_id, status="KILLED", end_time=at(190))  # the owner marked it, as the DM said
    poll(runtime, clock, deliver, 1, minutes=10)
    assert ":x: Run <http://mlflow.test/#/experiments/1/runs/" in slack.posted("C0001")[0]["text"]
    with database.session() as s:
        assert s.scalars(select(RunStall)).one().cleared_at is not None


@pytest.mark.parametrize(
    ("value", "seconds"), [("2h", 7200), ("90m", 5400), ("1d", 86400), (45, 2700), ("off", None), (False, None)]
)
def test_stalled_after_reads_durations_and_off(value, seconds):
    assert runs_config.load(Settings(file={"runs": {"stalled_after": value}})).stalled_after == seconds
    assert runs_config.load(Settings(file={"runs": {}})).stalled_after == 7200


def test_a_bad_stalled_after_is_explained():
    with pytest.raises(ConfigError, match=r"runs.stalled_after must be a duration like 2h, 90m or 1d \(or off\)"):
        runs_config.load(Settings(file={"runs": {"stalled_after": "soon"}}))
