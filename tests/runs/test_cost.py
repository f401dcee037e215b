"""Cost per run: GPU-hours x price from the GPU capability's inventory (hosts, pods, prices), or a price
configured per run tag; on the card, in sweeps and in the digest; "cost unknown" and why otherwise."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot import jobs
from bot.config import Settings
from bot.errors import ConfigError
from reports.gpu.models import GpuDay
from reports.runs import config as runs_config
from tests.conftest import MONDAY_9_UTC
from tests.digest import view
from tests.runs.helpers import poll, run, text


def _gpus(database, host: str, count: int, model: str, price: str, *, pod: str = "") -> None:
    """The GPU capability's inventory: `count` GPUs on `host` on Monday, each at `price` per hour."""
    with database.session() as s:
        for n in range(count):
            s.add(
                GpuDay(
                    day=MONDAY_9_UTC.date(),
                    gpu_key=f"prom:{host}:{n}",
                    source="prom",
                    host=host,
                    gpu=str(n),
                    model=f"NVIDIA {model}-SXM4-40GB",
                    instance_id="",
                    instance_type="",
                    owner="",
                    team="",
                    allocated_h=24.0,
                    idle_h=0.0,
                    held_h=0.0,
                    nodata_h=0.0,
                    streak_h=0.0,
                    price=Decimal(price),
                    currency="USD",
                    fetched_at=MONDAY_9_UTC,
                    pod=pod,
                    namespace="ml" if pod else "",
                )
            )
        s.commit()


def _system(gpus: int) -> dict[str, float]:
    """MLflow system metrics of a run that used `gpus` GPUs."""
    return {f"system/gpu_{n}_utilization_percentage": 90.0 for n in range(gpus)}


def test_card_shows_the_cost_from_the_runs_host_gpus_and_their_prices(
    signed, database, mlflow, runtime, clock, deliver, slack
):
    _gpus(database, "gpu-node-1", 8, "A100", "4.10")
    exp = mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn primary=val_auc")
    run(mlflow, exp, "big", 1, 151, metrics={"val_auc": 0.8, **_system(4)}, tags={"host": "gpu-node-1"})
    poll(runtime, clock, deliver, 1, minutes=160)
    [card] = [m for m in slack.posted() if "big" in text(m)]
    assert "≈ $41 on 4×A100, 2 h 30 m" in text(card)


def test_a_pod_tag_finds_the_gpus_the_pod_held(signed, database, mlflow, runtime, clock, deliver, slack):
    _gpus(database, "node-7", 2, "H100", "12.29", pod="train-abc")
    exp = mlflow.create_experiment("llm")
    signed.command("/runs", "watch llm")
    run(mlflow, exp, "sft", 1, 61, metrics={"eval_loss": 1.2}, tags={"k8s.pod": "train-abc"})
    poll(runtime, clock, deliver, 1, minutes=70)
    [card] = [m for m in slack.posted() if "sft" in text(m)]
    assert "≈ $25 on 2×H100, 1 h 0 m" in text(card)  # 2 x $12.29 x 1 h


