"""The README's commands on a fresh machine: scripts/apt.sh (Debian packages) and scripts/setup.sh (.venv).

Each test runs a copy of the scripts in a temporary checkout with fake `id`, `dpkg-query`, `apt-get` and
Python programs, so nothing is installed or removed on this machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (ROOT / ".ci" / "apt-packages.txt").read_text().split()
# The only real programs the scripts may reach; apt-get, dpkg-query, id and python3 are fakes.
REAL_TOOLS = ("bash", "cat", "cut", "dirname", "grep", "rm", "sha1sum", "touch", "tr")

FAKE_ID = '#!/bin/sh\n[ "$1" = -u ] && echo "$FAKE_UID"\n'
FAKE_DPKG_QUERY = """#!/bin/sh
pkg="$3"
case " $FAKE_INSTALLED " in
  *" $pkg "*) printf installed ;;
  *) echo "dpkg-query: no packages found matching $pkg" >&2; exit 1 ;;
esac
"""


def _logger(name: str, exit_code: str = "${FAKE_EXIT:-0}") -> str:
    """A fake program that records its arguments in $FAKE_LOG."""
    return f'#!/bin/sh\necho "{name} $*" >> "$FAKE_LOG"\nexit {exit_code}\n'


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the scripts and the files they read, with a PATH of fakes and the few real tools."""
    repo = tmp_path / "repo"
    for name in ("scripts/apt.sh", "scripts/setup.sh", "scripts/test.sh", ".ci/apt-packages.txt", "pyproject.toml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    (repo / "constraints.txt").write_text("waitress==3.0.2\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REAL_TOOLS:
        real = shutil.which(tool)
        assert real, f"{tool} is needed to run the scripts"
        (bin_dir / tool).symlink_to(real)
    _executable(bin_dir / "id", FAKE_ID)
    _executable(bin_dir / "dpkg-query", FAKE_DPKG_QUERY)
    _executable(bin_dir / "apt-get", _logger("apt-get"))
    _executable(bin_dir / "python3", _logger("python3", "1"))
    return repo


def _run(repo: Path, script: str, *, uid: int, installed: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    log = repo.parent / "calls.log"
    log.touch()
    environ = {
        "PATH": str(repo.parent / "bin"),
        "FAKE_UID": str(uid),
        "FAKE_INSTALLED": " ".join(installed),
        "FAKE_LOG": str(log),
        **env,
    }
    return subprocess.run(
        ["bash", str(repo / script)], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def _calls(repo: Path) -> list[str]:
    return (repo.parent / "calls.log").read_text().splitlines()


def test_non_root_user_without_a_package_gets_one_line_naming_it_and_the_command(checkout: Path) -> None:
    result = _run(checkout, "scripts/apt.sh", uid=1000, installed=["postgresql", "chromium"])

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "the Debian packages prometheus:" in lines[0]
    assert "`sudo apt-get install -y prometheus`" in lines[0]
    assert _calls(checkout) == []


def test_readme_test_command_stops_at_the_missing_packages_before_building_the_venv(checkout: Path) -> None:
    result = _run(checkout, "scripts/test.sh", uid=1000, installed=[])

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"ritualbot: the tests need the Debian packages {' '.join(PACKAGES)}: run "
        f"`sudo apt-get install -y {' '.join(PACKAGES)}` (or set RITUALBOT_SKIP_APT=1 to run without them)"
    ]
    assert _calls(checkout) == []  # neither apt-get nor python3 (scripts/setup.sh) ran


def test_root_installs_the_missing_packages_after_one_quiet_update(checkout: Path) -> None:
    result = _run(checkout, "scripts/apt.sh", uid=0, installed=["postgresql", "chromium"])

    assert result.returncode == 0, result.stderr
    assert _calls(checkout) == ["apt-get update -qq", "apt-get install -y -qq prometheus"]


def test_a_failing_apt_get_fails_the_script(checkout: Path) -> None:
    result = _run(checkout, "scripts/apt.sh", uid=0, installed=[], FAKE_EXIT="100")

    assert result.returncode == 100
    assert _calls(checkout) == ["apt-get update -qq"]


@pytest.mark.parametrize("uid", [0, 1000])
def test_nothing_happens_when_every_package_is_installed(checkout: Path, uid: int) -> None:
    result = _run(checkout, "scripts/apt.sh", uid=uid, installed=PACKAGES)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert _calls(checkout) == []


def test_skip_variable_lets_a_non_root_user_run_without_the_packages(checkout: Path) -> None:
    result = _run(checkout, "scripts/apt.sh", uid=1000, installed=[], RITUALBOT_SKIP_APT="1")

    assert (result.returncode, result.stderr) == (0, "")
    assert _calls(checkout) == []


def test_machine_without_dpkg_is_told_what_the_tests_need_and_goes_on(checkout: Path) -> None:
    (checkout.parent / "bin" / "dpkg-query").unlink()

    result = _run(checkout, "scripts/apt.sh", uid=1000, installed=[])

    assert result.returncode == 0
    assert "not a Debian system" in result.stderr and "prometheus" in result.stderr
    assert _calls(checkout) == []


def test_ci_installs_debian_packages_through_the_same_script() -> None:
    scripts = [ROOT / ".ci" / "run", *sorted((ROOT / "scripts").glob("*.sh"))]
    installing = [p.relative_to(ROOT).as_posix() for p in scripts if "apt-get install" in _code(p)]
    assert installing == ["scripts/apt.sh"]
    assert "bash scripts/apt.sh" in _code(ROOT / ".ci" / "run")
    assert "bash scripts/apt.sh" in _code(ROOT / "scripts" / "test.sh")


def _code(path: Path) -> str:
    """A shell script without its comments and messages (the lines that only echo)."""
    lines = [line.split("#", 1)[0] for line in path.read_text().splitlines()]
    return "\n".join(line for line in lines if not line.strip().startswith("echo"))


def test_setup_installs_from_the_constraints_and_reruns_only_when_they_change(checkout: Path) -> None:
    _executable(checkout / ".venv" / "bin" / "python", _logger("python"))

    first = _run(checkout, "scripts/setup.sh", uid=1000, installed=[])
    again = _run(checkout, "scripts/setup.sh", uid=1000, installed=[])
    after_first = _calls(checkout)
    (checkout / "constraints.txt").write_text("waitress==3.0.3\n")
    changed = _run(checkout, "scripts/setup.sh", uid=1000, installed=[])

    assert (first.returncode, again.returncode, changed.returncode) == (0, 0, 0)
    install = "python -m pip install --quiet -c constraints.txt -e .[dev,postgres]"
    assert after_first == ["python -m pip install --quiet --upgrade pip", install]
    assert _calls(checkout)[len(after_first) :] == ["python -m pip install --quiet --upgrade pip", install]
