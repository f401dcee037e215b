"""Retro messages as text plus Block Kit: the root message per phase and the thread posts."""

from __future__ import annotations

from collections.abc import Callable

from bot import blocks as bk
from bot.blocks import Blocks
from bot.templates import render as template
from bot.text import escape, mrkdwn, slack_date
from rituals.retro import phase_view, render_health
from rituals.retro.ids import Action, Block
from rituals.retro.models import Retro, RetroAction, RetroItem
from rituals.retro.phase_view import ADVANCE_LABEL, when
from rituals.retro.snapshot import ColumnView, ItemView, Snapshot, item_count

PKG = "rituals.retro"
PHASE_LABEL = {
    "collect": "Collecting items",
    "group": "Grouping",
    "vote": "Voting",
    "discuss": "Discussing",
    "closed": "Closed",
}


def _author(item: ItemView) -> str:
    return f"<@{item.author}>" if item.author else "anonymous"


def root(snap: Snapshot) -> tuple[str, Blocks]:
    retro = snap.retro
    phase = "abandoned" if retro.abandoned else PHASE_LABEL[retro.phase].lower()
    text = template(
        PKG,
        "root.txt.j2",
        title=mrkdwn(retro.title),
        template=escape(snap.board_name),
        phase=phase,
        facilitator=retro.facilitator_id,
        participants=snap.participants,
    )
    status = f"*{PHASE_LABEL[retro.phase]}*" + (
        " · _abandoned_ (`/retro resume` brings it back)" if retro.abandoned else ""
    )
    meta = [
        f"{escape(snap.board_name)} · {status} · facilitator <@{retro.facilitator_id}> · "
        f"{snap.participants} participant{'' if snap.participants == 1 else 's'}"
    ]
    if retro.deadline_at and retro.phase == "collect":
        meta.append(f"collection closes {when(retro.deadline_at)}")
    meta.extend(phase_view.root_lines(retro, snap.done, snap.participants))
    out: Blocks = [bk.header(f"Retro: {retro.title}"), bk.context(*meta)]
    if retro.phase == "closed":
        out.append(bk.section(summary_text(snap)))
        out.extend(render_health.board(snap.health, retro.phase))
        return text, out
    out.extend(_board_body(snap))
    out.extend(render_health.board(snap.health, retro.phase))
    if not retro.abandoned:
        out.append(bk.actions(*_phase_buttons(snap), block_id=f"{Block.ROOT}.{retro.id}"))
    return text, out


def _board_body(snap: Snapshot) -> Blocks:
    retro = snap.retro
    show = retro.phase != "collect" or retro.visible_while_collecting
    cells = []
    for column in snap.columns:
        count = sum(1 + len(i.members) for i in column.items)
        cell = f"*{escape(column.label)}*\n{count} item{'' if count == 1 else 's'}"
        if show and column.items:
            cell += "\n" + "\n".join(f"• {mrkdwn(i.full_text, limit=200)}" for i in column.items)
        cells.append(cell)
    body: Blocks = [bk.fields(cells)]
    if retro.phase == "collect":
        hint = (
            "Items are visible while collecting."
            if retro.visible_while_collecting
            else "Items stay hidden until the facilitator reveals them, so nobody anchors on others."
        )
        body.append(bk.context(f"{hint} {retro.votes_per_person} votes each.{phase_view.cap_note(retro)}"))
    elif retro.phase == "vote":
        body.append(
            bk.context(
                f"Vote in the thread: {retro.votes_per_person} votes each; results stay hidden until voting closes."
                + phase_view.cap_note(retro)
            )
        )
    elif retro.phase == "discuss":
        body.append(
            bk.context(
                f"Discussing item {retro.discuss_pos + 1} of {len(retro.discuss_order)} "
                f"· {len(snap.actions)} action item{'' if len(snap.actions) == 1 else 's'}"
            )
        )
    return body


def _phase_buttons(snap: Snapshot) -> Blocks:
    retro, rid = snap.retro, str(snap.retro.id)
    buttons = []
    if retro.phase == "collect":
        buttons += [
            bk.button("Add item", Action.ADD_ITEM, rid, style="primary"),
            bk.button("My items", Action.MY_ITEMS, rid),
        ]
    if retro.phase == "group":
        buttons.append(bk.button("Merge items", Action.MERGE, rid))
    if retro.phase in ("collect", "group"):
        buttons.append(bk.button("Settings", Action.SETTINGS, rid))
    if retro.phase in ADVANCE_LABEL:
        buttons.append(bk.button(ADVANCE_LABEL[retro.phase], Action.ADVANCE, f"{rid}:{retro.phase}"))
    buttons += phase_view.buttons(retro)
    if retro.phase == "discuss":
        buttons.append(
            bk.button(
                "Close retro",
                Action.CLOSE,
                rid,
                style="danger",
                confirm=bk.confirm_dialog(
                    "Close the retro?", "Undiscussed items carry over to the next retro; action owners get a DM."
                ),
            )
        )
    return buttons


