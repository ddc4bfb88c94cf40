package server_test

import (
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

// completeRunOn completes a run whose decision task waits on list, and
// checks that it closed.
func completeRunOn(d *swftest.Domain, ex *types.WorkflowExecution, list string) {
	t := d.T()
	t.Helper()
	task := d.PollDecisionOn(list)
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("decision task of %s/%s, want one of %s/%s", aws.ToString(task.WorkflowExecution.WorkflowId), aws.ToString(task.WorkflowExecution.RunId), aws.ToString(ex.WorkflowId), aws.ToString(ex.RunId))
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("done"))
	d.WantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusCompleted)
}

// A timer fires exactly startToFireTimeout after the decision that started
// it, not a millisecond before, and schedules a decision task.
func TestStartTimerFiresAtItsTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-timer")
	d.Advance(5 * time.Second)
	task := d.PollDecision() // 3
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "60", func(a *types.StartTimerDecisionAttributes) { a.Control = aws.String("control of t1") }), swftest.StartTimer("t2", "30"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS)
	swftest.WantEqual(t, "TimerStarted t1", h[4].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("t1"), Control: aws.String("control of t1"), StartToFireTimeout: aws.String("60"), DecisionTaskCompletedEventId: 4,
	})
	swftest.WantEqual(t, "TimerStarted t2", h[5].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("t2"), StartToFireTimeout: aws.String("30"), DecisionTaskCompletedEventId: 4,
	})
	swftest.WantAt(t, h[5], swftest.At(5*time.Second))
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 2}) // starting a timer asks for no decision

	d.Advance(30*time.Second - time.Millisecond)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS)
	d.Advance(time.Millisecond)
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	swftest.WantEqual(t, "TimerFired t2", h[6].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	swftest.WantAt(t, h[6], swftest.At(35*time.Second))
	swftest.WantAt(t, h[7], swftest.At(35*time.Second))
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 1, OpenDecisionTasks: 1})

	// t1 falls due while the decision task waits: no second task.
	d.Advance(30*time.Second - time.Millisecond)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	d.Advance(time.Millisecond)
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF)
	swftest.WantEqual(t, "TimerFired t1", h[8].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	swftest.WantAt(t, h[8], swftest.At(65*time.Second))
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

	task = d.PollDecision()
	if task.StartedEventId != 10 || task.PreviousStartedEventId != 3 || len(task.Events) != 10 {
		t.Fatalf("decision task: started %d previous %d, %d events", task.StartedEventId, task.PreviousStartedEventId, len(task.Events))
	}
	d.Decide(task.TaskToken)
	d.Advance(time.Hour - 66*time.Second)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF, tsDTSt, tsDTC)
}

// A "0" timer fires at once; the Flow framework starts one, always with
// the same id, to get a new decision task.
func TestZeroTimerFiresAtOnce(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-zero")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("FORCE_IMMEDIATE_DECISION", "0"))
	d.Advance(0)
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	swftest.WantEqual(t, "TimerStarted", h[4].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartToFireTimeout: aws.String("0"), DecisionTaskCompletedEventId: 4,
	})
	swftest.WantEqual(t, "TimerFired", h[5].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartedEventId: 5})
	swftest.WantAt(t, h[5], swftest.At(0))

	task = d.PollDecision()
	if task.StartedEventId != 8 || task.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	d.Decide(task.TaskToken, swftest.StartTimer("FORCE_IMMEDIATE_DECISION", "0"))
	d.Advance(0)
	d.Advance(0)
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	swftest.WantEqual(t, "second TimerFired", h[10].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("FORCE_IMMEDIATE_DECISION"), StartedEventId: 10})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

// A timer id is free again once its timer fired or was canceled, even
// within one list of decisions; the canceled timer never fires.
func TestTimerIDsAreReusableAfterFireOrCancel(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-reuse")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("a", "10"), swftest.StartTimer("b", "100")) // 5, 6
	d.Advance(10 * time.Second)                                                             // 7 fired a, 8
	task = d.PollDecision()                                                                 // 9
	d.Decide(task.TaskToken, swftest.StartTimer("a", "20", func(a *types.StartTimerDecisionAttributes) { a.Control = aws.String("again") }), swftest.CancelTimer("b"), swftest.StartTimer("b", "5"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTC, tsTS)
	swftest.WantEqual(t, "TimerStarted a again", h[10].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("a"), Control: aws.String("again"), StartToFireTimeout: aws.String("20"), DecisionTaskCompletedEventId: 10,
	})
	swftest.WantEqual(t, "TimerCanceled b", h[11].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("b"), StartedEventId: 6, DecisionTaskCompletedEventId: 10})
	swftest.WantEqual(t, "TimerStarted b again", h[12].TimerStartedEventAttributes, &types.TimerStartedEventAttributes{
		TimerId: aws.String("b"), StartToFireTimeout: aws.String("5"), DecisionTaskCompletedEventId: 10,
	})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 2})

	d.Advance(5 * time.Second)
	d.Advance(15 * time.Second)
	d.Advance(100 * time.Second) // past the first b's deadline
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTS, tsTC, tsTS, tsTF, tsDTS, tsTF)
	swftest.WantEqual(t, "TimerFired b", h[13].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("b"), StartedEventId: 13})
	swftest.WantAt(t, h[13], swftest.At(15*time.Second))
	swftest.WantEqual(t, "TimerFired a", h[15].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("a"), StartedEventId: 11})
	swftest.WantAt(t, h[15], swftest.At(30*time.Second))
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

