// Package timers runs the loop that fires durable timers when they fall
// due on the injected clock. The timers themselves live in the store, so
// that every timer armed before a crash still fires after a restart; the
// loop only decides when to look.
package timers

import (
	"context"
	"errors"
	"log/slog"
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
	// maxWait, when not 0, bounds how long the loop goes without looking.
	maxWait time.Duration
}

// LookEvery makes the loop look at the store at least every d of wall-clock
// time, whatever it was told: for a store other servers share, where a
// timer may be armed by a server that stops before it can tell the others.
func (l *Loop) LookEvery(d time.Duration) { l.maxWait = d }

// New returns a loop over src.
func New(c clock.Clock, src Source, log *slog.Logger) *Loop {
	return &Loop{clock: c, src: src, log: log, wake: make(chan struct{}, 1)}
}

// Notify tells the loop that a timer was armed, which may fall due before
// the one it is waiting for.
func (l *Loop) Notify() {
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
		wait := time.Duration(-1)
		if err := l.src.FireDue(ctx, l.clock.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.failed("firing timers", err)
			wait = retryAfter
		} else if due, ok, err := l.src.NextDue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.failed("looking for the next timer", err)
			wait = retryAfter
		} else if ok {
			wait = max(due.Sub(l.clock.Now()), 0)
		}
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
