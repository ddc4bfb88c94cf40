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
