#!/usr/bin/env bash
# End-to-end tests: the real app with its Go bindings (the dev-mode app, as
# `wails dev` runs it but built optimised, serving the built frontend under
# Xvfb on http://localhost:$E2E_PORT, default 34115) on a fresh demo data
# directory, driven by headless Chromium through playwright-core.
# E2E_WAILS_DEV=1 starts it through `wails dev` instead.
#
#   E2E_PORT=34125 bash frontend/e2e/run.sh                  # every e2e test
#   E2E_TESTS=e2e/messages.test.mjs bash frontend/e2e/run.sh # one file
#   E2E_DATA_DIR=/tmp/large bash frontend/e2e/run.sh         # an existing practice (kept)
#
# The run is isolated from other work in the same checkout: the frontend is
# built into the run's own directory and served from there (-assetdir), and
# wails dev neither rebuilds on Go changes (-nogorebuild) nor touches go.mod.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"
port="${E2E_PORT:-34115}"
data="$(mktemp -d /tmp/clinicdesk-e2e.XXXXXX)"
logs="$data/logs"; mkdir -p "$logs"
practice="${E2E_DATA_DIR:-$data/practice}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  pkill -f "clinicdesk-dev.*--data-dir $practice" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

if curl -sf "http://localhost:$port" >/dev/null 2>&1; then
  echo "e2e: something already listens on $port; stop it first" >&2; exit 1
fi

started=$(date +%s)
# The frontend imports the generated bindings (gitignored): make them first.
wails generate module -tags webkit2_41 >"$logs/bindings.log" 2>&1 || { cat "$logs/bindings.log"; exit 1; }
(cd frontend && npx vite build --outDir "$data/dist" --emptyOutDir >"$logs/vite.log" 2>&1) || { cat "$logs/vite.log"; exit 1; }

if [ -z "${DISPLAY:-}" ]; then
  disp=":$((90 + RANDOM % 9))"
  setsid Xvfb "$disp" -screen 0 1280x900x24 -nolisten tcp >"$logs/xvfb.log" 2>&1 &
  pids+=($!)
  export DISPLAY="$disp"
  sleep 1
fi

if [ "${E2E_WAILS_DEV:-}" = 1 ]; then
  # `wails dev` builds the app without optimisations (-gcflags all=-N -l).
  export CLINICDESK_E2E_HOME="$HOME"
  echo "e2e: starting the app (wails dev) on the practice in $practice"
  CLINICDESK_NO_OPEN=1 setsid wails dev -m -s -noreload -nogorebuild -nosyncgomod -skipembedcreate -tags webkit2_41 \
    -devserver "localhost:$port" -assetdir "$data/dist" \
    -appargs "--data-dir $practice" >"$logs/wails.log" 2>&1 &
else
  # What `wails dev` runs, built the way the released app is (optimised), so
  # timings mean what they would for a user: the dev-mode app serves the
  # built frontend and the bindings on localhost:$port for the browser.
  echo "e2e: building the app (dev mode, optimised) and starting it on the practice in $practice"
  go build -tags dev,webkit2_41 -o "$data/clinicdesk-dev" . >"$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }
  # Its own home folder, so the default scan inbox (~/ClinicDesk Inbox) the
  # tests drop files into is not the real one of whoever runs them.
  export CLINICDESK_E2E_HOME="$data/home"; mkdir -p "$CLINICDESK_E2E_HOME"
  CLINICDESK_NO_OPEN=1 HOME="$CLINICDESK_E2E_HOME" assetdir="$data/dist" devserver="localhost:$port" frontenddevserverurl="" \
    setsid "$data/clinicdesk-dev" --data-dir "$practice" >"$logs/wails.log" 2>&1 &
fi
pids+=($!)

for i in $(seq 1 300); do
  if curl -sf "http://localhost:$port" >/dev/null 2>&1 && grep -q "data directory" "$logs/wails.log"; then break; fi
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then echo "e2e: wails dev exited"; cat "$logs/wails.log"; exit 1; fi
  sleep 2
done
curl -sf "http://localhost:$port" >/dev/null || { echo "e2e: the app did not start in 10 minutes"; tail -50 "$logs/wails.log"; exit 1; }
echo "e2e: app is up after $(( $(date +%s) - started )) s"

export CLINICDESK_E2E_URL="http://localhost:$port"
export CLINICDESK_E2E_DATA="$practice"
status=0
t0=$(date +%s)
(cd frontend && node --test --test-concurrency=1 ${E2E_TESTS:-e2e/*.test.mjs}) || status=$?
echo "e2e: tests took $(( $(date +%s) - t0 )) s (whole run $(( $(date +%s) - started )) s)"
if [ "$status" != 0 ]; then echo "---- app log (tail) ----"; tail -40 "$logs/wails.log"; fi
exit "$status"
