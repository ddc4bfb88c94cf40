// Package timers runs the loop that fires durable timers when they fall
// due on the injected clock. The timers themselves live in the store, so
// that every timer armed before a crash still fires after a restart; the
// loop only decides when to look.
package timers

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// Source is where the timers are.
type Source interface {
	// NextDue tells when the earliest timer falls due; ok is false when
	// there is none.
	NextDue(ctx context.Context) (due time.Time, ok bool, err error)
	// FireDue fires every timer due at now, each exactly once.
	FireDue(ctx context.Context, now time.Time) error
}

// retryAfter is how long the loop waits after the store failed.
const retryAfter = time.Second

// Loop fires timers as they fall due.
type Loop struct {
	clock clock.Clock
	src   Source
	log   *slog.Logger
	wake  chan struct{}
	// next is when the timer the loop waits for falls due, in unix
	// nanoseconds, so that Notify wakes it only for a timer due before
	// that one; wakeAlways when it knows of none, and while it looks at
	// the store (from before FireDue until it settles on its wait).
	next atomic.Int64
	// maxWait, when not 0, bounds how long the loop goes without looking.
	maxWait time.Duration
}

// LookEvery makes the loop look at the store at least every d of wall-clock
// time, whatever it was told: for a store other servers share, where a
// timer may be armed by a server that stops before it can tell the others.
func (l *Loop) LookEvery(d time.Duration) { l.maxWait = d }

// New returns a loop over src.
func New(c clock.Clock, src Source, log *slog.Logger) *Loop {
	l := &Loop{clock: c, src: src, log: log, wake: make(chan struct{}, 1)}
	l.next.Store(wakeAlways)
	return l
}

// wakeAlways is the value of Loop.next when any new timer is worth a
// wake: when the loop knows of no timer, and while it looks at the store
// (it may have read it before the new timer was there). Notify wakes the
// loop for a timer due before next, and every due time is before this.
const wakeAlways = math.MaxInt64

// nanos is t in unix nanoseconds, clamped to the range UnixNano can tell.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64+1)):
		return math.MinInt64 + 1
	case t.After(time.Unix(0, wakeAlways-1)):
		return wakeAlways - 1
	}
	return t.UnixNano()
}

// Notify tells the loop that a timer due at due was armed (and committed).
// It wakes the loop only when that timer falls due before the one the loop
// waits for, or when the loop is looking at the store: each wake costs a
// look at the store (FireDue and NextDue, round trips to the database),
// and nearly every timer armed under load falls due after the one the loop
// already waits for, which it finds in the look it makes then. A zero due
// (not known) always wakes it.
func (l *Loop) Notify(due time.Time) {
	if !due.IsZero() && nanos(due) >= l.next.Load() {
		return
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// failed logs a failure of the store: a warning when the database is
// unavailable (an outage, which the loop outlives by looking again, as the
// API answers it with ServiceUnavailable), an error otherwise.
func (l *Loop) failed(msg string, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		l.log.Warn(msg, "err", err)
		return
	}
	l.log.Error(msg, "err", err)
}

// Run fires timers until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	for ctx.Err() == nil {
		wait, next := time.Duration(-1), int64(wakeAlways)
		l.next.Store(wakeAlways)
		failed := false
		if err := l.src.FireDue(ctx, l.clock.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.failed("firing timers", err)
			failed = true
		} else {
			// A Notify before this point is of a timer committed before
			// it, which NextDue reads: its wake (and those of the timers
			// FireDue itself armed) would only make a look for nothing.
			// A Notify from here on sees wakeAlways and wakes the loop.
			select {
			case <-l.wake:
			default:
			}
			if due, ok, err := l.src.NextDue(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				l.failed("looking for the next timer", err)
				failed = true
			} else if ok {
				wait, next = max(due.Sub(l.clock.Now()), 0), nanos(due)
			}
		}
		if failed {
			// The loop looks again in retryAfter: a timer due before
			// then is worth a wake, any other is found by that look.
			wait, next = retryAfter, nanos(l.clock.Now().Add(retryAfter))
		}
		l.next.Store(next)
		var fire, look <-chan time.Time
		var t clock.Timer
		if wait >= 0 {
			t = l.clock.NewTimer(wait)
			fire = t.C()
		}
		var lt *time.Timer
		if l.maxWait > 0 {
			// On the wall clock: it guards against news that never came,
			// not the timers' own time.
			lt = time.NewTimer(l.maxWait)
			look = lt.C
		}
		select {
		case <-ctx.Done():
		case <-l.wake:
		case <-fire:
		case <-look:
		}
		if t != nil {
			t.Stop()
		}
		if lt != nil {
			lt.Stop()
		}
	}
}
