package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// Writes are group-committed, as on SQLite: the writes that arrive while
// others are under way wait, and then run one after another in one
// transaction, on one connection, which one COMMIT ends. Most of what a
// small write costs PostgreSQL, and the server, is not its rows but its
// transaction: the BEGIN and the COMMIT, the WAL flush that the COMMIT
// waits for, and the round trip that carries them; a batch pays them once
// (docs/BENCHMARKS.md). No write is answered before the batch that ran it
// has committed.
//
// A batch must never wait for a lock that another transaction holds while
// it holds the locks of the writes it ran before: two batches (on two
// servers, or on one) that each waited for the other would deadlock. So in
// a batch, a write locks a run with SKIP LOCKED: a run that another
// transaction holds is not waited for; the write is taken out of the batch
// (what it queued is dropped: nothing of it has reached the database yet),
// and runs again on its own, as a Write of its own transaction, which
// waits for the lock as before. The same happens to a write that does what
// a batch does not (registrations, which take advisory locks; heartbeats
// within a write; the timer loop's deletes; the store's maintenance), to a
// write that finds no run where it looked for one (the write alone tells a
// run that is not there from one that is busy), to a take that finds only
// tasks whose runs are busy (tx.noTask), to a write that fails for a reason
// another attempt cures, and to every write of a batch that cannot commit:
// a statement of the batch failed (a unique violation, the open-run quota
// at commit), or a write failed after statements of its own had been sent.
// Those run again alone, each in its own transaction, with the retries of
// Write.
//
// The other locks a write takes wait only for transactions that wait for
// nothing: the activities of a run the batch holds (heartbeats, which skip
// locked rows), a domain's open-run count at COMMIT (a commit under way),
// a domain's row FOR SHARE (a deprecation, which runs alone). One wait is
// left: a start's insert waits for a concurrent, uncommitted insert of an
// open run of the same workflowId; two batches that did that in opposite
// orders would deadlock, which PostgreSQL breaks after deadlock_timeout,
// and their writes then run alone.

// writeBatches is how many batches of writes may be under way at once on
// the database: two, so that the writes that come while one batch waits on
// its commit go in the next at once. Servers sharing the database divide
// them (SetShare), each keeping one at least, so that the batches of the
// cluster grow with its load rather than its servers.
const writeBatches = 2

// maxWriteBatch bounds the writes of one batch: a batch holds the runs it
// has locked until it commits, and another server's write on one of them
// runs alone, after it.
const maxWriteBatch = 32

// errBusy is what a Tx method returns, in a batch, for a write that must
// run alone (see above): fn sees it as any error of the store, and gives
// up; its batch runs it again alone.
var errBusy = errors.New("postgres: the write runs again alone")

// writeQueue gathers the writes waiting for a batch. The zero value is
// ready.
type writeQueue struct {
	mu      sync.Mutex
	running int // batches under way
	// share is the number of servers the batches are divided by (0: one).
	share   int
	pending []*writeCall
	// off runs every write alone (SetGroupCommit).
	off atomic.Bool
	// batches counts the batches committed, and batched the writes they
	// carried.
	batches, batched atomic.Int64
}

// writeCall is one Write waiting for its batch.
type writeCall struct {
	fn func(store.Tx) error
	// signal receives once: when the call's batch is done (err, alone or
	// panicked set), or when the call is to run the next batch, which is
	// then in batch.
	signal chan struct{}
	batch  []*writeCall
	err    error
	// alone: the batch did not commit it; it runs again on its own.
	alone bool
	// panicked is what fn panicked with, for its caller to panic with.
	panicked any
}

// SetGroupCommit turns the group commit of writes on (the default) or off:
// off, each Write runs in a transaction of its own. For tests and
// measurements.
func (s *Store) SetGroupCommit(on bool) { s.batches.off.Store(!on) }

// GroupCommits is how many batches of writes have committed, and how many
// writes they carried.
func (s *Store) GroupCommits() (batches, writes int64) {
	return s.batches.batches.Load(), s.batches.batched.Load()
}

