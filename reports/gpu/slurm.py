"""Who a Slurm job belongs to, for dcgm-exporter's `hpc_job` label, which names only the job: the
configured command (`sacct -n -X -P -o JobID,User -j {jobs}` by default in the docs), run once per
refresh for every job seen, answers `jobid|user` lines."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterable, Sequence

log = logging.getLogger(__name__)
TIMEOUT_S = 30


def job_users(command: Sequence[str], jobs: Iterable[str]) -> dict[str, str]:
    """{job id: user}; empty when no command is configured or it fails (the jobs then show as `job N`)."""
    wanted = sorted(set(jobs))
    if not command or not wanted:
        return {}
    argv = [part.replace("{jobs}", ",".join(wanted)) for part in command]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("slurm job users command failed command=%s error=%s", argv[0], type(exc).__name__)
        return {}
    users = {}
    for line in done.stdout.splitlines():
        job, _, rest = line.strip().partition("|")
        user = rest.split("|", 1)[0].strip()
        if job and user and job in wanted:
            users[job] = user
    return users
