#!/usr/bin/env bash
# Install the Debian packages the tests need (.ci/apt-packages.txt) when some are missing: as root,
# `apt-get update` once and install them quietly; otherwise print one line saying what to install and
# fail. scripts/test.sh and .ci/run both call this. RITUALBOT_SKIP_APT=1 skips the check.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${RITUALBOT_SKIP_APT:-}" = 1 ] && exit 0

packages=$(grep -v '^[[:space:]]*\(#\|$\)' .ci/apt-packages.txt | tr '\n' ' ')
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ritualbot: not a Debian system; the tests need the programs of these Debian packages: $packages" >&2
  exit 0
fi
missing=()
for pkg in $packages; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "ritualbot: the tests need the Debian packages ${missing[*]}: run \`sudo apt-get install -y ${missing[*]}\`" \
    "(or set RITUALBOT_SKIP_APT=1 to run without them)" >&2
  exit 1
fi
echo "== Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
