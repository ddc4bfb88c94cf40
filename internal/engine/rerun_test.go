package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// rerunStore runs every write function twice, as a store shared by
// several servers (PostgreSQL) may after a deadlock or a lost race: the
// first attempt is rolled back, the second commits. It keeps what each
// attempt wrote, so that a test can see that both wrote the same.
type rerunStore struct {
	store.Store
	mu sync.Mutex
	// writes counts the writes run twice; diffs are those whose attempts
	// differed.
	writes int
	diffs  []string
}

var errFirstAttempt = errors.New("first attempt, rolled back")

func (s *rerunStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	var first, second *recordingTx
	var firstErr error
	err := s.Store.Write(ctx, func(tx store.Tx) error {
		first = &recordingTx{Tx: tx}
		firstErr = fn(first)
		return errFirstAttempt
	})
	if !errors.Is(err, errFirstAttempt) {
		return err
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		second = &recordingTx{Tx: tx}
		return fn(second)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if a, b := first.String()+fmt.Sprint(firstErr), second.String()+fmt.Sprint(err); a != b {
		s.diffs = append(s.diffs, fmt.Sprintf("first attempt:\n%s\nsecond:\n%s", a, b))
	}
	return err
}

// recordingTx keeps, in order, what a write changes.
type recordingTx struct {
	store.Tx
	log []string
}

func (r *recordingTx) String() string { return strings.Join(r.log, "\n") }

func (r *recordingTx) add(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

func (r *recordingTx) ExecutionInsert(ctx context.Context, e *store.Execution) (int64, error) {
	id, err := r.Tx.ExecutionInsert(ctx, e)
	r.add("ExecutionInsert %s -> %d, %v", execString(e), id, err)
	return id, err
}

func (r *recordingTx) ExecutionUpdate(ctx context.Context, e *store.Execution) error {
	r.add("ExecutionUpdate %s", execString(e))
	return r.Tx.ExecutionUpdate(ctx, e)
}

func execString(e *store.Execution) string {
	return fmt.Sprintf("%d %s %s open=%v close=%s at=%v started=%v cancel=%v tags=%v parent=%s/%s state=%s", e.ID, e.WorkflowID, e.RunID, e.Open,
		swfapi.Deref(e.CloseStatus), swfapi.Deref(e.ClosedAt), e.StartedAt, e.CancelRequested, e.Tags, swfapi.Deref(e.ParentWorkflowID), swfapi.Deref(e.ParentRunID), e.State)
}

func (r *recordingTx) EventInsert(ctx context.Context, executionID int64, events []store.Event) error {
	for _, e := range events {
		r.add("EventInsert %d %d %s", executionID, e.ID, e.Data)
	}
	return r.Tx.EventInsert(ctx, executionID, events)
}

func (r *recordingTx) ActivityPut(ctx context.Context, a *store.Activity) error {
	r.add("ActivityPut %d %d %s %d %s", a.ExecutionID, a.ScheduledEventID, a.ActivityID, a.StartedEventID, a.Data)
	return r.Tx.ActivityPut(ctx, a)
}

func (r *recordingTx) ActivityDelete(ctx context.Context, executionID, scheduledEventID int64) error {
	r.add("ActivityDelete %d %d", executionID, scheduledEventID)
	return r.Tx.ActivityDelete(ctx, executionID, scheduledEventID)
}

func (r *recordingTx) TaskInsert(ctx context.Context, t *store.Task) error {
	r.add("TaskInsert %+v", *t)
	return r.Tx.TaskInsert(ctx, t)
}

func (r *recordingTx) TaskDelete(ctx context.Context, executionID int64, kind string, scheduledEventID int64) error {
	r.add("TaskDelete %d %s %d", executionID, kind, scheduledEventID)
	return r.Tx.TaskDelete(ctx, executionID, kind, scheduledEventID)
}

func (r *recordingTx) TimerPut(ctx context.Context, t *store.Timer) error {
	r.add("TimerPut %v %d %s %d", t.Due, t.ExecutionID, t.Kind, t.Ref)
	return r.Tx.TimerPut(ctx, t)
}

func (r *recordingTx) TimerDelete(ctx context.Context, executionID int64, kind string, ref int64) error {
	r.add("TimerDelete %d %s %d", executionID, kind, ref)
	return r.Tx.TimerDelete(ctx, executionID, kind, ref)
}

// A write is a function of what it reads, the time and the facts drawn
// before it: run twice from the same store at the same time, every write
// of a run's life — its start, polls, decisions that start a child, signal
// another run and continue as new, timers, a signal, a reset — writes
// exactly the same runs, runIds, events, timestamps, tasks and timers.
func TestWritesRunTwiceWriteAlike(t *testing.T) {
	var rs *rerunStore
	h := newHarnessWith(t, engine.Config{}, func(s store.Store) store.Store {
		rs = &rerunStore{Store: s}
		return rs
	}, nil)
	target := h.start("target")
	h.decide(target, startTimer("t", "10"))
	run := h.start("w")
	h.decide(run, startChild("child"), signal("target"), swfapi.Decision{DecisionType: swfapi.DecisionTypeContinueAsNewWorkflowExecution.Ptr(),
		ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: swfapi.Ptr("next")}})
	next := &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("w"), RunId: h.events(run)[len(h.events(run))-1].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
	h.advance(10 * time.Second)
	h.must(h.e.SignalWorkflowExecution(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr("w"), SignalName: swfapi.Ptr("s")}))
	// The decision tasks of the target, the child and the next run.
	for range 3 {
		h.respond(h.pollDecision(), schedule("a", "NONE"))
	}
	at := h.pollActivity()
	h.must(h.e.RespondActivityTaskCompleted(ctx, &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken}))
	completed := h.find(h.events(next), swfapi.EventTypeDecisionTaskCompleted)
	reset, err := h.e.ResetWorkflowExecution(ctx, &engine.ResetInput{Domain: domain, WorkflowID: "w", DecisionTaskCompletedEventID: *completed.EventId})
	h.must(err)
	h.wantLast(reset, "DecisionTaskScheduled")

	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.writes < 10 {
		t.Fatalf("only %d writes run twice", rs.writes)
	}
	for _, d := range rs.diffs {
		t.Error(d)
	}
}

