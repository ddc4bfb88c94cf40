package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

func TestHappyPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("order-1")

	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || d.StartedEventId != 3 || d.PreviousStartedEventId != 0 {
		t.Fatalf("first decision task: %+v", d)
	}
	if got := eventTypes(d.Events); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted"}) {
		t.Fatalf("first decision history: %v", got)
	}
	f.decide(d.TaskToken, scheduleActivity("a1"))

	a := f.activity()
	if aws.ToString(a.ActivityId) != "a1" || aws.ToString(a.Input) != "input of a1" || a.StartedEventId != 6 {
		t.Fatalf("activity task: %+v", a)
	}
	hb, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String("50%")})
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancel requested")
	}
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken, Result: aws.String("done")})
	must(t, err)

	d = f.decision()
	if d.PreviousStartedEventId != 3 || d.StartedEventId != 9 {
		t.Fatalf("second decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	f.decide(d.TaskToken, completeWorkflow("all done"))

	want := []string{
		"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled",
		"DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted",
	}
	if got := eventTypes(f.history(ex)); !slices.Equal(got, want) {
		t.Fatalf("history:\n got %v\nwant %v", got, want)
	}
	desc := f.describe(ex)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.ExecutionInfo.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("describe: %+v", desc.ExecutionInfo)
	}
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
}

// A parent starts a child and a timer; the child completes, the timer
// fires, and the parent hears of both.
func TestChildAndTimerHappyPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	parent := f.start("parent")
	d := f.decision()
	f.decide(d.TaskToken,
		types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("child"), WorkflowType: workflowType("order", "1"), Input: aws.String("for the child"),
		}},
		types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t1"), StartToFireTimeout: aws.String("60")}},
	)
	want := []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"StartChildWorkflowExecutionInitiated", "TimerStarted", "ChildWorkflowExecutionStarted", "DecisionTaskScheduled"}
	if got := eventTypes(f.history(parent)); !slices.Equal(got, want) {
		t.Fatalf("parent history:\n got %v\nwant %v", got, want)
	}
	started := f.lastEvent(parent, types.EventTypeChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes
	child := started.WorkflowExecution
	cs := f.history(child)[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(cs.ParentWorkflowExecution.RunId) != aws.ToString(parent.RunId) || cs.ParentInitiatedEventId != 5 || aws.ToString(cs.Input) != "for the child" {
		t.Fatalf("child started with %+v", cs)
	}

	// Both runs have a decision task; answer the child's by completing it.
	for range 2 {
		d = f.decision()
		if aws.ToString(d.WorkflowExecution.WorkflowId) == "child" {
			f.decide(d.TaskToken, completeWorkflow("child result"))
		} else {
			f.decide(d.TaskToken)
		}
	}
	done := f.lastEvent(parent, types.EventTypeChildWorkflowExecutionCompleted).ChildWorkflowExecutionCompletedEventAttributes
	if aws.ToString(done.Result) != "child result" || done.InitiatedEventId != 5 || done.StartedEventId != 7 {
		t.Fatalf("child completed: %+v", done)
	}
	f.advance(60 * time.Second)
	fired := f.lastEvent(parent, types.EventTypeTimerFired).TimerFiredEventAttributes
	if aws.ToString(fired.TimerId) != "t1" || fired.StartedEventId != 6 {
		t.Fatalf("timer fired: %+v", fired)
	}
	if oc := f.describe(parent).OpenCounts; oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 {
		t.Fatalf("open counts %+v", oc)
	}
}
