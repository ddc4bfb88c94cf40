package server_test

import (
	"context"
	"encoding/json"
	"reflect"
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

// Helpers of timers_signals_test.go start with ts.

// Event types, short.
const (
	tsWES  = types.EventTypeWorkflowExecutionStarted
	tsDTS  = types.EventTypeDecisionTaskScheduled
	tsDTSt = types.EventTypeDecisionTaskStarted
	tsDTC  = types.EventTypeDecisionTaskCompleted
	tsTS   = types.EventTypeTimerStarted
	tsTF   = types.EventTypeTimerFired
	tsTC   = types.EventTypeTimerCanceled
	tsSTF  = types.EventTypeStartTimerFailed
	tsCTF  = types.EventTypeCancelTimerFailed
	tsSig  = types.EventTypeWorkflowExecutionSignaled
	tsCR   = types.EventTypeWorkflowExecutionCancelRequested
	tsMR   = types.EventTypeMarkerRecorded
	// Signal and cancellation requests a run sends.
	tsSigInit   = types.EventTypeSignalExternalWorkflowExecutionInitiated
	tsSigDone   = types.EventTypeExternalWorkflowExecutionSignaled
	tsSigFailed = types.EventTypeSignalExternalWorkflowExecutionFailed
	tsRCInit    = types.EventTypeRequestCancelExternalWorkflowExecutionInitiated
	tsRCDone    = types.EventTypeExternalWorkflowExecutionCancelRequested
	tsRCFailed  = types.EventTypeRequestCancelExternalWorkflowExecutionFailed
)

// Decision task lists of runs that must not mix with the fixture's.
const (
	tsTargets = "ts-targets"
	tsSenders = "ts-senders"
)

// tsAt is the fake time d after the epoch.
func tsAt(d time.Duration) time.Time { return swftest.Epoch.Add(d) }

func tsStartTimer(id, timeout string, control *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{
		TimerId: aws.String(id), StartToFireTimeout: aws.String(timeout), Control: control,
	}}
}

func tsCancelTimer(id string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelTimer, CancelTimerDecisionAttributes: &types.CancelTimerDecisionAttributes{TimerId: aws.String(id)}}
}

func tsSignal(workflowID string, runID *string, name string, input, control *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String(workflowID), RunId: runID, SignalName: aws.String(name), Input: input, Control: control,
	}}
}

func tsRequestCancel(workflowID string, runID, control *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String(workflowID), RunId: runID, Control: control,
	}}
}

func tsMarker(name string, details *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(name), Details: details}}
}

func tsFailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(reason), Details: aws.String(details)}}
}

func tsCancelWorkflow(details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String(details)}}
}

func tsContinueAsNew(input string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: aws.String(input)}}
}

func tsScheduleLambda(id, name string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeScheduleLambdaFunction, ScheduleLambdaFunctionDecisionAttributes: &types.ScheduleLambdaFunctionDecisionAttributes{
		Id: aws.String(id), Name: aws.String(name), Input: aws.String("{}"),
	}}
}

func tsEx(workflowID string, runID *string) *types.WorkflowExecution {
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: runID}
}

// tsOnList starts a run whose decision tasks go on list.
func tsOnList(list string) func(*swf.StartWorkflowExecutionInput) {
	return func(in *swf.StartWorkflowExecutionInput) { in.TaskList = &types.TaskList{Name: aws.String(list)} }
}

// tsJSON shows a value for a failure message.
func tsJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// tsSame fails the test unless got and want are deeply equal.
func tsSame(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %s\nwant %s", what, tsJSON(got), tsJSON(want))
	}
}

// tsHistory asserts the types of a run's whole history, whose event ids
// must run 1, 2, 3, …, and returns it.
func (f *fixture) tsHistory(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	for i, ev := range h {
		if ev.EventId != int64(i+1) {
			f.t.Fatalf("event %d of the history has id %d", i+1, ev.EventId)
		}
	}
	var w []string
	for _, t := range want {
		w = append(w, string(t))
	}
	if got := eventTypes(h); !slices.Equal(got, w) {
		f.t.Fatalf("history of %s:\n got %v\nwant %v", aws.ToString(ex.WorkflowId), got, w)
	}
	return h
}

// tsWhen asserts an event's timestamp.
func (f *fixture) tsWhen(ev types.HistoryEvent, want time.Time) {
	f.t.Helper()
	if got := aws.ToTime(ev.EventTimestamp); !got.Equal(want) {
		f.t.Fatalf("event %d (%s) at %v, want %v", ev.EventId, ev.EventType, got, want)
	}
}

// tsOpen asserts a run's open timers and decision tasks.
func (f *fixture) tsOpen(ex *types.WorkflowExecution, timers, decisionTasks int32) {
	f.t.Helper()
	c := f.describe(ex).OpenCounts
	if c.OpenTimers != timers || c.OpenDecisionTasks != decisionTasks {
		f.t.Fatalf("open counts of %s: %d timers, %d decision tasks; want %d, %d", aws.ToString(ex.WorkflowId), c.OpenTimers, c.OpenDecisionTasks, timers, decisionTasks)
	}
}

// tsStatus asserts how a run closed.
func (f *fixture) tsStatus(ex *types.WorkflowExecution, want types.CloseStatus) {
	f.t.Helper()
	info := f.describe(ex).ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != want {
		f.t.Fatalf("%s is %s/%s, want CLOSED/%s", aws.ToString(ex.WorkflowId), info.ExecutionStatus, info.CloseStatus, want)
	}
}

// tsPoll polls a decision task list and fails the test if no task is there.
func (f *fixture) tsPoll(list string) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForDecisionTask(pollCtx(f.t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("ts-decider")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no decision task on %s", list)
	}
	return out
}

func (f *fixture) tsDecideErr(token *string, decisions ...types.Decision) error {
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: decisions})
	return err
}

// tsSignalAPI signals a run through the API.
func (f *fixture) tsSignalAPI(ex *types.WorkflowExecution, name string) {
	f.t.Helper()
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String(name)})
	must(f.t, err)
}

