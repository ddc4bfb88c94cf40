package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// Heartbeats are the call workers make most often, and each is a tiny
// write: on PostgreSQL most of its cost, on both sides, is not the row but
// the round trip, the commit and the wake-ups of the processes on each
// side. So heartbeats that arrive while others are being recorded wait and
// go together — a group commit: their statements go in one pipeline, which
// PostgreSQL runs as one implicit transaction, committed at its end; one
// round trip and one commit carry many. Alone, a heartbeat goes at once.
// Each is answered only once the transaction that recorded it has
// committed. No goroutine of its own runs this: the caller that finds a
// batch slot free records what waits, and when it is done hands the slot,
// with the heartbeats that came meanwhile, to one of their callers.
//
// A batch waits for no lock: a heartbeat whose activity a transition holds
// (or that matches no started activity) is skipped, and its caller records
// it alone, as before, waiting for the transition (ActivityHeartbeat). So a
// batch, which holds the rows it has updated until it commits, cannot take
// part in a deadlock.

// heartbeatBatches is how many batches of heartbeats may be under way at
// once on the database: two, so that heartbeats that come while one batch
// waits on its commit go in the next at once, and no more, so that under
// load batches grow rather than commits. (Four cost PostgreSQL a third
// more CPU per heartbeat, for fewer heartbeats a second: docs/BENCHMARKS.md.)
// Servers sharing the database divide them (SetShare), each keeping one
// at least.
const heartbeatBatches = 2

// maxHeartbeatBatch bounds the heartbeats of one batch.
const maxHeartbeatBatch = 256

// heartbeats gathers the heartbeats waiting to be recorded. The zero value
// is ready.
type heartbeats struct {
	mu      sync.Mutex
	running int // batches under way
	// share is the number of servers the batches are divided by (0: one).
	share   int
	pending []*heartbeatCall
	// batches counts the batches run, and peak is the most under way at
	// once (b.mu held), for tests.
	batches atomic.Int64
	peak    int
}

// heartbeatCall is one ActivityHeartbeatNow waiting for its batch.
type heartbeatCall struct {
	h store.Heartbeat
	// signal receives once: when the call's batch is done (cancel, err
	// and alone are set), or when the call is to run the next batch, which
	// is then in batch.
	signal chan struct{}
	batch  []*heartbeatCall
	cancel bool
	err    error
	// alone: the batch did not record it (its activity was locked, or is
	// not there, or not started); it goes on its own.
	alone bool
}

// ActivityHeartbeatNow records a heartbeat in a transaction of its own —
// with the other heartbeats recorded at the same moment — committed before
// it returns (store.Heartbeater). Like Write, it is not interrupted by ctx
// once under way, and runs again after a deadlock.
func (s *Store) ActivityHeartbeatNow(ctx context.Context, h store.Heartbeat) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.writes.Add(1)
	h.At = ms(h.At)
	c := &heartbeatCall{h: h, signal: make(chan struct{}, 1)}
	b := &s.heartbeats
	b.mu.Lock()
	b.pending = append(b.pending, c)
	var batch []*heartbeatCall
	if b.running < b.limitLocked() {
		b.running++
		b.peak = max(b.peak, b.running)
		batch = b.takeLocked()
	}
	b.mu.Unlock()
	if batch == nil {
		<-c.signal
		batch = c.batch // set when this call is to run the next batch
	}
	if batch != nil {
		s.runHeartbeats(c, batch)
	}
	if c.alone {
		return s.heartbeatAlone(ctx, h)
	}
	return c.cancel, c.err
}

// SetShare divides the batches of heartbeats, and of writes, under way
// among n servers sharing the database (store.Divided): each server keeps
// its share, and one at least.
func (s *Store) SetShare(n int) {
	b := &s.heartbeats
	b.mu.Lock()
	b.share = n
	b.mu.Unlock()
	q := &s.batches
	q.mu.Lock()
	q.share = n
	q.mu.Unlock()
}

// limitLocked is how many batches this server may have under way (b.mu
// held).
func (b *heartbeats) limitLocked() int {
	return max(1, heartbeatBatches/max(1, b.share))
}

// takeLocked takes the next batch off the waiting heartbeats (b.mu held).
func (b *heartbeats) takeLocked() []*heartbeatCall {
	n := min(len(b.pending), maxHeartbeatBatch)
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	if len(b.pending) == 0 {
		b.pending = nil
	}
	return batch
}

