package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// This file checks the ExecutionTx and TaskTx parts of store.Tx: runs and
// their visibility listings, histories, open activities, task lists and
// timers.

func ptr[T any](v T) *T { return &v }

// ms is a time as the store keeps it: to the millisecond.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// newRun returns an open run of type wt/1 that started at start.
func newRun(domainID int64, workflowID, runID string, start time.Time) *store.Execution {
	return &store.Execution{
		DomainID: domainID, WorkflowID: workflowID, RunID: runID, TypeName: "wt", TypeVersion: "1",
		Open: true, StartedAt: start, State: []byte(`{}`),
	}
}

// closeRun marks e closed with status at the given time.
func closeRun(e *store.Execution, status string, at time.Time) *store.Execution {
	e.Open = false
	e.CloseStatus = &status
	e.ClosedAt = &at
	return e
}

// insertRun inserts e, sets its ID and returns it.
func insertRun(t *testing.T, s store.Store, e *store.Execution) int64 {
	t.Helper()
	write(t, s, func(tx store.Tx) error {
		id, err := tx.ExecutionInsert(context.Background(), e)
		if err != nil {
			return fmt.Errorf("insert run %s/%s: %w", e.WorkflowID, e.RunID, err)
		}
		if id == 0 {
			return fmt.Errorf("insert run %s/%s: id 0", e.WorkflowID, e.RunID)
		}
		e.ID = id
		return nil
	})
	return e.ID
}

func strPtrEqual(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func show[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// checkRun reports how got differs from want, times compared to the
// millisecond.
func checkRun(got, want *store.Execution) error {
	timeOK := func(a, b *time.Time) bool {
		return (a == nil) == (b == nil) && (a == nil || a.Equal(ms(*b)))
	}
	var diffs []string
	diff := func(ok bool, field string, g, w any) {
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", field, g, w))
		}
	}
	diff(got.ID == want.ID, "ID", got.ID, want.ID)
	diff(got.DomainID == want.DomainID, "DomainID", got.DomainID, want.DomainID)
	diff(got.WorkflowID == want.WorkflowID, "WorkflowID", got.WorkflowID, want.WorkflowID)
	diff(got.RunID == want.RunID, "RunID", got.RunID, want.RunID)
	diff(got.TypeName == want.TypeName, "TypeName", got.TypeName, want.TypeName)
	diff(got.TypeVersion == want.TypeVersion, "TypeVersion", got.TypeVersion, want.TypeVersion)
	diff(got.Open == want.Open, "Open", got.Open, want.Open)
	diff(strPtrEqual(got.CloseStatus, want.CloseStatus), "CloseStatus", show(got.CloseStatus), show(want.CloseStatus))
	diff(got.StartedAt.Equal(ms(want.StartedAt)), "StartedAt", got.StartedAt, ms(want.StartedAt))
	diff(timeOK(got.ClosedAt, want.ClosedAt), "ClosedAt", show(got.ClosedAt), show(want.ClosedAt))
	diff(strPtrEqual(got.ParentWorkflowID, want.ParentWorkflowID), "ParentWorkflowID", show(got.ParentWorkflowID), show(want.ParentWorkflowID))
	diff(strPtrEqual(got.ParentRunID, want.ParentRunID), "ParentRunID", show(got.ParentRunID), show(want.ParentRunID))
	diff(got.CancelRequested == want.CancelRequested, "CancelRequested", got.CancelRequested, want.CancelRequested)
	diff(slices.Equal(got.Tags, want.Tags), "Tags", got.Tags, want.Tags)
	diff(string(got.State) == string(want.State), "State", string(got.State), string(want.State))
	if len(diffs) > 0 {
		return fmt.Errorf("run %s/%s: %v", want.WorkflowID, want.RunID, diffs)
	}
	return nil
}

func testExecutionInsertFind(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)

	r1 := newRun(d, "w", "r1", t0)
	r1.TypeName, r1.TypeVersion = "type", "v7"
	r1.ParentWorkflowID, r1.ParentRunID = ptr("parent"), ptr("parent-run")
	r1.Tags = []string{"b", "a", "c"}
	r1.State = []byte(`{"input":"x"}`)
	insertRun(t, s, r1)

	// A second open run with the same workflowId is refused, in the same
	// transaction as in a new one.
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.ExecutionInsert(ctx, newRun(d, "w", "r2", t0.Add(time.Second)))
		return err
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second open run of w: got %v, want ErrExists", err)
	}
	// Another domain may have an open run with the same workflowId, and a
	// run without tags keeps none.
	elsewhere := newRun(other, "w", "r1", t0)
	insertRun(t, s, elsewhere)
	if elsewhere.ID == r1.ID {
		t.Fatalf("two runs got id %d", r1.ID)
	}

	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionGet(ctx, r1.ID)
		if err != nil {
			return err
		}
		if err := checkRun(got, r1); err != nil {
			return fmt.Errorf("ExecutionGet: %w", err)
		}
		if got, err := tx.ExecutionGet(ctx, elsewhere.ID); err != nil {
			return err
		} else if len(got.Tags) != 0 || got.DomainID != other {
			return fmt.Errorf("run in the other domain: %+v", got)
		}
		if _, err := tx.ExecutionGet(ctx, r1.ID+elsewhere.ID+100); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ExecutionGet of a missing id: %v, want ErrNotFound", err)
		}
		for _, runID := range []string{"", "r1"} {
			got, err := tx.ExecutionFind(ctx, d, "w", runID)
			if err != nil {
				return fmt.Errorf("ExecutionFind(w, %q): %w", runID, err)
			}
			if err := checkRun(got, r1); err != nil {
				return fmt.Errorf("ExecutionFind(w, %q): %w", runID, err)
			}
		}
		got, err = tx.ExecutionFind(ctx, other, "w", "")
		if err != nil || got.ID != elsewhere.ID {
			return fmt.Errorf("ExecutionFind in the other domain: %+v, %v", got, err)
		}
		for _, k := range [][2]string{{"w", "r2"}, {"nope", ""}, {"nope", "r1"}, {"r1", "w"}} {
			if _, err := tx.ExecutionFind(ctx, d, k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("ExecutionFind(%q, %q): %v, want ErrNotFound", k[0], k[1], err)
			}
		}
		if n, err := tx.ExecutionCountOpen(ctx, d); err != nil || n != 1 {
			return fmt.Errorf("ExecutionCountOpen = %d, %v; want 1", n, err)
		}
		return nil
	})

	// Requesting cancellation of the open run.
	r1.CancelRequested = true
	r1.State = []byte(`{"step":1}`)
	write(t, s, func(tx store.Tx) error { return tx.ExecutionUpdate(ctx, r1) })
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionFind(ctx, d, "w", "")
		if err != nil {
			return err
		}
		return checkRun(got, r1)
	})

	// Closing it; the update leaves the other columns alone.
	closeRun(r1, "CANCELED", t0.Add(time.Hour+500*time.Microsecond))
	r1.State = []byte(`{"step":2}`)
	write(t, s, func(tx store.Tx) error {
		upd := *r1
		upd.Tags = nil // not written by ExecutionUpdate
		return tx.ExecutionUpdate(ctx, &upd)
	})
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionGet(ctx, r1.ID)
		if err != nil {
			return err
		}
		if err := checkRun(got, r1); err != nil {
			return fmt.Errorf("after closing: %w", err)
		}
		if _, err := tx.ExecutionFind(ctx, d, "w", ""); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("open run of w after closing it: %v, want ErrNotFound", err)
		}
		if got, err := tx.ExecutionFind(ctx, d, "w", "r1"); err != nil {
			return err
		} else if err := checkRun(got, r1); err != nil {
			return fmt.Errorf("closed run by runId: %w", err)
		}
		if n, err := tx.ExecutionCountOpen(ctx, d); err != nil || n != 0 {
			return fmt.Errorf("ExecutionCountOpen after closing = %d, %v; want 0", n, err)
		}
		if n, err := tx.ExecutionCountOpen(ctx, other); err != nil || n != 1 {
			return fmt.Errorf("ExecutionCountOpen of the other domain = %d, %v; want 1", n, err)
		}
		return nil
	})

	// Once the run is closed, a new run of the same workflowId may start.
	r2 := newRun(d, "w", "r2", t0.Add(2*time.Hour))
	insertRun(t, s, r2)
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionFind(ctx, d, "w", "")
		if err != nil {
			return err
		}
		if err := checkRun(got, r2); err != nil {
			return fmt.Errorf("open run after restart: %w", err)
		}
		if got, err := tx.ExecutionFind(ctx, d, "w", "r1"); err != nil || got.ID != r1.ID {
			return fmt.Errorf("first run after restart: %+v, %v", got, err)
		}
		if n, err := tx.ExecutionCountOpen(ctx, d); err != nil || n != 1 {
			return fmt.Errorf("ExecutionCountOpen after restart = %d, %v; want 1", n, err)
		}
		return nil
	})
	// And a third open one is refused again.
	err = s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.ExecutionInsert(ctx, newRun(d, "w", "r3", t0.Add(3*time.Hour)))
		return err
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("third run of w while r2 is open: got %v, want ErrExists", err)
	}
	// A closed run is inserted even while the workflowId has an open one.
	r0 := closeRun(newRun(d, "w", "r0", t0.Add(-time.Hour)), "COMPLETED", t0.Add(-time.Minute))
	insertRun(t, s, r0)
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionFind(ctx, d, "w", "r0")
		if err != nil {
			return err
		}
		return checkRun(got, r0)
	})
}

