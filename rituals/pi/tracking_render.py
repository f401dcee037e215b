"""How a measured hypothesis reads in PI messages: its verdict with the latest, best and champion values
and a small trend chart (a sparkline of the recent runs), and the DM that tells the owner it was met."""

from __future__ import annotations

from bot import blocks as bk
from bot.blocks import Blocks
from bot.text import escape, mrkdwn
from rituals.pi.ids import Action
from rituals.pi.models import Objective
from rituals.pi.tracking_models import Hypothesis
from rituals.pi.verdict import ICONS, NAMES

BARS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 12


def sparkline(values: list[float]) -> str:
    """The values as block characters, lowest ▁ to highest █ (a flat series is mid-height)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return BARS[3] * len(values)
    return "".join(BARS[round((v - low) / (high - low) * (len(BARS) - 1))] for v in values)


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def line(o: Objective) -> str | None:
    """`:icon: *verdict* · best 0.874 (run) · latest … · champion … · trend ▁▃█`, None without a hypothesis."""
    row: Hypothesis | None = o.hypothesis
    if row is None or o.metric is None:
        return None
    parts = [f"{ICONS[row.verdict]} *{NAMES[row.verdict]}*"]
    if row.best_value is not None:
        parts.append(f"best {_value(row.best_value)} ({escape(row.best_run or '?')})")
    if row.latest_value is not None:
        parts.append(f"latest {_value(row.latest_value)}")
    if row.alias:
        champion = f"{_value(row.champion_value)} (v{row.champion_version})" if row.champion_version else "not set"
        parts.append(f"{escape(row.model or '')}@{escape(row.alias)} {champion}")
    values = [float(v) for _, v in row.points][-SPARK_POINTS:]
    if len(values) >= 2:
        parts.append(f"trend `{sparkline(values)}`")
    if row.error:
        parts.append(f"_MLflow unreachable at the last check: {escape(row.error[:120])}_")
    return " · ".join(parts)


def met_dm(o: Objective) -> tuple[str, Blocks]:
    row = o.hypothesis
    assert row is not None and o.target is not None
    target = f"{o.metric} {o.comparator} {o.target:g}"
    model = f"{escape(row.model or '')}@{escape(row.alias or '')}"
    by = (
        f"{model} (version {row.champion_version}) has {_value(row.champion_value)}"
        if row.alias
        else f"run *{escape(row.met_run or '?')}* logged {_value(row.best_value)}"
    )
    text = f"Your ML hypothesis `{escape(target)}` for “{mrkdwn(o.title)}” is met: {by}."
    out: Blocks = [
        bk.section(text, accessory=bk.button("Mark done", Action.HYPOTHESIS_DONE, str(o.id), style="primary")),
        bk.context(f"Experiment `{escape(o.experiment or '')}` · marking it done records this week's check-in."),
    ]
    return text, out
