#!/usr/bin/env bash
# Windows semantics, proven on Linux: every backend package's tests are
# cross-built for windows/amd64 (GOOS=windows go test -c) and run under wine64,
# so a file still open when it is renamed over or deleted, a path built with
# '/', a reserved name (CON, aux.txt) or a name that differs only in case fails
# here as it would on a practice's Windows desk.
#
# Two shims make Debian's wine 8 run what Windows 10/11 runs; both are built
# here at test time, neither is shipped:
#   - bcryptprimitives.dll (build/wine/bcryptprimitives.c): wine 8 lacks it and
#     Go >= 1.24 programs call its ProcessPrng at start; the shim answers from
#     advapi32's SystemFunction036 (RtlGenRandom).
#   - os.RemoveAll (t.TempDir's clean-up) deletes with POSIX semantics
#     (FileDispositionInformationEx), which wine 8 answers "not implemented"
#     ("Invalid function"); Go already falls back to the classic delete for
#     Windows versions without it, and a build overlay adds wine's status to
#     that fallback. The classic delete is the stricter one: a file still open
#     cannot be deleted ("Sharing violation").
#
# Packages listed in SKIP do not run under wine; README.md says why.
#
#   bash build/wine-test.sh            every package
#   bash build/wine-test.sh store files only these (backend/<name>)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
GO="${GO:-go}"
WINE="${WINE:-/usr/lib/wine/wine64}"
[ -x "$WINE" ] || WINE="$(command -v wine64 || true)"
[ -n "$WINE" ] || { echo "wine-test: wine64 is missing (Debian package wine64)"; exit 1; }
command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "wine-test: x86_64-w64-mingw32-gcc is missing (Debian package gcc-mingw-w64-x86-64)"; exit 1; }

# Packages that cannot run under wine, with the reason (also in README.md).
declare -A SKIP=(
  [crashtest]="kills the desk with SIGKILL and checks what a Unix crash leaves; Windows has no signals to send"
)

# Single tests that cannot run under wine 8, with the reason (also in README.md).
declare -A SKIP_TESTS=(
  [files]="^TestInboxFolderDeletedAndRecreated$" # wine keeps a deleted, still-watched folder visible and never reports its removal; Windows reports it (fsnotify Remove) and the inbox lets go
)

cache="$root/.cache/wine"
mkdir -p "$cache"
export WINEPREFIX="$cache/prefix" WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="

# The bcryptprimitives shim, rebuilt when its source changes.
dll="$cache/bcryptprimitives.dll"
if [ ! -s "$dll" ] || [ build/wine/bcryptprimitives.c -nt "$dll" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" build/wine/bcryptprimitives.c -ladvapi32
fi
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  echo "wine-test: creating the wine prefix in $WINEPREFIX (once)"
  "$WINE" wineboot -i >"$cache/wineboot.log" 2>&1 || { cat "$cache/wineboot.log"; exit 1; }
  "$WINE" wineserver -w 2>/dev/null || true
fi
cp "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

# The RemoveAll overlay: Go's own source with one more status in its fallback list.
src="$($GO env GOROOT)/src/internal/syscall/windows/at_windows.go"
patched="$cache/at_windows.go"
sed 's|STATUS_NOT_SUPPORTED:     // the file system|STATUS_NOT_SUPPORTED, NTStatus(0xC0000002): // STATUS_NOT_IMPLEMENTED (wine 8); the file system|' "$src" >"$patched"
grep -q 'NTStatus(0xC0000002)' "$patched" || { echo "wine-test: Go's at_windows.go changed; update the overlay in build/wine-test.sh"; exit 1; }
printf '{"Replace":{"%s":"%s"}}\n' "$src" "$patched" >"$cache/overlay.json"

if [ $# -gt 0 ]; then pkgs=("$@"); else
  mapfile -t pkgs < <($GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' ./backend/... | sed "s|^$root/backend/||")
fi

bin="$(mktemp -d /tmp/clinicdesk-wine.XXXXXX)"
trap 'rm -rf "$bin"' EXIT
start=$SECONDS

# Build every test binary first (go parallelises the build itself)...
built=()
for p in "${pkgs[@]}"; do
  if [ -n "${SKIP[$p]:-}" ]; then echo "wine-test: backend/$p skipped: ${SKIP[$p]}"; continue; fi
  if ! GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $GO test -c -overlay "$cache/overlay.json" -o "$bin/$p.test.exe" "./backend/$p" >"$bin/$p.build.log" 2>&1; then
    echo "wine-test: backend/$p does not build for windows/amd64"; cat "$bin/$p.build.log"; echo 1 >"$bin/$p.rc"; continue
  fi
  [ -f "$bin/$p.test.exe" ] && built+=("$p")
done
echo "wine-test: ${#built[@]} test binaries built for windows/amd64 in $((SECONDS - start)) s"

# ...then run them, WINE_JOBS at a time, each from its package folder (as go
# test does, so testdata/ is found), the slowest first.
run_one() {
  local p="$1" t0=$SECONDS skip=()
  [ -n "${SKIP_TESTS[$p]:-}" ] && skip=(-test.skip "${SKIP_TESTS[$p]}")
  if (cd "backend/$p" && CLINICDESK_NO_OPEN=1 CLINICDESK_TEST_POSTGRES= "$WINE" "$bin/$p.test.exe" -test.count=1 -test.timeout=10m "${skip[@]}" ${WINE_TEST_ARGS:-}) >"$bin/$p.log" 2>&1; then
    echo "wine-test: ok   backend/$p ($((SECONDS - t0)) s)"; echo 0 >"$bin/$p.rc"
  else
    { echo "wine-test: FAIL backend/$p ($((SECONDS - t0)) s)"; grep -v '^=== ' "$bin/$p.log" | tail -60; } >"$bin/$p.fail"; echo 1 >"$bin/$p.rc"
    cat "$bin/$p.fail"
  fi
}
order=(hub backup files attachments audit api auth desk messaging calendar)
queue=()
for p in "${order[@]}"; do [[ " ${built[*]} " == *" $p "* ]] && queue+=("$p"); done
for p in "${built[@]}"; do [[ " ${queue[*]} " == *" $p "* ]] || queue+=("$p"); done
for p in "${queue[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "${WINE_JOBS:-2}" ]; do wait -n || true; done
  run_one "$p" &
done
wait
"$WINE" wineserver -k 2>/dev/null || true

failed=()
for p in "${pkgs[@]}"; do [ "$(cat "$bin/$p.rc" 2>/dev/null || echo 0)" = 0 ] || failed+=("$p"); done
skipped=0
for p in "${pkgs[@]}"; do [ -n "${SKIP[$p]:-}" ] && skipped=$((skipped + 1)); done
echo "wine-test: $(( ${#pkgs[@]} - ${#failed[@]} - skipped )) of ${#pkgs[@]} packages passed under wine, $skipped not run there (README), in $((SECONDS - start)) s"
[ ${#failed[@]} -eq 0 ] || { echo "wine-test: failed: ${failed[*]}"; exit 1; }
