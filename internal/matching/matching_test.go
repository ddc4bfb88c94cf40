package matching

import (
	"errors"
	"testing"
)

func woken(w *Waiter) bool {
	select {
	case <-w.C:
		return true
	default:
		return false
	}
}

func TestNotifyWakesOldestFirstOnePerTask(t *testing.T) {
	m := New(10)
	k := Key{DomainID: 1, Kind: "activity", TaskList: "l"}
	a, _ := m.Register(k)
	b, _ := m.Register(k)
	c, _ := m.Register(k)
	other, _ := m.Register(Key{DomainID: 1, Kind: "decision", TaskList: "l"})

	if left := m.Notify(k, 2); left != 0 {
		t.Fatalf("two tasks for three pollers: %d unclaimed", left)
	}
	if !woken(a) || !woken(b) || woken(c) || woken(other) {
		t.Fatal("two tasks should wake the two oldest pollers of that list only")
	}
	if left := m.Notify(k, 5); left != 2 {
		t.Fatalf("five tasks for three pollers: %d unclaimed, want 2", left)
	}
	if !woken(a) || !woken(b) || !woken(c) {
		t.Fatal("more tasks than pollers should wake every poller")
	}
	// A poller woken and not yet looking counts for the task it was woken for.
	if left := m.Notify(other.key, 1); left != 0 || !woken(other) {
		t.Fatalf("one task for one poller: %d unclaimed", left)
	}
	if left := m.Notify(Key{DomainID: 2, Kind: "activity", TaskList: "l"}, 3); left != 3 {
		t.Fatalf("three tasks for a list nobody waits on here: %d unclaimed, want 3", left)
	}
}

func TestDonePassesAnUnusedWakeUpOn(t *testing.T) {
	m := New(10)
	k := Key{DomainID: 1, Kind: "activity", TaskList: "l"}
	a, _ := m.Register(k)
	b, _ := m.Register(k)
	m.Notify(k, 1)
	// a was woken but goes away (its client hung up) without taking the task.
	a.Done()
	if !woken(b) {
		t.Fatal("the wake-up a did not use was lost")
	}
	var unclaimed []Key
	m.OnUnclaimed(func(k Key) { unclaimed = append(unclaimed, k) })
	b.Done()
	if m.Pollers(k) != 0 {
		t.Fatalf("%d pollers left", m.Pollers(k))
	}
	if len(unclaimed) != 0 {
		t.Fatalf("a poller with no wake-up left one: %v", unclaimed)
	}
	// The last poller, woken, leaves: the wake-up goes to OnUnclaimed.
	c, _ := m.Register(k)
	m.Notify(k, 1)
	c.Done()
	if len(unclaimed) != 1 || unclaimed[0] != k {
		t.Fatalf("unclaimed wake-ups %v, want one of %v", unclaimed, k)
	}
}

func TestPollerLimit(t *testing.T) {
	m := New(2)
	k := Key{TaskList: "l"}
	w1, _ := m.Register(k)
	if _, err := m.Register(k); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Register(k); !errors.Is(err, ErrTooManyPollers) {
		t.Fatalf("third poller: %v", err)
	}
	w1.Done()
	if _, err := m.Register(k); err != nil {
		t.Fatalf("after one left: %v", err)
	}
}

// A poller counts as idle for the others of its list while it is marked
// Waiting and has no wake-up pending: a wake-up, pending or taken, makes it
// not idle until it marks itself Waiting again.
func TestIdleOthers(t *testing.T) {
	m := New(10)
	k := Key{DomainID: 1, Kind: "activity", TaskList: "l"}
	a, _ := m.Register(k)
	b, _ := m.Register(k)
	c, _ := m.Register(k)
	other, _ := m.Register(Key{DomainID: 1, Kind: "decision", TaskList: "l"})
	other.Waiting(true)
	want := func(step string, wa, wb, wc int) {
		t.Helper()
		if ga, gb, gc := a.IdleOthers(), b.IdleOthers(), c.IdleOthers(); ga != wa || gb != wb || gc != wc {
			t.Fatalf("%s: idle others of a, b, c %d, %d, %d, want %d, %d, %d", step, ga, gb, gc, wa, wb, wc)
		}
	}
	want("none waiting", 0, 0, 0)
	a.Waiting(true)
	b.Waiting(true)
	want("a and b waiting", 1, 1, 2)
	c.Waiting(true)
	want("all waiting", 2, 2, 2)

	// One task wakes a, the oldest: its wake-up is pending.
	m.Notify(k, 1)
	want("a woken, wake-up pending", 2, 1, 1)
	// a takes its wake-up and has not yet said it no longer waits: still
	// not idle (the wake-up cleared the mark).
	if !woken(a) {
		t.Fatal("the oldest poller was not woken")
	}
	want("a woken, wake-up taken", 2, 1, 1)
	a.Waiting(false)
	want("a looking", 2, 1, 1)
	// a finds nothing and is about to wait again, but a task came while
	// it looked: its wake-up is pending, and it does not count.
	m.Notify(k, 1)
	a.Waiting(true)
	want("a waiting with a wake-up pending", 2, 1, 1)
	woken(a)
	a.Waiting(false)
	a.Waiting(true)
	want("a waiting again", 2, 2, 2)

	// Two tasks wake the two oldest; they look, and a waits again.
	m.Notify(k, 2)
	want("a and b woken", 1, 1, 0)
	woken(a)
	woken(b)
	a.Waiting(false)
	b.Waiting(false)
	a.Waiting(true)
	want("a waiting, b looking", 1, 2, 1)

	// A poller that ends its wait without a wake-up (its re-look, its
	// deadline) is not idle once it says so, nor once it is gone.
	c.Waiting(false)
	want("c looking again", 0, 1, 1)
	c.Waiting(true)
	c.Done()
	if na, nb := a.IdleOthers(), b.IdleOthers(); na != 0 || nb != 1 {
		t.Fatalf("after c left, a and b see %d and %d idle others, want 0 and 1", na, nb)
	}
	if n := other.IdleOthers(); n != 0 {
		t.Fatalf("the poller of another list sees %d idle others, want 0", n)
	}
}
