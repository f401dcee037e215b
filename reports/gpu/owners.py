"""Who owns a GPU (tags, labels, the static map) and which Slack user that is; exclusions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from reports import people
from reports.gpu.config import GpuConfig
from reports.gpu.sources import GpuInfo

UNOWNED = "unowned"


def owner_and_team(info: GpuInfo, config: GpuConfig, job_users: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Tags and labels first (a Slurm job's user: the label, the uid map, the job-users command), then
    the static map by instance, host, UUID, namespace, pod, node or user."""
    owner, team = info.owner or slurm_user(info, config, job_users or {}), info.team
    for key in (
        f"instance:{info.instance_id}",
        f"host:{info.host}",
        f"uuid:{info.uuid}",
        f"namespace:{info.labels.get('namespace', '')}",
        f"pod:{info.labels.get('pod', '')}",
        f"node:{info.labels.get('node', '')}",
        f"user:{owner}",
    ):
        mapped = config.owners.get(key)
        if mapped:
            owner, team = owner or mapped.get("owner", ""), team or mapped.get("team", "")
    return owner, team or UNOWNED


def slurm_user(info: GpuInfo, config: GpuConfig, job_users: Mapping[str, str]) -> str:
    uid = info.labels.get("uid", "")
    if uid:
        return config.slurm_uids.get(uid, f"uid {uid}")
    if info.job:
        return job_users.get(info.job, f"job {info.job}")
    return ""


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
