"""A retro's pace: deadlines for collection, voting and discussion (a passed one moves the phase on or
nudges the facilitator), the per-item vote cap, and the options `/retro start` takes for them.

A deadline is cleared once it passed (whatever it did), so the root never shows one in the past.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.capabilities import DesiredJob
from bot.errors import UserError
from bot.runtime import Runtime
from rituals.retro import phase_view, publish, service
from rituals.retro.ids import Block, Job
from rituals.retro.models import OPEN_PHASES, Retro
from rituals.retro.queries import AdminCheck, items_of, load, require_facilitator, vote_tallies

log = logging.getLogger(__name__)

FIELD = {"collect": "deadline_at", "vote": "vote_deadline_at", "discuss": "discuss_deadline_at"}
ORDER = ("collect", "group", "vote", "discuss", "closed")
MAX_CAP = 20
_DURATION = re.compile(r"^(\d{1,4})([mhd])$")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
START_HELP = (
    "Options go as `key=value` anywhere after the template: `collect=2h`, `vote=1d`, `discuss=45m` "
    "(deadlines from now), `cap=2` (most votes one person may put on one item), `then=nudge` or "
    "`then=move` (what a passed deadline does)."
)


@dataclass(frozen=True)
class Timing:
    """What the facilitator asked for; None leaves a setting as it is, a zero duration removes a deadline."""

    collect: timedelta | None = None
    vote: timedelta | None = None
    discuss: timedelta | None = None
    auto_advance: bool | None = None
    cap: int | None = None
    set_cap: bool = False  # the cap was given (None then means "no cap")


def _duration(key: str, raw: str) -> timedelta:
    if raw.strip().lower() in ("0", "none", "off"):
        return timedelta(0)
    found = _DURATION.match(raw.strip().lower())
    if found is None:
        raise UserError(f"`{key}={raw}` is not a duration: write minutes, hours or days, like `{key}=90m` or `2h`.")
    return int(found.group(1)) * _UNIT[found.group(2)]


def start_options(args: list[str]) -> tuple[list[str], Timing]:
    """Split `/retro start` words into the rest (template, title) and the timing options among them."""
    rest: list[str] = []
    wanted: dict[str, object] = {}
    for word in args:
        key, eq, raw = word.partition("=")
        key = key.lower()
        if not eq or key not in ("collect", "vote", "discuss", "cap", "then"):
            rest.append(word)
            continue
        if key == "cap":
            wanted["cap"], wanted["set_cap"] = parse_cap(raw), True
        elif key == "then":
            if raw.lower() not in ("nudge", "move"):
                raise UserError(f"`then={raw}`: use `then=nudge` (DM the facilitator) or `then=move` (move on).")
            wanted["auto_advance"] = raw.lower() == "move"
        else:
            wanted[key] = _duration(key, raw)
    return rest, Timing(**wanted)  # type: ignore[arg-type]


def parse_cap(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_CAP:
        raise UserError(
            f"The most votes one person may put on one item is a whole number from 1 to {MAX_CAP} (or empty: no cap).",
            field=Block.ITEM_CAP,
        )
    return int(raw)


def apply(s: Session, retro: Retro, wanted: Timing, now: datetime) -> None:
    """Set the deadlines, what they do and the cap; refuses what the phase no longer allows."""
    phase = ORDER.index(retro.phase)
    for name, delta in (("collect", wanted.collect), ("vote", wanted.vote), ("discuss", wanted.discuss)):
        if delta is None:
            continue
        if phase > ORDER.index(name):
            raise UserError(
                f"{phase_view.DEADLINE_NAME[name].capitalize()} is already over, so its deadline no longer applies.",
                field=Block.VOTE_DEADLINE if name == "vote" else Block.DISCUSS_DEADLINE,
            )
        setattr(retro, FIELD[name], now + delta if delta else None)
    if wanted.auto_advance is not None:
        retro.auto_advance = wanted.auto_advance
    if wanted.set_cap and wanted.cap != retro.max_votes_per_item:
        if retro.phase not in ("collect", "group"):
            raise UserError("Voting has started, so the per-item cap can no longer change.", field=Block.ITEM_CAP)
        retro.max_votes_per_item = wanted.cap


def configure(
    s: Session, retro_id: int, wanted: Timing, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime
) -> Retro:
    retro = load(s, retro_id, *OPEN_PHASES, team_id=team_id)
    require_facilitator(retro, actor, is_admin, "change the retro's deadlines")
    apply(s, retro, wanted, now)
    publish.refresh_root(s, retro, now)
    log.info("retro timing retro=%s auto=%s cap=%s", retro.id, retro.auto_advance, retro.max_votes_per_item)
    return retro


def check_cap(retro: Retro, on_item: int, used: int) -> None:
    """Refuse one more dot on an item that holds the voter's per-item cap (the caller holds their row lock)."""
    cap = retro.max_votes_per_item
    if cap and on_item >= cap:
        raise UserError(phase_view.cap_reached(cap, retro.votes_per_person - used))


