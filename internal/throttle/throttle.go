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
	mu    sync.Mutex
	rates map[string]Rate
	// share divides every rate: the limiter's part of limits that several
	// processes keep together, each its share (1: all of it).
	share   float64
	buckets map[string]*bucket
	// sweepAt is the number of buckets at which full ones are forgotten.
	sweepAt int
}

type bucket struct {
	rate   Rate
	tokens float64
	last   time.Time
}

// minSweep is how many buckets a limiter holds before it looks for ones to
// forget.
const minSweep = 1024

// New returns a limiter with a bucket for each key of rates; keys without
// a rate are never limited.
func New(rates map[string]Rate) *Limiter {
	return &Limiter{rates: rates, share: 1, buckets: map[string]*bucket{}, sweepAt: minSweep}
}

// SetShare makes the limiter keep 1/n of every rate, burst and refill (a
// bucket keeps at least one token of room): n processes that share the
// limits each keep their part. Buckets with more tokens than the new
// burst lose the excess as they are next used.
func (l *Limiter) SetShare(n int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.share = float64(max(n, 1))
	l.mu.Unlock()
}

// scaled is r divided by the limiter's share.
func (l *Limiter) scaled(r Rate) Rate {
	if l.share == 1 {
		return r
	}
	return Rate{Burst: max(1, r.Burst/l.share), PerSecond: r.PerSecond / l.share}
}

// Allow takes a token from key's bucket at time now, reporting whether
// there was one.
func (l *Limiter) Allow(key string, now time.Time) bool {
	return l.AllowIn(key, key, now)
}

// AllowIn takes a token from the bucket named bucket, whose rate is that of
// key, at time now, reporting whether there was one: many buckets of one
// rate, such as one per workflow execution.
func (l *Limiter) AllowIn(key, bucketName string, now time.Time) bool {
	if l == nil {
		return true
	}
	r, ok := l.rates[key]
	if !ok {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r = l.scaled(r)
	b, ok := l.buckets[bucketName]
	if !ok {
		if len(l.buckets) >= l.sweepAt {
			l.sweep(now)
		}
		b = &bucket{rate: r, tokens: r.Burst, last: now}
		l.buckets[bucketName] = b
	}
	b.rate = r
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = b.tokens + elapsed*r.PerSecond
		b.last = now
	}
	b.tokens = min(r.Burst, b.tokens)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep forgets the buckets that are full again at now: a missing bucket
// is a full one, so that buckets per execution do not pile up.
func (l *Limiter) sweep(now time.Time) {
	for name, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*b.rate.PerSecond >= b.rate.Burst {
			delete(l.buckets, name)
		}
	}
	l.sweepAt = max(minSweep, 2*len(l.buckets))
}
