package engine_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// A run from start to close through the engine's operations: the decision
// task is claimed and completed, its activity claimed and completed, and a
// closed run refuses what an open one accepts.
func TestRunStartToClose(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	dt := h.pollDecision()
	if got := []string{string(*dt.Events[0].EventType), string(*dt.Events[len(dt.Events)-1].EventType)}; !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskStarted"}) ||
		*dt.StartedEventId != 3 || swfapi.Deref(dt.PreviousStartedEventId) != 0 {
		t.Fatalf("decision task %v, started %d", got, *dt.StartedEventId)
	}
	h.respond(dt, schedule("a", "NONE"))
	at := h.pollActivity()
	if *at.ActivityId != "a" || *at.WorkflowExecution.RunId != *run.RunId {
		t.Fatalf("activity task %+v", at)
	}
	h.must(h.e.RespondActivityTaskCompleted(ctx, &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken, Result: swfapi.Ptr("r")}))
	wantFault(t, h.e.RespondActivityTaskCompleted(ctx, &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken}), swfapi.CodeUnknownResourceFault)
	dt = h.pollDecision()
	if *dt.PreviousStartedEventId != 3 {
		t.Fatalf("previousStartedEventId %d", *dt.PreviousStartedEventId)
	}
	h.respond(dt, completeRun())
	h.wantLast(run, "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")
	if status, closeStatus := h.status(run); status != swfapi.ExecutionStatusClosed || closeStatus != swfapi.CloseStatusCompleted {
		t.Fatalf("status %s %s", status, closeStatus)
	}
	wantFault(t, h.e.SignalWorkflowExecution(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: run.WorkflowId, SignalName: swfapi.Ptr("s")}),
		swfapi.CodeUnknownResourceFault)
	wantFault(t, h.e.RespondDecisionTaskCompleted(ctx, &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken}), swfapi.CodeUnknownResourceFault)
}

// Two pollers never get the same task: one claims it, the other waits and
// answers empty at its deadline.
func TestPollClaimsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{LongPollWait: 10 * time.Second})
	h.start("w")
	tokens := make(chan string, 2)
	for range 2 {
		go func() {
			dt, err := h.e.PollForDecisionTask(ctx, &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
			if err != nil {
				t.Error(err)
			}
			tokens <- swfapi.Deref(dt.TaskToken)
		}()
	}
	first := <-tokens
	if first == "" {
		t.Fatal("the first poll to answer has no task")
	}
	// The other waits, on its list and on its deadline, until the deadline.
	for h.e.WaitingPolls() != 1 || h.clock.Waiters() != 1 {
		time.Sleep(time.Millisecond)
	}
	select {
	case tok := <-tokens:
		t.Fatalf("the second poll answered %q before its deadline", tok)
	case <-time.After(50 * time.Millisecond):
	}
	h.clock.Advance(10 * time.Second)
	if second := <-tokens; second != "" {
		t.Fatalf("two polls got a task: %q and %q", first, second)
	}
	// The task left its list: no decision task is pending.
	n, err := h.e.CountPendingDecisionTasks(ctx, &swfapi.CountPendingDecisionTasksInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
	h.must(err)
	if *n.Count != 0 {
		t.Fatalf("%d pending", *n.Count)
	}
}

// Heartbeats move no timer: the heartbeat timer that falls due finds the
// last heartbeat and arms itself again; without one the task times out.
func TestHeartbeatLazyRearm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.decide(run, schedule("a", "10"))
	at := h.pollActivity()
	beat := func() (*swfapi.ActivityTaskStatus, error) {
		return h.e.RecordActivityTaskHeartbeat(ctx, &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken, Details: swfapi.Ptr("half")})
	}
	h.advance(8 * time.Second)
	writes := h.store.writes.Load()
	status, err := beat()
	h.must(err)
	if *status.CancelRequested {
		t.Fatal("cancel requested")
	}
	before := len(h.history(run))
	h.advance(2 * time.Second) // the first deadline: moved by the heartbeat
	if got := len(h.history(run)); got != before {
		t.Fatalf("the heartbeat timer fired early: %v", h.last(run, got-before))
	}
	if w := h.store.writes.Load() - writes; w != 2 {
		t.Fatalf("%d writes for a heartbeat and a re-armed timer, want 2", w)
	}
	h.advance(8 * time.Second) // 10 s after the heartbeat
	h.wantLast(run, "ActivityTaskTimedOut", "DecisionTaskScheduled")
	to := h.events(run)[before].ActivityTaskTimedOutEventAttributes
	if *to.TimeoutType != swfapi.ActivityTaskTimeoutTypeHeartbeat || *to.Details != "half" {
		t.Fatalf("timed out %+v", to)
	}
	_, err = beat()
	wantFault(t, err, swfapi.CodeUnknownResourceFault)
}

