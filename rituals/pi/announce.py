"""The channel hears when a PI starts (the close report says when it ends)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import outbox
from bot.text import mrkdwn
from rituals.pi.models import ProgramIncrement
from rituals.pi.render import pi_dates


def started(s: Session, pi: ProgramIncrement, now: datetime) -> None:
    text = f":rocket: PI {mrkdwn(pi.name)} started, run by <@{pi.created_by}>."
    blocks = [
        bk.section(f":rocket: *{mrkdwn(pi.name)}* started, run by <@{pi.created_by}>."),
        bk.context(pi_dates(pi)),
        bk.context(
            "Add objectives with `/pi objective`, commit the plan with `/pi commit` when planning ends; "
            "`/pi train` shows every team running this PI."
        ),
    ]
    outbox.post(
        s, channel=pi.channel_id, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=f"pi:{pi.id}:start"
    )
