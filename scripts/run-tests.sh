#!/usr/bin/env bash
# Install govkg with its test dependencies into .venv (a real, non-editable install, so the
# tests exercise the package data a user gets) and run the linters and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps .
.venv/bin/python -m pip install --quiet '.[test]'
.venv/bin/ruff check src tests scripts
.venv/bin/python -m pytest "$@"
