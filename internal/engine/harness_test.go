package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/store/sqlite/sqlitetest"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// The engine's own tests run its operations on a real SQLite store in a
// temporary file with a fake clock, without HTTP: what the engine decides
// (which runs a write touches, what a poll claims, when timers fire) is
// checked here; the wire's shapes and errors are internal/server's tests.
// (SQLite's ":memory:" does not serve: the store reads through a pool of
// its own connections, and each would open a database of its own.)

var epoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const domain = "d"

var ctx = context.Background()

// countingStore counts the store's write transactions and can fail the
// next one after its function ran, so that it rolls back.
type countingStore struct {
	store.Store
	writes   atomic.Int64
	failNext atomic.Bool
}

var errInjected = errors.New("injected failure")

func (s *countingStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	s.writes.Add(1)
	return s.Store.Write(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.failNext.CompareAndSwap(true, false) {
			return errInjected
		}
		return nil
	})
}

// harness is an engine on a fresh store, with a domain "d" (retention one
// day), a workflow type "wf" (task list "deciders", 30 s decision tasks,
// an hour per run, TERMINATE) and an activity type "act" (task list
// "workers", every timeout given per task).
type harness struct {
	t     *testing.T
	e     *engine.Engine
	clock *clock.Fake
	// store counts the engine's writes (nil on a harness of newHarnessOn).
	store *countingStore
}

func newHarness(t *testing.T, cfg engine.Config) *harness {
	return newHarnessWith(t, cfg, nil, nil)
}

// newHarnessWith is newHarness with the engine's store and clock wrapped
// (nil: as they are).
func newHarnessWith(t *testing.T, cfg engine.Config, wrapStore func(store.Store) store.Store, wrapClock func(*clock.Fake) clock.Clock) *harness {
	t.Helper()
	st, err := sqlite.Open(ctx, sqlitetest.File(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var inner store.Store = st
	if wrapStore != nil {
		inner = wrapStore(st)
	}
	cs := &countingStore{Store: inner}
	clk := clock.NewFake(epoch)
	var engineClock clock.Clock = clk
	if wrapClock != nil {
		engineClock = wrapClock(clk)
	}
	h := newHarnessOn(t, cfg, cs, clk, engineClock)
	h.store = cs
	return h
}

// newHarnessOn is newHarness on the store st, as it is (h.store is nil),
// with the fake clock clk, or engineClock, as the engine's.
func newHarnessOn(t *testing.T, cfg engine.Config, st store.Store, clk *clock.Fake, engineClock clock.Clock) *harness {
	t.Helper()
	if cfg.LongPollWait == 0 {
		cfg.LongPollWait = time.Second
	}
	keys := engine.Keys{PageToken: []byte("page-token-key-for-tests-only-32"), TaskToken: []byte("task-token-key-for-tests-only-32")}
	h := &harness{t: t, e: engine.New(cfg, st, engineClock, keys), clock: clk}
	h.must(h.e.RegisterDomain(ctx, &swfapi.RegisterDomainInput{Name: swfapi.Ptr(domain), WorkflowExecutionRetentionPeriodInDays: swfapi.Ptr("1")}))
	h.must(h.e.RegisterWorkflowType(ctx, &swfapi.RegisterWorkflowTypeInput{
		Domain: swfapi.Ptr(domain), Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1"),
		DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, DefaultTaskStartToCloseTimeout: swfapi.Ptr("30"),
		DefaultExecutionStartToCloseTimeout: swfapi.Ptr("3600"), DefaultChildPolicy: swfapi.ChildPolicyTerminate.Ptr(),
	}))
	h.must(h.e.RegisterActivityType(ctx, &swfapi.RegisterActivityTypeInput{
		Domain: swfapi.Ptr(domain), Name: swfapi.Ptr("act"), Version: swfapi.Ptr("1"), DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")},
	}))
	return h
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// start starts a run of wf and returns it.
func (h *harness) start(workflowID string) *swfapi.WorkflowExecution {
	h.t.Helper()
	run, err := h.e.StartWorkflowExecution(ctx, &swfapi.StartWorkflowExecutionInput{
		Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr(workflowID), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1")},
	})
	h.must(err)
	return &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(workflowID), RunId: run.RunId}
}

// pollDecision takes the next decision task of "deciders"; the list must
// have one.
func (h *harness) pollDecision() *swfapi.DecisionTask {
	h.t.Helper()
	dt, err := h.e.PollForDecisionTask(ctx, &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, Identity: swfapi.Ptr("decider")})
	h.must(err)
	if dt.TaskToken == nil || *dt.TaskToken == "" {
		h.t.Fatal("no decision task")
	}
	dt.Events = h.decode(dt.Events)
	return dt
}

// decide takes the next decision task, which must be of run, and
// completes it with the decisions.
func (h *harness) decide(run *swfapi.WorkflowExecution, decisions ...swfapi.Decision) {
	h.t.Helper()
	dt := h.pollDecision()
	if *dt.WorkflowExecution.RunId != *run.RunId {
		h.t.Fatalf("decision task of %s, want %s", *dt.WorkflowExecution.WorkflowId, *run.WorkflowId)
	}
	h.respond(dt, decisions...)
}

func (h *harness) respond(dt *swfapi.DecisionTask, decisions ...swfapi.Decision) {
	h.t.Helper()
	in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken, Decisions: decisions}
	h.must(in.Validate(nil))
	h.must(h.e.RespondDecisionTaskCompleted(ctx, in))
}