// tickingClock moves on a millisecond every time it is read, so that a
// write that read it twice would see two times.
type tickingClock struct{ *clock.Fake }

func (c tickingClock) Now() time.Time {
	c.Advance(time.Millisecond)
	return c.Fake.Now()
}

// The time is read once per write: every run one write touches — the run
// that decides, the child it starts, the run it signals, the run that
// continues it — records its events, and starts, at that one time.
func TestOneTimePerWrite(t *testing.T) {
	h := newHarnessWith(t, engine.Config{}, nil, func(f *clock.Fake) clock.Clock { return tickingClock{f} })
	target := h.start("target")
	h.decide(target)
	run := h.start("w")
	h.decide(run, startChild("child"), signal("target"))
	events := h.events(run)
	started := h.find(events, swfapi.EventTypeChildWorkflowExecutionStarted)
	at := started.EventTimestamp.Time
	childRun := started.ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	te := h.events(target)
	written := append(events[3:], h.events(childRun)...) // from DecisionTaskCompleted
	written = append(written, te[len(te)-2:]...)         // signaled, a decision task scheduled
	wantAt(t, written, 10, at)
	d, err := h.e.DescribeWorkflowExecution(ctx, &swfapi.DescribeWorkflowExecutionInput{Domain: swfapi.Ptr(domain), Execution: childRun})
	h.must(err)
	if !d.ExecutionInfo.StartTimestamp.Equal(at) {
		t.Fatalf("child started %v, want %v", d.ExecutionInfo.StartTimestamp.Time, at)
	}

	h.decide(run, swfapi.Decision{DecisionType: swfapi.DecisionTypeContinueAsNewWorkflowExecution.Ptr(),
		ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: swfapi.Ptr("next")}})
	events = h.events(run)
	done := events[len(events)-1]
	next := &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("w"), RunId: done.WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
	// The parent's policy (TERMINATE) does not apply to a run continued as
	// new: the child is not touched.
	wantAt(t, append(events[len(events)-2:], h.events(next)...), 4, done.EventTimestamp.Time)
}

// wantAt fails unless there are n events, all at one time.
func wantAt(t *testing.T, events []swfapi.HistoryEvent, n int, at time.Time) {
	t.Helper()
	if len(events) != n {
		t.Fatalf("%d events written, want %d", len(events), n)
	}
	for _, e := range events {
		if !e.EventTimestamp.Equal(at) {
			t.Errorf("event %d %s at %v, the write's others at %v", *e.EventId, *e.EventType, e.EventTimestamp.Time, at)
		}
	}
}

// find returns the first event of a type.
func (h *harness) find(events []swfapi.HistoryEvent, t swfapi.EventType) *swfapi.HistoryEvent {
	h.t.Helper()
	for i := range events {
		if *events[i].EventType == t {
			return &events[i]
		}
	}
	h.t.Fatalf("no %s in %d events", t, len(events))
	return nil
}