func TestStartTimerFailed(t *testing.T) {
	t.Parallel()
	failed := func(id string, cause types.StartTimerFailedCause, completed int64) *types.StartTimerFailedEventAttributes {
		return &types.StartTimerFailedEventAttributes{TimerId: aws.String(id), Cause: cause, DecisionTaskCompletedEventId: completed}
	}

	// An open timer with the id, from the same list or an earlier one.
	t.Run("id in use", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("ts-in-use")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"), swftest.StartTimer("t1", "30"), swftest.StartTimer("t2", "30"))
		h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS)
		swftest.WantEqual(t, "StartTimerFailed", h[5].StartTimerFailedEventAttributes, failed("t1", types.StartTimerFailedCauseTimerIdAlreadyInUse, 4))
		d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 2, OpenDecisionTasks: 1})

		task = d.PollDecision() // 9
		d.Decide(task.TaskToken, swftest.StartTimer("t1", "10"))
		h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS)
		swftest.WantEqual(t, "second StartTimerFailed", h[10].StartTimerFailedEventAttributes, failed("t1", types.StartTimerFailedCauseTimerIdAlreadyInUse, 10))

		// The refused timers changed nothing: t1 fires at 60 s.
		d.Advance(30 * time.Second)
		h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS, tsTF)
		swftest.WantEqual(t, "TimerFired t2", h[12].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 7})
		d.Advance(30 * time.Second)
		h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSTF, tsTS, tsDTS, tsDTSt, tsDTC, tsSTF, tsDTS, tsTF, tsTF)
		swftest.WantEqual(t, "TimerFired t1", h[13].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	})

	t.Run("open timers limit", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenTimers = 2 }))
		ex := d.Start("ts-limit")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.StartTimer("a", "60"), swftest.StartTimer("b", "60"), swftest.StartTimer("c", "60"))
		h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsSTF, tsDTS)
		swftest.WantEqual(t, "StartTimerFailed c", h[6].StartTimerFailedEventAttributes, failed("c", types.StartTimerFailedCauseOpenTimersLimitExceeded, 4))
		d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 2, OpenDecisionTasks: 1})

		task = d.PollDecision() // 9
		d.Decide(task.TaskToken, swftest.CancelTimer("a"), swftest.StartTimer("c", "60"), swftest.StartTimer("d", "60"))
		h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsSTF, tsDTS, tsDTSt, tsDTC, tsTC, tsTS, tsSTF, tsDTS)
		if id := aws.ToString(h[11].TimerStartedEventAttributes.TimerId); id != "c" {
			t.Fatalf("timer started: %s", id)
		}
		swftest.WantEqual(t, "StartTimerFailed d", h[12].StartTimerFailedEventAttributes, failed("d", types.StartTimerFailedCauseOpenTimersLimitExceeded, 10))
		d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 2, OpenDecisionTasks: 1})
	})

	// NONE is no duration for a timer: the whole answer is refused and the
	// decision task stays started.
	t.Run("NONE", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("ts-none")
		task := d.PollDecision()
		err := d.DecideErr(task.TaskToken, swftest.StartTimer("t1", "NONE"))
		wantValidation(t, err, "decisions.1.member.startTimerDecisionAttributes.startToFireTimeout")
		err = d.DecideErr(task.TaskToken, swftest.RecordMarker("m", nil), swftest.StartTimer("t1", "60"), swftest.StartTimer("t2", "NONE"))
		wantValidation(t, err, "decisions.3.member.startTimerDecisionAttributes.startToFireTimeout")
		d.WantHistory(ex, tsWES, tsDTS, tsDTSt)
		d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

		d.Decide(task.TaskToken, swftest.StartTimer("t1", "1"))
		d.Advance(time.Second)
		d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	})
}

