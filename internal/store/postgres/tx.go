package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openswf/openswf/internal/store"
)

// This file runs the statements of a transaction (tx), in as few round
// trips as it can, and holds what the nouns' files share.

// querier is what statements run on: a pooled connection, inside the
// transaction that Write or Read began on it.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// tx implements store.Tx on a pooled connection.
type tx struct {
	q     querier
	write bool
	// wctx is the context of the statements: a write's own, which its
	// caller's cancellation does not reach, or a read's caller's.
	wctx context.Context
	// err is the first error of a statement of the transaction, and
	// failed the first that another attempt can cure.
	err, failed error
	// pending are the statements not sent yet: the BEGIN (and LOCK) of
	// the transaction until its first statement, and the statements of a
	// write whose outcome fn does not look at (see later).
	pending *pgx.Batch
	// schema is the store's, which advisory lock keys name.
	schema string
	// raced is set when an insert of a run found one that another
	// transaction started (see Write).
	raced bool
	// reserved is the run id that a write's StartLookup drew from the
	// runs' sequence, for the ExecutionInsert that follows of a run of the
	// workflowId it looked up (id 0: none).
	reserved reservation
	// runs are the runs a write holds locked (read FOR UPDATE, or
	// inserted), with their domain and whether they are open, and opened
	// the change the write has made to each domain's open-run count, which
	// its commit applies (see openRuns).
	runs   map[int64]runState
	opened map[int64]int64
	// openLimit is the open-run quota its commit checks (0: none).
	openLimit int64
	// taken are the runs that TaskTake read, locked, with their tasks,
	// for the ExecutionGet that follows (until the write changes them).
	taken map[int64]*store.Execution
	// acts are the activities of runs that a write read with the run
	// (ExecutionGet, TaskTake), locked, for the ActivityList that follows
	// (until the write changes them).
	acts map[int64][]*store.Activity
	// ahead are the types to read after the next statement of a write,
	// and types those read, nil for none, for the TypeGet that follows
	// (see TypeGetAhead).
	ahead []store.TypeKey
	types map[store.TypeKey]*store.Type
	// atCommit are the reads that go with the COMMIT of a write
	// (EventListAtCommit).
	atCommit []*commitRead
	// one is set in a ReadOne, whose one statement, sent, sets sent.
	one, sent bool
	// roundTrips is the store's count of round trips (Store.RoundTrips).
	roundTrips *atomic.Int64
	// batch is set in a transaction that runs a batch of writes (see
	// batch.go). busy is set when the write under way is to run alone, and
	// written once a statement of its own has been sent; mark and the
	// fields after it are where it began (see beginWrite).
	batch, busy, written bool
	mark, markAtCommit   int
	markRuns             map[int64]runState
	markOpened           map[int64]int64
}

// errNotOne is the error of a statement that a ReadOne cannot make.
var errNotOne = errors.New("postgres: a ReadOne makes one SELECT at most")

// reservation is a run id drawn for a run of a workflowId in a domain.
type reservation struct {
	id         int64
	domainID   int64
	workflowID string
}

// runState is what a write knows of a run it holds: its domain and whether
// it is open.
type runState struct {
	domainID int64
	open     bool
}

// later queues a statement of a write whose only outcome is an error: it
// goes with the next statement that returns something, or with the COMMIT,
// in one round trip, rather than in a round trip of its own. fn sees its
// error later, or Write does, but never a transaction committed without it:
// the statements of a batch run in order, a failed one aborts the
// transaction (the statements after it do not run), whatever fn does, and a
// failure that another attempt can cure still makes Write try again. Every
// statement after it sees it done. In a read it runs at once.
func (t *tx) later(ctx context.Context, sql string, args ...any) error {
	if t.busy {
		return errBusy
	}
	if !t.write {
		_, err := t.exec(ctx, sql, args...)
		return err
	}
	t.pending.Queue(sql, args...)
	return nil
}

// send sends the pending statements of a write, then sql, in one round
// trip, and reads the results of the pending ones: the next result of br
// is sql's. br must be closed.
func (t *tx) send(sql string, args []any) (pgx.BatchResults, error) {
	if t.one {
		if t.sent || !strings.HasPrefix(sql, "SELECT ") {
			return nil, t.note(errNotOne)
		}
		t.sent = true
	}
	return t.sendWith(func(b *pgx.Batch) { b.Queue(sql, args...) })
}

