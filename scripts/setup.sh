#!/usr/bin/env bash
# Create .venv and install ritualbot with its extras (re-runs only when pyproject.toml changed).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${RITUALBOT_EXTRAS:-dev,postgres}"
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)-${extras//,/_}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[${extras}]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
