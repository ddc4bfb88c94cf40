package swftest_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// The vocabulary carries a run from start to close: a decision that
// schedules an activity and a timer, the activity's completion, the timer
// firing on the fake clock, and the decision that completes the run.
func TestDomainRunsAWorkflow(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("w1")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"), swftest.StartTimer("t1", "60"))
	task := d.PollActivity()
	if got := aws.ToString(task.Input); got != "input of a1" {
		t.Fatalf("activity input %q", got)
	}
	d.Complete(task.TaskToken, "done")
	d.Decide(d.PollDecision().TaskToken)
	d.Advance(time.Minute)
	fired := d.WaitFor(ex, types.EventTypeTimerFired)
	if id := aws.ToString(fired.TimerFiredEventAttributes.TimerId); id != "t1" {
		t.Fatalf("fired timer %q", id)
	}
	d.Decide(d.PollDecision().TaskToken, swftest.CompleteWorkflow("ok"))
	d.WantHistory(ex,
		types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeTimerStarted, types.EventTypeActivityTaskStarted, types.EventTypeActivityTaskCompleted,
		types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeTimerFired, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeWorkflowExecutionCompleted)
	if st := d.Describe(ex).ExecutionInfo.ExecutionStatus; st != types.ExecutionStatusClosed {
		t.Fatalf("status %s", st)
	}
}

// A call made with Async is pending while the server holds it and answers
// once there is something to answer.
func TestAsyncLongPoll(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	poll := swftest.Async(func() (string, error) {
		// Not d.PollActivity: a test may fail only on its own goroutine.
		out, err := d.Client.PollForActivityTask(context.Background(), &swf.PollForActivityTaskInput{
			Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)},
		})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ActivityId), nil
	})
	swftest.Pending(t, poll, "a poll of an empty list")
	d.Start("w1")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	if id := swftest.Await(t, poll); id != "a1" {
		t.Fatalf("polled activity %q", id)
	}
}
