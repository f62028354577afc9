package hub

import (
	"net"
	"net/http"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"

	"clinicdesk/backend/clock"
)

// Guesses at a secret (an enrollment code, a portal sign-in code) are
// throttled per source address and per target (the e-mail address signed
// in to; for enrollment, which has no target until a code matches, every
// guess at the hub shares one bucket), with token buckets
// (golang.org/x/time/rate) driven by the hub's clock. The buckets live in
// this process: behind a load balancer each hub throttles what it sees,
// and the per-code try counter in the database (5 tries) holds across hubs.

// ThrottleConfig sets the rates; zero values take the defaults.
type ThrottleConfig struct {
	// PerAddress is the rate of guesses one source address may make, with
	// AddressBurst at once (default 10 a minute, burst 10).
	PerAddress   rate.Limit
	AddressBurst int
	// PerTarget is the rate of guesses at one target (an e-mail address,
	// or all enrollment codes together), with TargetBurst at once
	// (default 20 a minute, burst 20).
	PerTarget   rate.Limit
	TargetBurst int
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.PerAddress == 0 {
		c.PerAddress = rate.Every(6 * time.Second)
	}
	if c.AddressBurst == 0 {
		c.AddressBurst = 10
	}
	if c.PerTarget == 0 {
		c.PerTarget = rate.Every(3 * time.Second)
	}
	if c.TargetBurst == 0 {
		c.TargetBurst = 20
	}
	return c
}

// maxBuckets bounds the memory of one throttle; full (idle) buckets are
// dropped first.
const maxBuckets = 100000

type throttle struct {
	mu      gosync.Mutex
	limit   rate.Limit
	burst   int
	clock   clock.Clock
	buckets map[string]*rate.Limiter
}

func newThrottle(limit rate.Limit, burst int, c clock.Clock) *throttle {
	return &throttle{limit: limit, burst: burst, clock: c, buckets: map[string]*rate.Limiter{}}
}

// allow takes one token from key's bucket, reporting whether there was one.
func (t *throttle) allow(key string) bool {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.buckets[key]
	if !ok {
		if len(t.buckets) >= maxBuckets {
			for k, b := range t.buckets {
				if b.TokensAt(now) >= float64(t.burst) {
					delete(t.buckets, k)
				}
			}
			if len(t.buckets) >= maxBuckets {
				return false // a flood of new addresses: refuse until buckets refill
			}
		}
		l = rate.NewLimiter(t.limit, t.burst)
		t.buckets[key] = l
	}
	return l.AllowN(now, 1)
}

// guards are the hub's throttles.
type guards struct {
	enrollAddr, enrollAll *throttle
	portalAddr, portalTo  *throttle
}

func newGuards(cfg ThrottleConfig, c clock.Clock) *guards {
	cfg = cfg.withDefaults()
	return &guards{
		enrollAddr: newThrottle(cfg.PerAddress, cfg.AddressBurst, c),
		enrollAll:  newThrottle(cfg.PerTarget, cfg.TargetBurst, c),
		portalAddr: newThrottle(cfg.PerAddress, cfg.AddressBurst, c),
		portalTo:   newThrottle(cfg.PerTarget, cfg.TargetBurst, c),
	}
}

// sourceOf is the request's source address (the peer; a proxy in front of
// the hub makes every client one source, so throttle there as well).
func sourceOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tooMany answers a throttled guess.
func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "60")
	writeErr(w, http.StatusTooManyRequests, "Too many attempts from this address. Wait a minute and try again.")
}
