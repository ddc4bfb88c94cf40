// Package throttle holds token buckets: the rate limits SWF sets on
// decisions (SWF-API.md §11.1). A bucket holds up to Burst tokens and gains
// PerSecond of them each second; each action takes one, and an action that
// finds the bucket empty is refused.
package throttle

import (
	"sync"
	"time"
)

// Rate is one bucket's size and refill.
type Rate struct {
	Burst     float64
	PerSecond float64
}

// Limiter keeps a bucket per key, on the time its callers give it.
type Limiter struct {
	mu      sync.Mutex
	rates   map[string]Rate
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter with a bucket for each key of rates; keys without
// a rate are never limited.
func New(rates map[string]Rate) *Limiter {
	return &Limiter{rates: rates, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket at time now, reporting whether
// there was one.
func (l *Limiter) Allow(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	r, ok := l.rates[key]
	if !ok {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: r.Burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(r.Burst, b.tokens+elapsed*r.PerSecond)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
