"""Chart images (matplotlib, headless): one figure factory and one PNG encoder for every report."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402  (after choosing the headless backend)


def new_figure(width: float = 8.0, height: float = 4.0) -> tuple[Any, Any]:
    """A figure and its axes in the house look; always pass the figure to `to_png`."""
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def to_png(fig: Any) -> bytes:
    """Encode and close (figures are not garbage-collected by pyplot otherwise)."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