def summary_text(snap: Snapshot) -> str:
    columns = [
        {
            "label": escape(c.label),
            "entries": [{"text": mrkdwn(i.full_text), "votes": i.votes, "carried": i.carried} for i in c.items],
        }
        for c in snap.columns
    ]
    actions = [
        {"text": mrkdwn(a.text), "owner": a.owner, "due": a.due.isoformat() if a.due else None} for a in snap.actions
    ]
    return template(
        PKG,
        "summary.md.j2",
        item_count=item_count(snap),
        participants=snap.participants,
        vote_count=snap.votes_cast,
        columns=columns,
        actions=actions,
    )


def _column_sections(columns: list[ColumnView], line: Callable[[ItemView], str]) -> Blocks:
    out: Blocks = []
    for column in columns:
        lines = [line(i) for i in column.items] or ["_(nothing)_"]
        out.append(bk.section(f"*{escape(column.label)}*\n" + "\n".join(lines)))
    return out


def reveal(snap: Snapshot) -> tuple[str, Blocks]:
    body = _column_sections(snap.columns, lambda i: f"• {mrkdwn(i.full_text)} — {_author(i)}")
    return (
        f"The items of “{mrkdwn(snap.retro.title)}”, by column",
        [
            bk.section(
                "*Revealed!* Here is everything, by column. The facilitator can merge similar items "
                "with *Merge items* on the retro message."
            ),
            *body,
        ],
    )


def groups(snap: Snapshot) -> tuple[str, Blocks]:
    body = _column_sections(snap.columns, lambda i: f"• {mrkdwn(i.full_text)}")
    return "Items after merging", [bk.section("*Grouped.* The items now stand as:"), *body]


def ballot(snap: Snapshot) -> tuple[str, Blocks]:
    retro = snap.retro
    out: Blocks = [
        bk.section(
            f"*Vote!* You have {retro.votes_per_person} votes; you may put several on one "
            f"item.{phase_view.cap_note(retro)} Votes stay hidden until the facilitator closes voting."
        )
    ]
    for group in snap.groups:
        label = next(c.label for c in snap.columns if c.key == group.column)
        out.append(
            bk.section(
                f"_{escape(label)}_ · {mrkdwn(group.full_text, limit=2800)}",
                accessory=bk.button("Vote", Action.VOTE, f"{retro.id}:{group.id}"),
            )
        )
    out.append(
        bk.actions(
            bk.button("See my votes", Action.MY_VOTES, str(retro.id)),
            bk.button("Take back my votes", Action.TAKE_BACK, str(retro.id)),
        )
    )
    return f"Voting is open for “{mrkdwn(retro.title)}”", out


def results(snap: Snapshot) -> tuple[str, Blocks]:
    order = [snap.group(i) for i in snap.retro.discuss_order]
    lines = [
        f"{n}. {mrkdwn(g.full_text)} — *{g.votes}* vote{'' if g.votes == 1 else 's'}"
        for n, g in enumerate(order, 1)
        if g
    ]
    return (
        "Voting closed: the results",
        [bk.section(f"*Voting closed.* {snap.votes_cast} votes; we discuss in this order:\n" + "\n".join(lines))],
    )


def discussion(snap: Snapshot) -> tuple[str, Blocks]:
    retro = snap.retro
    group = snap.group(retro.discuss_order[retro.discuss_pos])
    assert group is not None
    n, total = retro.discuss_pos + 1, len(retro.discuss_order)
    buttons = [bk.button("Add action item", Action.ADD_ACTION, f"{retro.id}:{group.id}", style="primary")]
    if n < total:
        buttons.append(bk.button("Next ▶", Action.NEXT, f"{retro.id}:{retro.discuss_pos}"))
    tail = "" if n < total else "\n_Last item: the facilitator closes the retro from the main message._"
    return (
        f"Discussing {n}/{total}: {mrkdwn(group.full_text, limit=200)}",
        [
            bk.section(
                f"*{n}/{total}* · {group.votes} vote{'' if group.votes == 1 else 's'}\n"
                f"> {mrkdwn(group.full_text)}{tail}"
            ),
            bk.actions(*buttons),
        ],
    )