// tsComplete completes a run whose decision task waits on list.
func (f *fixture) tsComplete(ex *types.WorkflowExecution, list string) {
	f.t.Helper()
	d := f.tsPoll(list)
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		f.t.Fatalf("decision task of %s, want one of %s", tsJSON(d.WorkflowExecution), tsJSON(ex))
	}
	f.decide(d.TaskToken, completeWorkflow("done"))
	f.tsStatus(ex, types.CloseStatusCompleted)
}

// tsOtherDomain registers the domain ts-other with the fixture's workflow
// type and starts a run of workflowID there.
func (f *fixture) tsOtherDomain(workflowID string) *types.WorkflowExecution {
	f.t.Helper()
	registerDomain(f.t, f.c, "ts-other")
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String("ts-other"), Name: aws.String("order"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(f.t, err)
	out, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("ts-other"), WorkflowId: aws.String(workflowID), WorkflowType: workflowType("order", "1")})
	must(f.t, err)
	return tsEx(workflowID, out.RunId)
}

// tsOtherHistory returns the event types of a run of the domain ts-other.
func (f *fixture) tsOtherHistory(ex *types.WorkflowExecution) []string {
	f.t.Helper()
	out, err := f.c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("ts-other"), Execution: ex})
	must(f.t, err)
	return eventTypes(out.Events)
}

// tsDownFor shuts the server down, lets the clock run for d while no
// server is there to fire anything, and starts a server again on the same
// database file and clock, as after an outage.
func (f *fixture) tsDownFor(d time.Duration) {
	f.t.Helper()
	db := f.Config().Database
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	must(f.t, f.Server.Server.Shutdown(stopCtx))
	f.Server.Server = nil
	f.Clock.Advance(d)
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", Database: db, Clock: f.Clock})
	must(f.t, err)
	f.Server.Server = srv // swftest shuts it down when the test ends
	f.Server.Client = f.NewClient()
	f.c = f.Server.Client
}

// A timer fires exactly startToFireTimeout after the decision that started
// it, not a millisecond before, and schedules a decision task.
func TestStartTimerFiresAtItsTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-timer")
	f.advance(5 * time.Second)
	d := f.decision() // 3
	f.decide(d.TaskToken, tsStartTimer("t1", "60", aws.String("control of t1")), tsStartTimer("t2", "30", nil))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS)
	tsSame(t, "TimerStarted t1", h[4].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("t1"), Control: aws.String("control of t1"), StartToFireTimeout: aws.String("60"), DecisionTaskCompletedEventId: 4,
	})
	tsSame(t, "TimerStarted t2", h[5].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("t2"), StartToFireTimeout: aws.String("30"), DecisionTaskCompletedEventId: 4,
	})
	f.tsWhen(h[5], tsAt(5*time.Second))
	f.tsOpen(ex, 2, 0) // starting a timer asks for no decision

	f.advance(30*time.Second - time.Millisecond)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS)
	f.advance(time.Millisecond)
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	tsSame(t, "TimerFired t2", h[6].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	f.tsWhen(h[6], tsAt(35*time.Second))
	f.tsWhen(h[7], tsAt(35*time.Second))
	f.tsOpen(ex, 1, 1)

	// t1 falls due while the decision task waits: no second task.
	f.advance(30*time.Second - time.Millisecond)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	f.advance(time.Millisecond)
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF)
	tsSame(t, "TimerFired t1", h[8].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	f.tsWhen(h[8], tsAt(65*time.Second))
	f.tsOpen(ex, 0, 1)

	d = f.decision()
	if d.StartedEventId != 10 || d.PreviousStartedEventId != 3 || len(d.Events) != 10 {
		t.Fatalf("decision task: started %d previous %d, %d events", d.StartedEventId, d.PreviousStartedEventId, len(d.Events))
	}
	f.decide(d.TaskToken)
	f.advance(time.Hour - 66*time.Second)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF, tsDTSt, tsDTC)
}

// A "0" timer fires at once; the Flow framework starts one, always with
// the same id, to get a new decision task.
func TestZeroTimerFiresAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-zero")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("FORCE_IMMEDIATE_DECISION", "0", nil))
	f.advance(0)
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	tsSame(t, "TimerStarted", h[4].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartToFireTimeout: aws.String("0"), DecisionTaskCompletedEventId: 4,
	})
	tsSame(t, "TimerFired", h[5].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartedEventId: 5})
	f.tsWhen(h[5], tsAt(0))

	d = f.decision()
	if d.StartedEventId != 8 || d.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	f.decide(d.TaskToken, tsStartTimer("FORCE_IMMEDIATE_DECISION", "0", nil))
	f.advance(0)
	f.advance(0)
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	tsSame(t, "second TimerFired", h[10].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartedEventId: 10})
	f.tsOpen(ex, 0, 1)
}

// A timer id is free again once its timer fired or was canceled, even
// within one list of decisions; the canceled timer never fires.
func TestTimerIDsAreReusableAfterFireOrCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-reuse")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("a", "10", nil), tsStartTimer("b", "100", nil)) // 5, 6
	f.advance(10 * time.Second)                                                        // 7 fired a, 8
	d = f.decision()                                                                   // 9
	f.decide(d.TaskToken, tsStartTimer("a", "20", aws.String("again")), tsCancelTimer("b"), tsStartTimer("b", "5", nil))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTC, tsTS)
	tsSame(t, "TimerStarted a again", h[10].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("a"), Control: aws.String("again"), StartToFireTimeout: aws.String("20"), DecisionTaskCompletedEventId: 10,
	})
	tsSame(t, "TimerCanceled b", h[11].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("b"), StartedEventId: 6, DecisionTaskCompletedEventId: 10})
	tsSame(t, "TimerStarted b again", h[12].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("b"), StartToFireTimeout: aws.String("5"), DecisionTaskCompletedEventId: 10,
	})
	f.tsOpen(ex, 2, 0)

	f.advance(5 * time.Second)
	f.advance(15 * time.Second)
	f.advance(100 * time.Second) // past the first b's deadline
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTC, tsTS, tsTF, tsDTS, tsTF)
	tsSame(t, "TimerFired b", h[13].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("b"), StartedEventId: 13})
	f.tsWhen(h[13], tsAt(15*time.Second))
	tsSame(t, "TimerFired a", h[15].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("a"), StartedEventId: 11})
	f.tsWhen(h[15], tsAt(30*time.Second))
	f.tsOpen(ex, 0, 1)
}

