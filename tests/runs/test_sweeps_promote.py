"""Sweeps become one message (tests/runs/test_sweeps_live.py follows one over several polls); the Promote
button moves the alias only for configured users."""

from __future__ import annotations

from sqlalchemy import select

from bot import outbox
from reports.runs.announce import card_ref
from reports.runs.demo import register
from reports.runs.models import RunWatch
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run, text


def _watch(signed, database, args: str) -> RunWatch:
    signed.command("/runs", f"watch {args}")
    with database.session() as s:
        return s.scalars(select(RunWatch)).one()


def test_child_runs_of_one_parent_are_one_message_with_the_best_three_and_the_parent_link(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    run(mlflow, exp, "old-best", -100, -90, metrics={"val_loss": 0.40})
    watch = _watch(signed, database, "churn primary=val_loss")
    parent = run(mlflow, exp, "lr-sweep", 0.5, 4)
    children = {}
    for n, loss in enumerate([0.41, 0.35, 0.38, 0.30, 0.45, 0.39]):
        children[n] = run(mlflow, exp, f"trial-{n}", 1, 2 + n * 0.1, parent=parent, metrics={"val_loss": loss})
    run(mlflow, exp, "trial-oom", 1, 2, parent=parent, status="FAILED", user="grace")
    poll(runtime, clock, deliver, watch.id)

    [message] = slack.posted("C0001")  # never one per child, and no DM for a child's failure
    assert len(slack.posted()) == 1
    link = lambda rid, name: f"<{UI}#/experiments/{exp}/runs/{rid}|{name}>"  # noqa: E731
    assert text(message).splitlines() == [
        "# Sweep finished: lr-sweep",
        "7 runs of lr-sweep finished (1 failed or killed).",
        "Best 3 on `val_loss`. Baseline: *best finished run* of the experiment on `val_loss` — "
        + link(_id(mlflow, exp, "old-best"), "old-best"),
        f"1. {link(children[3], 'trial-3')}",
        "🟢 `val_loss` 0.3 vs 0.4: -0.1 (-25.0%) better",
        f"2. {link(children[1], 'trial-1')}",
        "🟢 `val_loss` 0.35 vs 0.4: -0.05 (-12.5%) better",
        f"3. {link(children[2], 'trial-2')}",
        "🟢 `val_loss` 0.38 vs 0.4: -0.02 (-5.0%) better",
        "Best run: :trophy: *Challenger beats the best run on `val_loss`*",
        f"Parent run {link(parent, 'lr-sweep')}",
        "cost unknown for all 7 trials: the run has no `host` or `k8s.pod` tag",
    ]
    assert message["text"] == "7 runs of lr-sweep finished (1 failed or killed)."


def _id(mlflow, exp: str, name: str) -> str:
    [found] = mlflow.search_runs([exp], filter_string=f"attributes.run_name = '{name}'")
    return found.info.run_id


def _beating_card(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    challenger = run(mlflow, exp, "better", 1, 2, metrics={"val_auc": 0.85})
    poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    return watch, challenger, card


def test_promote_by_a_configured_user_sets_the_alias_and_says_who_promoted_what(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    version = register(mlflow, "churn-model", challenger)
    button = card["blocks"][-1]["elements"][0]
    response = signed.action("runs.promote", button["value"], user="U0001", message_ts="1800000001.000001")
    assert response.status_code == 200
    deliver()
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == version == "2"
    note = slack.posted("C0001")[-1]
    assert note == {
        "channel": "C0001",
        "thread_ts": "1800000001.000001",
        "text": f":rocket: <@U0001> promoted run <{UI}#/experiments/1/runs/{challenger}|better> "
        "(version 2 of `churn-model`) to `champion`, replacing version 1.",
    }
    [update] = slack.calls_to("chat.update")  # the card loses its button and says who promoted it
    with database.session() as s:
        assert update.params["ts"] == outbox.find_by_ref(s, card_ref(watch.id, challenger)).ts
    blocks = update.params["blocks"]
    assert not [blk for blk in blocks if blk["type"] == "actions"]
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": note["text"]}]}
    assert blocks[:-1] == card["blocks"][:-1]
    signed.action("runs.promote", button["value"], user="U0001")
    assert "already `churn-model@champion`" in slack.responses()[-1]["text"]


def test_promote_by_anyone_else_is_refused_and_changes_nothing(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    register(mlflow, "churn-model", challenger)
    signed.action("runs.promote", card["blocks"][-1]["elements"][0]["value"], user="U0002")
    deliver()
    [refusal] = slack.responses()
    assert refusal["response_type"] == "ephemeral"
    assert "Only the people listed under `runs.promoters`" in refusal["text"]
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "1"
    assert len(slack.posted("C0001")) == 1


def test_members_of_a_promoter_user_group_by_id_or_handle_may_promote_and_others_may_not(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    runs_yaml["promoters"] = ["S0ML001", "@ml-leads"]
    slack.usergroups.update({"S0ML001": ("ml", ["U0003"]), "S0LEAD01": ("ml-leads", ["U0002"])})
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    register(mlflow, "churn-model", challenger)
    value = card["blocks"][-1]["elements"][0]["value"]

    signed.action("runs.promote", value, user="U0001")  # in neither group
    [refusal] = slack.responses()
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"] == (
        "Only the people listed under `runs.promoters` (or RITUALBOT_ADMINS), and members of "
        "`S0ML001` or `@ml-leads`, can promote a model. Ask one of them."
    )
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "1"

    signed.action("runs.promote", value, user="U0002", message_ts="1800000001.000001")  # a member of @ml-leads
    deliver()
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "2"
    assert slack.posted("C0001")[-1]["text"].startswith(":rocket: <@U0002> promoted run")
    assert [c.params["usergroup"] for c in slack.calls_to("usergroups.users.list")] == [
        "S0ML001",
        "S0LEAD01",
        "S0ML001",
        "S0LEAD01",
    ]


def test_a_promoter_group_slack_will_not_show_is_explained_and_changes_nothing(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    runs_yaml["promoters"] = ["S0ML001"]
    slack.usergroups["S0ML001"] = ("ml", ["U0002"])
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    register(mlflow, "churn-model", challenger)
    slack.fail_next("usergroups.users.list", status=200, error="missing_scope")
    signed.action("runs.promote", card["blocks"][-1]["elements"][0]["value"], user="U0002")
    deliver()
    assert (
        "I could not read the members of the promoter group `S0ML001` (Slack said `missing_scope`)"
        in slack.responses()[-1]["text"]
    )
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "1"
    assert len(slack.posted("C0001")) == 1


def test_promoters_default_to_ritualbot_admins(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml, settings
):
    from reports.runs import config

    del runs_yaml["promoters"]
    import dataclasses

    with_admins = dataclasses.replace(settings, admins=("U0003",))
    assert config.load(with_admins).may_promote("U0003")
    assert not config.load(with_admins).may_promote("U0001")
    assert not config.load(settings).may_promote("U0001")


def test_promote_without_a_registered_version_explains_what_to_do(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    signed.action("runs.promote", card["blocks"][-1]["elements"][0]["value"], user="U0001")
    assert "has no registered version of model `churn-model`" in slack.responses()[-1]["text"]
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "1"


def test_promoting_a_sweeps_best_run_moves_the_alias_and_updates_the_sweep_message(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    parent = run(mlflow, exp, "auc-sweep", 0.5, 4)
    trials = [
        run(mlflow, exp, f"t{n}", 1, 2 + n * 0.1, parent=parent, metrics={"val_auc": auc})
        for n, auc in enumerate([0.82, 0.86, 0.79])
    ]
    poll(runtime, clock, deliver, watch.id)
    [sweep] = slack.posted("C0001")
    [actions] = [blk for blk in sweep["blocks"] if blk["type"] == "actions"]
    button = actions["elements"][0]
    assert button["value"] == f"{watch.id}:{trials[1]}:{parent}"
    register(mlflow, "churn-model", trials[1])
    signed.action("runs.promote", button["value"], user="U0001", message_ts="1800000001.000001")
    deliver()
    assert mlflow.get_model_version_by_alias("churn-model", "champion").run_id == trials[1]
    [update] = slack.calls_to("chat.update")
    assert not [blk for blk in update.params["blocks"] if blk["type"] == "actions"]
    assert update.params["blocks"][-1]["elements"][0]["text"].startswith(":rocket: <@U0001> promoted run")


def test_malformed_or_stale_promote_values_are_explained_and_change_nothing(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, challenger, card = _beating_card(signed, database, mlflow, runtime, clock, deliver, slack)
    register(mlflow, "churn-model", challenger)
    for value in ["", "abc", "999:" + challenger, f"{watch.id}:", f"{watch.id}:no-such-run"]:
        signed.action("runs.promote", value, user="U0001")
    deliver()
    stale = "This button is out of date: the watch is gone or has no registered model."
    assert [(r["response_type"], r["text"]) for r in slack.responses()] == [("ephemeral", stale)] * 4 + [
        ("ephemeral", "MLflow has no run `no-such-run`: copy the run id from the MLflow UI.")
    ]
    assert str(mlflow.get_model_version_by_alias("churn-model", "champion").version) == "1"
    assert len(slack.posted("C0001")) == 1 and not slack.calls_to("chat.update")
