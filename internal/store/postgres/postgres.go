// Package postgres is the shared store of openswf: PostgreSQL, which
// several stateless openswf servers behind a load balancer use at once.
//
// Every Write runs at READ COMMITTED isolation and takes explicit locks on
// what its checks depend on, so that the check-then-change transactions of
// the engine behave as if they ran one after another, as they do on SQLite,
// however many servers run them, without the reruns that serializable
// isolation costs when unrelated writes touch neighbouring index pages:
//
//   - a run read in a write is locked (FOR UPDATE): every transition of a
//     run, and everything it changes (history, activities, tasks, timers),
//     happens under its row lock, so two transitions of one run queue
//     rather than fail, and the second reads what the first committed;
//   - a run is started by an insert that a unique index keeps to one open
//     run per workflowId (a start that loses that race runs again, and
//     finds the winner);
//   - a domain's open-run count is one row, changed at COMMIT by a deferred
//     trigger that checks the quota (see migration 0002): starts in one
//     domain wait for each other only for the length of a commit;
//   - the counts that registrations check (domains, types, tags) are read
//     under transaction-level advisory locks;
//   - task lists are taken with FOR UPDATE SKIP LOCKED, so that pollers on
//     every server take different tasks instead of queueing for the same
//     one; the package tests show that each task goes to exactly one.
//
// A Write that returns nil has been committed (synchronous_commit,
// PostgreSQL's default, is left alone). Write runs its function again only
// when PostgreSQL detects a deadlock, or when a start lost the race for its
// workflowId or for its domain's quota at commit; the few writes that keep
// failing run alone.
//
// Reads run on a REPEATABLE READ, READ ONLY snapshot.
//
// The servers sharing the database wake each other's long polls and timer
// loops with LISTEN and NOTIFY (store.Shared).
//
// The schema lives in migrations/*.sql, applied in order and recorded in
// schema_migrations; the statements are in queries.sql, by name, with $n
// parameters (only the listings whose filters vary per call are composed
// in Go).
package postgres

import (
	"context"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openswf/openswf/internal/store"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the PostgreSQL implementation of store.Store, and of
// store.Shared: the servers that share a database tell each other of the
// tasks and timers they commit with LISTEN and NOTIFY.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	// channel is the NOTIFY channel of the schema.
	channel string
	// closed is closed by Close, which ends Listen.
	closed    chan struct{}
	closeOnce sync.Once
	// writes counts the Writes, retries the attempts run again after a
	// deadlock or a lost race, alone those run alone, for tests and
	// diagnostics.
	writes, retries, alone atomic.Int64
	// openLimit is the most open runs a domain may have, checked at every
	// commit; 0 checks nothing. limitSet holds, per connection, the limit
	// its session has (set by a committed transaction: a setting made in
	// one that rolls back goes with it).
	openLimit atomic.Int64
	limitSet  sync.Map // *pgx.Conn → int64
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Shared = (*Store)(nil)
)

// Open connects to the database at url (a postgres:// URL or key=value
// connection string, as pgx reads them) and brings the schema up to date.
// The tables are those of the connection's search_path (normally public);
// see OpenSchema to keep them elsewhere.
//
// The pgxpool settings may be added to url: pool_max_conns bounds the
// connections, and so the transactions under way, of this server (by
// default defaultMaxConns).
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenSchema(ctx, url, "")
}

// OpenSchema is Open with the tables in the named schema, which it creates
// if needed: several openswf installations, or tests running in parallel,
// can share one database. Every pooled connection has its search_path set
// to the schema. An empty schema is Open.
//
// Opening is safe while other processes open the same schema: the
// migrations run under an advisory lock, each at most once.
func OpenSchema(ctx context.Context, url, schema string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns()
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "openswf"
	}
	s := &Store{schema: schema, channel: channelName(schema), closed: make(chan struct{})}
	cfg.BeforeClose = func(c *pgx.Conn) { s.limitSet.Delete(c) }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s.pool = pool
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// defaultMaxConns is the default size of a server's pool: the larger of 16
// and four per CPU. A transaction spends most of its time waiting for
// round trips and commits, not computing, and transactions of different
// runs do not conflict: the pool, not PostgreSQL, would otherwise bound a
// server's throughput (pgxpool's own default, the larger of 4 and the
// CPUs, did on a 2-core machine).
func defaultMaxConns() int32 { return int32(max(16, 4*runtime.NumCPU())) }

