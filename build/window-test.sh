#!/usr/bin/env bash
# The real window: the production binary under Xvfb on a fresh demo practice,
# driven with xdotool as a receptionist would (mouse and keyboard), a file
# dragged in from a GTK drag source the way a file manager does, each step
# checked in the practice's database, and screenshots kept in docs/.
#
# Coordinates are window-relative for a 1280x800 window on the demo practice;
# when the layout changes, update them here (each step fails with a screenshot
# in $out so the broken step is easy to see).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The binary under test: the first argument (an installed /usr/bin/clinicdesk,
# say), else the one make build left in build/bin/.
app="${1:-$root/build/bin/clinicdesk}"
[ -x "$app" ] || { echo "window-test: $app is missing (make build)"; exit 1; }
work="$(mktemp -d /tmp/clinicdesk-window.XXXXXX)"
out="${WINDOW_TEST_OUT:-$work/shots}"; mkdir -p "$out"
# WINDOW_TEST_DATA keeps the practice after the test (build/package-test.sh
# makes data with the old package this way); it must be empty or missing.
data="${WINDOW_TEST_DATA:-$work/practice}"
db="$data/clinicdesk.db"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

disp=":$((70 + RANDOM % 9))"
Xvfb "$disp" -screen 0 1280x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & pids+=($!)
export DISPLAY="$disp"
sleep 1

CLINICDESK_NO_OPEN=1 "$app" --data-dir "$data" >"$work/app.log" 2>&1 & pids+=($!)
win=""
for _ in $(seq 1 60); do
  win=$(xdotool search --onlyvisible --name '^ClinicDesk$' 2>/dev/null | head -1 || true)
  [ -n "$win" ] && grep -q "data directory" "$work/app.log" && break
  sleep 1
done
[ -n "$win" ] || { echo "window-test: no window"; cat "$work/app.log"; exit 1; }
xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800
sleep 2

step=0
shot() { import -window root -crop 1280x800+0+0 "$1"; }
fail() { shot "$out/failed-step-$step.png"; echo "window-test: step $step failed: $*"; cp "$out/failed-step-$step.png" /tmp/clinicdesk-window-failed-step-$step.png 2>/dev/null && echo "screenshot: /tmp/clinicdesk-window-failed-step-$step.png"; tail -20 "$work/app.log"; exit 1; }
click() { xdotool mousemove --window "$win" "$1" "$2" click 1; sleep "${3:-1.5}"; }
sql() { sqlite3 -batch -noheader "$db" "$1"; }
# wait_sql QUERY: polls until the query returns a non-zero count.
wait_sql() { for _ in $(seq 1 20); do [ "$(sql "$1")" != "0" ] && return 0; sleep 0.5; done; return 1; }
wait_file() { for _ in $(seq 1 20); do [ -f "$1" ] && return 0; sleep 0.5; done; return 1; }

step=1 # sign in as Priya Natarajan (clinician) with the demo PIN
click 524 481
click 640 518 0.5 # the PIN field that opened under the staff cards
xdotool type --delay 60 246810; xdotool key Return; sleep 2
wait_sql "SELECT COUNT(*) FROM audit_events a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'sign_in' AND s.first_name = 'Priya'" \
  || fail "no sign-in recorded for Priya"
shot "$out/home.png"

step=2 # Home → first unread thread → it opens in the client's Messages tab
click 1000 150 2.5
wait_sql "SELECT COUNT(*) FROM audit_events WHERE action = 'open_thread'" || fail "opening the thread reached no backend"
shot "$out/thread.png"

step=3 # drag a file from the "file manager" onto the reply box; it is listed, then sent
printf 'Referral letter (demo, generated)\n' > "$work/referral-demo.txt"
/usr/bin/python3 "$root/build/windowtest/dragsource.py" "$work/referral-demo.txt" >"$work/drag.log" 2>&1 & pids+=($!)
for _ in $(seq 1 20); do grep -q ready "$work/drag.log" && break; sleep 0.5; done
scroll_to_end() { xdotool mousemove --window "$win" 700 400; for _ in $(seq 1 25); do xdotool click 5; done; sleep 1; }
scroll_to_end
click 700 620 0.5 # the reply box
xdotool type --delay 40 "Here is the referral letter."
xdotool mousemove 1180 860; sleep 0.3; xdotool mousedown 1
for p in "1170 850" "1150 830" "1100 800" "1000 760" "900 720" "800 700" "720 690" "700 690"; do xdotool mousemove $p; sleep 0.15; done
sleep 0.5; xdotool mouseup 1; sleep 2
# Staged bytes are stored by content (a blobs row comes only with the message).
sha=$(sha256sum "$work/referral-demo.txt" | cut -d' ' -f1)
wait_file "$data/files/blobs/${sha:0:2}/${sha:2:2}/$sha" || fail "the dropped file was not staged"
scroll_to_end
shot "$out/dropped.png"
click 1170 740 2.5 # Send reply
wait_sql "SELECT COUNT(*) FROM attachments WHERE name = 'referral-demo.txt'" || fail "the reply with the dropped file was not sent"

step=4 # back to the thread list: the Messages tab overview with its Attachments section
for _ in $(seq 1 30); do xdotool click 4; done; sleep 1
click 320 205 2.5
shot "$out/messages-tab.png"

step=5 # Home → today's first appointment → pop-up (details, Client Alert, tabs) → its Messages tab → a thread
click 72 110 2
click 500 156 2.5
opened_before=$(sql "SELECT COUNT(*) FROM audit_events WHERE action = 'open_thread'")
click 637 280 2.5 # the pop-up's Messages tab (below the Client Alert)
shot "$out/appointment-popup.png"
click 640 443 2.5 # the first thread in the pop-up
[ "$(sql "SELECT COUNT(*) FROM audit_events WHERE action = 'open_thread'")" -gt "$opened_before" ] \
  || fail "the thread in the appointment pop-up did not open"
shot "$out/appointment-popup-thread.png"
xdotool key Escape; sleep 1

if [ -n "${WINDOW_TEST_DOCS-1}" ]; then
  mkdir -p "$root/docs"
  cp "$out/messages-tab.png" "$root/docs/messages-tab.png"
  cp "$out/dropped.png" "$root/docs/drop-in-window.png"
  cp "$out/appointment-popup.png" "$root/docs/appointment-popup.png"
fi
echo "window-test: 5 steps passed (screenshots: docs/messages-tab.png, docs/drop-in-window.png, docs/appointment-popup.png)"