// runHeartbeats records a batch, run by self (one of its calls), then
// hands the batch slot on with the heartbeats that came meanwhile, to the
// first of them, or frees it (when none came, or the share has shrunk: then
// another batch under way hands its slot on); and answers the batch's
// other calls.
func (s *Store) runHeartbeats(self *heartbeatCall, batch []*heartbeatCall) {
	s.recordHeartbeats(batch)
	b := &s.heartbeats
	b.mu.Lock()
	if len(b.pending) > 0 && b.running <= b.limitLocked() {
		next := b.takeLocked()
		next[0].batch = next
		next[0].signal <- struct{}{}
	} else {
		b.running--
	}
	b.mu.Unlock()
	for _, c := range batch {
		if c != self {
			c.signal <- struct{}{}
		}
	}
}

// recordHeartbeats records a batch in one transaction, and sets the
// calls' answers. One activity goes once: of several heartbeats for it, the
// latest (by time, then arrival) is recorded, and all get its answer.
func (s *Store) recordHeartbeats(batch []*heartbeatCall) {
	type key struct{ exec, sched, started int64 }
	index := make(map[key]int, len(batch)) // → position in the arrays
	var execs, scheds, starteds []int64
	var details []*string
	var ats []time.Time
	for _, c := range batch {
		k := key{c.h.ExecutionID, c.h.ScheduledEventID, c.h.StartedEventID}
		if i, ok := index[k]; ok {
			if !c.h.At.Before(ats[i]) {
				details[i], ats[i] = c.h.Details, c.h.At
			}
			continue
		}
		index[k] = len(execs)
		execs, scheds, starteds = append(execs, k.exec), append(scheds, k.sched), append(starteds, k.started)
		details, ats = append(details, c.h.Details), append(ats, c.h.At)
	}
	cancels := make([]*bool, len(execs))
	s.heartbeats.batches.Add(1)
	err := s.heartbeatBatch(execs, scheds, starteds, details, ats, cancels)
	for _, c := range batch {
		i := index[key{c.h.ExecutionID, c.h.ScheduledEventID, c.h.StartedEventID}]
		switch {
		case err != nil:
			c.err = err
		case cancels[i] == nil:
			c.alone = true
		default:
			c.cancel = *cancels[i]
		}
	}
}

// heartbeatBatch runs ActivityHeartbeatSkipLocked for each heartbeat, in
// one pipeline (one implicit transaction), again after a failure that
// another attempt cures, and sets cancels[i] for each heartbeat recorded.
func (s *Store) heartbeatBatch(execs, scheds, starteds []int64, details []*string, ats []time.Time, cancels []*bool) error {
	for attempt := 1; ; attempt++ {
		clear(cancels)
		b := &pgx.Batch{}
		for i := range execs {
			b.Queue(stmt("ActivityHeartbeatSkipLocked"), execs[i], scheds[i], starteds[i], details[i], ats[i])
		}
		err := func() error {
			s.roundTrips.Add(1)
			br := s.pool.SendBatch(context.Background(), b)
			defer br.Close()
			for i := range execs {
				var cancel bool
				err := br.QueryRow().Scan(&cancel)
				if errors.Is(err, pgx.ErrNoRows) {
					continue
				}
				if err != nil {
					return err
				}
				cancels[i] = &cancel
			}
			return br.Close()
		}()
		switch {
		case err == nil:
			return nil
		case !retryable(err) || attempt == maxAttempts:
			return outage(err)
		}
		s.retries.Add(1)
	}
}

// heartbeatAlone records a heartbeat on its own: one statement, which
// waits for a transaction holding the activity, then tells whether the
// activity is there and started.
func (s *Store) heartbeatAlone(ctx context.Context, h store.Heartbeat) (bool, error) {
	for attempt := 1; ; attempt++ {
		var cancel bool
		s.roundTrips.Add(1)
		err := s.pool.QueryRow(context.WithoutCancel(ctx), stmt("ActivityHeartbeat"), heartbeatArgs(h)...).Scan(&cancel)
		switch {
		case err == nil:
			return cancel, nil
		case errors.Is(err, pgx.ErrNoRows):
			return false, store.ErrNotFound
		case !retryable(err) || attempt == maxAttempts:
			return false, outage(err)
		}
		s.retries.Add(1)
	}
}
