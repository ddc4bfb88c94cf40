package openswftest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/openswftest"
)

// A worker that stops heartbeating is timed out after the activity's
// heartbeat timeout, and the decider is told so. The test moves the
// server's clock past the 5-minute timeout instead of waiting for it.
func Example_heartbeatTimeout() {
	srv, err := openswftest.New(openswftest.WithDomain("example"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, c, domain := context.Background(), srv.Client, aws.String("example")

	check(c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: domain, Name: aws.String("order"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("deciders")}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultExecutionStartToCloseTimeout: aws.String("86400"), DefaultTaskStartToCloseTimeout: aws.String("60")}))
	check(c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: domain, Name: aws.String("ship"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("workers")}, DefaultTaskHeartbeatTimeout: aws.String("300"),
		DefaultTaskScheduleToStartTimeout: aws.String("3600"), DefaultTaskScheduleToCloseTimeout: aws.String("7200"), DefaultTaskStartToCloseTimeout: aws.String("3600")}))
	check(c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: domain, WorkflowId: aws.String("order-1"), WorkflowType: &types.WorkflowType{Name: aws.String("order"), Version: aws.String("1")}}))

	// The decider schedules the activity; a worker takes it and heartbeats once.
	d := check(c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: domain, TaskList: &types.TaskList{Name: aws.String("deciders")}}))
	check(c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{{
		DecisionType:                           types.DecisionTypeScheduleActivityTask,
		ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{ActivityId: aws.String("ship-1"), ActivityType: &types.ActivityType{Name: aws.String("ship"), Version: aws.String("1")}},
	}}}))
	a := check(c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: domain, TaskList: &types.TaskList{Name: aws.String("workers")}}))
	check(c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String("40% packed")}))

	// Then the worker goes silent. Six minutes pass in a few milliseconds.
	srv.Advance(6 * time.Minute)

	d = check(c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: domain, TaskList: &types.TaskList{Name: aws.String("deciders")}, ReverseOrder: true}))
	for _, e := range d.Events {
		if e.EventType == types.EventTypeActivityTaskTimedOut {
			at := e.ActivityTaskTimedOutEventAttributes
			fmt.Printf("%s %s, last heartbeat %q\n", e.EventType, at.TimeoutType, aws.ToString(at.Details))
		}
	}
	_, err = c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	var gone *types.UnknownResourceFault
	fmt.Println("the late worker's completion is refused:", errors.As(err, &gone))
	// Output:
	// ActivityTaskTimedOut HEARTBEAT, last heartbeat "40% packed"
	// the late worker's completion is refused: true
}

// check stops the example at the first error.
func check[T any](out T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return out
}
