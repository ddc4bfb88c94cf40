package server_test

import (
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

// historyLimit is the history size the history-limit tests allow.
const historyLimit = 12

// withHistoryLimit sets the history limit to historyLimit.
func withHistoryLimit(more ...func(*server.Config)) swftest.Option {
	return swftest.WithConfig(func(c *server.Config) {
		c.Limits.Run.HistoryEvents = historyLimit
		for _, m := range more {
			m(c)
		}
	})
}

// markerDecisions returns n RecordMarker decisions, m1 to mn.
func markerDecisions(n int) []types.Decision {
	var out []types.Decision
	for i := range n {
		out = append(out, swftest.RecordMarker(fmt.Sprintf("m%d", i+1), nil))
	}
	return out
}

// wantFull asserts that the run was terminated for its history's size:
// exactly historyLimit events, the last WorkflowExecutionTerminated with
// cause EVENT_LIMIT_EXCEEDED after the events before (given from id 1),
// and nothing left open.
func wantFull(d *swftest.Domain, ex *types.WorkflowExecution, policy types.ChildPolicy, before ...types.EventType) []types.HistoryEvent {
	t := d.T()
	t.Helper()
	if len(before) != historyLimit-1 {
		t.Fatalf("wantFull needs the %d events before the last, got %d", historyLimit-1, len(before))
	}
	h := d.WantHistory(ex, append(slices.Clone(before), types.EventTypeWorkflowExecutionTerminated)...)
	a := h[historyLimit-1].WorkflowExecutionTerminatedEventAttributes
	if a.Cause != types.WorkflowExecutionTerminatedCauseEventLimitExceeded || a.ChildPolicy != policy || a.Reason != nil || a.Details != nil {
		t.Fatalf("WorkflowExecutionTerminated %+v", a)
	}
	d.WantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusTerminated)
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{})
	// Nothing more can be recorded.
	_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("poke")})
	wantFault[*types.UnknownResourceFault](t, err)
	if n := len(d.History(ex)); n != historyLimit {
		t.Fatalf("history grew to %d events", n)
	}
	return h
}

// firstDecisionThen is the first decision's events followed by the items:
// event types, or a number of MarkerRecorded events.
func firstDecisionThen(items ...any) []types.EventType {
	out := []types.EventType{types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted}
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

// orderChild starts a child of the order type on a decider list of its
// own, with an execution timeout unless timeout is nil.
func orderChild(workflowID, list string, timeout *string) types.Decision {
	return swftest.StartChild(workflowID, swftest.WorkflowType(swftest.WorkflowTypeName, "1"), func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String(list)}
		a.ExecutionStartToCloseTimeout = timeout
	})
}

// A decision whose event would take the last place a history has
// terminates the run instead (EVENT_LIMIT_EXCEEDED); the decisions after it
// are not carried out.
func TestHistoryLimitDecisions(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	ex := d.Start("full")
	task := d.FirstDecision(ex)
	// Markers take places 5-11; the eighth would take 12.
	d.Decide(task.TaskToken, append(markerDecisions(8), swftest.ScheduleActivity("never"))...)
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(7)...)
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("%d activity tasks", n)
	}

	// A run whose close event lands in the last place closes normally.
	ex = d.Start("just-fits")
	task = d.FirstDecision(ex)
	d.Decide(task.TaskToken, append(markerDecisions(7), swftest.CompleteWorkflow("made it"))...)
	h := d.WantHistory(ex, firstDecisionThen(7, types.EventTypeWorkflowExecutionCompleted)...)
	if a := h[11].WorkflowExecutionCompletedEventAttributes; aws.ToString(a.Result) != "made it" || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("WorkflowExecutionCompleted %+v", a)
	}
	if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("closed %s", info.CloseStatus)
	}

	// So does a failure, or a continuation, in the last place.
	ex = d.Start("fails-at-the-end")
	task = d.FirstDecision(ex)
	d.Decide(task.TaskToken, append(markerDecisions(7), swftest.FailWorkflow("why", "how"))...)
	d.WantHistory(ex, firstDecisionThen(7, types.EventTypeWorkflowExecutionFailed)...)
	ex = d.Start("continues-at-the-end")
	task = d.FirstDecision(ex)
	d.Decide(task.TaskToken, append(markerDecisions(7), types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: aws.String("next")}})...)
	h = d.WantHistory(ex, firstDecisionThen(7, types.EventTypeWorkflowExecutionContinuedAsNew)...)
	next := &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: h[11].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
	d.WantHistory(next, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
}