// Close closes every connection of the store, once the transactions under
// way have ended, and ends Listen.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.pool.Close()
	})
	return nil
}

// Schema is the schema the store was opened on; empty for the connection's
// search_path.
func (s *Store) Schema() string { return s.schema }

// migrationLock is the key of the advisory lock that the migrations of a
// schema run under.
func migrationLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("openswf migrations\x00" + schema))
	return int64(binary.BigEndian.Uint64(h.Sum(nil)))
}

type migration struct {
	version int
	name    string
}

// migrations lists the embedded migrations, in order.
func migrations() ([]migration, error) {
	entries, err := migrationsFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var all []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("postgres: migration file %q is not named NNNN_name.sql", e.Name())
		}
		all = append(all, migration{v, e.Name()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	return all, nil
}

// migrate creates the schema and applies the migrations it has not seen
// yet, all in one transaction under a transaction-level advisory lock: a
// process that opens the store while another migrates it waits, then finds
// the work done. DDL is transactional in PostgreSQL, so a failed migration
// leaves nothing behind.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	// READ COMMITTED, whatever the database's default: once the lock is
	// held, each statement sees what a migrator before committed.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var encoding string
	if err := tx.QueryRow(ctx, stmt("ServerEncoding")).Scan(&encoding); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if encoding != "UTF8" {
		return fmt.Errorf("postgres: the database's encoding is %s; openswf needs UTF8", encoding)
	}
	if _, err := tx.Exec(ctx, stmt("AdvisoryLock"), migrationLock(s.schema)); err != nil {
		return fmt.Errorf("postgres: lock the schema for migrations: %w", err)
	}
	if s.schema != "" {
		// A schema that exists is used as it is: creating one takes a
		// privilege on the database that the store's role may not have.
		var exists bool
		if err := tx.QueryRow(ctx, stmt("SchemaExists"), s.schema).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return fmt.Errorf("postgres: create schema %s: %w", s.schema, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, stmt("MigrationsCreate")); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, stmt("MigrationsCurrent")).Scan(&current); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if len(all) > 0 && current > all[len(all)-1].version {
		return fmt.Errorf("postgres: the database schema (version %d) is newer than this openswf knows (%d)", current, all[len(all)-1].version)
	}
	for _, m := range all {
		if m.version <= current {
			continue
		}
		body, err := migrationsFS.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		// The simple protocol runs the file's statements in one go.
		if _, err := tx.Conn().PgConn().Exec(ctx, string(body)).ReadAll(); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, stmt("MigrationRecord"), m.version, m.name); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	return nil
}

// maxAttempts bounds how many times Write runs a transaction that keeps
// failing.
const maxAttempts = 10

// aloneAfter is how many attempts of a Write run alongside other writes;
// the attempts after those run alone (see Write).
const aloneAfter = 3

// EnforceOpenExecutions makes every commit check that no domain is left
// with more than limit open runs (0: no check). The engine checks the
// quota before it starts a run, from the count committed so far; this
// check, at commit, is what makes it exact when servers start runs in one
// domain at once: the start that would go over runs again, and its check
// then sees the runs that won.
func (s *Store) EnforceOpenExecutions(limit int) { s.openLimit.Store(int64(limit)) }

// limitOf is the open-run quota the session of conn has, 0 if none.
func (s *Store) limitOf(conn *pgx.Conn) int64 {
	if v, ok := s.limitSet.Load(conn); ok {
		return v.(int64)
	}
	return 0
}

