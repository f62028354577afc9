// Command latency runs each operation of bench/internal/ops on a working
// copy of the large practice N times and prints p50, p90, p99 and max, which
// `go test -bench` (a mean per op) does not give.
//
//	go run ./bench/cmd/latency -n 200 [-only MessagesTab,OpenThread1000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"clinicdesk/bench/internal/largefix"
	"clinicdesk/bench/internal/ops"
)

func main() {
	n := flag.Int("n", 200, "timed runs per operation")
	warm := flag.Int("warm", 5, "untimed runs first")
	only := flag.String("only", "", "comma-separated operation names (default: all)")
	heavyN := flag.Int("heavy-n", 30, "timed runs for the slow operations (compose, client list, app start)")
	rss := flag.Bool("rss", false, "instead: open the practice, show the heaviest Messages tab 20 times (and open its long thread, search), print the process's memory")
	flag.Parse()
	ctx := context.Background()
	e, err := ops.Open(ctx, largefix.CacheDir())
	if errors.Is(err, largefix.ErrAbsent) {
		fmt.Fprintf(os.Stderr, "latency: no large practice in %s; run: go run ./bench/cmd/genlarge\n", largefix.CacheDir())
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
	defer e.Close()
	if *rss {
		if err := memory(e); err != nil {
			fmt.Fprintln(os.Stderr, "latency:", err)
			os.Exit(1)
		}
		return
	}
	slow := map[string]bool{"Compose10MB": true, "ClientListAll": true, "AppStart": true}
	fmt.Printf("%-24s %5s %9s %9s %9s %9s %9s %9s\n", "operation", "runs", "p50 ms", "p90 ms", "p99 ms", "max ms", "cpu p50", "cpu p99")
	for _, op := range e.Ops() {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), op.Name) {
			continue
		}
		runs := *n
		if slow[op.Name] {
			runs = min(runs, *heavyN)
		}
		ds, err := ops.Time(op, *warm, runs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "latency:", err)
			os.Exit(1)
		}
		wall := make([]time.Duration, len(ds))
		cpu := make([]time.Duration, len(ds))
		for i, d := range ds {
			wall[i], cpu[i] = d.Wall, d.CPU
		}
		slices.Sort(wall)
		slices.Sort(cpu)
		fmt.Printf("%-24s %5d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", op.Name, len(ds), ms(pct(wall, 50)), ms(pct(wall, 90)), ms(pct(wall, 99)),
			ms(wall[len(wall)-1]), ms(pct(cpu, 50)), ms(pct(cpu, 99)))
	}
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted) + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// memory runs what a desk does when the heaviest client's Messages tab is
// shown and prints the resident set: now (VmRSS) and at its peak (VmHWM),
// with the Go heap for reference.
func memory(e *ops.Env) error {
	for i := 0; i < 20; i++ {
		if _, err := e.TabWhole(e.Heavy, e.Info.HeavyClientID); err != nil {
			return err
		}
	}
	if _, err := e.Desk.Messages.Open(e.Heavy, e.Info.LongThreadID); err != nil {
		return err
	}
	if _, err := e.Desk.Messages.Search(e.Heavy, "insurance", 50); err != nil {
		return err
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	kb := func(key string) int {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, key+":"); ok {
				var n int
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
				return n
			}
		}
		return 0
	}
	fmt.Printf("memory rss_mb=%.1f peak_rss_mb=%.1f go_heap_inuse_mb=%.1f go_sys_mb=%.1f\n",
		float64(kb("VmRSS"))/1024, float64(kb("VmHWM"))/1024, float64(m.HeapInuse)/(1<<20), float64(m.Sys)/(1<<20))
	return nil
}
