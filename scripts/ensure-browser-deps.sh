#!/usr/bin/env bash
# Install what the browser and HTML tests need, if it is missing:
# Debian's Chromium (Playwright's own browser download is not used), a
# Java runtime plus the Nu Html Checker (npm package vnu-jar), and Spectral,
# which lints the API's OpenAPI document (npm package @stoplight/spectral-cli).
set -euo pipefail
cd "$(dirname "$0")/.."

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

[ -x /usr/bin/chromium ] || apt_install chromium
# Pages are checked in Arabic too: a font with Arabic letters keeps screenshots readable.
fc-list :lang=ar 2>/dev/null | grep -q . || apt_install fonts-dejavu-core
# And in Thai, which DejaVu does not cover: a small Thai font (phones and computers have their own).
fc-list :lang=th 2>/dev/null | grep -q . || apt_install fonts-tlwg-garuda-ttf
command -v java >/dev/null 2>&1 || apt_install default-jre-headless
if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi

if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -x node_modules/.bin/spectral ]; then
  npm ci --silent --no-audit --no-fund
fi
