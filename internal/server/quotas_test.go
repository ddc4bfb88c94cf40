package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Helpers of quotas_test.go start with qt.

// qtLimit is the history size the history-limit tests allow.
const qtLimit = 12

// qtHistoryLimit sets the history limit to qtLimit.
func qtHistoryLimit(more ...func(*server.Config)) swftest.Option {
	return swftest.WithConfig(func(c *server.Config) {
		c.Limits.Run.HistoryEvents = qtLimit
		for _, m := range more {
			m(c)
		}
	})
}

// qtMarkers returns n RecordMarker decisions.
func qtMarkers(n int) []types.Decision {
	var out []types.Decision
	for i := range n {
		out = append(out, types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(fmt.Sprintf("m%d", i+1))}})
	}
	return out
}

// qtFirst takes the first decision task of the run, which must be the next
// on the decider list.
func (f *fixture) qtFirst(ex *types.WorkflowExecution) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || d.StartedEventId != 3 {
		f.t.Fatalf("decision task of %s at event %d, want the first of %s", aws.ToString(d.WorkflowExecution.WorkflowId), d.StartedEventId, aws.ToString(ex.WorkflowId))
	}
	return d
}

func (f *fixture) qtSignal(workflowID string) error {
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String(workflowID), SignalName: aws.String("poke")})
	return err
}

// qtTypes asserts the history's event types (ids 1, 2, 3...) and returns it.
func (f *fixture) qtTypes(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	var w []string
	for _, t := range want {
		w = append(w, string(t))
	}
	if got := eventTypes(h); !slices.Equal(got, w) {
		f.t.Fatalf("history of %s:\n got %v\nwant %v", aws.ToString(ex.WorkflowId), got, w)
	}
	for i, e := range h {
		if e.EventId != int64(i+1) {
			f.t.Fatalf("event %d has id %d", i+1, e.EventId)
		}
	}
	return h
}

// qtWantFull asserts that the run was terminated for its history's size:
// exactly qtLimit events, the last WorkflowExecutionTerminated with cause
// EVENT_LIMIT_EXCEEDED after the events before (given from id 1), and
// nothing left open.
func (f *fixture) qtWantFull(ex *types.WorkflowExecution, policy types.ChildPolicy, before ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	if len(before) != qtLimit-1 {
		f.t.Fatalf("qtWantFull needs the %d events before the last, got %d", qtLimit-1, len(before))
	}
	h := f.qtTypes(ex, append(slices.Clone(before), types.EventTypeWorkflowExecutionTerminated)...)
	a := h[qtLimit-1].WorkflowExecutionTerminatedEventAttributes
	if a.Cause != types.WorkflowExecutionTerminatedCauseEventLimitExceeded || a.ChildPolicy != policy || a.Reason != nil || a.Details != nil {
		f.t.Fatalf("WorkflowExecutionTerminated %+v", a)
	}
	desc := f.describe(ex)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.ExecutionInfo.CloseStatus != types.CloseStatusTerminated {
		f.t.Fatalf("run is %s/%s", desc.ExecutionInfo.ExecutionStatus, desc.ExecutionInfo.CloseStatus)
	}
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 0 || oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 || oc.OpenLambdaFunctions != 0 {
		f.t.Fatalf("open counts of a closed run %+v", oc)
	}
	// Nothing more can be recorded.
	wantFault[*types.UnknownResourceFault](f.t, f.qtSignal(aws.ToString(ex.WorkflowId)))
	if n := len(f.history(ex)); n != qtLimit {
		f.t.Fatalf("history grew to %d events", n)
	}
	return h
}