// A timer fires when it falls due, not before, exactly once.
func TestTimerFires(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.decide(run, startTimer("t", "30"))
	due, ok, err := h.e.NextDue(ctx)
	h.must(err)
	if !ok || !due.Equal(epoch.Add(30*time.Second)) {
		t.Fatalf("next due %v %v", due, ok)
	}
	h.advance(29 * time.Second)
	h.wantLast(run, "DecisionTaskCompleted", "TimerStarted")
	h.advance(time.Second)
	h.wantLast(run, "TimerStarted", "TimerFired", "DecisionTaskScheduled")
	h.must(h.e.FireDue(ctx, h.clock.Now()))
	if n := len(h.history(run)); n != 7 {
		t.Fatalf("%d events after firing again", n)
	}
}

// The timer loop is told, after each write that arms timers, when the
// earliest of them falls due: it wakes only for one due before the timer
// it waits for.
func TestTimersArmedTellTheEarliestDue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	var told []time.Time
	h.e.OnTimersArmed(func(due time.Time) { told = append(told, due) })
	want := func(what string, due ...time.Time) {
		t.Helper()
		if !slices.EqualFunc(told, due, time.Time.Equal) {
			t.Fatalf("%s: told %v, want %v", what, told, due)
		}
		told = nil
	}
	run := h.start("w")
	want("start", epoch.Add(time.Hour)) // the run's timeout
	dt := h.pollDecision()
	want("poll", epoch.Add(30*time.Second)) // the decision task's timeout
	h.clock.Advance(time.Second)
	h.respond(dt, startTimer("late", "300"), startTimer("early", "20"), startTimer("middle", "100"))
	want("decisions", epoch.Add(21*time.Second))
	h.advance(20 * time.Second) // "early" fires; nothing is armed but a decision task
	want("firing")
	h.decide(run, completeRun())
	want("poll and close", epoch.Add(51*time.Second), epoch.Add(21*time.Second+24*time.Hour)) // the retention
}

// A closed run stays visible for its domain's retention, then is purged.
func TestRetentionPurge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.decide(run, completeRun())
	h.advance(24*time.Hour - time.Second)
	if status, _ := h.status(run); status != swfapi.ExecutionStatusClosed {
		t.Fatalf("status %s", status)
	}
	h.advance(time.Second)
	_, err := h.e.DescribeWorkflowExecution(ctx, &swfapi.DescribeWorkflowExecutionInput{Domain: swfapi.Ptr(domain), Execution: run})
	wantFault(t, err, swfapi.CodeUnknownResourceFault)
	_, ok, err := h.e.NextDue(ctx)
	h.must(err)
	if ok {
		t.Fatal("a timer is left after the purge")
	}
}

