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

	m.Notify(k, 2)
	if !woken(a) || !woken(b) || woken(c) || woken(other) {
		t.Fatal("two tasks should wake the two oldest pollers of that list only")
	}
	m.Notify(k, 5)
	if !woken(a) || !woken(b) || !woken(c) {
		t.Fatal("more tasks than pollers should wake every poller")
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
	b.Done()
	if m.Pollers(k) != 0 {
		t.Fatalf("%d pollers left", m.Pollers(k))
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