// Write runs fn in a READ COMMITTED transaction, with the locks the
// package comment lists, and commits it when fn returns nil; any error
// rolls back everything fn did.
//
// Write rolls the transaction back and runs fn again, up to maxAttempts
// times in all, when PostgreSQL fails it for a reason that another attempt
// cures: a deadlock (40P01), a serialization failure (40001), a unique
// violation (23505) that a concurrent transaction caused (retried until the
// attempts run alone; alone, it is fn's own), the domain's open-run quota
// found full at commit (OS001), or — once — when fn failed after one of
// its inserts found a run that a concurrent transaction had started (the
// next attempt's checks see that run). fn must build everything it decides
// from what it reads inside the transaction, and must reset whatever it
// reports to its caller when it starts. A statement error of fn counts even
// if fn swallows it (the transaction is aborted anyway).
//
// The first attempts run alongside other writes, after a short random pause
// each, and the later ones run alone, across every server: each write locks
// the table write_lock in ROW SHARE mode (which writes share) as it begins,
// and a write that failed aloneAfter times locks it in EXCLUSIVE mode
// instead, waiting for the writes under way and holding back new ones.
// Reads take no part. As on SQLite, fn must not call Write: it could wait
// for itself.
//
// A write takes few round trips: BEGIN, the LOCK and the quota setting go
// with the first statement of fn, and the statements whose only outcome is
// an error (the inserts, updates and deletes of runs, events, activities,
// tasks and timers) wait for the next statement, or the COMMIT, and go with
// it, in one pipeline (see later).
//
// Once started, a Write is not interrupted by ctx (as on SQLite: a caller
// that gives up never leaves an unknown outcome behind); ctx only stops
// further attempts.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writes.Add(1)
	return outage(s.write(ctx, fn))
}

// write runs the attempts of a Write.
func (s *Store) write(ctx context.Context, fn func(store.Tx) error) error {
	wctx := context.WithoutCancel(ctx)
	for attempt := 1; ; attempt++ {
		alone := attempt > aloneAfter
		if alone {
			s.alone.Add(1)
		}
		err, raced := s.writeOnce(wctx, fn, alone)
		switch code := sqlState(err); {
		case err == nil:
			return nil
		case code == codeSerializationFailure || code == codeDeadlockDetected || code == codeOpenLimit:
		case code == codeUniqueViolation && !alone:
			// A duplicate that a concurrent transaction caused is seen,
			// on a fresh snapshot, by the checks fn makes; at the latest
			// the attempts that run alone, with no concurrent
			// transaction, tell it from one that is fn's own.
		case raced && attempt == 1:
			// fn failed after an insert of a run found one a concurrent
			// transaction started: its checks, run again, see that run.
		default:
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("postgres: transaction failed %d times: %w", attempt, err)
		}
		s.retries.Add(1)
		if attempt >= aloneAfter {
			// The lock orders the attempts that run alone.
			continue
		}
		t := time.NewTimer(backoff(attempt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// backoff is the pause before the attempt after the given one: random, so
// that transactions that collided do not collide again, and growing.
func backoff(attempt int) time.Duration {
	ceiling := min(time.Millisecond<<attempt, 100*time.Millisecond)
	return ceiling/4 + rand.N(ceiling*3/4)
}

// errRolledBack is the error of a commit that rolled back, because fn
// went on after a statement failed.
var errRolledBack = errors.New("postgres: the transaction was rolled back: a statement of it failed")

// writeOnce runs one attempt of a Write, alone or not. Its connection goes
// back to the pool only as it came, outside any transaction; otherwise (a
// panic of fn, a lost connection) it is closed, which ends the
// transaction. raced reports that an insert of a run found one that a
// concurrent transaction started.
func (s *Store) writeOnce(ctx context.Context, fn func(store.Tx) error, alone bool) (_ error, raced bool) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err, false
	}
	clean := false
	defer func() {
		if clean {
			c.Release()
			return
		}
		c.Hijack().Close(ctx)
	}()
	lock := stmt("WriteLockShared")
	if alone {
		lock = stmt("WriteLockAlone")
	}
	// BEGIN and LOCK go with the first statement of fn, in its round trip.
	t := &tx{q: c, write: true, wctx: ctx, pending: &pgx.Batch{}, schema: s.schema}
	t.pending.Queue(stmt("Begin"))
	t.pending.Queue(lock)
	limit := s.openLimit.Load()
	setting := limit > 0 && s.limitOf(c.Conn()) != limit
	if setting {
		// The quota lasts as long as the connection, once the
		// transaction commits (see limitSet).
		t.pending.Queue(stmt("SetOpenLimit"), strconv.FormatInt(limit, 10))
	}
	result := fn(t)
	if t.failed != nil {
		// The transaction is aborted; if it was for a reason that another
		// attempt can cure, that decides, whatever fn made of it.
		result = t.failed
	}
	if result == nil {
		if c.Conn().PgConn().TxStatus() == 'E' {
			// A statement failed, which fn swallowed: the pending
			// statements would not run, and COMMIT rolls back.
			t.pending = &pgx.Batch{}
		}
		// The statements fn left pending go with the COMMIT, in one
		// round trip; the first that fails decides (the statements after
		// it, the COMMIT included, do not run).
		result = t.commit()
		if result == nil && setting {
			s.limitSet.Store(c.Conn(), limit)
		}
	}
	if c.Conn().PgConn().TxStatus() != 'I' {
		// fn failed, or a pending statement did. (When nothing was sent,
		// not even BEGIN, there is nothing to roll back.)
		if _, err := c.Exec(ctx, "ROLLBACK"); err != nil {
			return result, t.raced
		}
	}
	clean = c.Conn().PgConn().TxStatus() == 'I'
	return result, t.raced
}

// commit sends the pending statements of a write transaction and COMMIT,
// in one round trip, and returns the first error.
func (t *tx) commit() error {
	br, err := t.send("COMMIT", nil)
	if err == nil {
		var tag pgconn.CommandTag
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err == nil && tag.String() == "ROLLBACK" {
			err = errRolledBack
			if t.err != nil {
				err = fmt.Errorf("%w: %w", errRolledBack, t.err)
			}
		}
	}
	// A commit that fails (the open-run quota found full at commit) ends
	// the transaction.
	t.note(err)
	if t.failed != nil {
		return t.failed
	}
	return err
}

// Read runs fn on a REPEATABLE READ, READ ONLY snapshot. Its statements
// stop when ctx ends. The BEGIN goes with the first statement, in its round
// trip; the snapshot ends with a ROLLBACK. A connection that a canceled
// statement left in doubt is closed rather than pooled.
func (s *Store) Read(ctx context.Context, fn func(store.Tx) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return outage(err)
	}
	t := &tx{q: c, wctx: ctx, pending: &pgx.Batch{}, schema: s.schema}
	t.pending.Queue(stmt("BeginRead"))
	result := outage(fn(t))
	pc := c.Conn().PgConn()
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	if pc.IsClosed() || pc.TxStatus() != 'I' {
		c.Hijack().Close(context.WithoutCancel(ctx))
		return result
	}
	c.Release()
	return result
}

// Retries is how many transactions Write has run again since the store
// opened (see Write): a measure of contention between the servers sharing
// the database.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Writes is how many Writes the store has been asked for since it opened,
// against which Retries is measured.
func (s *Store) Writes() int64 { return s.writes.Load() }

// AloneRuns is how many of those attempts ran alone, holding back every
// other write to the schema: when it grows, contention costs throughput.
func (s *Store) AloneRuns() int64 { return s.alone.Load() }

// SQLSTATEs that another attempt of the transaction can cure.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
	// codeOpenLimit is raised at commit by the trigger that keeps the
	// domains' open-run counts (migration 0002).
	codeOpenLimit = "OS001"
)

