#!/usr/bin/env bash
# CI: prove the distribution. Build the wheel from a clean copy of the tree, check its file list
# (.ci/wheel_files.py), install it with constraints.txt into a new venv, and from a folder outside the
# checkout run the installed `ritualbot db upgrade` on a temporary SQLite file and `ritualbot demo`.
# Any failure fails the run. Needs .venv (scripts/setup.sh); pip's cache makes the install quick.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/ritualbot-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A copy, so that setuptools' build/ cache and files git ignores cannot end up in the wheel.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do if [ -f "$f" ]; then printf '%s\0' "$f"; fi; done \
  | tar --null --files-from=- -cf - | tar -xf - -C "$work/src"
.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/ritualbot-*.whl)
.venv/bin/python .ci/wheel_files.py "$wheel"

# A new venv with nothing in it; .venv's pip installs into it (faster than the venv's own, bundled pip).
python3 -m venv --without-pip "$work/venv"
.venv/bin/python -m pip --python "$work/venv/bin/python" install -qq --no-compile -c constraints.txt "$wheel"

cd "$work"
unset PYTHONPATH
installed=$("$work/venv/bin/python" -c 'import bot, migrations; print(bot.__file__, migrations.__file__)')
case "$installed" in
  "$work/venv/"*" $work/venv/"*) ;;
  *) echo "the installed ritualbot is not the wheel's: $installed" >&2; exit 1 ;;
esac
DATABASE_URL="sqlite:///$work/upgrade.db" "$work/venv/bin/ritualbot" db upgrade
"$work/venv/bin/ritualbot" demo --quiet --out "$work/demo"