// A signal whose decision task would take the last place: the signal is
// recorded, the run terminated.
func TestHistoryLimitSignal(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	ex := d.Start("signaled")
	task := d.FirstDecision(ex)
	d.Decide(task.TaskToken, markerDecisions(6)...)      // 5-10
	d.Signal(swftest.Execution("signaled", nil), "poke") // 11, and a decision task for 12
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(6, types.EventTypeWorkflowExecutionSignaled)...)
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Fatalf("%d decision tasks", n)
	}
}

// A decision task whose DecisionTaskStarted would take the last place
// terminates the run when a decider polls; the decider gets no task.
func TestHistoryLimitDecisionTaskStart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	ex := d.Start("start-decision")
	task := d.FirstDecision(ex)
	d.Decide(task.TaskToken, markerDecisions(5)...)            // 5-9
	d.Signal(swftest.Execution("start-decision", nil), "poke") // 10, DecisionTaskScheduled 11
	d.WantHistory(ex, firstDecisionThen(5, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled)...)
	got := d.PollDecisionAsync(d.Client, swftest.DeciderList)
	d.WaitFor(ex, types.EventTypeWorkflowExecutionTerminated)
	d.Advance(time.Minute)
	if out := swftest.Await(t, got); out.TaskToken != nil {
		t.Fatalf("the decider got a task of a terminated run, started at %d", out.StartedEventId)
	}
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(5, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled)...)
}

// Likewise an activity task whose ActivityTaskStarted would take the last
// place; and one whose result would.
func TestHistoryLimitActivityTask(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	ex := d.Start("start-activity")
	task := d.FirstDecision(ex)
	d.Decide(task.TaskToken, append([]types.Decision{swftest.ScheduleActivity("a")}, markerDecisions(6)...)...) // 5, markers 6-11
	got := d.PollActivityAsync(d.Client, swftest.WorkerList)
	d.WaitFor(ex, types.EventTypeWorkflowExecutionTerminated)
	d.Advance(time.Minute)
	if out := swftest.Await(t, got); out.TaskToken != nil {
		t.Fatalf("the worker got a task of a terminated run, started at %d", out.StartedEventId)
	}
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(types.EventTypeActivityTaskScheduled, 6)...)

	ex = d.Start("complete-activity")
	task = d.FirstDecision(ex)
	d.Decide(task.TaskToken, append([]types.Decision{swftest.ScheduleActivity("a")}, markerDecisions(5)...)...) // 5, markers 6-10
	act := d.PollActivity()                                                                                     // 11
	d.Complete(act.TaskToken, "done")
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(types.EventTypeActivityTaskScheduled, 5, types.EventTypeActivityTaskStarted)...)
	wantFault[*types.UnknownResourceFault](t, func() error {
		_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: act.TaskToken})
		return err
	}())
}

// A timer that fires when its event would take the last place.
func TestHistoryLimitTimer(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	ex := d.Start("timer")
	task := d.FirstDecision(ex)
	timer := types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("10")}}
	d.Decide(task.TaskToken, append([]types.Decision{timer}, markerDecisions(6)...)...) // 5, markers 6-11
	d.Advance(9 * time.Second)
	d.WantHistory(ex, firstDecisionThen(types.EventTypeTimerStarted, 6)...)
	d.Advance(time.Second)
	h := wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(types.EventTypeTimerStarted, 6)...)
	if at := aws.ToTime(h[11].EventTimestamp); !at.Equal(swftest.Epoch.Add(10 * time.Second)) {
		t.Fatalf("terminated at %v", at)
	}
}

// A Lambda task whose LambdaFunctionStarted would take the last place: the
// run is terminated and the function never invoked.
func TestHistoryLimitLambdaStart(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep, func(c *server.Config) { c.Limits.Run.HistoryEvents = historyLimit }))
	ex := d.Start("lambda", withLambdaRole)
	task := d.FirstDecision(ex)
	d.Decide(task.TaskToken, append([]types.Decision{swftest.ScheduleLambda("fn", "echo", `{}`)}, markerDecisions(6)...)...) // 5, markers 6-11
	d.WaitFor(ex, types.EventTypeWorkflowExecutionTerminated)
	wantFull(d, ex, types.ChildPolicyTerminate, firstDecisionThen(types.EventTypeLambdaFunctionScheduled, 6)...)
	if calls := ep.invocations(); len(calls) != 0 {
		t.Fatalf("invoked for a terminated run: %+v", calls)
	}
}