def test_a_price_configured_per_run_tag_is_used_when_the_host_is_unknown(
    signed, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    runs_yaml["prices"] = {"queue=a100x4": "16.40"}
    exp = mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn")
    run(mlflow, exp, "queued", 1, 31, metrics={"val_auc": 0.8}, tags={"queue": "a100x4"})
    poll(runtime, clock, deliver, 1, minutes=40)
    [card] = [m for m in slack.posted() if "queued" in text(m)]
    assert "≈ $8.20 on queue=a100x4, 0 h 30 m" in text(card)


def test_cost_unknown_says_why(signed, database, mlflow, runtime, clock, deliver, slack):
    _gpus(database, "gpu-node-1", 8, "A100", "4.10")
    exp = mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn")
    run(mlflow, exp, "laptop", 1, 11, metrics={"val_auc": 0.8})
    run(mlflow, exp, "elsewhere", 12, 21, metrics={"val_auc": 0.7}, tags={"host": "cpu-box"})
    poll(runtime, clock, deliver, 1, minutes=30)
    cards = {n: text(m) for m in slack.posted() for n in ("laptop", "elsewhere") if f"Run finished: {n}\n" in text(m)}
    assert "cost unknown: the run has no `host` or `k8s.pod` tag" in cards["laptop"]
    assert "cost unknown: host `cpu-box` is not in the GPU inventory" in cards["elsewhere"]


def test_a_sweep_shows_its_total_and_each_trials_cost(signed, database, mlflow, runtime, clock, deliver, slack):
    _gpus(database, "gpu-node-1", 8, "A100", "4.00")
    exp = mlflow.create_experiment("hpo")
    signed.command("/runs", "watch hpo primary=val_auc")
    parent = run(mlflow, exp, "search", 0, 200)
    for n in range(5):
        run(
            mlflow,
            exp,
            f"trial-{n}",
            1 + 30 * n,
            31 + 30 * n,
            metrics={"val_auc": 0.7 + n / 100, **_system(1)},
            params={"lr": str(n)},
            tags={"host": "gpu-node-1"},
            parent=parent,
        )
    poll(runtime, clock, deliver, 1, minutes=160)
    [sweep] = [m for m in slack.posted() if "trial-4" in text(m)]
    body = text(sweep)
    assert "≈ $10 for 5 trials" in body  # 5 x 0.5 h x 1 GPU x $4
    assert "trial-4" in body and "≈ $2.00 on 1×A100, 0 h 30 m" in body


def test_the_digest_adds_up_what_the_runs_cost(signed, database, mlflow, runtime, clock, deliver, slack):
    _gpus(database, "gpu-node-1", 8, "A100", "4.10")
    exp = mlflow.create_experiment("churn")
    signed.command("/runs", "watch churn primary=val_auc")
    signed.command("/ritual", "digest on 09:00 UTC")
    run(mlflow, exp, "big", 1, 151, metrics={"val_auc": 0.8, **_system(4)}, tags={"host": "gpu-node-1"})
    run(mlflow, exp, "laptop", 152, 160, metrics={"val_auc": 0.7})
    poll(runtime, clock, deliver, 1, minutes=170)
    clock.advance(timedelta(days=1))
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).ran
    deliver()
    body = view.sections(view.digests(slack)[-1])
    assert "≈ $41 of GPU time (cost unknown for 1 of 2 runs)" in body


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ({"a100x4": 16}, "runs.prices keys are `tag=value` (like queue=a100x4), got 'a100x4'"),
        ({"queue=a100x4": "lots"}, "runs.prices.queue=a100x4 must be a price per hour like 16.40, got 'lots'"),
        ({"queue=a100x4": -1}, "runs.prices.queue=a100x4 must be a price per hour like 16.40, got -1"),
    ],
)
def test_a_bad_price_per_tag_is_refused_with_what_to_write(prices, message):
    with pytest.raises(ConfigError) as raised:
        runs_config.load(Settings(file={"runs": {"prices": prices}}))
    assert str(raised.value) == message


def test_prices_per_tag_are_decimals_in_the_configured_currency():
    loaded = runs_config.load(Settings(file={"runs": {"prices": {"queue=a100x4": 16.4}, "currency": "eur"}}))
    assert loaded.tag_prices == {"queue=a100x4": Decimal("16.4")}
    assert loaded.currency == "EUR"


def test_costs_in_two_currencies_are_never_added_together():
    from reports.runs import cost, section

    trials = [
        cost.RunCost(Decimal("10"), "USD", "1×A100", 1.0),
        cost.RunCost(Decimal("3.50"), "EUR", "1×A10G", 1.0),
        cost.RunCost(Decimal("5"), "USD", "1×A100", 0.5),
    ]
    assert cost.total_line(trials, "trials") == "≈ $15 and €3.50 for 3 trials"
    assert section._spent([(Decimal("41"), "USD"), (Decimal("2"), "EUR"), (None, "USD")]) == (
        " · ≈ $41 and €2.00 of GPU time (cost unknown for 1 of 3 runs)"
    )
