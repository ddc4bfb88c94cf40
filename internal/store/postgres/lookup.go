package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// StartLookup makes the reads of a start in one round trip in a write: the
// domain (FOR SHARE, as domainGet), the type, the open run of the
// workflowId (FOR UPDATE, looked up twice, as executionFindOpen says why)
// and the open-run count, in that order, each naming the domain by name
// (the statements after the first cannot wait for its id), after the
// pending statements of the write. Their locks are those the Tx methods
// take one after another, in the same order. In the same round trip it
// draws the id of the run the start will insert, so that ExecutionInsert
// need not wait for one (a start: two round trips, not three). In a read
// it makes them in turn.
func (t *tx) StartLookup(ctx context.Context, l store.StartLookup) (*store.StartFound, error) {
	if !t.write {
		return store.StartLookupInTurn(ctx, t, l)
	}
	plain := stmt("ExecutionFindOpenByDomainName")
	find := plain + " FOR UPDATE OF executions"
	if t.batch {
		find += " SKIP LOCKED"
	}
	br, err := t.sendWith(func(b *pgx.Batch) {
		b.Queue(stmt("DomainGetByName")+" FOR SHARE", l.Domain)
		b.Queue(stmt("TypeGetByDomainName"), l.Domain, string(l.Kind), l.Name, l.Version)
		b.Queue(find, l.Domain, l.WorkflowID)
		b.Queue(find, l.Domain, l.WorkflowID)
		if t.batch {
			// In a batch an open run that another transaction holds is
			// skipped: read without a lock, it tells a busy run from none.
			b.Queue(plain, l.Domain, l.WorkflowID)
		}
		b.Queue(stmt("ExecutionCountOpenByDomainName"), l.Domain)
		b.Queue(stmt("ExecutionReserveID"))
	})
	if err != nil {
		return nil, err
	}
	defer br.Close()
	var f store.StartFound
	domains, err := collect(br, scanDomainRow)
	if err != nil {
		return nil, t.note(err)
	}
	types, err := collect(br, scanTypeRow)
	if err != nil {
		return nil, t.note(err)
	}
	for range 2 {
		runs, err := collect(br, scanExecutionRow)
		if err != nil {
			return nil, t.note(err)
		}
		if f.Open == nil && len(runs) > 0 {
			f.Open = runs[0]
		}
	}
	busy := false
	if t.batch {
		runs, err := collect(br, scanExecutionRow)
		if err != nil {
			return nil, t.note(err)
		}
		busy = f.Open == nil && len(runs) > 0
	}
	var count, reserved int64
	if err := br.QueryRow().Scan(&count); err != nil {
		return nil, t.note(err)
	}
	if err := br.QueryRow().Scan(&reserved); err != nil {
		return nil, t.note(err)
	}
	if err := br.Close(); err != nil {
		return nil, t.note(err)
	}
	if busy {
		return nil, t.missing()
	}
	if len(domains) == 0 {
		return &store.StartFound{}, nil
	}
	t.reserved = reservation{reserved, domains[0].ID, l.WorkflowID}
	f.Domain = domains[0]
	if len(types) > 0 {
		f.Type = types[0]
	}
	if f.Open != nil {
		t.hold(f.Open)
	}
	f.OpenCount = int(count + t.opened[f.Domain.ID])
	return &f, nil
}

// collect reads the rows of the next statement of a batch.
func collect[T any](br pgx.BatchResults, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}