func TestStartTimerFailed(t *testing.T) {
	t.Parallel()
	failed := func(id string, cause types.StartTimerFailedCause, completed int64) *types.StartTimerFailedEventAttributes {
		return &types.StartTimerFailedEventAttributes{TimerId: aws.String(id), Cause: cause, DecisionTaskCompletedEventId: completed}
	}

	// An open timer with the id, from the same list or an earlier one.
	t.Run("id in use", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("ts-in-use")
		d := f.decision()
		f.decide(d.TaskToken, tsStartTimer("t1", "60", nil), tsStartTimer("t1", "30", nil), tsStartTimer("t2", "30", nil))
		h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS)
		tsSame(t, "StartTimerFailed", h[5].StartTimerFailedEventAttributes, failed("t1", types.StartTimerFailedCauseTimerIdAlreadyInUse, 4))
		f.tsOpen(ex, 2, 1)

		d = f.decision() // 9
		f.decide(d.TaskToken, tsStartTimer("t1", "10", nil))
		h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS)
		tsSame(t, "second StartTimerFailed", h[10].StartTimerFailedEventAttributes, failed("t1", types.StartTimerFailedCauseTimerIdAlreadyInUse, 10))

		// The refused timers changed nothing: t1 fires at 60 s.
		f.advance(30 * time.Second)
		h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS, tsTF)
		tsSame(t, "TimerFired t2", h[12].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 7})
		f.advance(30 * time.Second)
		h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS, tsTF, tsTF)
		tsSame(t, "TimerFired t1", h[13].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	})

	t.Run("open timers limit", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenTimers = 2 }))
		ex := f.start("ts-limit")
		d := f.decision()
		f.decide(d.TaskToken, tsStartTimer("a", "60", nil), tsStartTimer("b", "60", nil), tsStartTimer("c", "60", nil))
		h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsSTF, tsDTS)
		tsSame(t, "StartTimerFailed c", h[6].StartTimerFailedEventAttributes, failed("c", types.StartTimerFailedCauseOpenTimersLimitExceeded, 4))
		f.tsOpen(ex, 2, 1)

		d = f.decision() // 9
		f.decide(d.TaskToken, tsCancelTimer("a"), tsStartTimer("c", "60", nil), tsStartTimer("d", "60", nil))
		h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsSTF, tsDTS, tsDTSt, tsDTC, tsTC, tsTS, tsSTF, tsDTS)
		if id := aws.ToString(h[11].TimerStartedEventAttributes.TimerId); id != "c" {
			t.Fatalf("timer started: %s", id)
		}
		tsSame(t, "StartTimerFailed d", h[12].StartTimerFailedEventAttributes, failed("d", types.StartTimerFailedCauseOpenTimersLimitExceeded, 10))
		f.tsOpen(ex, 2, 1)
	})

	// NONE is no duration for a timer: the whole answer is refused and the
	// decision task stays started.
	t.Run("NONE", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("ts-none")
		d := f.decision()
		err := f.tsDecideErr(d.TaskToken, tsStartTimer("t1", "NONE", nil))
		wantValidation(t, err, "decisions.1.member.startTimerDecisionAttributes.startToFireTimeout")
		err = f.tsDecideErr(d.TaskToken, tsMarker("m", nil), tsStartTimer("t1", "60", nil), tsStartTimer("t2", "NONE", nil))
		wantValidation(t, err, "decisions.3.member.startTimerDecisionAttributes.startToFireTimeout")
		f.tsHistory(ex, tsWES, tsDTS, tsDTSt)
		f.tsOpen(ex, 0, 1)

		f.decide(d.TaskToken, tsStartTimer("t1", "1", nil))
		f.advance(time.Second)
		f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	})
}

// Malformed timer and external decisions refuse the whole answer, naming
// the member; nothing is recorded.
func TestTimerAndExternalDecisionsValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-invalid")
	d := f.decision()
	for _, tc := range []struct {
		decision types.Decision
		field    string
	}{
		{tsStartTimer("a:b", "10", nil), "decisions.2.member.startTimerDecisionAttributes.timerId"},
		{tsStartTimer("arn", "10", nil), "decisions.2.member.startTimerDecisionAttributes.timerId"},
		{tsStartTimer("t", "-1", nil), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{tsStartTimer("t", "1.5", nil), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{tsStartTimer("t", "", nil), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{tsStartTimer("t", "31536001", nil), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{tsCancelTimer("x/y"), "decisions.2.member.cancelTimerDecisionAttributes.timerId"},
		{tsCancelTimer(""), "decisions.2.member.cancelTimerDecisionAttributes.timerId"},
		{tsSignal("a|b", nil, "s", nil, nil), "decisions.2.member.signalExternalWorkflowExecutionDecisionAttributes.workflowId"},
		{tsSignal("w", nil, "", nil, nil), "decisions.2.member.signalExternalWorkflowExecutionDecisionAttributes.signalName"},
		{tsRequestCancel("arn", nil, nil), "decisions.2.member.requestCancelExternalWorkflowExecutionDecisionAttributes.workflowId"},
		{tsRequestCancel("w", aws.String(strings.Repeat("r", 65)), nil), "decisions.2.member.requestCancelExternalWorkflowExecutionDecisionAttributes.runId"},
		{tsMarker("", nil), "decisions.2.member.recordMarkerDecisionAttributes.markerName"},
	} {
		err := f.tsDecideErr(d.TaskToken, tsMarker("first", nil), tc.decision)
		wantValidation(t, err, tc.field)
	}
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt)
	f.tsOpen(ex, 0, 1)
	// The largest timeout there is works.
	f.decide(d.TaskToken, tsStartTimer("t", "31536000", nil))
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS)
}

func TestCancelTimer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-cancel")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "60", nil), tsStartTimer("t2", "10", nil)) // 5, 6
	f.advance(10 * time.Second)                                                         // 7 fired t2, 8
	d = f.decision()                                                                    // 9
	f.decide(d.TaskToken, tsCancelTimer("t1"))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC)
	tsSame(t, "TimerCanceled", h[10].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5, DecisionTaskCompletedEventId: 10})
	f.tsOpen(ex, 0, 0) // canceling a timer asks for no decision

	f.advance(60 * time.Second) // t1 never fires
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC)

	// Canceled, fired, never started: each is unknown.
	f.tsSignalAPI(ex, "wake up") // 12, 13
	d = f.decision()             // 14
	f.decide(d.TaskToken, tsCancelTimer("t1"), tsCancelTimer("t2"), tsCancelTimer("t3"))
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC,
		tsSig, tsDTS, tsDTSt, tsDTC, tsCTF, tsCTF, tsCTF, tsDTS)
	for i, id := range []string{"t1", "t2", "t3"} {
		tsSame(t, "CancelTimerFailed "+id, h[15+i].CancelTimerFailedEventAttributes, &types.CancelTimerFailedEventAttributes{
			TimerId: aws.String(id), Cause: types.CancelTimerFailedCauseTimerIdUnknown, DecisionTaskCompletedEventId: 15,
		})
	}
	f.tsOpen(ex, 0, 1)
}

