package swftest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// This file is the vocabulary tests speak SWF in: a Domain with one
// workflow type and one activity type, and the few moves every test makes
// (start a run, poll and answer a decision task, poll an activity task,
// read the history, wait for something the server does on its own). Each
// move goes through the official SDK client and fails the test on an
// error it does not expect; a test that wants the error calls the client.

// The names the Domain registers: the workflow type WorkflowTypeName 1,
// whose decision tasks go to DeciderList, and the activity type
// ActivityTypeName 1, whose tasks go to WorkerList.
const (
	WorkflowTypeName = "order"
	ActivityTypeName = "work"
	DeciderList      = "deciders"
	WorkerList       = "workers"
)

// PollTimeout bounds, in real time, a poll that a test expects to find a
// task at once, and every wait of WaitFor: past it the server is broken,
// and the test fails instead of hanging.
const PollTimeout = 10 * time.Second

// Domain is a domain registered on a test server, with the workflow type
// "order" 1 and the activity type "work" 1, whose defaults make every
// timeout explicit: the workflow runs for at most an hour, a decision task
// 30 s; an activity waits at most 60 s to start, runs at most 300 s, 600 s
// from scheduling to close, and heartbeats at least every 30 s.
type Domain struct {
	*Server
	// Name is the domain's name.
	Name string
}

// NewDomain starts a server for the test and registers the domain "wf"
// on it, with the fixture's types.
func NewDomain(t testing.TB, opts ...Option) *Domain {
	t.Helper()
	return Start(t, opts...).Domain("wf")
}

// Domain registers a domain, with a retention period of one day, and the
// fixture's types in it.
func (s *Server) Domain(name string) *Domain {
	s.t.Helper()
	d := &Domain{Server: s, Name: name}
	_, err := s.Client.RegisterDomain(context.Background(), &swf.RegisterDomainInput{
		Name: aws.String(name), WorkflowExecutionRetentionPeriodInDays: aws.String("1"),
	})
	d.must(err)
	d.must(d.RegisterTypes())
	return d
}

// T is the test the domain's server runs for.
func (d *Domain) T() testing.TB { return d.t }

// RegisterTypes registers the fixture's workflow and activity types in the
// domain (again, to see what a second registration answers).
func (d *Domain) RegisterTypes() error {
	_, err := d.Client.RegisterWorkflowType(context.Background(), &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(d.Name), Name: aws.String(WorkflowTypeName), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(DeciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	if err != nil {
		return err
	}
	_, err = d.Client.RegisterActivityType(context.Background(), &swf.RegisterActivityTypeInput{
		Domain: aws.String(d.Name), Name: aws.String(ActivityTypeName), Version: aws.String("1"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(WorkerList)},
		DefaultTaskScheduleToStartTimeout: aws.String("60"),
		DefaultTaskScheduleToCloseTimeout: aws.String("600"),
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskHeartbeatTimeout:       aws.String("30"),
	})
	return err
}

// Start starts a run of the fixture's workflow type with the input
// "in:"+workflowID; mod changes the request first.
func (d *Domain) Start(workflowID string, mod ...func(*swf.StartWorkflowExecutionInput)) *types.WorkflowExecution {
	d.t.Helper()
	in := &swf.StartWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: aws.String(workflowID),
		WorkflowType: WorkflowType(WorkflowTypeName, "1"), Input: aws.String("in:" + workflowID),
	}
	for _, m := range mod {
		m(in)
	}
	out, err := d.Client.StartWorkflowExecution(context.Background(), in)
	d.must(err)
	return Execution(workflowID, out.RunId)
}

// OnList makes Start put the run's decision tasks on list.
func OnList(list string) func(*swf.StartWorkflowExecutionInput) {
	return func(in *swf.StartWorkflowExecutionInput) { in.TaskList = &types.TaskList{Name: aws.String(list)} }
}

// PollDecision polls DeciderList and fails the test if no decision task is
// there.
func (d *Domain) PollDecision() *swf.PollForDecisionTaskOutput {
	d.t.Helper()
	return d.PollDecisionOn(DeciderList)
}

// PollDecisionOn polls a decision task list and fails the test if no task
// is there; mod changes the request first.
func (d *Domain) PollDecisionOn(list string, mod ...func(*swf.PollForDecisionTaskInput)) *swf.PollForDecisionTaskOutput {
	d.t.Helper()
	in := &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("decider")}
	for _, m := range mod {
		m(in)
	}
	ctx, cancel := context.WithTimeout(context.Background(), PollTimeout)
	defer cancel()
	out, err := d.Client.PollForDecisionTask(ctx, in)
	d.must(err)
	if aws.ToString(out.TaskToken) == "" {
		d.t.Fatalf("no decision task on %s", list)
	}
	return out
}