// pollActivity takes the next activity task of "workers"; the list must
// have one.
func (h *harness) pollActivity() *swfapi.ActivityTask {
	h.t.Helper()
	at, err := h.e.PollForActivityTask(ctx, &swfapi.PollForActivityTaskInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}})
	h.must(err)
	if at.TaskToken == nil || *at.TaskToken == "" {
		h.t.Fatal("no activity task")
	}
	return at
}

// history returns the run's event types.
func (h *harness) history(run *swfapi.WorkflowExecution) []string {
	h.t.Helper()
	var out []string
	for _, e := range h.events(run) {
		out = append(out, string(*e.EventType))
	}
	return out
}

func (h *harness) events(run *swfapi.WorkflowExecution) []swfapi.HistoryEvent {
	h.t.Helper()
	hist, err := h.e.GetWorkflowExecutionHistory(ctx, &swfapi.GetWorkflowExecutionHistoryInput{Domain: swfapi.Ptr(domain), Execution: run})
	h.must(err)
	return h.decode(hist.Events)
}

// decode reads events the engine passes on as stored (Raw JSON).
func (h *harness) decode(events []swfapi.HistoryEvent) []swfapi.HistoryEvent {
	h.t.Helper()
	out := make([]swfapi.HistoryEvent, len(events))
	for i, e := range events {
		if e.Raw == nil {
			out[i] = e
			continue
		}
		h.must(json.Unmarshal(e.Raw, &out[i]))
	}
	return out
}

// last returns the last n event types of the run's history.
func (h *harness) last(run *swfapi.WorkflowExecution, n int) []string {
	all := h.history(run)
	return all[max(0, len(all)-n):]
}

// wantLast fails unless the run's history ends with the event types.
func (h *harness) wantLast(run *swfapi.WorkflowExecution, want ...string) {
	h.t.Helper()
	if got := h.last(run, len(want)); !slices.Equal(got, want) {
		h.t.Fatalf("%s ends %v, want %v (all: %v)", *run.WorkflowId, got, want, h.history(run))
	}
}

// advance moves the fake clock and fires every timer then due, as the
// timer loop would.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clock.Advance(d)
	h.must(h.e.FireDue(ctx, h.clock.Now()))
}

// status returns the run's execution status and close status.
func (h *harness) status(run *swfapi.WorkflowExecution) (swfapi.ExecutionStatus, swfapi.CloseStatus) {
	h.t.Helper()
	d, err := h.e.DescribeWorkflowExecution(ctx, &swfapi.DescribeWorkflowExecutionInput{Domain: swfapi.Ptr(domain), Execution: run})
	h.must(err)
	return *d.ExecutionInfo.ExecutionStatus, swfapi.Deref(d.ExecutionInfo.CloseStatus)
}

// openRuns counts the open runs of a workflowId.
func (h *harness) openRuns(workflowID string) int32 {
	h.t.Helper()
	n, err := h.e.CountOpenWorkflowExecutions(ctx, &swfapi.CountOpenWorkflowExecutionsInput{Domain: swfapi.Ptr(domain),
		StartTimeFilter: &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(epoch.Add(-time.Hour))},
		ExecutionFilter: &swfapi.WorkflowExecutionFilter{WorkflowId: swfapi.Ptr(workflowID)}})
	h.must(err)
	return *n.Count
}

// wantFault fails unless err is the SWF fault code.
func wantFault(t *testing.T, err error, code string) {
	t.Helper()
	var f *swfapi.Error
	if !errors.As(err, &f) || f.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// Decision builders.

func schedule(id string, heartbeat string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleActivityTask.Ptr(), ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
		ActivityId: swfapi.Ptr(id), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr("act"), Version: swfapi.Ptr("1")},
		ScheduleToStartTimeout: swfapi.Ptr("NONE"), ScheduleToCloseTimeout: swfapi.Ptr("NONE"), StartToCloseTimeout: swfapi.Ptr("NONE"), HeartbeatTimeout: swfapi.Ptr(heartbeat),
	}}
}

func startTimer(id, seconds string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeStartTimer.Ptr(), StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: swfapi.Ptr(id), StartToFireTimeout: swfapi.Ptr(seconds)}}
}

func completeRun() swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeCompleteWorkflowExecution.Ptr()}
}

func startChild(workflowID string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeStartChildWorkflowExecution.Ptr(), StartChildWorkflowExecutionDecisionAttributes: &swfapi.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId: swfapi.Ptr(workflowID), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1")}}}
}

func signal(workflowID string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeSignalExternalWorkflowExecution.Ptr(), SignalExternalWorkflowExecutionDecisionAttributes: &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{
		WorkflowId: swfapi.Ptr(workflowID), SignalName: swfapi.Ptr("poke"), Input: swfapi.Ptr("in")}}
}

func cancelExternal(workflowID string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeRequestCancelExternalWorkflowExecution.Ptr(), RequestCancelExternalWorkflowExecutionDecisionAttributes: &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{
		WorkflowId: swfapi.Ptr(workflowID)}}
}

// workflowLimits are Amazon SWF's run quotas but a history of n events.
func workflowLimits(n int64) workflow.Limits {
	l := workflow.DefaultLimits
	l.HistoryEvents = n
	return l
}
