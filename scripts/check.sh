#!/usr/bin/env bash
# Lint, format and type checks (CI runs this before the tests). The import contract is a test:
# tests/test_architecture.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff check"
.venv/bin/ruff check .
echo "== ruff format --check"
.venv/bin/ruff format --check .
echo "== mypy (bot, handlers, rituals, reports)"
.venv/bin/mypy
