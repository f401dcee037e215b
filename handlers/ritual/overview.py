"""Rendering shared by /ritual and App Home: the command list, the status of rituals, the Home tab."""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.capabilities import StatusLine
from bot.text import mrkdwn

EMPTY_STATE = (
    "Nothing is set up yet. Start with `/ritual digest on` in a team channel to get a daily "
    "digest there, and `/ritual help` for every command."
)


def help_blocks(entries: list[tuple[str, str]]) -> blocks.Blocks:
    lines = "\n".join(f"`{usage}` — {description}" for usage, description in entries)
    return [blocks.header("ritualbot commands"), blocks.section(lines)]


def help_text(entries: list[tuple[str, str]]) -> str:
    return "ritualbot commands: " + "; ".join(usage for usage, _ in entries)


def status_blocks(groups: dict[str, list[StatusLine]], *, where: str) -> blocks.Blocks:
    lines = [line for group in groups.values() for line in group]
    if not lines:
        return [blocks.section(f"*Rituals and reports {where}*\n{EMPTY_STATE}")]
    workspace = where == "in this workspace"
    body = "\n".join(  # status lines are human text (bot.text): rendered here
        f"• *{mrkdwn(line.title)}*{f' in <#{line.channel_id}>' if line.channel_id and workspace else ''}"
        f" — {mrkdwn(line.detail)}"
        for line in lines
    )
    return [blocks.section(f"*Rituals and reports {where}*\n{body}")]


def status_text(groups: dict[str, list[StatusLine]]) -> str:
    count = sum(len(g) for g in groups.values())
    return f"{count} rituals and reports configured" if count else "Nothing is set up yet"


def home_view(
    groups: dict[str, list[StatusLine]], personal: blocks.Blocks | None = None, team: blocks.Blocks | None = None
) -> dict[str, Any]:
    """The person's own page, the team's (for a lead), then the workspace's configuration."""
    body = [
        blocks.header("ritualbot"),
        *(personal or []),
        *([blocks.divider(), *team] if team else []),
        blocks.divider(),
        *status_blocks(groups, where="in this workspace"),
        blocks.context("Type `/ritual help` in any channel for every command."),
    ]
    return {"type": "home", "blocks": blocks.truncate_blocks(body, blocks.MAX_BLOCKS_VIEW)}