// fillRun gives e some of everything that hangs off a run.
func fillRun(ctx context.Context, tx store.Tx, e *store.Execution) error {
	var events []store.Event
	for i := int64(1); i <= 3; i++ {
		events = append(events, store.Event{ID: i, Data: []byte(fmt.Sprintf(`{"run":%q,"id":%d}`, e.RunID, i))})
	}
	if err := tx.EventInsert(ctx, e.ID, events); err != nil {
		return err
	}
	for _, sched := range []int64{5, 7} {
		if err := tx.ActivityPut(ctx, &store.Activity{ExecutionID: e.ID, ScheduledEventID: sched, ActivityID: e.RunID + strconv.FormatInt(sched, 10), Data: []byte(`{}`)}); err != nil {
			return err
		}
	}
	for _, task := range []store.Task{{Kind: "decision", ScheduledEventID: 3}, {Kind: "activity", ScheduledEventID: 5}} {
		task.DomainID, task.TaskList, task.ExecutionID = e.DomainID, "list", e.ID
		if err := tx.TaskInsert(ctx, &task); err != nil {
			return err
		}
	}
	for i, kind := range []string{"x", "y"} {
		if err := tx.TimerPut(ctx, &store.Timer{Due: t0.Add(time.Duration(i) * time.Second), ExecutionID: e.ID, Kind: kind, Ref: int64(i)}); err != nil {
			return err
		}
	}
	return nil
}

// runContents describes what hangs off a run, as the store reports it.
func runContents(ctx context.Context, tx store.Tx, e *store.Execution) (string, error) {
	events, err := tx.EventList(ctx, store.EventListParams{ExecutionID: e.ID, Limit: 100})
	if err != nil {
		return "", err
	}
	acts, err := tx.ActivityList(ctx, e.ID)
	if err != nil {
		return "", err
	}
	nActs, err := tx.ActivityCount(ctx, e.ID)
	if err != nil {
		return "", err
	}
	var tasks []string
	for _, kind := range []string{"decision", "activity"} {
		k := store.TaskListKey{DomainID: e.DomainID, Kind: kind, TaskList: "list"}
		// Take the list's tasks one by one to see whose they are, then put
		// nothing back: the caller's transaction is rolled back.
		for {
			task, err := tx.TaskTake(ctx, k)
			if errors.Is(err, store.ErrNotFound) {
				break
			} else if err != nil {
				return "", err
			}
			if task.ExecutionID == e.ID {
				tasks = append(tasks, fmt.Sprintf("%s/%d", task.Kind, task.ScheduledEventID))
			}
		}
	}
	timers, err := tx.TimerDue(ctx, t0.Add(24*time.Hour), 100)
	if err != nil {
		return "", err
	}
	var mine []string
	for _, tm := range timers {
		if tm.ExecutionID == e.ID {
			mine = append(mine, fmt.Sprintf("%s/%d", tm.Kind, tm.Ref))
		}
	}
	var ev []string
	for _, x := range events {
		ev = append(ev, string(x.Data))
	}
	var ac []string
	for _, a := range acts {
		ac = append(ac, a.ActivityID)
	}
	return fmt.Sprintf("events %v activities %v (count %d) tasks %v timers %v", ev, ac, nActs, tasks, mine), nil
}

// errRollback ends a Write whose changes were only for looking.
var errRollback = errors.New("roll back")

