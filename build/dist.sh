#!/usr/bin/env bash
# make dist: everything a practice installs, built into dist/ from this
# checkout, with SHA256SUMS:
#   clinicdesk_<v>_amd64.deb, clinicdesk-<v>.x86_64.rpm  the desk (Debian/Ubuntu, Fedora/RHEL)
#   ClinicDesk-<v>-windows-amd64-setup.exe                the desk for Windows (NSIS)
#   clinicdesk-hub_<v>_amd64.deb                          the hub as a systemd service
#   clinicdesk-hub-<v>-{linux-amd64,linux-arm64,windows-amd64.exe}  plain hub binaries
# The version comes from `git describe --tags --always --dirty`, stamped into
# both programs (backend/version) and the packages.
#
#   DIST=dir     where to put them (default dist/)
#   DIST_ONLY=deb   only the desk and hub .debs (build/package-test.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
GO="${GO:-go}"
GOBIN="$($GO env GOPATH)/bin"
export PATH="$GOBIN:$PATH"
out="$(realpath -m "${DIST:-dist}")"
mkdir -p "$out"
t0=$SECONDS

version="$(git describe --tags --always --dirty)"
commit="$(git rev-parse --short HEAD)"
# A package version must start with a digit and grow with every release:
# v1.2.0 -> 1.2.0; v1.2.0-3-gabc1234 -> 1.2.0+3.gabc1234; no tag yet ->
# 0.0.0+git<commits>.g<hash> (the commit count grows along the branch; any
# tagged release sorts after it).
if [[ "$version" =~ ^v([0-9][0-9.]*)(-([0-9]+)-(g[0-9a-f]+))?(-dirty)?$ ]]; then
  pkgver="${BASH_REMATCH[1]}${BASH_REMATCH[3]:++${BASH_REMATCH[3]}.${BASH_REMATCH[4]}}"
else
  pkgver="0.0.0+git$(git rev-list --count HEAD).g${commit}"
fi
[[ "$version" == *-dirty ]] && pkgver="$pkgver.dirty"
ldflags="-s -w -X clinicdesk/backend/version.Version=$version -X clinicdesk/backend/version.Commit=$commit"
echo "dist: ClinicDesk $version (package version $pkgver) into $out"

stage="$(mktemp -d /tmp/clinicdesk-dist.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
# nfpm.yaml files name the staged files as ${STAGE}/..., the version as
# ${PKG_VERSION} and the hub's architecture as ${HUB_ARCH}.
nfpm_pkg() { # nfpm_pkg CONFIG PACKAGER TARGET [HUB_ARCH]
  sed -e "s|\${STAGE}|$stage|g" -e "s|\${PKG_VERSION}|$pkgver|g" -e "s|\${HUB_ARCH}|${4:-amd64}|g" "$1" >"$stage/nfpm.yaml"
  nfpm package --config "$stage/nfpm.yaml" --packager "$2" --target "$3" >/dev/null
}

# The desk for Linux: the production binary, its icons from build/appicon.png.
wails build -tags webkit2_41 -clean -trimpath -o clinicdesk -ldflags "$ldflags" >"$stage/wails-linux.log" 2>&1 \
  || { cat "$stage/wails-linux.log"; exit 1; }
cp build/bin/clinicdesk "$stage/clinicdesk"
for s in 16 24 32 48 64 128 256 512; do
  mkdir -p "$stage/icons/${s}x${s}/apps"
  convert build/appicon.png -resize "${s}x${s}" "$stage/icons/${s}x${s}/apps/clinicdesk.png"
done
nfpm_pkg build/linux/desk/nfpm.yaml deb "$out/clinicdesk_${pkgver}_amd64.deb"

# The hub: pure Go (no cgo), so one machine builds it for every platform.
hub() { CGO_ENABLED=0 GOOS="$1" GOARCH="$2" $GO build -trimpath -ldflags "$ldflags" -o "$3" ./cmd/clinicdesk-hub; }
hub linux amd64 "$stage/clinicdesk-hub"
nfpm_pkg build/linux/hub/nfpm.yaml deb "$out/clinicdesk-hub_${pkgver}_amd64.deb" amd64
if [ "${DIST_ONLY:-}" = deb ]; then echo "dist: .debs built in $((SECONDS - t0)) s"; exit 0; fi

nfpm_pkg build/linux/desk/nfpm.yaml rpm "$out/clinicdesk-${pkgver}.x86_64.rpm"
cp "$stage/clinicdesk-hub" "$out/clinicdesk-hub-${pkgver}-linux-amd64"
hub linux arm64 "$out/clinicdesk-hub-${pkgver}-linux-arm64"
hub windows amd64 "$out/clinicdesk-hub-${pkgver}-windows-amd64.exe"

# The desk for Windows: wails cross-builds it (WebView2, no cgo) and makensis
# wraps it with build/windows/installer/project.nsi.
wails build -platform windows/amd64 -nsis -trimpath -o clinicdesk.exe -ldflags "$ldflags" >"$stage/wails-windows.log" 2>&1 \
  || { cat "$stage/wails-windows.log"; exit 1; }
cp build/bin/ClinicDesk-amd64-installer.exe "$out/ClinicDesk-${pkgver}-windows-amd64-setup.exe"

(cd "$out" && rm -f SHA256SUMS && sha256sum -- * >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "dist: built in $((SECONDS - t0)) s:"
(cd "$out" && ls -l)