// The child policy applies to a run terminated for its history's size.
func TestHistoryLimitChildPolicy(t *testing.T) {
	t.Parallel()
	for _, policy := range []types.ChildPolicy{types.ChildPolicyTerminate, types.ChildPolicyRequestCancel, types.ChildPolicyAbandon} {
		t.Run(string(policy), func(t *testing.T) {
			t.Parallel()
			d := swftest.NewDomain(t, withHistoryLimit())
			parent := d.Start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = policy })
			task := d.FirstDecision(parent)
			d.Decide(task.TaskToken, orderChild("kid", "kids", nil))
			// 4 DecisionTaskCompleted, 5 initiated, 6 child started, 7 decision
			// task; four signals take 8-11, the fifth would take 12.
			for range 5 {
				d.Signal(swftest.Execution("parent", nil), "poke")
			}
			h := wantFull(d, parent, policy, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
				types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled,
				types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled)
			kid := &types.WorkflowExecution{WorkflowId: aws.String("kid"), RunId: h[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution.RunId}
			switch policy {
			case types.ChildPolicyTerminate:
				kh := d.WantHistory(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionTerminated)
				if a := kh[2].WorkflowExecutionTerminatedEventAttributes; a.Cause != types.WorkflowExecutionTerminatedCauseChildPolicyApplied {
					t.Fatalf("child terminated %+v", a)
				}
			case types.ChildPolicyRequestCancel:
				kh := d.WantHistory(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionCancelRequested)
				if a := kh[2].WorkflowExecutionCancelRequestedEventAttributes; a.Cause != types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied {
					t.Fatalf("child asked to cancel %+v", a)
				}
			case types.ChildPolicyAbandon:
				d.WantHistory(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
			}
		})
	}
}

// A child started by the event that fills its parent's history is
// terminated with it.
func TestHistoryLimitChildStartedLast(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	parent := d.Start("parent")
	task := d.FirstDecision(parent)
	// Markers 5-10, the initiated event 11; ChildWorkflowExecutionStarted
	// would be 12.
	d.Decide(task.TaskToken, append(markerDecisions(6), orderChild("kid", "kids", nil))...)
	wantFull(d, parent, types.ChildPolicyTerminate, firstDecisionThen(6, types.EventTypeStartChildWorkflowExecutionInitiated)...)
	out, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: swftest.AllTime(), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("kid")}})
	must(t, err)
	if len(out.ExecutionInfos) != 1 || out.ExecutionInfos[0].CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("the child: %+v", out.ExecutionInfos)
	}
	kid := out.ExecutionInfos[0].Execution
	kh := d.WantHistory(kid, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionTerminated)
	if a := kh[2].WorkflowExecutionTerminatedEventAttributes; a.Cause != types.WorkflowExecutionTerminatedCauseChildPolicyApplied {
		t.Fatalf("child terminated %+v", a)
	}
}