// contentsOf returns runContents of e, leaving the store as it was.
func contentsOf(t *testing.T, s store.Store, e *store.Execution) string {
	t.Helper()
	var out string
	err := s.Write(context.Background(), func(tx store.Tx) error {
		var err error
		out, err = runContents(context.Background(), tx, e)
		if err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	return out
}

func testExecutionDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := newRun(d, "a", "ra", t0)
	a.Tags = []string{"t", "only-a"}
	b := newRun(d, "b", "rb", t0.Add(time.Second))
	b.Tags = []string{"t", "only-b"}
	// b is inserted last, so that it has the highest id, which a store may
	// hand out again.
	insertRun(t, s, a)
	insertRun(t, s, b)
	write(t, s, func(tx store.Tx) error {
		if err := fillRun(ctx, tx, a); err != nil {
			return err
		}
		return fillRun(ctx, tx, b)
	})
	wantA := contentsOf(t, s, a)
	wantFull := `events [{"run":"ra","id":1} {"run":"ra","id":2} {"run":"ra","id":3}] activities [ra5 ra7] (count 2) tasks [decision/3 activity/5] timers [x/0 y/1]`
	if wantA != wantFull {
		t.Fatalf("before the delete, run a has %s\nwant %s", wantA, wantFull)
	}
	if got := contentsOf(t, s, b); got == wantA || got == "" {
		t.Fatalf("run b has %s", got)
	}

	write(t, s, func(tx store.Tx) error { return tx.ExecutionDelete(ctx, b.ID) })

	empty := "events [] activities [] (count 0) tasks [] timers []"
	if got := contentsOf(t, s, b); got != empty {
		t.Errorf("after the delete, run b has %s", got)
	}
	if got := contentsOf(t, s, a); got != wantA {
		t.Errorf("deleting run b changed run a: %s\nwant %s", got, wantA)
	}
	countTag := func(tx store.Tx, tag string) (int, error) {
		return tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: d, Open: true, Tag: &tag})
	}
	read(t, s, func(tx store.Tx) error {
		if _, err := tx.ExecutionGet(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ExecutionGet of the deleted run: %v, want ErrNotFound", err)
		}
		if _, err := tx.ExecutionFind(ctx, d, "b", ""); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ExecutionFind of the deleted run: %v, want ErrNotFound", err)
		}
		if _, err := tx.ExecutionFind(ctx, d, "b", "rb"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ExecutionFind of the deleted run by runId: %v, want ErrNotFound", err)
		}
		if got, err := tx.ExecutionGet(ctx, a.ID); err != nil {
			return err
		} else if err := checkRun(got, a); err != nil {
			return fmt.Errorf("run a after deleting b: %w", err)
		}
		for tag, want := range map[string]int{"t": 1, "only-a": 1, "only-b": 0} {
			if n, err := countTag(tx, tag); err != nil || n != want {
				return fmt.Errorf("runs tagged %s after the delete: %d, %v; want %d", tag, n, err, want)
			}
		}
		if n, err := tx.ExecutionCountOpen(ctx, d); err != nil || n != 1 {
			return fmt.Errorf("ExecutionCountOpen after the delete = %d, %v; want 1", n, err)
		}
		return nil
	})

	// A new run, possibly given the deleted run's id, inherits nothing of
	// it; the workflowId of the deleted run is free again.
	c := newRun(d, "b", "rc", t0.Add(2*time.Second))
	insertRun(t, s, c)
	if got := contentsOf(t, s, c); got != empty {
		t.Errorf("a run inserted after the delete has %s", got)
	}
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionGet(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := checkRun(got, c); err != nil {
			return err
		}
		for tag, want := range map[string]int{"t": 1, "only-b": 0} {
			if n, err := countTag(tx, tag); err != nil || n != want {
				return fmt.Errorf("runs tagged %s after a new insert: %d, %v; want %d", tag, n, err, want)
			}
		}
		return nil
	})
	// The new run can be given a history with the event ids of the deleted
	// one.
	write(t, s, func(tx store.Tx) error { return fillRun(ctx, tx, c) })
}

func runIDs(es []*store.Execution) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.RunID)
	}
	return out
}

func testExecutionList(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	run := func(wf, run, typ, ver string, start int, tags ...string) *store.Execution {
		e := newRun(d, wf, run, at(start))
		e.TypeName, e.TypeVersion, e.Tags = typ, ver, tags
		return e
	}
	for _, e := range []*store.Execution{
		closeRun(run("w1", "r5", "A", "1", 0), "FAILED", at(8)),
		run("w1", "r1", "A", "1", 1, "red"),
		run("w2", "r2", "A", "2", 2, "blue"),
		run("w3", "r3", "B", "1", 3, "red", "blue"),
		closeRun(run("w4", "r4", "A", "1", 4), "COMPLETED", at(10)),
		closeRun(run("w5", "r6", "B", "1", 5, "red"), "COMPLETED", at(9)),
		// Runs that no listing of d shows.
		{DomainID: other, WorkflowID: "w1", RunID: "x1", TypeName: "A", TypeVersion: "1", Open: true, StartedAt: at(2), Tags: []string{"red"}, State: []byte("{}")},
		closeRun(&store.Execution{DomainID: other, WorkflowID: "w4", RunID: "x2", TypeName: "A", TypeVersion: "1", StartedAt: at(4), Tags: []string{"red"}, State: []byte("{}")}, "COMPLETED", at(9)),
	} {
		insertRun(t, s, e)
	}
	// The boundaries are given with sub-millisecond parts, which the store
	// drops as it does from the times it keeps.
	bound := func(min int) *time.Time { return ptr(at(min).Add(300 * time.Microsecond)) }
	cases := []struct {
		p    store.ExecutionListParams
		want []string
	}{
		// Open runs, newest first by start time.
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true}}, []string{"r3", "r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true}, Reverse: true}, []string{"r1", "r2", "r3"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(2)}}, []string{"r3", "r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedTo: bound(2)}}, []string{"r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(2), StartedTo: bound(2)}}, []string{"r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, StartedFrom: bound(4)}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("A")}}, []string{"r2", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("A"), TypeVersion: ptr("1")}}, []string{"r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeVersion: ptr("1")}}, []string{"r3", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, TypeName: ptr("C")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("red")}}, []string{"r3", "r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("blue")}}, []string{"r3", "r2"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("re")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, WorkflowID: ptr("w1")}}, []string{"r1"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, WorkflowID: ptr("w4")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Open: true, Tag: ptr("red"), TypeName: ptr("A")}}, []string{"r1"}},
		// Closed runs, by start time.
		{store.ExecutionListParams{}, []string{"r6", "r4", "r5"}},
		{store.ExecutionListParams{Reverse: true}, []string{"r5", "r4", "r6"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{StartedFrom: bound(4)}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{StartedTo: bound(4)}}, []string{"r4", "r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9)}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("COMPLETED")}}, []string{"r6", "r4"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("FAILED")}}, []string{"r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{CloseStatus: ptr("TIMED_OUT")}}, []string{}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{WorkflowID: ptr("w1")}}, []string{"r5"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{Tag: ptr("red")}}, []string{"r6"}},
		{store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{TypeName: ptr("A"), CloseStatus: ptr("COMPLETED")}}, []string{"r4"}},
		// Closed runs, by close time.
		{store.ExecutionListParams{ByCloseTime: true}, []string{"r4", "r6", "r5"}},
		{store.ExecutionListParams{ByCloseTime: true, Reverse: true}, []string{"r5", "r6", "r4"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9)}}, []string{"r4", "r6"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedTo: bound(9)}}, []string{"r6", "r5"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(9), ClosedTo: bound(9)}}, []string{"r6"}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{ClosedFrom: bound(11)}}, []string{}},
		{store.ExecutionListParams{ByCloseTime: true, ExecutionFilter: store.ExecutionFilter{StartedFrom: bound(4), ClosedTo: bound(9)}}, []string{"r6"}},
	}
	read(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			c.p.DomainID = d
			n, err := tx.ExecutionCount(ctx, c.p.ExecutionFilter)
			if err != nil {
				return err
			}
			if n != len(c.want) {
				return fmt.Errorf("ExecutionCount(%+v) = %d, want %d", c.p.ExecutionFilter, n, len(c.want))
			}
			c.p.Limit = 100
			got, err := tx.ExecutionList(ctx, c.p)
			if err != nil {
				return err
			}
			if !slices.Equal(runIDs(got), c.want) {
				return fmt.Errorf("ExecutionList(%+v) = %v, want %v", c.p, runIDs(got), c.want)
			}
			// Limit cuts the same listing short.
			c.p.Limit = 1
			got, err = tx.ExecutionList(ctx, c.p)
			if err != nil {
				return err
			}
			if want := c.want[:min(1, len(c.want))]; !slices.Equal(runIDs(got), want) {
				return fmt.Errorf("ExecutionList(%+v) = %v, want %v", c.p, runIDs(got), want)
			}
		}
		// Listed runs carry all their columns.
		got, err := tx.ExecutionList(ctx, store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{DomainID: d, WorkflowID: ptr("w5")}, Limit: 10})
		if err != nil {
			return err
		}
		if len(got) != 1 {
			return fmt.Errorf("listing w5: %v", runIDs(got))
		}
		want := closeRun(run("w5", "r6", "B", "1", 5, "red"), "COMPLETED", at(9))
		want.ID = got[0].ID
		if err := checkRun(got[0], want); err != nil {
			return fmt.Errorf("listed run: %w", err)
		}
		for _, open := range []bool{true, false} {
			if n, err := tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: other, Open: open}); err != nil || n != 1 {
				return fmt.Errorf("ExecutionCount of the other domain (open %v) = %d, %v; want 1", open, n, err)
			}
		}
		return nil
	})
}