# -- deadlines passing ------------------------------------------------------------------------------


def deadline_passed(s: Session, retro: Retro, phase: str, now: datetime) -> str:
    """The `phase` deadline's job: what it did ("none", "past", "early", "empty", "moved", "nudged")."""
    at = getattr(retro, FIELD[phase])
    if at is None or now < at or retro.phase == "closed" or retro.abandoned:
        return "none"
    if ORDER.index(retro.phase) > ORDER.index(phase):
        setattr(retro, FIELD[phase], None)  # the phase is over: the root no longer shows it
        return "past"
    if retro.phase != phase:
        return _settle(s, retro, phase, "early", now)
    if phase == "collect" and (retro.auto_advance or not items_of(s, retro.id)):
        return "moved" if service.move_on_by_deadline(s, retro, now) else "empty"
    if phase == "vote" and not vote_tallies(s, retro.id):
        return _settle(s, retro, phase, "empty", now)
    if not retro.auto_advance:
        text, blocks = phase_view.deadline_nudge(retro, phase, at)
        key = f"retro:{retro.id}:nudge:{phase}:{at:%Y%m%dT%H%M}"
        if not outbox.already_enqueued(s, key):
            outbox.post(s, channel=retro.facilitator_id, team_id=retro.team_id, text=text, blocks=blocks, now=now,
                        dedupe_key=key)  # fmt: skip
        return _settle(s, retro, phase, "nudged", now)
    setattr(retro, FIELD[phase], None)
    publish.post_note(s, retro, phase_view.deadline_note(retro, phase, "moved"), now)
    never = lambda: False  # noqa: E731 - the facilitator's own move, made by the clock
    if phase == "discuss":
        service.close(s, retro.id, team_id=retro.team_id, actor=retro.facilitator_id, is_admin=never, now=now)
    else:
        service.advance(
            s, retro.id, team_id=retro.team_id, from_phase=phase, actor=retro.facilitator_id, is_admin=never, now=now
        )
    return "moved"


def _settle(s: Session, retro: Retro, phase: str, outcome: str, now: datetime) -> str:
    setattr(retro, FIELD[phase], None)
    publish.post_note(s, retro, phase_view.deadline_note(retro, phase, outcome), now)
    publish.refresh_root(s, retro, now)
    return outcome


def _scope(scope: str) -> tuple[int, str]:
    rid, _, phase = scope.partition(":")
    return int(rid), phase if phase in FIELD else "collect"


def period(rt: Runtime, scope: str) -> str:
    """One run per deadline (moving it makes a new period); a run that fires early claims nothing lasting."""
    rid, phase = _scope(scope)
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, rid)
        at = getattr(retro, FIELD[phase]) if retro is not None else None
        if at is None:
            return "none"
        if now < at:
            return f"early-{now:%Y%m%dT%H%M%S}"
        return f"{phase}-{at:%Y%m%dT%H%M}"


def run(rt: Runtime, scope: str) -> None:
    rid, phase = _scope(scope)
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, rid)
        if retro is None:
            return
        outcome = deadline_passed(s, retro, phase, now)
        log.info("retro deadline retro=%s phase=%s outcome=%s", rid, phase, outcome)


def desired_jobs(s: Session) -> list[DesiredJob]:
    """Voting's and discussion's deadline jobs (collection's are `rituals.retro.capability`'s)."""
    jobs = []
    query = select(Retro).where(Retro.phase.in_(OPEN_PHASES), Retro.abandoned.is_(False)).order_by(Retro.id)
    for retro in s.scalars(query):
        for phase in ("vote", "discuss"):
            at = getattr(retro, FIELD[phase])
            if at is None or ORDER.index(retro.phase) > ORDER.index(phase):
                continue
            jobs.append(
                DesiredJob(
                    id=f"retro:{retro.id}:{phase}_deadline",
                    job=Job.PHASE_DEADLINE.value,
                    scope=f"{retro.id}:{phase}",
                    trigger=DateTrigger(run_date=at),
                    team_id=retro.team_id,
                )
            )
    return jobs