// sqlState is the SQLSTATE of a PostgreSQL error, "" for other errors.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// retryable reports whether err means that PostgreSQL rolled the
// transaction back for a reason that running it again may cure.
func retryable(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected, codeUniqueViolation, codeOpenLimit:
		return true
	}
	return false
}

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
	b := t.pending
	t.pending = &pgx.Batch{}
	n := b.Len()
	b.Queue(sql, args...)
	br := t.q.SendBatch(t.wctx, b)
	for range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, t.note(err)
		}
	}
	return br, nil
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

func scanDomain(r pgx.Row) (*store.Domain, error) {
	var d store.Domain
	if err := r.Scan(&d.ID, &d.Name, &d.Status, &d.Description, &d.Retention, &d.CreatedAt, &d.DeprecatedAt); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.DeprecatedAt = utc(d.DeprecatedAt)
	return &d, nil
}

func (t *tx) DomainInsert(ctx context.Context, d *store.Domain) (int64, error) {
	var id int64
	err := t.queryRow(ctx, stmt("DomainInsert"),
		[]any{d.Name, d.Status, d.Description, d.Retention, ms(d.CreatedAt), msPtr(d.DeprecatedAt)}, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, store.ErrExists
	}
	return id, err
}

// domainGet returns the one domain a query finds, or ErrNotFound. In a
// write the domain's row is locked FOR SHARE, so that it is not deprecated
// while the write registers a type in it (the engine caches domains, so
// that busy writes seldom read them).
func (t *tx) domainGet(ctx context.Context, query string, arg any) (*store.Domain, error) {
	q := stmt(query)
	if t.write {
		q += " FOR SHARE"
	}
	d, err := scanDomain(t.row(ctx, q, arg))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return d, nil
}