// testExecutionListPaging pages through runs, many of which share start or
// close times.
func testExecutionListPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	// Start (and, for closed runs, close) seconds, in insertion order: the
	// ids do not follow the times.
	open := [][2]int{{3, 0}, {1, 0}, {2, 0}, {3, 0}, {2, 0}, {5, 0}, {2, 0}, {3, 0}, {0, 0}}
	closed := [][2]int{{4, 20}, {1, 21}, {4, 20}, {2, 22}, {4, 20}, {1, 19}, {3, 21}, {0, 20}}
	var runs []*store.Execution
	for i, tm := range append(open, closed...) {
		// Sub-millisecond parts differ between runs of the same millisecond.
		e := newRun(d, "w"+strconv.Itoa(i), "r"+strconv.Itoa(i), at(tm[0]).Add(time.Duration(i)*time.Microsecond))
		if i >= len(open) {
			closeRun(e, "COMPLETED", at(tm[1]).Add(time.Duration(i)*time.Microsecond))
		}
		runs = append(runs, e)
		insertRun(t, s, e)
		// Noise in another domain, with the same times.
		x := *e
		x.DomainID, x.WorkflowID = other, "x"+e.WorkflowID
		insertRun(t, s, &x)
	}
	type key struct {
		t  time.Time
		id int64
	}
	for _, c := range []struct {
		open, byClose, reverse bool
	}{
		{true, false, false}, {true, false, true},
		{false, false, false}, {false, false, true},
		{false, true, false}, {false, true, true},
	} {
		// The expected order: by time then id, newest first unless reverse.
		var want []key
		for _, e := range runs {
			if e.Open != c.open {
				continue
			}
			k := key{ms(e.StartedAt), e.ID}
			if c.byClose {
				k.t = ms(*e.ClosedAt)
			}
			want = append(want, k)
		}
		slices.SortFunc(want, func(a, b key) int {
			r := a.t.Compare(b.t)
			if r == 0 {
				r = int(a.id - b.id)
			}
			if !c.reverse {
				r = -r
			}
			return r
		})
		var wantIDs []int64
		for _, k := range want {
			wantIDs = append(wantIDs, k.id)
		}
		for _, limit := range []int{1, 2, 3, len(want), len(want) + 1} {
			p := store.ExecutionListParams{
				ExecutionFilter: store.ExecutionFilter{DomainID: d, Open: c.open},
				ByCloseTime:     c.byClose, Reverse: c.reverse, Limit: limit,
			}
			var got []int64
			read(t, s, func(tx store.Tx) error {
				for pages := 0; ; pages++ {
					if pages > len(want)+1 {
						return fmt.Errorf("paging does not end: %v", got)
					}
					page, err := tx.ExecutionList(ctx, p)
					if err != nil {
						return err
					}
					if len(page) > limit {
						return fmt.Errorf("page of %d runs with limit %d", len(page), limit)
					}
					for _, e := range page {
						got = append(got, e.ID)
					}
					if len(page) < limit {
						return nil
					}
					last := page[len(page)-1]
					p.AfterTime, p.AfterID = &last.StartedAt, last.ID
					if c.byClose {
						p.AfterTime = last.ClosedAt
					}
				}
			})
			if !slices.Equal(got, wantIDs) {
				t.Errorf("open %v, by close time %v, reverse %v, limit %d: paged through %v, want %v", c.open, c.byClose, c.reverse, limit, got, wantIDs)
			}
		}
	}
	// A page can start after a run that is not listed, such as a deleted
	// one: AfterTime and AfterID are only a position.
	read(t, s, func(tx store.Tx) error {
		got, err := tx.ExecutionList(ctx, store.ExecutionListParams{
			ExecutionFilter: store.ExecutionFilter{DomainID: d, Open: true},
			AfterTime:       ptr(ms(at(3))), AfterID: 0, Limit: 100,
		})
		if err != nil {
			return err
		}
		for _, e := range got {
			if !e.StartedAt.Before(ms(at(3))) {
				return fmt.Errorf("after (%v, 0) listed run started at %v", ms(at(3)), e.StartedAt)
			}
		}
		if len(got) != 5 {
			return fmt.Errorf("after (%v, 0) listed %v, want the 5 runs started before", ms(at(3)), runIDs(got))
		}
		return nil
	})
}