// What one decision task asks of other runs (start a child, signal a run,
// ask one to cancel) is done in the same write as the decisions: one
// transaction, all or nothing.
func TestOtherRunsInOneWrite(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	target := h.start("target")
	h.decide(target) // its first decision task is done
	parent := h.start("parent")
	dt := h.pollDecision()

	// A write that fails leaves every run as it was.
	h.store.failNext.Store(true)
	err := h.e.RespondDecisionTaskCompleted(ctx, &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken,
		Decisions: []swfapi.Decision{startChild("child"), signal("target"), cancelExternal("target")}})
	if !errors.Is(err, errInjected) {
		t.Fatalf("error %v", err)
	}
	if got := h.history(target); len(got) != 4 {
		t.Fatalf("target changed by a failed write: %v", got)
	}
	h.wantLast(parent, "DecisionTaskStarted")
	if n := h.openRuns("child"); n != 0 {
		t.Fatalf("%d children started by a failed write", n)
	}

	// The same answer again: one write does it all.
	writes := h.store.writes.Load()
	h.respond(dt, startChild("child"), signal("target"), cancelExternal("target"))
	if w := h.store.writes.Load() - writes; w != 1 {
		t.Fatalf("%d writes", w)
	}
	h.wantLast(parent, "StartChildWorkflowExecutionInitiated", "SignalExternalWorkflowExecutionInitiated", "RequestCancelExternalWorkflowExecutionInitiated",
		"ChildWorkflowExecutionStarted", "DecisionTaskScheduled", "ExternalWorkflowExecutionSignaled", "ExternalWorkflowExecutionCancelRequested")
	h.wantLast(target, "WorkflowExecutionSignaled", "DecisionTaskScheduled", "WorkflowExecutionCancelRequested")
	sig := h.events(target)[4].WorkflowExecutionSignaledEventAttributes
	if *sig.ExternalWorkflowExecution.RunId != *parent.RunId || *sig.Input != "in" {
		t.Fatalf("signal %+v", sig)
	}
	pe := h.events(parent)
	childRun := pe[len(pe)-4].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	started := h.events(childRun)[0].WorkflowExecutionStartedEventAttributes
	if *started.ParentWorkflowExecution.RunId != *parent.RunId || *started.ParentInitiatedEventId != *pe[len(pe)-7].EventId {
		t.Fatalf("child started %+v", started)
	}

	// The parent's end applies its child policy in the same write.
	writes = h.store.writes.Load()
	h.must(h.e.TerminateWorkflowExecution(ctx, &swfapi.TerminateWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: parent.WorkflowId}))
	if w := h.store.writes.Load() - writes; w != 1 {
		t.Fatalf("%d writes", w)
	}
	h.wantLast(childRun, "WorkflowExecutionTerminated")
	if c := h.events(childRun)[len(h.events(childRun))-1].WorkflowExecutionTerminatedEventAttributes; *c.Cause != swfapi.WorkflowExecutionTerminatedCauseChildPolicyApplied {
		t.Fatalf("child terminated %+v", c)
	}
}

// A child that times out is reported to its parent, in the timer's write.
func TestChildTimesOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	parent := h.start("parent")
	h.decide(parent, startChild("child"))
	pe := h.events(parent)
	child := pe[len(pe)-2].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	h.advance(time.Hour - time.Second)
	h.wantLast(parent, "ChildWorkflowExecutionStarted", "DecisionTaskScheduled")
	// The parent's own hour ends first: it times out, and its policy
	// (TERMINATE) ends the child.
	h.advance(time.Second)
	if _, cs := h.status(parent); cs != swfapi.CloseStatusTimedOut {
		t.Fatalf("parent %s", cs)
	}
	h.wantLast(child, "WorkflowExecutionTerminated")
}

// ContinueAsNew closes the run and starts the next with the same
// workflowId, in one write.
func TestContinueAsNew(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	writes := h.store.writes.Load()
	h.decide(run, swfapi.Decision{DecisionType: swfapi.DecisionTypeContinueAsNewWorkflowExecution.Ptr(),
		ContinueAsNewWorkflowExecutionDecisionAttributes: &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: swfapi.Ptr("next")}})
	if w := h.store.writes.Load() - writes; w != 2 { // the poll and the answer
		t.Fatalf("%d writes", w)
	}
	h.wantLast(run, "WorkflowExecutionContinuedAsNew")
	next := h.events(run)[4].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId
	dt := h.pollDecision()
	if *dt.WorkflowExecution.RunId != *next || *dt.WorkflowExecution.WorkflowId != "w" {
		t.Fatalf("next decision task of %+v, want run %s", dt.WorkflowExecution, *next)
	}
	if a := dt.Events[0].WorkflowExecutionStartedEventAttributes; *a.ContinuedExecutionRunId != *run.RunId || *a.Input != "next" {
		t.Fatalf("started %+v", a)
	}
}