// Decide answers a decision task with decisions and fails the test if the
// answer is refused.
func (d *Domain) Decide(token *string, decisions ...types.Decision) {
	d.t.Helper()
	d.must(d.DecideErr(token, decisions...))
}

// DecideErr answers a decision task with decisions and returns the error.
func (d *Domain) DecideErr(token *string, decisions ...types.Decision) error {
	_, err := d.Client.RespondDecisionTaskCompleted(context.Background(), &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: decisions})
	return err
}

// PollActivity polls WorkerList and fails the test if no activity task is
// there.
func (d *Domain) PollActivity() *swf.PollForActivityTaskOutput {
	d.t.Helper()
	return d.PollActivityOn(WorkerList)
}

// PollActivityOn polls an activity task list and fails the test if no task
// is there.
func (d *Domain) PollActivityOn(list string) *swf.PollForActivityTaskOutput {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), PollTimeout)
	defer cancel()
	out, err := d.Client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("worker")})
	d.must(err)
	if aws.ToString(out.TaskToken) == "" {
		d.t.Fatalf("no activity task on %s", list)
	}
	return out
}

// Complete completes an activity task with result.
func (d *Domain) Complete(token *string, result string) {
	d.t.Helper()
	_, err := d.Client.RespondActivityTaskCompleted(context.Background(), &swf.RespondActivityTaskCompletedInput{TaskToken: token, Result: aws.String(result)})
	d.must(err)
}

// Heartbeat records a heartbeat of an activity task and returns the error.
func (d *Domain) Heartbeat(token, details *string) (*swf.RecordActivityTaskHeartbeatOutput, error) {
	return d.Client.RecordActivityTaskHeartbeat(context.Background(), &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: details})
}

// Signal sends a signal, without input, to a run (to the open run of its
// workflowId when ex has no runId).
func (d *Domain) Signal(ex *types.WorkflowExecution, name string) {
	d.t.Helper()
	_, err := d.Client.SignalWorkflowExecution(context.Background(), &swf.SignalWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String(name),
	})
	d.must(err)
}

// Terminate terminates a run with its type's child policy.
func (d *Domain) Terminate(ex *types.WorkflowExecution) {
	d.t.Helper()
	_, err := d.Client.TerminateWorkflowExecution(context.Background(), &swf.TerminateWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, RunId: ex.RunId,
	})
	d.must(err)
}

