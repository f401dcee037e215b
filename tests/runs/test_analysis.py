"""Analysis rules with hand-computed expectations: directions, deltas, verdicts, noise, grouping."""

from __future__ import annotations

import pytest

from reports.runs import analysis, render
from reports.runs.config import RunsConfig
from reports.runs.poller import group
from reports.runs.source import PARENT_TAG, RunView


@pytest.mark.parametrize(
    ("metric", "configured", "expected"),
    [
        ("val_loss", None, "lower"),
        ("eval/rmse", None, "lower"),
        ("test-WER", None, "lower"),
        ("perplexity", None, "lower"),
        ("val_accuracy", None, "higher"),
        ("auc", None, "higher"),
        ("f1_macro", None, "higher"),
        ("ndcg@10", None, "higher"),
        ("bleu", None, "higher"),
        ("throughput", None, "neutral"),
        ("lossless_ratio", None, "neutral"),
        ("mapping_time", None, "neutral"),
        ("val_loss", {"val_loss": "higher"}, "higher"),
        ("score", {"score": "lower"}, "lower"),
    ],
)
def test_direction_by_config_then_by_name(metric, configured, expected):
    assert analysis.direction(metric, configured) == expected


@pytest.mark.parametrize(
    ("value", "base", "how", "absolute", "relative", "outcome"),
    [
        (0.45, 0.50, "lower", -0.05, -0.10, "better"),
        (0.55, 0.50, "lower", 0.05, 0.10, "worse"),
        (0.84, 0.80, "higher", 0.04, 0.05, "better"),
        (0.78, 0.80, "higher", -0.02, -0.025, "worse"),
        (0.80, 0.80, "higher", 0.0, 0.0, "same"),
        (12.0, 10.0, "neutral", 2.0, 0.2, "neutral"),
        (-3.0, -4.0, "higher", 1.0, 0.25, "better"),  # relative to |baseline|
        (1.0, 0.0, "higher", 1.0, None, "better"),  # no relative delta against zero
    ],
)
def test_delta_values_and_outcome(value, base, how, absolute, relative, outcome):
    d = analysis.delta("m", value, base, how)
    assert d.absolute == pytest.approx(absolute)
    assert (d.relative is None) if relative is None else d.relative == pytest.approx(relative)
    assert d.outcome == outcome


def test_deltas_cover_common_metrics_primary_first():
    got = analysis.deltas(
        {"b_loss": 1.0, "acc": 0.9, "only_run": 1.0}, {"b_loss": 2.0, "acc": 0.8, "only_base": 3}, primary="b_loss"
    )
    assert [d.name for d in got] == ["b_loss", "acc"]


def test_changed_params_lists_added_removed_and_changed():
    assert analysis.changed_params(
        {"lr": "0.1", "depth": "6", "new": "x"}, {"lr": "0.2", "depth": "6", "gone": "y"}
    ) == [("gone", "y", None), ("lr", "0.2", "0.1"), ("new", None, "x")]


@pytest.mark.parametrize(
    ("value", "base", "spread", "beats", "reason"),
    [
        (0.85, 0.80, None, True, "beats"),
        (0.85, 0.80, 0.06, False, "noise"),  # +0.05 inside a 0.06 spread
        (0.85, 0.80, 0.05, False, "noise"),  # on the edge counts as noise
        (0.85, 0.80, 0.04, True, "beats"),
        (0.75, 0.80, 0.02, False, "worse"),
    ],
)
def test_verdict_against_seed_noise(value, base, spread, beats, reason):
    compared = [analysis.delta("val_auc", value, base, "higher")]
    noise = analysis.Noise(3, spread) if spread is not None else None
    got = analysis.verdict("val_auc", compared, noise)
    assert (got.beats, got.reason) == (beats, reason)


def test_verdict_without_the_primary_metric_is_missing():
    assert analysis.verdict("val_auc", [], None).reason == "missing"


def test_noise_needs_two_seeds_and_is_the_range():
    assert analysis.noise({"1": 0.8}) is None
    assert analysis.noise({"1": 0.80, "2": 0.83, "3": 0.79}).spread == pytest.approx(0.04)


@pytest.mark.parametrize(("value", "expected"), [(0.04, "+0.04"), (-0.05, "-0.05"), (2.0, "+2"), (1234.5678, "+1235")])
def test_number_formats(value, expected):
    assert render.signed(value) == expected


def _run(run_id: str, status: str = "FINISHED", parent: str | None = None) -> RunView:
    return RunView(run_id, run_id, "1", status, 0, 1, "ada", tags={PARENT_TAG: parent} if parent else {})


def test_grouping_children_parents_failures_and_never_a_sweep_of_unrelated_runs():
    runs = [
        _run("p"),
        _run("c1", parent="p"),
        _run("c2", "FAILED", parent="p"),
        _run("solo"),
        _run("bad", "KILLED"),
        _run("c3", parent="elsewhere"),
    ]
    batch = group(runs, RunsConfig())
    assert [r.run_id for r in batch.singles] == ["solo"]
    assert [r.run_id for r in batch.failed] == ["bad"]
    by_key = {s.key: s for s in batch.sweeps}
    assert by_key["p"].parent.run_id == "p"
    assert [r.run_id for r in by_key["p"].finished] == ["c1"] and [r.run_id for r in by_key["p"].failed] == ["c2"]
    assert by_key["elsewhere"].parent is None
    many = group([_run(f"r{n}") for n in range(6)], RunsConfig())  # only the parent tag makes a sweep
    assert [r.run_id for r in many.singles] == [f"r{n}" for n in range(6)] and many.sweeps == []