// A decision task not completed in time times out and is scheduled again.
func TestDecisionTaskTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	dt := h.pollDecision()
	h.advance(30 * time.Second)
	h.wantLast(run, "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	wantFault(t, h.e.RespondDecisionTaskCompleted(ctx, &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken}), swfapi.CodeUnknownResourceFault)
	h.decide(run, completeRun())
}

// A decider's request to cancel a started activity reaches its worker in
// the heartbeat's answer; the worker's cancellation closes it.
func TestActivityCancelReachesWorker(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.decide(run, schedule("a", "NONE"))
	at := h.pollActivity()
	h.must(h.e.SignalWorkflowExecution(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: run.WorkflowId, SignalName: swfapi.Ptr("stop")}))
	h.decide(run, swfapi.Decision{DecisionType: swfapi.DecisionTypeRequestCancelActivityTask.Ptr(),
		RequestCancelActivityTaskDecisionAttributes: &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: swfapi.Ptr("a")}})
	h.wantLast(run, "DecisionTaskCompleted", "ActivityTaskCancelRequested")
	status, err := h.e.RecordActivityTaskHeartbeat(ctx, &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
	h.must(err)
	if !*status.CancelRequested {
		t.Fatal("the heartbeat does not say cancellation was requested")
	}
	h.must(h.e.RespondActivityTaskCanceled(ctx, &swfapi.RespondActivityTaskCanceledInput{TaskToken: at.TaskToken, Details: swfapi.Ptr("stopped")}))
	h.wantLast(run, "ActivityTaskCanceled", "DecisionTaskScheduled")
}

// RequestCancelWorkflowExecution records the request for the decider, who
// decides to cancel.
func TestRequestCancelWorkflow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.must(h.e.RequestCancelWorkflowExecution(ctx, &swfapi.RequestCancelWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: run.WorkflowId}))
	h.wantLast(run, "DecisionTaskScheduled", "WorkflowExecutionCancelRequested")
	h.decide(run, swfapi.Decision{DecisionType: swfapi.DecisionTypeCancelWorkflowExecution.Ptr()})
	if _, cs := h.status(run); cs != swfapi.CloseStatusCanceled {
		t.Fatalf("close status %s", cs)
	}
}

// Starting checks the workflowId, the type and the domain, and changes
// nothing when it refuses.
func TestStartRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	h.start("w")
	start := func(workflowID, typeName string) error {
		_, err := h.e.StartWorkflowExecution(ctx, &swfapi.StartWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr(workflowID),
			WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(typeName), Version: swfapi.Ptr("1")}})
		return err
	}
	wantFault(t, start("w", "wf"), swfapi.CodeWorkflowExecutionAlreadyStartedFault)
	wantFault(t, start("x", "nope"), swfapi.CodeUnknownResourceFault)
	h.must(h.e.DeprecateWorkflowType(ctx, &swfapi.DeprecateWorkflowTypeInput{Domain: swfapi.Ptr(domain), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1")}}))
	wantFault(t, start("x", "wf"), swfapi.CodeTypeDeprecatedFault)
	if n := h.openRuns("x"); n != 0 {
		t.Fatalf("%d runs started by refused calls", n)
	}
}

// A history with no room left for a decision task's start terminates its
// run (EVENT_LIMIT_EXCEEDED) in the poll's write; the poll gets no task.
func TestHistoryLimitAtPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{Limits: engine.Limits{Run: workflowLimits(3)}})
	run := h.start("w")
	answer := make(chan *swfapi.DecisionTask, 1)
	go func() {
		dt, err := h.e.PollForDecisionTask(ctx, &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
		if err != nil {
			t.Error(err)
		}
		answer <- dt
	}()
	// Having found no task it could start, the poll waits for its deadline.
	for h.e.WaitingPolls() != 1 || h.clock.Waiters() != 1 || len(h.history(run)) != 3 {
		time.Sleep(time.Millisecond)
	}
	h.clock.Advance(time.Second)
	if dt := <-answer; dt != nil && dt.TaskToken != nil {
		t.Fatalf("a task for a full history: %+v", dt)
	}
	h.wantLast(run, "WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionTerminated")
	if _, cs := h.status(run); cs != swfapi.CloseStatusTerminated {
		t.Fatalf("close status %s", cs)
	}
}
