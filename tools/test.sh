#!/usr/bin/env bash
# Installs everything the tests need (the app's at requirements.lock's versions), then runs lint,
# types and the whole test suite.
# Browser tests need Debian's chromium: installed here when running as root on Debian,
# otherwise they skip (and fail under CI=true, where they must run).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The app's dependencies at the exact versions of requirements.lock (the Docker image's), test tools
# within requirements-dev.txt's ranges; then make sure the lock still covers what is installed.
python -m pip install -q -r requirements-dev.txt -c requirements.lock
python tools/lock.py --check

ruff check .
mypy
python -m pytest "$@"
