package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

func (t *tx) EventInsert(ctx context.Context, executionID int64, events []store.Event) error {
	if len(events) == 0 {
		return nil
	}
	ids := make([]int64, len(events))
	data := make([][]byte, len(events))
	for i, e := range events {
		ids[i], data[i] = e.ID, blob(e.Data)
	}
	return t.later(ctx, stmt("EventInsert"), executionID, ids, data)
}

func (t *tx) EventList(ctx context.Context, p store.EventListParams) ([]store.Event, error) {
	q, args := eventListQuery(p)
	return queryAll(ctx, t, q, args, scanEventRow)
}

// eventListQuery is the statement of EventList, and its arguments.
func eventListQuery(p store.EventListParams) (string, []any) {
	upto := p.Upto
	if upto == 0 {
		upto = 1 << 62
	}
	q := stmt("EventListAsc")
	after := p.After
	if p.Reverse {
		q = stmt("EventListDesc")
		if after == 0 {
			after = 1 << 62
		}
	}
	return q, []any{p.ExecutionID, after, upto, limit(p.Limit)}
}

func scanEventRow(r pgx.CollectableRow) (store.Event, error) {
	var e store.Event
	err := r.Scan(&e.ID, &e.Data)
	if e.Data == nil {
		e.Data = []byte{}
	}
	return e, err
}

// EventListAtCommit, in a write, sends the read with the COMMIT, before
// it, in its round trip (see commit); in a read it reads at once.
func (t *tx) EventListAtCommit(ctx context.Context, p store.EventListParams) func() ([]store.Event, error) {
	if !t.write {
		events, err := t.EventList(ctx, p)
		return func() ([]store.Event, error) { return events, err }
	}
	q, args := eventListQuery(p)
	r := &commitRead{sql: q, args: args, err: errNotCommitted}
	t.atCommit = append(t.atCommit, r)
	return func() ([]store.Event, error) { return r.events, r.err }
}

// errNotCommitted is what an EventListAtCommit of a write that did not
// commit gives.
var errNotCommitted = errors.New("postgres: the page was not read: the write did not commit")

// commitRead is an EventListAtCommit of a write, read with its COMMIT.
type commitRead struct {
	sql    string
	args   []any
	events []store.Event
	err    error
}

// read reads the page, the next result of br.
func (r *commitRead) read(br pgx.BatchResults) error {
	rows, err := br.Query()
	if err == nil {
		r.events, err = pgx.CollectRows(rows, scanEventRow)
	}
	r.err = err
	return err
}
