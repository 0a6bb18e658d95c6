#!/usr/bin/env bash
# Install govkg into .venv and run the main job on the bundled example cities:
# validate each city against shapes/core.ttl, audit its duty lists for gaps (reports are
# written to demo-out/), and answer the sources' own whistles.
# Exits non-zero only when a city does not validate or a command fails on bad input (exit 2);
# audit findings (exit 1) are the job's output, not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps .
.venv/bin/python -m pip install --quiet .
G=.venv/bin/govkg
out=demo-out
mkdir -p "$out"
status=0
for city in beijing nanjing-qinhuai chongqing-f-street; do
  echo "== $city: validate"
  $G validate "$(.venv/bin/python -c "from govkg.loader import city_path; print(city_path('$city'))")" | tail -1 || status=1
  echo "== $city: audit -> $out/audit-$city.md, $out/audit-$city.html"
  rc=0; $G audit --city "$city" --format md -o "$out/audit-$city.md" --html "$out/audit-$city.html" || rc=$?
  [ "$rc" -le 1 ] || status=$rc
done
echo "== route: Fuzimiao 餐饮油烟 after the 2019-09 enforcement reform"
$G route --city nanjing-qinhuai --matter 餐饮油烟 --area 夫子庙街道 --at 2019-10-15T10:00 || status=$?
echo "== route: Honghua, a major whistle"
$G route --city nanjing-qinhuai --matter 擅自占道堆物搭建 --area 红花街道 --at 2019-03-09T09:00 --severity 重大 || status=$?
echo "== route: Pinggu 金海湖镇 illegal mining"
$G route --city beijing --matter 非法盗采金矿、砂石 --area 金海湖镇 --at 2017-03-01T09:00 || status=$?
echo "== route: a matter nobody holds"
$G route --city nanjing-qinhuai --matter 噪声扰民 --area 夫子庙街道 --at 2020-06-01T10:00 || status=$?
echo "== compare the three cities -> $out/compare.html"
$G compare beijing nanjing-qinhuai chongqing-f-street --html "$out/compare.html" >/dev/null || status=$?
echo "demo: done (exit $status); reports in $out/"
exit $status
