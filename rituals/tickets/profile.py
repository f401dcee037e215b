"""A project's profile, as the bank's project checklist keeps it: business target, success metric,
domain, customer/department and the people (team lead, analysts, data scientists). Filled in the
project form, shown on the board and written into the epic's description."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.directory import Directory, DirectoryError
from bot.errors import ConfigError, UserError
from bot.text import plain
from rituals.tickets.models import TicketProject
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TrackerError

# (key, label, kind): kind "text" (one line), "user" (one person) or "users" (several people)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("target", "Business target", "text"),
    ("metric", "Success metric", "text"),
    ("domain", "Domain", "text"),
    ("customer", "Customer / department", "text"),
    ("lead", "Team lead", "user"),
    ("analysts", "Analysts", "users"),
    ("data_scientists", "Data scientists", "users"),
)
MAX_TEXT = 300


def of_project(session: Session, team_id: str, project_id: Any) -> TicketProject:
    project = session.get(TicketProject, int(project_id)) if str(project_id).isdigit() else None
    if project is None or project.team_id != team_id:
        raise UserError("That project is gone. `/ticket board` lists the projects.")
    return project


def save(project: TicketProject, values: Mapping[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for key, label, kind in FIELDS:
        value = values.get(key)
        if kind == "text":
            text = " ".join(str(value or "").split())
            if len(text) > MAX_TEXT:
                raise UserError(f"Keep the {label.lower()} under {MAX_TEXT} characters.", field=f"profile_{key}")
            if text:
                profile[key] = text
        elif kind == "user" and value:
            profile[key] = str(value)
        elif kind == "users" and value:
            profile[key] = [str(v) for v in value]
    project.profile = profile
    return profile


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def lines(profile: Mapping[str, Any] | None, person: Callable[[str], str] = mention) -> list[str]:
    """`Label: value` lines, people as mentions (human text) or as `person` names them."""
    found: list[str] = []
    for key, label, kind in FIELDS:
        value = (profile or {}).get(key)
        if not value:
            continue
        if kind == "text":
            found.append(f"{label}: {value}")
        else:
            people: Sequence[str] = [value] if isinstance(value, str) else value
            found.append(f"{label}: " + ", ".join(person(p) for p in people))
    return found


def names(directory: Directory | None) -> Callable[[str], str]:
    """A person's name from the directory (a tracker cannot show a Slack mention); a person Slack cannot
    find, or a lookup that fails, is named by id (the profile is saved either way)."""
    cache: dict[str, str] = {}

    def name(user_id: str) -> str:
        if user_id not in cache:
            try:
                found = directory.person(user_id) if directory is not None else None
            except DirectoryError:
                found = None
            cache[user_id] = found.name if found is not None and found.name else f"Slack user {user_id}"
        return cache[user_id]

    return name


def description(project: TicketProject, directory: Directory | None = None) -> str:
    """The epic's description in its tracker: the profile as plain lines, people by name."""
    return plain("\n".join(lines(project.profile, names(directory))))


def push(
    session: Session, setup: TicketSetup, project: TicketProject, directory: Directory | None = None
) -> str | None:
    """Write the profile into the epic / milestone (people named through `directory`, looked up here, in
    the deferred path); a warning naming the tracker when it refuses."""
    if project.external_ref is None or project.tracker == "builtin":
        return None
    text = description(project, directory)
    try:
        setup.build(project.tracker, session, project.team_id).describe_project(project.external_ref, text)
    except (TrackerError, ConfigError) as exc:
        reason = exc.reason if isinstance(exc, TrackerError) else str(exc)
        return f"The profile is saved here, but {project.tracker} did not take it: {reason.rstrip('.')}."
    return None
