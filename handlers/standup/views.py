"""Standup modal submissions: the setup form (create or edit) and the answer form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import outbox
from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.directory import humans
from bot.errors import UserError
from bot.slack_client import SlackDirectory
from bot.text import mrkdwn
from handlers.auth import admin_check, workspace
from handlers.forms import Form
from handlers.router import later
from rituals.standup import calendar, daily, render, service
from rituals.standup.ids import BLOCKED_YES, Block, View, blocked_block, question_block
from rituals.standup.service import SetupForm

INLINE_LOOKUPS = 20  # users.info calls that fit in Slack's 3 seconds; the rest go to standup.roster


def register(app: App) -> None:
    app.view(View.SETUP)(later(Later(SLACK, "Saving the standup…"))(submit_setup))  # users.info per member
    app.view(View.ANSWER)(submit_answer)


def _blocker_number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise UserError("Give the blocker question's number (1, 2, 3 …), or leave it empty.", field=Block.BLOCKER)
    return int(text)


def _participants(
    client: WebClient, channel: str, chosen: list[str], everyone: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """User id -> timezone for the chosen members (and the channel's, for everyone), and the names
    looked up; timezones past the first INLINE_LOOKUPS stay '' for the standup.roster job."""
    directory = SlackDirectory(client)
    if everyone:
        chosen = chosen + directory.channel_members(channel)
    chosen = list(dict.fromkeys(chosen))
    people = humans(directory, chosen[:INLINE_LOOKUPS])
    participants = {p.id: p.tz for p in people}
    participants.update({u: "" for u in chosen[INLINE_LOOKUPS:]})
    return participants, {p.id: p.name for p in people if p.name}


def setup_form(form: Form, participants: dict[str, str], everyone: bool, names: dict[str, str]) -> SetupForm:
    return SetupForm(
        participants=participants,
        days=[int(d) for d in form.options(Block.DAYS)],
        ask_time=form.text(Block.ASK_TIME),
        questions=form.text(Block.QUESTIONS).splitlines(),
        blocker_number=_blocker_number(form.text(Block.BLOCKER)),
        digest_time=form.text(Block.DIGEST_TIME),
        timezone=form.text(Block.TIMEZONE).strip(),
        reminder_minutes=int(form.option(Block.REMINDER) or 0) or None,
        post_mode=form.option(Block.POST_MODE) or "thread",
        everyone=everyone,
        holidays=calendar.parse_dates(form.text(Block.HOLIDAYS), field=Block.HOLIDAYS),
        name=form.text(Block.NAME),
        names=names,
    )


def submit_setup(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    client: WebClient,
    settings: Settings,
) -> None:
    form = Form.of(view)
    meta = form.metadata
    team, user = workspace(context).id, body["user"]["id"]
    if meta.get("standup"):
        service.check_manager(service.get(db, team, meta["standup"]), user, admin_check(client, settings, user))
    everyone = form.checked(Block.EVERYONE)
    participants, names = _participants(client, meta["channel"], form.options(Block.PARTICIPANTS), everyone)
    setup = setup_form(form, participants, everyone, names)
    standup = service.save(
        db,
        team_id=team,
        channel_id=meta["channel"],
        user_id=user,
        form=setup,
        now=clock.now(),
        standup_id=meta.get("standup"),
    )
    ack()
    members = ", ".join(f"<@{u}>" for u in setup.participants)
    count = render.plural(len(setup.participants), "member")
    verb = "updated" if meta.get("standup") else "set up"
    outbox.post(
        db,
        channel=standup.channel_id,
        team_id=team,
        now=clock.now(),
        text=f"<@{user}> {verb} *{mrkdwn(standup.name)}*: {count} ({members}), asked at "
        f"{standup.ask_time} in each one's timezone, digest at {standup.digest_time} {standup.timezone}.",
    )


def submit_answer(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, db: Session, clock: Clock
) -> None:
    form = Form.of(view)
    count = sum(1 for i in range(len(form.values)) if question_block(i) in form.values)
    texts = [form.text(question_block(i)) for i in range(count)]
    choices = [form.option(blocked_block(i)) for i in range(count) if blocked_block(i) in form.values]
    blocked = None if not choices or choices[0] is None else choices[0] == BLOCKED_YES
    daily.submit(
        db, workspace(context).id, body["user"]["id"], int(view["private_metadata"]), texts, clock.now(), blocked
    )
    ack()