// A timer that fired after the decision task started is no longer there
// to cancel, though the decider has not seen it fire.
func TestCancelTimerThatFiredUnseen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-unseen")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "10", nil)) // 5
	f.tsSignalAPI(ex, "wake up")                         // 6, 7
	d = f.decision()                                     // 8
	f.advance(10 * time.Second)                          // 9
	f.decide(d.TaskToken, tsCancelTimer("t1"))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSig, tsDTS, tsDTSt, tsTF, tsDTC, tsCTF, tsDTS)
	tsSame(t, "CancelTimerFailed", h[10].CancelTimerFailedEventAttributes, &types.CancelTimerFailedEventAttributes{
		TimerId: aws.String("t1"), Cause: types.CancelTimerFailedCauseTimerIdUnknown, DecisionTaskCompletedEventId: 10,
	})
	d = f.decision()
	if d.StartedEventId != 13 || d.PreviousStartedEventId != 8 {
		t.Fatalf("decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
}

// A timer started and canceled by one answer leaves nothing behind.
func TestTimerStartedAndCanceledTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-together")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "10", nil), tsCancelTimer("t1"))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTC)
	tsSame(t, "TimerCanceled", h[5].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5, DecisionTaskCompletedEventId: 4})
	f.tsOpen(ex, 0, 0)
	f.advance(10 * time.Second)
	f.restart()
	f.advance(10 * time.Second)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTC)
}

// Timers live in the database: one armed before a restart fires after it,
// at its time, and exactly once however often timers are fired.
func TestTimerSurvivesRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-durable")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "60", aws.String("kept")))
	f.advance(30 * time.Second)
	f.restart()
	f.tsOpen(ex, 1, 0)
	f.advance(30*time.Second - time.Millisecond)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS)
	f.restart()
	f.advance(time.Millisecond)
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	tsSame(t, "TimerFired", h[5].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	f.tsWhen(h[5], tsAt(60*time.Second))

	f.advance(0)
	must(t, f.FireDueTimers(ctx))
	f.restart()
	must(t, f.FireDueTimers(ctx))
	f.advance(10 * time.Minute)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	f.tsOpen(ex, 0, 1)
	d = f.decision()
	if d.StartedEventId != 8 {
		t.Fatalf("decision task started %d", d.StartedEventId)
	}
}

// The server's own timer loop fires timers as the clock reaches them,
// before and after a restart, and a waiting poll gets the decision task.
func TestTimerLoopFiresTimersByItself(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-loop")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "60", nil), tsStartTimer("t2", "120", nil))
	f.Clock.Advance(60 * time.Second) // no FireDueTimers: the loop does it
	d = f.decision()
	if got := eventTypes(d.Events); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"TimerStarted", "TimerStarted", "TimerFired", "DecisionTaskScheduled", "DecisionTaskStarted"}) {
		t.Fatalf("decision task: %v", got)
	}
	f.decide(d.TaskToken)

	f.restart()
	f.Clock.Advance(60 * time.Second)
	d = f.decision()
	fired := d.Events[len(d.Events)-3]
	tsSame(t, "TimerFired t2", fired.TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	f.tsWhen(fired, tsAt(120*time.Second))
	f.tsOpen(ex, 0, 1)
}

// A timer that fell due while no server ran fires when one starts; one
// not yet due waits for its time.
func TestTimerDueDuringOutageFiresOnStartUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-outage")
	d := f.decision()
	f.decide(d.TaskToken, tsStartTimer("t1", "60", nil), tsStartTimer("t2", "300", nil)) // 5, 6
	f.tsDownFor(100 * time.Second)
	must(t, f.FireDueTimers(ctx))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	tsSame(t, "TimerFired t1", h[6].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	f.tsWhen(h[6], tsAt(100*time.Second)) // when it could fire
	f.tsOpen(ex, 1, 1)

	f.advance(200*time.Second - time.Millisecond)
	f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	f.advance(time.Millisecond)
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF)
	tsSame(t, "TimerFired t2", h[8].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	f.tsWhen(h[8], tsAt(300*time.Second))
}

