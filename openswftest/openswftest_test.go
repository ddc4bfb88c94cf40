package openswftest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/openswftest"
)

// The clock starts where asked and moves only by Advance; a seven-day
// timer fires on Advance(7 days); Reset leaves an empty server.
func TestStartAdvanceReset(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := openswftest.Start(t, openswftest.WithDomain("d"), openswftest.WithStartTime(start))
	ctx, c := context.Background(), srv.Client
	if !srv.Now().Equal(start) {
		t.Fatalf("the clock starts at %v, want %v", srv.Now(), start)
	}
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("l")}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultExecutionStartToCloseTimeout: aws.String("1209600"), DefaultTaskStartToCloseTimeout: aws.String("60")})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: aws.String("w1"), WorkflowType: &types.WorkflowType{Name: aws.String("w"), Version: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("d"), TaskList: &types.TaskList{Name: aws.String("l")}})
	if err != nil || d.TaskToken == nil {
		t.Fatalf("no decision task: %v", err)
	}
	_, err = c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{{DecisionType: types.DecisionTypeStartTimer,
		StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("week"), StartToFireTimeout: aws.String("604800")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if now := srv.Advance(7 * 24 * time.Hour); !now.Equal(start.Add(7 * 24 * time.Hour)) {
		t.Fatalf("Advance returned %v", now)
	}
	h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String("d"), ReverseOrder: true,
		Execution: &types.WorkflowExecution{WorkflowId: aws.String("w1"), RunId: run.RunId}})
	if err != nil {
		t.Fatal(err)
	}
	if e := h.Events[1]; e.EventType != types.EventTypeTimerFired || !aws.ToTime(e.EventTimestamp).Equal(start.Add(7*24*time.Hour)) {
		t.Fatalf("the event before the last is %s at %v, want TimerFired at %v", e.EventType, aws.ToTime(e.EventTimestamp), start.Add(7*24*time.Hour))
	}

	srv.Reset()
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("d")})
	if _, ok := errors.AsType[*types.UnknownResourceFault](err); !ok {
		t.Fatalf("DescribeDomain after Reset: %v", err)
	}
	srv.Close() // and again at cleanup: a no-op
}
