package server_test

import (
	"slices"
	"testing"

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