func eventIDs(es []store.Event) []int64 {
	out := []int64{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func seq(from, to int64) []int64 {
	out := []int64{}
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
	} else {
		for i := from; i >= to; i-- {
			out = append(out, i)
		}
	}
	return out
}

func testEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	data := func(run string, id int64) []byte { return []byte(fmt.Sprintf(`{"run":%q,"eventId":%d}`, run, id)) }
	events := func(run string, from, to int64) []store.Event {
		var out []store.Event
		for i := from; i <= to; i++ {
			out = append(out, store.Event{ID: i, Data: data(run, i)})
		}
		return out
	}
	write(t, s, func(tx store.Tx) error {
		if err := tx.EventInsert(ctx, a, events("a", 1, 6)); err != nil {
			return err
		}
		return tx.EventInsert(ctx, b, events("b", 1, 3))
	})
	// Appending in a later transaction.
	write(t, s, func(tx store.Tx) error { return tx.EventInsert(ctx, a, events("a", 7, 10)) })

	cases := []struct {
		p    store.EventListParams
		want []int64
	}{
		{store.EventListParams{Limit: 100}, seq(1, 10)},
		{store.EventListParams{Limit: 4}, seq(1, 4)},
		{store.EventListParams{After: 4, Limit: 4}, seq(5, 8)},
		{store.EventListParams{After: 8, Limit: 4}, seq(9, 10)},
		{store.EventListParams{After: 10, Limit: 4}, []int64{}},
		{store.EventListParams{Upto: 6, Limit: 100}, seq(1, 6)},
		{store.EventListParams{Upto: 6, After: 4, Limit: 100}, seq(5, 6)},
		{store.EventListParams{Upto: 6, After: 4, Limit: 1}, seq(5, 5)},
		{store.EventListParams{Upto: 6, After: 6, Limit: 100}, []int64{}},
		{store.EventListParams{Upto: 20, Limit: 100}, seq(1, 10)},
		{store.EventListParams{Reverse: true, Limit: 100}, seq(10, 1)},
		{store.EventListParams{Reverse: true, Limit: 4}, seq(10, 7)},
		{store.EventListParams{Reverse: true, After: 7, Limit: 4}, seq(6, 3)},
		{store.EventListParams{Reverse: true, After: 3, Limit: 4}, seq(2, 1)},
		{store.EventListParams{Reverse: true, After: 1, Limit: 4}, []int64{}},
		{store.EventListParams{Reverse: true, Upto: 6, Limit: 3}, seq(6, 4)},
		{store.EventListParams{Reverse: true, Upto: 6, After: 4, Limit: 100}, seq(3, 1)},
	}
	read(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			c.p.ExecutionID = a
			got, err := tx.EventList(ctx, c.p)
			if err != nil {
				return err
			}
			if !slices.Equal(eventIDs(got), c.want) {
				return fmt.Errorf("EventList(%+v) = %v, want %v", c.p, eventIDs(got), c.want)
			}
			for _, e := range got {
				if string(e.Data) != string(data("a", e.ID)) {
					return fmt.Errorf("event %d has data %s", e.ID, e.Data)
				}
			}
		}
		got, err := tx.EventList(ctx, store.EventListParams{ExecutionID: b, Limit: 100})
		if err != nil {
			return err
		}
		if !slices.Equal(eventIDs(got), seq(1, 3)) || string(got[2].Data) != string(data("b", 3)) {
			return fmt.Errorf("history of run b: %v", got)
		}
		if got, err := tx.EventList(ctx, store.EventListParams{ExecutionID: a + b + 100, Limit: 100}); err != nil || len(got) != 0 {
			return fmt.Errorf("history of a missing run: %v, %v", got, err)
		}
		return nil
	})
}

func checkActivity(got, want *store.Activity) error {
	timeOK := (got.LastHeartbeat == nil) == (want.LastHeartbeat == nil) &&
		(got.LastHeartbeat == nil || got.LastHeartbeat.Equal(ms(*want.LastHeartbeat)))
	if got.ExecutionID != want.ExecutionID || got.ScheduledEventID != want.ScheduledEventID || got.ActivityID != want.ActivityID ||
		got.StartedEventID != want.StartedEventID || got.CancelRequested != want.CancelRequested ||
		!strPtrEqual(got.HeartbeatDetails, want.HeartbeatDetails) || !timeOK || string(got.Data) != string(want.Data) {
		return fmt.Errorf("activity %d: got %+v (details %s, heartbeat %s, data %s)\nwant %+v (details %s, heartbeat %s, data %s)",
			want.ScheduledEventID, got, show(got.HeartbeatDetails), show(got.LastHeartbeat), got.Data,
			want, show(want.HeartbeatDetails), show(want.LastHeartbeat), want.Data)
	}
	return nil
}

func checkActivities(ctx context.Context, tx store.Tx, executionID int64, want ...*store.Activity) error {
	got, err := tx.ActivityList(ctx, executionID)
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		var ids []int64
		for _, a := range got {
			ids = append(ids, a.ScheduledEventID)
		}
		return fmt.Errorf("run %d has activities %v, want %d", executionID, ids, len(want))
	}
	for i := range got {
		if err := checkActivity(got[i], want[i]); err != nil {
			return err
		}
	}
	if n, err := tx.ActivityCount(ctx, executionID); err != nil || n != len(want) {
		return fmt.Errorf("ActivityCount(%d) = %d, %v; want %d", executionID, n, err, len(want))
	}
	return nil
}

func testActivities(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	hb := t0.Add(time.Second + 700*time.Microsecond)
	a9 := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "nine", StartedEventID: 11, CancelRequested: true,
		HeartbeatDetails: ptr("half way"), LastHeartbeat: &hb, Data: []byte(`{"n":9}`)}
	a5 := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "five", Data: []byte(`{"n":5}`)}
	a7 := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "seven", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	b5 := &store.Activity{ExecutionID: b, ScheduledEventID: 5, ActivityID: "b-five", Data: []byte(`{"b":5}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{a9, a5, b5, a7} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a, a5, a7, a9); err != nil {
			return err
		}
		if err := checkActivities(ctx, tx, b, b5); err != nil {
			return err
		}
		return checkActivities(ctx, tx, a+b+100)
	})

	// Put replaces every column of an existing activity.
	a5 = &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "five-again", StartedEventID: 12, CancelRequested: true,
		HeartbeatDetails: ptr("d"), LastHeartbeat: ptr(t0.Add(time.Minute)), Data: []byte(`{"n":55}`)}
	a9 = &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "nine", StartedEventID: 11, Data: []byte(`{"n":99}`)}
	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityPut(ctx, a5); err != nil {
			return err
		}
		return tx.ActivityPut(ctx, a9)
	})
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, a5, a7, a9) })

	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityDelete(ctx, a, 7); err != nil {
			return err
		}
		// Deleting what is not there is no error.
		if err := tx.ActivityDelete(ctx, a, 7); err != nil {
			return err
		}
		return tx.ActivityDelete(ctx, b, 9)
	})
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a, a5, a9); err != nil {
			return err
		}
		return checkActivities(ctx, tx, b, b5)
	})

	write(t, s, func(tx store.Tx) error { return tx.ActivityDeleteAll(ctx, a) })
	read(t, s, func(tx store.Tx) error {
		if err := checkActivities(ctx, tx, a); err != nil {
			return err
		}
		return checkActivities(ctx, tx, b, b5)
	})
	write(t, s, func(tx store.Tx) error { return tx.ActivityDeleteAll(ctx, a) })
}

func testActivityHeartbeat(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	unstarted := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "unstarted", Data: []byte(`{"n":5}`)}
	started := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "started", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	canceled := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "canceled", StartedEventID: 10, CancelRequested: true,
		HeartbeatDetails: ptr("old"), LastHeartbeat: ptr(t0), Data: []byte(`{"n":9}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{unstarted, started, canceled} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})

	// Heartbeats that match no started activity change nothing, even when
	// the transaction that tried them commits.
	for _, h := range []store.Heartbeat{
		{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 0},
		{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 6},
		{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 9},
		{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 0},
		{ExecutionID: a, ScheduledEventID: 8, StartedEventID: 8},
		{ExecutionID: a, ScheduledEventID: 11, StartedEventID: 12},
		{ExecutionID: b, ScheduledEventID: 7, StartedEventID: 8},
	} {
		h.Details, h.At = ptr("bad"), t0.Add(time.Hour)
		write(t, s, func(tx store.Tx) error {
			if c, err := tx.ActivityHeartbeat(ctx, h); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("ActivityHeartbeat(%+v) = %v, %v; want ErrNotFound", h, c, err)
			}
			return nil
		})
	}
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	at1 := t0.Add(time.Second + 400*time.Microsecond)
	write(t, s, func(tx store.Tx) error {
		c, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("10%"), At: at1})
		if err != nil || c {
			return fmt.Errorf("heartbeat of the started activity = %v, %v; want false, nil", c, err)
		}
		return nil
	})
	started.HeartbeatDetails, started.LastHeartbeat = ptr("10%"), &at1
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// A heartbeat without details clears them; one of an activity whose
	// cancellation was requested says so.
	at2 := t0.Add(2 * time.Second)
	write(t, s, func(tx store.Tx) error {
		c, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, At: at2})
		if err != nil || c {
			return fmt.Errorf("second heartbeat of the started activity = %v, %v; want false, nil", c, err)
		}
		c, err = tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 9, StartedEventID: 10, At: at2})
		if err != nil || !c {
			return fmt.Errorf("heartbeat of the canceled activity = %v, %v; want true, nil", c, err)
		}
		return nil
	})
	started.HeartbeatDetails, started.LastHeartbeat = nil, &at2
	canceled.HeartbeatDetails, canceled.LastHeartbeat = nil, &at2
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// Once the cancellation is requested of the started one, its heartbeat
	// reports it; once it is started, so can the other.
	started.CancelRequested = true
	unstarted.StartedEventID = 13
	write(t, s, func(tx store.Tx) error {
		if err := tx.ActivityPut(ctx, started); err != nil {
			return err
		}
		return tx.ActivityPut(ctx, unstarted)
	})
	at3 := t0.Add(3 * time.Second)
	write(t, s, func(tx store.Tx) error {
		c, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("x"), At: at3})
		if err != nil || !c {
			return fmt.Errorf("heartbeat after the cancel request = %v, %v; want true, nil", c, err)
		}
		c, err = tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 13, Details: ptr("y"), At: at3})
		if err != nil || c {
			return fmt.Errorf("heartbeat of the newly started activity = %v, %v; want false, nil", c, err)
		}
		return nil
	})
	started.HeartbeatDetails, started.LastHeartbeat = ptr("x"), &at3
	unstarted.HeartbeatDetails, unstarted.LastHeartbeat = ptr("y"), &at3
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })

	// A deleted activity takes no heartbeat.
	write(t, s, func(tx store.Tx) error { return tx.ActivityDelete(ctx, a, 7) })
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, At: at3})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("heartbeat of a deleted activity: %v, want ErrNotFound", err)
	}
}

