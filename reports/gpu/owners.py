"""Who owns a GPU (tags, labels, the static map) and which Slack user that is; exclusions."""

from __future__ import annotations

from datetime import datetime, timedelta

from reports import people
from reports.gpu.config import GpuConfig
from reports.gpu.sources import GpuInfo

UNOWNED = "unowned"


def owner_and_team(info: GpuInfo, config: GpuConfig) -> tuple[str, str]:
    """Tags and labels first, then the static map by instance, host, namespace or pod."""
    owner, team = info.owner, info.team
    for key in (
        f"instance:{info.instance_id}",
        f"host:{info.host}",
        f"uuid:{info.uuid}",
        f"namespace:{info.labels.get('namespace', '')}",
        f"pod:{info.labels.get('pod', '')}",
    ):
        mapped = config.owners.get(key)
        if mapped:
            owner, team = owner or mapped.get("owner", ""), team or mapped.get("team", "")
    return owner, team or UNOWNED


def excluded(info: GpuInfo, owner: str, config: GpuConfig, now: datetime) -> bool:
    if owner and owner in config.exclude_users or info.host in config.exclude_hosts:
        return True
    if any(info.labels.get(k) == v for k, v in config.exclude_tags.items()):
        return True
    young = timedelta(hours=config.exclude_younger_than_hours)
    return bool(young and info.launched_at and now - info.launched_at < young)


def slack_user(owner: str, config: GpuConfig, lookup: people.Lookup | None) -> str | None:
    """A Slack user id for an owner: the explicit map, an id as is, or users.lookupByEmail."""
    return people.slack_user(owner, config.users, lookup)
