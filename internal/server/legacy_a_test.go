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

// Helpers of the old fixture that files of the other branch still use
// (decision_rules_test.go); the files of this branch speak swftest. Delete
// this file with the old fixture once no file calls these.

func chNewFixture(t *testing.T, opts ...swftest.Option) *fixture {
	t.Helper()
	f := newFixture(t, opts...)
	f.chRegister("kid", "1", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String(chKidList)}
		in.DefaultExecutionStartToCloseTimeout = aws.String("1800")
		in.DefaultTaskStartToCloseTimeout = aws.String("20")
		in.DefaultChildPolicy = types.ChildPolicyAbandon
		in.DefaultTaskPriority = aws.String("3")
		in.DefaultLambdaRole = aws.String(chKidRole)
	})
	return f
}

func (f *fixture) chRegister(name, version string, mod ...func(*swf.RegisterWorkflowTypeInput)) {
	f.t.Helper()
	in := &swf.RegisterWorkflowTypeInput{Domain: f.domain, Name: aws.String(name), Version: aws.String(version)}
	for _, m := range mod {
		m(in)
	}
	_, err := f.c.RegisterWorkflowType(ctx, in)
	must(f.t, err)
}

func chList(workflowID string) string { return "list-" + workflowID }

func chStartChild(id string, mod ...func(*types.StartChildWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String(id), WorkflowType: workflowType("kid", "1"), Input: aws.String("input of " + id),
		TaskList: &types.TaskList{Name: aws.String(chList(id))},
	}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: a}
}

func (f *fixture) chPoll(list string) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForDecisionTask(pollCtx(f.t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("ch-decider")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no decision task on %s", list)
	}
	return out
}

func (f *fixture) chAnswer(list string, decisions ...types.Decision) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	d := f.chPoll(list)
	f.decide(d.TaskToken, decisions...)
	return d
}

func (f *fixture) chPending(list string) int32 {
	f.t.Helper()
	out, err := f.c.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}})
	must(f.t, err)
	return out.Count
}

func chTypes(h []types.HistoryEvent) []types.EventType {
	var out []types.EventType
	for _, e := range h {
		out = append(out, e.EventType)
	}
	return out
}

func (f *fixture) chHistory(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	if got := chTypes(h); !slices.Equal(got, want) {
		f.t.Fatalf("history of %s:\n got %v\nwant %v", aws.ToString(ex.WorkflowId), got, want)
	}
	for i, e := range h {
		if e.EventId != int64(i+1) {
			f.t.Fatalf("event %d of %s has id %d", i+1, aws.ToString(ex.WorkflowId), e.EventId)
		}
	}
	return h
}

func (f *fixture) chTail(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	if len(h) < len(want) || !slices.Equal(chTypes(h[len(h)-len(want):]), want) {
		f.t.Fatalf("history of %s ends\n got %v\nwant ... %v", aws.ToString(ex.WorkflowId), chTypes(h), want)
	}
	return h[len(h)-len(want):]
}

func (f *fixture) chParent(id string, policy types.ChildPolicy, timeout string, children ...types.Decision) (*types.WorkflowExecution, []*types.WorkflowExecution) {
	f.t.Helper()
	parent := f.start(id, func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String(chList(id))}
		in.ChildPolicy = policy
		if timeout != "" {
			in.ExecutionStartToCloseTimeout = aws.String(timeout)
		}
	})
	f.chAnswer(chList(id), children...)
	started := map[string]*types.WorkflowExecution{}
	for _, e := range f.history(parent) {
		if a := e.ChildWorkflowExecutionStartedEventAttributes; a != nil {
			started[aws.ToString(a.WorkflowExecution.WorkflowId)] = a.WorkflowExecution
		}
	}
	var kids []*types.WorkflowExecution
	for _, d := range children {
		wid := aws.ToString(d.StartChildWorkflowExecutionDecisionAttributes.WorkflowId)
		kid, ok := started[wid]
		if !ok {
			f.t.Fatalf("child %s did not start: %v", wid, chTypes(f.history(parent)))
		}
		kids = append(kids, kid)
	}
	return parent, kids
}

func (f *fixture) chStatus(ex *types.WorkflowExecution) (types.ExecutionStatus, types.CloseStatus) {
	f.t.Helper()
	info := f.describe(ex).ExecutionInfo
	return info.ExecutionStatus, info.CloseStatus
}

func (f *fixture) chWantStatus(ex *types.WorkflowExecution, status types.ExecutionStatus, closed types.CloseStatus) {
	f.t.Helper()
	if s, c := f.chStatus(ex); s != status || c != closed {
		f.t.Fatalf("%s is %s %s, want %s %s", aws.ToString(ex.WorkflowId), s, c, status, closed)
	}
}

func (f *fixture) chRuns(open bool, workflowID string) []types.WorkflowExecutionInfo {
	f.t.Helper()
	filter := &types.WorkflowExecutionFilter{WorkflowId: aws.String(workflowID)}
	all := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	if open {
		out, err := f.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: f.domain, StartTimeFilter: all, ExecutionFilter: filter})
		must(f.t, err)
		return out.ExecutionInfos
	}
	out, err := f.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: f.domain, StartTimeFilter: all, ExecutionFilter: filter})
	must(f.t, err)
	return out.ExecutionInfos
}
