package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openswf/openswf/internal/store"
)

func testTasks(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	d2 := insertDomain(t, s, "d2", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	b := insertRun(t, s, newRun(d, "b", "rb", t0))
	c := insertRun(t, s, newRun(d2, "c", "rc", t0))
	list := store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "L"}
	task := newTask
	insertTasks(t, s,
		task(d, "decision", "L", 0, a, 1),
		task(d, "decision", "L", 5, b, 2),
		task(d, "decision", "L", 5, a, 3),
		task(d, "decision", "L", -1, b, 4),
		// Other lists, with higher priorities.
		task(d, "activity", "L", 100, a, 10),
		task(d, "decision", "M", 100, b, 11),
		task(d2, "decision", "L", 100, c, 12),
	)
	next := func(k store.TaskListKey, want *store.Task) int64 { t.Helper(); return checkTaskNext(t, s, k, want) }
	lists := []store.TaskListKey{
		list,
		{DomainID: d, Kind: "activity", TaskList: "L"},
		{DomainID: d, Kind: "decision", TaskList: "M"},
		{DomainID: d2, Kind: "decision", TaskList: "L"},
		{DomainID: d, Kind: "decision", TaskList: "none"},
	}
	counts := func(want ...int) { t.Helper(); checkTaskCounts(t, s, lists, want...) }
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
	insertTasks(t, s, task(d, "decision", "L", 1, b, 20))
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

func newTask(domain int64, kind, taskList string, prio int32, exec, sched int64) store.Task {
	return store.Task{DomainID: domain, Kind: kind, TaskList: taskList, Priority: prio, ExecutionID: exec, ScheduledEventID: sched}
}

// insertTasks inserts tasks, in one transaction.
func insertTasks(t *testing.T, s store.Store, tasks ...store.Task) {
	t.Helper()
	write(t, s, func(tx store.Tx) error {
		for _, x := range tasks {
			if err := tx.TaskInsert(context.Background(), &x); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkTaskNext checks what TaskNext of k returns (want nil: none), and
// returns its id.
func checkTaskNext(t *testing.T, s store.Store, k store.TaskListKey, want *store.Task) int64 {
	t.Helper()
	ctx := context.Background()
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

// checkTaskCounts checks TaskCount of each list: want[i] for lists[i].
func checkTaskCounts(t *testing.T, s store.Store, lists []store.TaskListKey, want ...int) {
	t.Helper()
	ctx := context.Background()
	read(t, s, func(tx store.Tx) error {
		for i, k := range lists {
			if n, err := tx.TaskCount(ctx, k); err != nil || n != want[i] {
				return fmt.Errorf("TaskCount(%+v) = %d, %v; want %d", k, n, err, want[i])
			}
		}
		return nil
	})
}

// testReadOne: store.ReadOne reads what a Read reads, with one statement
// (the engine looks at a task list, a page of history, the next timer so).
// On stores that run it outside a transaction (store.OneStatementReader), a
// second statement fails, and a statement that would write fails and
// changes nothing: the read's statement, committed as it runs, must not
// take a task.
func testReadOne(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	a := insertRun(t, s, newRun(d, "a", "ra", t0))
	k := store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "L"}
	insertTasks(t, s, newTask(d, "decision", "L", 0, a, 1))
	var got *store.Task
	if err := store.ReadOne(ctx, s, func(tx store.Tx) error {
		var err error
		got, err = tx.TaskNext(ctx, k)
		return err
	}); err != nil || got.ExecutionID != a || got.ScheduledEventID != 1 {
		t.Fatalf("ReadOne of TaskNext = %+v, %v; want the task of run %d", got, err, a)
	}
	if err := store.ReadOne(ctx, s, func(tx store.Tx) error {
		_, err := tx.TaskNext(ctx, store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "none"})
		return err
	}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ReadOne of an empty list: %v, want ErrNotFound", err)
	}
	if _, ok := s.(store.OneStatementReader); !ok {
		return
	}
	err := store.ReadOne(ctx, s, func(tx store.Tx) error {
		if _, err := tx.TaskNext(ctx, k); err != nil {
			return err
		}
		_, err := tx.TaskCount(ctx, k)
		return err
	})
	if err == nil {
		t.Fatal("a ReadOne made two statements")
	}
	err = store.ReadOne(ctx, s, func(tx store.Tx) error {
		_, err := tx.TaskTake(ctx, k)
		return err
	})
	if err == nil {
		t.Fatal("a ReadOne took a task")
	}
	checkTaskNext(t, s, k, &store.Task{DomainID: d, Kind: "decision", TaskList: "L", Priority: 0, ExecutionID: a, ScheduledEventID: 1})
}

// testTakeThenGetRun: in a write, the run of a task just taken reads as
// stored (PostgreSQL reads it with the task), and as the write changed it
// once it did; a task whose run is gone is taken all the same, and its run
// is not found.
func testTakeThenGetRun(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := insertDomain(t, s, "d", store.StatusRegistered)
	r := newRun(d, "a", "ra", t0)
	r.Tags = []string{"x"}
	r.ID = insertRun(t, s, r)
	gone := insertRun(t, s, newRun(d, "b", "rb", t0))
	k := store.TaskListKey{DomainID: d, Kind: "decision", TaskList: "L"}
	write(t, s, func(tx store.Tx) error { return tx.ExecutionDelete(ctx, gone) })
	// A task left behind by its run (a poller was taking it as the run
	// was deleted, then rolled back).
	insertTasks(t, s, newTask(d, "decision", "L", 1, r.ID, 1), newTask(d, "decision", "L", 0, gone, 2))
	write(t, s, func(tx store.Tx) error {
		task, err := tx.TaskTake(ctx, k)
		if err != nil || task.ExecutionID != r.ID {
			return fmt.Errorf("TaskTake = %+v, %v; want the task of run %d", task, err, r.ID)
		}
		got, err := tx.ExecutionGet(ctx, r.ID)
		if err != nil {
			return err
		}
		if err := checkRun(got, r); err != nil {
			return fmt.Errorf("run of the task taken: %w", err)
		}
		changed := *got
		changed.State = []byte(`{"changed":true}`)
		if err := tx.ExecutionUpdate(ctx, &changed); err != nil {
			return err
		}
		again, err := tx.ExecutionGet(ctx, r.ID)
		if err != nil {
			return err
		}
		if string(again.State) != `{"changed":true}` {
			return fmt.Errorf("run after the write changed it: state %s", again.State)
		}
		task, err = tx.TaskTake(ctx, k)
		if err != nil || task.ExecutionID != gone {
			return fmt.Errorf("TaskTake of the task of a deleted run = %+v, %v", task, err)
		}
		if _, err := tx.ExecutionGet(ctx, gone); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted run of a task taken: %v, want ErrNotFound", err)
		}
		return nil
	})
	checkTaskNext(t, s, k, nil)
}
