#!/usr/bin/env bash
# Installs everything the tests need, then runs lint, types and the whole test suite.
# Browser tests need Debian's chromium: installed here when running as root on Debian,
# otherwise they skip (and fail under CI=true, where they must run).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q -r requirements-dev.txt

ruff check .
mypy
python -m pytest "$@"