func scanDomainRow(r pgx.CollectableRow) (*store.Domain, error) { return scanDomain(r) }

func (t *tx) DomainGetByName(ctx context.Context, name string) (*store.Domain, error) {
	return t.domainGet(ctx, "DomainGetByName", name)
}

func (t *tx) DomainGetByID(ctx context.Context, id int64) (*store.Domain, error) {
	return t.domainGet(ctx, "DomainGetByID", id)
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
	if !t.write {
		return
	}
	q := stmt("AdvisoryLock")
	if shared {
		q = stmt("AdvisoryLockShared")
	}
	t.later(ctx, q, t.advisoryKey(what, id, kind))
}

// DomainCount counts the domains; in a write, under a lock that the
// writes that count them share with no other.
func (t *tx) DomainCount(ctx context.Context) (int, error) {
	t.lock(ctx, false, lockDomains, 0, "")
	var n int
	err := t.queryRow(ctx, stmt("DomainCount"), nil, &n)
	return n, err
}

func (t *tx) DomainList(ctx context.Context, p store.DomainListParams) ([]*store.Domain, error) {
	dir, cmp := "ASC", ">"
	if p.Reverse {
		dir, cmp = "DESC", "<"
	}
	q := stmt("DomainList")
	args := []any{p.Status, limit(p.Limit)}
	if p.After != nil {
		q += " AND name " + cmp + " $3"
		args = append(args, *p.After)
	}
	q += " ORDER BY name " + dir + " LIMIT $2"
	return queryAll(ctx, t, q, args, scanDomainRow)
}

func (t *tx) DomainSetStatus(ctx context.Context, id int64, c store.StatusChange) error {
	return t.later(ctx, stmt("DomainSetStatus"), id, c.Status, msPtr(c.DeprecatedAt))
}

// DomainTagList returns a domain's tags. In a write it takes the domain's
// tag lock shared, and DomainTagPut takes it exclusive: a write that reads
// the tags, checks their number and adds some cannot go past the limit
// alongside another (one of two such writes fails as a deadlock and runs
// again).
func (t *tx) DomainTagList(ctx context.Context, domainID int64) ([]store.Tag, error) {
	t.lock(ctx, true, lockTags, domainID, "")
	return queryAll(ctx, t, stmt("DomainTagList"), []any{domainID},
		func(r pgx.CollectableRow) (store.Tag, error) {
			var tag store.Tag
			err := r.Scan(&tag.Key, &tag.Value)
			return tag, err
		})
}

