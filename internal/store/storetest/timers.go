package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func timerKeys(ts []*store.Timer) []string {
	out := []string{}
	for _, tm := range ts {
		out = append(out, fmt.Sprintf("%d/%s/%d", tm.ExecutionID, tm.Kind, tm.Ref))
	}
	return out
}

// timerTest is a store with two runs, a and b, whose timers testTimers
// arms, moves and deletes; sec(n) is n seconds after t0 (and some
// microseconds, which the store drops).
type timerTest struct {
	t    *testing.T
	s    store.Store
	a, b int64
}

func (tt *timerTest) sec(n int) time.Time {
	return t0.Add(time.Duration(n)*time.Second + 600*time.Microsecond)
}

// key names a timer as timerKeys does.
func (tt *timerTest) key(exec int64, kind string, ref int64) string {
	return fmt.Sprintf("%d/%s/%d", exec, kind, ref)
}

// due checks the timers due at now, earliest first, at most limit.
func (tt *timerTest) due(now time.Time, limit int, want ...string) {
	tt.t.Helper()
	read(tt.t, tt.s, func(tx store.Tx) error {
		got, err := tx.TimerDue(context.Background(), now, limit)
		if err != nil {
			return err
		}
		if !slices.Equal(timerKeys(got), want) {
			return fmt.Errorf("TimerDue(%v, %d) = %v, want %v", now, limit, timerKeys(got), want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Due.Before(got[i-1].Due) {
				return fmt.Errorf("TimerDue(%v, %d) is not earliest first: %v", now, limit, got)
			}
		}
		for _, tm := range got {
			if tm.ID == 0 || tm.Due.After(ms(now)) {
				return fmt.Errorf("TimerDue(%v, %d) returned %+v", now, limit, tm)
			}
		}
		return nil
	})
}

// next checks that TimerNext is want, and returns it.
func (tt *timerTest) next(want store.Timer) *store.Timer {
	tt.t.Helper()
	var got *store.Timer
	read(tt.t, tt.s, func(tx store.Tx) error {
		var err error
		got, err = tx.TimerNext(context.Background())
		if err != nil {
			return fmt.Errorf("TimerNext: %w", err)
		}
		if got.ID == 0 || !got.Due.Equal(ms(want.Due)) || got.ExecutionID != want.ExecutionID || got.Kind != want.Kind || got.Ref != want.Ref {
			return fmt.Errorf("TimerNext = %+v, want %+v", got, want)
		}
		return nil
	})
	return got
}

// all returns every timer.
func (tt *timerTest) all() []*store.Timer {
	tt.t.Helper()
	var got []*store.Timer
	read(tt.t, tt.s, func(tx store.Tx) error {
		var err error
		got, err = tx.TimerDue(context.Background(), tt.sec(1000), 100)
		return err
	})
	return got
}

func (tt *timerTest) put(tm store.Timer) {
	tt.t.Helper()
	write(tt.t, tt.s, func(tx store.Tx) error { return tx.TimerPut(context.Background(), &tm) })
}

func testTimers(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	tt := &timerTest{t: t, s: s, a: insertRun(t, s, newRun(d, "a", "ra", t0)), b: insertRun(t, s, newRun(d, "b", "rb", t0))}
	a, b, sec := tt.a, tt.b, tt.sec
	read(t, s, func(tx store.Tx) error {
		if got, err := tx.TimerNext(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TimerNext without timers = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := tx.TimerDue(ctx, sec(1000), 10); err != nil || len(got) != 0 {
			return fmt.Errorf("TimerDue without timers = %v, %v", timerKeys(got), err)
		}
		return nil
	})
	write(t, s, func(tx store.Tx) error {
		for _, tm := range []store.Timer{
			{Due: sec(3), ExecutionID: a, Kind: "startToClose", Ref: 5},
			{Due: sec(1), ExecutionID: a, Kind: "timer", Ref: 7},
			{Due: sec(2), ExecutionID: b, Kind: "timer", Ref: 7},
			{Due: sec(10), ExecutionID: b, Kind: "retention", Ref: 0},
			{Due: sec(4), ExecutionID: a, Kind: "timer", Ref: 8},
		} {
			if err := tx.TimerPut(ctx, &tm); err != nil {
				return err
			}
		}
		return nil
	})
	tt.checkDue()
	tt.checkMove()
	tt.checkDelete()
	tt.checkDeleteByID()
	write(t, s, func(tx store.Tx) error { return tx.TimerDeleteAll(ctx, a) })
	tt.due(sec(1000), 100, tt.key(b, "retention", 0))
	write(t, s, func(tx store.Tx) error { return tx.TimerDeleteAll(ctx, b) })
	tt.due(sec(1000), 100)
	read(t, s, func(tx store.Tx) error {
		if _, err := tx.TimerNext(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TimerNext after deleting all: %v, want ErrNotFound", err)
		}
		return nil
	})
}

// checkDue checks the timers testTimers armed: the next, and those due at
// various times.
func (tt *timerTest) checkDue() {
	a, b, sec, key := tt.a, tt.b, tt.sec, tt.key
	tt.next(store.Timer{Due: sec(1), ExecutionID: a, Kind: "timer", Ref: 7})
	tt.due(sec(1000), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5), key(a, "timer", 8), key(b, "retention", 0))
	// now is inclusive, to the millisecond.
	tt.due(sec(3), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5))
	tt.due(ms(sec(3)), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5))
	tt.due(ms(sec(3)).Add(-time.Millisecond), 100, key(a, "timer", 7), key(b, "timer", 7))
	tt.due(sec(1000), 2, key(a, "timer", 7), key(b, "timer", 7))
	tt.due(sec(0), 100)
}

