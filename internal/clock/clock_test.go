package clock

import (
	"testing"
	"time"
)

func TestFakeFiresTimersInOrderWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	late := f.NewTimer(300 * time.Second)
	early := f.NewTimer(5 * time.Second)
	stopped := f.NewTimer(10 * time.Second)
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if f.Waiters() != 2 {
		t.Fatalf("Waiters = %d, want 2", f.Waiters())
	}

	f.Advance(4 * time.Second)
	select {
	case <-early.C():
		t.Fatal("timer fired before its deadline")
	default:
	}

	f.Advance(time.Second)
	if got := <-early.C(); !got.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("fired at %v, want %v", got, start.Add(5*time.Second))
	}
	f.Advance(time.Hour)
	<-late.C()
	select {
	case <-stopped.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if late.Stop() {
		t.Fatal("Stop of a fired timer reported true")
	}
	if !f.Now().Equal(start.Add(time.Hour + 5*time.Second)) {
		t.Fatalf("Now = %v", f.Now())
	}
}

func TestFakeSetNeverGoesBack(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	f.Set(start.Add(-time.Hour))
	if !f.Now().Equal(start) {
		t.Fatalf("Set moved the clock back to %v", f.Now())
	}
	tm := f.NewTimer(0)
	<-tm.C()
}