// qtWaitClosed reads the run's history, in real time, until it closes.
func (f *fixture) qtWaitClosed(ex *types.WorkflowExecution) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.describe(ex).ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed {
		if time.Now().After(deadline) {
			f.t.Fatalf("still open: %v", eventTypes(f.history(ex)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var qtFirstDecision = []types.EventType{types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted}

// qtThen is the first decision's events followed by the items: event
// types, or a number of MarkerRecorded events.
func qtThen(items ...any) []types.EventType {
	out := slices.Clone(qtFirstDecision)
	for _, it := range items {
		switch x := it.(type) {
		case types.EventType:
			out = append(out, x)
		case int:
			for range x {
				out = append(out, types.EventTypeMarkerRecorded)
			}
		}
	}
	return out
}

// A decision whose event would take the last place a history has
// terminates the run instead (EVENT_LIMIT_EXCEEDED); the decisions after it
// are not carried out.
func TestHistoryLimitDecisions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	ex := f.start("full")
	d := f.qtFirst(ex)
	// Markers take places 5-11; the eighth would take 12.
	f.decide(d.TaskToken, append(qtMarkers(8), scheduleActivity("never"))...)
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(7)...)
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("%d activity tasks", n)
	}

	// A run whose close event lands in the last place closes normally.
	ex = f.start("just-fits")
	d = f.qtFirst(ex)
	f.decide(d.TaskToken, append(qtMarkers(7), completeWorkflow("made it"))...)
	h := f.qtTypes(ex, qtThen(7, types.EventTypeWorkflowExecutionCompleted)...)
	if a := h[11].WorkflowExecutionCompletedEventAttributes; aws.ToString(a.Result) != "made it" || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("WorkflowExecutionCompleted %+v", a)
	}
	if info := f.describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("closed %s", info.CloseStatus)
	}

	// So does a failure, or a continuation, in the last place.
	ex = f.start("fails-at-the-end")
	d = f.qtFirst(ex)
	f.decide(d.TaskToken, append(qtMarkers(7), dtFailWorkflow("why", "how"))...)
	f.qtTypes(ex, qtThen(7, types.EventTypeWorkflowExecutionFailed)...)
	ex = f.start("continues-at-the-end")
	d = f.qtFirst(ex)
	f.decide(d.TaskToken, append(qtMarkers(7), types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: aws.String("next")}})...)
	h = f.qtTypes(ex, qtThen(7, types.EventTypeWorkflowExecutionContinuedAsNew)...)
	next := &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: h[11].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
	f.qtTypes(next, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
}

// A signal whose decision task would take the last place: the signal is
// recorded, the run terminated.
func TestHistoryLimitSignal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	ex := f.start("signaled")
	d := f.qtFirst(ex)
	f.decide(d.TaskToken, qtMarkers(6)...) // 5-10
	must(t, f.qtSignal("signaled"))        // 11, and a decision task for 12
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(6, types.EventTypeWorkflowExecutionSignaled)...)
	if n := f.tmPending("decision", deciderList); n != 0 {
		t.Fatalf("%d decision tasks", n)
	}
}

// qtPoll runs a poll in the background; the run it hands a task to is
// terminated, so that it finds none and answers when the (fake) long-poll
// time is over.
func qtPoll[T any](t *testing.T, poll func(context.Context) (T, error)) <-chan T {
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(cancel)
	ch := make(chan T, 1)
	go func() {
		out, err := poll(c)
		if err != nil {
			t.Errorf("poll: %v", err)
		}
		ch <- out
	}()
	return ch
}

// A decision task whose DecisionTaskStarted would take the last place
// terminates the run when a decider polls; the decider gets no task.
func TestHistoryLimitDecisionTaskStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	ex := f.start("start-decision")
	d := f.qtFirst(ex)
	f.decide(d.TaskToken, qtMarkers(5)...) // 5-9
	must(t, f.qtSignal("start-decision"))  // 10, DecisionTaskScheduled 11
	f.qtTypes(ex, qtThen(5, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled)...)
	got := qtPoll(t, func(c context.Context) (*swf.PollForDecisionTaskOutput, error) {
		return f.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}})
	})
	f.qtWaitClosed(ex)
	f.advance(time.Minute)
	if out := <-got; out.TaskToken != nil {
		t.Fatalf("the decider got a task of a terminated run, started at %d", out.StartedEventId)
	}
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(5, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled)...)
}