// writeGrouped runs a Write in a batch (see above), or alone if its batch
// could not commit it.
func (s *Store) writeGrouped(ctx context.Context, fn func(store.Tx) error) error {
	c := &writeCall{fn: fn, signal: make(chan struct{}, 1)}
	q := &s.batches
	q.mu.Lock()
	q.pending = append(q.pending, c)
	var batch []*writeCall
	if q.running < q.limitLocked() {
		q.running++
		batch = q.takeLocked()
	}
	q.mu.Unlock()
	if batch == nil {
		<-c.signal
		batch = c.batch // set when this call is to run the next batch
	}
	if batch != nil {
		s.runWrites(c, batch)
	}
	if c.panicked != nil {
		panic(c.panicked)
	}
	if c.alone {
		s.retries.Add(1)
		return s.write(ctx, fn)
	}
	return c.err
}

// limitLocked is how many batches this server may have under way (q.mu
// held).
func (q *writeQueue) limitLocked() int {
	return max(1, writeBatches/max(1, q.share))
}

// takeLocked takes the next batch off the waiting writes (q.mu held).
func (q *writeQueue) takeLocked() []*writeCall {
	n := min(len(q.pending), maxWriteBatch)
	batch := q.pending[:n:n]
	q.pending = q.pending[n:]
	if len(q.pending) == 0 {
		q.pending = nil
	}
	return batch
}

// runWrites runs a batch, run by self (one of its calls), then hands the
// batch slot on with the writes that came meanwhile, to the first of them,
// or frees it (when none came, or the share has shrunk: then another batch
// under way hands its slot on); and answers the batch's other calls.
func (s *Store) runWrites(self *writeCall, batch []*writeCall) {
	s.writeBatch(batch)
	q := &s.batches
	q.mu.Lock()
	if len(q.pending) > 0 && q.running <= q.limitLocked() {
		next := q.takeLocked()
		next[0].batch = next
		next[0].signal <- struct{}{}
	} else {
		q.running--
	}
	q.mu.Unlock()
	for _, c := range batch {
		if c != self {
			c.signal <- struct{}{}
		}
	}
}

// writeBatch runs the writes of a batch in one transaction and sets their
// answers: each write's own, once the transaction has committed; alone for
// the writes it could not commit; the commit's error for every write when
// the outcome of the COMMIT is unknown (the connection was lost during it).
func (s *Store) writeBatch(batch []*writeCall) {
	ctx := context.Background()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		for _, w := range batch {
			w.alone = true
		}
		return
	}
	done := false
	defer func() { s.endWrite(ctx, c, done) }()
	t := &tx{q: c, write: true, batch: true, wctx: ctx, pending: &pgx.Batch{}, schema: s.schema, openLimit: s.openLimit.Load(), roundTrips: &s.roundTrips}
	t.pending.Queue(stmt("Begin"))
	in := make([]*writeCall, 0, len(batch)) // the writes the transaction carries
	failed := false
	for _, w := range batch {
		if failed {
			w.alone = true
			continue
		}
		t.beginWrite()
		result, panicked := runWrite(w.fn, t)
		switch {
		case panicked != nil:
			w.panicked = panicked
			failed = true
		case t.err != nil || t.failed != nil || c.Conn().PgConn().TxStatus() == 'E':
			// A statement failed: the transaction is lost.
			w.alone, failed = true, true
		case t.busy || result != nil:
			if t.written {
				// Statements of its own have been sent: they cannot be
				// taken back but with the whole transaction.
				w.alone, failed = true, true
				break
			}
			// A write that fails for a reason that another attempt cures
			// runs again, alone, as Write would run it again.
			busy := t.busy || retryable(result)
			t.dropWrite()
			if busy {
				w.alone = true
			} else {
				w.err = result
				in = append(in, w)
			}
		default:
			in = append(in, w)
		}
	}
	done = true
	if !failed && len(in) == 0 && c.Conn().PgConn().TxStatus() == 'I' {
		return // every write runs alone, and nothing was sent
	}
	if !failed {
		err = t.commit()
		switch {
		case err == nil:
			s.batches.batches.Add(1)
			s.batches.batched.Add(int64(len(in)))
		case sqlState(err) != "" || errors.Is(err, errRolledBack):
			// PostgreSQL refused the commit: nothing of it is there.
			for _, w := range in {
				w.alone, w.err = true, nil
			}
		default:
			// The outcome of the COMMIT is unknown: so it is to the
			// writes.
			for _, w := range in {
				w.err = err
			}
		}
	} else {
		for _, w := range in {
			w.alone, w.err = true, nil
		}
	}
}

