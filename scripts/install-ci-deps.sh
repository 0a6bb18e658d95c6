#!/usr/bin/env bash
# Install the system and npm packages that the SPARQL tests need, as root:
#   - Virtuoso Open Source 7 (Debian package virtuoso-opensource-7-bin: the virtuoso-t server
#     binary) for tests/test_virtuoso.py, which starts its own server on a free loopback port;
#   - Node.js and npm, when the machine has none (Debian's nodejs and npm);
#   - the npm SPARQL client of tests/js (fetch-sparql-endpoint), with `npm ci` from the
#     committed package-lock.json into tests/js/node_modules;
#   - Debian's chromium (headless) for tests/test_report_browser.py, which opens the HTML
#     reports, and fonts-wqy-microhei, a small CJK font, so that its screenshots show Chinese.
# Idempotent: it runs `apt-get update` at most once, only when a Debian package is missing,
# and skips `npm ci` when node_modules already matches the lock file. Nothing is started here.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'install-ci-deps: %s\n' "$*"; }

need_deb=()
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

command -v virtuoso-t >/dev/null 2>&1 || deb_installed virtuoso-opensource-7-bin \
  || need_deb+=(virtuoso-opensource-7-bin)
command -v node >/dev/null 2>&1 || need_deb+=(nodejs)
command -v npm >/dev/null 2>&1 || need_deb+=(npm)
command -v chromium >/dev/null 2>&1 || deb_installed chromium || need_deb+=(chromium)
deb_installed fonts-wqy-microhei || need_deb+=(fonts-wqy-microhei)

if [ "${#need_deb[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "must run as root to install: ${need_deb[*]}" >&2
    exit 1
  fi
  log "apt-get install ${need_deb[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_deb[@]}" >/dev/null
else
  log "Debian packages already installed"
fi

# Debian puts virtuoso-t in /usr/bin; say where it is so a failed install shows up here.
command -v virtuoso-t >/dev/null 2>&1 || { log "virtuoso-t not found after install" >&2; exit 1; }

js=tests/js
stamp="$js/node_modules/.govkg-lock.sha256"
want="$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$js/node_modules/fetch-sparql-endpoint" ]; then
  log "npm packages in $js already installed"
else
  log "npm ci in $js"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want" >"$stamp"
fi
log "done"