// Likewise an activity task whose ActivityTaskStarted would take the last
// place; and one whose result would.
func TestHistoryLimitActivityTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	ex := f.start("start-activity")
	d := f.qtFirst(ex)
	f.decide(d.TaskToken, append([]types.Decision{scheduleActivity("a")}, qtMarkers(6)...)...) // 5, markers 6-11
	got := qtPoll(t, func(c context.Context) (*swf.PollForActivityTaskOutput, error) {
		return f.c.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(workerList)}})
	})
	f.qtWaitClosed(ex)
	f.advance(time.Minute)
	if out := <-got; out.TaskToken != nil {
		t.Fatalf("the worker got a task of a terminated run, started at %d", out.StartedEventId)
	}
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(types.EventTypeActivityTaskScheduled, 6)...)

	ex = f.start("complete-activity")
	d = f.qtFirst(ex)
	f.decide(d.TaskToken, append([]types.Decision{scheduleActivity("a")}, qtMarkers(5)...)...) // 5, markers 6-10
	task := f.activity()                                                                       // 11
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken, Result: aws.String("done")})
	must(t, err)
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(types.EventTypeActivityTaskScheduled, 5, types.EventTypeActivityTaskStarted)...)
	wantFault[*types.UnknownResourceFault](t, func() error {
		_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
		return err
	}())
}

// A timer that fires when its event would take the last place.
func TestHistoryLimitTimer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	ex := f.start("timer")
	d := f.qtFirst(ex)
	timer := types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("10")}}
	f.decide(d.TaskToken, append([]types.Decision{timer}, qtMarkers(6)...)...) // 5, markers 6-11
	f.advance(9 * time.Second)
	f.qtTypes(ex, qtThen(types.EventTypeTimerStarted, 6)...)
	f.advance(time.Second)
	h := f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(types.EventTypeTimerStarted, 6)...)
	if at := aws.ToTime(h[11].EventTimestamp); !at.Equal(swftest.Epoch.Add(10 * time.Second)) {
		t.Fatalf("terminated at %v", at)
	}
}

// A Lambda task whose LambdaFunctionStarted would take the last place: the
// run is terminated and the function never invoked.
func TestHistoryLimitLambdaStart(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep, func(c *server.Config) { c.Limits.Run.HistoryEvents = qtLimit }))
	ex := f.lbStart("lambda")
	d := f.qtFirst(ex)
	f.decide(d.TaskToken, append([]types.Decision{lbSchedule("fn", "echo", `{}`)}, qtMarkers(6)...)...) // 5, markers 6-11
	f.qtWaitClosed(ex)
	f.qtWantFull(ex, types.ChildPolicyTerminate, qtThen(types.EventTypeLambdaFunctionScheduled, 6)...)
	if calls := ep.lbCalls(); len(calls) != 0 {
		t.Fatalf("invoked for a terminated run: %+v", calls)
	}
}

// The child policy applies to a run terminated for its history's size.
func TestHistoryLimitChildPolicy(t *testing.T) {
	t.Parallel()
	for _, policy := range []types.ChildPolicy{types.ChildPolicyTerminate, types.ChildPolicyRequestCancel, types.ChildPolicyAbandon} {
		f := newFixture(t, qtHistoryLimit())
		parent := f.start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = policy })
		d := f.qtFirst(parent)
		f.decide(d.TaskToken, qtStartChild("kid", "kids", nil))
		// 4 DecisionTaskCompleted, 5 initiated, 6 child started, 7 decision
		// task; four signals take 8-11, the fifth would take 12.
		for range 5 {
			must(t, f.qtSignal("parent"))
		}
		h := f.qtWantFull(parent, policy, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
			types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled,
			types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled)
		kid := &types.WorkflowExecution{WorkflowId: aws.String("kid"), RunId: h[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution.RunId}
		switch policy {
		case types.ChildPolicyTerminate:
			kh := f.qtTypes(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionTerminated)
			if a := kh[2].WorkflowExecutionTerminatedEventAttributes; a.Cause != types.WorkflowExecutionTerminatedCauseChildPolicyApplied {
				t.Fatalf("child terminated %+v", a)
			}
		case types.ChildPolicyRequestCancel:
			kh := f.qtTypes(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionCancelRequested)
			if a := kh[2].WorkflowExecutionCancelRequestedEventAttributes; a.Cause != types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied {
				t.Fatalf("child asked to cancel %+v", a)
			}
		case types.ChildPolicyAbandon:
			f.qtTypes(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
		}
	}
}