// Malformed timer and external decisions refuse the whole answer, naming
// the member; nothing is recorded.
func TestTimerAndExternalDecisionsValidation(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-invalid")
	task := d.PollDecision()
	for _, tc := range []struct {
		decision types.Decision
		field    string
	}{
		{swftest.StartTimer("a:b", "10"), "decisions.2.member.startTimerDecisionAttributes.timerId"},
		{swftest.StartTimer("arn", "10"), "decisions.2.member.startTimerDecisionAttributes.timerId"},
		{swftest.StartTimer("t", "-1"), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{swftest.StartTimer("t", "1.5"), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{swftest.StartTimer("t", ""), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{swftest.StartTimer("t", "31536001"), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout"},
		{swftest.CancelTimer("x/y"), "decisions.2.member.cancelTimerDecisionAttributes.timerId"},
		{swftest.CancelTimer(""), "decisions.2.member.cancelTimerDecisionAttributes.timerId"},
		{swftest.SignalExternal("a|b", nil, "s"), "decisions.2.member.signalExternalWorkflowExecutionDecisionAttributes.workflowId"},
		{swftest.SignalExternal("w", nil, ""), "decisions.2.member.signalExternalWorkflowExecutionDecisionAttributes.signalName"},
		{swftest.RequestCancelExternal("arn", nil), "decisions.2.member.requestCancelExternalWorkflowExecutionDecisionAttributes.workflowId"},
		{swftest.RequestCancelExternal("w", aws.String(strings.Repeat("r", 65))), "decisions.2.member.requestCancelExternalWorkflowExecutionDecisionAttributes.runId"},
		{swftest.RecordMarker("", nil), "decisions.2.member.recordMarkerDecisionAttributes.markerName"},
	} {
		err := d.DecideErr(task.TaskToken, swftest.RecordMarker("first", nil), tc.decision)
		wantValidation(t, err, tc.field)
	}
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt)
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
	// The largest timeout there is works.
	d.Decide(task.TaskToken, swftest.StartTimer("t", "31536000"))
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS)
}

func TestCancelTimer(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-cancel")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"), swftest.StartTimer("t2", "10")) // 5, 6
	d.Advance(10 * time.Second)                                                              // 7 fired t2, 8
	task = d.PollDecision()                                                                  // 9
	d.Decide(task.TaskToken, swftest.CancelTimer("t1"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC)
	swftest.WantEqual(t, "TimerCanceled", h[10].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5, DecisionTaskCompletedEventId: 10})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{}) // canceling a timer asks for no decision

	d.Advance(60 * time.Second) // t1 never fires
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC)

	// Canceled, fired, never started: each is unknown.
	d.Signal(ex, "wake up") // 12, 13
	task = d.PollDecision() // 14
	d.Decide(task.TaskToken, swftest.CancelTimer("t1"), swftest.CancelTimer("t2"), swftest.CancelTimer("t3"))
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsDTC, tsTC,
		tsSig, tsDTS, tsDTSt, tsDTC, tsCTF, tsCTF, tsCTF, tsDTS)
	for i, id := range []string{"t1", "t2", "t3"} {
		swftest.WantEqual(t, "CancelTimerFailed "+id, h[15+i].CancelTimerFailedEventAttributes, &types.CancelTimerFailedEventAttributes{
			TimerId: aws.String(id), Cause: types.CancelTimerFailedCauseTimerIdUnknown, DecisionTaskCompletedEventId: 15,
		})
	}
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

// A timer that fired after the decision task started is no longer there
// to cancel, though the decider has not seen it fire.
func TestCancelTimerThatFiredUnseen(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-unseen")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "10")) // 5
	d.Signal(ex, "wake up")                                  // 6, 7
	task = d.PollDecision()                                  // 8
	d.Advance(10 * time.Second)                              // 9
	d.Decide(task.TaskToken, swftest.CancelTimer("t1"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsSig, tsDTS, tsDTSt, tsTF, tsDTC, tsCTF, tsDTS)
	swftest.WantEqual(t, "CancelTimerFailed", h[10].CancelTimerFailedEventAttributes, &types.CancelTimerFailedEventAttributes{
		TimerId: aws.String("t1"), Cause: types.CancelTimerFailedCauseTimerIdUnknown, DecisionTaskCompletedEventId: 10,
	})
	task = d.PollDecision()
	if task.StartedEventId != 13 || task.PreviousStartedEventId != 8 {
		t.Fatalf("decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
}

// A timer started and canceled by one answer leaves nothing behind.
func TestTimerStartedAndCanceledTogether(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-together")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "10"), swftest.CancelTimer("t1"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTC)
	swftest.WantEqual(t, "TimerCanceled", h[5].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5, DecisionTaskCompletedEventId: 4})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{})
	d.Advance(10 * time.Second)
	d.Restart()
	d.Advance(10 * time.Second)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTC)
}

// Timers live in the database: one armed before a restart fires after it,
// at its time, and exactly once however often timers are fired.
func TestTimerSurvivesRestart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-durable")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "60", func(a *types.StartTimerDecisionAttributes) { a.Control = aws.String("kept") }))
	d.Advance(30 * time.Second)
	d.Restart()
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 1})
	d.Advance(30*time.Second - time.Millisecond)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS)
	d.Restart()
	d.Advance(time.Millisecond)
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	swftest.WantEqual(t, "TimerFired", h[5].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	swftest.WantAt(t, h[5], swftest.At(60*time.Second))

	d.Advance(0)
	must(t, d.FireDueTimers(ctx))
	d.Restart()
	must(t, d.FireDueTimers(ctx))
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTF, tsDTS)
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
	task = d.PollDecision()
	if task.StartedEventId != 8 {
		t.Fatalf("decision task started %d", task.StartedEventId)
	}
}

// The server's own timer loop fires timers as the clock reaches them,
// before and after a restart, and a waiting poll gets the decision task.
func TestTimerLoopFiresTimersByItself(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-loop")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"), swftest.StartTimer("t2", "120"))
	d.Clock.Advance(60 * time.Second) // no FireDueTimers: the loop does it
	task = d.PollDecision()
	if got := swftest.EventTypes(task.Events); !slices.Equal(got, []types.EventType{tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt}) {
		t.Fatalf("decision task: %v", got)
	}
	d.Decide(task.TaskToken)

	d.Restart()
	d.Clock.Advance(60 * time.Second)
	task = d.PollDecision()
	fired := task.Events[len(task.Events)-3]
	swftest.WantEqual(t, "TimerFired t2", fired.TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	swftest.WantAt(t, fired, swftest.At(120*time.Second))
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

// A timer that fell due while no server ran fires when one starts; one
// not yet due waits for its time.
func TestTimerDueDuringOutageFiresOnStartUp(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-outage")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"), swftest.StartTimer("t2", "300")) // 5, 6
	d.DownFor(100 * time.Second)
	must(t, d.FireDueTimers(ctx))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	swftest.WantEqual(t, "TimerFired t1", h[6].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t1"), StartedEventId: 5})
	swftest.WantAt(t, h[6], swftest.At(100*time.Second)) // when it could fire
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 1, OpenDecisionTasks: 1})

	d.Advance(200*time.Second - time.Millisecond)
	d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS)
	d.Advance(time.Millisecond)
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsTF)
	swftest.WantEqual(t, "TimerFired t2", h[8].TimerFiredEventAttributes, &types.TimerFiredEventAttributes{TimerId: aws.String("t2"), StartedEventId: 6})
	swftest.WantAt(t, h[8], swftest.At(300*time.Second))
}

