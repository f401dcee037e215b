"""Freeing an idle GPU on an admin's explicit say-so: cancel its Slurm job (`scancel`), scale the
Kubernetes Deployment its pod belongs to down to 0 replicas, or delete its pod (an idle notebook),
through the commands configured in `gpu.enforce`. Admin-only,
behind a confirm dialog, audited in the digest channels, and a dry run unless `dry_run: false`:
ritualbot never does it on its own. (EC2 instances: `actions.stop_instance`.)"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from bot.text import escape
from reports.gpu.actions import audit_channels, latest
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuResponse
from reports.gpu.service import label

log = logging.getLogger(__name__)
TIMEOUT_S = 60
# A Deployment's pods are named <deployment>-<pod-template-hash>-<suffix>, both from Kubernetes'
# safe alphabet (no vowels, no 0/1/3): `nlp-serve-5d8f7b9c4-x2k9p` belongs to Deployment `nlp-serve`.
SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
DEPLOYMENT_POD = re.compile(rf"(?P<deployment>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)-{SAFE}{{6,10}}-{SAFE}{{5}}")


@dataclass(frozen=True)
class Remedy:
    """What would free a GPU: a button's words and the command it runs."""

    button: str
    done: str  # for the audit line: "cancelled Slurm job 4242"
    argv: tuple[str, ...]
    note: str = ""  # what else it affects, first in the confirm dialog


def remedy(row: GpuDay, config: GpuConfig) -> Remedy | None:
    """The configured remedy for the workload holding this GPU, if there is one."""
    if row.job and config.enforce_scancel:
        argv = _fill(config.enforce_scancel, job=row.job)
        return Remedy(f"Cancel job {row.job}", f"cancelled Slurm job {row.job}", argv)
    deployment = deployment_of(row.pod)
    if deployment and config.enforce_scale_deployment:
        argv = _fill(config.enforce_scale_deployment, namespace=row.namespace, deployment=deployment)
        done = f"scaled deployment {row.namespace}/{deployment} to 0"
        note = f"It stops every pod of Deployment {row.namespace}/{deployment}, not only this one. "
        return Remedy(f"Scale {deployment} to 0"[:75], done, argv, note)
    if row.pod and not deployment and config.enforce_delete_pod:  # a Deployment would only start it again
        argv = _fill(config.enforce_delete_pod, namespace=row.namespace, pod=row.pod)
        return Remedy(f"Delete pod {row.pod}"[:75], f"deleted pod {row.namespace}/{row.pod}", argv)
    return None


def deployment_of(pod: str) -> str:
    """The Deployment that owns a pod, by the name Kubernetes gives its pods ('' for any other pod)."""
    found = DEPLOYMENT_POD.fullmatch(pod)
    return found.group("deployment") if found else ""


def can_enforce(config: GpuConfig, user_id: str) -> bool:
    return user_id in config.enforce_admins


def enforce(session: Session, config: GpuConfig, gpu_key: str, user_id: str, now: datetime, *, team_id: str) -> str:
    """Run (or, in a dry run, only describe) the remedy for a GPU; post the audit line either way."""
    if not can_enforce(config, user_id):
        raise UserError("Only the admins listed in gpu.enforce.admins can free GPUs.")
    row = latest(session, gpu_key)
    found = remedy(row, config)
    if found is None:
        raise UserError(f"I have no configured way to free {label(row)}: see gpu.enforce in ritualbot.yaml.")
    command = shlex.join(found.argv)
    if config.enforce_dry_run:
        line = f":test_tube: Dry run: <@{user_id}> would have {found.done} ({escape(label(row))}): `{command}`"
        reply = f"Dry run (gpu.enforce.dry_run): I would run `{command}`. Nothing was changed."
    else:
        _run(found.argv)
        session.add(
            GpuResponse(
                gpu_key=gpu_key, user_id=user_id, response="stopped", until=now + timedelta(days=1), created_at=now
            )
        )
        line = f":octagonal_sign: <@{user_id}> {found.done} ({escape(label(row))}), idle GPU: `{command}`"
        reply = f"Done: {found.done}. I posted an audit line in the GPU digest channel."
    for channel in audit_channels(session, config, team_id):
        outbox.post(session, channel=channel, text=line, now=now, team_id=team_id)
    log.info("gpu enforce gpu=%s by=%s dry_run=%s command=%s", gpu_key, user_id, config.enforce_dry_run, command)
    return reply


def _run(argv: tuple[str, ...]) -> None:
    try:
        subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, check=True)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or [f"exit status {exc.returncode}"]
        raise UserError(f"`{shlex.join(argv)}` failed: {detail[0][:200]}") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"I could not run `{argv[0]}` ({type(exc).__name__}): check gpu.enforce.") from None


def _fill(template: tuple[str, ...], **values: str) -> tuple[str, ...]:
    out = []
    for part in template:
        for name, value in values.items():
            part = part.replace("{" + name + "}", value)
        out.append(part)
    return tuple(out)