// runWrite calls a write's fn in a batch, and recovers what it panics
// with, for its caller.
func runWrite(fn func(store.Tx) error, t *tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(t), nil
}

// beginWrite marks, in a batch, where the next write begins: what it
// queues, reads at commit and changes of the runs and counts it holds can
// be dropped (dropWrite) as long as none of its statements has been sent.
// What an earlier write of the batch read ahead for itself is forgotten.
func (t *tx) beginWrite() {
	t.busy, t.written = false, false
	t.mark = t.pending.Len()
	t.markAtCommit = len(t.atCommit)
	t.markRuns, t.markOpened = maps.Clone(t.runs), maps.Clone(t.opened)
	t.taken, t.acts, t.types, t.ahead, t.reserved = nil, nil, nil, nil, reservation{}
}

// dropWrite drops what the write begun last queued and noted (see
// beginWrite).
func (t *tx) dropWrite() {
	t.pending.QueuedQueries = t.pending.QueuedQueries[:t.mark]
	t.atCommit = t.atCommit[:t.markAtCommit]
	t.runs, t.opened = t.markRuns, t.markOpened
	t.taken, t.acts, t.types, t.ahead, t.reserved = nil, nil, nil, nil, reservation{}
	t.busy = false
}

// alone is called by the Tx methods that a batch does not run: in a batch
// it makes the write run alone (errBusy); otherwise it returns nil.
func (t *tx) alone() error {
	if !t.batch {
		return nil
	}
	t.busy = true
	return errBusy
}

// missing is the error of a write that found no row where it looked for a
// run (or a task) to lock: ErrNotFound, or in a batch errBusy, since it
// may be there, held by another transaction.
func (t *tx) missing() error {
	if err := t.alone(); err != nil {
		return err
	}
	return store.ErrNotFound
}

// forUpdate is the locking clause of a write's read of a run: in a batch it
// skips a run that another transaction holds.
func (t *tx) forUpdate() string {
	if t.batch {
		return " FOR UPDATE SKIP LOCKED"
	}
	return " FOR UPDATE"
}

// taskTakeSkipLocked is TaskTakeWithRun for a batch: it passes over a task
// whose run another transaction holds, as it passes over a task another
// transaction is taking, and locks the run with the task.
var taskTakeSkipLocked = sync.OnceValue(func() string {
	const pick = "SELECT id FROM tasks WHERE domain_id = $1 AND kind = $2 AND task_list = $3\n" +
		"        ORDER BY priority DESC, id ASC LIMIT 1 FOR UPDATE SKIP LOCKED"
	const pickFree = "SELECT k.id FROM tasks k JOIN executions r ON r.id = k.execution_id\n" +
		"        WHERE k.domain_id = $1 AND k.kind = $2 AND k.task_list = $3\n" +
		"        ORDER BY k.priority DESC, k.id ASC LIMIT 1 FOR UPDATE OF k, r SKIP LOCKED"
	q := stmt("TaskTakeWithRun")
	out := strings.Replace(q, pick, pickFree, 1)
	if out == q {
		panic(fmt.Sprintf("postgres: TaskTakeWithRun does not pick its task as taskTakeSkipLocked expects:\n%s", q))
	}
	return out
})
