"""An installed ritualbot runs: migrations are found through the import system, and the wheel check
(.ci/wheel_files.py, which CI runs on the built wheel) names every file the wheel lacks or should not have.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

from alembic.script import ScriptDirectory

from bot.db import alembic_config

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from bot.db import Database, alembic_config
db = Database(sys.argv[1])
db.upgrade()
print(json.dumps({"script_location": alembic_config(sys.argv[1]).get_main_option("script_location"),
                  "revision": db.current_revision()}))
"""


def test_migrations_are_found_where_the_migrations_package_is_installed_not_beside_bot(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "migrations", site / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    # `python -c` puts its working folder first on sys.path: `migrations` comes from the copy, `bot` from ROOT.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    result = subprocess.run(
        [sys.executable, "-c", PROBE, url], cwd=site, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.splitlines()[-1])
    assert Path(probe["script_location"]) == site / "migrations"
    assert probe["revision"] == ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _wheel_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wheel_files", ROOT / ".ci" / "wheel_files.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheel(path: Path, names: set[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in sorted(names):
            zf.writestr(name, "")
        zf.writestr("ritualbot-0.1.0.dist-info/METADATA", "Name: ritualbot\n")
    return path


def test_wheel_check_lists_the_code_templates_data_and_migrations_of_the_tree() -> None:
    tree = _wheel_check().tree_files(ROOT)

    assert {
        "bot/db.py",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/0001_foundation.py",
        "rituals/standup/templates/ask.md.j2",
        "reports/gpu/data/demo-fleet.json",
        "reports/spend/data/focus-sample/focus-2026-10.csv",
    } <= tree
    assert not any(name.startswith(("tests/", "bench/", "scripts/")) or "__pycache__" in name for name in tree)
    assert "rituals/standup/README.md" not in tree


def test_wheel_check_passes_a_wheel_with_exactly_the_tree(tmp_path: Path) -> None:
    check = _wheel_check()
    wheel = _fake_wheel(tmp_path / "ritualbot-0.1.0-py3-none-any.whl", check.tree_files(ROOT))

    assert check.problems(check.wheel_files(wheel), check.tree_files(ROOT)) == []


def test_wheel_check_names_a_missing_template_and_a_stale_module(tmp_path: Path) -> None:
    check = _wheel_check()
    tree = check.tree_files(ROOT)
    template = min(name for name in tree if name.endswith(".j2"))
    wheel = _fake_wheel(tmp_path / "ritualbot-0.1.0-py3-none-any.whl", tree - {template} | {"bot/removed_long_ago.py"})

    assert check.problems(check.wheel_files(wheel), tree) == [
        f"missing from the wheel: {template}",
        "in the wheel but not in the tree: bot/removed_long_ago.py",
    ]