// The timers of a closed run go with it, however it closed.
func TestTimersOfAClosedRunNeverFire(t *testing.T) {
	t.Parallel()
	for _, tc := range tsCloseCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ex := f.start("ts-closed")
			d := f.decision()
			f.decide(d.TaskToken, tsStartTimer("t1", "60", nil), tsStartTimer("t2", "1", nil), tc.decision)
			f.tsStatus(ex, tc.status)
			f.tsOpen(ex, 0, 0)
			f.advance(60 * time.Second)
			f.restart()
			f.advance(60 * time.Second)
			f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tc.closed)
			if tc.status == types.CloseStatusContinuedAsNew {
				// The new run starts without the old run's timers.
				next := tsEx("ts-closed", f.lastEvent(ex, tc.closed).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
				f.tsHistory(next, tsWES, tsDTS)
				f.tsOpen(next, 0, 1)
			}
		})
	}
	t.Run("terminated", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("ts-terminated")
		d := f.decision()
		f.decide(d.TaskToken, tsStartTimer("t1", "60", nil))
		_, err := f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId})
		must(t, err)
		f.advance(60 * time.Second)
		f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, types.EventTypeWorkflowExecutionTerminated)
	})
	t.Run("timed out", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("ts-timed-out", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
		d := f.decision()
		f.decide(d.TaskToken, tsStartTimer("t1", "150", nil), tsStartTimer("t2", "200", nil))
		f.advance(100 * time.Second)
		f.advance(100 * time.Second)
		f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, types.EventTypeWorkflowExecutionTimedOut)
		f.tsStatus(ex, types.CloseStatusTimedOut)
	})
}

// A run signals another; both hear of it and get a decision task.
func TestSignalExternalWorkflowExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := f.start("ts-target", tsOnList(tsTargets))
	sender := f.start("ts-sender")
	f.decide(f.tsPoll(tsTargets).TaskToken) // target: 3, 4

	d := f.decision() // sender: 3
	f.decide(d.TaskToken, tsSignal("ts-target", target.RunId, "go", aws.String("payload"), aws.String("sender's note")))
	h := f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS)
	tsSame(t, "SignalExternalWorkflowExecutionInitiated", h[4].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: target.RunId, SignalName: aws.String("go"), Input: aws.String("payload"),
		Control: aws.String("sender's note"), DecisionTaskCompletedEventId: 4,
	})
	tsSame(t, "ExternalWorkflowExecutionSignaled", h[5].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 5,
	})
	th := f.tsHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS)
	tsSame(t, "WorkflowExecutionSignaled", th[4].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("go"), Input: aws.String("payload"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	f.tsOpen(sender, 0, 1)
	f.tsOpen(target, 0, 1)

	td := f.tsPoll(tsTargets) // target: 7
	if td.StartedEventId != 7 || td.Events[4].EventType != tsSig {
		t.Fatalf("target's decision task: started %d, events %v", td.StartedEventId, eventTypes(td.Events))
	}
	d = f.decision() // sender: 8
	if d.StartedEventId != 8 || d.Events[5].EventType != tsSigDone {
		t.Fatalf("sender's decision task: started %d, events %v", d.StartedEventId, eventTypes(d.Events))
	}

	// Without a runId the signal goes to the open run; the target's task
	// has started, so it gets no new one until it answers.
	f.decide(d.TaskToken, tsSignal("ts-target", nil, "again", nil, nil))
	h = f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS)
	tsSame(t, "second Initiated", h[9].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), SignalName: aws.String("again"), DecisionTaskCompletedEventId: 9,
	})
	tsSame(t, "second ExternalWorkflowExecutionSignaled", h[10].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 10,
	})
	th = f.tsHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS, tsDTSt, tsSig)
	tsSame(t, "second WorkflowExecutionSignaled", th[7].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("again"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 10,
	})
	f.tsOpen(target, 0, 1)
	f.decide(td.TaskToken)
	f.tsHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS, tsDTSt, tsSig, tsDTC, tsDTS)
}

// Without a runId a signal goes to the open run of the workflowId; with
// the runId of one of its closed runs it goes nowhere.
func TestSignalExternalTargetsTheOpenRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.start("ts-target", tsOnList(tsTargets))
	f.tsComplete(old, tsTargets)
	current := f.start("ts-target", tsOnList(tsTargets))
	sender := f.start("ts-sender")
	d := f.decision()
	f.decide(d.TaskToken, tsSignal("ts-target", nil, "to the open run", nil, nil), tsSignal("ts-target", old.RunId, "to the old run", nil, aws.String("c")))
	// The second Initiated comes before the first signal is carried out.
	h := f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigInit, tsSigDone, tsDTS, tsSigFailed)
	tsSame(t, "ExternalWorkflowExecutionSignaled", h[6].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: current, InitiatedEventId: 5,
	})
	tsSame(t, "SignalExternalWorkflowExecutionFailed", h[8].SignalExternalWorkflowExecutionFailedEventAttributes, &types.SignalExternalWorkflowExecutionFailedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: old.RunId, Cause: types.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
		InitiatedEventId: 6, DecisionTaskCompletedEventId: 4, Control: aws.String("c"),
	})
	f.tsHistory(current, tsWES, tsDTS, tsSig)
	f.tsHistory(old, tsWES, tsDTS, tsDTSt, tsDTC, types.EventTypeWorkflowExecutionCompleted)
}

// tsNoTarget prepares the target of a signal or cancellation request that
// has nowhere to go, and returns the workflowId and runId to aim at, and a
// run of another domain that must hear nothing, if any.
type tsNoTarget struct {
	name    string
	prepare func(f *fixture, sender *types.WorkflowExecution) (wid string, runID *string, other *types.WorkflowExecution)
}

var tsNoTargets = []tsNoTarget{
	{"unknown workflowId", func(f *fixture, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		return "nobody", nil, nil
	}},
	{"unknown workflowId with a runId", func(f *fixture, sender *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		return "nobody", sender.RunId, nil
	}},
	{"closed run by runId", func(f *fixture, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := f.start("ts-target", tsOnList(tsTargets))
		f.tsComplete(ex, tsTargets)
		return "ts-target", ex.RunId, nil
	}},
	{"closed run without runId", func(f *fixture, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := f.start("ts-target", tsOnList(tsTargets))
		f.tsComplete(ex, tsTargets)
		return "ts-target", nil, nil
	}},
	{"wrong runId", func(f *fixture, sender *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		f.start("ts-target", tsOnList(tsTargets))
		return "ts-target", sender.RunId, nil
	}},
	{"run of another domain", func(f *fixture, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := f.tsOtherDomain("ts-target")
		return "ts-target", ex.RunId, ex
	}},
	{"run of another domain without runId", func(f *fixture, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := f.tsOtherDomain("ts-target")
		return "ts-target", nil, ex
	}},
}

func TestSignalExternalWorkflowExecutionFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range tsNoTargets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			sender := f.start("ts-sender")
			wid, runID, other := tc.prepare(f, sender)
			d := f.decision()
			f.decide(d.TaskToken, tsSignal(wid, runID, "lost", aws.String("input"), aws.String("control")))
			h := f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigFailed, tsDTS)
			tsSame(t, "Initiated", h[4].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, SignalName: aws.String("lost"), Input: aws.String("input"),
				Control: aws.String("control"), DecisionTaskCompletedEventId: 4,
			})
			tsSame(t, "Failed", h[5].SignalExternalWorkflowExecutionFailedEventAttributes, &types.SignalExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Cause: types.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
				InitiatedEventId: 5, DecisionTaskCompletedEventId: 4, Control: aws.String("control"),
			})
			f.tsOpen(sender, 0, 1)
			if other != nil {
				if got := f.tsOtherHistory(other); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
					t.Fatalf("run of the other domain: %v", got)
				}
			}
		})
	}
}

// A run that closes in the answer that sends a signal or a cancellation
// request: the target still hears of it; the closed sender records nothing
// more.
func TestSignalAndCancelRequestSentWithACloseDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := f.start("ts-target", tsOnList(tsTargets))
	sender := f.start("ts-sender")
	d := f.decision()
	f.decide(d.TaskToken, tsSignal("ts-target", nil, "bye", aws.String("last words"), nil), tsRequestCancel("ts-target", target.RunId, nil), completeWorkflow("done"))
	f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsRCInit, types.EventTypeWorkflowExecutionCompleted)
	f.tsStatus(sender, types.CloseStatusCompleted)
	th := f.tsHistory(target, tsWES, tsDTS, tsSig, tsCR)
	tsSame(t, "WorkflowExecutionSignaled", th[2].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("bye"), Input: aws.String("last words"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	tsSame(t, "WorkflowExecutionCancelRequested", th[3].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 6,
	})
	f.tsOpen(target, 0, 1)
}

// A run may signal itself: it hears the signal and that it was delivered,
// with one decision task.
func TestSignalExternalToItself(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-self")
	d := f.decision()
	f.decide(d.TaskToken, tsSignal("ts-self", nil, "note", aws.String("to myself"), nil))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone)
	tsSame(t, "WorkflowExecutionSignaled", h[5].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("note"), Input: aws.String("to myself"), ExternalWorkflowExecution: ex, ExternalInitiatedEventId: 5,
	})
	tsSame(t, "ExternalWorkflowExecutionSignaled", h[7].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: ex, InitiatedEventId: 5,
	})
	f.tsOpen(ex, 0, 1)

	d = f.decision() // 9
	f.decide(d.TaskToken, tsSignal("ts-self", ex.RunId, "again", nil, nil))
	h = f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone)
	tsSame(t, "second WorkflowExecutionSignaled", h[11].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("again"), ExternalWorkflowExecution: ex, ExternalInitiatedEventId: 11,
	})
}

// A run asks another to cancel; the target is told, with a decision task
// and cancelRequested set, and the sender hears it was.
func TestRequestCancelExternalWorkflowExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := f.start("ts-target", tsOnList(tsTargets))
	sender := f.start("ts-sender")
	f.decide(f.tsPoll(tsTargets).TaskToken) // target: 3, 4

	d := f.decision()
	f.decide(d.TaskToken, tsRequestCancel("ts-target", target.RunId, aws.String("why")))
	h := f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS)
	tsSame(t, "RequestCancelExternalWorkflowExecutionInitiated", h[4].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: target.RunId, Control: aws.String("why"), DecisionTaskCompletedEventId: 4,
	})
	tsSame(t, "ExternalWorkflowExecutionCancelRequested", h[5].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 5,
	})
	th := f.tsHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsCR, tsDTS)
	tsSame(t, "WorkflowExecutionCancelRequested", th[4].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	if !f.describe(target).ExecutionInfo.CancelRequested {
		t.Fatal("target: cancelRequested is false")
	}
	if f.describe(sender).ExecutionInfo.CancelRequested {
		t.Fatal("sender: cancelRequested is true")
	}
	f.tsOpen(target, 0, 1)
	f.tsOpen(sender, 0, 1)

	// The target complies.
	td := f.tsPoll(tsTargets)
	f.decide(td.TaskToken, tsCancelWorkflow("as asked"))
	f.tsStatus(target, types.CloseStatusCanceled)

	// Without a runId the request goes to the open run.
	next := f.start("ts-target", tsOnList(tsTargets))
	d = f.decision() // sender: 8
	if d.Events[5].EventType != tsRCDone {
		t.Fatalf("sender's decision task: %v", eventTypes(d.Events))
	}
	f.decide(d.TaskToken, tsRequestCancel("ts-target", nil, nil))
	h = f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS)
	tsSame(t, "second Initiated", h[9].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), DecisionTaskCompletedEventId: 9,
	})
	tsSame(t, "second ExternalWorkflowExecutionCancelRequested", h[10].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{
		WorkflowExecution: next, InitiatedEventId: 10,
	})
	nh := f.tsHistory(next, tsWES, tsDTS, tsCR)
	tsSame(t, "second WorkflowExecutionCancelRequested", nh[2].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 10,
	})
	if !f.describe(next).ExecutionInfo.CancelRequested {
		t.Fatal("next target: cancelRequested is false")
	}
}

func TestRequestCancelExternalWorkflowExecutionFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range tsNoTargets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			sender := f.start("ts-sender")
			wid, runID, other := tc.prepare(f, sender)
			d := f.decision()
			f.decide(d.TaskToken, tsRequestCancel(wid, runID, aws.String("control")))
			h := f.tsHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCFailed, tsDTS)
			tsSame(t, "Initiated", h[4].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Control: aws.String("control"), DecisionTaskCompletedEventId: 4,
			})
			tsSame(t, "Failed", h[5].RequestCancelExternalWorkflowExecutionFailedEventAttributes, &types.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Cause: types.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
				InitiatedEventId: 5, DecisionTaskCompletedEventId: 4, Control: aws.String("control"),
			})
			f.tsOpen(sender, 0, 1)
			if other != nil {
				if got := f.tsOtherHistory(other); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
					t.Fatalf("run of the other domain: %v", got)
				}
			}
		})
	}
}