// A child started by the event that fills its parent's history is
// terminated with it.
func TestHistoryLimitChildStartedLast(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	parent := f.start("parent")
	d := f.qtFirst(parent)
	// Markers 5-10, the initiated event 11; ChildWorkflowExecutionStarted
	// would be 12.
	f.decide(d.TaskToken, append(qtMarkers(6), qtStartChild("kid", "kids", nil))...)
	f.qtWantFull(parent, types.ChildPolicyTerminate, qtThen(6, types.EventTypeStartChildWorkflowExecutionInitiated)...)
	out, err := f.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: f.domain, StartTimeFilter: exAllTime(), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("kid")}})
	must(t, err)
	if len(out.ExecutionInfos) != 1 || out.ExecutionInfos[0].CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("the child: %+v", out.ExecutionInfos)
	}
	kid := out.ExecutionInfos[0].Execution
	kh := f.qtTypes(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionTerminated)
	if a := kh[2].WorkflowExecutionTerminatedEventAttributes; a.Cause != types.WorkflowExecutionTerminatedCauseChildPolicyApplied {
		t.Fatalf("child terminated %+v", a)
	}
}

// qtStartChild starts a child of the order type on a decider list of its own.
func qtStartChild(workflowID, list string, timeout *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String(workflowID), WorkflowType: workflowType("order", "1"), TaskList: &types.TaskList{Name: aws.String(list)},
		ExecutionStartToCloseTimeout: timeout,
	}}
}

// A child terminated for its history's size: its parent records
// ChildWorkflowExecutionTerminated.
func TestHistoryLimitChildTellsParent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	parent := f.start("parent")
	d := f.qtFirst(parent)
	f.decide(d.TaskToken, qtStartChild("kid", "kids", nil))
	h := f.qtTypes(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	kid := h[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	// The child has 2 events; nine signals take 3-11, the tenth would take 12.
	for range 10 {
		must(t, f.qtSignal("kid"))
	}
	var before []types.EventType
	before = append(before, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	for range 9 {
		before = append(before, types.EventTypeWorkflowExecutionSignaled)
	}
	f.qtWantFull(kid, types.ChildPolicyTerminate, before...)
	h = f.qtTypes(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled,
		types.EventTypeChildWorkflowExecutionTerminated)
	a := h[7].ChildWorkflowExecutionTerminatedEventAttributes
	if aws.ToString(a.WorkflowExecution.RunId) != aws.ToString(kid.RunId) || aws.ToString(a.WorkflowType.Name) != "order" || a.InitiatedEventId != 5 || a.StartedEventId != 6 {
		t.Fatalf("ChildWorkflowExecutionTerminated %+v", a)
	}
	if oc := f.describe(parent).OpenCounts; oc.OpenChildWorkflowExecutions != 0 {
		t.Fatalf("%d open children", oc.OpenChildWorkflowExecutions)
	}
}

// A signal or cancellation request to another run whose initiated event
// would take the last place is not sent: the run is terminated instead.
func TestHistoryLimitExternalNotSent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, qtHistoryLimit())
	target := f.start("target", func(in *swf.StartWorkflowExecutionInput) { in.TaskList = &types.TaskList{Name: aws.String("targets")} })
	for _, dec := range []types.Decision{
		{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("target"), SignalName: aws.String("hello"),
		}},
		{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("target"),
		}},
	} {
		src := f.start("source-" + string(dec.DecisionType))
		d := f.qtFirst(src)
		f.decide(d.TaskToken, append(qtMarkers(7), dec)...)
		f.qtWantFull(src, types.ChildPolicyTerminate, qtThen(7)...)
		f.qtTypes(target, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	}
}

