#!/usr/bin/env bash
# Installs everything the tests need (the app's at requirements.lock's versions), then runs lint,
# types and the whole test suite.
# Browser tests need Debian's chromium: installed here when running as root on Debian,
# otherwise they skip (and fail under CI=true, where they must run).
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter: $PYTHON, else python, else python3 (a fresh Debian has only python3). Debian's
# own Python refuses pip installs (PEP 668, "externally-managed-environment"), so there the tests
# run in a virtual environment in .venv, made once (as root, python3-venv is installed if missing).
PY="${PYTHON:-$(command -v python || command -v python3)}"
if "$PY" -c 'import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)'; then
  if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null || { echo "test.sh: $PY cannot make a venv" >&2; exit 1; }
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    fi
  fi
  PY="$PWD/.venv/bin/python"
  export PATH="$PWD/.venv/bin:$PATH"  # tests that start tools by name find the venv's
fi

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The app's dependencies at the exact versions of requirements.lock (the Docker image's), test tools
# within requirements-dev.txt's ranges; then make sure the lock still covers what is installed.
"$PY" -m pip install -q -r requirements.txt -r requirements-dev.txt -c requirements.lock
"$PY" tools/lock.py --check

"$PY" -m ruff check .
"$PY" -m mypy
"$PY" -m pytest "$@"