// A child terminated for its history's size: its parent records
// ChildWorkflowExecutionTerminated.
func TestHistoryLimitChildTellsParent(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	parent := d.Start("parent")
	task := d.FirstDecision(parent)
	d.Decide(task.TaskToken, orderChild("kid", "kids", nil))
	h := d.WantHistory(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	kid := h[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	// The child has 2 events; nine signals take 3-11, the tenth would take 12.
	for range 10 {
		d.Signal(swftest.Execution("kid", nil), "poke")
	}
	var before []types.EventType
	before = append(before, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	for range 9 {
		before = append(before, types.EventTypeWorkflowExecutionSignaled)
	}
	wantFull(d, kid, types.ChildPolicyTerminate, before...)
	h = d.WantHistory(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled,
		types.EventTypeChildWorkflowExecutionTerminated)
	a := h[7].ChildWorkflowExecutionTerminatedEventAttributes
	if aws.ToString(a.WorkflowExecution.RunId) != aws.ToString(kid.RunId) || aws.ToString(a.WorkflowType.Name) != "order" || a.InitiatedEventId != 5 || a.StartedEventId != 6 {
		t.Fatalf("ChildWorkflowExecutionTerminated %+v", a)
	}
	if oc := d.Describe(parent).OpenCounts; oc.OpenChildWorkflowExecutions != 0 {
		t.Fatalf("%d open children", oc.OpenChildWorkflowExecutions)
	}
}

// A signal or cancellation request to another run whose initiated event
// would take the last place is not sent: the run is terminated instead.
func TestHistoryLimitExternalNotSent(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, withHistoryLimit())
	target := d.Start("target", func(in *swf.StartWorkflowExecutionInput) { in.TaskList = &types.TaskList{Name: aws.String("targets")} })
	for _, dec := range []types.Decision{
		{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("target"), SignalName: aws.String("hello"),
		}},
		{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("target"),
		}},
	} {
		src := d.Start("source-" + string(dec.DecisionType))
		task := d.FirstDecision(src)
		d.Decide(task.TaskToken, append(markerDecisions(7), dec)...)
		wantFull(d, src, types.ChildPolicyTerminate, firstDecisionThen(7)...)
		d.WantHistory(target, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	}
}

// By default, data members take 32,768 characters and heartbeat details
// 2,048; one more is a ValidationException naming the member.
func TestDataSizeDefaults(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	in := func(n int) *string { return aws.String(strings.Repeat("é", n)) }
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("big"), WorkflowType: swftest.WorkflowType(swftest.WorkflowTypeName, "1"), Input: in(32769)})
	wantValidation(t, err, "input")
	ex := d.Start("big", func(in2 *swf.StartWorkflowExecutionInput) { in2.Input = in(32768) })

	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("big"), SignalName: aws.String("s"), Input: in(32769)})
	wantValidation(t, err, "input")
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("big"), SignalName: aws.String("s"), Input: in(32768)})
	must(t, err)

	task := d.PollDecision()
	if a := task.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.Input) != *in(32768) {
		t.Fatalf("input of %d bytes", len(aws.ToString(a.Input)))
	}
	marker := func(n int) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m"), Details: in(n)}}
	}
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{swftest.ScheduleActivity("a"), marker(32769)}})
	wantValidation(t, err, "decisions.2.member.recordMarkerDecisionAttributes.details")
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a"), marker(32768))

	act := d.PollActivity()
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: act.TaskToken, Details: in(2049)})
	wantValidation(t, err, "details")
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: act.TaskToken, Details: in(2048)})
	must(t, err)
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: act.TaskToken, Result: in(32769)})
	wantValidation(t, err, "result")
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: act.TaskToken, Result: in(32768)})
	must(t, err)
	if a := d.LastEvent(ex, types.EventTypeActivityTaskCompleted).ActivityTaskCompletedEventAttributes; aws.ToString(a.Result) != *in(32768) {
		t.Fatalf("result of %d bytes", len(aws.ToString(a.Result)))
	}
}

// Raised size limits let bigger data in, and it comes back whole.
func TestDataSizeRaised(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Limits.Sizes.Data = 50000
		c.Limits.Sizes.LimitedData = 5000
	}))
	data := func(n int) *string { return aws.String(strings.Repeat("ü", n-1) + "!") }
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("big"), WorkflowType: swftest.WorkflowType(swftest.WorkflowTypeName, "1"), Input: data(50001)})
	wantValidation(t, err, "input")
	ex := d.Start("big", func(in *swf.StartWorkflowExecutionInput) { in.Input = data(50000) })
	task := d.PollDecision()
	if a := task.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.Input) != *data(50000) {
		t.Fatalf("input of %d bytes", len(aws.ToString(a.Input)))
	}
	d.Decide(task.TaskToken, swftest.ScheduleActivity("beats", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.Input = data(50000) }), swftest.ScheduleActivity("result"))
	tasks := map[string]*swf.PollForActivityTaskOutput{}
	for range 2 {
		task := d.PollActivity()
		tasks[aws.ToString(task.ActivityId)] = task
	}
	if aws.ToString(tasks["beats"].Input) != *data(50000) {
		t.Fatalf("activity input of %d bytes", len(aws.ToString(tasks["beats"].Input)))
	}

	// Heartbeat details of 5,000 characters come back in the timeout.
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: tasks["beats"].TaskToken, Details: data(5001)})
	wantValidation(t, err, "details")
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: tasks["beats"].TaskToken, Details: data(5000)})
	must(t, err)
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: tasks["result"].TaskToken, Result: data(50001)})
	wantValidation(t, err, "result")
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: tasks["result"].TaskToken, Result: data(50000)})
	must(t, err)
	d.Advance(30 * time.Second)
	if a := d.LastEvent(ex, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes; a.TimeoutType != types.ActivityTaskTimeoutTypeHeartbeat || aws.ToString(a.Details) != *data(5000) {
		t.Fatalf("timed out %s with details of %d bytes", a.TimeoutType, len(aws.ToString(a.Details)))
	}
	if a := d.LastEvent(ex, types.EventTypeActivityTaskCompleted).ActivityTaskCompletedEventAttributes; aws.ToString(a.Result) != *data(50000) {
		t.Fatalf("result of %d bytes", len(aws.ToString(a.Result)))
	}
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.CompleteWorkflow(*data(50000)))
	if a := d.LastEvent(ex, types.EventTypeWorkflowExecutionCompleted).WorkflowExecutionCompletedEventAttributes; aws.ToString(a.Result) != *data(50000) {
		t.Fatalf("workflow result of %d bytes", len(aws.ToString(a.Result)))
	}
}

