package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openswf/openswf/internal/store"
)

// This file runs transactions: Write, with its retries and its locks, and
// Read.

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

// Write runs fn in a READ COMMITTED transaction, with the locks the
// package comment lists, and commits it when fn returns nil; any error
// rolls back everything fn did. The transaction is that of a batch of
// writes (batch.go) unless fn must run alone; what follows is how a write
// runs alone.
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
// each, and the later ones run alone, across every server: such an attempt
// begins by locking every table that writes change in EXCLUSIVE mode,
// which waits for the writes under way and holds back new ones, but not
// reads. The other attempts take no lock for it: a statement in every
// write to make room for the rare one that must run alone cost about a
// tenth of the writes' throughput (docs/BENCHMARKS.md). As on SQLite, fn
// must not call Write: it could wait for itself.
//
// A write takes few round trips: BEGIN (and the LOCK of an attempt alone)
// go with the first statement of fn, and the statements whose only outcome
// is an error (the inserts, updates and deletes of runs, events,
// activities, tasks and timers) wait for the next statement, or the
// COMMIT, and go with it, in one pipeline (see later). Reads go together
// where they can: a start's (StartLookup), a run's with its activities,
// types read ahead (TypeGetAhead), a page of history with the COMMIT
// (EventListAtCommit). RoundTrips counts them.
//
// Once started, a Write is not interrupted by ctx (as on SQLite: a caller
// that gives up never leaves an unknown outcome behind); ctx only stops
// further attempts.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writes.Add(1)
	if s.batches.off.Load() {
		return outage(s.write(ctx, fn))
	}
	return outage(s.writeGrouped(ctx, fn))
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
	done := false
	defer func() { s.endWrite(ctx, c, done) }()
	// BEGIN (and LOCK) go with the first statement of fn, in its round trip.
	t := &tx{q: c, write: true, wctx: ctx, pending: &pgx.Batch{}, schema: s.schema, openLimit: s.openLimit.Load(), roundTrips: &s.roundTrips}
	t.pending.Queue(stmt("Begin"))
	if alone {
		t.pending.Queue(stmt("WriteLockAlone"))
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
			t.atCommit = nil
		}
		// The statements fn left pending go with the COMMIT, in one
		// round trip; the first that fails decides (the statements after
		// it, the COMMIT included, do not run).
		result = t.commit()
	}
	// fn failed, or a pending statement did, when a transaction is still
	// open: endWrite rolls it back. (When nothing was sent, not even BEGIN,
	// there is nothing to roll back.)
	done = true
	return result, t.raced
}

// endWrite gives a write's connection back: after a ROLLBACK when a
// transaction is still open on it, to the pool if it is then outside any
// transaction, and closed otherwise, which ends the transaction (a lost
// connection; or a panic of fn: done is false, and nothing more is sent).
func (s *Store) endWrite(ctx context.Context, c *pgxpool.Conn, done bool) {
	pc := c.Conn().PgConn()
	if done && !pc.IsClosed() && pc.TxStatus() != 'I' {
		s.roundTrips.Add(1)
		c.Exec(ctx, "ROLLBACK")
	}
	if done && !pc.IsClosed() && pc.TxStatus() == 'I' {
		c.Release()
		return
	}
	c.Hijack().Close(ctx)
}

// commit sends the pending statements of a write transaction, the change
// of the open-run counts, the reads that go with the commit
// (EventListAtCommit), and COMMIT, in one round trip, and returns the
// first error.
func (t *tx) commit() error {
	t.openRuns()
	t.ahead = nil // nothing reads them now
	reads := t.atCommit
	t.atCommit = nil
	br, err := t.sendWith(func(b *pgx.Batch) {
		for _, r := range reads {
			b.Queue(r.sql, r.args...)
		}
		b.Queue("COMMIT")
	})
	if err == nil {
		// A read that fails fails the transaction (the COMMIT then rolls
		// back), or only its page (a scan): the COMMIT decides.
		for _, r := range reads {
			r.read(br)
		}
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
	return s.read(ctx, fn, false)
}

// ReadOne runs fn, which makes one statement at most, a SELECT, on the
// statement's own snapshot (store.OneStatementReader): the statement goes
// alone, outside any transaction, in one round trip. A second statement
// fails, as does one that is not a SELECT (a statement outside a
// transaction commits what it does: a read must do nothing).
func (s *Store) ReadOne(ctx context.Context, fn func(store.Tx) error) error {
	return s.read(ctx, fn, true)
}

// read runs a Read, or a ReadOne.
func (s *Store) read(ctx context.Context, fn func(store.Tx) error, one bool) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return outage(err)
	}
	t := &tx{q: c, wctx: ctx, pending: &pgx.Batch{}, schema: s.schema, one: one, roundTrips: &s.roundTrips}
	if !one {
		t.pending.Queue(stmt("BeginRead"))
	}
	result := outage(fn(t))
	pc := c.Conn().PgConn()
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		s.roundTrips.Add(1)
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

// RoundTrips is how many round trips to PostgreSQL the store's Writes,
// Reads and heartbeats have made since it opened (each statement or
// pipeline of statements sent, and awaited, is one): on a busy server the
// system calls and wake-ups of each cost CPU on both sides, and tests hold
// the calls of a workflow to their number. The NOTIFYs of Announce and the
// connection's own traffic (connecting, LISTEN) are not counted.
func (s *Store) RoundTrips() int64 { return s.roundTrips.Load() }

// SQLSTATEs that another attempt of the transaction can cure.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
	// codeOpenLimit stands for the check violation (23514) of the quota
	// on a domain's open-run count, at commit (migration 0003); the
	// migration before raised it from a trigger as this SQLSTATE.
	codeOpenLimit = "OS001"
	// openLimitCheck is the name of that check.
	openLimitCheck     = "domain_open_runs_quota"
	codeCheckViolation = "23514"
)

// sqlState is the SQLSTATE of a PostgreSQL error, "" for other errors;
// codeOpenLimit for a write refused by the open-run quota.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code == codeCheckViolation && pgErr.ConstraintName == openLimitCheck {
			return codeOpenLimit
		}
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
