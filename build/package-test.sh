#!/usr/bin/env bash
# Install, upgrade and uninstall the Linux packages as a practice would, on
# this machine (root, dpkg/apt), and check each step:
#   1. the previous release's .debs are built from a git worktree and
#      installed with dpkg -i / apt-get -f install. The previous release is
#      the newest tag; until there is one, the commit before versioned
#      builds, packaging and the newer-schema refusal were added (what
#      practices ran before; packaged with today's build/dist.sh and
#      build/linux). PACKAGE_TEST_PREV=<commit> picks another;
#   2. the installed old desk makes data through its real window (sign in,
#      reply with a dropped file: build/window-test.sh) in the default data
#      folder of a user (~/.config/ClinicDesk); the old hub makes its database;
#   3. the new .debs are installed over them: the new version is installed,
#      the desk opens the old data (migrations run: schema_version reaches what
#      the new build knows), the reply and its file are there; the hub's data
#      is there and it answers /healthz with the new version as its own user;
#   4. the real-window check runs against the installed /usr/bin/clinicdesk;
#   5. systemd-analyze verify passes on the installed hub unit;
#   6. the packages are removed (and purged): the programs are gone, the
#      desk's and the hub's data stay.
# PACKAGE_TEST_NEW=dist uses the .debs make dist built instead of building them.
# It leaves the machine as it found it (packages, hub user and folders).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ "$(id -u)" = 0 ] || { echo "package-test: needs root (dpkg -i)"; exit 1; }
for p in clinicdesk clinicdesk-hub; do
  if dpkg -s "$p" >/dev/null 2>&1; then echo "package-test: $p is already installed here; remove it first"; exit 1; fi
done
getent passwd clinicdesk-hub >/dev/null && { echo "package-test: a clinicdesk-hub user exists already; remove it first"; exit 1; }
t0=$SECONDS
work="$(mktemp -d /tmp/clinicdesk-pkg.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  dpkg --purge clinicdesk clinicdesk-hub >/dev/null 2>&1 || true
  userdel clinicdesk-hub >/dev/null 2>&1 || true
  rm -rf /var/lib/clinicdesk-hub /etc/clinicdesk-hub
  [ -n "${prev_tree:-}" ] && git worktree remove --force "$prev_tree" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "package-test: $* ($((SECONDS - t0)) s)"; }
fail() { echo "package-test: FAILED: $*"; exit 1; }

# 1. The previous release's packages and this checkout's.
first_versioned="$(git log --diff-filter=A --format=%H -- backend/version/version.go | tail -1)"
prev="${PACKAGE_TEST_PREV:-$(git describe --tags --abbrev=0 2>/dev/null || git rev-parse "${first_versioned:-HEAD}^")}"
step "building the previous packages from $(git rev-parse --short "$prev") and this checkout's"
prev_tree="$work/prev-src"
git worktree add --detach "$prev_tree" "$prev" >/dev/null 2>&1
# A release from before packaging existed is packaged with today's scripts.
if [ ! -f "$prev_tree/build/dist.sh" ]; then
  cp -r build/dist.sh build/appicon.png build/linux "$prev_tree/build/"
  mkdir -p "$prev_tree/build/windows/installer" && cp build/windows/installer/project.nsi "$prev_tree/build/windows/installer/"
fi
(cd "$prev_tree/frontend" && npm ci --no-audit --no-fund >/dev/null 2>&1)
DIST="$work/old" DIST_ONLY=deb bash "$prev_tree/build/dist.sh" >"$work/old-dist.log" 2>&1 || { cat "$work/old-dist.log"; fail "building the previous packages"; }
if [ -n "${PACKAGE_TEST_NEW:-}" ]; then # .debs make dist already built from this checkout
  mkdir -p "$work/new" && cp "$PACKAGE_TEST_NEW"/clinicdesk_*.deb "$PACKAGE_TEST_NEW"/clinicdesk-hub_*_amd64.deb "$work/new/"
