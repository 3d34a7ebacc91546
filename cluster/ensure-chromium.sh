#!/usr/bin/env bash
# Idempotent: makes sure Debian's Chromium is at /usr/bin/chromium for the Playwright smoke and report tests.
# Playwright must never download a browser of its own: it is told to skip that and is pointed at this binary.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
echo "ensure-chromium: installing chromium (apt)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version >&2
