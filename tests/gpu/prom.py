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
from tests.gpu.sites import site_families

HINT = "install the Debian package `prometheus` (apt-get install -y prometheus; listed in .ci/apt-packages.txt)"


def _labels(gpu: Gpu) -> str:
    labels = {
        "gpu": gpu.index,
        "UUID": gpu.uuid,
        "device": f"nvidia{gpu.index}",
        "modelName": gpu.model,
        "Hostname": gpu.host,
        "DCGM_FI_DRIVER_VERSION": "550.54.15",
        "cluster": "lab",
    }
    if gpu.namespace:
        labels.update(namespace=gpu.namespace, pod=f"{gpu.namespace}-train-0", container="trainer")
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


def openmetrics() -> str:
    """The lab fleet (a sample in the middle of each 5-minute step, so a 5-minute window sees exactly
    one) and the sites of tests/gpu/sites.py, one block per metric family as OpenMetrics requires."""
    lab = {
        "DCGM_FI_DEV_GPU_UTIL": lambda g, t: g.util(t),
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE": lambda g, t: g.engine(t) if g.engine else None,
        "DCGM_FI_DEV_FB_USED": lambda g, t: g.mem(t) if g.util(t) is not None else None,
    }
    out: list[str] = []
    for name, site_lines in site_families():
        out.append(f"# TYPE {name} gauge")
        value_of = lab.get(name)
        for gpu in FLEET if value_of else ():
            labels = _labels(gpu)
            for t in steps(end=PROM_END):
                value = value_of(gpu, t)
                if value is not None:
                    out.append(f"{name}{{{labels}}} {value} {int(t) + STEP // 2}")
        out += site_lines
    out.append("# EOF")
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prometheus(
    folder: Path, *, data: str | None = None, config: str = "", flags: tuple[str, ...] = ()
) -> Iterator[str]:
    """A Prometheus serving `data` (OpenMetrics text; the lab fleet and the sites by default), or with
    empty storage and `config` (e.g. a remote_read section), started with extra `flags`."""
    binary = shutil.which("prometheus")
    if not binary:
        raise RuntimeError(f"the GPU tests need a real Prometheus: {HINT}")
    storage = folder / "data"
    if not config:
        import_openmetrics(openmetrics() if data is None else data, folder, storage)
    (folder / "prometheus.yml").write_text("global: {}\nscrape_configs: []\n" + config)
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
            *flags,
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


def import_openmetrics(text: str, folder: Path, storage: Path) -> None:
    promtool = shutil.which("promtool")
    if not promtool:
        raise RuntimeError(f"the GPU tests need promtool: {HINT}")
    source = folder / "dcgm.om"
    source.write_text(text)
    # One block per 15 days instead of 2-hour blocks: the import takes half a second, not fifteen.
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=360h", str(source), str(storage)],
        check=True,
        capture_output=True,
    )


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