func testTasks(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	d2 := insertDomain(t, s, "d2", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	c := insertRun(t, s, newRun(d2, "c", "rc", t0))
	list := store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "L"}
	task := func(domain int64, kind, taskList string, prio int32, exec, sched int64) store.Task {
		return store.Task{DomainID: domain, Kind: kind, TaskList: taskList, Priority: prio, ExecutionID: exec, ScheduledEventID: sched}
	}
	write(t, s, func(tx store.Tx) error {
		for _, x := range []store.Task{
			task(d, "decision", "L", 0, a, 1),
			task(d, "decision", "L", 5, b, 2),
			task(d, "decision", "L", 5, a, 3),
			task(d, "decision", "L", -1, b, 4),
			// Other lists, with higher priorities.
			task(d, "activity", "L", 100, a, 10),
			task(d, "decision", "M", 100, b, 11),
			task(d2, "decision", "L", 100, c, 12),
		} {
			if err := tx.TaskInsert(ctx, &x); err != nil {
				return err
			}
		}
		return nil
	})
	// next checks what TaskNext of k returns and returns its id.
	next := func(k store.TaskListKey, want *store.Task) int64 {
		t.Helper()
		var id int64
		read(t, s, func(tx store.Tx) error {
			got, err := tx.TaskNext(ctx, k)
			if want == nil {
				if !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("TaskNext(%+v) = %+v, %v; want ErrNotFound", k, got, err)
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("TaskNext(%+v): %w", k, err)
			}
			if got.ID == 0 {
				return fmt.Errorf("TaskNext(%+v) has id 0", k)
			}
			w := *want
			w.ID = got.ID
			if *got != w {
				return fmt.Errorf("TaskNext(%+v) = %+v, want %+v", k, *got, w)
			}
			id = got.ID
			return nil
		})
		return id
	}
	counts := func(want ...int) {
		t.Helper()
		read(t, s, func(tx store.Tx) error {
			for i, k := range []store.TaskListKey{
				list,
				{DomainID: d, Kind: "activity", TaskList: "L"},
				{DomainID: d, Kind: "decision", TaskList: "M"},
				{DomainID: d2, Kind: "decision", TaskList: "L"},
				{DomainID: d, Kind: "decision", TaskList: "none"},
			} {
				if n, err := tx.TaskCount(ctx, k); err != nil || n != want[i] {
					return fmt.Errorf("TaskCount(%+v) = %d, %v; want %d", k, n, err, want[i])
				}
			}
			return nil
		})
	}
	counts(4, 1, 1, 1, 0)
	checkTaskListCounts(t, s, list, store.TaskListKey{DomainID: d2, Kind: "decision", TaskList: "L"})
	next(store.TaskListKey{DomainID: d, Kind: "activity", TaskList: "L"}, ptr(task(d, "activity", "L", 100, a, 10)))
	next(store.TaskListKey{DomainID: d2, Kind: "decision", TaskList: "L"}, ptr(task(d2, "decision", "L", 100, c, 12)))
	next(store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "none"}, nil)

	// Highest priority first, then the oldest; TaskTake takes the one
	// TaskNext shows.
	id := next(list, ptr(task(d, "decision", "L", 5, b, 2)))
	write(t, s, func(tx store.Tx) error {
		got, err := tx.TaskTake(ctx, list)
		if err != nil || got.ID != id {
			return fmt.Errorf("TaskTake = %+v, %v; want the task %d", got, err, id)
		}
		return nil
	})
	counts(3, 1, 1, 1, 0)
	next(list, ptr(task(d, "decision", "L", 5, a, 3)))

	// TaskDelete names a task by its run, kind and scheduled event.
	write(t, s, func(tx store.Tx) error {
		if err := tx.TaskDelete(ctx, a, "decision", 3); err != nil {
			return err
		}
		// Absent tasks: none is deleted and there is no error.
		if err := tx.TaskDelete(ctx, a, "decision", 99); err != nil {
			return err
		}
		if err := tx.TaskDelete(ctx, a, "activity", 1); err != nil {
			return err
		}
		return tx.TaskDelete(ctx, b, "decision", 1)
	})
	counts(2, 1, 1, 1, 0)
	next(list, ptr(task(d, "decision", "L", 0, a, 1)))

	// A new task of higher priority goes ahead of older ones.
	write(t, s, func(tx store.Tx) error {
		x := task(d, "decision", "L", 1, b, 20)
		return tx.TaskInsert(ctx, &x)
	})
	counts(3, 1, 1, 1, 0)
	next(list, ptr(task(d, "decision", "L", 1, b, 20)))
	write(t, s, func(tx store.Tx) error { return tx.TaskDelete(ctx, b, "decision", 20) })

	// TaskDeleteAll takes every task of the run off every list.
	write(t, s, func(tx store.Tx) error { return tx.TaskDeleteAll(ctx, a) })
	counts(1, 0, 1, 1, 0)
	id = next(list, ptr(task(d, "decision", "L", -1, b, 4)))
	next(store.TaskListKey{DomainID: d, Kind: "activity", TaskList: "L"}, nil)

	write(t, s, func(tx store.Tx) error {
		if got, err := tx.TaskTake(ctx, list); err != nil || got.ID != id {
			return fmt.Errorf("TaskTake = %+v, %v; want the task %d", got, err, id)
		}
		if _, err := tx.TaskTake(ctx, store.TaskListKey{DomainID: d, Kind: "activity", TaskList: "L"}); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TaskTake of an empty list: %v", err)
		}
		return tx.TaskDeleteAll(ctx, a)
	})
	counts(0, 0, 1, 1, 0)
	next(list, nil)
	next(store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "M"}, ptr(task(d, "decision", "M", 100, b, 11)))
}

