#!/usr/bin/env bash
# Install govkg into .venv and run the main job on the bundled example cities:
# validate every city against shapes/core.ttl.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps .
.venv/bin/python -m pip install --quiet .
status=0
for city in beijing nanjing-qinhuai chongqing-f-street; do
  echo "== $city =="
  .venv/bin/govkg validate "$(.venv/bin/python -c "from govkg.loader import city_path; print(city_path('$city'))")" || status=$?
done
exit $status
