package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

func scanTask(r pgx.Row) (*store.Task, error) {
	var task store.Task
	if err := r.Scan(&task.ID, &task.DomainID, &task.Kind, &task.TaskList, &task.Priority, &task.ExecutionID, &task.ScheduledEventID); err != nil {
		return nil, err
	}
	return &task, nil
}

func (t *tx) TaskInsert(ctx context.Context, task *store.Task) error {
	return t.later(ctx, stmt("TaskInsert"),
		task.DomainID, task.Kind, task.TaskList, task.Priority, task.ExecutionID, task.ScheduledEventID)
}

// TaskDelete takes a run's task off its list. A task that a poller is
// taking (its row locked) is left to it: the poller, which locks the run
// after the task, finds that the run no longer has it and drops it (had
// the run's writer waited for the task's row, each would wait for the
// other). If the poller's transaction rolls back, the task is back on the
// list, and the next poller drops it.
func (t *tx) TaskDelete(ctx context.Context, executionID int64, kind string, scheduledEventID int64) error {
	if !t.write {
		return t.later(ctx, stmt("TaskDelete"), executionID, kind, scheduledEventID)
	}
	return t.later(ctx, stmt("TaskDeleteSkipLocked"), executionID, kind, scheduledEventID)
}

// TaskDeleteAll takes a run's tasks off their lists, leaving those that
// pollers are taking to them (see TaskDelete).
func (t *tx) TaskDeleteAll(ctx context.Context, executionID int64) error {
	if !t.write {
		return t.later(ctx, stmt("TaskDeleteAll"), executionID)
	}
	return t.later(ctx, stmt("TaskDeleteAllSkipLocked"), executionID)
}

func (t *tx) TaskNext(ctx context.Context, k store.TaskListKey) (*store.Task, error) {
	task, err := scanTask(t.row(ctx, stmt("TaskNext"), k.DomainID, k.Kind, k.TaskList))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return task, nil
}

// TaskTake deletes the list's next task and returns it. The task is chosen
// FOR UPDATE SKIP LOCKED: a task that another transaction is taking (or
// deleting) is passed over for the next one, rather than waited for, so
// that pollers on every server take different tasks at once. Each task
// goes to one taker only: the row lock, held to the end of the taker's
// transaction, keeps the others off it, and once that commits the row is
// gone; if it rolls back, the task is there for the next taker.
//
// In a write, the same statement reads the task's run, locked FOR UPDATE
// (after the task, as a poller that read it next would), and keeps it for
// ExecutionGet, which the poller calls next: one round trip fewer.
func (t *tx) TaskTake(ctx context.Context, k store.TaskListKey) (*store.Task, error) {
	if !t.write {
		task, err := scanTask(t.row(ctx, stmt("TaskTake"), k.DomainID, k.Kind, k.TaskList))
		if err != nil {
			return nil, notFound(t.note(err))
		}
		return task, nil
	}
	var task store.Task
	var e nullExecution
	var a activityArrays
	q := stmt("TaskTakeWithRun")
	if t.batch {
		q = taskTakeSkipLocked()
	}
	err := t.row(ctx, q, k.DomainID, k.Kind, k.TaskList).Scan(
		&task.ID, &task.DomainID, &task.Kind, &task.TaskList, &task.Priority, &task.ExecutionID, &task.ScheduledEventID,
		&e.ID, &e.DomainID, &e.WorkflowID, &e.RunID, &e.TypeName, &e.TypeVersion, &e.Open, &e.CloseStatus, &e.StartedAt,
		&e.ClosedAt, &e.ParentWorkflowID, &e.ParentRunID, &e.CancelRequested, &e.Tags, &e.State,
		&a.scheduled, &a.activityID, &a.started, &a.cancel, &a.details, &a.heartbeat, &a.data)
	if errors.Is(err, pgx.ErrNoRows) && t.batch {
		return nil, t.noTask(ctx, k)
	}
	if err != nil {
		return nil, notFound(t.note(err))
	}
	t.written = t.batch // the task's row is deleted
	if run := e.execution(); run != nil {
		t.hold(run)
		if t.taken == nil {
			t.taken = map[int64]*store.Execution{}
		}
		t.taken[run.ID] = run
		t.keepActivities(run.ID, a.activities(run.ID))
	}
	return &task, nil
}

// activityArrays are a run's activities as TaskTakeWithRun reads them:
// each column an array, in the order of the scheduled event ids.
type activityArrays struct {
	scheduled, started []int64
	activityID         []string
	cancel             []bool
	details            []*string
	heartbeat          []*time.Time
	data               [][]byte
}

// activities are the activities, as ActivityList returns them.
func (a *activityArrays) activities(executionID int64) []*store.Activity {
	out := make([]*store.Activity, len(a.scheduled))
	for i := range a.scheduled {
		act := &store.Activity{ExecutionID: executionID, ScheduledEventID: a.scheduled[i], ActivityID: a.activityID[i],
			StartedEventID: a.started[i], CancelRequested: a.cancel[i], HeartbeatDetails: a.details[i],
			LastHeartbeat: utc(a.heartbeat[i]), Data: a.data[i]}
		if act.Data == nil {
			act.Data = []byte{}
		}
		out[i] = act
	}
	return out
}

func (t *tx) TaskCount(ctx context.Context, k store.TaskListKey) (int, error) {
	var n int
	err := t.queryRow(ctx, stmt("TaskCount"), []any{k.DomainID, k.Kind, k.TaskList}, &n)
	return n, err
}

func (t *tx) TaskListCounts(ctx context.Context, domainID int64, limit int) ([]store.TaskListCount, error) {
	rows, err := t.query(ctx, stmt("TaskListCounts"), []any{domainID, limit})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.TaskListCount
	for rows.Next() {
		var c store.TaskListCount
		if err := rows.Scan(&c.DomainID, &c.Kind, &c.TaskList, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// noTask is the error of a take in a batch that found no task it could
// take: ErrNotFound when the list has none that another transaction is not
// taking, as a take alone would find; errBusy when it has one whose run
// another transaction holds, which the write, alone, waits for. (The second
// statement goes only after a take that found nothing.)
func (t *tx) noTask(ctx context.Context, k store.TaskListKey) error {
	var one int
	err := t.queryRow(ctx, stmt("TaskAnyFree"), []any{k.DomainID, k.Kind, k.TaskList}, &one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case err != nil:
		return err
	}
	return t.missing()
}
