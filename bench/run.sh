#!/usr/bin/env bash
# ClinicDesk benchmarks at practice scale (issue 8). `make bench` runs this.
#
#   1. the large practice (20,000 clients, 1,000,000 messages...) is generated
#      into bench/out/large once and reused;
#   2. Go benchmarks (benchstat-ready, -count runs) on a copy of it;
#   3. p50/p90/p99 per operation (bench/cmd/latency) and the desk's memory;
#   4. import of a 1 GB mix of files through files.Store.ImportPath against
#      sha256sum + cp of the same files;
#   5. click-to-rendered of the heaviest client's Messages tab in headless
#      Chromium against the app (dev mode, built optimised, under Xvfb) on a copy of the large
#      practice (frontend/e2e/perf.test.mjs).
#
# Results go to bench/out/results/ (summary.txt is the one to read);
# bench/README.md keeps the latest ones with the machine and the commands.
# Knobs: COUNT (Go benchmark runs, default 6), N (harness runs per
# operation, default 200), BENCHTIME (default 1s), SKIP_IMPORT=1, SKIP_UI=1,
# E2E_PERF_RUNS (click-to-rendered runs, default 15).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-6}
N=${N:-200}
BENCHTIME=${BENCHTIME:-1s}
OUT=bench/out/results
mkdir -p "$OUT"
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$@" | tee -a "$SUMMARY"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

say "# ClinicDesk bench run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "go:      $(go version | cut -d' ' -f3-)"
say "load:    $(load) at start"
say

# 1. The large practice.
if [ ! -f bench/out/large/large.json ]; then
	say "## generating the large practice (once)"
	go run ./bench/cmd/genlarge | tee "$OUT/genlarge.txt"
fi
say "## large practice"
say "$(cat bench/out/large/generated.txt 2>/dev/null || echo 'generated earlier (no timing kept)')"
say "database: $(du -h bench/out/large/clinicdesk.db | cut -f1), files: $(du -sh bench/out/large/files | cut -f1)"
say

# 2. Go benchmarks.
say "## go test -bench (count $COUNT, benchtime $BENCHTIME), load $(load)"
go test ./bench -run '^$' -bench . -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m | tee "$OUT/bench.txt"
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
[ -x "$BENCHSTAT" ] || go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da || true
if [ -x "$BENCHSTAT" ]; then
	"$BENCHSTAT" "$OUT/bench.txt" | tee "$OUT/benchstat.txt" >>"$SUMMARY"
else
	grep '^Benchmark' "$OUT/bench.txt" >>"$SUMMARY"
	say "(benchstat not installed: go install golang.org/x/perf/cmd/benchstat@latest; benchstat $OUT/bench.txt)"
fi
say "load after: $(load)"
say

# 3. Percentiles and memory.
say "## latency harness (go run ./bench/cmd/latency -n $N), load $(load)"
go run ./bench/cmd/latency -n "$N" | tee -a "$SUMMARY"
say "load after: $(load)"
say
say "## desk memory on the large practice (go run ./bench/cmd/latency -rss)"
go run ./bench/cmd/latency -rss | tee -a "$SUMMARY"
say

# 4. Import against sha256sum + cp.
if [ "${SKIP_IMPORT:-}" != 1 ]; then
	SRC=bench/out/import/src
	go run ./bench/cmd/importbench -gen -src "$SRC" >/dev/null
	go build -o "$OUT/importbench" ./bench/cmd/importbench
	cat "$SRC"/[!.]* >/dev/null # same warm page cache for both
	sync
	say "## import of $(du -sh "$SRC" | cut -f1) ($(ls "$SRC" | wc -l) files, 10 KB-50 MB), load $(load)"
	DST=bench/out/import/cp
	rm -rf "$DST" && mkdir -p "$DST"
	t0=$(date +%s%N)
	sha256sum "$SRC"/[!.]* >/dev/null
	sha_ms=$(ms_since "$t0")
	t0=$(date +%s%N)
	cp "$SRC"/[!.]* "$DST"/
	cp_ms=$(ms_since "$t0")
	t0=$(date +%s%N)
	sync
	sync_ms=$(ms_since "$t0")
	rm -rf "$DST"
	sync
	imp=$("$OUT/importbench" -src "$SRC" -store bench/out/import/store)
	bytes=$(echo "$imp" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
	imp_s=$(echo "$imp" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	awk -v b="$bytes" -v sha="$sha_ms" -v cp="$cp_ms" -v sy="$sync_ms" -v imp="$imp_s" 'BEGIN {
		base = (sha + cp) / 1000; based = (sha + cp + sy) / 1000
		printf "baseline sha256sum + cp:        %6.2f s  %6.1f MB/s  (sha256sum %.2f s, cp %.2f s)\n", base, b / 1e6 / base, sha / 1000, cp / 1000
		printf "baseline sha256sum + cp + sync: %6.2f s  %6.1f MB/s  (the store fsyncs every file)\n", based, b / 1e6 / based
		printf "files.Store.ImportPath:         %6.2f s  %6.1f MB/s  = %.2f x baseline (target >= 0.8)\n", imp, b / 1e6 / imp, base / imp
	}' | tee -a "$SUMMARY"
	say "load after: $(load)"
fi
say

# 5. Click-to-rendered in Chromium on a copy of the large practice (the app
# writes sign-ins and audit entries; the cached practice stays as generated).
if [ "${SKIP_UI:-}" != 1 ]; then
	UI=bench/out/ui-practice
	rm -rf "$UI" && cp -r --reflink=auto bench/out/large "$UI"
	say "## click-to-rendered, heaviest client's Messages tab (headless Chromium, the dev-mode app built optimised, under Xvfb), load $(load)"
	E2E_PERF_RUNS=${E2E_PERF_RUNS:-15} E2E_DATA_DIR="$PWD/$UI" E2E_TESTS=e2e/perf.test.mjs bash frontend/e2e/run.sh 2>&1 |
		tee "$OUT/ui.txt" | grep -E '^(# )?perf|app is up|tests took|not ok' | sed 's/^# //' | tee -a "$SUMMARY"
	cp frontend/e2e/out/perf.json "$OUT/perf.json" 2>/dev/null || true
	rm -rf "$UI"
	say "load after: $(load)"
fi
say
say "results: $OUT (summary.txt, bench.txt, perf.json)"
