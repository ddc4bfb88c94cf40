package throttle

import (
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
