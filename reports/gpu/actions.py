"""What owners and admins do about an idle GPU: answer a DM, stop an EC2 instance; `/gpu owners` rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.deferred import aws_config
from bot.errors import UserError
from reports.digest import service as digest
from reports.gpu import owners
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuResponse
from reports.gpu.service import unit_name

log = logging.getLogger(__name__)
ANSWERS = {
    "in_use": "Noted: in use. I won't ask about it again today.",
    "releasing": "Thanks for releasing it. The next digest shows it as being released.",
    "snoozed": "Snoozed for 3 days.",
}


def latest(session: Session, gpu_key: str) -> GpuDay:
    row = session.scalars(select(GpuDay).where(GpuDay.gpu_key == gpu_key).order_by(GpuDay.day.desc()).limit(1)).first()
    if row is None:
        raise UserError("I no longer know this GPU: it may have left the fleet. Try `/gpu idle`.")
    return row


def answer(session: Session, gpu_key: str, user_id: str, response: str, now: datetime, tz: str) -> str:
    """Store an owner's answer; 'in use' and 'releasing' last the local day, a snooze three days."""
    latest(session, gpu_key)
    if response == "snoozed":
        until = now + timedelta(days=3)
    else:
        local = now.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)
        until = datetime.combine(local, datetime.min.time(), ZoneInfo(tz))
    session.add(GpuResponse(gpu_key=gpu_key, user_id=user_id, response=response, until=until, created_at=now))
    return ANSWERS[response]


def stop_instance(
    session: Session,
    config: GpuConfig,
    gpu_key: str,
    user_id: str,
    now: datetime,
    *,
    team_id: str,
    ec2: Any | None = None,
) -> str:
    """Stop the EC2 instance behind a GPU (admins only, opt-in) and post an audit line in the channels."""
    if not config.stop_enabled:
        raise UserError(
            "Stopping instances is turned off: an admin can set gpu.stop_instances.enabled in ritualbot.yaml."
        )
    if user_id not in config.stop_admins:
        raise UserError("Only the admins listed in gpu.stop_instances.admins can stop instances.")
    row = latest(session, gpu_key)
    if not row.instance_id.startswith("i-"):
        raise UserError(f"{row.host} is not an EC2 instance I can stop.")
    if config.stop_dry_run:
        line = (
            f":test_tube: Dry run: <@{user_id}> would have stopped EC2 instance `{row.instance_id}` "
            f"({row.host}, idle GPU {row.gpu})."
        )
        for channel in audit_channels(session, config, team_id):
            outbox.post(session, channel=channel, text=line, now=now, team_id=team_id)
        return f"Dry run (gpu.stop_instances.dry_run): I would stop `{row.instance_id}`. Nothing was changed."
    client = ec2 or _ec2_for(config, row.source)
    client.stop_instances(InstanceIds=[row.instance_id])
    session.add(
        GpuResponse(gpu_key=gpu_key, user_id=user_id, response="stopped", until=now + timedelta(days=1), created_at=now)
    )
    line = f":octagonal_sign: <@{user_id}> stopped EC2 instance `{row.instance_id}` ({row.host}, idle GPU {row.gpu})."
    for channel in audit_channels(session, config, team_id):
        outbox.post(session, channel=channel, text=line, now=now, team_id=team_id)
    log.info("gpu instance stopped instance=%s by=%s", row.instance_id, user_id)
    return f"Stopping `{row.instance_id}`. I posted an audit line in the GPU digest channel."


def audit_channels(session: Session, config: GpuConfig, team_id: str) -> list[str]:
    return [
        r.channel_id for r in digest.enabled_channels(session) if r.team_id == team_id and config.covers(r.channel_id)
    ]


def _ec2_for(config: GpuConfig, source: str) -> Any:
    raw = next((s for s in config.sources if config.source_name(s) == source and s["type"] == "cloudwatch"), None)
    if raw is None:
        raise UserError("This GPU does not come from a CloudWatch source, so I cannot stop its instance.")
    region, endpoint = raw.get("region", "us-east-1"), raw.get("endpoint_url") or None
    return boto3.client("ec2", region_name=region, endpoint_url=endpoint, config=aws_config())


def owner_rows(session: Session, config: GpuConfig) -> list[tuple[str, str, str, str | None]]:
    """Every GPU of the latest stored day: (label, owner, team, Slack user from the explicit map)."""
    last = session.scalar(select(func.max(GpuDay.day)))
    rows = session.scalars(
        select(GpuDay).where(GpuDay.day == last).order_by(GpuDay.team, GpuDay.host, GpuDay.gpu, GpuDay.unit)
    )
    return [(unit_name(r), r.owner, r.team, owners.slack_user(r.owner, config, None)) for r in rows]
