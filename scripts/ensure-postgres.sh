#!/usr/bin/env bash
# Install a PostgreSQL server for the storage tests, if none is there. The tests
# start a throwaway cluster of their own (tests/support/database_servers.py) and never
# touch the one Debian sets up, so only the server programs are needed.
# Without root nothing is installed: the PostgreSQL tests then skip and say why
# (or fail, when REQUIRE_POSTGRES=1 says they must run).
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL server not installed: the storage tests will run on SQLite only." >&2
  echo "To run them on PostgreSQL too: sudo apt-get install -y postgresql" >&2
  exit 0
fi

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
