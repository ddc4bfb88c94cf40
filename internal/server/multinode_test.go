package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Two servers on one PostgreSQL database are one service: a poller on one
// gets the task the other queued at once, and a timer armed through one
// fires on the other when the first is gone.
func TestTwoServersShareOnePostgreSQL(t *testing.T) {
	db := swftest.PostgresDatabase(t)
	a := newFixture(t, swftest.WithConfig(func(c *server.Config) { c.Database = db }))
	b := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Database = db; c.Clock = a.Clock }))

	// A waits on the decider list; B starts a run. The fake clock never
	// ends A's poll: only B's announcement can wake it in time.
	polled := dtAsync(dtPollDecisionIn(a.c, a, deciderList))
	dtWaitWaiters(t, a, 1) // the poll's deadline: it waits
	run, err := b.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: a.domain, WorkflowId: aws.String("shared"), WorkflowType: workflowType("order", "1")})
	must(t, err)
	task := dtAwait(t, polled)
	if task.TaskToken == nil || aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(run.RunId) {
		t.Fatalf("the poller on the other server got %+v", task)
	}

	// A arms a timer, then goes away; B's timer loop heard of it.
	a.decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer,
		StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("60")}})
	must(t, a.Server.Server.Shutdown(ctx))
	a.Server.Server = nil
	a.Clock.Advance(60 * time.Second)
	next, err := b.Client.PollForDecisionTask(pollCtx(t), &swf.PollForDecisionTaskInput{Domain: a.domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}})
	must(t, err)
	if next.TaskToken == nil || next.Events[len(next.Events)-3].EventType != types.EventTypeTimerFired {
		t.Fatalf("after the timer's time, the other server's decider got %v", eventTypes(next.Events))
	}
}
