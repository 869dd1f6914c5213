#!/usr/bin/env bash
# Install what `make bench` needs besides the project's virtualenv, if it is missing:
# wrk, Chromium and Redis (Debian packages; the servers keep their rate limits in
# a throwaway Redis, as in production), Lighthouse (npm, package.json), and
# pyinstrument (requirements-bench.txt, into the project's virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PYTHON="${PYTHON:-python3}"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing $*: install with: sudo apt-get install -y $*" >&2
    exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v wrk >/dev/null 2>&1 || apt_install wrk
[ -x /usr/bin/chromium ] || apt_install chromium
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
if [ ! -f node_modules/lighthouse/cli/index.js ]; then
  npm ci --silent --no-audit --no-fund
fi

stamp() { echo "$1/.bench-installed-$(cksum <"$2" | cut -d' ' -f1)"; }

bench_stamp="$(stamp .venv requirements-bench.txt)"
if [ ! -f "$bench_stamp" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
  rm -f .venv/.bench-installed-*
  touch "$bench_stamp"
fi
