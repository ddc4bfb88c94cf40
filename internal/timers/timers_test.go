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
	l.Notify()

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