// sendWith sends the pending statements of a write, then those that queue
// adds, then the reads ahead (see TypeGetAhead), in one round trip, and
// reads the results of the pending ones: the next results of br are those
// of the statements queued. br must be closed, which reads those ahead.
// (Not for a ReadOne, whose one statement send checks.)
func (t *tx) sendWith(queue func(*pgx.Batch)) (pgx.BatchResults, error) {
	if t.busy {
		return nil, errBusy
	}
	b := t.pending
	t.pending = &pgx.Batch{}
	n := b.Len()
	if t.batch {
		// The write under way has statements of its own in the batch (see
		// beginWrite); all that is queued from now on is its own.
		t.written = t.written || n > t.mark
		t.mark = 0
	}
	queue(b)
	t.readAhead(b)
	br := t.sendBatch(b)
	for range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, t.note(err)
		}
	}
	return br, nil
}

// sendBatch sends a batch, in one round trip, which it counts.
func (t *tx) sendBatch(b *pgx.Batch) pgx.BatchResults {
	t.roundTrips.Add(1)
	return t.q.SendBatch(t.wctx, b)
}

// query runs a query, after the pending statements (of a write, or the
// BEGIN of a read).
func (t *tx) query(ctx context.Context, sql string, args []any) (pgx.Rows, error) {
	br, err := t.send(sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// batchRows are the rows of the last statement of a batch: closing them
// closes the batch.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if r.br != nil {
		if err := r.br.Close(); err != nil && r.err == nil {
			r.err = err
		}
		r.br = nil
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// row runs a query of one row, after the pending statements of a write;
// its Scan returns pgx.ErrNoRows when there is none.
func (t *tx) row(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.query(ctx, sql, args)
	return &firstRow{rows: rows, err: err}
}

// firstRow is the first row of rows, as QueryRow returns it.
type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r *firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// note records the error of a statement and returns it.
func (t *tx) note(err error) error {
	if err == nil || errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if t.err == nil {
		t.err = err
	}
	if t.failed == nil && retryable(err) {
		t.failed = err
	}
	return err
}

func (t *tx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	// In a write, exec runs the statements of registrations and of the
	// store's maintenance, which a batch does not run.
	if err := t.alone(); err != nil {
		return pgconn.CommandTag{}, err
	}
	br, err := t.send(sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, t.note(err)
}

// queryRow runs a query of one row and scans it; pgx.ErrNoRows when there
// is none.
func (t *tx) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return t.note(t.row(ctx, sql, args...).Scan(dest...))
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, t *tx, sql string, args []any, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	rows, err := t.query(ctx, sql, args)
	if err != nil {
		return nil, t.note(err)
	}
	out, err := pgx.CollectRows(rows, scan)
	return out, t.note(err)
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// ms is a time as the store keeps it: to the millisecond, as SQLite does.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

func msPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

// utc returns a time read from the database in UTC, as the SQLite store
// returns them.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// blob is a JSON blob to write: never NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// limit is a LIMIT argument: NULL, no limit, for a negative one.
func limit(n int) any {
	if n < 0 {
		return nil
	}
	return n
}

// Advisory locks of a write, taken before the counts that registrations
// check: two writes that count and then add cannot both pass the check.
// Each is a transaction-level lock, released at COMMIT or ROLLBACK.
const (
	lockDomains = iota + 1 // the domain count
	lockTypes              // a domain's types of one kind
	lockTags               // a domain's tags
)

// advisoryKey is the key of an advisory lock of the store's schema.
func (t *tx) advisoryKey(what int, id int64, kind string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "openswf\x00%s\x00%d\x00%d\x00%s", t.schema, what, id, kind)
	return int64(h.Sum64())
}

// lock takes an advisory lock in a write (shared or exclusive), in the
// round trip of the next statement. In a read it does nothing.
func (t *tx) lock(ctx context.Context, shared bool, what int, id int64, kind string) {
	if !t.write || t.alone() != nil {
		return
	}
	q := stmt("AdvisoryLock")
	if shared {
		q = stmt("AdvisoryLockShared")
	}
	t.later(ctx, q, t.advisoryKey(what, id, kind))
}
