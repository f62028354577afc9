#!/usr/bin/env bash
# End-to-end tests: the real app with its Go bindings (`wails dev` serving the
# built frontend under Xvfb on http://localhost:34115) on a fresh demo data
# directory, driven by headless Chromium through playwright-core.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"
port="${E2E_PORT:-34115}"
data="$(mktemp -d /tmp/clinicdesk-e2e.XXXXXX)"
logs="$data/logs"; mkdir -p "$logs"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  pkill -f "clinicdesk-dev.*--data-dir $data" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

if curl -sf "http://localhost:$port" >/dev/null 2>&1; then
  echo "e2e: something already listens on $port; stop it first" >&2; exit 1
fi

(cd frontend && npm run build >"$logs/vite.log" 2>&1) || { cat "$logs/vite.log"; exit 1; }

if [ -z "${DISPLAY:-}" ]; then
  disp=":$((90 + RANDOM % 9))"
  setsid Xvfb "$disp" -screen 0 1280x900x24 -nolisten tcp >"$logs/xvfb.log" 2>&1 &
  pids+=($!)
  export DISPLAY="$disp"
  sleep 1
fi

echo "e2e: starting the app (wails dev) on a fresh demo practice in $data"
CLINICDESK_NO_OPEN=1 setsid wails dev -m -s -noreload -tags webkit2_41 -devserver "localhost:$port" \
  -appargs "--data-dir $data/practice" >"$logs/wails.log" 2>&1 &
pids+=($!)

for i in $(seq 1 300); do
  if curl -sf "http://localhost:$port" >/dev/null 2>&1 && grep -q "data directory" "$logs/wails.log"; then break; fi
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "e2e: wails dev exited"; cat "$logs/wails.log"; exit 1; fi
  sleep 2
done
curl -sf "http://localhost:$port" >/dev/null || { echo "e2e: the app did not start in 10 minutes"; tail -50 "$logs/wails.log"; exit 1; }
echo "e2e: app is up after ~$((i * 2)) s"

export CLINICDESK_E2E_URL="http://localhost:$port"
export CLINICDESK_E2E_DATA="$data/practice"
status=0
(cd frontend && node --test --test-concurrency=1 ${E2E_TESTS:-e2e/*.test.mjs}) || status=$?
if [ "$status" != 0 ]; then echo "---- app log (tail) ----"; tail -40 "$logs/wails.log"; fi
exit "$status"