else
  DIST="$work/new" DIST_ONLY=deb bash build/dist.sh >"$work/new-dist.log" 2>&1 || { cat "$work/new-dist.log"; fail "building this checkout's packages"; }
fi
git worktree remove --force "$prev_tree"; prev_tree=""
old_ver="$(dpkg-deb -f "$work"/old/clinicdesk_*.deb Version)"
new_ver="$(dpkg-deb -f "$work"/new/clinicdesk_*.deb Version)"
dpkg --compare-versions "$new_ver" gt "$old_ver" || fail "the new version $new_ver is not newer than $old_ver"

install_debs() { # dpkg -i, then apt-get -f install for missing dependencies
  dpkg -i "$@" >"$work/dpkg.log" 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i $*"; }; }
}
step "installing $old_ver"
install_debs "$work"/old/clinicdesk_*.deb "$work"/old/clinicdesk-hub_*.deb
[ "$(dpkg-query -W -f '${Version}' clinicdesk)" = "$old_ver" ] || fail "old desk not installed"
test -f /usr/share/applications/clinicdesk.desktop && test -f /usr/share/icons/hicolor/256x256/apps/clinicdesk.png || fail "desktop entry or icon missing"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate /usr/share/applications/clinicdesk.desktop || fail "desktop entry"; fi

# 2. Data made with the old programs: a user's desk through its window, the hub's database.
home="$work/home"; mkdir -p "$home"
data="$home/.config/ClinicDesk"
step "making data with the installed old desk (real window)"
HOME="$home" WINDOW_TEST_DATA="$data" WINDOW_TEST_DOCS= bash build/window-test.sh /usr/bin/clinicdesk >"$work/window-old.log" 2>&1 \
  || { cat "$work/window-old.log"; fail "the old desk's window"; }
sql() { sqlite3 -batch -noheader "$data/clinicdesk.db" "$1"; }
sha="$(sql "SELECT blob_sha256 FROM attachments WHERE name = 'referral-demo.txt'")"
[ -n "$sha" ] || fail "the old desk made no reply with a file"
staff_before="$(sql "SELECT COUNT(*) FROM staff")"; msgs_before="$(sql "SELECT COUNT(*) FROM messages")"
schema_before="$(sql "SELECT MAX(version) FROM schema_version")"
port=$((34200 + RANDOM % 500))
hub_run() { # hub_run LOG: the installed hub as its own user, as the service runs it
  runuser -u clinicdesk-hub -- /usr/bin/clinicdesk-hub serve --addr "127.0.0.1:$port" --db /var/lib/clinicdesk-hub/hub.db --blobs /var/lib/clinicdesk-hub/files --behind-tls-proxy >"$1" 2>&1 & hub_pid=$!; pids+=($hub_pid)
  for _ in $(seq 1 40); do curl -fsS "http://127.0.0.1:$port/healthz" >"$work/healthz" 2>/dev/null && return 0; sleep 0.5; done
  cat "$1"; fail "the installed hub did not answer"
}
hub_run "$work/hub-old.log"; kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
[ -s /var/lib/clinicdesk-hub/hub.db ] || fail "the old hub made no database"

