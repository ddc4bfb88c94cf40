package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const executionColumns = `id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state`

func scanExecution(r scanner) (*store.Execution, error) {
	var e store.Execution
	var open, cancel int
	var closeStatus, parentWF, parentRun sql.NullString
	var start int64
	var closeTime sql.NullInt64
	var tags, state string
	if err := r.Scan(&e.ID, &e.DomainID, &e.WorkflowID, &e.RunID, &e.TypeName, &e.TypeVersion, &open, &closeStatus,
		&start, &closeTime, &parentWF, &parentRun, &cancel, &tags, &state); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.ErrNotFound
		}
		return nil, err
	}
	e.Open = open != 0
	e.CancelRequested = cancel != 0
	e.CloseStatus = fromNullString(closeStatus)
	e.StartedAt = fromMillis(start)
	e.ClosedAt = fromNullMillis(closeTime)
	e.ParentWorkflowID = fromNullString(parentWF)
	e.ParentRunID = fromNullString(parentRun)
	if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
		return nil, err
	}
	e.State = []byte(state)
	return &e, nil
}

func (t *tx) ExecutionInsert(ctx context.Context, e *store.Execution) (int64, error) {
	tags, err := json.Marshal(e.Tags)
	if err != nil {
		return 0, err
	}
	if e.Tags == nil {
		tags = []byte("[]")
	}
	res, err := t.exec(ctx, "ExecutionInsert",
		sql.Named("domain_id", e.DomainID), sql.Named("workflow_id", e.WorkflowID), sql.Named("run_id", e.RunID),
		sql.Named("type_name", e.TypeName), sql.Named("type_version", e.TypeVersion), sql.Named("open", boolInt(e.Open)),
		sql.Named("close_status", nullString(e.CloseStatus)), sql.Named("start_time", millis(e.StartedAt)),
		sql.Named("close_time", nullMillis(e.ClosedAt)), sql.Named("parent_workflow_id", nullString(e.ParentWorkflowID)),
		sql.Named("parent_run_id", nullString(e.ParentRunID)), sql.Named("cancel_requested", boolInt(e.CancelRequested)),
		sql.Named("tags", string(tags)), sql.Named("state", string(e.State)))
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, store.ErrExists
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, tag := range e.Tags {
		if _, err := t.exec(ctx, "ExecutionTagInsert", sql.Named("execution_id", id), sql.Named("tag", tag)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (t *tx) ExecutionGet(ctx context.Context, id int64) (*store.Execution, error) {
	return scanExecution(t.queryRow(ctx, "ExecutionGet", sql.Named("id", id)))
}

func (t *tx) ExecutionFind(ctx context.Context, domainID int64, workflowID, runID string) (*store.Execution, error) {
	if runID == "" {
		return scanExecution(t.queryRow(ctx, "ExecutionGetOpen", sql.Named("domain_id", domainID), sql.Named("workflow_id", workflowID)))
	}
	return scanExecution(t.queryRow(ctx, "ExecutionGetByRun", sql.Named("domain_id", domainID), sql.Named("workflow_id", workflowID), sql.Named("run_id", runID)))
}

func (t *tx) ExecutionUpdate(ctx context.Context, e *store.Execution) error {
	_, err := t.exec(ctx, "ExecutionUpdate", sql.Named("id", e.ID), sql.Named("open", boolInt(e.Open)),
		sql.Named("close_status", nullString(e.CloseStatus)), sql.Named("close_time", nullMillis(e.ClosedAt)),
		sql.Named("cancel_requested", boolInt(e.CancelRequested)), sql.Named("state", string(e.State)))
	return err
}

func (t *tx) ExecutionDelete(ctx context.Context, id int64) error {
	for _, name := range []string{"ExecutionDeleteEvents", "ExecutionDeleteTags", "ActivityDeleteAll", "TaskDeleteAll", "TimerDeleteAll", "ExecutionDelete"} {
		// The per-run deletes name the run :execution_id, the others :id.
		if _, err := t.exec(ctx, name, sql.Named("id", id), sql.Named("execution_id", id)); err != nil {
			return err
		}
	}
	return nil
}

// StartLookup makes its reads in turn: on SQLite they cost no round trip.
func (t *tx) StartLookup(ctx context.Context, l store.StartLookup) (*store.StartFound, error) {
	return store.StartLookupInTurn(ctx, t, l)
}

func (t *tx) ExecutionCountOpen(ctx context.Context, domainID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, "ExecutionCountOpen", sql.Named("domain_id", domainID)).Scan(&n)
	return n, err
}

// executionsFrom is the FROM clause of a visibility query. A workflowId
// filter is always the most selective, yet SQLite, preferring an index that
// gives the order, would scan every run of the time range for it: it is
// told which index to use.
func executionsFrom(f store.ExecutionFilter) string {
	if f.WorkflowID != nil {
		return " FROM executions INDEXED BY executions_by_run WHERE "
	}
	return " FROM executions WHERE "
}

// executionWhere builds the WHERE clause of a visibility query.
func executionWhere(f store.ExecutionFilter) (string, []any) {
	conds := []string{"domain_id = :domain_id", "open = :open"}
	args := []any{sql.Named("domain_id", f.DomainID), sql.Named("open", boolInt(f.Open))}
	add := func(cond, name string, v any) {
		conds = append(conds, cond)
		args = append(args, sql.Named(name, v))
	}
	if f.StartedFrom != nil {
		add("start_time >= :started_from", "started_from", millis(*f.StartedFrom))
	}
	if f.StartedTo != nil {
		add("start_time <= :started_to", "started_to", millis(*f.StartedTo))
	}
	if f.ClosedFrom != nil {
		add("close_time >= :closed_from", "closed_from", millis(*f.ClosedFrom))
	}
	if f.ClosedTo != nil {
		add("close_time <= :closed_to", "closed_to", millis(*f.ClosedTo))
	}
	if f.TypeName != nil {
		add("type_name = :type_name", "type_name", *f.TypeName)
	}
	if f.TypeVersion != nil {
		add("type_version = :type_version", "type_version", *f.TypeVersion)
	}
	if f.WorkflowID != nil {
		add("workflow_id = :workflow_id", "workflow_id", *f.WorkflowID)
	}
	if f.CloseStatus != nil {
		add("close_status = :close_status", "close_status", *f.CloseStatus)
	}
	if f.Tag != nil {
		add("id IN (SELECT execution_id FROM execution_tags WHERE tag = :tag)", "tag", *f.Tag)
	}
	return strings.Join(conds, " AND "), args
}

func (t *tx) ExecutionList(ctx context.Context, p store.ExecutionListParams) ([]*store.Execution, error) {
	where, args := executionWhere(p.ExecutionFilter)
	col := "start_time"
	if p.ByCloseTime {
		col = "close_time"
	}
	dir, cmp := "DESC", "<"
	if p.Reverse {
		dir, cmp = "ASC", ">"
	}
	if p.AfterTime != nil {
		where += " AND (" + col + " " + cmp + " :after_time OR (" + col + " = :after_time AND id " + cmp + " :after_id))"
		args = append(args, sql.Named("after_time", millis(*p.AfterTime)), sql.Named("after_id", p.AfterID))
	}
	query := "SELECT " + executionColumns + executionsFrom(p.ExecutionFilter) + where +
		" ORDER BY " + col + " " + dir + ", id " + dir + " LIMIT :limit"
	args = append(args, sql.Named("limit", p.Limit))
	rows, err := t.t.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *tx) ExecutionCount(ctx context.Context, f store.ExecutionFilter) (int, error) {
	where, args := executionWhere(f)
	var n int
	err := t.t.QueryRowContext(ctx, "SELECT count(*)"+executionsFrom(f)+where, args...).Scan(&n)
	return n, err
}

func (t *tx) EventInsert(ctx context.Context, executionID int64, events []store.Event) error {
	for len(events) > 0 {
		n := min(len(events), maxEventsPerInsert)
		if n == 1 {
			if _, err := t.exec(ctx, "EventInsert", sql.Named("execution_id", executionID), sql.Named("event_id", events[0].ID), sql.Named("data", string(events[0].Data))); err != nil {
				return err
			}
		} else {
			args := make([]any, 0, 1+2*n)
			args = append(args, sql.Named("execution_id", executionID))
			for i, e := range events[:n] {
				args = append(args, sql.Named("event_id"+strconv.Itoa(i), e.ID), sql.Named("data"+strconv.Itoa(i), string(e.Data)))
			}
			if _, err := t.exec(ctx, "EventInsert"+strconv.Itoa(n), args...); err != nil {
				return err
			}
		}
		events = events[n:]
	}
	return nil
}

// EventListAtCommit reads the page when asked, on a reader, once the
// transaction has committed: a read in the write would hold the writer,
// which every write of the store waits for.
func (t *tx) EventListAtCommit(ctx context.Context, p store.EventListParams) func() ([]store.Event, error) {
	return func() ([]store.Event, error) {
		var events []store.Event
		err := t.s.Read(ctx, func(tx store.Tx) error {
			var err error
			events, err = tx.EventList(ctx, p)
			return err
		})
		return events, err
	}
}

func (t *tx) EventList(ctx context.Context, p store.EventListParams) ([]store.Event, error) {
	upto := p.Upto
	if upto == 0 {
		upto = 1 << 62
	}
	var rows *sql.Rows
	var err error
	if p.Reverse {
		before := p.After
		if before == 0 {
			before = 1 << 62
		}
		rows, err = t.query(ctx, "EventListDesc", sql.Named("execution_id", p.ExecutionID), sql.Named("before", before), sql.Named("upto", upto), sql.Named("limit", p.Limit))
	} else {
		rows, err = t.query(ctx, "EventListAsc", sql.Named("execution_id", p.ExecutionID), sql.Named("after", p.After), sql.Named("upto", upto), sql.Named("limit", p.Limit))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var data string
		if err := rows.Scan(&e.ID, &data); err != nil {
			return nil, err
		}
		e.Data = []byte(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *tx) ActivityList(ctx context.Context, executionID int64) ([]*store.Activity, error) {
	rows, err := t.query(ctx, "ActivityList", sql.Named("execution_id", executionID))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Activity
	for rows.Next() {
		var a store.Activity
		var cancel int
		var details sql.NullString
		var last sql.NullInt64
		var data string
		if err := rows.Scan(&a.ExecutionID, &a.ScheduledEventID, &a.ActivityID, &a.StartedEventID, &cancel, &details, &last, &data); err != nil {
			return nil, err
		}
		a.CancelRequested = cancel != 0
		a.HeartbeatDetails = fromNullString(details)
		a.LastHeartbeat = fromNullMillis(last)
		a.Data = []byte(data)
		out = append(out, &a)
	}
	return out, rows.Err()
}

func (t *tx) ActivityCount(ctx context.Context, executionID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, "ActivityCount", sql.Named("execution_id", executionID)).Scan(&n)
	return n, err
}

func (t *tx) ActivityPut(ctx context.Context, a *store.Activity) error {
	_, err := t.exec(ctx, "ActivityPut",
		sql.Named("execution_id", a.ExecutionID), sql.Named("scheduled_event_id", a.ScheduledEventID),
		sql.Named("activity_id", a.ActivityID), sql.Named("started_event_id", a.StartedEventID),
		sql.Named("cancel_requested", boolInt(a.CancelRequested)), sql.Named("heartbeat_details", nullString(a.HeartbeatDetails)),
		sql.Named("last_heartbeat", nullMillis(a.LastHeartbeat)), sql.Named("data", string(a.Data)))
	return err
}

func (t *tx) ActivityDelete(ctx context.Context, executionID, scheduledEventID int64) error {
	_, err := t.exec(ctx, "ActivityDelete", sql.Named("execution_id", executionID), sql.Named("scheduled_event_id", scheduledEventID))
	return err
}

func (t *tx) ActivityDeleteAll(ctx context.Context, executionID int64) error {
	_, err := t.exec(ctx, "ActivityDeleteAll", sql.Named("execution_id", executionID))
	return err
}

func (t *tx) ActivityHeartbeat(ctx context.Context, h store.Heartbeat) (bool, error) {
	var cancel int
	err := t.queryRow(ctx, "ActivityHeartbeat",
		sql.Named("execution_id", h.ExecutionID), sql.Named("scheduled_event_id", h.ScheduledEventID),
		sql.Named("started_event_id", h.StartedEventID), sql.Named("details", nullString(h.Details)),
		sql.Named("at", millis(h.At))).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return false, store.ErrNotFound
	}
	return cancel != 0, err
}

func (t *tx) TaskInsert(ctx context.Context, task *store.Task) error {
	_, err := t.exec(ctx, "TaskInsert",
		sql.Named("domain_id", task.DomainID), sql.Named("kind", task.Kind), sql.Named("task_list", task.TaskList),
		sql.Named("priority", task.Priority), sql.Named("execution_id", task.ExecutionID), sql.Named("scheduled_event_id", task.ScheduledEventID))
	return err
}

func (t *tx) TaskDelete(ctx context.Context, executionID int64, kind string, scheduledEventID int64) error {
	_, err := t.exec(ctx, "TaskDelete", sql.Named("execution_id", executionID), sql.Named("kind", kind), sql.Named("scheduled_event_id", scheduledEventID))
	return err
}

func (t *tx) TaskDeleteAll(ctx context.Context, executionID int64) error {
	_, err := t.exec(ctx, "TaskDeleteAll", sql.Named("execution_id", executionID))
	return err
}

func (t *tx) TaskNext(ctx context.Context, k store.TaskListKey) (*store.Task, error) {
	var task store.Task
	err := t.queryRow(ctx, "TaskNext", sql.Named("domain_id", k.DomainID), sql.Named("kind", k.Kind), sql.Named("task_list", k.TaskList)).
		Scan(&task.ID, &task.DomainID, &task.Kind, &task.TaskList, &task.Priority, &task.ExecutionID, &task.ScheduledEventID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return &task, err
}

func (t *tx) TaskTake(ctx context.Context, k store.TaskListKey) (*store.Task, error) {
	var task store.Task
	err := t.queryRow(ctx, "TaskTake", sql.Named("domain_id", k.DomainID), sql.Named("kind", k.Kind), sql.Named("task_list", k.TaskList)).
		Scan(&task.ID, &task.DomainID, &task.Kind, &task.TaskList, &task.Priority, &task.ExecutionID, &task.ScheduledEventID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return &task, err
}

func (t *tx) TaskCount(ctx context.Context, k store.TaskListKey) (int, error) {
	var n int
	err := t.queryRow(ctx, "TaskCount", sql.Named("domain_id", k.DomainID), sql.Named("kind", k.Kind), sql.Named("task_list", k.TaskList)).Scan(&n)
	return n, err
}

func (t *tx) TaskListCounts(ctx context.Context, domainID int64, limit int) ([]store.TaskListCount, error) {
	rows, err := t.query(ctx, "TaskListCounts", sql.Named("domain_id", domainID), sql.Named("limit", limit))
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

func (t *tx) TimerPut(ctx context.Context, tm *store.Timer) error {
	_, err := t.exec(ctx, "TimerPut", sql.Named("due", millis(tm.Due)), sql.Named("execution_id", tm.ExecutionID), sql.Named("kind", tm.Kind), sql.Named("ref", tm.Ref))
	return err
}

func (t *tx) TimerDelete(ctx context.Context, executionID int64, kind string, ref int64) error {
	_, err := t.exec(ctx, "TimerDelete", sql.Named("execution_id", executionID), sql.Named("kind", kind), sql.Named("ref", ref))
	return err
}

func (t *tx) TimerDeleteAll(ctx context.Context, executionID int64) error {
	_, err := t.exec(ctx, "TimerDeleteAll", sql.Named("execution_id", executionID))
	return err
}

func scanTimer(r scanner) (*store.Timer, error) {
	var tm store.Timer
	var due int64
	if err := r.Scan(&tm.ID, &due, &tm.ExecutionID, &tm.Kind, &tm.Ref); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.ErrNotFound
		}
		return nil, err
	}
	tm.Due = fromMillis(due)
	return &tm, nil
}

func (t *tx) TimerNext(ctx context.Context) (*store.Timer, error) {
	return scanTimer(t.queryRow(ctx, "TimerNext"))
}

func (t *tx) TimerDue(ctx context.Context, now time.Time, limit int) ([]*store.Timer, error) {
	rows, err := t.query(ctx, "TimerDue", sql.Named("now", millis(now)), sql.Named("limit", limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Timer
	for rows.Next() {
		tm, err := scanTimer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tm)
	}
	return out, rows.Err()
}

func (t *tx) TimerDeleteByID(ctx context.Context, id int64) (bool, error) {
	res, err := t.exec(ctx, "TimerDeleteByID", sql.Named("id", id))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
