package engine

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/workflow"
)

// timerBatch is how many due timers one look at the store takes.
const timerBatch = 100

// NextDue tells when the earliest durable timer falls due.
func (e *Engine) NextDue(ctx context.Context) (time.Time, bool, error) {
	var due time.Time
	var ok bool
	err := store.ReadOne(ctx, e.store, func(tx store.Tx) error {
		t, err := tx.TimerNext(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		due, ok = t.Due, true
		return nil
	})
	return due, ok, err
}

// FireDue fires every timer due at now. Each fires in its own transaction
// that also deletes it, so a timer fires exactly once, even across a crash.
// One pass runs at a time: when FireDue returns, every timer due at now
// has fired.
func (e *Engine) FireDue(ctx context.Context, now time.Time) error {
	e.fireMu.Lock()
	defer e.fireMu.Unlock()
	for {
		var due []*store.Timer
		if err := store.ReadOne(ctx, e.store, func(tx store.Tx) error {
			var err error
			due, err = tx.TimerDue(ctx, now, timerBatch)
			return err
		}); err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		if e.announcer != nil {
			// Servers sharing the store read the same due timers: each
			// takes the executions in an order of its own, so that they
			// seldom wait for one another on the same timer. An
			// execution's own timers keep their order.
			salt := rand.Uint64()
			slices.SortStableFunc(due, func(a, b *store.Timer) int {
				return cmp.Compare(mix(uint64(a.ExecutionID)^salt), mix(uint64(b.ExecutionID)^salt))
			})
		}
		// Firing may arm timers that are already due (a purge with no
		// retention after a timeout): look again until none is left.
		for _, t := range due {
			if err := e.fire(ctx, t); err != nil {
				return err
			}
		}
	}
}

func (e *Engine) fire(ctx context.Context, t *store.Timer) error {
	if workflow.TimerKind(t.Kind) == workflow.TimerRetention {
		return e.expire(ctx, t)
	}
	var w wakeups
	f := e.newFacts(nil)
	err := e.store.Write(ctx, func(tx store.Tx) error {
		w = wakeups{} // a shared store may run this again after a conflict
		// The run first, then its timer: every write that changes a run's
		// timers holds the run, so a store that locks rows (PostgreSQL)
		// sees the locks taken in one order.
		wd := e.newWorld(ctx, tx, e.begin(f))
		r, err := wd.byExecID(0, t.ExecutionID)
		if errors.Is(err, workflow.ErrStale) {
			_, err := tx.TimerDeleteByID(ctx, t.ID)
			return err
		}
		if err != nil {
			return err
		}
		if ok, err := tx.TimerDeleteByID(ctx, t.ID); err != nil || !ok {
			return err
		}
		r.machine.FireTimer(workflow.TimerRef{Kind: workflow.TimerKind(t.Kind), Ref: t.Ref})
		if err := wd.settle(); err != nil {
			return err
		}
		w, err = wd.save()
		return err
	})
	if err != nil {
		return err
	}
	e.wake(w)
	return nil
}

// mix scrambles the bits of x (SplitMix64's finalizer).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
