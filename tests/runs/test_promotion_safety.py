"""Promotion that cannot go backwards: the champion of the moment the button is pressed decides, a worse
candidate needs a second confirmation, and every promotion is recorded on the model version."""

from __future__ import annotations

from sqlalchemy import select

from reports.runs.demo import register
from reports.runs.models import RunWatch
from tests.runs.helpers import poll, run


def _watch(signed, database, args: str) -> RunWatch:
    body = signed.command("/runs", f"watch {args}").json()
    assert body["response_type"] == "ephemeral", body
    with database.session() as s:
        return s.scalars(select(RunWatch).order_by(RunWatch.id.desc())).first()


def _button(message: dict) -> dict:
    [actions] = [blk for blk in message["blocks"] if blk["type"] == "actions"]
    return actions["elements"][0]


def _champion(mlflow, model: str = "rmse-model"):
    return mlflow.get_model_version_by_alias(model, "champion")


def _two_candidates(signed, database, mlflow, runtime, clock, deliver, slack):
    """champion 53.0; cand-A (52.0) and then cand-B (51.0) each beat it when their cards are posted."""
    exp = mlflow.create_experiment("price")
    base = run(mlflow, exp, "base", -120, -60, metrics={"val_rmse": 53.0})
    register(mlflow, "rmse-model", base, alias="champion")
    watch = _watch(signed, database, "price primary=val_rmse model=rmse-model")
    cand_a = run(mlflow, exp, "cand-A", 1, 2, metrics={"val_rmse": 52.0})
    poll(runtime, clock, deliver, watch.id)
    cand_b = run(mlflow, exp, "cand-B", 6, 7, metrics={"val_rmse": 51.0})
    poll(runtime, clock, deliver, watch.id)
    card_a, card_b = slack.posted("C0001")
    register(mlflow, "rmse-model", cand_a)  # version 2
    register(mlflow, "rmse-model", cand_b)  # version 3
    return watch, (cand_a, card_a), (cand_b, card_b)


def test_an_old_cards_promote_does_not_replace_a_better_champion_without_a_second_confirmation(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, (cand_a, card_a), (cand_b, card_b) = _two_candidates(
        signed, database, mlflow, runtime, clock, deliver, slack
    )
    signed.action("runs.promote", _button(card_b)["value"], user="U0001", message_ts="1800000002.000001")
    assert _champion(mlflow).run_id == cand_b

    signed.action("runs.promote", _button(card_a)["value"], user="U0001", message_ts="1800000001.000001")
    assert _champion(mlflow).run_id == cand_b  # the older, worse card did not move the alias
    question = slack.responses()[-1]
    assert question["response_type"] == "ephemeral" and question["replace_original"] is False
    shown = question["blocks"][0]["text"]["text"]
    assert "is not better than `rmse-model@champion` as it is now (version 3" in shown
    assert "`val_rmse`: candidate 52, champion 51" in shown
    anyway = _button(question)
    assert anyway["action_id"] == "runs.promote_anyway" and anyway["style"] == "danger"
    assert "candidate 52, champion 51" in anyway["confirm"]["text"]["text"]

    signed.action("runs.promote_anyway", anyway["value"], user="U0001")  # the explicit second confirmation
    deliver()
    version = _champion(mlflow)
    assert version.run_id == cand_a
    assert version.tags["ritualbot.previous_version"] == "3"
    assert version.tags["ritualbot.confirmed_not_better"] == "true"
    assert slack.posted("C0001")[-1]["text"].endswith("to `champion`, replacing version 3.")


def test_promote_anyway_asks_again_when_the_champion_moved_after_the_question(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    watch, (cand_a, card_a), (cand_b, card_b) = _two_candidates(
        signed, database, mlflow, runtime, clock, deliver, slack
    )
    signed.action("runs.promote", _button(card_b)["value"], user="U0001")
    signed.action("runs.promote", _button(card_a)["value"], user="U0001")
    anyway = _button(slack.responses()[-1])
    exp = mlflow.get_experiment_by_name("price").experiment_id
    cand_c = run(mlflow, exp, "cand-C", 8, 9, metrics={"val_rmse": 50.0})
    mlflow.set_registered_model_alias("rmse-model", "champion", register(mlflow, "rmse-model", cand_c))
    signed.action("runs.promote_anyway", anyway["value"], user="U0001")
    assert _champion(mlflow).run_id == cand_c  # confirmed against version 3, but version 4 is champion now
    assert "as it is now (version 4" in slack.responses()[-1]["text"]  # plain text fallback


def test_the_cards_confirm_dialog_shows_the_candidate_and_the_champion(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    _, (cand_a, card_a), _ = _two_candidates(signed, database, mlflow, runtime, clock, deliver, slack)
    confirm = _button(card_a)["confirm"]
    assert confirm["title"]["text"] == "Promote to champion?"
    assert confirm["text"]["text"].startswith(
        "Candidate: cand-A (`val_rmse` 52).\nChampion now: base, version 1 (`val_rmse` 53)."
    )


def test_a_sweeps_promote_button_has_a_confirm_dialog_with_both_runs(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    parent = run(mlflow, exp, "auc-sweep", 0.5, 4)
    for n, auc in enumerate([0.82, 0.86, 0.79]):
        run(mlflow, exp, f"t{n}", 1, 2 + n * 0.1, parent=parent, metrics={"val_auc": auc})
    poll(runtime, clock, deliver, watch.id)
    [sweep] = slack.posted("C0001")
    confirm = _button(sweep)["confirm"]
    assert confirm["text"]["text"].startswith(
        "Candidate: t1 (`val_auc` 0.86).\nChampion now: base, version 1 (`val_auc` 0.8)."
    )


def test_a_promotion_is_recorded_on_the_model_version(signed, database, mlflow, runtime, clock, deliver, slack):
    _, _, (cand_b, card_b) = _two_candidates(signed, database, mlflow, runtime, clock, deliver, slack)
    deliver()
    signed.action("runs.promote", _button(card_b)["value"], user="U0001", message_ts="1800000002.000001")
    tags = _champion(mlflow).tags
    with database.session() as s:
        from bot import outbox
        from reports.runs.announce import card_ref

        card = outbox.find_by_ref(s, card_ref(1, cand_b))
        where = f"slack:{card.channel}/{card.ts}"
    assert {k: v for k, v in tags.items() if k.startswith("ritualbot.")} == {
        "ritualbot.promoted_by": "U0001",
        "ritualbot.promoted_at": "2026-11-23T09:10:00+00:00",
        "ritualbot.promoted_from": where,
        "ritualbot.previous_version": "1",
        "ritualbot.alias": "champion",
    }


def test_a_challenger_is_shown_on_its_card_and_promoting_it_retires_the_challenger_alias(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    champ = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", champ, alias="champion")
    watch = _watch(signed, database, "churn primary=val_auc model=churn-model")
    challenger = run(mlflow, exp, "next", 1, 2, metrics={"val_auc": 0.85})
    register(mlflow, "churn-model", challenger, alias="challenger")
    poll(runtime, clock, deliver, watch.id)
    [card] = slack.posted("C0001")
    assert {"type": "mrkdwn", "text": ":arrow_up: This run is `churn-model@challenger` (version 2), next in line."} in [
        blk.get("text") for blk in card["blocks"]
    ]
    signed.action("runs.promote", _button(card)["value"], user="U0001")
    assert _champion(mlflow, "churn-model").run_id == challenger
    assert "challenger" not in mlflow.get_registered_model("churn-model").aliases
