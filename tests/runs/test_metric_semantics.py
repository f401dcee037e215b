"""Metric semantics: one primary metric per watch, directions, the minimum effect, seeds, and cards
that read sensibly without a baseline or with a hundred changed params."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reports.runs import analysis
from reports.runs.demo import register
from reports.runs.models import RunWatch
from reports.runs.source import RunView
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run, text


def _watch(signed, database, args: str) -> RunWatch:
    body = signed.command("/runs", f"watch {args}").json()
    assert body["response_type"] == "ephemeral", body
    with database.session() as s:
        return s.scalars(select(RunWatch).order_by(RunWatch.id.desc())).first()


def _primary(database, watch_id: int) -> tuple[str | None, str | None]:
    with database.session() as s:
        row = s.get(RunWatch, watch_id)
        return row.primary_metric, row.best_metric


def test_one_watch_ranks_every_run_on_one_primary_metric_chosen_once_preferring_held_out_metrics(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("autolog")
    watch = _watch(signed, database, "autolog")
    run(mlflow, exp, "a", 1, 2, metrics={"val_r2": 0.7, "training_mean_absolute_error": 3.0})
    run(mlflow, exp, "b", 1, 3, metrics={"training_mean_absolute_error": 2.0})  # sklearn autolog, no eval set
    poll(runtime, clock, deliver, watch.id)
    assert _primary(database, watch.id) == ("val_r2", "val_r2")
    run(mlflow, exp, "c", 6, 7, metrics={"training_mean_absolute_error": 1.0, "val_r2": 0.75})
    poll(runtime, clock, deliver, watch.id)
    assert _primary(database, watch.id) == ("val_r2", "val_r2")  # never flips to a training metric
    cards = [text(m) for m in slack.posted("C0001")]
    assert "*No verdict*: `val_r2` is missing from one of the runs." in cards[1]
    assert ":trophy: *Challenger beats the best run on `val_r2`*" in cards[2]


def test_a_primary_metric_no_run_logs_is_refused_with_the_metrics_there_are(signed, database, mlflow):
    exp = mlflow.create_experiment("churn")
    run(mlflow, exp, "a", -10, -5, metrics={"val_auc": 0.8, "val_loss": 0.4})
    body = signed.command("/runs", "watch churn primary=val_acu").json()
    assert body == {
        "response_type": "ephemeral",
        "text": "No run of *churn* logs `val_acu`. Its runs log: `val_auc`, `val_loss`. Pick one as `primary=`.",
    }
    with database.session() as s:
        assert s.scalars(select(RunWatch)).all() == []


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("val_mse", "lower"),
        ("eval_mae", "lower"),
        ("training_mean_squared_error", "lower"),
        ("val_acc", "higher"),
        ("miou", "higher"),
        ("val_iou", "higher"),
        ("map50", "neutral"),  # a number glued to the word is not the word
        ("val_map", "higher"),
        ("bleu", "higher"),
        ("rougeL", "higher"),
        ("eval_rouge2", "higher"),
        ("val_perplexity", "lower"),
        ("correctness/mean", "higher"),
        ("relevance_to_query/mean", "higher"),
        ("latency/mean", "lower"),
        ("custom_judge/mean", "higher"),
        ("throughput", "neutral"),
    ],
)
def test_directions_of_common_metric_names(metric, expected):
    assert analysis.direction(metric) == expected


def test_a_watch_sets_directions_of_its_own_metrics(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("ranking")
    run(mlflow, exp, "old", -20, -10, metrics={"val_gain": 0.50})
    watch = _watch(signed, database, "ranking primary=val_gain higher=val_gain min_effect=1%")
    run(mlflow, exp, "new", 1, 2, metrics={"val_gain": 0.52})
    poll(runtime, clock, deliver, watch.id)
    body = text(slack.posted("C0001")[0])
    assert "🟢 `val_gain` 0.52 vs 0.5: +0.02 (+4.0%) better" in body
    assert ":trophy: *Challenger beats the best run on `val_gain`*" in body


def test_a_win_below_the_minimum_effect_is_not_a_win_and_offers_no_promote(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("price")
    base = run(mlflow, exp, "base", -120, -60, metrics={"val_rmse": 50.0})
    register(mlflow, "rmse-model", base, alias="champion")
    watch = _watch(signed, database, "price primary=val_rmse model=rmse-model")
    run(mlflow, exp, "tiny", 1, 2, metrics={"val_rmse": 49.9})  # -0.2 %
    poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    body = text(card)
    assert (
        ":straight_ruler: *Below the minimum effect on `val_rmse`*: the change -0.1 (-0.2%) is smaller than this "
        "watch's 0.5%, so it is not a win."
    ) in body
    assert not [blk for blk in card["blocks"] if blk["type"] == "actions"]


@pytest.mark.parametrize(
    ("params", "tags", "seed"),
    [
        ({"seed": "1"}, {}, "seed=1"),
        ({"random_state": "42", "C": "1.0"}, {}, "random_state=42"),
        ({"seed": "3", "data_seed": "7"}, {}, "data_seed=7,seed=3"),
        ({"training_args.seed": "5"}, {}, "training_args.seed=5"),
        ({"lr": "0.1"}, {"seed": "9"}, "9"),
        ({"lr": "0.1", "seeded_cache": "x", "n_seeds": "2"}, {}, None),
        ({"seed_value": "4"}, {}, "seed_value=4"),
    ],
)
def test_seeds_are_read_from_seed_random_state_and_seed_prefixed_params(params, tags, seed):
    view = RunView("r", "r", "1", "FINISHED", 0, 1, "ada", {}, params, tags)
    assert view.seed == seed


def test_a_card_without_a_baseline_shows_the_metric_values(signed, database, mlflow, runtime, clock, deliver, slack):
    exp = mlflow.create_experiment("genai")
    watch = _watch(signed, database, "genai")
    run(mlflow, exp, "eval-1", 1, 2, metrics={"correctness/mean": 0.8, "latency/mean": 1.25, "safety/mean": 1.0})
    poll(runtime, clock, deliver, watch.id)
    lines = text(slack.posted("C0001")[0]).splitlines()
    assert lines[3:6] == ["• `correctness/mean` 0.8", "• `latency/mean` 1.25", "• `safety/mean` 1"]


def test_a_hundred_changed_params_show_the_few_that_changed_and_a_link_for_the_rest(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("hf")
    trainer = {f"arg_{n:03d}": str(n) for n in range(110)}
    trainer |= {"output_dir": "/scratch/a/run-1", "learning_rate": "5e-05", "num_train_epochs": "3"}
    run(mlflow, exp, "ft", -20, -10, metrics={"eval_loss": 0.5}, params=trainer)
    watch = _watch(signed, database, "hf")
    changed = {**trainer, "output_dir": "/scratch/a/run-2", "learning_rate": "3e-05", "num_train_epochs": "4"}
    changed |= {f"arg_{n:03d}": f"{n}-new" for n in range(100)} | {"report_to": "mlflow"}
    new = run(mlflow, exp, "ft", 1, 2, metrics={"eval_loss": 0.4}, params=changed)
    poll(runtime, clock, deliver, watch.id)
    [line] = [x for x in text(slack.posted("C0001")[0]).splitlines() if x.startswith("Params changed")]
    assert line.startswith(
        "Params changed: `learning_rate` 5e-05 → 3e-05, `num_train_epochs` 3 → 4, `arg_000` 0 → 0-new, "
        "`arg_001` 1 → 1-new, `arg_002` 2 → 2-new, `arg_003` 3 → 3-new … and 98 more"
    )  # 100 args, the two hyperparameters, output_dir and the added report_to changed: 104, 6 shown
    assert line.endswith(f"… and 98 more (<{UI}#/experiments/{exp}/runs/{new}|all params>)")
    assert len(line) < 500