// The timers of a closed run go with it, however it closed.
func TestTimersOfAClosedRunNeverFire(t *testing.T) {
	t.Parallel()
	for _, tc := range tsCloseCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := swftest.NewDomain(t)
			ex := d.Start("ts-closed")
			task := d.PollDecision()
			d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"), swftest.StartTimer("t2", "1"), tc.decision)
			d.WantStatus(ex, types.ExecutionStatusClosed, tc.status)
			d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{})
			d.Advance(60 * time.Second)
			d.Restart()
			d.Advance(60 * time.Second)
			d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tc.closed)
			if tc.status == types.CloseStatusContinuedAsNew {
				// The new run starts without the old run's timers.
				next := swftest.Execution("ts-closed", d.LastEvent(ex, tc.closed).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
				d.WantHistory(next, tsWES, tsDTS)
				d.WantOpenCounts(next, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
			}
		})
	}
	t.Run("terminated", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("ts-terminated")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.StartTimer("t1", "60"))
		d.Terminate(swftest.Execution("ts-terminated", nil))
		d.Advance(60 * time.Second)
		d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, types.EventTypeWorkflowExecutionTerminated)
	})
	t.Run("timed out", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("ts-timed-out", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.StartTimer("t1", "150"), swftest.StartTimer("t2", "200"))
		d.Advance(100 * time.Second)
		d.Advance(100 * time.Second)
		d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, types.EventTypeWorkflowExecutionTimedOut)
		d.WantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusTimedOut)
	})
}

// A run signals another; both hear of it and get a decision task.
func TestSignalExternalWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	target := d.Start("ts-target", swftest.OnList(tsTargets))
	sender := d.Start("ts-sender")
	d.Decide(d.PollDecisionOn(tsTargets).TaskToken) // target: 3, 4

	task := d.PollDecision() // sender: 3
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-target", target.RunId, "go", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) {
		a.Input, a.Control = aws.String("payload"), aws.String("sender's note")
	}))
	h := d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS)
	swftest.WantEqual(t, "SignalExternalWorkflowExecutionInitiated", h[4].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: target.RunId, SignalName: aws.String("go"), Input: aws.String("payload"),
		Control: aws.String("sender's note"), DecisionTaskCompletedEventId: 4,
	})
	swftest.WantEqual(t, "ExternalWorkflowExecutionSignaled", h[5].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 5,
	})
	th := d.WantHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS)
	swftest.WantEqual(t, "WorkflowExecutionSignaled", th[4].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("go"), Input: aws.String("payload"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	d.WantOpenCounts(sender, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
	d.WantOpenCounts(target, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

	td := d.PollDecisionOn(tsTargets) // target: 7
	if td.StartedEventId != 7 || td.Events[4].EventType != tsSig {
		t.Fatalf("target's decision task: started %d, events %v", td.StartedEventId, swftest.EventTypes(td.Events))
	}
	task = d.PollDecision() // sender: 8
	if task.StartedEventId != 8 || task.Events[5].EventType != tsSigDone {
		t.Fatalf("sender's decision task: started %d, events %v", task.StartedEventId, swftest.EventTypes(task.Events))
	}

	// Without a runId the signal goes to the open run; the target's task
	// has started, so it gets no new one until it answers.
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-target", nil, "again"))
	h = d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigDone, tsDTS)
	swftest.WantEqual(t, "second Initiated", h[9].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), SignalName: aws.String("again"), DecisionTaskCompletedEventId: 9,
	})
	swftest.WantEqual(t, "second ExternalWorkflowExecutionSignaled", h[10].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 10,
	})
	th = d.WantHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS, tsDTSt, tsSig)
	swftest.WantEqual(t, "second WorkflowExecutionSignaled", th[7].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("again"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 10,
	})
	d.WantOpenCounts(target, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
	d.Decide(td.TaskToken)
	d.WantHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsSig, tsDTS, tsDTSt, tsSig, tsDTC, tsDTS)
}

// Without a runId a signal goes to the open run of the workflowId; with
// the runId of one of its closed runs it goes nowhere.
func TestSignalExternalTargetsTheOpenRun(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	old := d.Start("ts-target", swftest.OnList(tsTargets))
	completeRunOn(d, old, tsTargets)
	current := d.Start("ts-target", swftest.OnList(tsTargets))
	sender := d.Start("ts-sender")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-target", nil, "to the open run"), swftest.SignalExternal("ts-target", old.RunId, "to the old run", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) { a.Control = aws.String("c") }))
	// The second Initiated comes before the first signal is carried out.
	h := d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigInit, tsSigDone, tsDTS, tsSigFailed)
	swftest.WantEqual(t, "ExternalWorkflowExecutionSignaled", h[6].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: current, InitiatedEventId: 5,
	})
	swftest.WantEqual(t, "SignalExternalWorkflowExecutionFailed", h[8].SignalExternalWorkflowExecutionFailedEventAttributes, &types.SignalExternalWorkflowExecutionFailedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: old.RunId, Cause: types.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
		InitiatedEventId: 6, DecisionTaskCompletedEventId: 4, Control: aws.String("c"),
	})
	d.WantHistory(current, tsWES, tsDTS, tsSig)
	d.WantHistory(old, tsWES, tsDTS, tsDTSt, tsDTC, types.EventTypeWorkflowExecutionCompleted)
}