func (t *tx) DomainTagPut(ctx context.Context, domainID int64, tags []store.Tag) error {
	// One statement for all the tags; a key given twice keeps its last
	// value, as when they are put one by one (and one INSERT … ON CONFLICT
	// may not change a row twice).
	last := map[string]int{}
	for i, tag := range tags {
		last[tag.Key] = i
	}
	keys, values := make([]string, 0, len(last)), make([]string, 0, len(last))
	for i, tag := range tags {
		if last[tag.Key] == i {
			keys, values = append(keys, tag.Key), append(values, tag.Value)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	t.lock(ctx, false, lockTags, domainID, "")
	return t.later(ctx, stmt("DomainTagPut"), domainID, keys, values)
}

func (t *tx) DomainTagDelete(ctx context.Context, domainID int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return t.later(ctx, stmt("DomainTagDelete"), domainID, keys)
}

func scanType(r pgx.Row) (*store.Type, error) {
	var ty store.Type
	var kind string
	if err := r.Scan(&ty.DomainID, &kind, &ty.Name, &ty.Version, &ty.Status, &ty.Description, &ty.CreatedAt, &ty.DeprecatedAt, &ty.Config); err != nil {
		return nil, err
	}
	ty.Kind = store.TypeKind(kind)
	ty.CreatedAt = ty.CreatedAt.UTC()
	ty.DeprecatedAt = utc(ty.DeprecatedAt)
	if ty.Config == nil {
		ty.Config = []byte{}
	}
	return &ty, nil
}

func scanTypeRow(r pgx.CollectableRow) (*store.Type, error) { return scanType(r) }

func typeKeyArgs(k store.TypeKey) []any {
	return []any{k.DomainID, string(k.Kind), k.Name, k.Version}
}

func (t *tx) TypeInsert(ctx context.Context, ty *store.Type) error {
	tag, err := t.exec(ctx, stmt("TypeInsert"),
		ty.DomainID, string(ty.Kind), ty.Name, ty.Version, ty.Status, ty.Description, ms(ty.CreatedAt), msPtr(ty.DeprecatedAt), blob(ty.Config))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) TypeGet(ctx context.Context, k store.TypeKey) (*store.Type, error) {
	ty, err := scanType(t.row(ctx, stmt("TypeGet"), typeKeyArgs(k)...))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return ty, nil
}

// TypeCount counts a domain's types of one kind; in a write, under a lock
// of that count.
func (t *tx) TypeCount(ctx context.Context, domainID int64, kind store.TypeKind) (int, error) {
	t.lock(ctx, false, lockTypes, domainID, string(kind))
	var n int
	err := t.queryRow(ctx, stmt("TypeCount"), []any{domainID, string(kind)}, &n)
	return n, err
}

func (t *tx) TypeList(ctx context.Context, p store.TypeListParams) ([]*store.Type, error) {
	dir, cmp := "ASC", ">"
	if p.Reverse {
		dir, cmp = "DESC", "<"
	}
	q := stmt("TypeList")
	args := []any{p.DomainID, string(p.Kind), p.Status, limit(p.Limit)}
	if p.Name != nil {
		args = append(args, *p.Name)
		q += " AND name = $" + strconv.Itoa(len(args))
	}
	if p.AfterName != nil {
		args = append(args, *p.AfterName, p.AfterVersion)
		q += fmt.Sprintf(" AND (name, version) %s ($%d, $%d)", cmp, len(args)-1, len(args))
	}
	q += " ORDER BY name " + dir + ", version " + dir + " LIMIT $4"
	return queryAll(ctx, t, q, args, scanTypeRow)
}

func (t *tx) TypeSetStatus(ctx context.Context, k store.TypeKey, c store.StatusChange) error {
	return t.later(ctx, stmt("TypeSetStatus"),
		append(typeKeyArgs(k), c.Status, msPtr(c.DeprecatedAt))...)
}

func (t *tx) TypeDeprecateAll(ctx context.Context, domainID int64, at time.Time) error {
	return t.later(ctx, stmt("TypeDeprecateAll"),
		domainID, store.StatusDeprecated, ms(at), store.StatusRegistered)
}

func (t *tx) TypeDelete(ctx context.Context, k store.TypeKey) error {
	tag, err := t.exec(ctx, stmt("TypeDelete"), typeKeyArgs(k)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) MetaGet(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := t.queryRow(ctx, stmt("MetaGet"), []any{key}, &v)
	if err != nil {
		return nil, notFound(err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func (t *tx) MetaPut(ctx context.Context, key string, value []byte) error {
	_, err := t.exec(ctx, stmt("MetaPut"), key, blob(value))
	return err
}

func (t *tx) MetaPutIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := t.exec(ctx, stmt("MetaPutIfAbsent"), key, blob(value)); err != nil {
		return nil, err
	}
	return t.MetaGet(ctx, key)
}

// DropSchema removes a schema and every table in it, for good: what tests
// that each opened a store on a schema of their own leave behind, or an
// installation being taken down.
func DropSchema(ctx context.Context, url, schema string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("postgres: drop schema %s: %w", schema, err)
	}
	return nil
}

// tables are the tables DeleteAll empties, each before those it refers to.
var tables = []string{"timers", "tasks", "activities", "events", "execution_tags", "executions", "domain_open_runs", "types", "domain_tags", "domains"}

// DeleteAll empties every table but meta (and write_lock, which holds
// nothing).
func (t *tx) DeleteAll(ctx context.Context) error {
	for _, table := range tables {
		if _, err := t.exec(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("empty %s: %w", table, err)
		}
	}
	return nil
}
