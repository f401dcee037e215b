"""A project's own messages and form: its profile modal and confirmation, and its flow's text."""

from __future__ import annotations

import json
from typing import Any

from bot import blocks
from bot.text import escape, mrkdwn, plain
from rituals.tickets.flow import Flow
from rituals.tickets.ids import Modal
from rituals.tickets.models import TicketProject
from rituals.tickets.profile import FIELDS as profile_fields
from rituals.tickets.render import input_block


def flow_text(flow: Flow) -> str:
    """Cycle time per stage and the moves back, for the flow chart's comment and its alt text."""
    lines = [f"*{mrkdwn(flow.project.name)}* flow · mean days per stay in each stage:"]
    lines += [f"• {escape(stage)}: {flow.cycle_days[stage]:.1f}d" for stage in flow.stages if stage in flow.cycle_days]
    if flow.back:
        lines.append(f"Went back {len(flow.back)} time{'' if len(flow.back) == 1 else 's'}:")
        lines += [f"• {escape(key)}: {escape(src)} → {escape(dst)}" for key, src, dst in flow.back]
    return "\n".join(lines)


def profile_modal(project: TicketProject) -> dict[str, Any]:
    """The project form: its profile, prefilled with what it has."""
    saved = project.profile or {}
    inputs = []
    for key, label, kind in profile_fields:
        value = saved.get(key)
        if kind == "text":
            element: dict[str, Any] = {"type": "plain_text_input", "max_length": 300}
            if value:
                element["initial_value"] = plain(str(value))
        elif kind == "user":
            element = {"type": "users_select", **({"initial_user": value} if value else {})}
        else:
            element = {"type": "multi_users_select", **({"initial_users": list(value)} if value else {})}
        inputs.append(input_block(f"profile_{key}", label, element, optional=True))
    return {
        "type": "modal",
        "callback_id": Modal.PROFILE,
        "private_metadata": json.dumps({"project": project.id}),
        "title": {"type": "plain_text", "text": "Project profile"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [blocks.section(f"*{mrkdwn(project.name)}*"), *inputs],
    }


def profile_saved(project: TicketProject, warning: str | None) -> str:
    text = f"Saved the profile of *{mrkdwn(project.name)}*: `/ticket board {mrkdwn(project.name)}` shows it."
    return text + (f"\n:warning: {escape(warning)}" if warning else "")