def action_posted(action: RetroAction) -> tuple[str, Blocks]:
    due = f", due {action.due_on.isoformat()}" if action.due_on else ""
    line = f":white_check_mark: Action: {mrkdwn(action.text)} — <@{action.owner_id}>{due}"
    return line, [bk.section(line, accessory=bk.button("Add to tracker", Action.ADD_TO_TRACKER, str(action.id)))]


def my_votes(retro: Retro, votes: list[tuple[RetroItem, int]]) -> str:
    used = sum(count for _, count in votes)
    left = retro.votes_per_person - used
    if not votes:
        return f"You have not voted yet (only you see this): {left} vote{'' if left == 1 else 's'} to place."
    lines = "\n".join(f"• {mrkdwn(item.text, limit=300)} — {count}" for item, count in votes)
    return f"Your votes (only you see this):\n{lines}\n{left} vote{'' if left == 1 else 's'} left."


def evidence_offer(retro: Retro, found: list[str]) -> tuple[str, Blocks]:
    text = f"Evidence since the last retro ({len(found)}): add what the team should talk about."
    return text, [bk.section(text)] + [
        bk.section(line, accessory=bk.button("Add as item", Action.ADD_EVIDENCE, f"{retro.id}|{line}"[:1990]))
        for line in found[:40]
    ]


def due_reminder(retro: Retro, action: RetroAction) -> tuple[str, Blocks]:
    assert action.due_on is not None
    text = (
        f":alarm_clock: Your retro action is due tomorrow ({action.due_on.isoformat()}): {mrkdwn(action.text)}\n"
        f"From the retro “{mrkdwn(retro.title)}” in <#{retro.channel_id}>."
    )
    return text, [bk.section(text)]


def owner_dm(retro: Retro, actions: list[RetroAction]) -> tuple[str, Blocks]:
    text = template(
        PKG,
        "dm.txt.j2",
        title=mrkdwn(retro.title),
        channel=retro.channel_id,
        actions=[{"text": mrkdwn(a.text), "due": a.due_on.isoformat() if a.due_on else None} for a in actions],
    )
    return text, [bk.section(text)]


def review(
    retro: Retro,
    actions: list[RetroAction],
    titles: dict[int, str],
    carried: list[RetroItem],
    parked: list[RetroItem] | None = None,
    tickets: dict[int, str] | None = None,
) -> tuple[str, Blocks]:
    out: Blocks = [bk.section("*Review of last actions*" if actions else "*Review*")]
    for a in actions:
        due = f", due {a.due_on.isoformat()}" if a.due_on else ""
        ticket = f" · {tickets[a.id]}" if tickets and a.id in tickets else ""
        out.append(
            bk.section(
                f"{mrkdwn(a.text)} — <@{a.owner_id}>{due} · from “{mrkdwn(titles.get(a.retro_id, ''))}” · *{a.status}*"
                + ticket
            )
        )
        if a.status == "open":
            value = f"{retro.id}:{a.id}"
            out.append(
                bk.actions(
                    bk.button("Done", Action.REVIEW_DONE, f"{value}:done", style="primary"),
                    bk.button("Still open", Action.REVIEW_OPEN, f"{value}:open"),
                    bk.button("Drop", Action.REVIEW_DROP, f"{value}:drop"),
                )
            )
    if carried:
        out.append(bk.section("*Carried over* (not discussed last time; they are already on this board):"))
        for item in carried:
            out.append(
                bk.section(
                    f"• {mrkdwn(item.text, limit=2800)}",
                    accessory=bk.button("Drop", Action.DROP_CARRIED, f"{retro.id}:{item.id}"),
                )
            )
    if parked:
        out.append(
            bk.section("*Parking lot* (not discussed last time, left behind; the facilitator can carry them over):")
        )
        for lead in parked:
            out.append(
                bk.section(
                    f"• {mrkdwn(lead.text, limit=2800)}",
                    accessory=bk.button("Carry over", Action.CARRY, f"{retro.id}:{lead.id}"),
                )
            )
    return f"Review for “{mrkdwn(retro.title)}”: {len(actions)} action items, {len(carried)} carried-over items", out


def reminder(retro: Retro) -> str:
    assert retro.deadline_at is not None
    return template(
        PKG,
        "reminder.txt.j2",
        title=mrkdwn(retro.title),
        closes=slack_date(retro.deadline_at, "at {time}", f"at {retro.deadline_at:%H:%M} UTC"),
    )


def deadline_without_items(retro: Retro) -> str:
    return template(PKG, "deadline_empty.txt.j2", title=mrkdwn(retro.title))
