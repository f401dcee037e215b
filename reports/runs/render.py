"""Runs messages as (text, blocks): the run card, the sweep summary, failure notes, promotion."""

from __future__ import annotations

import re

from bot import blocks as b
from bot.templates import render as template
from bot.text import escape
from reports.runs.analysis import MetricDelta
from reports.runs.baseline import Comparison
from reports.runs.ids import Action
from reports.runs.models import RunWatch
from reports.runs.source import RunView

PKG = "reports.runs"
MARK = {"better": "🟢", "worse": "🔴"}
MAX_METRICS = 12
MAX_PARAMS = 6
INCIDENTAL = frozenset("dir path file name hub url id ids logging report save output cache push token".split())
HYPERPARAMETERS = frozenset(
    "lr learning rate batch epochs epoch depth dropout decay warmup optimizer optim scheduler momentum layers "
    "hidden heads estimators alpha lambda gamma c max_len seq model".split()
)
_WORDS = re.compile(r"[a-z0-9]+")
REASON_TAGS = ("error", "error_message", "exception", "failure_reason", "mlflow.note.content")
NOUN = {"champion": "champion", "best": "the best run", "previous": "the previous run", "given": "the other run"}


def num(value: float) -> str:
    return f"{value:.4g}"


def signed(value: float) -> str:
    return f"{value:+.4g}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def duration(run: RunView) -> str:
    if not run.end_ms or not run.start_ms:
        return "unknown time"
    seconds = max(0, (run.end_ms - run.start_ms) // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def link(run: RunView, ui_url: str | None) -> str:
    name = f"`{escape(run.name)}`"
    if not ui_url:
        return name
    return f"<{escape(ui_url)}#/experiments/{run.experiment_id}/runs/{run.run_id}|{escape(run.name)}>"


def delta_line(d: MetricDelta) -> str:
    mark = MARK.get(d.outcome, "•")
    word = f" {d.outcome}" if d.outcome in MARK else ""
    change = f"{signed(d.absolute)} ({percent(d.relative)})"
    return f"{mark} `{escape(d.name)}` {num(d.value)} vs {num(d.baseline)}: {change}{word}"


def baseline_text(c: Comparison, ui_url: str | None) -> str:
    base = c.baseline
    if base is None:
        return template(PKG, "baseline.md.j2", kind="none", primary=_e(c.primary), run_name=escape(c.run.name))
    return template(
        PKG,
        "baseline.md.j2",
        kind=base.kind,
        model=_e(base.model),
        alias=_e(base.alias),
        version=base.version,
        run=link(base.run, ui_url),
        primary=_e(c.primary),
        run_name=escape(base.run.name),
    )


def verdict_text(c: Comparison) -> str:
    if c.verdict is None:
        return ""
    primary = next((d for d in c.deltas if d.name == c.primary), None)
    return template(
        PKG,
        "verdict.md.j2",
        reason=c.verdict.reason,
        within_noise=c.verdict.within_noise,
        noun=NOUN[c.baseline.kind] if c.baseline else "",
        primary=_e(c.primary),
        delta=signed(primary.absolute) if primary else "",
        spread=num(c.noise.spread) if c.noise else "",
        seeds=c.noise.seeds if c.noise else 0,
        relative=percent(primary.relative) if primary else "",
        min_effect=f"{c.min_effect:.1%}",
    )


def card(
    c: Comparison,
    experiment: str,
    ui_url: str | None,
    promote_value: str | None,
    challenger: tuple[str, str, str] | None = None,
) -> tuple[str, b.Blocks]:
    """A run's card; `challenger` (model, alias, version) when the run's model version is the challenger."""
    run = c.run
    verdict = verdict_text(c)
    blocks: b.Blocks = [
        b.header(f"Run finished: {run.name}"),
        b.section(f"*{escape(experiment)}* · {link(run, ui_url)}\n{verdict}".rstrip()),
    ]
    blocks.append(b.section(baseline_text(c, ui_url)))
    if challenger:
        model, alias, version = (escape(x) for x in challenger)
        blocks.append(b.section(f":arrow_up: This run is `{model}@{alias}` (version {version}), next in line."))
    if c.deltas:
        blocks.append(b.section("\n".join(delta_line(d) for d in c.deltas[:MAX_METRICS])))
    elif run.metrics:  # nothing to compare with: the values themselves
        blocks.append(b.section(values(run, c.primary)))
    if c.params:
        blocks.append(b.section(params_text(c, ui_url)))
    blocks.append(b.context(*_facts(run)))
    if promote_value and c.verdict and c.verdict.beats:
        blocks.append(b.actions(promote_button(c, promote_value)))
    text = f"Run {escape(run.name)} finished in {escape(experiment)}. {_plain(verdict)}".strip()
    return text, blocks


def values(run: RunView, primary: str | None) -> str:
    names = sorted(run.metrics, key=lambda m: (m != primary, m))
    shown = [f"• `{escape(m)}` {num(run.metrics[m])}" for m in names[:MAX_METRICS]]
    more = len(names) - len(shown)
    return "\n".join(shown) + (f"\n… and {more} more metrics" if more > 0 else "")


def params_text(c: Comparison, ui_url: str | None) -> str:
    """The few changed params that say most (known hyperparameters, then other changed values, then added or
    removed ones, paths and names last), each cut short, and a link to the run for the rest."""
    ranked = sorted(c.params, key=lambda p: (param_rank(p), p[0]))
    shown = ", ".join(
        f"`{escape(n[:40])}` {escape(_cut(old or '∅'))} → {escape(_cut(new or '∅'))}"
        for n, old, new in ranked[:MAX_PARAMS]
    )
    more = len(ranked) - MAX_PARAMS
    if more > 0:
        rest = f"<{escape(ui_url)}#/experiments/{c.run.experiment_id}/runs/{c.run.run_id}|all params>" if ui_url else ""
        shown += f" … and {more} more" + (f" ({rest})" if rest else "")
    return f"Params changed: {shown}"


def param_rank(param: tuple[str, str | None, str | None]) -> int:
    name, old, new = param
    words = set(_WORDS.findall(name.lower()))
    if words & INCIDENTAL:
        return 3
    if old is None or new is None:
        return 2
    return 0 if words & HYPERPARAMETERS else 1


def _cut(value: str, limit: int = 32) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def promote_button(c: Comparison, value: str) -> dict:
    """The Promote button, whose confirm dialog shows the candidate and the champion it was measured against."""
    return b.button("Promote to champion", Action.PROMOTE, value, style="primary", confirm=promote_confirm(c))


def promote_confirm(c: Comparison) -> dict:
    metric = c.primary
    mine = f" (`{escape(metric)}` {num(c.run.metrics[metric])})" if metric and metric in c.run.metrics else ""
    base = c.baseline
    if base is None or base.kind != "champion":
        against = "There is no champion yet."
    else:
        theirs = f" (`{escape(metric)}` {num(base.run.metrics[metric])})" if metric in base.run.metrics else ""
        against = f"Champion now: {escape(base.run.name)}, version {base.version}{theirs}."
    body = (
        f"Candidate: {escape(c.run.name)}{mine}.\n{against}\n"
        "If the champion has changed since, I compare again before moving the alias."
    )
    return b.confirm_dialog("Promote to champion?", body, ok="Promote")


def second_confirmation(c: Comparison, model: str, alias: str, value: str, ui_url: str | None) -> tuple[str, b.Blocks]:
    """What the presser sees when the champion of now is at least as good as the candidate."""
    base = c.baseline
    assert base is not None
    found = next((d for d in c.deltas if d.name == c.primary), None)
    why = verdict_text(c).replace("Challenger", "Candidate", 1)
    numbers = (
        f"`{escape(found.name)}`: candidate {num(found.value)}, champion {num(found.baseline)}"
        if found
        else f"`{escape(c.primary or 'no primary metric')}` is missing from one of them"
    )
    text = (
        f":warning: {link(c.run, ui_url)} is not better than `{escape(model)}@{escape(alias)}` as it is now "
        f"(version {base.version}, run {link(base.run, ui_url)}): {numbers}. Promote it anyway?"
    )
    confirm = b.confirm_dialog(
        "Replace a better champion?",
        f"{numbers}. `{escape(model)}@{escape(alias)}` moves from version {base.version} to the candidate.",
        ok="Promote anyway",
    )
    blocks: b.Blocks = [
        b.section(text),
        b.context(_plain(why)[:300]),
        b.actions(b.button("Promote anyway", Action.PROMOTE_ANYWAY, value, style="danger", confirm=confirm)),
    ]
    return _plain(text), blocks


def _facts(run: RunView) -> list[str]:
    facts = [f"Duration {duration(run)}", f"User {escape(run.user or 'unknown')}"]
    tags = run.user_tags
    if tags:
        shown = ", ".join(f"{escape(k)}={escape(v)}" for k, v in sorted(tags.items())[:8])
        facts.append(f"Tags: {shown}")
    return facts


def failed(run: RunView, experiment: str, ui_url: str | None) -> str:
    return template(
        PKG,
        "failed.md.j2",
        run=link(run, ui_url),
        experiment=escape(experiment),
        status=run.status,
        duration=duration(run),
        user=escape(run.user),
        reason=escape(_cut(reason(run), 200)) if reason(run) else None,
    )


def reason(run: RunView) -> str:
    """What MLflow has on why a run failed: an error tag the training code set, or the run's note."""
    found = next((run.tags[t] for t in REASON_TAGS if run.tags.get(t)), "")
    return " ".join(found.split())


def promoted(
    user: str, run: RunView, version: str, model: str, alias: str, ui_url: str | None, previous: str | None = None
) -> str:
    return template(
        PKG,
        "promoted.md.j2",
        user=user,
        run=link(run, ui_url),
        version=version,
        model=escape(model),
        alias=escape(alias),
        previous=previous if previous and previous != "none" else None,
    )


def alias_moved(model: str, alias: str, version: str, previous: str | None, run: RunView | None, ui: str | None) -> str:
    """An alias moved outside Slack (MLflow UI, API, CI)."""
    was = f" (was version {previous})" if previous else ""
    made = f", run {link(run, ui)}" if run else ""
    return (
        f":label: `{escape(model)}@{escape(alias)}` now points at version {escape(version)}{made}{was}, set in MLflow."
    )


def alias_removed(model: str, alias: str, previous: str | None) -> str:
    was = f" (it pointed at version {escape(previous)})" if previous else ""
    return f":label: `{escape(model)}@{escape(alias)}` was removed in MLflow{was}."


def without_promote(blocks: b.Blocks, note: str) -> b.Blocks:
    """A card after its run was promoted: the button gives way to who promoted it."""
    kept = [
        blk
        for blk in blocks
        if not (
            blk.get("type") == "actions" and any(e.get("action_id") == Action.PROMOTE for e in blk.get("elements", []))
        )
    ]
    return [*kept, b.context(note)]


def watch_line(watch: RunWatch, from_file: bool) -> str:
    """One watch in `/runs list`."""
    line = f"• *{escape(watch.experiment_name)}* (id {watch.experiment_id})"
    if watch.primary_metric:
        line += f", primary `{escape(watch.primary_metric)}`"
    if from_file:
        line += " — from ritualbot.yaml"
    if watch.last_error:
        line += f"\n   :warning: the last poll failed: {escape(watch.last_error[:160])} (retried every poll)"
    return line


def digest_line(watch: RunWatch, finished: int, failed: int, ui_url: str | None) -> str:
    """One watched experiment in the channel digest."""
    line = f"• *{escape(watch.experiment_name)}*: "
    if not finished and not failed:
        line += "no runs finished"
    else:
        line += f"{finished} finished" + (f", {failed} failed or killed" if failed else "")
    if watch.best_metric and watch.best_value is not None:
        value = num(watch.best_value)
        if ui_url and watch.best_run_id:
            value = f"<{escape(ui_url)}#/experiments/{watch.experiment_id}/runs/{watch.best_run_id}|{value}>"
        line += f" · best on `{escape(watch.best_metric)}` so far: {value}"
    return line


def digest_summary(finished: int, failed: int) -> str:
    total = finished + failed
    if not total:
        return "no MLflow runs finished"
    return f"{total} MLflow run{'s' if total != 1 else ''} finished" + (f" ({failed} failed)" if failed else "")


def _e(text: str | None) -> str | None:
    """Escaped for mrkdwn, None kept (the templates test for it)."""
    return None if text is None else escape(text)


def _plain(text: str) -> str:
    return text.replace("*", "").replace("`", "")
