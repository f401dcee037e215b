"""Messages and modals of stage tickets, as Block Kit dicts built with bot.blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot import blocks
from bot.templates import render as template
from bot.text import escape, mrkdwn, plain
from rituals.tickets.board import Board, Item
from rituals.tickets.ids import Action, Block, Modal, ProjectChoice
from rituals.tickets.models import Ticket, TicketDraft, TicketProject
from rituals.tickets.stages import Stage, stage_list

PKG = "rituals.tickets"
SHOWN_PER_STAGE = 5


def link(key: str, url: str | None) -> str:
    """A ticket's key, linked to the tracker when it has a page (both come from the tracker: escaped)."""
    return f"<{escape(url)}|{escape(key)}>" if url else f"`{escape(key)}`"


def ticket_line(t: Ticket | Item) -> str:
    return f"{link(t.key, t.url)} · {mrkdwn(t.summary)}"


def filed_text(ticket: Ticket, project: TicketProject | None, who: str) -> str:
    return template(
        PKG,
        "filed.md.j2",
        who=who,
        link=link(ticket.key, ticket.url),
        stage=escape(ticket.stage),
        project=mrkdwn(project.name) if project else None,
        summary=mrkdwn(ticket.summary),
        assignee=ticket.assignee,
    )


def filed_reply(ticket: Ticket) -> str:
    """The filer's own answer: which ticket, in which stage."""
    return f"Filed {ticket_line(ticket)} in *{escape(ticket.stage)}*."


def unmapped_note(ticket: Ticket, user: str) -> str:
    shown = {"jira": "Jira", "github": "GitHub"}.get(ticket.tracker, ticket.tracker)
    account = {"jira": "Jira account id", "github": "GitHub login"}.get(ticket.tracker, "account")
    return (
        f":warning: <@{user}> has no {shown} account mapped, so {escape(ticket.key)} is unassigned in {shown}"
        f" (ritualbot still lists it in their `/ticket mine`). Map them with `/ticket map @user <{account}>`;"
        " later tickets are then assigned there."
    )


def stages_text(all_stages: Sequence[Stage]) -> str:
    return "Stages:\n" + escape(stage_list(all_stages))


def default_set(project: TicketProject) -> str:
    return f"Tickets filed in this channel now go to *{mrkdwn(project.name)}* by default."