// tsNoTarget prepares the target of a signal or cancellation request that
// has nowhere to go, and returns the workflowId and runId to aim at, and a
// run of another domain that must hear nothing, if any.
type tsNoTarget struct {
	name    string
	prepare func(d *swftest.Domain, sender *types.WorkflowExecution) (wid string, runID *string, other *types.WorkflowExecution)
}

var tsNoTargets = []tsNoTarget{
	{"unknown workflowId", func(d *swftest.Domain, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		return "nobody", nil, nil
	}},
	{"unknown workflowId with a runId", func(d *swftest.Domain, sender *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		return "nobody", sender.RunId, nil
	}},
	{"closed run by runId", func(d *swftest.Domain, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := d.Start("ts-target", swftest.OnList(tsTargets))
		completeRunOn(d, ex, tsTargets)
		return "ts-target", ex.RunId, nil
	}},
	{"closed run without runId", func(d *swftest.Domain, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := d.Start("ts-target", swftest.OnList(tsTargets))
		completeRunOn(d, ex, tsTargets)
		return "ts-target", nil, nil
	}},
	{"wrong runId", func(d *swftest.Domain, sender *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		d.Start("ts-target", swftest.OnList(tsTargets))
		return "ts-target", sender.RunId, nil
	}},
	{"run of another domain", func(d *swftest.Domain, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := d.Server.Domain("ts-other").Start("ts-target")
		return "ts-target", ex.RunId, ex
	}},
	{"run of another domain without runId", func(d *swftest.Domain, _ *types.WorkflowExecution) (string, *string, *types.WorkflowExecution) {
		ex := d.Server.Domain("ts-other").Start("ts-target")
		return "ts-target", nil, ex
	}},
}

func TestSignalExternalWorkflowExecutionFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range tsNoTargets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := swftest.NewDomain(t)
			sender := d.Start("ts-sender")
			wid, runID, other := tc.prepare(d, sender)
			task := d.PollDecision()
			d.Decide(task.TaskToken, swftest.SignalExternal(wid, runID, "lost", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) {
				a.Input, a.Control = aws.String("input"), aws.String("control")
			}))
			h := d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSigFailed, tsDTS)
			swftest.WantEqual(t, "Initiated", h[4].SignalExternalWorkflowExecutionInitiatedEventAttributes, &types.SignalExternalWorkflowExecutionInitiatedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, SignalName: aws.String("lost"), Input: aws.String("input"),
				Control: aws.String("control"), DecisionTaskCompletedEventId: 4,
			})
			swftest.WantEqual(t, "Failed", h[5].SignalExternalWorkflowExecutionFailedEventAttributes, &types.SignalExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Cause: types.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
				InitiatedEventId: 5, DecisionTaskCompletedEventId: 4, Control: aws.String("control"),
			})
			d.WantOpenCounts(sender, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
			if other != nil {
				(&swftest.Domain{Server: d.Server, Name: "ts-other"}).WantHistory(other, tsWES, tsDTS)
			}
		})
	}
}

// A run that closes in the answer that sends a signal or a cancellation
// request: the target still hears of it; the closed sender records nothing
// more.
func TestSignalAndCancelRequestSentWithACloseDecision(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	target := d.Start("ts-target", swftest.OnList(tsTargets))
	sender := d.Start("ts-sender")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-target", nil, "bye", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) { a.Input = aws.String("last words") }), swftest.RequestCancelExternal("ts-target", target.RunId), swftest.CompleteWorkflow("done"))
	d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsRCInit, types.EventTypeWorkflowExecutionCompleted)
	d.WantStatus(sender, types.ExecutionStatusClosed, types.CloseStatusCompleted)
	th := d.WantHistory(target, tsWES, tsDTS, tsSig, tsCR)
	swftest.WantEqual(t, "WorkflowExecutionSignaled", th[2].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("bye"), Input: aws.String("last words"), ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	swftest.WantEqual(t, "WorkflowExecutionCancelRequested", th[3].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 6,
	})
	d.WantOpenCounts(target, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

// A run may signal itself: it hears the signal and that it was delivered,
// with one decision task.
func TestSignalExternalToItself(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-self")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-self", nil, "note", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) { a.Input = aws.String("to myself") }))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone)
	swftest.WantEqual(t, "WorkflowExecutionSignaled", h[5].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("note"), Input: aws.String("to myself"), ExternalWorkflowExecution: ex, ExternalInitiatedEventId: 5,
	})
	swftest.WantEqual(t, "ExternalWorkflowExecutionSignaled", h[7].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{
		WorkflowExecution: ex, InitiatedEventId: 5,
	})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

	task = d.PollDecision() // 9
	d.Decide(task.TaskToken, swftest.SignalExternal("ts-self", ex.RunId, "again"))
	h = d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone, tsDTSt, tsDTC, tsSigInit, tsSig, tsDTS, tsSigDone)
	swftest.WantEqual(t, "second WorkflowExecutionSignaled", h[11].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("again"), ExternalWorkflowExecution: ex, ExternalInitiatedEventId: 11,
	})
}

