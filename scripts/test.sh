#!/usr/bin/env bash
# Run the test suite (SQLite by default; set RITUALBOT_TEST_DATABASE_URL for PostgreSQL). On a fresh
# machine it first installs what the tests need: the Debian packages (scripts/apt.sh), then .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt.sh
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n "${RITUALBOT_TEST_WORKERS:-3}" "$@"
