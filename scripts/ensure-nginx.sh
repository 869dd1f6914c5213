#!/usr/bin/env bash
# Install nginx for the reverse-proxy test (tests/system/test_reverse_proxy.py),
# if it is not there. The test runs its own nginx, from a folder of its own and
# on free ports of 127.0.0.1, with the configuration from docs/deploy.md; it
# never touches the one Debian sets up, so only the program is needed, and the
# package's service is kept from starting while it is installed.
# Without root nothing is installed: the test then skips and says why (or
# fails, when REQUIRE_NGINX=1 says it must run).
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "nginx not installed: the reverse-proxy test (tests/system/test_reverse_proxy.py) will be skipped." >&2
  echo "To run it: sudo apt-get install -y nginx" >&2
  exit 0
fi

# Debian starts a service as it installs it unless policy-rc.d says no (101: not allowed).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
