#!/usr/bin/env bash
# Create .venv and install ritualbot with its extras, at the versions pinned in constraints.txt
# (re-runs only when pyproject.toml or constraints.txt changed).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${RITUALBOT_EXTRAS:-dev,postgres}"
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)-${extras//,/_}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[${extras}]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
