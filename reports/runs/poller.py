"""One poll of a watch: runs that reached a terminal state since the watermark, minus those
already announced, grouped into single runs, failures and sweeps (children of one parent run: only
the `mlflow.parentRunId` tag groups runs, never finishing in the same poll).

The query is `end_time >= watermark - lookback`, inclusive, so a run ending in the same
millisecond as the watermark is read again and dropped by its stored run id, never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.runs import source, sweeps
from reports.runs.config import RunsConfig
from reports.runs.models import AnnouncedRun, RunWatch
from reports.runs.source import RunView

CHUNK = 500


@dataclass
class Sweep:
    """The children of one parent run that ended in this poll (and the parent, when it ended too)."""

    key: str
    parent_id: str
    parent: RunView | None = None
    finished: list[RunView] = field(default_factory=list)
    failed: list[RunView] = field(default_factory=list)


@dataclass
class Batch:
    singles: list[RunView] = field(default_factory=list)
    failed: list[RunView] = field(default_factory=list)
    sweeps: list[Sweep] = field(default_factory=list)
    watermark_ms: int = 0

    @property
    def runs(self) -> list[RunView]:
        grouped = [r for sw in self.sweeps for r in [*sw.finished, *sw.failed, *([sw.parent] if sw.parent else [])]]
        return [*self.singles, *self.failed, *grouped]


def fetch(s: Session, mlflow: MlflowClient, watch: RunWatch, config: RunsConfig) -> Batch:
    started = watch.since_ms or 0  # the lookback covers clock skew, never runs that ended before the watch began
    since = max(0, watch.watermark_ms - config.lookback_seconds * 1000, started)
    ended = source.ended_since(mlflow, watch.experiment_id, since)
    known = announced(s, watch.id, [r.run_id for r in ended])
    batch = group([r for r in ended if r.run_id not in known and (r.end_ms or 0) >= started], config)
    _parents_of_earlier_sweeps(s, watch.id, batch)
    batch.watermark_ms = max([watch.watermark_ms, *(r.end_ms or 0 for r in ended)])
    return batch


def announced(s: Session, watch_id: int, run_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(run_ids), CHUNK):
        found.update(
            s.scalars(
                select(AnnouncedRun.run_id).where(
                    AnnouncedRun.watch_id == watch_id, AnnouncedRun.run_id.in_(run_ids[i : i + CHUNK])
                )
            )
        )
    return found


def _parents_of_earlier_sweeps(s: Session, watch_id: int, batch: Batch) -> None:
    """A parent ending after its trials were posted closes its sweep (the final summary), not a card of its own."""
    parents = sweeps.tracked(s, watch_id, [r.run_id for r in [*batch.singles, *batch.failed]])
    for run in [r for r in [*batch.singles, *batch.failed] if r.run_id in parents]:
        batch.sweeps.append(Sweep(key=run.run_id, parent_id=run.run_id, parent=run))
    batch.singles = [r for r in batch.singles if r.run_id not in parents]
    batch.failed = [r for r in batch.failed if r.run_id not in parents]


def group(runs: list[RunView], config: RunsConfig) -> Batch:
    """Children go to their parent's sweep, a parent in the same poll becomes the sweep's header; other runs
    are cards (or failure notes) of their own, however many end in one poll."""
    batch = Batch()
    found: dict[str, Sweep] = {}
    for run in runs:
        if run.parent_id:
            sweep = found.setdefault(run.parent_id, Sweep(key=run.parent_id, parent_id=run.parent_id))
            (sweep.finished if run.status == "FINISHED" else sweep.failed).append(run)
    top: list[RunView] = []
    for run in runs:
        if run.parent_id:
            continue
        if run.run_id in found:
            found[run.run_id].parent = run
        elif run.status != "FINISHED":
            batch.failed.append(run)
        else:
            top.append(run)
    batch.singles = top
    batch.sweeps = list(found.values())
    return batch
