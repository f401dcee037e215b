"""CI: the wheel holds every file of the shipped packages (code, templates, data, migrations) and nothing else.

`python .ci/wheel_files.py DIST.whl` from the repo root. The shipped packages are pyproject.toml's
`packages.find` include list; the tree is what git tracks or would track (ignored files are not the
project's). Documentation inside a package (README.md) is not shipped.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

NOT_SHIPPED = {"README.md"}


def shipped_roots(root: Path) -> list[str]:
    """Top-level package folders from pyproject.toml's `include = ["bot*", ...]`."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in include})


def tree_files(root: Path) -> set[str]:
    """The files the wheel must hold: every tracked or trackable file under the shipped packages."""
    roots = shipped_roots(root)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *roots],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return {name for name in listed if PurePosixPath(name).name not in NOT_SHIPPED and (root / name).is_file()}


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return {name for name in zf.namelist() if not name.split("/")[0].endswith(".dist-info")}


def problems(in_wheel: set[str], in_tree: set[str]) -> list[str]:
    missing = [f"missing from the wheel: {name}" for name in sorted(in_tree - in_wheel)]
    stray = [f"in the wheel but not in the tree: {name}" for name in sorted(in_wheel - in_tree)]
    return missing + stray


def main(argv: list[str]) -> int:
    wheel, root = Path(argv[1]), Path.cwd()
    found = problems(wheel_files(wheel), tree_files(root))
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"{wheel.name}: {len(found)} file(s) differ from the tree (see pyproject.toml's package-data)")
        return 1
    print(f"{wheel.name}: all {len(tree_files(root))} files of {', '.join(shipped_roots(root))} are in it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
