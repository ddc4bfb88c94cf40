package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// Heartbeats recorded together: one transaction records several, each
// activity with its latest heartbeat, and tells each caller what it alone
// would have been told; those it cannot record (activity not there, not
// started, or held by a transaction) go on their own.
func TestHeartbeatBatch(t *testing.T) {
	url := os.Getenv(urlVar)
	if url == "" {
		t.Skip("OPENSWF_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
	}
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	_, runID := newRun(t, s, "{}")
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	err := s.Write(ctx, func(tx store.Tx) error {
		for _, a := range []*store.Activity{
			{ExecutionID: runID, ScheduledEventID: 5, ActivityID: "started", StartedEventID: 6, Data: []byte("{}")},
			{ExecutionID: runID, ScheduledEventID: 7, ActivityID: "canceled", StartedEventID: 8, CancelRequested: true, Data: []byte("{}")},
			{ExecutionID: runID, ScheduledEventID: 9, ActivityID: "unstarted", Data: []byte("{}")},
			{ExecutionID: runID, ScheduledEventID: 11, ActivityID: "held", StartedEventID: 12, Data: []byte("{}")},
		} {
			if err := tx.ActivityPut(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A transaction holds activity 11 (as a transition of its run would,
	// having read it).
	holder, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "SELECT 1 FROM activities WHERE execution_id = $1 AND scheduled_event_id = 11 FOR UPDATE", runID); err != nil {
		t.Fatal(err)
	}
	hb := func(sched, started int64, details string, at time.Duration) *heartbeatCall {
		return &heartbeatCall{h: store.Heartbeat{ExecutionID: runID, ScheduledEventID: sched, StartedEventID: started,
			Details: &details, At: t0.Add(at)}}
	}
	batch := []*heartbeatCall{
		hb(5, 6, "later", 2*time.Second), hb(5, 6, "earlier", time.Second), // one activity twice: the later is kept
		hb(7, 8, "c", time.Second),
		hb(9, 10, "not started", time.Second), hb(5, 7, "wrong attempt", time.Second), hb(13, 14, "none", time.Second),
		hb(11, 12, "held", time.Second),
	}
	// The batch does not wait for activity 11: it records what it can.
	s.recordHeartbeats(batch)
	type answer struct {
		cancel, alone bool
		err           error
	}
	want := []answer{{}, {}, {cancel: true}, {alone: true}, {alone: true}, {alone: true}, {alone: true}}
	for i, c := range batch {
		if got := (answer{c.cancel, c.alone, c.err}); got != want[i] {
			t.Errorf("heartbeat %d (%d/%d %s): %+v, want %+v", i, c.h.ScheduledEventID, c.h.StartedEventID, *c.h.Details, got, want[i])
		}
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	checkDetails(t, s, runID, map[int64]string{5: "later", 7: "c", 9: "", 11: ""})

	// Those it left go on their own: the missing ones are not found, the
	// held one, free now, is recorded.
	for _, c := range batch[3:6] {
		if _, err := s.heartbeatAlone(ctx, c.h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("heartbeat of %d/%d alone: %v, want ErrNotFound", c.h.ScheduledEventID, c.h.StartedEventID, err)
		}
	}
	if _, err := s.ActivityHeartbeatNow(ctx, batch[6].h); err != nil {
		t.Fatal(err)
	}
	checkDetails(t, s, runID, map[int64]string{5: "later", 7: "c", 9: "", 11: "held"})
}

// Many heartbeats at once go in fewer transactions than heartbeats, and
// each activity keeps the last heartbeat its worker sent.
func TestHeartbeatsGoTogether(t *testing.T) {
	url := os.Getenv(urlVar)
	if url == "" {
		t.Skip("OPENSWF_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
	}
	s := openOn(t, url, newSchema(t, url))
	heartbeatAtOnce(t, s)
	if s.heartbeats.peak > heartbeatBatches {
		t.Errorf("%d batches under way at once, want at most %d", s.heartbeats.peak, heartbeatBatches)
	}
}

// Servers sharing the database share its heartbeat batches: with two
// servers alive, each has one under way at most.
func TestHeartbeatBatchesAreShared(t *testing.T) {
	url := os.Getenv(urlVar)
	if url == "" {
		t.Skip("OPENSWF_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
	}
	s := openOn(t, url, newSchema(t, url))
	s.SetShare(2)
	heartbeatAtOnce(t, s)
	if s.heartbeats.peak != 1 {
		t.Errorf("one server of two had %d batches under way at once, want 1", s.heartbeats.peak)
	}
	for _, c := range []struct{ share, limit int }{{0, heartbeatBatches}, {1, heartbeatBatches}, {2, 1}, {3, 1}, {64, 1}} {
		s.SetShare(c.share)
		s.heartbeats.mu.Lock()
		limit := s.heartbeats.limitLocked()
		s.heartbeats.mu.Unlock()
		if limit != c.limit {
			t.Errorf("a share of 1/%d: %d batches, want %d", c.share, limit, c.limit)
		}
	}
}

// heartbeatAtOnce sends many heartbeats at once, from workers of several
// activities, and checks that each is answered, that each activity keeps
// the last of its worker's, that they went in fewer transactions than
// heartbeats, and that no batch is left under way or waiting.
func heartbeatAtOnce(t *testing.T, s *Store) {
	t.Helper()
	const workers, beats = 32, 20
	ctx := context.Background()
	_, runID := newRun(t, s, "{}")
	err := s.Write(ctx, func(tx store.Tx) error {
		for i := range int64(workers) {
			a := &store.Activity{ExecutionID: runID, ScheduledEventID: 10 + 2*i, ActivityID: strconv.FormatInt(i, 10),
				StartedEventID: 11 + 2*i, CancelRequested: i%2 == 1, Data: []byte("{}")}
			if err := tx.ActivityPut(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range int64(workers) {
		wg.Go(func() {
			for n := range beats {
				details := fmt.Sprintf("%d/%d", i, n)
				cancel, err := s.ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: runID, ScheduledEventID: 10 + 2*i, StartedEventID: 11 + 2*i,
					Details: &details, At: t0.Add(time.Duration(n) * time.Millisecond)})
				if err != nil || cancel != (i%2 == 1) {
					errs <- fmt.Errorf("heartbeat %s: %v, %v", details, cancel, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := map[int64]string{}
	for i := range int64(workers) {
		want[10+2*i] = fmt.Sprintf("%d/%d", i, beats-1)
	}
	checkDetails(t, s, runID, want)
	if n := s.heartbeats.batches.Load(); n >= workers*beats {
		t.Errorf("%d heartbeats at once took %d transactions: none went together", workers*beats, n)
	}
	if s.heartbeats.running != 0 || len(s.heartbeats.pending) != 0 {
		t.Errorf("after the heartbeats, %d batches under way and %d waiting", s.heartbeats.running, len(s.heartbeats.pending))
	}
}

// checkDetails checks the heartbeat details of a run's activities, by
// scheduled event id ("" for none).
func checkDetails(t *testing.T, s *Store, runID int64, want map[int64]string) {
	t.Helper()
	err := s.Read(context.Background(), func(tx store.Tx) error {
		acts, err := tx.ActivityList(context.Background(), runID)
		if err != nil {
			return err
		}
		if len(acts) != len(want) {
			return fmt.Errorf("%d activities, want %d", len(acts), len(want))
		}
		for _, a := range acts {
			got := ""
			if a.HeartbeatDetails != nil {
				got = *a.HeartbeatDetails
			}
			if got != want[a.ScheduledEventID] {
				return fmt.Errorf("activity %d has details %q, want %q", a.ScheduledEventID, got, want[a.ScheduledEventID])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
