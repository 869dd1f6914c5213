#!/usr/bin/env bash
# Install a Redis server for the scale-out tests, if none is there. The tests
# start a throwaway server of their own (tests/support/database_servers.py: 127.0.0.1
# only, no persistence) and never touch the one Debian sets up, so only the
# program is needed.
# Without root nothing is installed: the scale-out tests then skip and say why
# (or fail, when REQUIRE_REDIS=1 says they must run).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Redis server not installed: the scale-out tests (tests/system/test_scale_out.py) will be skipped." >&2
  echo "To run them: sudo apt-get install -y redis-server" >&2
  exit 0
fi

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