// By default, data members take 32,768 characters and heartbeat details
// 2,048; one more is a ValidationException naming the member.
func TestDataSizeDefaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := func(n int) *string { return aws.String(strings.Repeat("é", n)) }
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("big"), WorkflowType: workflowType("order", "1"), Input: in(32769)})
	wantValidation(t, err, "input")
	ex := f.start("big", func(in2 *swf.StartWorkflowExecutionInput) { in2.Input = in(32768) })

	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("big"), SignalName: aws.String("s"), Input: in(32769)})
	wantValidation(t, err, "input")
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("big"), SignalName: aws.String("s"), Input: in(32768)})
	must(t, err)

	d := f.decision()
	if a := d.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.Input) != *in(32768) {
		t.Fatalf("input of %d bytes", len(aws.ToString(a.Input)))
	}
	marker := func(n int) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m"), Details: in(n)}}
	}
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{scheduleActivity("a"), marker(32769)}})
	wantValidation(t, err, "decisions.2.member.recordMarkerDecisionAttributes.details")
	f.decide(d.TaskToken, scheduleActivity("a"), marker(32768))

	task := f.activity()
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken, Details: in(2049)})
	wantValidation(t, err, "details")
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken, Details: in(2048)})
	must(t, err)
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken, Result: in(32769)})
	wantValidation(t, err, "result")
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken, Result: in(32768)})
	must(t, err)
	if a := f.lastEvent(ex, types.EventTypeActivityTaskCompleted).ActivityTaskCompletedEventAttributes; aws.ToString(a.Result) != *in(32768) {
		t.Fatalf("result of %d bytes", len(aws.ToString(a.Result)))
	}
}

// Raised size limits let bigger data in, and it comes back whole.
func TestDataSizeRaised(t *testing.T) {
	t.Parallel()
	f := newFixture(t, swftest.WithConfig(func(c *server.Config) {
		c.Limits.Sizes.Data = 50000
		c.Limits.Sizes.LimitedData = 5000
	}))
	data := func(n int) *string { return aws.String(strings.Repeat("ü", n-1) + "!") }
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("big"), WorkflowType: workflowType("order", "1"), Input: data(50001)})
	wantValidation(t, err, "input")
	ex := f.start("big", func(in *swf.StartWorkflowExecutionInput) { in.Input = data(50000) })
	d := f.decision()
	if a := d.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.Input) != *data(50000) {
		t.Fatalf("input of %d bytes", len(aws.ToString(a.Input)))
	}
	f.decide(d.TaskToken, scheduleActivity("beats", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.Input = data(50000) }), scheduleActivity("result"))
	tasks := map[string]*swf.PollForActivityTaskOutput{}
	for range 2 {
		task := f.activity()
		tasks[aws.ToString(task.ActivityId)] = task
	}
	if aws.ToString(tasks["beats"].Input) != *data(50000) {
		t.Fatalf("activity input of %d bytes", len(aws.ToString(tasks["beats"].Input)))
	}

	// Heartbeat details of 5,000 characters come back in the timeout.
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: tasks["beats"].TaskToken, Details: data(5001)})
	wantValidation(t, err, "details")
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: tasks["beats"].TaskToken, Details: data(5000)})
	must(t, err)
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: tasks["result"].TaskToken, Result: data(50001)})
	wantValidation(t, err, "result")
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: tasks["result"].TaskToken, Result: data(50000)})
	must(t, err)
	f.advance(30 * time.Second)
	if a := f.lastEvent(ex, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes; a.TimeoutType != types.ActivityTaskTimeoutTypeHeartbeat || aws.ToString(a.Details) != *data(5000) {
		t.Fatalf("timed out %s with details of %d bytes", a.TimeoutType, len(aws.ToString(a.Details)))
	}
	if a := f.lastEvent(ex, types.EventTypeActivityTaskCompleted).ActivityTaskCompletedEventAttributes; aws.ToString(a.Result) != *data(50000) {
		t.Fatalf("result of %d bytes", len(aws.ToString(a.Result)))
	}
	d = f.decision()
	f.decide(d.TaskToken, completeWorkflow(*data(50000)))
	if a := f.lastEvent(ex, types.EventTypeWorkflowExecutionCompleted).WorkflowExecutionCompletedEventAttributes; aws.ToString(a.Result) != *data(50000) {
		t.Fatalf("workflow result of %d bytes", len(aws.ToString(a.Result)))
	}
}