// tsCloseCase is a decision that closes the run, with the events and the
// status that follow from it.
type tsCloseCase struct {
	name     string
	decision types.Decision
	failed   types.EventType
	// cause reads the cause and decisionTaskCompletedEventId of the
	// failure event.
	cause  func(types.HistoryEvent) (string, int64)
	closed types.EventType
	status types.CloseStatus
}

var tsCloseCases = []tsCloseCase{
	{"complete", completeWorkflow("result"), types.EventTypeCompleteWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.CompleteWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionCompleted, types.CloseStatusCompleted},
	{"fail", tsFailWorkflow("reason", "details"), types.EventTypeFailWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.FailWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionFailed, types.CloseStatusFailed},
	{"cancel", tsCancelWorkflow("details"), types.EventTypeCancelWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.CancelWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionCanceled, types.CloseStatusCanceled},
	{"continue as new", tsContinueAsNew("next input"), types.EventTypeContinueAsNewWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.ContinueAsNewWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionContinuedAsNew, types.CloseStatusContinuedAsNew},
}

// A close decision fails with UNHANDLED_DECISION when a timer fired, or
// another run's signal arrived, after its decision task started; the next
// decision task shows the event and closing then works.
func TestCloseDecisionUnhandledAfterTimerOrExternalSignal(t *testing.T) {
	t.Parallel()
	for _, tc := range tsCloseCases {
		t.Run(tc.name+" after a timer fired", func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ex := f.start("ts-close")
			d := f.decision()
			f.decide(d.TaskToken, tsStartTimer("early", "5", nil), tsStartTimer("late", "10", nil)) // 5, 6
			f.advance(5 * time.Second)                                                              // 7, 8
			d = f.decision()                                                                        // 9
			f.advance(5 * time.Second)                                                              // 10
			f.tsOpen(ex, 0, 1)
			f.decide(d.TaskToken, tsMarker("closing", nil), tc.decision)
			h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsTF, tsDTC, tsMR, tc.failed, tsDTS)
			if cause, completed := tc.cause(h[12]); cause != "UNHANDLED_DECISION" || completed != 11 {
				t.Fatalf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
			}
			if info := f.describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatalf("run is %s", info.ExecutionStatus)
			}

			d = f.decision() // 15
			if d.StartedEventId != 15 || d.PreviousStartedEventId != 9 || d.Events[9].EventType != tsTF {
				t.Fatalf("next decision task: started %d previous %d events %v", d.StartedEventId, d.PreviousStartedEventId, eventTypes(d.Events))
			}
			f.decide(d.TaskToken, tc.decision)
			f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsTF, tsDTC, tsMR, tc.failed, tsDTS, tsDTSt, tsDTC, tc.closed)
			f.tsStatus(ex, tc.status)
		})
		for _, trigger := range []struct {
			name     string
			decision types.Decision
			event    types.EventType
		}{
			{"an external signal", tsSignal("ts-close", nil, "late", nil, nil), tsSig},
			{"an external cancellation request", tsRequestCancel("ts-close", nil, nil), tsCR},
		} {
			t.Run(tc.name+" after "+trigger.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				ex := f.start("ts-close")
				f.start("ts-sender", tsOnList(tsSenders))
				d := f.decision() // 3
				f.decide(f.tsPoll(tsSenders).TaskToken, trigger.decision)
				f.decide(d.TaskToken, tc.decision)
				h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, trigger.event, tsDTC, tc.failed, tsDTS)
				if cause, completed := tc.cause(h[5]); cause != "UNHANDLED_DECISION" || completed != 5 {
					t.Fatalf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
				}
				d = f.decision() // 8
				if d.StartedEventId != 8 || d.PreviousStartedEventId != 3 {
					t.Fatalf("next decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
				}
				f.decide(d.TaskToken, tc.decision)
				f.tsHistory(ex, tsWES, tsDTS, tsDTSt, trigger.event, tsDTC, tc.failed, tsDTS, tsDTSt, tsDTC, tc.closed)
				f.tsStatus(ex, tc.status)
			})
		}
	}
}

// closeNotLast is Amazon SWF's answer to a close decision that is not the
// last of its list (observed by moto's authors and others; SWF-API.md §5.0).
const closeNotLast = "Close must be last decision in list"

// A close decision that is not the last of its list refuses the whole
// answer: nothing is recorded and the decision task can be answered again.
func TestCloseDecisionNotLast(t *testing.T) {
	t.Parallel()
	for _, tc := range tsCloseCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ex := f.start("ts-not-last")
			d := f.decision()
			err := f.tsDecideErr(d.TaskToken, tc.decision, tsMarker("after", nil))
			wantValidationMessage(t, err, closeNotLast)
			err = f.tsDecideErr(d.TaskToken, tsStartTimer("t1", "10", nil), tc.decision, completeWorkflow("second close"))
			wantValidationMessage(t, err, closeNotLast)
			f.tsHistory(ex, tsWES, tsDTS, tsDTSt)
			f.tsOpen(ex, 0, 1)
			f.advance(10 * time.Second)
			f.tsHistory(ex, tsWES, tsDTS, tsDTSt)

			f.decide(d.TaskToken, tsMarker("before", aws.String("d")), tc.decision)
			f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsMR, tc.closed)
			f.tsStatus(ex, tc.status)
		})
	}
}

// Markers are recorded where they stand among other decisions, details
// as given, and ask for no decision.
func TestRecordMarkerAmongOtherDecisions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-markers")
	d := f.decision()
	f.decide(d.TaskToken,
		tsStartTimer("t1", "60", nil),
		tsMarker("checkpoint", aws.String(`{"step":1}`)),
		scheduleActivity("a1"),
		tsMarker("checkpoint", nil),
		tsMarker("empty", aws.String("")),
	)
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsMR, types.EventTypeActivityTaskScheduled, tsMR, tsMR)
	tsSame(t, "first marker", h[5].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("checkpoint"), Details: aws.String(`{"step":1}`), DecisionTaskCompletedEventId: 4})
	tsSame(t, "second marker", h[7].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("checkpoint"), DecisionTaskCompletedEventId: 4})
	tsSame(t, "third marker", h[8].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("empty"), Details: aws.String(""), DecisionTaskCompletedEventId: 4})
	f.tsOpen(ex, 1, 0)
}

