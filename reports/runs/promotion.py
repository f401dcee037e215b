"""Promote: point the watch's model alias at a run's version, safely.

The candidate is measured against the champion of the moment the button is pressed, not the one on the
card: a card can be days old. A candidate that does not beat that champion (worse, equal, inside the seed
noise or below the watch's minimum effect) is promoted only after a second, explicit confirmation. Each
promotion is recorded on the model version as tags, so MLflow shows who moved the alias, when, from which
Slack message and over which version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from reports.runs import announce, baseline, render, source, sweeps
from reports.runs.config import RunsConfig, for_watch
from reports.runs.models import RunWatch

log = logging.getLogger(__name__)
NO_CHAMPION = "none"
TAG = "ritualbot."


@dataclass(frozen=True)
class Press:
    """A Promote button's value: `watch:run[:sweep key]`, and on "Promote anyway" the champion version the
    person saw when they confirmed (`watch:run:sweep key:version`)."""

    watch_id: int | None
    run_id: str
    sweep_key: str
    seen_champion: str | None

    @classmethod
    def parse(cls, value: str) -> Press:
        watch_id, _, rest = value.partition(":")
        run_id, _, rest = rest.partition(":")
        sweep_key, _, seen = rest.partition(":")
        return cls(int(watch_id) if watch_id.isdigit() else None, run_id, sweep_key, seen or None)

    def anyway(self, champion_version: str | None) -> str:
        return f"{self.watch_id}:{self.run_id}:{self.sweep_key}:{champion_version or NO_CHAMPION}"


@dataclass(frozen=True)
class Outcome:
    """`promoted`: the note posted in the channel; else `text`/`blocks` ask the presser to confirm (ephemeral)."""

    promoted: bool
    text: str
    blocks: list | None = None


def promote(
    s: Session,
    mlflow: MlflowClient,
    config: RunsConfig,
    *,
    value: str,
    user_id: str,
    channel_id: str,
    thread_ts: str | None,
    now: datetime,
    members_of: Callable[[str], Iterable[str]] | None = None,
    anyway: bool = False,
) -> Outcome:
    """Promote the run of `value` unless the current champion is at least as good; `anyway` (the second
    confirmation) promotes a run that is not better, provided the champion is still the one shown."""
    if not config.may_promote(user_id, members_of):
        groups = " or ".join(f"`{g}`" for g in config.promoter_groups)
        raise UserError(
            "Only the people listed under `runs.promoters` (or RITUALBOT_ADMINS)"
            + (f", and members of {groups}," if groups else "")
            + " can promote a model. Ask one of them."
        )
    press = Press.parse(value)
    row = s.get(RunWatch, press.watch_id) if press.watch_id is not None else None
    if row is None or not row.registered_model or not press.run_id:
        raise UserError("This button is out of date: the watch is gone or has no registered model.")
    model, alias = row.registered_model, config.alias
    config = for_watch(config, row.directions, row.min_effect)
    run = source.get_run(mlflow, press.run_id)
    current = source.alias_run(mlflow, model, alias)
    if current and current[1] == run.run_id:
        raise UserError(f"Run `{run.name}` is already `{model}@{alias}`.")
    champion = _champion(mlflow, current, model, alias)
    primary = row.primary_metric or baseline.choose_primary([run], config)
    comparison = baseline.compare_to(mlflow, run, champion, primary, config) if champion else None
    seen_now = current[0] if current else NO_CHAMPION
    if comparison is not None and not (comparison.verdict and comparison.verdict.beats):
        if not anyway or press.seen_champion != seen_now:
            text, blocks = render.second_confirmation(comparison, model, alias, press.anyway(seen_now), config.ui_url)
            log.info("promotion needs confirmation model=%s run=%s champion=%s", model, run.run_id, seen_now)
            return Outcome(False, text, blocks)
    version = source.version_for_run(mlflow, model, run.run_id)
    ref = announce.sweep_ref(row.id, press.sweep_key) if press.sweep_key else announce.card_ref(row.id, run.run_id)
    card = outbox.find_by_ref(s, ref)
    where = f"{card.channel}/{card.ts}" if card is not None and card.ts else f"{channel_id}/{thread_ts or ''}"
    tags = {
        f"{TAG}promoted_by": user_id,
        f"{TAG}promoted_at": now.isoformat(timespec="seconds"),
        f"{TAG}promoted_from": f"slack:{where}",
        f"{TAG}previous_version": seen_now,
        f"{TAG}alias": alias,
    }
    if comparison is not None and not (comparison.verdict and comparison.verdict.beats):
        tags[f"{TAG}confirmed_not_better"] = "true"
    source.set_alias(mlflow, model, alias, version, tags)
    challenger = source.alias_run(mlflow, model, config.challenger_alias)
    if challenger and challenger[0] == version:  # the challenger became the champion
        source.drop_alias(mlflow, model, config.challenger_alias)
    _seen_by_watches(s, model, version)
    text = render.promoted(user_id, run, version, model, alias, config.ui_url, seen_now)
    if anyway or card is None:
        outbox.post(s, channel=row.channel_id, team_id=row.team_id, text=text, now=now, thread_of=card)
    else:
        outbox.post(s, channel=channel_id, team_id=row.team_id, text=text, now=now, thread_ts=thread_ts)
    shown = sweeps.latest_payload(s, card) if card is not None else {}
    if card is not None and shown.get("blocks"):  # a sweep's message as last edited, not as first posted
        outbox.update(s, card, text=shown["text"], now=now, blocks=render.without_promote(shown["blocks"], text))
    log.info(
        "model promoted model=%s alias=%s version=%s previous=%s run=%s by=%s",
        model,
        alias,
        version,
        seen_now,
        run.run_id,
        user_id,
    )
    return Outcome(True, text)


def _champion(
    mlflow: MlflowClient, current: tuple[str, str | None] | None, model: str, alias: str
) -> baseline.Baseline | None:
    if current is None or not current[1]:
        return None
    return baseline.Baseline("champion", source.get_run(mlflow, current[1]), model, current[0], alias)


def _seen_by_watches(s: Session, model: str, version: str) -> None:
    """Every watch of the model knows the alias moved here, so neither a webhook nor a poll announces it again."""
    for row in s.scalars(select(RunWatch).where(RunWatch.registered_model == model)):
        row.champion_version = version
