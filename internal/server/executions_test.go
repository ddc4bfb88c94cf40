package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

func TestHappyPath(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("order-1")

	task := d.PollDecision()
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || task.StartedEventId != 3 || task.PreviousStartedEventId != 0 {
		t.Fatalf("first decision task: %+v", task)
	}
	if got := swftest.EventTypes(task.Events); !slices.Equal(got, []types.EventType{types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted}) {
		t.Fatalf("first decision history: %v", got)
	}
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"))

	a := d.PollActivity()
	if aws.ToString(a.ActivityId) != "a1" || aws.ToString(a.Input) != "input of a1" || a.StartedEventId != 6 {
		t.Fatalf("activity task: %+v", a)
	}
	hb, err := d.Heartbeat(a.TaskToken, aws.String("50%"))
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancel requested")
	}
	d.Complete(a.TaskToken, "done")

	task = d.PollDecision()
	if task.PreviousStartedEventId != 3 || task.StartedEventId != 9 {
		t.Fatalf("second decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("all done"))

	d.WantHistory(ex,
		types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskStarted, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled,
		types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	desc := d.Describe(ex)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.ExecutionInfo.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("describe: %+v", desc.ExecutionInfo)
	}
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
}

// A parent starts a child and a timer; the child completes, the timer
// fires, and the parent hears of both.
func TestChildAndTimerHappyPath(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	parent := d.Start("parent")
	d.Decide(d.PollDecision().TaskToken,
		swftest.StartChild("child", swftest.WorkflowType(swftest.WorkflowTypeName, "1"), func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
			a.Input = aws.String("for the child")
		}),
		swftest.StartTimer("t1", "60"),
	)
	d.WantHistory(parent,
		types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeTimerStarted, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	started := d.LastEvent(parent, types.EventTypeChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes
	child := started.WorkflowExecution
	cs := d.History(child)[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(cs.ParentWorkflowExecution.RunId) != aws.ToString(parent.RunId) || cs.ParentInitiatedEventId != 5 || aws.ToString(cs.Input) != "for the child" {
		t.Fatalf("child started with %+v", cs)
	}

	// Both runs have a decision task; answer the child's by completing it.
	for range 2 {
		task := d.PollDecision()
		if aws.ToString(task.WorkflowExecution.WorkflowId) == "child" {
			d.Decide(task.TaskToken, swftest.CompleteWorkflow("child result"))
		} else {
			d.Decide(task.TaskToken)
		}
	}
	done := d.LastEvent(parent, types.EventTypeChildWorkflowExecutionCompleted).ChildWorkflowExecutionCompletedEventAttributes
	if aws.ToString(done.Result) != "child result" || done.InitiatedEventId != 5 || done.StartedEventId != 7 {
		t.Fatalf("child completed: %+v", done)
	}
	d.Advance(60 * time.Second)
	fired := d.LastEvent(parent, types.EventTypeTimerFired).TimerFiredEventAttributes
	if aws.ToString(fired.TimerId) != "t1" || fired.StartedEventId != 6 {
		t.Fatalf("timer fired: %+v", fired)
	}
	if oc := d.Describe(parent).OpenCounts; oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 {
		t.Fatalf("open counts %+v", oc)
	}
}
