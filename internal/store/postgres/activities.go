package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// ActivityList returns a run's open activities. In a write they are locked
// FOR UPDATE: a write that reads an activity and puts it back (with the
// heartbeat it read) is not overtaken by a heartbeat, which waits for it,
// then applies to what it committed. A write that read the run with
// ExecutionGet or TaskTake has them already, locked, unless it has changed
// them since.
func (t *tx) ActivityList(ctx context.Context, executionID int64) ([]*store.Activity, error) {
	if acts, ok := t.acts[executionID]; ok {
		delete(t.acts, executionID)
		return acts, nil
	}
	q := stmt("ActivityList")
	if t.write {
		if _, held := t.runs[executionID]; !held {
			// In a batch, the activities of a run that another
			// transaction may hold are not waited for.
			if err := t.alone(); err != nil {
				return nil, err
			}
		}
		q += " FOR UPDATE"
	}
	return queryAll(ctx, t, q, []any{executionID}, scanActivityRow)
}

func scanActivityRow(r pgx.CollectableRow) (*store.Activity, error) {
	var a store.Activity
	if err := r.Scan(&a.ExecutionID, &a.ScheduledEventID, &a.ActivityID, &a.StartedEventID, &a.CancelRequested,
		&a.HeartbeatDetails, &a.LastHeartbeat, &a.Data); err != nil {
		return nil, err
	}
	a.LastHeartbeat = utc(a.LastHeartbeat)
	if a.Data == nil {
		a.Data = []byte{}
	}
	return &a, nil
}

// keepActivities keeps a run's activities, read locked with the run, for
// the ActivityList that follows.
func (t *tx) keepActivities(executionID int64, acts []*store.Activity) {
	if t.acts == nil {
		t.acts = map[int64][]*store.Activity{}
	}
	if acts == nil {
		acts = []*store.Activity{}
	}
	t.acts[executionID] = acts
}

func (t *tx) ActivityCount(ctx context.Context, executionID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, stmt("ActivityCount"), []any{executionID}, &n)
	return n, err
}

func (t *tx) ActivityPut(ctx context.Context, a *store.Activity) error {
	delete(t.acts, a.ExecutionID)
	return t.later(ctx, stmt("ActivityPut"),
		a.ExecutionID, a.ScheduledEventID, a.ActivityID, a.StartedEventID, a.CancelRequested, a.HeartbeatDetails,
		msPtr(a.LastHeartbeat), blob(a.Data))
}

func (t *tx) ActivityDelete(ctx context.Context, executionID, scheduledEventID int64) error {
	delete(t.acts, executionID)
	return t.later(ctx, stmt("ActivityDelete"), executionID, scheduledEventID)
}

func (t *tx) ActivityDeleteAll(ctx context.Context, executionID int64) error {
	delete(t.acts, executionID)
	return t.later(ctx, stmt("ActivityDeleteAll"), executionID)
}

// heartbeatArgs are the arguments of the statement ActivityHeartbeat,
// which records a heartbeat and returns whether the activity's
// cancellation was requested. It takes no lock but the activity's row: a
// transition of the run that read the activity holds it (see
// ActivityList), and the heartbeat waits for it, then applies to what it
// committed (or finds the attempt over).
func heartbeatArgs(h store.Heartbeat) []any {
	return []any{h.ExecutionID, h.ScheduledEventID, h.StartedEventID, h.Details, ms(h.At)}
}

func (t *tx) ActivityHeartbeat(ctx context.Context, h store.Heartbeat) (bool, error) {
	if err := t.alone(); err != nil {
		return false, err
	}
	delete(t.acts, h.ExecutionID)
	var cancel bool
	if err := t.queryRow(ctx, stmt("ActivityHeartbeat"), heartbeatArgs(h), &cancel); err != nil {
		return false, notFound(err)
	}
	return cancel, nil
}
