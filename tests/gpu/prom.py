"""A real Prometheus on a loopback port, its storage imported from OpenMetrics by promtool."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.gpu.fleet import FLEET, PROM_END, STEP, Gpu, steps

HINT = "install the Debian package `prometheus` (apt-get install -y prometheus; listed in .ci/apt-packages.txt)"


def _labels(gpu: Gpu) -> str:
    labels = {
        "gpu": gpu.index,
        "UUID": gpu.uuid,
        "device": f"nvidia{gpu.index}",
        "modelName": gpu.model,
        "Hostname": gpu.host,
        "DCGM_FI_DRIVER_VERSION": "550.54.15",
    }
    if gpu.namespace:
        labels.update(namespace=gpu.namespace, pod=f"{gpu.namespace}-train-0", container="trainer")
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


def openmetrics() -> str:
    """A sample in the middle of each 5-minute step, so avg_over_time over the step sees exactly one."""
    out: list[str] = []
    families = [
        ("DCGM_FI_DEV_GPU_UTIL", lambda g, t: g.util(t)),
        ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", lambda g, t: g.engine(t) if g.engine else None),
        ("DCGM_FI_DEV_FB_USED", lambda g, t: g.mem(t) if g.util(t) is not None else None),
    ]
    for name, value_of in families:
        out.append(f"# TYPE {name} gauge")
        for gpu in FLEET:
            labels = _labels(gpu)
            for t in steps(end=PROM_END):
                value = value_of(gpu, t)
                if value is not None:
                    out.append(f"{name}{{{labels}}} {value} {int(t) + STEP // 2}")
    out.append("# EOF")
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prometheus(folder: Path) -> Iterator[str]:
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not binary or not promtool:
        raise RuntimeError(f"the GPU tests need a real Prometheus: {HINT}")
    data, source = folder / "data", folder / "dcgm.om"
    source.write_text(openmetrics())
    # One block per 15 days instead of 2-hour blocks: the import takes half a second, not fifteen.
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=360h", str(source), str(data)],
        check=True,
        capture_output=True,
    )
    (folder / "prometheus.yml").write_text("global: {}\nscrape_configs: []\n")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "prometheus.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, folder)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_ready(url: str, proc: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prometheus exited: {(folder / 'prometheus.log').read_text()[-500:]}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling a starting process, not waiting on the clock under test
    raise RuntimeError("prometheus did not become ready within 30 s")
