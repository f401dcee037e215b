"""MLflow 3 LoggedModels: metrics logged against a model (`log_metric(..., model_id=...)`, an evaluation
scoring the model the run produced) count for the run that produced it, on the card and for its champion.
Against a real MLflow 3 store."""

from __future__ import annotations

from mlflow.entities import Metric

from reports.runs import source
from reports.runs.demo import register
from tests.runs.helpers import at, poll, run, text


def _model_scored(mlflow, exp: str, evals: str, name: str, start: float, end: float, val_auc: float) -> str:
    """A training run that logs only a training metric; an evaluation run (elsewhere) scores its model."""
    run_id = mlflow.create_run(exp, start_time=at(start), run_name=name, tags={"mlflow.user": "ada"}).info.run_id
    model = mlflow.create_logged_model(exp, source_run_id=run_id, name="model")
    mlflow.log_batch(run_id, metrics=[Metric("training_score", 0.99, at(end), 0)])
    scorer = mlflow.create_run(evals, start_time=at(end), run_name=f"eval-{name}").info.run_id
    mlflow.log_metric(
        scorer, "val_auc", val_auc, timestamp=at(end), model_id=model.model_id, dataset_name="val", dataset_digest="d1"
    )
    mlflow.set_terminated(scorer, end_time=at(end))
    mlflow.set_terminated(run_id, end_time=at(end))
    return run_id


def test_a_run_whose_primary_metric_is_only_on_its_logged_model_is_compared_with_the_champion(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    evals = mlflow.create_experiment("churn-evals")
    champ = _model_scored(mlflow, exp, evals, "gbm-base", -120, -60, 0.80)  # the champion's val_auc: on its model
    register(mlflow, "churn-model", champ, alias="champion")
    signed.command("/runs", "watch churn primary=val_auc model=churn-model")
    new = _model_scored(mlflow, exp, evals, "gbm-autolog", 1, 2, 0.85)
    assert "val_auc" not in mlflow.get_run(new).data.metrics  # MLflow's run has it only through its model
    poll(runtime, clock, deliver, 1)

    [card] = slack.posted("C0001")
    shown = text(card)
    assert "🟢 `val_auc` 0.85 vs 0.8: +0.05 (+6.2%) better" in shown
    assert "Baseline: *champion* — `churn-model@champion` version 1" in shown
    assert [e["text"]["text"] for blk in card["blocks"] if blk["type"] == "actions" for e in blk["elements"]] == [
        "Promote to champion"
    ]


def test_the_runs_own_value_wins_and_the_newest_model_value_is_taken(mlflow):
    exp = mlflow.create_experiment("mixed")
    run_id = run(mlflow, exp, "both", 1, 2, metrics={"val_auc": 0.70})
    model = mlflow.create_logged_model(exp, source_run_id=run_id, name="m")
    scorer = mlflow.create_run(exp, run_name="eval").info.run_id
    for when, value in [(at(3), 0.91), (at(5), 0.93), (at(4), 0.92)]:
        mlflow.log_metric(scorer, "val_f1", value, timestamp=when, model_id=model.model_id)
        mlflow.log_metric(scorer, "val_auc", 0.99, timestamp=when, model_id=model.model_id)
    found = source.get_run(mlflow, run_id)
    assert found.metrics == {"val_auc": 0.70, "val_f1": 0.93}
    plain = run(mlflow, exp, "no-model", 1, 2, metrics={"acc": 0.5})
    assert source.get_run(mlflow, plain).metrics == {"acc": 0.5}
