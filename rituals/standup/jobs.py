"""Standup jobs: ask each member at their local time, nudge once, post the day's digest.

Ask and remind run per member (scope "standup_id:user_id", period = the member's local date), the
digest per standup (period = the team's local date); job claims make each run once.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory import DirectoryError, Person, humans
from bot.errors import ConfigError
from bot.jobs import job
from bot.runtime import Runtime
from rituals.standup import answers, calendar, evidence, publish, service
from rituals.standup.ids import Job
from rituals.standup.models import Standup, StandupEntry, StandupMember

log = logging.getLogger(__name__)
DONE_STATES = ("answered", "skipped", "away", "holiday", "status")
SLACK_UNAVAILABLE = (DirectoryError, OSError)  # Slack said no, or could not be reached
ROSTER_BATCH = 50  # users.info is Tier 4 (100+ a minute); the roster runs every 5 minutes


def _member(s: Session, scope: str) -> tuple[Standup | None, StandupMember | None]:
    standup_id, user_id = scope.split(":", 1)
    standup = s.get(Standup, int(standup_id))
    if standup is None:
        return None, None
    member = s.scalars(
        select(StandupMember).where(StandupMember.standup_id == standup.id, StandupMember.user_id == user_id)
    ).first()
    return standup, member


def member_day(rt: Runtime, scope: str) -> str:
    with rt.database.session() as s:
        _, member = _member(s, scope)
        return calendar.local_date(rt.clock.now(), (member.timezone if member else "") or "UTC").isoformat()


def team_day(rt: Runtime, scope: str) -> str:
    with rt.database.session() as s:
        standup = s.get(Standup, int(scope))
        return calendar.local_date(rt.clock.now(), standup.timezone if standup else "UTC").isoformat()


@job(Job.ASK, period=member_day, description="DM one member their standup questions at their local time")
def ask(rt: Runtime, scope: str, period: str) -> None:
    day, now = date.fromisoformat(period), rt.clock.now()
    with rt.database.session() as s:
        standup, member = _member(s, scope)
        if (
            standup is None
            or member is None
            or standup.paused
            or not member.active
            or not calendar.is_standup_weekday(standup.days, day)
        ):
            return
        team_id, user_id, member_tz = standup.team_id, member.user_id, member.timezone
    try:
        person = rt.directory(team_id).person(user_id)
    except SLACK_UNAVAILABLE:  # ask with what we know rather than skip the day
        log.warning(
            "standup users.info failed, asking with the stored profile standup=%s user=%s",
            scope,
            user_id,
            exc_info=True,
        )
        person = Person(id=user_id, tz=member_tz)
    with rt.database.session() as s:
        standup, member = _member(s, scope)
        assert standup is not None and member is not None
        if person is None or person.deleted:
            member.active, member.inactive_reason = False, "deactivated"
            log.info("standup member deactivated standup=%s user=%s", standup.id, user_id)
            return
        member.name = person.name or member.name
        if person.tz != member.timezone:
            log.info(
                "standup member timezone changed standup=%s user=%s from=%s to=%s",
                standup.id,
                user_id,
                member.timezone,
                person.tz,
            )
            member.timezone = person.tz
        entry = answers.find_entry(s, standup.id, user_id, day)
        if entry is not None and (entry.status in DONE_STATES or entry.asked_at is not None):
            return
        kind = answers.away_kind(s, standup, user_id, day, service.workspace_holidays(rt.settings))
        if kind is None and person.status_emoji in service.away_emojis(rt.settings):
            kind = "status"
        entry = answers.ensure_entry(s, standup, user_id, day, now)
        if kind:
            entry.status = kind
            return
        answers.refresh_questions(standup, entry)
        entry.suggested = _suggestion(rt, s, standup, entry)
        publish.ask(s, standup, entry, now)


def _suggestion(rt: Runtime, s: Session, standup: Standup, entry: StandupEntry) -> str | None:
    """Stored evidence since the member's last answered standup, for a first question that is not the
    blocker question."""
    if not entry.questions or entry.blocker_index == 0:
        return None
    last = answers.previous_entry(s, standup.id, entry.user_id, entry.day)
    since = (last.asked_at or last.completed_at) if last is not None else None
    try:
        return evidence.suggest(s, rt.settings, standup.team_id, entry.user_id, since, rt.clock.now())
    except ConfigError:  # a broken gpu: section is the GPU report's to tell; the ask goes out without evidence
        log.warning("standup evidence unavailable standup=%s user=%s", standup.id, entry.user_id, exc_info=True)
        return None


@job(Job.REMIND, period=member_day, description="nudge a member who has not answered the standup")
def remind(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        standup, member = _member(s, scope)
        if standup is None or member is None or standup.paused or not member.active:
            return
        entry = answers.find_entry(s, standup.id, member.user_id, date.fromisoformat(period))
        if entry is None or entry.status != "asked" or entry.asked_at is None or entry.reminded_at is not None:
            return
        publish.remind(s, standup, entry, now)


@job(Job.DIGEST, period=team_day, description="post a standup's digest in its channel")
def digest(rt: Runtime, scope: str, period: str) -> None:
    day, now = date.fromisoformat(period), rt.clock.now()
    with rt.database.session() as s:
        standup = s.get(Standup, int(scope))
        if standup is None or standup.paused or not calendar.is_standup_weekday(standup.days, day):
            return
        team_id, channel_id, everyone = standup.team_id, standup.channel_id, standup.everyone
        known = {m.user_id: m.active for m in service.members(s, standup.id, active_only=False)}
    directory = rt.directory(team_id)
    try:
        in_channel: set[str] | None = set(directory.channel_members(channel_id))
    except SLACK_UNAVAILABLE:  # the digest still goes out; membership is re-checked tomorrow
        log.warning("standup roster check failed, members kept standup=%s channel=%s", scope, channel_id, exc_info=True)
        in_channel = None
    newcomers = [u for u in sorted(in_channel or ()) if not known.get(u)] if everyone else []
    joined = humans(directory, newcomers)
    with rt.database.session() as s:
        standup = s.get(Standup, int(scope))
        assert standup is not None
        gone = (
            [m for m in service.members(s, standup.id) if m.user_id not in in_channel] if in_channel is not None else []
        )
        for member in gone:
            member.active, member.inactive_reason = False, "left"
            log.info("standup member left the channel standup=%s user=%s", standup.id, member.user_id)
        if joined:
            current = {m.user_id: m.timezone for m in service.members(s, standup.id)}
            service.sync_members(
                s, standup, {**current, **{p.id: p.tz for p in joined}}, {p.id: p.name for p in joined}
            )
        s.flush()
        publish.post_digest(s, standup, day, now, service.workspace_holidays(rt.settings))


def minute_period(rt: Runtime, scope: str) -> str:
    return rt.clock.now().strftime("%Y%m%dT%H%M")


@job(Job.ROSTER, period=minute_period, description="look up the timezones of a new standup's members")
def roster(rt: Runtime, scope: str, period: str) -> None:
    """Large setups cannot look everyone up within Slack's 3 seconds: the rest is done here, in batches."""
    with rt.database.session() as s:
        standup = s.get(Standup, int(scope))
        if standup is None:
            return
        pending = [m.user_id for m in service.members(s, standup.id) if not m.timezone][:ROSTER_BATCH]
        team_id = standup.team_id
    directory = rt.directory(team_id)
    found = {user_id: directory.person(user_id) for user_id in pending}
    with rt.database.session() as s:
        for member in service.members(s, int(scope)):
            if member.user_id not in found:
                continue
            person = found[member.user_id]
            if person is None or person.deleted or person.is_bot:
                member.active = False
                member.inactive_reason = "bot" if person and person.is_bot else "deactivated"
                member.timezone = person.tz if person else "UTC"
            else:
                member.timezone, member.name = person.tz, person.name or member.name
    log.info("standup roster looked up standup=%s members=%s", scope, len(found))
