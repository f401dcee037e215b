"""Comparing a run to its baseline: metric directions, deltas, changed params, verdict, noise.

Pure functions on plain values, so every rule has a table-driven test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Words of a metric's name that say which way is better (sklearn autolog, HF Trainer, torchmetrics, GenAI scorers).
LOWER = frozenset(
    "loss error err rmse mse mae msle rmsle mape smape wape logloss nll perplexity ppl wer cer ter "
    "brier hinge latency fpr fnr far frr eer distance divergence kl".split()
)
HIGHER = frozenset(
    "accuracy acc auc roc f1 f2 fbeta precision recall r2 map ndcg bleu rouge rouge1 rouge2 rougel rougelsum "
    "meteor chrf bertscore iou miou dice jaccard mcc kappa ap top1 top5 topk hitrate hit mrr psnr ssim "
    "specificity sensitivity tpr tnr exact em correctness relevance groundedness faithfulness safety".split()
)
SCORER_STATS = ("/mean", "/median", "/p50", "/p90", "/min", "/max")
_WORDS = re.compile(r"[a-z0-9]+")


def direction(metric: str, configured: Mapping[str, str] | None = None) -> str:
    """'lower', 'higher' or 'neutral': configuration first, else by a word of the metric's name
    (`val_loss`, `eval/f1`, `test-rmse`, `rougeL`); `lossless_ratio` is not a loss. A GenAI scorer's
    aggregate (`correctness/mean`) is a pass rate unless its name says otherwise (`latency/mean`)."""
    if configured and metric in configured:
        return configured[metric]
    name = metric.lower()
    words = _WORDS.findall(name)
    if any(w in LOWER for w in words):
        return "lower"
    if any(w in HIGHER for w in words) or "explained_variance" in name:
        return "higher"
    if name.endswith(SCORER_STATS):
        return "higher"
    return "neutral"


def first_word(metric: str) -> str:
    words = _WORDS.findall(metric.lower())
    return words[0] if words else ""


@dataclass(frozen=True)
class MetricDelta:
    name: str
    value: float
    baseline: float
    absolute: float
    relative: float | None  # None when the baseline is 0
    direction: str
    outcome: str  # better | worse | same | neutral


def delta(name: str, value: float, baseline: float, how: str) -> MetricDelta:
    absolute = value - baseline
    relative = absolute / abs(baseline) if baseline else None
    if how == "neutral":
        outcome = "neutral"
    elif math.isclose(value, baseline, rel_tol=1e-12, abs_tol=1e-15):
        outcome = "same"
    else:
        outcome = "better" if (absolute < 0) == (how == "lower") else "worse"
    return MetricDelta(name, value, baseline, absolute, relative, how, outcome)


def deltas(
    run: Mapping[str, float],
    baseline: Mapping[str, float],
    primary: str | None,
    configured: Mapping[str, str] | None = None,
) -> list[MetricDelta]:
    """Every metric both runs have; the primary metric first, then by name."""
    common = sorted(set(run) & set(baseline), key=lambda m: (m != primary, m))
    return [delta(m, run[m], baseline[m], direction(m, configured)) for m in common]


def changed_params(run: Mapping[str, str], baseline: Mapping[str, str]) -> list[tuple[str, str | None, str | None]]:
    """(name, baseline value, run value) for every param added, removed or changed."""
    names = sorted(set(run) | set(baseline))
    return [(n, baseline.get(n), run.get(n)) for n in names if run.get(n) != baseline.get(n)]


@dataclass(frozen=True)
class Noise:
    """Seed-to-seed spread of the primary metric over runs of the baseline's configuration."""

    seeds: int
    spread: float  # max - min

    def covers(self, absolute_delta: float) -> bool:
        return abs(absolute_delta) <= self.spread


def noise(values_by_seed: Mapping[str, float]) -> Noise | None:
    """The spread across distinct seeds; needs at least two seeds to say anything."""
    if len(values_by_seed) < 2:
        return None
    values = list(values_by_seed.values())
    return Noise(seeds=len(values), spread=max(values) - min(values))


@dataclass(frozen=True)
class Verdict:
    beats: bool
    within_noise: bool
    reason: str  # beats | worse | same | neutral | missing | noise | small


DEFAULT_MIN_EFFECT = 0.005  # relative: a win smaller than 0.5 % of the baseline is not one


def verdict(
    primary: str | None, compared: list[MetricDelta], spread: Noise | None, min_effect: float = DEFAULT_MIN_EFFECT
) -> Verdict:
    """Does the run beat the baseline on the primary metric? A win inside the seed spread is not one,
    nor one smaller than `min_effect` (relative to the baseline; absolute when the baseline is 0)."""
    found = next((d for d in compared if d.name == primary), None)
    if found is None:
        return Verdict(False, False, "missing")
    if found.outcome != "better":
        return Verdict(False, spread is not None and spread.covers(found.absolute), found.outcome)
    if spread is not None and spread.covers(found.absolute):
        return Verdict(False, True, "noise")
    size = abs(found.relative) if found.relative is not None else abs(found.absolute)
    if size < min_effect:
        return Verdict(False, False, "small")
    return Verdict(True, False, "beats")


def rank_key(values: Mapping[str, float], primary: str, how: str) -> float:
    """Sort key putting the best run first (missing metric last)."""
    if primary not in values:
        return math.inf
    return values[primary] if how == "lower" else -values[primary]