func timerKeys(ts []*store.Timer) []string {
	out := []string{}
	for _, tm := range ts {
		out = append(out, fmt.Sprintf("%d/%s/%d", tm.ExecutionID, tm.Kind, tm.Ref))
	}
	return out
}

func testTimers(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	sec := func(n int) time.Time { return t0.Add(time.Duration(n)*time.Second + 600*time.Microsecond) }
	key := func(exec int64, kind string, ref int64) string { return fmt.Sprintf("%d/%s/%d", exec, kind, ref) }

	read(t, s, func(tx store.Tx) error {
		if got, err := tx.TimerNext(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TimerNext without timers = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := tx.TimerDue(ctx, sec(1000), 10); err != nil || len(got) != 0 {
			return fmt.Errorf("TimerDue without timers = %v, %v", timerKeys(got), err)
		}
		return nil
	})
	write(t, s, func(tx store.Tx) error {
		for _, tm := range []store.Timer{
			{Due: sec(3), ExecutionID: a, Kind: "startToClose", Ref: 5},
			{Due: sec(1), ExecutionID: a, Kind: "timer", Ref: 7},
			{Due: sec(2), ExecutionID: b, Kind: "timer", Ref: 7},
			{Due: sec(10), ExecutionID: b, Kind: "retention", Ref: 0},
			{Due: sec(4), ExecutionID: a, Kind: "timer", Ref: 8},
		} {
			if err := tx.TimerPut(ctx, &tm); err != nil {
				return err
			}
		}
		return nil
	})
	due := func(now time.Time, limit int, want ...string) {
		t.Helper()
		read(t, s, func(tx store.Tx) error {
			got, err := tx.TimerDue(ctx, now, limit)
			if err != nil {
				return err
			}
			if !slices.Equal(timerKeys(got), want) {
				return fmt.Errorf("TimerDue(%v, %d) = %v, want %v", now, limit, timerKeys(got), want)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Due.Before(got[i-1].Due) {
					return fmt.Errorf("TimerDue(%v, %d) is not earliest first: %v", now, limit, got)
				}
			}
			for _, tm := range got {
				if tm.ID == 0 || tm.Due.After(ms(now)) {
					return fmt.Errorf("TimerDue(%v, %d) returned %+v", now, limit, tm)
				}
			}
			return nil
		})
	}
	nextTimer := func(want store.Timer) *store.Timer {
		t.Helper()
		var got *store.Timer
		read(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.TimerNext(ctx)
			if err != nil {
				return fmt.Errorf("TimerNext: %w", err)
			}
			if got.ID == 0 || !got.Due.Equal(ms(want.Due)) || got.ExecutionID != want.ExecutionID || got.Kind != want.Kind || got.Ref != want.Ref {
				return fmt.Errorf("TimerNext = %+v, want %+v", got, want)
			}
			return nil
		})
		return got
	}
	all := func() []*store.Timer {
		t.Helper()
		var got []*store.Timer
		read(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.TimerDue(ctx, sec(1000), 100)
			return err
		})
		return got
	}

	nextTimer(store.Timer{Due: sec(1), ExecutionID: a, Kind: "timer", Ref: 7})
	due(sec(1000), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5), key(a, "timer", 8), key(b, "retention", 0))
	// now is inclusive, to the millisecond.
	due(sec(3), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5))
	due(ms(sec(3)), 100, key(a, "timer", 7), key(b, "timer", 7), key(a, "startToClose", 5))
	due(ms(sec(3)).Add(-time.Millisecond), 100, key(a, "timer", 7), key(b, "timer", 7))
	due(sec(1000), 2, key(a, "timer", 7), key(b, "timer", 7))
	due(sec(0), 100)

	// TimerPut of an armed timer moves it rather than adding another.
	write(t, s, func(tx store.Tx) error {
		return tx.TimerPut(ctx, &store.Timer{Due: sec(5), ExecutionID: a, Kind: "timer", Ref: 7})
	})
	due(sec(1000), 100, key(b, "timer", 7), key(a, "startToClose", 5), key(a, "timer", 8), key(a, "timer", 7), key(b, "retention", 0))
	for _, tm := range all() {
		if tm.ExecutionID == a && tm.Kind == "timer" && tm.Ref == 7 && !tm.Due.Equal(ms(sec(5))) {
			t.Errorf("moved timer is due %v, want %v", tm.Due, ms(sec(5)))
		}
	}
	nextTimer(store.Timer{Due: sec(2), ExecutionID: b, Kind: "timer", Ref: 7})
	// Moving one earlier makes it the next.
	write(t, s, func(tx store.Tx) error {
		return tx.TimerPut(ctx, &store.Timer{Due: sec(-1), ExecutionID: b, Kind: "retention", Ref: 0})
	})
	nextTimer(store.Timer{Due: sec(-1), ExecutionID: b, Kind: "retention", Ref: 0})
	due(sec(2), 100, key(b, "retention", 0), key(b, "timer", 7))
	if n := len(all()); n != 5 {
		t.Errorf("%d timers after moving two, want 5", n)
	}

	write(t, s, func(tx store.Tx) error {
		if err := tx.TimerDelete(ctx, a, "startToClose", 5); err != nil {
			return err
		}
		// Absent timers: nothing is deleted and there is no error.
		if err := tx.TimerDelete(ctx, a, "startToClose", 6); err != nil {
			return err
		}
		if err := tx.TimerDelete(ctx, a, "retention", 0); err != nil {
			return err
		}
		return tx.TimerDelete(ctx, b, "timer", 8)
	})
	due(sec(1000), 100, key(b, "retention", 0), key(b, "timer", 7), key(a, "timer", 8), key(a, "timer", 7))

	// TimerDeleteByID reports whether it deleted.
	var bTimer int64
	for _, tm := range all() {
		if tm.ExecutionID == b && tm.Kind == "timer" {
			bTimer = tm.ID
		}
	}
	write(t, s, func(tx store.Tx) error {
		ok, err := tx.TimerDeleteByID(ctx, bTimer)
		if err != nil || !ok {
			return fmt.Errorf("TimerDeleteByID of an armed timer = %v, %v; want true", ok, err)
		}
		ok, err = tx.TimerDeleteByID(ctx, bTimer)
		if err != nil || ok {
			return fmt.Errorf("second TimerDeleteByID = %v, %v; want false", ok, err)
		}
		return nil
	})
	due(sec(1000), 100, key(b, "retention", 0), key(a, "timer", 8), key(a, "timer", 7))

	write(t, s, func(tx store.Tx) error { return tx.TimerDeleteAll(ctx, a) })
	due(sec(1000), 100, key(b, "retention", 0))
	write(t, s, func(tx store.Tx) error { return tx.TimerDeleteAll(ctx, b) })
	due(sec(1000), 100)
	read(t, s, func(tx store.Tx) error {
		if _, err := tx.TimerNext(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TimerNext after deleting all: %v, want ErrNotFound", err)
		}
		return nil
	})
}