def failed_message(
    draft: TicketDraft, tracker: str, reason: str, *, filed_key: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    text = template(
        PKG,
        "failed.md.j2",
        tracker=escape(tracker),
        summary=mrkdwn(draft.payload["summary"]),
        reason=escape(reason),
        filed_key=escape(filed_key) if filed_key else None,
    )
    return text, [
        blocks.section(text),
        blocks.actions(blocks.button("Retry", Action.RETRY, draft.id, style="primary")),
    ]


def update_text(ticket: Ticket, actor: str, verb: str = "") -> str:
    return template(
        PKG,
        "update.md.j2",
        verb=verb,
        assignee=ticket.assignee,
        closed=ticket.status == "closed",
        link=link(ticket.key, ticket.url),
        stage=escape(ticket.stage),
        actor=actor,
    )


def checklist_message(
    project: TicketProject,
    slots: Sequence[tuple[str, Ticket]],
    created: int,
    stages: int,
    error: str | None,
    *,
    existed: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    text = template(
        PKG,
        "checklist.md.j2",
        project=mrkdwn(project.name),
        url=escape(project.url) if project.url else None,
        tickets=[_slot_line(stage, t) for stage, t in slots],
        created=created,
        stages=stages,
        existed=existed,
    )
    body = [blocks.section(text)]
    if error:
        text += f"\n:warning: {escape(error)}"
        body += [
            blocks.section(f":warning: {escape(error)}\nRetry files only the missing stages."),
            blocks.actions(blocks.button("Retry", Action.RETRY_PROJECT, project.name[:150], style="primary")),
        ]
    return text, body


def _slot_line(stage: str, ticket: Ticket) -> str:
    line = f"*{escape(stage)}* — {link(ticket.key, ticket.url)}"
    if ticket.stage != stage:
        line += f" (now in *{escape(ticket.stage)}*)"
    return line + (" · closed" if ticket.status == "closed" else "")


def board_message(board: Board) -> tuple[str, list[dict[str, Any]]]:
    body: list[dict[str, Any]] = [
        blocks.header(f"Board · {board.title}"),
        blocks.context(f"{board.open_count} open · {board.closed_count} closed"),
    ]
    if board.profile:
        body.append(blocks.section("\n".join(mrkdwn(line) for line in board.profile)))
    for column in board.columns:
        lines = [
            f"*{escape(column.stage)}* — WIP {column.wip}" + (f" · {column.closed} closed" if column.closed else "")
        ]
        for item in column.items[:SHOWN_PER_STAGE]:
            who = f"<@{item.assignee}>" if item.assignee else "unassigned"
            lines.append(f"• {ticket_line(item)} · {who} · {item.age_days}d{_in_stage(item)}")
        if column.wip > SHOWN_PER_STAGE:
            lines.append(f"{blocks.ELLIPSIS} and {column.wip - SHOWN_PER_STAGE} more")
        if column.oldest and column.wip > 1:
            lines.append(f"_oldest: {escape(column.oldest.key)} ({column.oldest.age_days}d)_")
        body += [blocks.divider(), blocks.section("\n".join(lines))]
    text = f"Board {mrkdwn(board.title)}: {board.open_count} open, " + ", ".join(
        f"{escape(c.stage)} {c.wip}" for c in board.columns
    )
    return text, body


def _in_stage(item: Item) -> str:
    """Time in the current stage, when it differs from the ticket's age (it moved)."""
    return f" ({item.stage_days}d in stage)" if item.stage_days != item.age_days else ""


def mine_message(items: Sequence[Item]) -> str:
    if not items:
        return "You have no open stage tickets assigned."
    return "Your open stage tickets:\n" + "\n".join(
        f"• {ticket_line(i)} · *{escape(i.stage)}*{_project_suffix(i)} · {i.age_days}d" for i in items
    )


def _project_suffix(item: Item) -> str:
    return f" · {mrkdwn(item.project)}" if item.project else ""


def reaction_prompt(channel: str, ts: str) -> tuple[str, list[dict[str, Any]]]:
    text = "File a stage ticket from that message?"
    value = json.dumps({"channel": channel, "ts": ts})
    return text, [
        blocks.section(
            text,
            accessory=blocks.button("File stage ticket", Action.OPEN_FROM_REACTION, value, style="primary"),
        )
    ]


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": blocks.plain_text(text, 75), "value": value[:150]}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": "value", **element},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def file_modal(
    stages: Sequence[Stage],
    projects: Sequence[TicketProject],
    *,
    default: TicketProject | None,
    meta: dict[str, Any],
    summary: str = "",
    description: str = "",
    stage: Stage | None = None,
) -> dict[str, Any]:
    options = (
        [_option("No project", ProjectChoice.NONE)]
        + [_option(p.name, str(p.id)) for p in projects[:97]]
        + [_option("➕ New project…", ProjectChoice.NEW)]
    )
    project_select: dict[str, Any] = {"type": "static_select", "options": options}
    if default is not None:
        project_select["initial_option"] = _option(default.name, str(default.id))
    stage_select: dict[str, Any] = {
        "type": "static_select",
        "options": [_option(f"{s.number}. {s.name}", s.name) for s in stages[:100]],
    }
    if stage is not None:
        stage_select["initial_option"] = _option(f"{stage.number}. {stage.name}", stage.name)
    summary_input: dict[str, Any] = {"type": "plain_text_input", "max_length": 255}
    if summary:
        summary_input["initial_value"] = plain(summary)[:255]
    description_input: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": 3000,
    }
    if description:
        description_input["initial_value"] = plain(description)[:3000]
    return {
        "type": "modal",
        "callback_id": Modal.FILE,
        "private_metadata": json.dumps(meta)[:3000],
        "title": {"type": "plain_text", "text": "File stage ticket"},
        "submit": {"type": "plain_text", "text": "File"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            input_block(Block.PROJECT, "Project (epic)", project_select, optional=True),
            input_block(
                Block.NEW_PROJECT,
                "New project name",
                {"type": "plain_text_input", "max_length": 120},
                optional=True,
                hint="Only when you picked “New project…”",
            ),
            input_block(Block.STAGE, "Stage", stage_select),
            input_block(Block.SUMMARY, "Summary", summary_input),
            input_block(Block.DESCRIPTION, "Description", description_input, optional=True),
            input_block(Block.ASSIGNEE, "Assignee", {"type": "users_select"}, optional=True),
            input_block(
                Block.LABELS,
                "Labels",
                {"type": "plain_text_input", "max_length": 200},
                optional=True,
                hint="Comma-separated",
            ),
        ],
    }