// A run asks another to cancel; the target is told, with a decision task
// and cancelRequested set, and the sender hears it was.
func TestRequestCancelExternalWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	target := d.Start("ts-target", swftest.OnList(tsTargets))
	sender := d.Start("ts-sender")
	d.Decide(d.PollDecisionOn(tsTargets).TaskToken) // target: 3, 4

	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.RequestCancelExternal("ts-target", target.RunId, func(a *types.RequestCancelExternalWorkflowExecutionDecisionAttributes) { a.Control = aws.String("why") }))
	h := d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS)
	swftest.WantEqual(t, "RequestCancelExternalWorkflowExecutionInitiated", h[4].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), RunId: target.RunId, Control: aws.String("why"), DecisionTaskCompletedEventId: 4,
	})
	swftest.WantEqual(t, "ExternalWorkflowExecutionCancelRequested", h[5].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{
		WorkflowExecution: target, InitiatedEventId: 5,
	})
	th := d.WantHistory(target, tsWES, tsDTS, tsDTSt, tsDTC, tsCR, tsDTS)
	swftest.WantEqual(t, "WorkflowExecutionCancelRequested", th[4].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 5,
	})
	if !d.Describe(target).ExecutionInfo.CancelRequested {
		t.Fatal("target: cancelRequested is false")
	}
	if d.Describe(sender).ExecutionInfo.CancelRequested {
		t.Fatal("sender: cancelRequested is true")
	}
	d.WantOpenCounts(target, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
	d.WantOpenCounts(sender, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

	// The target complies.
	td := d.PollDecisionOn(tsTargets)
	d.Decide(td.TaskToken, swftest.CancelWorkflow("as asked"))
	d.WantStatus(target, types.ExecutionStatusClosed, types.CloseStatusCanceled)

	// Without a runId the request goes to the open run.
	next := d.Start("ts-target", swftest.OnList(tsTargets))
	task = d.PollDecision() // sender: 8
	if task.Events[5].EventType != tsRCDone {
		t.Fatalf("sender's decision task: %v", swftest.EventTypes(task.Events))
	}
	d.Decide(task.TaskToken, swftest.RequestCancelExternal("ts-target", nil))
	h = d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCDone, tsDTS)
	swftest.WantEqual(t, "second Initiated", h[9].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: aws.String("ts-target"), DecisionTaskCompletedEventId: 9,
	})
	swftest.WantEqual(t, "second ExternalWorkflowExecutionCancelRequested", h[10].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{
		WorkflowExecution: next, InitiatedEventId: 10,
	})
	nh := d.WantHistory(next, tsWES, tsDTS, tsCR)
	swftest.WantEqual(t, "second WorkflowExecutionCancelRequested", nh[2].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: sender, ExternalInitiatedEventId: 10,
	})
	if !d.Describe(next).ExecutionInfo.CancelRequested {
		t.Fatal("next target: cancelRequested is false")
	}
}

