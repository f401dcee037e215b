#!/usr/bin/env bash
# Newcomer's first command: set up, then simulate a day of every ritual and report on embedded
# defaults (SQLite, a local MLflow store, bundled sample data; no Slack account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
RITUALBOT_EXTRAS="${RITUALBOT_EXTRAS:-dev,postgres}" bash scripts/setup.sh
exec .venv/bin/ritualbot demo --html "$@"
