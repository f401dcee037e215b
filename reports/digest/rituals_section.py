"""The digest's first section: what this channel has running (from every capability's status)."""

from __future__ import annotations

from bot import blocks
from bot.capabilities import Section, SectionContext, StatusLine
from bot.text import mrkdwn


def section_for(lines: list[StatusLine]) -> Section:
    if not lines:
        body = "Nothing is set up in this channel yet. Run `/ritual help` to see what you can start."
    else:
        body = "\n".join(f"• *{mrkdwn(line.title)}* — {mrkdwn(line.detail)}" for line in lines)
    return Section(
        key="rituals",
        title="In this channel",
        summary=f"{len(lines)} rituals and reports",
        blocks=[blocks.section(f"*In this channel*\n{body}")],
    )


def section(ctx: SectionContext) -> Section:
    found = ctx.capabilities.status_lines(ctx.session, ctx.team_id, ctx.channel_id)
    lines = [line for name, group in found.items() if name != "digest" for line in group]
    return section_for(lines)
