package postgres

import (
	"context"

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
	return queryAll(ctx, t, q, []any{p.ExecutionID, after, upto, limit(p.Limit)}, func(r pgx.CollectableRow) (store.Event, error) {
		var e store.Event
		err := r.Scan(&e.ID, &e.Data)
		if e.Data == nil {
			e.Data = []byte{}
		}
		return e, err
	})
}