// checkTaskListCounts: with 4 tasks on list and 1 on each of three
// others (one of them other, alone in its domain), TaskListCounts lists
// them most first, up to its limit, of all domains or of one.
func checkTaskListCounts(t *testing.T, s store.Store, list, other store.TaskListKey) {
	t.Helper()
	ctx := context.Background()
	read(t, s, func(tx store.Tx) error {
		all, err := tx.TaskListCounts(ctx, 0, 10)
		if err != nil {
			return err
		}
		if len(all) != 4 || all[0].TaskListKey != list || all[0].N != 4 {
			return fmt.Errorf("TaskListCounts(all) = %+v", all)
		}
		for _, c := range all[1:] {
			if c.N != 1 {
				return fmt.Errorf("TaskListCounts(all) = %+v", all)
			}
		}
		top, err := tx.TaskListCounts(ctx, 0, 1)
		if err != nil || len(top) != 1 || top[0].TaskListKey != list {
			return fmt.Errorf("TaskListCounts(all, 1) = %+v, %v", top, err)
		}
		of, err := tx.TaskListCounts(ctx, other.DomainID, 10)
		if err != nil || len(of) != 1 || of[0].TaskListKey != other {
			return fmt.Errorf("TaskListCounts(%d) = %+v, %v", other.DomainID, of, err)
		}
		return nil
	})
}

// testCountOpenInWrite: inside a write, ExecutionCountOpen counts the runs
// that the write itself opened, closed and deleted, as the engine's quota
// check needs (on PostgreSQL the committed count changes only at COMMIT).
// A write that fails leaves the count as it was.
func testCountOpenInWrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	kept := newRun(d, "kept", "r", t0)
	kept.ID = insertRun(t, s, kept)
	count := func(tx store.Tx, domainID int64, want int, when string) error {
		if n, err := tx.ExecutionCountOpen(ctx, domainID); err != nil || n != want {
			return fmt.Errorf("%s: ExecutionCountOpen = %d, %v; want %d", when, n, err, want)
		}
		return nil
	}
	write(t, s, func(tx store.Tx) error {
		if err := count(tx, d, 1, "before"); err != nil {
			return err
		}
		a, err := tx.ExecutionInsert(ctx, newRun(d, "a", "r", t0))
		if err != nil {
			return err
		}
		if _, err := tx.ExecutionInsert(ctx, newRun(d, "b", "r", t0)); err != nil {
			return err
		}
		if _, err := tx.ExecutionInsert(ctx, newRun(other, "c", "r", t0)); err != nil {
			return err
		}
		if err := count(tx, d, 3, "after two starts"); err != nil {
			return err
		}
		if err := count(tx, other, 1, "the other domain"); err != nil {
			return err
		}
		run, err := tx.ExecutionGet(ctx, kept.ID)
		if err != nil {
			return err
		}
		if err := tx.ExecutionUpdate(ctx, closeRun(run, "COMPLETED", t0.Add(time.Minute))); err != nil {
			return err
		}
		if err := count(tx, d, 2, "after closing the stored run"); err != nil {
			return err
		}
		if err := tx.ExecutionDelete(ctx, a); err != nil {
			return err
		}
		return count(tx, d, 1, "after deleting a run started here")
	})
	read(t, s, func(tx store.Tx) error {
		if err := count(tx, d, 1, "committed"); err != nil {
			return err
		}
		return count(tx, other, 1, "committed, the other domain")
	})
	err := s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecutionInsert(ctx, newRun(d, "rolled-back", "r", t0)); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("the failing write committed")
	}
	read(t, s, func(tx store.Tx) error { return count(tx, d, 1, "after a write rolled back") })
	write(t, s, func(tx store.Tx) error { return count(tx, d, 1, "in the next write") })
}

// testHeartbeatOutsideWrite: a store that records heartbeats on their own
// (store.Heartbeater) does what ActivityHeartbeat does in a write, and
// commits it.
func testHeartbeatOutsideWrite(t *testing.T, s store.Store) {
	hb, ok := s.(store.Heartbeater)
	if !ok {
		t.Skip("the store records heartbeats in writes only")
	}
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	started := &store.Activity{ExecutionID: a, ScheduledEventID: 7, ActivityID: "started", StartedEventID: 8, Data: []byte(`{"n":7}`)}
	canceled := &store.Activity{ExecutionID: a, ScheduledEventID: 9, ActivityID: "canceled", StartedEventID: 10, CancelRequested: true, Data: []byte(`{"n":9}`)}
	unstarted := &store.Activity{ExecutionID: a, ScheduledEventID: 5, ActivityID: "unstarted", Data: []byte(`{"n":5}`)}
	write(t, s, func(tx store.Tx) error {
		for _, act := range []*store.Activity{started, canceled, unstarted} {
			if err := tx.ActivityPut(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	for _, h := range []store.Heartbeat{
		{ExecutionID: a, ScheduledEventID: 5, StartedEventID: 0},
		{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 9},
		{ExecutionID: a + 100, ScheduledEventID: 7, StartedEventID: 8},
	} {
		h.Details, h.At = ptr("bad"), t0.Add(time.Hour)
		if c, err := hb.ActivityHeartbeatNow(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ActivityHeartbeatNow(%+v) = %v, %v; want ErrNotFound", h, c, err)
		}
	}
	at := t0.Add(time.Second + 300*time.Microsecond)
	if c, err := hb.ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 7, StartedEventID: 8, Details: ptr("half"), At: at}); err != nil || c {
		t.Fatalf("heartbeat of the started activity = %v, %v; want false, nil", c, err)
	}
	if c, err := hb.ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: a, ScheduledEventID: 9, StartedEventID: 10, At: at}); err != nil || !c {
		t.Fatalf("heartbeat of the canceled activity = %v, %v; want true, nil", c, err)
	}
	started.HeartbeatDetails, started.LastHeartbeat = ptr("half"), ptr(ms(at))
	canceled.LastHeartbeat = ptr(ms(at))
	read(t, s, func(tx store.Tx) error { return checkActivities(ctx, tx, a, unstarted, started, canceled) })
}
