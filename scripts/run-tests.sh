#!/usr/bin/env bash
# Install everything the tests need and run them:
#  - the system and npm tools of the integration tests (Virtuoso, Chromium, a Node SPARQL
#    client; scripts/install-ci-deps.sh, idempotent, needs root the first time);
#  - govkg with its test dependencies into .venv (a real, non-editable install, so the tests
#    exercise the package data a user gets);
# then ruff and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-ci-deps.sh
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps .
.venv/bin/python -m pip install --quiet '.[test]'
.venv/bin/ruff check src tests scripts bench
.venv/bin/python -m pytest "$@"
