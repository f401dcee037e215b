"""Predictability per PI over time as a PNG (the shared headless chart helper)."""

from __future__ import annotations

from bot.charts import new_figure, to_png
from bot.text import plain
from rituals.pi.predictability import History


def predictability_png(history: list[History]) -> bytes:
    fig, ax = new_figure(8, 4)
    names = [h.name for h in history]
    values = [float(h.percent) if h.percent is not None else 0.0 for h in history]
    ax.axhspan(80, 100, color="tab:green", alpha=0.12, label="80–100% (predictable)")
    ax.plot(names, values, marker="o", color="tab:blue")
    for x, y in zip(names, values, strict=True):
        ax.annotate(f"{y:.0f}%", (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_ylabel("Predictability (actual / planned BV)")
    ax.set_ylim(0, max(120.0, max(values) + 15))
    ax.legend(loc="lower right")
    return to_png(fig)


def predictability_alt_text(history: list[History]) -> str:
    """The chart in words, for screen readers: each PI's predictability, oldest first."""
    points = ", ".join(
        f"{plain(h.name)} {h.percent:.0f}%" if h.percent is not None else f"{plain(h.name)} n/a" for h in history
    )
    return f"Line chart of predictability (actual / planned business value) per PI, 80–100% is predictable: {points}."