// Without a Lambda endpoint the server has no Lambda service: the decision
// fails, and the decider gets a decision task to hear it.
func TestScheduleLambdaFunctionWithoutLambda(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ts-lambda", func(in *swf.StartWorkflowExecutionInput) {
		in.LambdaRole = aws.String("arn:aws:iam::123456789012:role/swf-lambda")
	})
	d := f.decision()
	f.decide(d.TaskToken, tsScheduleLambda("l1", "my-function"))
	h := f.tsHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, types.EventTypeScheduleLambdaFunctionFailed, tsDTS)
	tsSame(t, "ScheduleLambdaFunctionFailed", h[4].ScheduleLambdaFunctionFailedEventAttributes, &types.ScheduleLambdaFunctionFailedEventAttributes{
		Id: aws.String("l1"), Name: aws.String("my-function"), Cause: types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion,
		DecisionTaskCompletedEventId: 4,
	})
	f.tsOpen(ex, 0, 1)
}

// Nine kinds of decisions in one answer: each is recorded in order, and
// what they ask of another run (start, signal, cancel the child) is carried
// out after them. Then the child cancels, the parent continues as new and
// its next run fails: with the tests above, all 13 decision types.
func TestEveryDecisionType(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	parent := f.start("ts-all")
	d := f.decision()
	f.decide(d.TaskToken,
		scheduleActivity("a1"),
		types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask, RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String("a1")}},
		tsMarker("m", aws.String("details")),
		tsStartTimer("t1", "60", nil),
		tsCancelTimer("t1"),
		types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("ts-all-child"), WorkflowType: workflowType("order", "1"), TaskList: &types.TaskList{Name: aws.String(tsTargets)},
		}},
		tsSignal("ts-all-child", nil, "hello", aws.String("child input"), nil),
		tsRequestCancel("ts-all-child", nil, nil),
		tsScheduleLambda("l1", "fn"),
	)
	h := f.tsHistory(parent, tsWES, tsDTS, tsDTSt, tsDTC,
		types.EventTypeActivityTaskScheduled,       // 5
		types.EventTypeActivityTaskCancelRequested, // 6
		types.EventTypeActivityTaskCanceled,        // 7
		tsMR,                                       // 8
		tsTS,                                       // 9
		tsTC,                                       // 10
		types.EventTypeStartChildWorkflowExecutionInitiated, // 11
		tsSigInit, // 12
		tsRCInit,  // 13
		types.EventTypeScheduleLambdaFunctionFailed, // 14
		tsDTS, // 15
		types.EventTypeChildWorkflowExecutionStarted, // 16
		tsSigDone, // 17
		tsRCDone,  // 18
	)
	tsSame(t, "ActivityTaskCanceled", h[6].ActivityTaskCanceledEventAttributes, &types.ActivityTaskCanceledEventAttributes{ScheduledEventId: 5, LatestCancelRequestedEventId: 6})
	tsSame(t, "TimerCanceled", h[9].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 9, DecisionTaskCompletedEventId: 4})
	if c := h[13].ScheduleLambdaFunctionFailedEventAttributes.Cause; c != types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion {
		t.Fatalf("ScheduleLambdaFunctionFailed cause %s", c)
	}
	child := h[15].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	tsSame(t, "ExternalWorkflowExecutionSignaled", h[16].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{WorkflowExecution: child, InitiatedEventId: 12})
	tsSame(t, "ExternalWorkflowExecutionCancelRequested", h[17].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{WorkflowExecution: child, InitiatedEventId: 13})
	ch := f.tsHistory(child, tsWES, tsDTS, tsSig, tsCR)
	tsSame(t, "child signaled", ch[2].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("hello"), Input: aws.String("child input"), ExternalWorkflowExecution: parent, ExternalInitiatedEventId: 12,
	})
	tsSame(t, "child cancel requested", ch[3].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: parent, ExternalInitiatedEventId: 13,
	})
	f.tsOpen(parent, 0, 1)
	f.tsOpen(child, 0, 1)

	// The child cancels as asked; the parent, told so, fails, continues
	// as new, and its next run completes.
	f.decide(f.tsPoll(tsTargets).TaskToken, tsCancelWorkflow("canceled as asked"))
	f.tsStatus(child, types.CloseStatusCanceled)
	d = f.decision() // 20
	if last := d.Events[len(d.Events)-2]; last.EventType != types.EventTypeChildWorkflowExecutionCanceled {
		t.Fatalf("parent's decision task: %v", eventTypes(d.Events))
	}
	f.decide(d.TaskToken, tsContinueAsNew("second run"))
	f.tsStatus(parent, types.CloseStatusContinuedAsNew)
	next := tsEx("ts-all", f.lastEvent(parent, types.EventTypeWorkflowExecutionContinuedAsNew).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	d = f.decision()
	f.decide(d.TaskToken, tsFailWorkflow("on purpose", "every decision type"))
	f.tsStatus(next, types.CloseStatusFailed)
}

// A signal a run sends to its own workflowId in the decisions that
// continue it as new reaches the new run.
func TestSelfSignalReachesTheContinuedRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.start("self")
	d := f.decision()
	f.decide(d.TaskToken,
		types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("self"), SignalName: aws.String("to-the-next-run"),
		}},
		types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}},
	)
	next := f.lastEvent(old, types.EventTypeWorkflowExecutionContinuedAsNew).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId
	sig := f.lastEvent(&types.WorkflowExecution{WorkflowId: aws.String("self"), RunId: next}, types.EventTypeWorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes
	if aws.ToString(sig.SignalName) != "to-the-next-run" || aws.ToString(sig.ExternalWorkflowExecution.RunId) != aws.ToString(old.RunId) {
		t.Fatalf("signal in the new run: %+v", sig)
	}
}
