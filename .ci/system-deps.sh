#!/usr/bin/env bash
# System packages the test suite uses, installed only when missing: Debian's Chromium (browser tests through
# Playwright, no browser download) and a PostgreSQL server on 127.0.0.1 (storage and API tests on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
bash .ci/postgres.sh