// checkMove checks that TimerPut of an armed timer moves it rather than
// adding another.
func (tt *timerTest) checkMove() {
	a, b, sec, key := tt.a, tt.b, tt.sec, tt.key
	tt.put(store.Timer{Due: sec(5), ExecutionID: a, Kind: "timer", Ref: 7})
	tt.due(sec(1000), 100, key(b, "timer", 7), key(a, "startToClose", 5), key(a, "timer", 8), key(a, "timer", 7), key(b, "retention", 0))
	for _, tm := range tt.all() {
		if tm.ExecutionID == a && tm.Kind == "timer" && tm.Ref == 7 && !tm.Due.Equal(ms(sec(5))) {
			tt.t.Errorf("moved timer is due %v, want %v", tm.Due, ms(sec(5)))
		}
	}
	tt.next(store.Timer{Due: sec(2), ExecutionID: b, Kind: "timer", Ref: 7})
	// Moving one earlier makes it the next.
	tt.put(store.Timer{Due: sec(-1), ExecutionID: b, Kind: "retention", Ref: 0})
	tt.next(store.Timer{Due: sec(-1), ExecutionID: b, Kind: "retention", Ref: 0})
	tt.due(sec(2), 100, key(b, "retention", 0), key(b, "timer", 7))
	if n := len(tt.all()); n != 5 {
		tt.t.Errorf("%d timers after moving two, want 5", n)
	}
}

// checkDelete checks TimerDelete, of armed timers and of absent ones.
func (tt *timerTest) checkDelete() {
	ctx := context.Background()
	a, b, key := tt.a, tt.b, tt.key
	write(tt.t, tt.s, func(tx store.Tx) error {
		if err := tx.TimerDelete(ctx, a, "startToClose", 5); err != nil {
			return err
		}
		// Absent timers: nothing is deleted and there is no error.
		if err := tx.TimerDelete(ctx, a, "startToClose", 6); err != nil {
			return err
		}
		if err := tx.TimerDelete(ctx, a, "retention", 0); err != nil {
			return err
		}
		return tx.TimerDelete(ctx, b, "timer", 8)
	})
	tt.due(tt.sec(1000), 100, key(b, "retention", 0), key(b, "timer", 7), key(a, "timer", 8), key(a, "timer", 7))
}

// checkDeleteByID checks that TimerDeleteByID reports whether it deleted.
func (tt *timerTest) checkDeleteByID() {
	ctx := context.Background()
	a, b, key := tt.a, tt.b, tt.key
	var bTimer int64
	for _, tm := range tt.all() {
		if tm.ExecutionID == b && tm.Kind == "timer" {
			bTimer = tm.ID
		}
	}
	write(tt.t, tt.s, func(tx store.Tx) error {
		ok, err := tx.TimerDeleteByID(ctx, bTimer)
		if err != nil || !ok {
			return fmt.Errorf("TimerDeleteByID of an armed timer = %v, %v; want true", ok, err)
		}
		ok, err = tx.TimerDeleteByID(ctx, bTimer)
		if err != nil || ok {
			return fmt.Errorf("second TimerDeleteByID = %v, %v; want false", ok, err)
		}
		return nil
	})
	tt.due(tt.sec(1000), 100, key(b, "retention", 0), key(a, "timer", 8), key(a, "timer", 7))
}
