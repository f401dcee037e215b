"""The benchmarks' command line and their throwaway database (no benchmark runs here: speed is measured
by `python -m bench`, never in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from bench.bench_db import throwaway
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent


def test_bench_all_help_prints_the_options_and_runs_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "all", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python -m bench all" in done.stdout and "--quick" in done.stdout
    assert "===" not in done.stdout, "no benchmark started"


def test_a_runs_database_is_gone_after_the_run_so_the_next_run_starts_clean():
    with throwaway(PG_URL) as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_probe (id INTEGER PRIMARY KEY)"))
        assert "bench_probe" in inspect(engine).get_table_names()
        engine.dispose()
    if PG_URL is None:
        assert not Path(url.removeprefix("sqlite:///")).parent.exists()
        return
    with throwaway(PG_URL) as again:  # a second run on the same PostgreSQL database sees none of the first
        engine = create_engine(again)
        assert "bench_probe" not in inspect(engine).get_table_names()
        engine.dispose()
    admin = create_engine(PG_URL)
    with admin.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ritualbot_bench_%'")).scalar()
    admin.dispose()
    assert left == 0


def test_every_benchmark_module_imports():
    """`python -m bench all` runs each in turn: one that no longer imports (a renamed function) fails only
    there, after the others' minutes (the MLflow poll benchmark did, unnoticed)."""
    code = "import importlib\nfrom bench.__main__ import BENCHES\nfor m in BENCHES.values(): importlib.import_module(m)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
