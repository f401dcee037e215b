"""Predictability per PI over time as a PNG (the shared headless chart helper)."""

from __future__ import annotations

from bot.charts import new_figure, to_png
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