# 3. The upgrade.
step "upgrading to $new_ver"
install_debs "$work"/new/clinicdesk_*.deb "$work"/new/clinicdesk-hub_*.deb
[ "$(dpkg-query -W -f '${Version}' clinicdesk)" = "$new_ver" ] || fail "the desk was not upgraded"
[ "$(dpkg-query -W -f '${Version}' clinicdesk-hub)" = "$new_ver" ] || fail "the hub was not upgraded"
want_version="$(git describe --tags --always --dirty)"
# Prebuilt .debs (PACKAGE_TEST_NEW) carry the version of the checkout that built them.
[ -n "${PACKAGE_TEST_NEW:-}" ] && want_version="$(/usr/bin/clinicdesk --version | awk '{print $2}')"
[ "$want_version" != dev ] || fail "the installed desk is not stamped with a version"
/usr/bin/clinicdesk --version | grep -q "^clinicdesk $want_version " || fail "clinicdesk --version: $(/usr/bin/clinicdesk --version)"
/usr/bin/clinicdesk-hub --version | grep -q "^clinicdesk-hub $want_version " || fail "clinicdesk-hub --version: $(/usr/bin/clinicdesk-hub --version)"
want_schema="$(/usr/bin/clinicdesk --version | sed -n 's/.*database schema \([0-9]*\).*/\1/p')"
# The new desk opens the old data (under Xvfb, its own display) and migrates it.
disp=":$((80 + RANDOM % 9))"
Xvfb "$disp" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 & pids+=($!)
sleep 1
HOME="$home" DISPLAY="$disp" CLINICDESK_NO_OPEN=1 /usr/bin/clinicdesk >"$work/app-new.log" 2>&1 & app=$!; pids+=($app)
for _ in $(seq 1 60); do grep -q "data directory" "$work/app-new.log" && break; sleep 0.5; done
grep -q "ClinicDesk data directory: $data" "$work/app-new.log" || { cat "$work/app-new.log"; fail "the new desk did not open the old data in $data"; }
kill "$app"; wait "$app" 2>/dev/null || true
schema_after="$(sql "SELECT MAX(version) FROM schema_version")"
[ "$schema_after" = "$want_schema" ] || fail "schema after upgrade $schema_after, the new desk knows $want_schema"
[ "$(sql "SELECT COUNT(*) FROM staff")" = "$staff_before" ] && [ "$(sql "SELECT COUNT(*) FROM messages")" = "$msgs_before" ] || fail "staff or messages changed in the upgrade"
[ "$(sql "SELECT COUNT(*) FROM attachments WHERE name = 'referral-demo.txt' AND blob_sha256 = '$sha'")" = 1 ] || fail "the reply's file is gone"
blob="$data/files/blobs/${sha:0:2}/${sha:2:2}/$sha"
[ "$(sha256sum <"$blob" | cut -d' ' -f1)" = "$sha" ] || fail "the file's bytes are gone or changed"
hub_run "$work/hub-new.log"
grep -q "\"version\":\"$want_version\"" "$work/healthz" || fail "/healthz after the upgrade: $(cat "$work/healthz")"
kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
step "upgrade kept the data (schema $schema_before -> $schema_after, $msgs_before messages, the file's bytes; the hub's database)"

# 4. The real window against the installed binary.
step "real-window check against /usr/bin/clinicdesk"
WINDOW_TEST_DOCS= bash build/window-test.sh /usr/bin/clinicdesk >"$work/window-new.log" 2>&1 || { cat "$work/window-new.log"; fail "the installed desk's window"; }

# 5. The hub's unit and its installed layout.
systemd-analyze verify /lib/systemd/system/clinicdesk-hub.service >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
[ -s "$work/verify.log" ] && { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
[ "$(stat -c '%U %a' /var/lib/clinicdesk-hub)" = "clinicdesk-hub 750" ] || fail "/var/lib/clinicdesk-hub: $(stat -c '%U %a' /var/lib/clinicdesk-hub)"
[ "$(stat -c '%G %a' /etc/clinicdesk-hub/hub.env)" = "clinicdesk-hub 640" ] || fail "/etc/clinicdesk-hub/hub.env: $(stat -c '%G %a' /etc/clinicdesk-hub/hub.env)"

# 6. Removal keeps the data.
step "removing and purging the packages"
dpkg --purge clinicdesk clinicdesk-hub >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
[ ! -e /usr/bin/clinicdesk ] && [ ! -e /usr/bin/clinicdesk-hub ] && [ ! -e /usr/share/applications/clinicdesk.desktop ] || fail "programs left after removal"
[ "$(sql "SELECT COUNT(*) FROM attachments WHERE blob_sha256 = '$sha'")" = 1 ] && [ -f "$blob" ] || fail "removing the desk removed its data"
[ -s /var/lib/clinicdesk-hub/hub.db ] || fail "removing the hub removed its data"
step "passed: installed $old_ver, upgraded to $new_ver, removed; data kept"
