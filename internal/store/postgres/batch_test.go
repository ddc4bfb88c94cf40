package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// The tests of the group commit of writes (batch.go), run by TestPostgres.

// newRuns inserts a domain and n open runs in it, and returns their ids.
func newRuns(t *testing.T, s *Store, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	err := s.Write(ctx, func(tx store.Tx) error {
		d, err := insertDomain(ctx, tx, "batch")
		if err != nil {
			return err
		}
		for i := range ids {
			ids[i], err = tx.ExecutionInsert(ctx, &store.Execution{DomainID: d, WorkflowID: fmt.Sprint("w", i), RunID: "r",
				TypeName: "t", TypeVersion: "1", Open: true, StartedAt: time.Now(), State: []byte("{}")})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// appendEvent is a write of a transition: it reads the run, locked, and
// adds an event to its history.
func appendEvent(ctx context.Context, tx store.Tx, runID, eventID int64) error {
	if _, err := tx.ExecutionGet(ctx, runID); err != nil {
		return err
	}
	return tx.EventInsert(ctx, runID, []store.Event{{ID: eventID, Data: []byte(`{}`)}})
}

// historyLen is how many events a run has.
func historyLen(t *testing.T, s *Store, runID int64) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := s.Read(ctx, func(tx store.Tx) error {
		ev, err := tx.EventList(ctx, store.EventListParams{ExecutionID: runID, Limit: 1000})
		n = len(ev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// holdBatches fills the store's batch slots with writes that wait for the
// returned release, so that the writes that come next wait, together, for
// one batch; it returns once they wait, with a channel of the held writes'
// errors.
func holdBatches(t *testing.T, s *Store, runID int64) (release func(), held <-chan error) {
	t.Helper()
	ctx := context.Background()
	gate := make(chan struct{})
	errs := make(chan error, writeBatches)
	var started sync.WaitGroup
	started.Add(writeBatches)
	for i := range writeBatches {
		go func() {
			once := sync.Once{}
			errs <- s.Write(ctx, func(tx store.Tx) error {
				once.Do(started.Done)
				<-gate
				return tx.EventInsert(ctx, runID, []store.Event{{ID: int64(1000 + i), Data: []byte(`{}`)}})
			})
		}()
	}
	started.Wait()
	return func() { close(gate) }, errs
}

// holdRun makes s, alone, hold a run locked until release is called; it
// returns once the run is held, with a channel of the holding write's
// error.
func holdRun(t *testing.T, s *Store, runID int64) (release func(), held <-chan error) {
	t.Helper()
	ctx := context.Background()
	s.SetGroupCommit(false)
	locked, gate := make(chan struct{}), make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		errs <- s.Write(ctx, func(tx store.Tx) error {
			if _, err := tx.ExecutionGet(ctx, runID); err != nil {
				return err
			}
			close(locked)
			<-gate
			return nil
		})
	}()
	<-locked
	return func() { close(gate) }, errs
}

// waitPending waits until n writes wait for a batch.
func waitPending(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.batches.mu.Lock()
		k := len(s.batches.pending)
		s.batches.mu.Unlock()
		if k >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes wait for a batch, want %d", k, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Writes that wait together go in one transaction; a write whose function
// fails in it leaves nothing behind and gets its error, and the others
// commit.
func testGroupCommitCarriesWrites(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	runs := newRuns(t, s, 21)
	release, held := holdBatches(t, s, runs[20])
	const n = 20
	failure := errors.New("the callback's error")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Write(ctx, func(tx store.Tx) error {
				if err := appendEvent(ctx, tx, runs[i], 1); err != nil {
					return err
				}
				if i == 7 {
					return failure // its event, queued, is dropped
				}
				return nil
			})
		})
	}
	waitPending(t, s, n)
	b0, w0 := s.GroupCommits()
	r0 := s.Retries()
	release()
	wg.Wait()
	for range writeBatches {
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	}
	for i, err := range errs {
		want := 1
		if i == 7 {
			want = 0
			if !errors.Is(err, failure) {
				t.Errorf("write %d: %v, want the callback's error", i, err)
			}
		} else if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
		if got := historyLen(t, s, runs[i]); got != want {
			t.Errorf("run %d has %d events, want %d", i, got, want)
		}
	}
	b1, w1 := s.GroupCommits()
	if b1-b0 != writeBatches+1 || w1-w0 != writeBatches+n || s.Retries() != r0 {
		t.Errorf("%d batches carried %d writes, %d run again; want %d batches of %d writes, none again",
			b1-b0, w1-w0, s.Retries()-r0, writeBatches+1, writeBatches+n)
	}
}

// A batch whose statement fails (here at commit: a write's own duplicate
// event) commits nothing; each of its writes runs again alone, and only the
// failing one fails. A write that panics in a batch panics in its caller.
func testGroupCommitFailureRunsWritesAlone(t *testing.T, url string) {
	ctx := context.Background()
	s := openOn(t, url, newSchema(t, url))
	runs := newRuns(t, s, 11)
	release, held := holdBatches(t, s, runs[10])
	const n = 10
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = s.Write(ctx, func(tx store.Tx) error {
				switch i {
				case 3:
					return tx.EventInsert(ctx, runs[i], []store.Event{{ID: 1, Data: []byte(`{}`)}, {ID: 1, Data: []byte(`{}`)}})
				case 5:
					panic("write 5 panics")
				}
				return appendEvent(ctx, tx, runs[i], 1)
			})
		})
	}
	waitPending(t, s, n)
	release()
	wg.Wait()
	for range writeBatches {
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		switch {
		case i == 3:
			if sqlState(errs[i]) != codeUniqueViolation {
				t.Errorf("write 3: %v, want a unique violation", errs[i])
			}
		case i == 5:
			if panics[i] != "write 5 panics" {
				t.Errorf("write 5 panicked with %v", panics[i])
			}
		case errs[i] != nil || panics[i] != nil:
			t.Errorf("write %d: %v, panic %v", i, errs[i], panics[i])
		default:
			if got := historyLen(t, s, runs[i]); got != 1 {
				t.Errorf("run %d has %d events, want 1", i, got)
			}
		}
	}
	if got := historyLen(t, s, runs[3]); got != 0 {
		t.Errorf("the failing write left %d events", got)
	}
}

// A batch waits for no run that another transaction holds: its writes on
// that run run alone, and wait, and the others commit meanwhile. Were the
// batches to wait, the writes after them here would wait too.
func testGroupCommitDoesNotWaitForABusyRun(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	runs := newRuns(t, nodes[0], 4)
	// Another server holds run 0.
	release, holder := holdRun(t, nodes[1], runs[0])
	// As many writes on it as there are batch slots, then writes on the
	// other runs.
	busy := make(chan error, writeBatches)
	for i := range writeBatches {
		go func() {
			busy <- nodes[0].Write(ctx, func(tx store.Tx) error { return appendEvent(ctx, tx, runs[0], int64(1+i)) })
		}()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i := 1; i < len(runs); i++ {
		wg.Go(func() {
			errs[i] = nodes[0].Write(ctx, func(tx store.Tx) error { return appendEvent(ctx, tx, runs[i], 1) })
		})
	}
	others := make(chan struct{})
	go func() { wg.Wait(); close(others) }()
	select {
	case <-others: // while run 0 is held
	case <-time.After(10 * time.Second):
		t.Error("the writes on the other runs waited for the held run")
		release()
		<-others
		return
	}
	for i := 1; i < len(runs); i++ {
		if errs[i] != nil {
			t.Errorf("write on run %d: %v", i, errs[i])
		}
	}
	select {
	case err := <-busy:
		t.Fatalf("a write on the held run went ahead: %v", err)
	default:
	}
	release()
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	for range writeBatches {
		if err := <-busy; err != nil {
			t.Error(err)
		}
	}
	if got := historyLen(t, nodes[0], runs[0]); got != writeBatches {
		t.Errorf("the held run has %d events, want %d", got, writeBatches)
	}
	if nodes[0].Retries() < writeBatches {
		t.Errorf("%d writes ran again alone, want %d at least", nodes[0].Retries(), writeBatches)
	}
}

// A take in a batch that finds the list empty answers so, as a take alone
// does, and does not run again; one that finds only a task whose run
// another transaction holds runs again alone, and takes it once the run is
// free.
func testGroupCommitTakes(t *testing.T, url string) {
	ctx := context.Background()
	nodes := twoNodes(t, url)
	s := nodes[0]
	runs := newRuns(t, s, 1)
	var domainID int64
	err := s.Read(ctx, func(tx store.Tx) error {
		d, err := tx.DomainGetByName(ctx, "batch")
		if d != nil {
			domainID = d.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	list := store.TaskListKey{DomainID: domainID, Kind: "decision", TaskList: "L"}
	take := func() (*store.Task, error) {
		var task *store.Task
		err := s.Write(ctx, func(tx store.Tx) error {
			var err error
			task, err = tx.TaskTake(ctx, list)
			if errors.Is(err, store.ErrNotFound) {
				task, err = nil, nil
			}
			return err
		})
		return task, err
	}
	r0 := s.Retries()
	if task, err := take(); task != nil || err != nil {
		t.Fatalf("take from an empty list: %v, %v", task, err)
	}
	if n := s.Retries() - r0; n != 0 {
		t.Errorf("the take from an empty list ran again %d times", n)
	}

	err = s.Write(ctx, func(tx store.Tx) error {
		return tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: list.Kind, TaskList: list.TaskList, ExecutionID: runs[0], ScheduledEventID: 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	// The other server holds the task's run.
	release, holder := holdRun(t, nodes[1], runs[0])
	r0 = s.Retries()
	taken := make(chan *store.Task, 1)
	go func() {
		task, err := take()
		if err != nil {
			t.Error(err)
		}
		taken <- task
	}()
	for s.Retries() == r0 { // the take runs again alone, and waits
		time.Sleep(time.Millisecond)
	}
	select {
	case task := <-taken:
		t.Fatalf("the take went ahead of the transaction holding the run: %v", task)
	default:
	}
	release()
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	if task := <-taken; task == nil || task.ExecutionID != runs[0] {
		t.Fatalf("took %+v, want the task of run %d", task, runs[0])
	}
}
