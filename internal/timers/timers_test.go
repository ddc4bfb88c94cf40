package timers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// fakeSource keeps due times in memory and records what fired.
type fakeSource struct {
	mu    sync.Mutex
	due   []time.Time
	fired chan time.Time
}

func (s *fakeSource) NextDue(context.Context) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.due) == 0 {
		return time.Time{}, false, nil
	}
	earliest := s.due[0]
	for _, d := range s.due {
		if d.Before(earliest) {
			earliest = d
		}
	}
	return earliest, true, nil
}

func (s *fakeSource) FireDue(_ context.Context, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.due[:0]
	for _, d := range s.due {
		if d.After(now) {
			kept = append(kept, d)
			continue
		}
		s.fired <- d
	}
	s.due = kept
	return nil
}

func (s *fakeSource) add(d time.Time) {
	s.mu.Lock()
	s.due = append(s.due, d)
	s.mu.Unlock()
}

func TestLoopFiresWhenTheClockReachesEachTimer(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(start)
	src := &fakeSource{fired: make(chan time.Time, 10)}
	src.add(start.Add(300 * time.Second))
	l := New(c, src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()

	waitForWaiter(t, c)
	// A timer armed later but due earlier is picked up after Notify
	// (whether the loop has re-armed before the clock moves or after).
	src.add(start.Add(5 * time.Second))
	l.Notify(start.Add(5 * time.Second))

	c.Advance(5 * time.Second)
	if got := <-src.fired; !got.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("fired %v first", got)
	}
	waitForWaiter(t, c)
	c.Advance(295 * time.Second)
	if got := <-src.fired; !got.Equal(start.Add(300 * time.Second)) {
		t.Fatalf("fired %v second", got)
	}
	cancel()
	<-done
}

func waitForWaiter(t *testing.T, c *clock.Fake) {
	t.Helper()
	waitUntil(t, func() bool { return c.Waiters() >= 1 })
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// A loop told to look now and then finds a timer nobody told it of.
func TestLookEveryFindsUntoldTimers(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	src := &fakeSource{fired: make(chan time.Time, 1)}
	l := New(c, src, slog.New(slog.DiscardHandler))
	l.LookEvery(time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	// A timer appears, due now, and nobody calls Notify.
	src.add(c.Now())
	select {
	case <-src.fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop never looked again")
	}
	cancel()
	<-done
}

// failingSource fails every call with err.
type failingSource struct{ err error }

func (s failingSource) NextDue(context.Context) (time.Time, bool, error) {
	return time.Time{}, false, s.err
}
func (s failingSource) FireDue(context.Context, time.Time) error { return s.err }

// An outage of the database is a warning, as the API's answers to it are:
// the loop outlives it by looking again; any other failure is an error.
func TestStoreFailuresAreLoggedByKind(t *testing.T) {
	for _, tc := range []struct {
		err   error
		level string
	}{
		{fmt.Errorf("%w: connection refused", store.ErrUnavailable), "level=WARN"},
		{errors.New("a corrupt row"), "level=ERROR"},
	} {
		var log strings.Builder
		var mu sync.Mutex
		l := New(clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), failingSource{tc.err},
			slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil)))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { l.Run(ctx); close(done) }()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			mu.Lock()
			logged := log.String()
			mu.Unlock()
			if logged != "" {
				if !strings.HasPrefix(strings.SplitN(logged, " ", 2)[1], tc.level) || !strings.Contains(logged, `msg="firing timers"`) {
					t.Errorf("%v logged as %q, want %s", tc.err, logged, tc.level)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%v was never logged", tc.err)
			}
		}
		cancel()
		<-done
	}
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// countingSource is a fakeSource that counts its looks and, when told,
// holds a look in NextDue after it has read the store.
type countingSource struct {
	*fakeSource
	mu               sync.Mutex
	fireDue, nextDue int
	holdNext         chan chan struct{} // each NextDue takes a gate, if one is there, and waits for it to close
}

func (s *countingSource) FireDue(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	s.fireDue++
	s.mu.Unlock()
	return s.fakeSource.FireDue(ctx, now)
}

func (s *countingSource) NextDue(ctx context.Context) (time.Time, bool, error) {
	due, ok, err := s.fakeSource.NextDue(ctx)
	s.mu.Lock()
	s.nextDue++
	s.mu.Unlock()
	select {
	case gate := <-s.holdNext:
		<-gate
	default:
	}
	return due, ok, err
}

// looks is how many looks (FireDue, NextDue) the loop made.
func (s *countingSource) looks() (fireDue, nextDue int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fireDue, s.nextDue
}

// Each wake of the loop is a look at the store: a timer armed to fall due
// after the one the loop waits for does not wake it, one due before does,
// as does one whose due time is not known; and a timer armed while the loop
// looks is not missed, whenever in the look it is armed.
func TestNotifyWakesOnlyForAnEarlierTimer(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	c := clock.NewFake(start)
	src := &countingSource{fakeSource: &fakeSource{fired: make(chan time.Time, 10)}, holdNext: make(chan chan struct{}, 1)}
	src.add(at(100))
	l := New(c, src, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// settled waits for the loop to have made n looks and to wait on the
	// clock again, and checks that it made no more.
	settled := func(n int) {
		t.Helper()
		waitUntil(t, func() bool { _, nd := src.looks(); return nd >= n && c.Waiters() == 1 })
		if fd, nd := src.looks(); fd != n || nd != n {
			t.Fatalf("%d FireDue and %d NextDue, want %d looks", fd, nd, n)
		}
	}
	settled(1)

	// Due after the timer the loop waits for: no look.
	src.add(at(200))
	l.Notify(at(200))
	l.Notify(at(100))
	if len(l.wake) != 0 {
		t.Fatal("a timer due no earlier than the awaited one woke the loop")
	}
	settled(1)

	// Due before it: a look, after which the loop waits for it.
	src.add(at(50))
	l.Notify(at(50))
	settled(2)

	// Not known: a look.
	l.Notify(time.Time{})
	settled(3)

	// Armed while the loop looks, after it read the store, and due after
	// the timer the loop waited for but before the one it found: the loop
	// looks again, and finds it.
	gate := make(chan struct{})
	src.holdNext <- gate
	c.Advance(50 * time.Second)
	if got := <-src.fired; !got.Equal(at(50)) {
		t.Fatalf("fired %v, want %v", got, at(50))
	}
	waitUntil(t, func() bool { return len(src.holdNext) == 0 })
	src.add(at(70))
	l.Notify(at(70))
	close(gate)
	settled(5)
	c.Advance(20 * time.Second)
	if got := <-src.fired; !got.Equal(at(70)) {
		t.Fatalf("fired %v, want the timer armed during the look", got)
	}
}