// The longest run (MaxExecutionSeconds) bounds executionStartToCloseTimeout
// wherever it is given: at the limit it is accepted, one second more is a
// ValidationException.
func TestMaxExecutionSeconds(t *testing.T) {
	t.Parallel()
	for _, limit := range []int64{0, 2 * 365 * 24 * 3600, 3600} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			t.Parallel()
			max := limit
			if max == 0 {
				max = 365 * 24 * 3600 // Amazon SWF's year
			}
			atMax, over := aws.String(fmt.Sprint(max)), aws.String(fmt.Sprint(max+1))
			d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.MaxExecutionSeconds = limit }))

			reg := func(name string, timeout *string) error {
				_, err := d.Client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
					Domain: aws.String(d.Name), Name: aws.String(name), Version: aws.String("1"),
					DefaultTaskList:                     &types.TaskList{Name: aws.String("long-deciders")},
					DefaultExecutionStartToCloseTimeout: timeout,
					DefaultTaskStartToCloseTimeout:      aws.String("30"),
					DefaultChildPolicy:                  types.ChildPolicyTerminate,
				})
				return err
			}
			wantValidation(t, reg("too-long", over), "defaultExecutionStartToCloseTimeout")
			must(t, reg("longest", atMax))
			out, err := d.Client.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("longest", "1")})
			must(t, err)
			if got := aws.ToString(out.Configuration.DefaultExecutionStartToCloseTimeout); got != *atMax {
				t.Fatalf("registered default %s", got)
			}

			_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("over"), WorkflowType: swftest.WorkflowType(swftest.WorkflowTypeName, "1"), ExecutionStartToCloseTimeout: over})
			wantValidation(t, err, "executionStartToCloseTimeout")
			ex := d.Start("longest", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = atMax })
			if a := d.History(ex)[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.ExecutionStartToCloseTimeout) != *atMax {
				t.Fatalf("started with %s", aws.ToString(a.ExecutionStartToCloseTimeout))
			}

			task := d.FirstDecision(ex)
			continueAsNew := func(timeout *string) types.Decision {
				return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{ExecutionStartToCloseTimeout: timeout}}
			}
			_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{orderChild("kid", "kids", over)}})
			wantValidation(t, err, "decisions.1.member.startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout")
			_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{continueAsNew(over)}})
			wantValidation(t, err, "decisions.1.member.continueAsNewWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout")
			if n := len(d.History(ex)); n != 3 {
				t.Fatalf("refused answers recorded events: %d", n)
			}
			d.Decide(task.TaskToken, orderChild("kid", "kids", atMax), continueAsNew(atMax))
			h := d.History(ex)
			init := swftest.EventsOf(h, types.EventTypeStartChildWorkflowExecutionInitiated)
			cont := swftest.EventsOf(h, types.EventTypeWorkflowExecutionContinuedAsNew)
			if len(init) != 1 || aws.ToString(init[0].StartChildWorkflowExecutionInitiatedEventAttributes.ExecutionStartToCloseTimeout) != *atMax ||
				len(cont) != 1 || aws.ToString(cont[0].WorkflowExecutionContinuedAsNewEventAttributes.ExecutionStartToCloseTimeout) != *atMax {
				t.Fatalf("limit %d: history %v", limit, swftest.EventTypes(h))
			}
			next := &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: cont[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId}
			if a := d.History(next)[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.ExecutionStartToCloseTimeout) != *atMax {
				t.Fatalf("continued with %s", aws.ToString(a.ExecutionStartToCloseTimeout))
			}
		})
	}
}
