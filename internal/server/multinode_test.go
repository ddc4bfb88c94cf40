package server_test

import (
	"context"
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
	t.Parallel()
	db := swftest.PostgresDatabase(t)
	a := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Database = db }))
	b := &swftest.Domain{Server: swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Database = db; c.Clock = a.Clock })), Name: a.Name}

	// A waits on the decider list; B starts a run. The fake clock never
	// ends A's poll: only B's announcement can wake it in time.
	polled := swftest.Async(func() (*swf.PollForDecisionTaskOutput, error) {
		return a.Client.PollForDecisionTask(context.Background(), &swf.PollForDecisionTaskInput{Domain: aws.String(a.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}})
	})
	swftest.WaitFor(t, "the poll to wait on the clock", func() bool { return a.Clock.Waiters() >= 1 }) // the poll's deadline
	run := b.Start("shared")
	task := swftest.Await(t, polled)
	if task.TaskToken == nil || aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(run.RunId) {
		t.Fatalf("the poller on the other server got %+v", task)
	}

	// A arms a timer, then goes away; B's timer loop heard of it.
	a.Decide(task.TaskToken, swftest.StartTimer("t", "60"))
	must(t, a.Server.Server.Shutdown(ctx))
	a.Server.Server = nil
	a.Clock.Advance(60 * time.Second)
	next := b.PollDecision()
	if next.Events[len(next.Events)-3].EventType != types.EventTypeTimerFired {
		t.Fatalf("after the timer's time, the other server's decider got %v", swftest.EventTypes(next.Events))
	}
}
