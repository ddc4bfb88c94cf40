package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// The tests of this file show what the READ COMMITTED design of Write
// relies on: the locks that keep the engine's checks true while other
// transactions run, and the orders they are taken in.

// holding runs fn in a write on s in the background, and keeps the
// transaction open (fn done, not committed) until release is called;
// held is closed once fn has run. The returned channel gets Write's error.
func holding(s *Store, fn func(ctx context.Context, tx store.Tx) error) (held <-chan struct{}, release func(), done <-chan error) {
	h, r, d := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	once := sync.Once{}
	go func() {
		d <- s.Write(context.Background(), func(tx store.Tx) error {
			if err := fn(context.Background(), tx); err != nil {
				return err
			}
			once.Do(func() { close(h) })
			<-r
			return nil
		})
	}()
	var ronce sync.Once
	return h, func() { ronce.Do(func() { close(r) }) }, d
}

// blocked reports whether a result has not come within a moment: the
// transaction that would give it waits for a lock.
func blocked[T any](c <-chan T) bool {
	select {
	case <-c:
		return false
	case <-time.After(300 * time.Millisecond):
		return true
	}
}

// Servers that start runs in one domain at once never leave it with more
// open runs than the quota, though each checks the count committed before
// its transaction: the commit that would go over fails, and its write,
// run again, sees the runs that won.
func testOpenRunQuotaHoldsAcrossServers(t *testing.T, url string) {
	const quota, startersPerNode, tries = 20, 6, 6
	ctx := context.Background()
	nodes := twoNodes(t, url)
	for _, n := range nodes {
		n.EnforceOpenExecutions(quota)
	}
	domainID, _ := newRun(t, nodes[0], "{}") // one open run already
	var started, full atomic.Int32
	var wg sync.WaitGroup
	for n, node := range nodes {
		for i := range startersPerNode {
			wg.Go(func() {
				for j := range tries {
					err := node.Write(ctx, func(tx store.Tx) error {
						open, err := tx.ExecutionCountOpen(ctx, domainID)
						if err != nil {
							return err
						}
						if open >= quota {
							return errFull
						}
						_, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: fmt.Sprintf("n%d-s%d-%d", n, i, j),
							RunID: "r", TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
						return err
					})
					switch {
					case errors.Is(err, errFull):
						full.Add(1)
					case err != nil:
						t.Error(err)
					default:
						started.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	var open, rows int
	err := nodes[0].Read(ctx, func(tx store.Tx) error {
		var err error
		if open, err = tx.ExecutionCountOpen(ctx, domainID); err != nil {
			return err
		}
		rows, err = tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: domainID, Open: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if open != quota || rows != quota || started.Load() != quota-1 {
		t.Fatalf("%d open runs counted, %d stored, %d started; want %d, %d, %d", open, rows, started.Load(), quota, quota, quota-1)
	}
	t.Logf("%d runs started, %d refused; %d of %d writes run again", started.Load(), full.Load(), nodes[0].Retries()+nodes[1].Retries(), nodes[0].Writes()+nodes[1].Writes())
}

// Servers that start and close runs in one domain at once keep its count
// exact, and never over the quota: starts queue on the count's one row
// that the quota holds, closes go to rows of their own (the count is the
// sum), and a start's check, which sees only the closes committed, can
// only be stricter than it need be. Every snapshot sees the count equal to
// the open runs, and no more than the quota.
func testOpenRunCountWithClosesAcrossServers(t *testing.T, url string) {
	const quota, workersPerNode, rounds = 8, 4, 12
	ctx := context.Background()
	nodes := twoNodes(t, url)
	for _, n := range nodes {
		n.EnforceOpenExecutions(quota)
	}
	domainID, _ := newRun(t, nodes[0], "{}")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	checked := make(chan error, 1)
	go func() { // every snapshot: count = open runs <= quota
		defer close(checked)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var open, rows int
			err := nodes[1].Read(ctx, func(tx store.Tx) error {
				var err error
				if open, err = tx.ExecutionCountOpen(ctx, domainID); err != nil {
					return err
				}
				rows, err = tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: domainID, Open: true})
				return err
			})
			if err == nil && (open != rows || open > quota) {
				err = fmt.Errorf("a snapshot counts %d open runs, holds %d; quota %d", open, rows, quota)
			}
			if err != nil {
				checked <- err
				return
			}
		}
	}()
	for n, node := range nodes {
		for i := range workersPerNode {
			wg.Go(func() {
				for j := range rounds {
					var id int64
					err := node.Write(ctx, func(tx store.Tx) error {
						id = 0
						open, err := tx.ExecutionCountOpen(ctx, domainID)
						if err != nil || open >= quota {
							return err
						}
						id, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: fmt.Sprintf("n%d-w%d-%d", n, i, j),
							RunID: "r", TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					if id == 0 || j%3 == 2 {
						continue // full, or a run left open
					}
					err = node.Write(ctx, func(tx store.Tx) error {
						e, err := tx.ExecutionGet(ctx, id)
						if err != nil {
							return err
						}
						e.Open = false
						return tx.ExecutionUpdate(ctx, e)
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(stop)
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
	var open, rows int
	err := nodes[0].Read(ctx, func(tx store.Tx) error {
		var err error
		if open, err = tx.ExecutionCountOpen(ctx, domainID); err != nil {
			return err
		}
		rows, err = tx.ExecutionCount(ctx, store.ExecutionFilter{DomainID: domainID, Open: true})
		return err
	})
	if err != nil || open != rows || open > quota {
		t.Fatalf("at the end: %d open runs counted, %d stored, %v; quota %d", open, rows, err, quota)
	}
}

// Writes of one run queue behind each other's row lock, and the next one
// reads what the first committed: a lookup of a workflowId's open run that
// waited for the transaction closing it finds the run that continues it.
func testFindOpenAfterContinueAsNew(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	domainID, runID := newRun(t, nodes[0], "{}")
	held, release, done := holding(nodes[0], func(ctx context.Context, tx store.Tx) error {
		e, err := tx.ExecutionGet(ctx, runID)
		if err != nil {
			return err
		}
		e.Open, e.CloseStatus, e.ClosedAt = false, ptr("CONTINUED_AS_NEW"), ptr(time.Now())
		if err := tx.ExecutionUpdate(ctx, e); err != nil {
			return err
		}
		_, err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: domainID, WorkflowID: "w", RunID: "next", TypeName: "t", TypeVersion: "1",
			Open: true, StartedAt: time.Now(), State: []byte("{}")})
		return err
	})
	<-held
	found := make(chan string, 1)
	go func() {
		var got string
		err := nodes[1].Write(ctx, func(tx store.Tx) error {
			e, err := tx.ExecutionFind(ctx, domainID, "w", "")
			if err == nil {
				got = e.RunID
			}
			return err
		})
		if err != nil {
			got = err.Error()
		}
		found <- got
	}()
	if !blocked(found) {
		t.Fatal("the lookup of the open run did not wait for the transaction closing it")
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := <-found; got != "next" {
		t.Fatalf("the lookup found %q, want the run that continues it", got)
	}
}

// A heartbeat, which takes no lock on the run, waits for a transition of
// the run that read its activity, and is not undone by it; done outside a
// write (store.Heartbeater), likewise.
func testHeartbeatWaitsForTransition(t *testing.T, url string) {
	// The transition reads the run by id, or takes a task of it (which
	// reads the run, and the activities, with the task).
	for _, byTask := range []bool{false, true} {
		t.Run(fmt.Sprintf("byTask=%v", byTask), func(t *testing.T) { heartbeatWaitsForTransition(t, url, byTask) })
	}
}

func heartbeatWaitsForTransition(t *testing.T, url string, byTask bool) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	domainID, runID := newRun(t, nodes[0], "{}")
	list := store.TaskListKey{DomainID: domainID, Kind: "decision", TaskList: "L"}
	err := nodes[0].Write(ctx, func(tx store.Tx) error {
		if err := tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: list.Kind, TaskList: list.TaskList, ExecutionID: runID, ScheduledEventID: 1}); err != nil {
			return err
		}
		return tx.ActivityPut(ctx, &store.Activity{ExecutionID: runID, ScheduledEventID: 5, ActivityID: "a", StartedEventID: 6, Data: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	held, release, done := holding(nodes[0], func(ctx context.Context, tx store.Tx) error {
		if byTask {
			if _, err := tx.TaskTake(ctx, list); err != nil {
				return err
			}
		}
		if _, err := tx.ExecutionGet(ctx, runID); err != nil {
			return err
		}
		acts, err := tx.ActivityList(ctx, runID)
		if err != nil {
			return err
		}
		acts[0].Data = []byte(`{"seen":true}`)
		return tx.ActivityPut(ctx, acts[0]) // rewrites the heartbeat columns it read
	})
	<-held
	beat := make(chan error, 2)
	go func() {
		beat <- nodes[1].Write(ctx, func(tx store.Tx) error {
			_, err := tx.ActivityHeartbeat(ctx, store.Heartbeat{ExecutionID: runID, ScheduledEventID: 5, StartedEventID: 6, Details: ptr("late"), At: time.Now()})
			return err
		})
	}()
	go func() {
		_, err := nodes[1].ActivityHeartbeatNow(ctx, store.Heartbeat{ExecutionID: runID, ScheduledEventID: 5, StartedEventID: 6, Details: ptr("late"), At: time.Now()})
		beat <- err
	}()
	if !blocked(beat) {
		t.Fatal("the heartbeat did not wait for the transition holding its run")
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-beat; err != nil {
			t.Fatal(err)
		}
	}
	err = nodes[1].Read(ctx, func(tx store.Tx) error {
		acts, err := tx.ActivityList(ctx, runID)
		if err != nil {
			return err
		}
		if a := acts[0]; a.HeartbeatDetails == nil || *a.HeartbeatDetails != "late" || string(a.Data) != `{"seen":true}` {
			return fmt.Errorf("activity after both: details %v, data %s", a.HeartbeatDetails, a.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A poller that has taken a task (its row locked) and waits for the run
// does not hold back the write that holds the run and takes the run's tasks
// off their lists: that write leaves the task to the poller rather than
// wait for it (each would wait for the other). The poller's TaskTake takes
// the task, then waits for the run, in one statement; once the write has
// committed, the poller reads the run as the write left it.
func testRunWriterLeavesTakenTaskToPoller(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	domainID, runID := newRun(t, nodes[0], "{}")
	list := store.TaskListKey{DomainID: domainID, Kind: "activity", TaskList: "L"}
	err := nodes[0].Write(ctx, func(tx store.Tx) error {
		return tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: "activity", TaskList: "L", ExecutionID: runID, ScheduledEventID: 5})
	})
	if err != nil {
		t.Fatal(err)
	}
	locked, proceed := make(chan struct{}), make(chan struct{})
	var lockOnce sync.Once
	closer := make(chan error, 1)
	go func() {
		closer <- nodes[1].Write(ctx, func(tx store.Tx) error {
			e, err := tx.ExecutionGet(ctx, runID)
			if err != nil {
				return err
			}
			lockOnce.Do(func() { close(locked) })
			<-proceed
			if err := tx.TaskDeleteAll(ctx, runID); err != nil {
				return err
			}
			e.Open = false
			return tx.ExecutionUpdate(ctx, e)
		})
	}()
	<-locked
	var sawOpen bool
	poller := make(chan error, 1)
	go func() {
		poller <- nodes[0].Write(ctx, func(tx store.Tx) error {
			task, err := tx.TaskTake(ctx, list)
			if err != nil {
				return err
			}
			e, err := tx.ExecutionGet(ctx, task.ExecutionID)
			if err != nil {
				return err
			}
			sawOpen = e.Open
			return nil
		})
	}()
	if !blocked(poller) {
		t.Fatal("the poller did not wait for the run that a write holds")
	}
	close(proceed)
	select {
	case err := <-closer:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write holding the run waited for the task a poller took")
	}
	if err := <-poller; err != nil {
		t.Fatal(err)
	}
	if sawOpen {
		t.Error("the poller read the run as it was before the write that closed it")
	}
	var left int
	err = nodes[1].Read(ctx, func(tx store.Tx) (err error) {
		left, err = tx.TaskCount(ctx, list)
		return err
	})
	if err != nil || left != 0 {
		t.Fatalf("%d tasks left, %v", left, err)
	}
}
