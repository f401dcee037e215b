"""A sweep's one message (a parent run and its trials): best trials so far against the baseline while it
runs, then the final summary with the params the best trials varied. Edited in place as trials end."""

from __future__ import annotations

from dataclasses import dataclass

from bot import blocks as b
from bot.templates import render as template
from bot.text import escape
from reports.runs import render
from reports.runs.baseline import Comparison
from reports.runs.source import RunView

MAX_VARIED = 4


@dataclass(frozen=True)
class Tally:
    finished: int
    failed: int
    running: int
    done: bool  # the parent ended (or died) and no trial is running: this is the final summary


def card(
    title: str,
    tally: Tally,
    best: list[Comparison],
    varied: dict[str, list[str]],
    ui_url: str | None,
    parent: RunView | None,
    promote_value: str | None,
) -> tuple[str, b.Blocks]:
    """`varied`: the params whose values differ between the sweep's finished trials, with those values."""
    ended = tally.finished + tally.failed
    if tally.done:
        headline = template(render.PKG, "sweep.md.j2", count=ended, title=escape(title), failed=tally.failed)
        if parent is not None and parent.status not in ("FINISHED", "RUNNING"):
            headline += f" The parent run ended {parent.status.lower()}."
        elif parent is not None and parent.status == "RUNNING":
            headline += " The parent run stopped logging (stalled) before it ended."
    else:
        failed = f" ({tally.failed} failed or killed)" if tally.failed else ""
        still = f"{tally.running} still running" if tally.running else "the parent run is still running"
        headline = f"{ended} of {ended + tally.running} trials of {escape(title)} have ended so far{failed}; {still}."
    blocks: b.Blocks = [b.header(f"Sweep {'finished' if tally.done else 'running'}: {title}"), b.section(headline)]
    if best:
        first = best[0]
        so_far = "" if tally.done else " so far"
        blocks.append(
            b.section(
                f"Best {len(best)}{so_far} on `{escape(first.primary or '')}`. {render.baseline_text(first, ui_url)}"
            )
        )
        for n, c in enumerate(best, 1):
            lines = [f"{n}. {render.link(c.run, ui_url)}"]
            lines += [render.delta_line(d) for d in c.deltas if d.name == c.primary]
            if c.primary and not c.deltas and c.primary in c.run.metrics:
                lines.append(f"`{escape(c.primary)}` {render.num(c.run.metrics[c.primary])}")
            shown = [f"`{escape(k)}` {escape(c.run.params[k][:32])}" for k in varied if k in c.run.params]
            if shown:
                lines.append(" · ".join(shown[:MAX_VARIED]))
            blocks.append(b.section("\n".join(lines)))
        verdict = render.verdict_text(first)
        if verdict:
            blocks.append(b.section(f"{'Best run' if tally.done else 'Best so far'}: {verdict}"))
        if promote_value and first.verdict and first.verdict.beats:
            blocks.append(b.actions(render.promote_button(first, promote_value)))
    if tally.done and varied:
        listed = ", ".join(
            f"`{escape(k)}` ({len(v)} value{'s' if len(v) != 1 else ''})" for k, v in list(varied.items())[:8]
        )
        blocks.append(b.section(f"Params varied: {listed}"))
    if parent is not None:
        blocks.append(b.context(f"Parent run {render.link(parent, ui_url)}"))
    return headline.replace("*", "").replace("`", ""), blocks


def varied_params(trials: list[RunView]) -> dict[str, list[str]]:
    """Params with more than one value among the trials (a param some trials lack counts as varied), known
    hyperparameters first, paths and names last."""
    values: dict[str, set[str]] = {}
    for run in trials:
        for k, v in run.params.items():
            values.setdefault(k, set()).add(v)
    lacking = {k for k in values for run in trials if k not in run.params}
    found = {k: sorted(v) for k, v in values.items() if len(v) > 1 or k in lacking}
    return dict(sorted(found.items(), key=lambda kv: (render.param_rank((kv[0], "a", "b")), kv[0])))
