package engine

import (
	"testing"
	"time"
)

// Wakeups carry the earliest due time of the timers armed, and a timer of
// unknown due time (zero) makes it unknown, which wakes the timer loop.
func TestWakeupsKeepTheEarliestDue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var w wakeups
	w.add(wakeups{})
	if w.timers {
		t.Fatal("timers armed by wakeups without any")
	}
	w.armed(at(30))
	w.add(wakeups{timers: true, due: at(10)})
	w.armed(at(20))
	w.add(wakeups{})
	if !w.timers || !w.due.Equal(at(10)) {
		t.Fatalf("timers %v due %v, want %v", w.timers, w.due, at(10))
	}
	w.add(wakeups{timers: true})
	w.armed(at(5))
	if !w.timers || !w.due.IsZero() {
		t.Fatalf("timers %v due %v after one of unknown due, want zero", w.timers, w.due)
	}
	var u wakeups
	u.armed(time.Time{})
	u.armed(at(1))
	if !u.due.IsZero() {
		t.Fatalf("due %v after one of unknown due first, want zero", u.due)
	}
}