func TestRequestCancelExternalWorkflowExecutionFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range tsNoTargets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := swftest.NewDomain(t)
			sender := d.Start("ts-sender")
			wid, runID, other := tc.prepare(d, sender)
			task := d.PollDecision()
			d.Decide(task.TaskToken, swftest.RequestCancelExternal(wid, runID, func(a *types.RequestCancelExternalWorkflowExecutionDecisionAttributes) {
				a.Control = aws.String("control")
			}))
			h := d.WantHistory(sender, tsWES, tsDTS, tsDTSt, tsDTC, tsRCInit, tsRCFailed, tsDTS)
			swftest.WantEqual(t, "Initiated", h[4].RequestCancelExternalWorkflowExecutionInitiatedEventAttributes, &types.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Control: aws.String("control"), DecisionTaskCompletedEventId: 4,
			})
			swftest.WantEqual(t, "Failed", h[5].RequestCancelExternalWorkflowExecutionFailedEventAttributes, &types.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
				WorkflowId: aws.String(wid), RunId: runID, Cause: types.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution,
				InitiatedEventId: 5, DecisionTaskCompletedEventId: 4, Control: aws.String("control"),
			})
			d.WantOpenCounts(sender, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
			if other != nil {
				(&swftest.Domain{Server: d.Server, Name: "ts-other"}).WantHistory(other, tsWES, tsDTS)
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
	{"complete", swftest.CompleteWorkflow("result"), types.EventTypeCompleteWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.CompleteWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionCompleted, types.CloseStatusCompleted},
	{"fail", swftest.FailWorkflow("reason", "details"), types.EventTypeFailWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.FailWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionFailed, types.CloseStatusFailed},
	{"cancel", swftest.CancelWorkflow("details"), types.EventTypeCancelWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
		a := e.CancelWorkflowExecutionFailedEventAttributes
		return string(a.Cause), a.DecisionTaskCompletedEventId
	}, types.EventTypeWorkflowExecutionCanceled, types.CloseStatusCanceled},
	{"continue as new", swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("next input") }), types.EventTypeContinueAsNewWorkflowExecutionFailed, func(e types.HistoryEvent) (string, int64) {
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
			d := swftest.NewDomain(t)
			ex := d.Start("ts-close")
			task := d.PollDecision()
			d.Decide(task.TaskToken, swftest.StartTimer("early", "5"), swftest.StartTimer("late", "10")) // 5, 6
			d.Advance(5 * time.Second)                                                                   // 7, 8
			task = d.PollDecision()                                                                      // 9
			d.Advance(5 * time.Second)                                                                   // 10
			d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
			d.Decide(task.TaskToken, swftest.RecordMarker("closing", nil), tc.decision)
			h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsTF, tsDTC, tsMR, tc.failed, tsDTS)
			if cause, completed := tc.cause(h[12]); cause != "UNHANDLED_DECISION" || completed != 11 {
				t.Fatalf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
			}
			if info := d.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatalf("run is %s", info.ExecutionStatus)
			}

			task = d.PollDecision() // 15
			if task.StartedEventId != 15 || task.PreviousStartedEventId != 9 || task.Events[9].EventType != tsTF {
				t.Fatalf("next decision task: started %d previous %d events %v", task.StartedEventId, task.PreviousStartedEventId, swftest.EventTypes(task.Events))
			}
			d.Decide(task.TaskToken, tc.decision)
			d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsTS, tsTF, tsDTS, tsDTSt, tsTF, tsDTC, tsMR, tc.failed, tsDTS, tsDTSt, tsDTC, tc.closed)
			d.WantStatus(ex, types.ExecutionStatusClosed, tc.status)
		})
		for _, trigger := range []struct {
			name     string
			decision types.Decision
			event    types.EventType
		}{
			{"an external signal", swftest.SignalExternal("ts-close", nil, "late"), tsSig},
			{"an external cancellation request", swftest.RequestCancelExternal("ts-close", nil), tsCR},
		} {
			t.Run(tc.name+" after "+trigger.name, func(t *testing.T) {
				t.Parallel()
				d := swftest.NewDomain(t)
				ex := d.Start("ts-close")
				d.Start("ts-sender", swftest.OnList(tsSenders))
				task := d.PollDecision() // 3
				d.Decide(d.PollDecisionOn(tsSenders).TaskToken, trigger.decision)
				d.Decide(task.TaskToken, tc.decision)
				h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, trigger.event, tsDTC, tc.failed, tsDTS)
				if cause, completed := tc.cause(h[5]); cause != "UNHANDLED_DECISION" || completed != 5 {
					t.Fatalf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
				}
				task = d.PollDecision() // 8
				if task.StartedEventId != 8 || task.PreviousStartedEventId != 3 {
					t.Fatalf("next decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
				}
				d.Decide(task.TaskToken, tc.decision)
				d.WantHistory(ex, tsWES, tsDTS, tsDTSt, trigger.event, tsDTC, tc.failed, tsDTS, tsDTSt, tsDTC, tc.closed)
				d.WantStatus(ex, types.ExecutionStatusClosed, tc.status)
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
			d := swftest.NewDomain(t)
			ex := d.Start("ts-not-last")
			task := d.PollDecision()
			err := d.DecideErr(task.TaskToken, tc.decision, swftest.RecordMarker("after", nil))
			wantValidationMessage(t, err, closeNotLast)
			err = d.DecideErr(task.TaskToken, swftest.StartTimer("t1", "10"), tc.decision, swftest.CompleteWorkflow("second close"))
			wantValidationMessage(t, err, closeNotLast)
			d.WantHistory(ex, tsWES, tsDTS, tsDTSt)
			d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
			d.Advance(10 * time.Second)
			d.WantHistory(ex, tsWES, tsDTS, tsDTSt)

			d.Decide(task.TaskToken, swftest.RecordMarker("before", aws.String("d")), tc.decision)
			d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsMR, tc.closed)
			d.WantStatus(ex, types.ExecutionStatusClosed, tc.status)
		})
	}
}

// Markers are recorded where they stand among other decisions, details
// as given, and ask for no decision.
func TestRecordMarkerAmongOtherDecisions(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-markers")
	task := d.PollDecision()
	d.Decide(task.TaskToken,
		swftest.StartTimer("t1", "60"),
		swftest.RecordMarker("checkpoint", aws.String(`{"step":1}`)),
		swftest.ScheduleActivity("a1"),
		swftest.RecordMarker("checkpoint", nil),
		swftest.RecordMarker("empty", aws.String("")),
	)
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, tsTS, tsMR, types.EventTypeActivityTaskScheduled, tsMR, tsMR)
	swftest.WantEqual(t, "first marker", h[5].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("checkpoint"), Details: aws.String(`{"step":1}`), DecisionTaskCompletedEventId: 4})
	swftest.WantEqual(t, "second marker", h[7].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("checkpoint"), DecisionTaskCompletedEventId: 4})
	swftest.WantEqual(t, "third marker", h[8].MarkerRecordedEventAttributes, &types.MarkerRecordedEventAttributes{MarkerName: aws.String("empty"), Details: aws.String(""), DecisionTaskCompletedEventId: 4})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenTimers: 1, OpenActivityTasks: 1})
}

// Without a Lambda endpoint the server has no Lambda service: the decision
// fails, and the decider gets a decision task to hear it.
func TestScheduleLambdaFunctionWithoutLambda(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ts-lambda", func(in *swf.StartWorkflowExecutionInput) {
		in.LambdaRole = aws.String("arn:aws:iam::123456789012:role/swf-lambda")
	})
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleLambda("l1", "my-function", "{}"))
	h := d.WantHistory(ex, tsWES, tsDTS, tsDTSt, tsDTC, types.EventTypeScheduleLambdaFunctionFailed, tsDTS)
	swftest.WantEqual(t, "ScheduleLambdaFunctionFailed", h[4].ScheduleLambdaFunctionFailedEventAttributes, &types.ScheduleLambdaFunctionFailedEventAttributes{
		Id: aws.String("l1"), Name: aws.String("my-function"), Cause: types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion,
		DecisionTaskCompletedEventId: 4,
	})
	d.WantOpenCounts(ex, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})
}

