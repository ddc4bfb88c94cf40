package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// This file implements the runs (executions) of store.Tx, visibility
// queries included.

const executionColumns = `id, domain_id, workflow_id, run_id, type_name, type_version, open, close_status, start_time,
    close_time, parent_workflow_id, parent_run_id, cancel_requested, tags, state`

// executionColumnsOf is executionColumns qualified by a table alias.
func executionColumnsOf(alias string) string {
	cols := strings.Split(executionColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func scanExecution(r pgx.Row) (*store.Execution, error) {
	var e store.Execution
	if err := r.Scan(&e.ID, &e.DomainID, &e.WorkflowID, &e.RunID, &e.TypeName, &e.TypeVersion, &e.Open, &e.CloseStatus,
		&e.StartedAt, &e.ClosedAt, &e.ParentWorkflowID, &e.ParentRunID, &e.CancelRequested, &e.Tags, &e.State); err != nil {
		return nil, err
	}
	e.StartedAt = e.StartedAt.UTC()
	e.ClosedAt = utc(e.ClosedAt)
	if e.Tags == nil {
		e.Tags = []string{}
	}
	if e.State == nil {
		e.State = []byte{}
	}
	return &e, nil
}

func scanExecutionRow(r pgx.CollectableRow) (*store.Execution, error) { return scanExecution(r) }

// nullExecution is a run's columns read from the nullable side of a join:
// all NULL when there is no run.
type nullExecution struct {
	ID, DomainID                               *int64
	WorkflowID, RunID, TypeName, TypeVersion   *string
	Open, CancelRequested                      *bool
	CloseStatus, ParentWorkflowID, ParentRunID *string
	StartedAt, ClosedAt                        *time.Time
	Tags                                       []string
	State                                      []byte
}

// execution is the run, as scanExecution returns it; nil if there is none.
func (n *nullExecution) execution() *store.Execution {
	if n.ID == nil {
		return nil
	}
	e := &store.Execution{ID: *n.ID, DomainID: *n.DomainID, WorkflowID: *n.WorkflowID, RunID: *n.RunID,
		TypeName: *n.TypeName, TypeVersion: *n.TypeVersion, Open: *n.Open, CloseStatus: n.CloseStatus,
		StartedAt: n.StartedAt.UTC(), ClosedAt: utc(n.ClosedAt), ParentWorkflowID: n.ParentWorkflowID,
		ParentRunID: n.ParentRunID, CancelRequested: *n.CancelRequested, Tags: n.Tags, State: n.State}
	if e.Tags == nil {
		e.Tags = []string{}
	}
	if e.State == nil {
		e.State = []byte{}
	}
	return e
}

// executionGet returns the one run a query finds, or ErrNotFound. In a
// write the run's row is locked FOR UPDATE to the end of the transaction:
// what the write reads of the run (its state, history, activities) no
// other write changes meanwhile, and a write that locks it next reads what
// this one committed (READ COMMITTED reads the row's newest version once
// the lock is granted).
func (t *tx) executionGet(ctx context.Context, query string, args ...any) (*store.Execution, error) {
	q := stmt(query)
	if !t.write {
		e, err := scanExecution(t.row(ctx, q, args...))
		return e, notFound(t.note(err))
	}
	e, err := scanExecution(t.row(ctx, q+t.forUpdate(), args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, t.missing()
	}
	if err != nil {
		return nil, t.note(err)
	}
	t.hold(e)
	return e, nil
}

// executionGetWithActivities is ExecutionGet in a write: it reads the run,
// locked, and in the same round trip its activities, locked after it (as
// ActivityList in a write, which the engine calls next, locks them), which
// it keeps for that ActivityList.
func (t *tx) executionGetWithActivities(ctx context.Context, id int64) (*store.Execution, error) {
	acts := stmt("ActivityList") + " FOR UPDATE"
	if t.batch {
		acts = stmt("ActivityListIfHeld")
	}
	br, err := t.sendWith(func(b *pgx.Batch) {
		b.Queue(stmt("ExecutionGetByID")+t.forUpdate(), id)
		b.Queue(acts, id)
	})
	if err != nil {
		return nil, err
	}
	defer br.Close()
	runs, err := collect(br, scanExecutionRow)
	if err != nil {
		return nil, t.note(err)
	}
	found, err := collect(br, scanActivityRow)
	if err != nil {
		return nil, t.note(err)
	}
	if err := br.Close(); err != nil {
		return nil, t.note(err)
	}
	if len(runs) == 0 {
		return nil, t.missing()
	}
	t.hold(runs[0])
	t.keepActivities(id, found)
	return runs[0], nil
}

// openSlots is how many rows of a domain's open-run count the writes that
// close runs spread over (see migration 0003).
const openSlots = 16

// hold notes a run that the write holds locked, as it is (see openRuns).
func (t *tx) hold(e *store.Execution) {
	if t.runs == nil {
		t.runs = map[int64]runState{}
	}
	t.runs[e.ID] = runState{domainID: e.DomainID, open: e.Open}
}

// held is what the write knows of a run it changes: noted by hold, or read
// now, and locked, when the write has not read it (ok false: there is no
// such run).
func (t *tx) held(ctx context.Context, id int64) (_ runState, ok bool, _ error) {
	if r, ok := t.runs[id]; ok {
		return r, true, nil
	}
	var r runState
	q := stmt("ExecutionOpenOf") // FOR UPDATE
	if t.batch {
		q += " SKIP LOCKED"
	}
	err := t.queryRow(ctx, q, []any{id}, &r.domainID, &r.open)
	if errors.Is(err, pgx.ErrNoRows) {
		if t.batch {
			return r, false, t.missing()
		}
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if t.runs == nil {
		t.runs = map[int64]runState{}
	}
	t.runs[id] = r
	return r, true, nil
}

// countOpen adds n to the change the write makes to a domain's open-run
// count.
func (t *tx) countOpen(domainID, n int64) {
	if t.opened == nil {
		t.opened = map[int64]int64{}
	}
	t.opened[domainID] += n
}

// openRuns queues, before the COMMIT of a write, the statement that applies
// the change the write made to the domains' open-run counts, and that
// fails (codeOpenLimit) if a count it raised would go over the quota. It
// locks a row of each domain changed, in the order of their ids, from there
// to the end of the commit: the domain's slot 0 if the write raised its
// count (writes that start runs in one domain wait for each other only for
// the length of a commit), one of its slots 1 to openSlots, at random,
// otherwise (closes wait for neither). A write that changes no count sends
// nothing.
//
// Nearly every such write changes one domain's count (a start, a close):
// it sends a statement of one row, whose generic plan PostgreSQL keeps.
// The statement of several domains, with arrays, it plans again at every
// call (its custom plans always look cheaper), which cost a start and a
// close a quarter of a millisecond each.
func (t *tx) openRuns() {
	var domains, changes []int64
	for d, n := range t.opened {
		if n != 0 {
			domains = append(domains, d)
		}
	}
	if len(domains) == 0 {
		return
	}
	if len(domains) == 1 {
		d := domains[0]
		if n := t.opened[d]; n > 0 {
			t.pending.Queue(stmt("OpenRunsRise"), d, n, t.openLimit)
		} else {
			t.pending.Queue(stmt("OpenRunsFall"), d, 1+rand.N(openSlots), n)
		}
		t.opened = nil
		return
	}
	slices.Sort(domains)
	for _, d := range domains {
		changes = append(changes, t.opened[d])
	}
	t.pending.Queue(stmt("OpenRunsAdd"), domains, changes, t.openLimit, 1+rand.N(openSlots))
	t.opened = nil
}

// executionFindOpen returns a domain's open run of a workflowId, locked,
// or ErrNotFound. The lookup is made twice, in one round trip: when the
// open run it finds is closed by a transaction it waits for, the first
// statement finds none, though that transaction may have started the run
// that continues it, which only the second statement, on a snapshot taken
// after that commit, sees.
func (t *tx) executionFindOpen(ctx context.Context, domainID int64, workflowID string) (*store.Execution, error) {
	q := stmt("ExecutionFindOpen")
	if !t.write {
		e, err := scanExecution(t.row(ctx, q, domainID, workflowID))
		return e, notFound(t.note(err))
	}
	plain := q
	q += t.forUpdate()
	looks := 2
	br, err := t.sendWith(func(b *pgx.Batch) {
		b.Queue(q, domainID, workflowID)
		b.Queue(q, domainID, workflowID)
		if t.batch {
			// A run that another transaction holds is skipped: read
			// without a lock, it tells a busy run from none.
			b.Queue(plain, domainID, workflowID)
			looks = 3
		}
	})
	if err != nil {
		return nil, err
	}
	defer br.Close()
	var found *store.Execution
	busy := false
	for i := range looks {
		rows, err := br.Query()
		if err != nil {
			return nil, t.note(err)
		}
		e, err := pgx.CollectRows(rows, scanExecutionRow)
		if err != nil {
			return nil, t.note(err)
		}
		switch {
		case i == 2:
			busy = found == nil && len(e) > 0
		case found == nil && len(e) > 0:
			found = e[0]
		}
	}
	if err := br.Close(); err != nil {
		return nil, t.note(err)
	}
	if busy {
		return nil, t.missing()
	}
	if found == nil {
		return nil, store.ErrNotFound
	}
	t.hold(found)
	return found, nil
}

func (t *tx) ExecutionInsert(ctx context.Context, e *store.Execution) (int64, error) {
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	start := ms(e.StartedAt)
	args := []any{e.DomainID, e.WorkflowID, e.RunID, e.TypeName, e.TypeVersion, e.Open, e.CloseStatus,
		start, msPtr(e.ClosedAt), e.ParentWorkflowID, e.ParentRunID, e.CancelRequested, tags, blob(e.State)}
	var id int64
	if r := t.reserved; t.write && r.id != 0 && r.domainID == e.DomainID && r.workflowID == e.WorkflowID {
		// A start whose StartLookup found no open run of the workflowId
		// (it holds the domain's and that lookup's locks) inserts with the
		// id the lookup drew, without waiting: its statement goes with the
		// next. A run of the workflowId that a concurrent start opened
		// meanwhile fails it with a unique violation, and Write runs the
		// start again, whose lookup then finds that run.
		id, t.reserved = r.id, reservation{}
		if err := t.later(ctx, stmt("ExecutionInsertReserved"), append([]any{id}, args...)...); err != nil {
			return 0, err
		}
	} else {
		// ON CONFLICT DO NOTHING, rather than a unique violation, so that
		// the transaction goes on after ErrExists, as on SQLite. When the
		// run it conflicts with was started by a concurrent transaction
		// (READ COMMITTED waits for it, then sees it), Write tries again
		// if fn fails with it (see Write).
		err := t.queryRow(ctx, stmt("ExecutionInsert"), args, &id)
		t.written = t.written || (t.batch && !errors.Is(err, errBusy))
		if errors.Is(err, pgx.ErrNoRows) {
			t.raced = t.write
			return 0, store.ErrExists
		}
		if err != nil {
			return 0, err
		}
	}
	if t.write {
		t.hold(&store.Execution{ID: id, DomainID: e.DomainID, Open: e.Open})
		if e.Open {
			t.countOpen(e.DomainID, 1)
		}
	}
	if len(tags) > 0 {
		if err := t.later(ctx, stmt("ExecutionTagsInsert"),
			id, e.DomainID, start, tags); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// ExecutionGet returns a run by id. In a write, a run that TaskTake read,
// locked, with the task that named it is there already; any other is read
// locked, with its activities (executionGetWithActivities).
func (t *tx) ExecutionGet(ctx context.Context, id int64) (*store.Execution, error) {
	if e, ok := t.taken[id]; ok {
		delete(t.taken, id)
		return e, nil
	}
	if t.write {
		return t.executionGetWithActivities(ctx, id)
	}
	return t.executionGet(ctx, "ExecutionGetByID", id)
}

func (t *tx) ExecutionFind(ctx context.Context, domainID int64, workflowID, runID string) (*store.Execution, error) {
	if runID == "" {
		return t.executionFindOpen(ctx, domainID, workflowID)
	}
	return t.executionGet(ctx, "ExecutionGetByRunID", domainID, workflowID, runID)
}

// ExecutionUpdate rewrites a run; a write notes what opening or closing it
// changes of its domain's open-run count (see openRuns).
func (t *tx) ExecutionUpdate(ctx context.Context, e *store.Execution) error {
	delete(t.taken, e.ID)
	if t.write {
		r, ok, err := t.held(ctx, e.ID)
		if err != nil {
			return err
		}
		if ok && r.open != e.Open {
			change := int64(-1)
			if e.Open {
				change = 1
			}
			t.countOpen(r.domainID, change)
			t.runs[e.ID] = runState{domainID: r.domainID, open: e.Open}
		}
	}
	return t.later(ctx, stmt("ExecutionUpdate"), e.ID, e.Open, e.CloseStatus, msPtr(e.ClosedAt), e.CancelRequested, blob(e.State))
}

// ExecutionDelete deletes a run and all it holds; a write notes what that
// changes of its domain's open-run count (see openRuns).
func (t *tx) ExecutionDelete(ctx context.Context, id int64) error {
	delete(t.taken, id)
	delete(t.acts, id)
	if t.write {
		r, ok, err := t.held(ctx, id)
		if err != nil {
			return err
		}
		if ok && r.open {
			t.countOpen(r.domainID, -1)
		}
		delete(t.runs, id)
	}
	for _, q := range []string{
		"ExecutionDeleteEvents",
		"ExecutionDeleteTags",
		"ExecutionDeleteActivities",
		"ExecutionDeleteTasks",
		"ExecutionDeleteTimers",
		"ExecutionDelete",
	} {
		if err := t.later(ctx, stmt(q), id); err != nil {
			return err
		}
	}
	return nil
}

// ExecutionCountOpen counts a domain's open runs: those committed, and
// those the transaction opened or closed itself (which its commit applies;
// see openRuns).
func (t *tx) ExecutionCountOpen(ctx context.Context, domainID int64) (int, error) {
	var n int64
	if err := t.queryRow(ctx, stmt("ExecutionCountOpen"), []any{domainID}, &n); err != nil {
		return 0, err
	}
	return int(n + t.opened[domainID]), nil
}

// executionQuery is the FROM and WHERE clauses of a visibility query, and
// their arguments. The runs are executions e. Whether they are open is
// written out, not a parameter, so that the planner can use the partial
// indexes of open and closed runs in every plan, generic ones included.
//
// A tag filter is a semi-join on execution_tags, whose side the planner
// chooses, except in listings of closed runs by start time (byTag): those
// walk the tag's index in start order and look each run up, which stops
// after a page however rare or common the tag (open runs, few, are best
// found the other way round).
//
// A workflowId filter is always the most selective: the runs of one
// workflowId are read first, in a subquery the planner cannot merge into
// the rest (OFFSET 0), and only they are filtered and sorted. Merged, the
// planner may walk the index of start times for the listing's order and
// read every closed run of the domain to find that workflowId's: it did,
// without statistics, even in plans made for the arguments
// (testListingByWorkflowIDReadsItsRuns). SQLite is told the index to use.
func executionQuery(f store.ExecutionFilter, byTag bool) (from, where string, args []any) {
	runs := "executions e"
	if f.WorkflowID != nil {
		runs = "(SELECT * FROM executions WHERE domain_id = $1 AND workflow_id = $2 OFFSET 0) e"
	}
	from = runs
	conds := []string{"e.domain_id = $1"}
	if f.Open {
		conds = append(conds, "e.open")
	} else {
		conds = append(conds, "NOT e.open")
	}
	args = []any{f.DomainID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.WorkflowID != nil {
		add("e.workflow_id = $?", *f.WorkflowID) // $2, as runs says
	}
	if f.Tag != nil {
		if byTag {
			from = "execution_tags t JOIN " + runs + " ON e.id = t.execution_id"
			add("t.domain_id = $1 AND t.tag = $?", *f.Tag)
		} else {
			add("e.id IN (SELECT execution_id FROM execution_tags WHERE domain_id = $1 AND tag = $?)", *f.Tag)
		}
	}
	if f.StartedFrom != nil {
		if byTag {
			add("t.start_time >= $? AND e.start_time >= $?", ms(*f.StartedFrom))
		} else {
			add("e.start_time >= $?", ms(*f.StartedFrom))
		}
	}
	if f.StartedTo != nil {
		if byTag {
			add("t.start_time <= $? AND e.start_time <= $?", ms(*f.StartedTo))
		} else {
			add("e.start_time <= $?", ms(*f.StartedTo))
		}
	}
	if f.ClosedFrom != nil {
		add("e.close_time >= $?", ms(*f.ClosedFrom))
	}
	if f.ClosedTo != nil {
		add("e.close_time <= $?", ms(*f.ClosedTo))
	}
	if f.TypeName != nil {
		add("e.type_name = $?", *f.TypeName)
	}
	if f.TypeVersion != nil {
		add("e.type_version = $?", *f.TypeVersion)
	}
	if f.CloseStatus != nil {
		add("e.close_status = $?", *f.CloseStatus)
	}
	return from, strings.Join(conds, " AND "), args
}

func (t *tx) ExecutionList(ctx context.Context, p store.ExecutionListParams) ([]*store.Execution, error) {
	q, args := executionListQuery(p)
	t.planForArguments()
	rows, err := queryAll(ctx, t, q, args, scanExecutionRow)
	t.planOnceAgain()
	return rows, err
}

// planForArguments makes the transaction's next statements, visibility
// queries, planned for their arguments and the tables as they are at each
// run (custom plans), not once for all (generic plans, which PostgreSQL
// picks after five runs when they look no costlier, and keeps for the
// connection's life or until the table is analyzed: a plan made while a
// domain had a handful of runs would walk an index of start times through
// thousands). Statements of the write path keep their generic plans: their
// filters are equalities on keys, planned alike at any size. The setting
// goes with the query, in its round trip, and ends with the transaction; a
// ReadOne, outside any transaction, cannot take it.
func (t *tx) planForArguments() {
	if !t.one {
		t.pending.Queue("SET LOCAL plan_cache_mode = force_custom_plan")
	}
}

// planOnceAgain ends planForArguments for the rest of a write.
func (t *tx) planOnceAgain() {
	if t.write {
		t.pending.Queue("SET LOCAL plan_cache_mode TO DEFAULT")
	}
}

// executionListQuery is the statement of ExecutionList, and its arguments.
func executionListQuery(p store.ExecutionListParams) (string, []any) {
	byTag := p.Tag != nil && !p.Open && !p.ByCloseTime
	from, where, args := executionQuery(p.ExecutionFilter, byTag)
	// The listing's order, and position in it: (time, id).
	col, id := "e.start_time", "e.id"
	switch {
	case p.ByCloseTime:
		col = "e.close_time"
	case byTag:
		col, id = "t.start_time", "t.execution_id"
	}
	dir, cmp := "DESC", "<"
	if p.Reverse {
		dir, cmp = "ASC", ">"
	}
	if p.AfterTime != nil {
		args = append(args, ms(*p.AfterTime), p.AfterID)
		where += fmt.Sprintf(" AND (%s, %s) %s ($%d, $%d)", col, id, cmp, len(args)-1, len(args))
	}
	args = append(args, limit(p.Limit))
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s %s, %s %s LIMIT $%d",
		executionColumnsOf("e"), from, where, col, dir, id, dir, len(args))
	return q, args
}

func (t *tx) ExecutionCount(ctx context.Context, f store.ExecutionFilter) (int, error) {
	from, where, args := executionQuery(f, false)
	var n int
	t.planForArguments()
	err := t.queryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args, &n)
	t.planOnceAgain()
	return n, err
}