// Describe returns a run's detail.
func (d *Domain) Describe(ex *types.WorkflowExecution) *swf.DescribeWorkflowExecutionOutput {
	d.t.Helper()
	out, err := d.Client.DescribeWorkflowExecution(context.Background(), &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
	d.must(err)
	return out
}

// History returns a run's whole history, every page of it, and fails the
// test unless the event ids run 1, 2, 3, … and the timestamps never go
// back: every history SWF gives has that shape.
func (d *Domain) History(ex *types.WorkflowExecution) []types.HistoryEvent {
	d.t.Helper()
	var all []types.HistoryEvent
	p := swf.NewGetWorkflowExecutionHistoryPaginator(d.Client, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		d.must(err)
		all = append(all, out.Events...)
	}
	var last time.Time
	for i, e := range all {
		if e.EventId != int64(i+1) {
			d.t.Fatalf("event %d (%s) of the history has id %d", i+1, e.EventType, e.EventId)
		}
		ts := aws.ToTime(e.EventTimestamp)
		if ts.Before(last) {
			d.t.Fatalf("event %d (%s) at %v is before the event before it, at %v", e.EventId, e.EventType, ts, last)
		}
		last = ts
	}
	return all
}

// WantHistory fails the test unless a run's events have exactly the types
// want, in order, and returns the history.
func (d *Domain) WantHistory(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	d.t.Helper()
	h := d.History(ex)
	if got := EventTypes(h); !slices.Equal(got, want) {
		d.t.Fatalf("history:\n got %v\nwant %v", got, want)
	}
	return h
}

// LastEvent returns the run's last event of type typ, and fails the test
// if there is none.
func (d *Domain) LastEvent(ex *types.WorkflowExecution, typ types.EventType) types.HistoryEvent {
	d.t.Helper()
	h := d.History(ex)
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].EventType == typ {
			return h[i]
		}
	}
	d.t.Fatalf("no %s in %v", typ, EventTypes(h))
	return types.HistoryEvent{}
}

// WaitFor waits until the run's history holds an event of type typ, which
// the server records on its own (a timer that fired, a Lambda function
// that returned), and returns the last such event.
func (d *Domain) WaitFor(ex *types.WorkflowExecution, typ types.EventType) types.HistoryEvent {
	d.t.Helper()
	var found types.HistoryEvent
	WaitFor(d.t, string(typ)+" in the history of "+aws.ToString(ex.WorkflowId), func() bool {
		h := d.History(ex)
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].EventType == typ {
				found = h[i]
				return true
			}
		}
		return false
	})
	return found
}

// Advance moves the server's fake clock by dur and fires the timers that
// fall due, as the server's timer loop would.
func (d *Domain) Advance(dur time.Duration) {
	d.t.Helper()
	d.Clock.Advance(dur)
	d.must(d.FireDueTimers(context.Background()))
}

// must fails the test on an error.
func (d *Domain) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// WaitFor waits until cond holds, looking every few milliseconds, and
// fails the test, naming what it waited for, after PollTimeout. It is for
// what happens on other goroutines (a long poll that parks, a server loop
// that runs); time that a test controls moves with the fake clock instead.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(PollTimeout); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", PollTimeout, what)
		}
	}
}

// Result is what a call made with Async returned.
type Result[T any] struct {
	Out T
	Err error
}

// Async makes a call on another goroutine (a long poll, a call that waits
// on the server), for a test that acts while it waits; Await and Pending
// read its answer.
func Async[T any](fn func() (T, error)) <-chan Result[T] {
	ch := make(chan Result[T], 1)
	go func() {
		out, err := fn()
		ch <- Result[T]{out, err}
	}()
	return ch
}

// Await waits for a call made with Async and fails the test if it failed,
// or if it has not returned after PollTimeout.
func Await[T any](t testing.TB, ch <-chan Result[T]) T {
	t.Helper()
	select {
	case r := <-ch:
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return r.Out
	case <-time.After(PollTimeout):
		t.Fatalf("the call did not return in %v", PollTimeout)
	}
	panic("unreachable")
}

// Pending fails the test if a call made with Async has returned.
func Pending[T any](t testing.TB, ch <-chan Result[T], what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s returned early: %+v %v", what, r.Out, r.Err)
	default:
	}
}

// EventTypes lists the types of events, in order.
func EventTypes(events []types.HistoryEvent) []types.EventType {
	out := make([]types.EventType, len(events))
	for i, e := range events {
		out[i] = e.EventType
	}
	return out
}

// Execution names a run (any run of workflowID when runID is nil).
func Execution(workflowID string, runID *string) *types.WorkflowExecution {
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: runID}
}

// WorkflowType names a workflow type.
func WorkflowType(name, version string) *types.WorkflowType {
	return &types.WorkflowType{Name: aws.String(name), Version: aws.String(version)}
}

// ActivityType names an activity type.
func ActivityType(name, version string) *types.ActivityType {
	return &types.ActivityType{Name: aws.String(name), Version: aws.String(version)}
}