// The longest run (MaxExecutionSeconds) bounds executionStartToCloseTimeout
// wherever it is given: at the limit it is accepted, one second more is a
// ValidationException.
func TestMaxExecutionSeconds(t *testing.T) {
	t.Parallel()
	for _, limit := range []int64{0, 2 * 365 * 24 * 3600, 3600} {
		max := limit
		if max == 0 {
			max = 365 * 24 * 3600 // Amazon SWF's year
		}
		atMax, over := aws.String(fmt.Sprint(max)), aws.String(fmt.Sprint(max+1))
		f := newFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.MaxExecutionSeconds = limit }))

		reg := func(name string, timeout *string) error {
			_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
				Domain: f.domain, Name: aws.String(name), Version: aws.String("1"),
				DefaultTaskList:                     &types.TaskList{Name: aws.String("long-deciders")},
				DefaultExecutionStartToCloseTimeout: timeout,
				DefaultTaskStartToCloseTimeout:      aws.String("30"),
				DefaultChildPolicy:                  types.ChildPolicyTerminate,
			})
			return err
		}
		wantValidation(t, reg("too-long", over), "defaultExecutionStartToCloseTimeout")
		must(t, reg("longest", atMax))
		out, err := f.c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: f.domain, WorkflowType: workflowType("longest", "1")})
		must(t, err)
		if got := aws.ToString(out.Configuration.DefaultExecutionStartToCloseTimeout); got != *atMax {
			t.Fatalf("registered default %s", got)
		}

		_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("over"), WorkflowType: workflowType("order", "1"), ExecutionStartToCloseTimeout: over})
		wantValidation(t, err, "executionStartToCloseTimeout")
		ex := f.start("longest", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = atMax })
		if a := f.exStarted(ex); aws.ToString(a.ExecutionStartToCloseTimeout) != *atMax {
			t.Fatalf("started with %s", aws.ToString(a.ExecutionStartToCloseTimeout))
		}

		d := f.qtFirst(ex)
		continueAsNew := func(timeout *string) types.Decision {
			return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{ExecutionStartToCloseTimeout: timeout}}
		}
		_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{qtStartChild("kid", "kids", over)}})
		wantValidation(t, err, "decisions.1.member.startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout")
		_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{continueAsNew(over)}})
		wantValidation(t, err, "decisions.1.member.continueAsNewWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout")
		if n := len(f.history(ex)); n != 3 {
			t.Fatalf("refused answers recorded events: %d", n)
		}
		f.decide(d.TaskToken, qtStartChild("kid", "kids", atMax), continueAsNew(atMax))
		h := f.history(ex)
		init := lbOf(h, types.EventTypeStartChildWorkflowExecutionInitiated)
		cont := lbOf(h, types.EventTypeWorkflowExecutionContinuedAsNew)
		if len(init) != 1 || aws.ToString(init[0].StartChildWorkflowExecutionInitiatedEventAttributes.ExecutionStartToCloseTimeout) != *atMax ||
			len(cont) != 1 || aws.ToString(cont[0].WorkflowExecutionContinuedAsNewEventAttributes.ExecutionStartToCloseTimeout) != *atMax {
			t.Fatalf("limit %d: history %v", limit, eventTypes(h))
		}
		next := &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: cont[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
		if a := f.exStarted(next); aws.ToString(a.ExecutionStartToCloseTimeout) != *atMax {
			t.Fatalf("continued with %s", aws.ToString(a.ExecutionStartToCloseTimeout))
		}
	}
}
