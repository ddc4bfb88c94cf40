package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// fixture is a domain with a workflow type and an activity type whose
// defaults make every timeout explicit.
type fixture struct {
	*swftest.Server
	t      testing.TB
	c      *swf.Client
	domain *string
}

const (
	deciderList = "deciders"
	workerList  = "workers"
)

func newFixture(t testing.TB, opts ...swftest.Option) *fixture {
	t.Helper()
	s := swftest.Start(t, opts...)
	f := &fixture{Server: s, t: t, c: s.Client, domain: aws.String("wf")}
	registerDomain(t, f.c, "wf")
	must(t, f.registerTypes())
	return f
}

// registerTypes registers the fixture's workflow and activity types.
func (f *fixture) registerTypes() error {
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: f.domain, Name: aws.String("order"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	if err != nil {
		return err
	}
	_, err = f.c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: f.domain, Name: aws.String("work"), Version: aws.String("1"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(workerList)},
		DefaultTaskScheduleToStartTimeout: aws.String("60"),
		DefaultTaskScheduleToCloseTimeout: aws.String("600"),
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskHeartbeatTimeout:       aws.String("30"),
	})
	return err
}

// start starts a run of the fixture's workflow type.
func (f *fixture) start(workflowID string, mod ...func(*swf.StartWorkflowExecutionInput)) *types.WorkflowExecution {
	f.t.Helper()
	in := &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String(workflowID), WorkflowType: workflowType("order", "1"), Input: aws.String("in:" + workflowID)}
	for _, m := range mod {
		m(in)
	}
	out, err := f.c.StartWorkflowExecution(ctx, in)
	must(f.t, err)
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: out.RunId}
}

// pollCtx bounds a poll that is expected to find a task at once.
func pollCtx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// decision polls the decider list and fails the test if no task is there.
func (f *fixture) decision() *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForDecisionTask(pollCtx(f.t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}, Identity: aws.String("decider-1")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatal("no decision task")
	}
	return out
}

// activity polls the worker list and fails the test if no task is there.
func (f *fixture) activity() *swf.PollForActivityTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForActivityTask(pollCtx(f.t), &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(workerList)}, Identity: aws.String("worker-1")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatal("no activity task")
	}
	return out
}

func (f *fixture) decide(token *string, decisions ...types.Decision) {
	f.t.Helper()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: decisions})
	must(f.t, err)
}

func scheduleActivity(id string, mod ...func(*types.ScheduleActivityTaskDecisionAttributes)) types.Decision {
	a := &types.ScheduleActivityTaskDecisionAttributes{ActivityId: aws.String(id), ActivityType: activityType("work", "1"), Input: aws.String("input of " + id)}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: a}
}

func completeWorkflow(result string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution, CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String(result)}}
}

// history returns a run's whole history.
func (f *fixture) history(ex *types.WorkflowExecution) []types.HistoryEvent {
	f.t.Helper()
	var all []types.HistoryEvent
	p := swf.NewGetWorkflowExecutionHistoryPaginator(f.c, &swf.GetWorkflowExecutionHistoryInput{Domain: f.domain, Execution: ex})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(f.t, err)
		all = append(all, out.Events...)
	}
	return all
}

func eventTypes(events []types.HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, string(e.EventType))
	}
	return out
}

// lastEvent returns the run's last event of type t.
func (f *fixture) lastEvent(ex *types.WorkflowExecution, t types.EventType) types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].EventType == t {
			return h[i]
		}
	}
	f.t.Fatalf("no %s in %v", t, eventTypes(h))
	return types.HistoryEvent{}
}

// describe returns a run's detail.
func (f *fixture) describe(ex *types.WorkflowExecution) *swf.DescribeWorkflowExecutionOutput {
	f.t.Helper()
	out, err := f.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: f.domain, Execution: ex})
	must(f.t, err)
	return out
}

// advance moves the clock and fires the timers that fall due.
func (f *fixture) advance(d time.Duration) {
	f.t.Helper()
	f.Clock.Advance(d)
	must(f.t, f.FireDueTimers(ctx))
}

// restart restarts the server on the same database and clock, and points
// the fixture's client at it.
func (f *fixture) restart() {
	f.t.Helper()
	f.Restart()
	f.c = f.Client
}
