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

// This file checks the runs (executions) of store.Tx; visibility.go,
// events.go, activities.go, tasks.go and timers.go check the rest of what a
// run holds.

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

	read(t, s, func(tx store.Tx) error { return checkRunsFound(ctx, tx, r1, elsewhere) })
	checkRunUpdateAndClose(t, s, r1, other)
	checkRunRestart(t, s, r1)
}

// checkRunsFound checks the lookups of r1, open, and of elsewhere, an open
// run of the same workflowId in another domain.
func checkRunsFound(ctx context.Context, tx store.Tx, r1, elsewhere *store.Execution) error {
	d, other := r1.DomainID, elsewhere.DomainID
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
}

// checkRunUpdateAndClose updates r1, an open run, then closes it; the
// domain other has one open run.
func checkRunUpdateAndClose(t *testing.T, s store.Store, r1 *store.Execution, other int64) {
	t.Helper()
	ctx := context.Background()
	d := r1.DomainID
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

}

// checkRunRestart checks that once r1 is closed a new run of its
// workflowId may start, one at a time, and closed runs may be inserted
// beside it.
func checkRunRestart(t *testing.T, s store.Store, r1 *store.Execution) {
	t.Helper()
	ctx := context.Background()
	d := r1.DomainID
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
	err := s.Write(ctx, func(tx store.Tx) error {
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

	// A new run inherits nothing of the deleted one, not even its id (a
	// worker may still hold a task token naming it); the workflowId of the
	// deleted run is free again.
	c := newRun(d, "b", "rc", t0.Add(2*time.Second))
	insertRun(t, s, c)
	if c.ID <= b.ID {
		t.Errorf("the run inserted after deleting run %d got id %d: ids must never be handed out again", b.ID, c.ID)
	}
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

	// A write that changes runs it has not read counts them as well: it
	// deletes one open run, and closes another twice (the second update
	// changes nothing of the count).
	e := newRun(d, "e", "r", t0)
	e.ID = insertRun(t, s, e)
	f := newRun(d, "f", "r", t0)
	f.ID = insertRun(t, s, f)
	write(t, s, func(tx store.Tx) error {
		if err := count(tx, d, 3, "before, unread"); err != nil {
			return err
		}
		if err := tx.ExecutionDelete(ctx, e.ID); err != nil {
			return err
		}
		if err := count(tx, d, 2, "after deleting an unread run"); err != nil {
			return err
		}
		closed := closeRun(f, "COMPLETED", t0.Add(time.Minute))
		for range 2 {
			if err := tx.ExecutionUpdate(ctx, closed); err != nil {
				return err
			}
		}
		return count(tx, d, 1, "after closing an unread run twice")
	})
	read(t, s, func(tx store.Tx) error { return count(tx, d, 1, "committed, unread runs") })
}

// testStartLookup: StartLookup finds what DomainGetByName, TypeGet,
// ExecutionFind of the open run and ExecutionCountOpen find, in a read and
// in a write (where the count and the open run include what the write
// itself started), and nothing of a domain that is not there.
func testStartLookup(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	other := insertDomain(t, s, "other", store.StatusRegistered)
	write(t, s, func(tx store.Tx) error {
		for _, id := range []int64{d, other} {
			if err := tx.TypeInsert(ctx, &store.Type{DomainID: id, Kind: store.WorkflowType, Name: "wt", Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte(`{"x":1}`)}); err != nil {
				return err
			}
		}
		// An activity type of the same name is not the workflow type.
		return tx.TypeInsert(ctx, &store.Type{DomainID: d, Kind: store.ActivityType, Name: "at", Version: "1", Status: store.StatusRegistered, CreatedAt: t0, Config: []byte(`{}`)})
	})
	open := newRun(d, "w", "r1", t0)
	open.ID = insertRun(t, s, open)
	closed := newRun(d, "c", "r1", t0)
	closed.ID = insertRun(t, s, closeRun(closed, "COMPLETED", t0.Add(time.Minute)))
	insertRun(t, s, newRun(other, "x", "r1", t0))

	lookup := func(name, typeName, workflowID string) store.StartLookup {
		return store.StartLookup{Domain: name, Kind: store.WorkflowType, Name: typeName, Version: "1", WorkflowID: workflowID}
	}
	check := func(tx store.Tx, l store.StartLookup, typ bool, openRun *store.Execution, count int) error {
		f, err := tx.StartLookup(ctx, l)
		if err != nil {
			return err
		}
		if f.Domain == nil || f.Domain.Name != l.Domain || f.Domain.ID != d {
			return fmt.Errorf("%+v: domain %+v", l, f.Domain)
		}
		if (f.Type != nil) != typ || typ && (f.Type.Name != l.Name || f.Type.Kind != store.WorkflowType || f.Type.DomainID != d || string(f.Type.Config) != `{"x":1}`) {
			return fmt.Errorf("%+v: type %+v, want one: %v", l, f.Type, typ)
		}
		switch {
		case openRun == nil && f.Open != nil:
			return fmt.Errorf("%+v: open run %s/%s, want none", l, f.Open.WorkflowID, f.Open.RunID)
		case openRun != nil && f.Open == nil:
			return fmt.Errorf("%+v: no open run, want %s/%s", l, openRun.WorkflowID, openRun.RunID)
		case openRun != nil:
			if err := checkRun(f.Open, openRun); err != nil {
				return err
			}
		}
		if f.OpenCount != count {
			return fmt.Errorf("%+v: open count %d, want %d", l, f.OpenCount, count)
		}
		return nil
	}
	all := func(tx store.Tx, count int) error {
		for _, c := range []struct {
			l    store.StartLookup
			typ  bool
			open *store.Execution
		}{
			{lookup("d", "wt", "w"), true, open},
			{lookup("d", "wt", "c"), true, nil},
			{lookup("d", "wt", "x"), true, nil},
			{lookup("d", "at", "w"), false, open},
			{lookup("d", "nope", "nope"), false, nil},
		} {
			if err := check(tx, c.l, c.typ, c.open, count); err != nil {
				return err
			}
		}
		f, err := tx.StartLookup(ctx, lookup("nope", "wt", "w"))
		if err != nil {
			return err
		}
		if f.Domain != nil || f.Type != nil || f.Open != nil || f.OpenCount != 0 {
			return fmt.Errorf("unknown domain: found %+v", f)
		}
		return nil
	}
	read(t, s, func(tx store.Tx) error { return all(tx, 1) })
	write(t, s, func(tx store.Tx) error { return all(tx, 1) })
	write(t, s, func(tx store.Tx) error {
		started := newRun(d, "new", "r1", t0)
		id, err := tx.ExecutionInsert(ctx, started)
		if err != nil {
			return err
		}
		started.ID = id
		return check(tx, lookup("d", "wt", "new"), true, started, 2)
	})
}
