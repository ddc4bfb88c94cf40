package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

func (t *tx) TimerPut(ctx context.Context, tm *store.Timer) error {
	return t.later(ctx, stmt("TimerPut"), ms(tm.Due), tm.ExecutionID, tm.Kind, tm.Ref)
}

func (t *tx) TimerDelete(ctx context.Context, executionID int64, kind string, ref int64) error {
	return t.later(ctx, stmt("TimerDelete"), executionID, kind, ref)
}

func (t *tx) TimerDeleteAll(ctx context.Context, executionID int64) error {
	return t.later(ctx, stmt("TimerDeleteAll"), executionID)
}

func scanTimer(r pgx.Row) (*store.Timer, error) {
	var tm store.Timer
	if err := r.Scan(&tm.ID, &tm.Due, &tm.ExecutionID, &tm.Kind, &tm.Ref); err != nil {
		return nil, err
	}
	tm.Due = tm.Due.UTC()
	return &tm, nil
}

func (t *tx) TimerNext(ctx context.Context) (*store.Timer, error) {
	tm, err := scanTimer(t.row(ctx, stmt("TimerNext")))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return tm, nil
}

func (t *tx) TimerDue(ctx context.Context, now time.Time, n int) ([]*store.Timer, error) {
	return queryAll(ctx, t, stmt("TimerDue"),
		[]any{ms(now), limit(n)}, func(r pgx.CollectableRow) (*store.Timer, error) { return scanTimer(r) })
}

// TimerDeleteByID deletes a timer and reports whether it did. Of the
// transactions that delete one timer at once, on one server or several,
// one deletes it: the others wait for its row lock, then find it gone, and
// report false. A timer fires once.
func (t *tx) TimerDeleteByID(ctx context.Context, id int64) (bool, error) {
	tag, err := t.exec(ctx, stmt("TimerDeleteByID"), id)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}