// Nine kinds of decisions in one answer: each is recorded in order, and
// what they ask of another run (start, signal, cancel the child) is carried
// out after them. Then the child cancels, the parent continues as new and
// its next run fails: with the tests above, all 13 decision types.
func TestEveryDecisionType(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	parent := d.Start("ts-all")
	task := d.PollDecision()
	d.Decide(task.TaskToken,
		swftest.ScheduleActivity("a1"),
		types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask, RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String("a1")}},
		swftest.RecordMarker("m", aws.String("details")),
		swftest.StartTimer("t1", "60"),
		swftest.CancelTimer("t1"),
		types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("ts-all-child"), WorkflowType: swftest.WorkflowType(swftest.WorkflowTypeName, "1"), TaskList: &types.TaskList{Name: aws.String(tsTargets)},
		}},
		swftest.SignalExternal("ts-all-child", nil, "hello", func(a *types.SignalExternalWorkflowExecutionDecisionAttributes) { a.Input = aws.String("child input") }),
		swftest.RequestCancelExternal("ts-all-child", nil),
		swftest.ScheduleLambda("l1", "fn", "{}"),
	)
	h := d.WantHistory(parent, tsWES, tsDTS, tsDTSt, tsDTC,
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
	swftest.WantEqual(t, "ActivityTaskCanceled", h[6].ActivityTaskCanceledEventAttributes, &types.ActivityTaskCanceledEventAttributes{ScheduledEventId: 5, LatestCancelRequestedEventId: 6})
	swftest.WantEqual(t, "TimerCanceled", h[9].TimerCanceledEventAttributes, &types.TimerCanceledEventAttributes{TimerId: aws.String("t1"), StartedEventId: 9, DecisionTaskCompletedEventId: 4})
	if c := h[13].ScheduleLambdaFunctionFailedEventAttributes.Cause; c != types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion {
		t.Fatalf("ScheduleLambdaFunctionFailed cause %s", c)
	}
	child := h[15].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	swftest.WantEqual(t, "ExternalWorkflowExecutionSignaled", h[16].ExternalWorkflowExecutionSignaledEventAttributes, &types.ExternalWorkflowExecutionSignaledEventAttributes{WorkflowExecution: child, InitiatedEventId: 12})
	swftest.WantEqual(t, "ExternalWorkflowExecutionCancelRequested", h[17].ExternalWorkflowExecutionCancelRequestedEventAttributes, &types.ExternalWorkflowExecutionCancelRequestedEventAttributes{WorkflowExecution: child, InitiatedEventId: 13})
	ch := d.WantHistory(child, tsWES, tsDTS, tsSig, tsCR)
	swftest.WantEqual(t, "child signaled", ch[2].WorkflowExecutionSignaledEventAttributes, &types.WorkflowExecutionSignaledEventAttributes{
		SignalName: aws.String("hello"), Input: aws.String("child input"), ExternalWorkflowExecution: parent, ExternalInitiatedEventId: 12,
	})
	swftest.WantEqual(t, "child cancel requested", ch[3].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		ExternalWorkflowExecution: parent, ExternalInitiatedEventId: 13,
	})
	d.WantOpenCounts(parent, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1, OpenChildWorkflowExecutions: 1})
	d.WantOpenCounts(child, types.WorkflowExecutionOpenCounts{OpenDecisionTasks: 1})

	// The child cancels as asked; the parent, told so, fails, continues
	// as new, and its next run completes.
	d.Decide(d.PollDecisionOn(tsTargets).TaskToken, swftest.CancelWorkflow("canceled as asked"))
	d.WantStatus(child, types.ExecutionStatusClosed, types.CloseStatusCanceled)
	task = d.PollDecision() // 20
	if last := task.Events[len(task.Events)-2]; last.EventType != types.EventTypeChildWorkflowExecutionCanceled {
		t.Fatalf("parent's decision task: %v", swftest.EventTypes(task.Events))
	}
	d.Decide(task.TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("second run") }))
	d.WantStatus(parent, types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)
	next := swftest.Execution("ts-all", d.LastEvent(parent, types.EventTypeWorkflowExecutionContinuedAsNew).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.FailWorkflow("on purpose", "every decision type"))
	d.WantStatus(next, types.ExecutionStatusClosed, types.CloseStatusFailed)
}

// A signal a run sends to its own workflowId in the decisions that
// continue it as new reaches the new run.
func TestSelfSignalReachesTheContinuedRun(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	old := d.Start("self")
	task := d.PollDecision()
	d.Decide(task.TaskToken,
		types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("self"), SignalName: aws.String("to-the-next-run"),
		}},
		types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}},
	)
	next := d.LastEvent(old, types.EventTypeWorkflowExecutionContinuedAsNew).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId
	sig := d.LastEvent(&types.WorkflowExecution{WorkflowId: aws.String("self"), RunId: next}, types.EventTypeWorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes
	if aws.ToString(sig.SignalName) != "to-the-next-run" || aws.ToString(sig.ExternalWorkflowExecution.RunId) != aws.ToString(old.RunId) {
		t.Fatalf("signal in the new run: %+v", sig)
	}
}
