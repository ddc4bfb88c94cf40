package throttle

import (
	"fmt"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(map[string]Rate{"a": {Burst: 3, PerSecond: 2}})
	for i := range 3 {
		if !l.Allow("a", t0) {
			t.Fatalf("token %d of the burst refused", i+1)
		}
	}
	if l.Allow("a", t0) {
		t.Fatal("an empty bucket gave a token")
	}
	if !l.Allow("a", t0.Add(500*time.Millisecond)) || l.Allow("a", t0.Add(500*time.Millisecond)) {
		t.Fatal("half a second at 2/s should give exactly one token")
	}
	if !l.Allow("b", t0) {
		t.Fatal("a key without a rate was limited")
	}
	// Refill stops at the burst.
	later := t0.Add(time.Hour)
	n := 0
	for l.Allow("a", later) {
		n++
	}
	if n != 3 {
		t.Fatalf("%d tokens after an hour, want the burst of 3", n)
	}
	var none *Limiter
	if !none.Allow("a", t0) {
		t.Fatal("a nil limiter limited")
	}
}

func TestBucketsOfOneRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(map[string]Rate{"history": {Burst: 2, PerSecond: 1}})
	for _, run := range []string{"run-1", "run-2"} {
		if !l.AllowIn("history", run, t0) || !l.AllowIn("history", run, t0) {
			t.Fatalf("%s: the burst was refused", run)
		}
		if l.AllowIn("history", run, t0) {
			t.Fatalf("%s: an empty bucket gave a token", run)
		}
	}
	// Buckets that refilled are forgotten once there are many; those
	// still short of tokens are kept.
	for i := range 3 * minSweep {
		l.AllowIn("history", fmt.Sprint("old-", i), t0)
	}
	later := t0.Add(time.Second / 2)
	l.AllowIn("history", "new", later)
	if l.AllowIn("history", "run-1", later) {
		t.Fatal("run-1 regained a token in half a second at 1/s after the sweep")
	}
	l.sweep(t0.Add(time.Hour))
	if len(l.buckets) != 0 {
		t.Fatalf("%d buckets kept after every one refilled", len(l.buckets))
	}
}

// A limiter that keeps a share of the limits gives that part of the burst
// and of the refill, and the whole again when it keeps them alone.
func TestShare(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(map[string]Rate{"op": {Burst: 10, PerSecond: 4}})
	l.SetShare(2)
	allowed := func(at time.Time) int {
		n := 0
		for l.Allow("op", at) {
			n++
		}
		return n
	}
	if n := allowed(t0); n != 5 {
		t.Fatalf("half of a burst of 10 gave %d", n)
	}
	if n := allowed(t0.Add(time.Second)); n != 2 {
		t.Fatalf("half of a refill of 4/s gave %d in a second", n)
	}
	l.SetShare(1)
	if n := allowed(t0.Add(4 * time.Second)); n != 10 {
		t.Fatalf("the whole burst, refilled, gave %d", n)
	}
	l.SetShare(100)
	if n := allowed(t0.Add(time.Hour)); n != 1 {
		t.Fatalf("a share smaller than one token gave %d; a bucket keeps room for one", n)
	}
}
