#!/usr/bin/env bash
# The client portal end to end in headless Chromium (see portal.mjs).
# Needs Go, node, frontend/node_modules/playwright-core and /usr/bin/chromium.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
if [ ! -d frontend/node_modules/playwright-core ]; then
  (cd frontend && npm ci --no-audit --no-fund)
fi
bin="$(mktemp -d /tmp/clinicdesk-portal-e2e.XXXXXX)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/fixture" ./backend/hub/e2e/fixture
FIXTURE="$bin/fixture" timeout 120 node "$here/portal.mjs"
