package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// wantMessage fails unless err is the fault code with exactly the message.
func wantMessage(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var f *swfapi.Error
	if !errors.As(err, &f) || f.Code != code || f.Message != message {
		t.Errorf("%s: %v; want %s: %s", what, err, code, message)
	}
}

// Task-token calls on a task that is no longer open answer in Amazon SWF's
// words, which frameworks read (swfsm stops a heartbeating activity on
// "Unknown activity" or "Unknown execution"; simpleflow reads the resource
// out of the message).
func TestTaskNoLongerOpenMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	run := h.start("w")
	h.decide(run, schedule("a", "NONE"))
	at := h.pollActivity()
	h.must(h.e.RespondActivityTaskCompleted(ctx, &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken}))
	_, err := h.e.RecordActivityTaskHeartbeat(ctx, &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
	wantMessage(t, "heartbeat after completion", err, swfapi.CodeUnknownResourceFault, fmt.Sprintf("Unknown activity, scheduledEventId = %d", *at.StartedEventId-1))

	dt := h.pollDecision()
	h.respond(dt)
	err = h.e.RespondDecisionTaskCompleted(ctx, &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken})
	wantMessage(t, "a decision task answered twice", err, swfapi.CodeUnknownResourceFault, fmt.Sprintf("Unknown decision task, scheduledEventId = %d", *dt.StartedEventId-1))

	h.must(h.e.SignalWorkflowExecution(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: run.WorkflowId, SignalName: swfapi.Ptr("more")}))
	h.decide(run, schedule("b", "NONE"))
	open := h.pollActivity()
	h.must(h.e.TerminateWorkflowExecution(ctx, &swfapi.TerminateWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: run.WorkflowId}))
	_, err = h.e.RecordActivityTaskHeartbeat(ctx, &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: open.TaskToken})
	wantMessage(t, "heartbeat after the run was terminated", err, swfapi.CodeUnknownResourceFault,
		fmt.Sprintf("Unknown execution: WorkflowExecution=[workflowId=w, runId=%s]", *run.RunId))
	err = h.e.RespondActivityTaskFailed(ctx, &swfapi.RespondActivityTaskFailedInput{TaskToken: open.TaskToken})
	wantMessage(t, "failure after the run was terminated", err, swfapi.CodeUnknownResourceFault,
		fmt.Sprintf("Unknown execution: WorkflowExecution=[workflowId=w, runId=%s]", *run.RunId))

	events := h.events(run)
	last := events[len(events)-1]
	if a := last.WorkflowExecutionTerminatedEventAttributes; a == nil || a.Cause == nil || *a.Cause != swfapi.WorkflowExecutionTerminatedCauseOperatorInitiated {
		t.Errorf("an operator's termination records %+v; want cause OPERATOR_INITIATED", a)
	}
}

// Executions named but unknown: with a runId, and by workflowId alone.
func TestUnknownExecutionMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	_, err := h.e.DescribeWorkflowExecution(ctx, &swfapi.DescribeWorkflowExecutionInput{Domain: swfapi.Ptr(domain),
		Execution: &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("nope"), RunId: swfapi.Ptr("r1")}})
	wantMessage(t, "describe", err, swfapi.CodeUnknownResourceFault, "Unknown execution: WorkflowExecution=[workflowId=nope, runId=r1]")
	err = h.e.SignalWorkflowExecution(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr("nope"), SignalName: swfapi.Ptr("s")})
	wantMessage(t, "signal by workflowId", err, swfapi.CodeUnknownResourceFault, "Unknown execution, workflowId = nope")
}

// Counts always say whether they were truncated, false included.
func TestCountsSayTruncated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, engine.Config{})
	h.start("w")
	for name, count := range map[string]func() (*swfapi.PendingTaskCount, error){
		"decision": func() (*swfapi.PendingTaskCount, error) {
			return h.e.CountPendingDecisionTasks(ctx, &swfapi.CountPendingDecisionTasksInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
		},
		"activity": func() (*swfapi.PendingTaskCount, error) {
			return h.e.CountPendingActivityTasks(ctx, &swfapi.CountPendingActivityTasksInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}})
		},
	} {
		c, err := count()
		h.must(err)
		if c.Truncated == nil || *c.Truncated {
			t.Errorf("%s tasks: truncated = %v; want false, sent", name, c.Truncated)
		}
	}
}
