package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Tests of child workflows and continue-as-new (SWF-API.md §5.6, §5.12,
// §10.4). Helpers here are prefixed ch.

const (
	chKidRole = "arn:aws:iam::123456789012:role/kid"
	// chKidList is the default decision task list of the kid type.
	chKidList = "kids"

	chStarted       = types.EventTypeWorkflowExecutionStarted
	chDTS           = types.EventTypeDecisionTaskScheduled
	chDTSt          = types.EventTypeDecisionTaskStarted
	chDTC           = types.EventTypeDecisionTaskCompleted
	chInit          = types.EventTypeStartChildWorkflowExecutionInitiated
	chStartFailed   = types.EventTypeStartChildWorkflowExecutionFailed
	chKidStarted    = types.EventTypeChildWorkflowExecutionStarted
	chKidCompleted  = types.EventTypeChildWorkflowExecutionCompleted
	chTerminated    = types.EventTypeWorkflowExecutionTerminated
	chCancelReq     = types.EventTypeWorkflowExecutionCancelRequested
	chContinued     = types.EventTypeWorkflowExecutionContinuedAsNew
	chContinueFail  = types.EventTypeContinueAsNewWorkflowExecutionFailed
	chSignaled      = types.EventTypeWorkflowExecutionSignaled
	chCompleted     = types.EventTypeWorkflowExecutionCompleted
	chWorkflowTimed = types.EventTypeWorkflowExecutionTimedOut
)

// chNewFixture is the fixture with a second workflow type for children,
// kid 1, whose defaults differ from those of order 1 in every member.
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

// chRegister registers a workflow type; without mod it has no defaults.
func (f *fixture) chRegister(name, version string, mod ...func(*swf.RegisterWorkflowTypeInput)) {
	f.t.Helper()
	in := &swf.RegisterWorkflowTypeInput{Domain: f.domain, Name: aws.String(name), Version: aws.String(version)}
	for _, m := range mod {
		m(in)
	}
	_, err := f.c.RegisterWorkflowType(ctx, in)
	must(f.t, err)
}

func (f *fixture) chDeprecate(name, version string) {
	f.t.Helper()
	_, err := f.c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: f.domain, WorkflowType: workflowType(name, version)})
	must(f.t, err)
}

// chList is the decision task list of a run that chStartChild or chParent
// starts: each run has its own, so that a poll finds the task it expects.
func chList(workflowID string) string { return "list-" + workflowID }

// chStartChild starts a kid 1 child on its own task list.
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

// chOwnPolicy gives a child its own child policy.
func chOwnPolicy(p types.ChildPolicy) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
	return func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.ChildPolicy = p }
}

func chFailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(reason), Details: aws.String(details)}}
}

func chCancelWorkflow(details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String(details)}}
}

func chContinue(mod ...func(*types.ContinueAsNewWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: a}
}

// chPoll polls a decision task list and fails the test if no task is there.
func (f *fixture) chPoll(list string) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForDecisionTask(pollCtx(f.t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("ch-decider")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no decision task on %s", list)
	}
	return out
}

// chAnswer polls a list and answers its decision task with decisions.
func (f *fixture) chAnswer(list string, decisions ...types.Decision) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	d := f.chPoll(list)
	f.decide(d.TaskToken, decisions...)
	return d
}

// chPending counts the decision tasks waiting on a list.
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

// chHistory asserts a run's whole history, event type by event type, with
// ids from 1 up, and returns it.
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

// chTail asserts the last events of a run's history and returns them.
func (f *fixture) chTail(ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	if len(h) < len(want) || !slices.Equal(chTypes(h[len(h)-len(want):]), want) {
		f.t.Fatalf("history of %s ends\n got %v\nwant ... %v", aws.ToString(ex.WorkflowId), chTypes(h), want)
	}
	return h[len(h)-len(want):]
}

// chEqual compares what the SDK parsed with what is expected, member by
// member, through their JSON.
func chEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func chExec(workflowID string, runID *string) *types.WorkflowExecution {
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: runID}
}

// chParent starts an order 1 run on its own list (chList(id)) with a child
// policy and, unless timeout is "", an execution timeout; its first
// decision starts the children. It returns the parent and the children's
// runs in the order of the decisions. The parent is left with the
// decision task the children's start scheduled, each child with its first.
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

// chStatus returns how a run stands.
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

// chRuns lists the open or closed runs of a workflowId.
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

func (f *fixture) chTerminate(ex *types.WorkflowExecution, policy types.ChildPolicy) {
	f.t.Helper()
	_, err := f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{
		Domain: f.domain, WorkflowId: ex.WorkflowId, RunId: ex.RunId, Reason: aws.String("stop"), Details: aws.String("operator"), ChildPolicy: policy,
	})
	must(f.t, err)
}

func (f *fixture) chOpenChildren(ex *types.WorkflowExecution) int32 {
	f.t.Helper()
	return f.describe(ex).OpenCounts.OpenChildWorkflowExecutions
}

// A StartChildWorkflowExecution decision records the Initiated event with
// the resolved configuration, starts the child with its parent link, and
// tells the parent, with a decision task.
func TestChildStartInitiatedAndStarted(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent := f.start("parent")
	d := f.decision()
	explicitRole := "arn:aws:iam::123456789012:role/explicit"
	explicit := chStartChild("explicit", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.Control = aws.String("control of explicit")
		a.ExecutionStartToCloseTimeout = aws.String("900")
		a.TaskStartToCloseTimeout = aws.String("45")
		a.ChildPolicy = types.ChildPolicyRequestCancel
		a.TaskPriority = aws.String("7")
		a.TagList = []string{"red", "blue"}
		a.LambdaRole = aws.String(explicitRole)
	})
	bare := types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String("defaults"), WorkflowType: workflowType("kid", "1"),
	}}
	f.decide(d.TaskToken, explicit, bare)

	h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chKidStarted, chDTS, chKidStarted)
	chEqual(t, "Initiated from the decision", h[4].StartChildWorkflowExecutionInitiatedEventAttributes, &types.StartChildWorkflowExecutionInitiatedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, DecisionTaskCompletedEventId: 4, TaskList: &types.TaskList{Name: aws.String(chList("explicit"))},
		WorkflowId: aws.String("explicit"), WorkflowType: workflowType("kid", "1"), Control: aws.String("control of explicit"),
		ExecutionStartToCloseTimeout: aws.String("900"), Input: aws.String("input of explicit"), LambdaRole: aws.String(explicitRole),
		TagList: []string{"red", "blue"}, TaskPriority: aws.String("7"), TaskStartToCloseTimeout: aws.String("45"),
	})
	chEqual(t, "Initiated from the type's defaults", h[5].StartChildWorkflowExecutionInitiatedEventAttributes, &types.StartChildWorkflowExecutionInitiatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, DecisionTaskCompletedEventId: 4, TaskList: &types.TaskList{Name: aws.String(chKidList)},
		WorkflowId: aws.String("defaults"), WorkflowType: workflowType("kid", "1"),
		ExecutionStartToCloseTimeout: aws.String("1800"), LambdaRole: aws.String(chKidRole),
		TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})
	explicitRun := h[6].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	defaultsRun := h[8].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	ids := []string{aws.ToString(parent.RunId), aws.ToString(explicitRun.RunId), aws.ToString(defaultsRun.RunId)}
	if ids[1] == "" || ids[2] == "" || ids[1] == ids[0] || ids[2] == ids[0] || ids[1] == ids[2] {
		t.Fatalf("run ids parent, explicit, defaults: %q", ids)
	}
	chEqual(t, "ChildWorkflowExecutionStarted explicit", h[6].ChildWorkflowExecutionStartedEventAttributes, &types.ChildWorkflowExecutionStartedEventAttributes{
		InitiatedEventId: 5, WorkflowExecution: chExec("explicit", explicitRun.RunId), WorkflowType: workflowType("kid", "1"),
	})
	chEqual(t, "ChildWorkflowExecutionStarted defaults", h[8].ChildWorkflowExecutionStartedEventAttributes, &types.ChildWorkflowExecutionStartedEventAttributes{
		InitiatedEventId: 6, WorkflowExecution: chExec("defaults", defaultsRun.RunId), WorkflowType: workflowType("kid", "1"),
	})
	chEqual(t, "the parent's decision task", h[7].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(deciderList)}, StartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})

	ch := f.chHistory(explicitRun, chStarted, chDTS)
	chEqual(t, "explicit child's start", ch[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String(chList("explicit"))}, WorkflowType: workflowType("kid", "1"),
		ExecutionStartToCloseTimeout: aws.String("900"), Input: aws.String("input of explicit"), LambdaRole: aws.String(explicitRole),
		ParentInitiatedEventId: 5, ParentWorkflowExecution: parent, TagList: []string{"red", "blue"},
		TaskPriority: aws.String("7"), TaskStartToCloseTimeout: aws.String("45"),
	})
	chEqual(t, "explicit child's decision task", ch[1].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(chList("explicit"))}, StartToCloseTimeout: aws.String("45"), TaskPriority: aws.String("7"),
	})
	ch = f.chHistory(defaultsRun, chStarted, chDTS)
	chEqual(t, "defaults child's start", ch[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, TaskList: &types.TaskList{Name: aws.String(chKidList)}, WorkflowType: workflowType("kid", "1"),
		ExecutionStartToCloseTimeout: aws.String("1800"), LambdaRole: aws.String(chKidRole),
		ParentInitiatedEventId: 6, ParentWorkflowExecution: parent, TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})

	pd := f.describe(parent)
	if oc := pd.OpenCounts; oc.OpenChildWorkflowExecutions != 2 || oc.OpenDecisionTasks != 1 || pd.ExecutionInfo.Parent != nil {
		t.Fatalf("parent: open counts %+v, parent %v", oc, pd.ExecutionInfo.Parent)
	}
	cd := f.describe(explicitRun)
	chEqual(t, "explicit child's parent", cd.ExecutionInfo.Parent, parent)
	chEqual(t, "explicit child's configuration", cd.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyRequestCancel, ExecutionStartToCloseTimeout: aws.String("900"), TaskList: &types.TaskList{Name: aws.String(chList("explicit"))},
		TaskStartToCloseTimeout: aws.String("45"), LambdaRole: aws.String(explicitRole), TaskPriority: aws.String("7"),
	})
	if info := cd.ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen || !slices.Equal(info.TagList, []string{"red", "blue"}) || cd.OpenCounts.OpenDecisionTasks != 1 {
		t.Fatalf("explicit child: %+v, open counts %+v", info, cd.OpenCounts)
	}
	dd := f.describe(defaultsRun)
	chEqual(t, "defaults child's parent", dd.ExecutionInfo.Parent, parent)
	chEqual(t, "defaults child's configuration", dd.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyAbandon, ExecutionStartToCloseTimeout: aws.String("1800"), TaskList: &types.TaskList{Name: aws.String(chKidList)},
		TaskStartToCloseTimeout: aws.String("20"), LambdaRole: aws.String(chKidRole), TaskPriority: aws.String("3"),
	})

	tagged, err := f.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{
		Domain: f.domain, StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, TagFilter: &types.TagFilter{Tag: aws.String("blue")},
	})
	must(t, err)
	if len(tagged.ExecutionInfos) != 1 || aws.ToString(tagged.ExecutionInfos[0].Execution.RunId) != aws.ToString(explicitRun.RunId) {
		t.Fatalf("open runs tagged blue: %+v", tagged.ExecutionInfos)
	}

	// Each child's decision task waits on its own list.
	if n := f.chPending(chKidList); n != 1 {
		t.Fatalf("%d decision tasks on %s, want 1", n, chKidList)
	}
	task := f.chPoll(chList("explicit"))
	chEqual(t, "explicit child's task", task.WorkflowExecution, explicitRun)
	chEqual(t, "explicit child's task type", task.WorkflowType, workflowType("kid", "1"))
	f.decide(task.TaskToken, completeWorkflow("explicit done"))
	if n := f.chOpenChildren(parent); n != 1 {
		t.Fatalf("%d open children after one completed, want 1", n)
	}
}

// Each way a child closes reaches the parent as its own event, with a
// decision task.
func TestChildCloseReportedToParent(t *testing.T) {
	t.Parallel()
	kidType := workflowType("kid", "1")
	cases := []struct {
		name   string
		close  func(f *fixture, kid *types.WorkflowExecution)
		event  types.EventType
		attrs  func(e types.HistoryEvent) any
		want   func(kid *types.WorkflowExecution) any
		status types.CloseStatus
	}{
		{
			name: "completed",
			close: func(f *fixture, kid *types.WorkflowExecution) {
				f.chAnswer(chList("kid"), completeWorkflow("kid result"))
			},
			event: types.EventTypeChildWorkflowExecutionCompleted,
			attrs: func(e types.HistoryEvent) any { return e.ChildWorkflowExecutionCompletedEventAttributes },
			want: func(kid *types.WorkflowExecution) any {
				return &types.ChildWorkflowExecutionCompletedEventAttributes{InitiatedEventId: 5, StartedEventId: 6, WorkflowExecution: kid, WorkflowType: kidType, Result: aws.String("kid result")}
			},
			status: types.CloseStatusCompleted,
		},
		{
			name: "failed",
			close: func(f *fixture, kid *types.WorkflowExecution) {
				f.chAnswer(chList("kid"), chFailWorkflow("kid reason", "kid details"))
			},
			event: types.EventTypeChildWorkflowExecutionFailed,
			attrs: func(e types.HistoryEvent) any { return e.ChildWorkflowExecutionFailedEventAttributes },
			want: func(kid *types.WorkflowExecution) any {
				return &types.ChildWorkflowExecutionFailedEventAttributes{InitiatedEventId: 5, StartedEventId: 6, WorkflowExecution: kid, WorkflowType: kidType, Details: aws.String("kid details"), Reason: aws.String("kid reason")}
			},
			status: types.CloseStatusFailed,
		},
		{
			name: "canceled",
			close: func(f *fixture, kid *types.WorkflowExecution) {
				f.chAnswer(chList("kid"), chCancelWorkflow("kid details"))
			},
			event: types.EventTypeChildWorkflowExecutionCanceled,
			attrs: func(e types.HistoryEvent) any { return e.ChildWorkflowExecutionCanceledEventAttributes },
			want: func(kid *types.WorkflowExecution) any {
				return &types.ChildWorkflowExecutionCanceledEventAttributes{InitiatedEventId: 5, StartedEventId: 6, WorkflowExecution: kid, WorkflowType: kidType, Details: aws.String("kid details")}
			},
			status: types.CloseStatusCanceled,
		},
		{
			name: "timed out",
			close: func(f *fixture, kid *types.WorkflowExecution) {
				f.advance(119 * time.Second)
				f.chWantStatus(kid, types.ExecutionStatusOpen, "")
				f.advance(time.Second)
			},
			event: types.EventTypeChildWorkflowExecutionTimedOut,
			attrs: func(e types.HistoryEvent) any { return e.ChildWorkflowExecutionTimedOutEventAttributes },
			want: func(kid *types.WorkflowExecution) any {
				return &types.ChildWorkflowExecutionTimedOutEventAttributes{InitiatedEventId: 5, StartedEventId: 6, TimeoutType: types.WorkflowExecutionTimeoutTypeStartToClose, WorkflowExecution: kid, WorkflowType: kidType}
			},
			status: types.CloseStatusTimedOut,
		},
		{
			name:  "terminated",
			close: func(f *fixture, kid *types.WorkflowExecution) { f.chTerminate(kid, "") },
			event: types.EventTypeChildWorkflowExecutionTerminated,
			attrs: func(e types.HistoryEvent) any { return e.ChildWorkflowExecutionTerminatedEventAttributes },
			want: func(kid *types.WorkflowExecution) any {
				return &types.ChildWorkflowExecutionTerminatedEventAttributes{InitiatedEventId: 5, StartedEventId: 6, WorkflowExecution: kid, WorkflowType: kidType}
			},
			status: types.CloseStatusTerminated,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := chNewFixture(t)
			parent, kids := f.chParent("parent", types.ChildPolicyTerminate, "", chStartChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
				a.ExecutionStartToCloseTimeout = aws.String("120")
			}))
			kid := kids[0]
			f.chAnswer(chList("parent"))
			tc.close(f, kid)
			f.chWantStatus(kid, types.ExecutionStatusClosed, tc.status)
			h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chKidStarted, chDTS, chDTSt, chDTC, tc.event, chDTS)
			chEqual(t, string(tc.event), tc.attrs(h[9]), tc.want(kid))
			if n := f.chOpenChildren(parent); n != 0 {
				t.Fatalf("%d open children, want 0", n)
			}
			d := f.chPoll(chList("parent"))
			if d.PreviousStartedEventId != 8 || d.StartedEventId != 12 || d.Events[9].EventType != tc.event {
				t.Fatalf("parent's decision task: previous %d started %d events %v", d.PreviousStartedEventId, d.StartedEventId, chTypes(d.Events))
			}
		})
	}
}

// A child that closes after its parent closed (ABANDON) records nothing in
// the parent.
func TestChildCloseAfterParentClosed(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyAbandon, "",
		chStartChild("done"), chStartChild("failed"), chStartChild("canceled"), chStartChild("ended"),
		chStartChild("late", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout = aws.String("120")
		}))
	f.chAnswer(chList("parent"), completeWorkflow("parent done"))
	before := f.chTail(parent, chCompleted)
	n := before[0].EventId
	for _, kid := range kids {
		f.chWantStatus(kid, types.ExecutionStatusOpen, "")
	}

	f.chAnswer(chList("done"), completeWorkflow("r"))
	f.chAnswer(chList("failed"), chFailWorkflow("why", "how"))
	f.chAnswer(chList("canceled"), chCancelWorkflow("so"))
	f.chTerminate(kids[3], "")
	f.advance(120 * time.Second)
	for i, want := range []types.CloseStatus{types.CloseStatusCompleted, types.CloseStatusFailed, types.CloseStatusCanceled, types.CloseStatusTerminated, types.CloseStatusTimedOut} {
		f.chWantStatus(kids[i], types.ExecutionStatusClosed, want)
	}
	if h := f.history(parent); int64(len(h)) != n || h[n-1].EventType != chCompleted {
		t.Fatalf("closed parent's history changed: %v", chTypes(h))
	}
	if p := f.chPending(chList("parent")); p != 0 {
		t.Fatalf("%d decision tasks for the closed parent", p)
	}
}

// A child outlives its abandoning parent's purge: its close has nobody to
// tell, and still succeeds.
func TestChildOutlivesPurgedParent(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyAbandon, "", chStartChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("200000")
	}))
	f.chAnswer(chList("parent"), completeWorkflow("done"))
	f.advance(24*time.Hour + time.Second)
	_, err := f.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: f.domain, Execution: parent})
	wantFault[*types.UnknownResourceFault](t, err)
	f.chAnswer(chList("kid"), completeWorkflow("alone"))
	f.chWantStatus(kids[0], types.ExecutionStatusClosed, types.CloseStatusCompleted)
	chEqual(t, "kid's parent", f.describe(kids[0]).ExecutionInfo.Parent, parent)
}

// Causes found before the child is initiated fail it with
// initiatedEventId 0, each followed by a decision task.
func TestChildStartFailedStaticCauses(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	f.chRegister("bare", "1")
	f.chRegister("old", "1", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("old")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("60")
		in.DefaultTaskStartToCloseTimeout = aws.String("10")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
	})
	f.chDeprecate("old", "1")
	parent := f.start("parent")

	typ := func(name, version string) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
		return func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
			a.WorkflowType = workflowType(name, version)
		}
	}
	noList := func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.TaskList = nil }
	timeout := func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("60")
	}
	taskTimeout := func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.TaskStartToCloseTimeout = aws.String("10")
	}
	cases := []struct {
		name     string
		decision types.Decision
		cause    types.StartChildWorkflowExecutionFailedCause
	}{
		{"unknown version", chStartChild("c", typ("kid", "2")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"unknown name", chStartChild("c", typ("nobody", "1")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"deprecated", chStartChild("c", typ("old", "1")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDeprecated},
		{"no execution timeout", chStartChild("c", typ("bare", "1"), noList), types.StartChildWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined},
		{"no task list", chStartChild("c", typ("bare", "1"), noList, timeout), types.StartChildWorkflowExecutionFailedCauseDefaultTaskListUndefined},
		{"no task timeout", chStartChild("c", typ("bare", "1"), timeout), types.StartChildWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined},
		{"no child policy", chStartChild("c", typ("bare", "1"), timeout, taskTimeout), types.StartChildWorkflowExecutionFailedCauseDefaultChildPolicyUndefined},
	}
	d := f.decision()
	for i, tc := range cases {
		a := tc.decision.StartChildWorkflowExecutionDecisionAttributes
		a.Control = aws.String(fmt.Sprintf("control %d", i))
		f.decide(d.TaskToken, tc.decision)
		tail := f.chTail(parent, chDTC, chStartFailed, chDTS)
		chEqual(t, tc.name, tail[1].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
			Cause: tc.cause, DecisionTaskCompletedEventId: tail[0].EventId, InitiatedEventId: 0,
			WorkflowId: aws.String("c"), WorkflowType: a.WorkflowType, Control: a.Control,
		})
		if n := f.chOpenChildren(parent); n != 0 {
			t.Fatalf("%s: %d open children", tc.name, n)
		}
		d = f.decision()
		if got := d.Events[len(d.Events)-3].StartChildWorkflowExecutionFailedEventAttributes; got == nil || got.Cause != tc.cause {
			t.Fatalf("%s: the decider does not see the failure: %v", tc.name, chTypes(d.Events))
		}
	}
	if runs := f.chRuns(true, "c"); len(runs) != 0 {
		t.Fatalf("a child run was started: %+v", runs)
	}

	// With everything given, the bare type starts.
	f.decide(d.TaskToken, chStartChild("c", typ("bare", "1"), timeout, taskTimeout, chOwnPolicy(types.ChildPolicyTerminate)))
	tail := f.chTail(parent, chDTC, chInit, chKidStarted, chDTS)
	if a := tail[2].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != tail[1].EventId || aws.ToString(a.WorkflowType.Name) != "bare" {
		t.Fatalf("child started: %+v", a)
	}
}

// A workflowId that an open run of the domain has (another run or the
// parent itself) is initiated, then fails WORKFLOW_ALREADY_RUNNING.
func TestChildStartFailedWorkflowAlreadyRunning(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	busy := f.start("busy", func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String("busy-list")}
	})
	parent := f.start("parent")
	d := f.decision()
	f.decide(d.TaskToken, chStartChild("busy", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("c-busy") }))
	h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS)
	chEqual(t, "failed for busy", h[5].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning, DecisionTaskCompletedEventId: 4, InitiatedEventId: 5,
		WorkflowId: aws.String("busy"), WorkflowType: workflowType("kid", "1"), Control: aws.String("c-busy"),
	})
	if n := f.chOpenChildren(parent); n != 0 {
		t.Fatalf("%d open children", n)
	}

	d = f.decision()
	f.decide(d.TaskToken, chStartChild("parent", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("c-self") }))
	h = f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS)
	chEqual(t, "failed for its own workflowId", h[10].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning, DecisionTaskCompletedEventId: 9, InitiatedEventId: 10,
		WorkflowId: aws.String("parent"), WorkflowType: workflowType("kid", "1"), Control: aws.String("c-self"),
	})
	f.chHistory(busy, chStarted, chDTS)
	if runs := f.chRuns(true, "parent"); len(runs) != 1 {
		t.Fatalf("open runs of parent: %+v", runs)
	}

	// Once busy has closed, its workflowId may name a child.
	f.chTerminate(busy, "")
	d = f.decision()
	f.decide(d.TaskToken, chStartChild("busy"))
	tail := f.chTail(parent, chDTC, chInit, chKidStarted, chDTS)
	kid := tail[2].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	if aws.ToString(kid.RunId) == aws.ToString(busy.RunId) {
		t.Fatal("the child has the closed run's runId")
	}
	chEqual(t, "new busy's parent", f.describe(kid).ExecutionInfo.Parent, parent)
}

// OPEN_CHILDREN_LIMIT_EXCEEDED at its boundary: the limit-th child starts,
// the next is refused without being initiated; a child that closes makes
// room for one more.
func TestChildOpenChildrenLimit(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenChildren = 2 }))
	parent := f.start("parent")
	d := f.decision()
	ctl := func(s string) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
		return func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String(s) }
	}
	f.decide(d.TaskToken, chStartChild("c1"), chStartChild("c2"), chStartChild("c3", ctl("control 3")))
	h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chStartFailed, chDTS, chKidStarted, chKidStarted)
	chEqual(t, "third child", h[6].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded, DecisionTaskCompletedEventId: 4, InitiatedEventId: 0,
		WorkflowId: aws.String("c3"), WorkflowType: workflowType("kid", "1"), Control: aws.String("control 3"),
	})
	if a, b := h[8].ChildWorkflowExecutionStartedEventAttributes, h[9].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != 5 || b.InitiatedEventId != 6 {
		t.Fatalf("children started from %d and %d", a.InitiatedEventId, b.InitiatedEventId)
	}
	if n := f.chOpenChildren(parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
	if runs := f.chRuns(true, "c3"); len(runs) != 0 {
		t.Fatalf("c3 was started: %+v", runs)
	}

	f.chAnswer(chList("c1"), completeWorkflow("c1 done"))
	f.chTail(parent, chDTS, chKidStarted, chKidStarted, chKidCompleted)
	d = f.decision()
	f.decide(d.TaskToken, chStartChild("c4"), chStartChild("c5", ctl("control 5")))
	tail := f.chTail(parent, chDTC, chInit, chStartFailed, chDTS, chKidStarted)
	chEqual(t, "fifth child", tail[2].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded, DecisionTaskCompletedEventId: tail[0].EventId, InitiatedEventId: 0,
		WorkflowId: aws.String("c5"), WorkflowType: workflowType("kid", "1"), Control: aws.String("control 5"),
	})
	if a := tail[4].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != tail[1].EventId || aws.ToString(a.WorkflowExecution.WorkflowId) != "c4" {
		t.Fatalf("c4 started: %+v", a)
	}
	if n := f.chOpenChildren(parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
}

// A domain at its limit of open runs refuses a child after initiating it.
func TestChildOpenWorkflowsLimit(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 2 }))
	parent := f.start("parent")
	d := f.decision()
	f.decide(d.TaskToken, chStartChild("c1"), chStartChild("c2", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("control 2") }))
	h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chKidStarted, chDTS, chStartFailed)
	if a := h[6].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != 5 || aws.ToString(a.WorkflowExecution.WorkflowId) != "c1" {
		t.Fatalf("c1 started: %+v", a)
	}
	chEqual(t, "second child", h[8].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenWorkflowsLimitExceeded, DecisionTaskCompletedEventId: 4, InitiatedEventId: 6,
		WorkflowId: aws.String("c2"), WorkflowType: workflowType("kid", "1"), Control: aws.String("control 2"),
	})
	if n := f.chOpenChildren(parent); n != 1 {
		t.Fatalf("%d open children, want 1", n)
	}
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("other"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)

	// c1 closes: there is room for c2.
	f.chAnswer(chList("c1"), completeWorkflow(""))
	f.chTail(parent, chDTS, chStartFailed, chKidCompleted)
	d = f.decision()
	f.decide(d.TaskToken, chStartChild("c2"))
	f.chTail(parent, chDTC, chInit, chKidStarted, chDTS)
}

// chOtherPolicy is a policy that is not p.
func chOtherPolicy(p types.ChildPolicy) types.ChildPolicy {
	if p == types.ChildPolicyAbandon {
		return types.ChildPolicyTerminate
	}
	return types.ChildPolicyAbandon
}

// The parent's child policy reaches its open children when it is
// terminated or times out, in the transaction that closes it, and only
// then: children outlive a parent that completes, fails, is canceled or
// continues as new (the API reference's childPolicy: "if this workflow
// execution is terminated, by calling the TerminateWorkflowExecution action
// explicitly or due to an expired timeout").
func TestChildPolicyOnParentClose(t *testing.T) {
	t.Parallel()
	byDecision := func(d types.Decision) func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy) {
		return func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy) {
			f.chAnswer(chList("parent"), d)
		}
	}
	closes := []struct {
		name string
		// policy is the parent run's own, given what is to be applied.
		policy func(p types.ChildPolicy) types.ChildPolicy
		close  func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy)
		// tail is what the parent records after its ChildStarted and
		// DecisionTaskScheduled.
		tail   []types.EventType
		status types.CloseStatus
		// closing is the closing event's attributes, if they name the policy.
		closing func(e types.HistoryEvent) any
		want    func(p types.ChildPolicy) any
		// applies says whether this way of closing applies the policy.
		applies bool
	}{
		{name: "complete", close: byDecision(completeWorkflow("done")), tail: []types.EventType{chDTSt, chDTC, chCompleted}, status: types.CloseStatusCompleted},
		{name: "fail", close: byDecision(chFailWorkflow("r", "d")), tail: []types.EventType{chDTSt, chDTC, types.EventTypeWorkflowExecutionFailed}, status: types.CloseStatusFailed},
		{name: "cancel", close: byDecision(chCancelWorkflow("d")), tail: []types.EventType{chDTSt, chDTC, types.EventTypeWorkflowExecutionCanceled}, status: types.CloseStatusCanceled},
		{name: "continue as new", close: byDecision(chContinue()), tail: []types.EventType{chDTSt, chDTC, chContinued}, status: types.CloseStatusContinuedAsNew},
		{
			name:    "terminate",
			close:   func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy) { f.chTerminate(parent, "") },
			tail:    []types.EventType{chTerminated},
			status:  types.CloseStatusTerminated,
			applies: true,
			closing: func(e types.HistoryEvent) any { return e.WorkflowExecutionTerminatedEventAttributes },
			want: func(p types.ChildPolicy) any {
				return &types.WorkflowExecutionTerminatedEventAttributes{ChildPolicy: p, Details: aws.String("operator"), Reason: aws.String("stop"), Cause: types.WorkflowExecutionTerminatedCauseOperatorInitiated}
			},
		},
		{
			name:    "terminate with a child policy",
			policy:  chOtherPolicy,
			close:   func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy) { f.chTerminate(parent, p) },
			tail:    []types.EventType{chTerminated},
			status:  types.CloseStatusTerminated,
			applies: true,
			closing: func(e types.HistoryEvent) any { return e.WorkflowExecutionTerminatedEventAttributes },
			want: func(p types.ChildPolicy) any {
				return &types.WorkflowExecutionTerminatedEventAttributes{ChildPolicy: p, Details: aws.String("operator"), Reason: aws.String("stop"), Cause: types.WorkflowExecutionTerminatedCauseOperatorInitiated}
			},
		},
		{
			name: "time out",
			close: func(f *fixture, parent *types.WorkflowExecution, p types.ChildPolicy) {
				f.advance(99 * time.Second)
				f.chWantStatus(parent, types.ExecutionStatusOpen, "")
				f.advance(time.Second)
			},
			tail:    []types.EventType{chWorkflowTimed},
			status:  types.CloseStatusTimedOut,
			applies: true,
			closing: func(e types.HistoryEvent) any { return e.WorkflowExecutionTimedOutEventAttributes },
			want: func(p types.ChildPolicy) any {
				return &types.WorkflowExecutionTimedOutEventAttributes{ChildPolicy: p, TimeoutType: types.WorkflowExecutionTimeoutTypeStartToClose}
			},
		},
	}
	for _, cl := range closes {
		for _, p := range []types.ChildPolicy{types.ChildPolicyTerminate, types.ChildPolicyRequestCancel, types.ChildPolicyAbandon} {
			t.Run(cl.name+"/"+string(p), func(t *testing.T) {
				t.Parallel()
				f := chNewFixture(t)
				own := p
				if cl.policy != nil {
					own = cl.policy(p)
				}
				// The child's own policy is ABANDON (kid's default), never
				// the one applied to it.
				parent, kids := f.chParent("parent", own, "100", chStartChild("kid"))
				kid := kids[0]
				f.chAnswer(chList("kid"))
				f.chHistory(kid, chStarted, chDTS, chDTSt, chDTC)

				cl.close(f, parent, p)
				want := append([]types.EventType{chStarted, chDTS, chDTSt, chDTC, chInit, chKidStarted, chDTS}, cl.tail...)
				h := f.chHistory(parent, want...)
				f.chWantStatus(parent, types.ExecutionStatusClosed, cl.status)
				if cl.closing != nil {
					chEqual(t, "closing event", cl.closing(h[len(h)-1]), cl.want(p))
				}
				if n := f.chOpenChildren(parent); n != 0 {
					t.Fatalf("closed parent has %d open children", n)
				}
				if cl.status == types.CloseStatusContinuedAsNew {
					next := chExec("parent", h[len(h)-1].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
					f.chHistory(next, chStarted, chDTS)
					if n := f.chOpenChildren(next); n != 0 {
						t.Fatalf("the new run has %d open children", n)
					}
				}

				// Right after the parent closed, the policy has been applied
				// if this way of closing applies it; otherwise the child is
				// left as ABANDON would leave it.
				applied := types.ChildPolicyAbandon
				if cl.applies {
					applied = p
				}
				kh := f.history(kid)
				switch applied {
				case types.ChildPolicyTerminate:
					f.chHistory(kid, chStarted, chDTS, chDTSt, chDTC, chTerminated)
					chEqual(t, "child terminated", kh[4].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
						ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
					})
					f.chWantStatus(kid, types.ExecutionStatusClosed, types.CloseStatusTerminated)
					if n := f.chPending(chList("kid")); n != 0 {
						t.Fatalf("terminated child has %d decision tasks", n)
					}
				case types.ChildPolicyRequestCancel:
					f.chHistory(kid, chStarted, chDTS, chDTSt, chDTC, chCancelReq, chDTS)
					chEqual(t, "cancel requested", kh[4].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
						Cause: types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied,
					})
					f.chWantStatus(kid, types.ExecutionStatusOpen, "")
					if info := f.describe(kid).ExecutionInfo; !info.CancelRequested {
						t.Fatal("child not marked cancelRequested")
					}
					d := f.chPoll(chList("kid"))
					if d.Events[4].EventType != chCancelReq {
						t.Fatalf("child's decider sees %v", chTypes(d.Events))
					}
					f.decide(d.TaskToken, chCancelWorkflow("as asked"))
					f.chWantStatus(kid, types.ExecutionStatusClosed, types.CloseStatusCanceled)
				case types.ChildPolicyAbandon:
					f.chHistory(kid, chStarted, chDTS, chDTSt, chDTC)
					f.chWantStatus(kid, types.ExecutionStatusOpen, "")
					if f.describe(kid).ExecutionInfo.CancelRequested {
						t.Fatal("abandoned child marked cancelRequested")
					}
					if n := f.chPending(chList("kid")); n != 0 {
						t.Fatalf("abandoned child has %d decision tasks", n)
					}
				}
				chEqual(t, "child's parent", f.describe(kid).ExecutionInfo.Parent, parent)
				// The closed parent records nothing of what became of it.
				f.chHistory(parent, want...)
			})
		}
	}
}

// TERMINATE reaches grandchildren through each child's own policy.
func TestChildPolicyRecursion(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyTerminate, "",
		chStartChild("kid", chOwnPolicy(types.ChildPolicyTerminate)),
		chStartChild("kid2", chOwnPolicy(types.ChildPolicyRequestCancel)))
	f.chAnswer(chList("kid"), chStartChild("grandkid", chOwnPolicy(types.ChildPolicyTerminate)))
	f.chAnswer(chList("kid2"), chStartChild("grandkid2"))
	grandkid := f.chTail(kids[0], chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	grandkid2 := f.chTail(kids[1], chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	f.chAnswer(chList("grandkid"), chStartChild("greatgrandkid", chOwnPolicy(types.ChildPolicyAbandon)))
	greatgrandkid := f.chTail(grandkid, chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	f.chAnswer(chList("greatgrandkid"), chStartChild("greatgreatgrandkid"))
	ggg := f.chTail(greatgrandkid, chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution

	f.chTerminate(parent, "")
	terminated := func(ex *types.WorkflowExecution, own types.ChildPolicy) {
		t.Helper()
		f.chWantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusTerminated)
		chEqual(t, aws.ToString(ex.WorkflowId)+" terminated", f.chTail(ex, chTerminated)[0].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
			ChildPolicy: own, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
		})
	}
	terminated(kids[0], types.ChildPolicyTerminate)
	terminated(grandkid, types.ChildPolicyTerminate)
	terminated(greatgrandkid, types.ChildPolicyAbandon)
	terminated(kids[1], types.ChildPolicyRequestCancel)
	// kid2's REQUEST_CANCEL asks grandkid2 to cancel; greatgrandkid's
	// ABANDON leaves its child alone.
	f.chWantStatus(grandkid2, types.ExecutionStatusOpen, "")
	chEqual(t, "grandkid2 asked to cancel", f.chTail(grandkid2, chCancelReq)[0].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		Cause: types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied,
	})
	f.chWantStatus(ggg, types.ExecutionStatusOpen, "")
	f.chHistory(ggg, chStarted, chDTS)
	// The terminated children record nothing of their own children's end.
	f.chTail(kids[0], chKidStarted, chDTS, chTerminated)
	f.chTail(grandkid, chKidStarted, chDTS, chTerminated)
}

// A child started by the decision list that completes the parent is
// started and keeps running, whatever the parent's child policy.
func TestChildStartedByClosingDecision(t *testing.T) {
	t.Parallel()
	for _, p := range []types.ChildPolicy{types.ChildPolicyTerminate, types.ChildPolicyRequestCancel, types.ChildPolicyAbandon} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			f := chNewFixture(t)
			parent := f.start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = p })
			d := f.decision()
			f.decide(d.TaskToken, chStartChild("kid"), completeWorkflow("done"))
			f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chCompleted)
			runs := f.chRuns(true, "kid")
			if len(runs) != 1 {
				t.Fatalf("runs of kid: %+v", runs)
			}
			kid := runs[0].Execution
			chEqual(t, "kid's parent", runs[0].Parent, parent)
			f.chHistory(kid, chStarted, chDTS)
			f.chWantStatus(kid, types.ExecutionStatusOpen, "")
		})
	}
}

// The decisions that continue a run as new cannot give its workflowId to
// a child: the workflowId is the continuation's.
func TestChildOwnWorkflowIDWhenContinuingAsNew(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent := f.start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = types.ChildPolicyAbandon })
	d := f.decision()
	f.decide(d.TaskToken, chStartChild("parent"), chContinue())
	h := f.chHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chContinued)
	open := f.chRuns(true, "parent")
	if len(open) != 1 || aws.ToString(open[0].Execution.RunId) != aws.ToString(h[5].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId) || open[0].Parent != nil {
		t.Fatalf("open runs of parent: %+v", open)
	}
	if closed := f.chRuns(false, "parent"); len(closed) != 1 || closed[0].CloseStatus != types.CloseStatusContinuedAsNew {
		t.Fatalf("closed runs of parent: %+v", closed)
	}
}

// A terminated parent's policy reaches each open child once, even when
// later decisions named it again in a StartChildWorkflowExecution (which
// fails: it is running).
func TestChildPolicyAppliedOnce(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyRequestCancel, "", chStartChild("kid"))
	f.chAnswer(chList("parent"), chStartChild("kid"), chStartChild("kid"))
	f.chTerminate(parent, "")
	f.chTail(parent, chTerminated)
	f.chHistory(kids[0], chStarted, chDTS, chCancelReq)
	if runs := f.chRuns(true, "kid"); len(runs) != 1 {
		t.Fatalf("open runs of kid: %+v", runs)
	}
}

// Children outlive a restart of the server: they close and the parent
// hears of it; their timeouts still fire.
func TestChildSurvivesRestart(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyTerminate, "",
		chStartChild("kid"),
		chStartChild("slow", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout = aws.String("300")
		}))
	f.chAnswer(chList("parent"))
	f.restart()

	f.chAnswer(chList("kid"), completeWorkflow("after restart"))
	h := f.chTail(parent, chKidCompleted, chDTS)
	chEqual(t, "completed", h[0].ChildWorkflowExecutionCompletedEventAttributes, &types.ChildWorkflowExecutionCompletedEventAttributes{
		InitiatedEventId: 5, StartedEventId: 7, WorkflowExecution: kids[0], WorkflowType: workflowType("kid", "1"), Result: aws.String("after restart"),
	})
	f.chAnswer(chList("parent"))
	f.restart()
	f.advance(300 * time.Second)
	h = f.chTail(parent, chDTSt, chDTC, types.EventTypeChildWorkflowExecutionTimedOut, chDTS)
	chEqual(t, "timed out", h[2].ChildWorkflowExecutionTimedOutEventAttributes, &types.ChildWorkflowExecutionTimedOutEventAttributes{
		InitiatedEventId: 6, StartedEventId: 9, TimeoutType: types.WorkflowExecutionTimeoutTypeStartToClose, WorkflowExecution: kids[1], WorkflowType: workflowType("kid", "1"),
	})
	if n := f.chOpenChildren(parent); n != 0 {
		t.Fatalf("%d open children", n)
	}
}

// A parent's TERMINATE policy reaches children started before a restart,
// whether the parent is terminated or times out.
func TestChildPolicyAfterRestart(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	p1, kids1 := f.chParent("p1", types.ChildPolicyTerminate, "", chStartChild("k1"))
	p2, kids2 := f.chParent("p2", types.ChildPolicyTerminate, "100", chStartChild("k2"))
	f.restart()
	f.chTerminate(p1, "")
	f.chWantStatus(kids1[0], types.ExecutionStatusClosed, types.CloseStatusTerminated)
	f.chHistory(kids1[0], chStarted, chDTS, chTerminated)
	f.restart()
	f.advance(100 * time.Second)
	f.chWantStatus(p2, types.ExecutionStatusClosed, types.CloseStatusTimedOut)
	f.chWantStatus(kids2[0], types.ExecutionStatusClosed, types.CloseStatusTerminated)
	chEqual(t, "k2 terminated", f.chTail(kids2[0], chTerminated)[0].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
	})
}

// ContinueAsNew without attributes: the new run takes its configuration
// from the type's defaults, not from the run it continues.
func TestContinueAsNewDefaults(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	old := f.start("loop", func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String("first-list")}
		in.ExecutionStartToCloseTimeout = aws.String("500")
		in.TaskStartToCloseTimeout = aws.String("50")
		in.ChildPolicy = types.ChildPolicyAbandon
		in.TaskPriority = aws.String("5")
		in.TagList = []string{"gen-1"}
		in.LambdaRole = aws.String("arn:aws:iam::123456789012:role/first")
	})
	f.chAnswer("first-list", chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("gen 2") }))

	h := f.chHistory(old, chStarted, chDTS, chDTSt, chDTC, chContinued)
	cont := h[4].WorkflowExecutionContinuedAsNewEventAttributes
	runID := aws.ToString(cont.NewExecutionRunId)
	if runID == "" || runID == aws.ToString(old.RunId) {
		t.Fatalf("newExecutionRunId %q", runID)
	}
	chEqual(t, "continued as new", cont, &types.WorkflowExecutionContinuedAsNewEventAttributes{
		ChildPolicy: types.ChildPolicyTerminate, DecisionTaskCompletedEventId: 4, NewExecutionRunId: aws.String(runID),
		TaskList: &types.TaskList{Name: aws.String(deciderList)}, WorkflowType: workflowType("order", "1"),
		ExecutionStartToCloseTimeout: aws.String("3600"), Input: aws.String("gen 2"), TaskPriority: aws.String("0"), TaskStartToCloseTimeout: aws.String("30"),
	})
	f.chWantStatus(old, types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)

	next := chExec("loop", aws.String(runID))
	nh := f.chHistory(next, chStarted, chDTS)
	chEqual(t, "new run started", nh[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyTerminate, TaskList: &types.TaskList{Name: aws.String(deciderList)}, WorkflowType: workflowType("order", "1"),
		ContinuedExecutionRunId: old.RunId, ExecutionStartToCloseTimeout: aws.String("3600"), Input: aws.String("gen 2"),
		TaskPriority: aws.String("0"), TaskStartToCloseTimeout: aws.String("30"),
	})
	chEqual(t, "new run's decision task", nh[1].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(deciderList)}, StartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})
	desc := f.describe(next)
	chEqual(t, "new run's configuration", desc.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyTerminate, ExecutionStartToCloseTimeout: aws.String("3600"), TaskList: &types.TaskList{Name: aws.String(deciderList)},
		TaskStartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})
	if info := desc.ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen || len(info.TagList) != 0 || info.Parent != nil {
		t.Fatalf("new run: %+v", info)
	}
	if n := f.chPending("first-list"); n != 0 {
		t.Fatalf("%d tasks left on the old run's list", n)
	}

	open, closed := f.chRuns(true, "loop"), f.chRuns(false, "loop")
	if len(open) != 1 || aws.ToString(open[0].Execution.RunId) != runID || open[0].ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("open runs of loop: %+v", open)
	}
	if len(closed) != 1 || aws.ToString(closed[0].Execution.RunId) != aws.ToString(old.RunId) || closed[0].CloseStatus != types.CloseStatusContinuedAsNew ||
		!slices.Equal(closed[0].TagList, []string{"gen-1"}) {
		t.Fatalf("closed runs of loop: %+v", closed)
	}

	// The old run's timeout went with it.
	f.advance(500 * time.Second)
	f.chWantStatus(next, types.ExecutionStatusOpen, "")
	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != runID || d.PreviousStartedEventId != 0 || d.Events[0].EventType != chStarted {
		t.Fatalf("new run's decision task: %+v", d)
	}
	f.decide(d.TaskToken, completeWorkflow("end"))
	if closed := f.chRuns(false, "loop"); len(closed) != 2 {
		t.Fatalf("closed runs of loop: %+v", closed)
	}
}

// ContinueAsNew replaces one open run by another: a domain at its limit of
// open runs continues.
func TestContinueAsNewAtOpenLimit(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 1 }))
	ex := f.start("loop")
	f.chAnswer(deciderList, chContinue())
	f.chTail(ex, chDTC, chContinued)
	if open := f.chRuns(true, "loop"); len(open) != 1 {
		t.Fatalf("open runs: %+v", open)
	}
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("other"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
}

// ContinueAsNew attributes configure the new run; workflowTypeVersion
// switches to another version of the type, with its defaults.
func TestContinueAsNewAttributesAndVersion(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	f.chRegister("order", "2", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("v2-list")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("1200")
		in.DefaultTaskStartToCloseTimeout = aws.String("12")
		in.DefaultChildPolicy = types.ChildPolicyRequestCancel
		in.DefaultTaskPriority = aws.String("2")
		in.DefaultLambdaRole = aws.String("arn:aws:iam::123456789012:role/v2")
	})
	first := f.start("loop")
	role := "arn:aws:iam::123456789012:role/second"
	f.chAnswer(deciderList, chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.Input = aws.String("gen 2")
		a.ExecutionStartToCloseTimeout = aws.String("700")
		a.TaskList = &types.TaskList{Name: aws.String("second-list")}
		a.TaskStartToCloseTimeout = aws.String("70")
		a.ChildPolicy = types.ChildPolicyRequestCancel
		a.TaskPriority = aws.String("9")
		a.TagList = []string{"gen-2", "x"}
		a.LambdaRole = aws.String(role)
	}))
	cont := f.chTail(first, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes
	chEqual(t, "continued with attributes", cont, &types.WorkflowExecutionContinuedAsNewEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, DecisionTaskCompletedEventId: 4, NewExecutionRunId: cont.NewExecutionRunId,
		TaskList: &types.TaskList{Name: aws.String("second-list")}, WorkflowType: workflowType("order", "1"),
		ExecutionStartToCloseTimeout: aws.String("700"), Input: aws.String("gen 2"), LambdaRole: aws.String(role),
		TagList: []string{"gen-2", "x"}, TaskPriority: aws.String("9"), TaskStartToCloseTimeout: aws.String("70"),
	})
	second := chExec("loop", cont.NewExecutionRunId)
	chEqual(t, "second run started", f.chHistory(second, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String("second-list")}, WorkflowType: workflowType("order", "1"),
		ContinuedExecutionRunId: first.RunId, ExecutionStartToCloseTimeout: aws.String("700"), Input: aws.String("gen 2"), LambdaRole: aws.String(role),
		TagList: []string{"gen-2", "x"}, TaskPriority: aws.String("9"), TaskStartToCloseTimeout: aws.String("70"),
	})
	if info := f.describe(second).ExecutionInfo; !slices.Equal(info.TagList, []string{"gen-2", "x"}) {
		t.Fatalf("second run's tags %v", info.TagList)
	}

	// On to version 2, with its defaults.
	f.chAnswer("second-list", chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.WorkflowTypeVersion = aws.String("2")
	}))
	cont = f.chTail(second, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes
	if cont.WorkflowType == nil || aws.ToString(cont.WorkflowType.Version) != "2" {
		t.Fatalf("continued to %+v", cont.WorkflowType)
	}
	third := chExec("loop", cont.NewExecutionRunId)
	chEqual(t, "third run started", f.chHistory(third, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String("v2-list")}, WorkflowType: workflowType("order", "2"),
		ContinuedExecutionRunId: second.RunId, ExecutionStartToCloseTimeout: aws.String("1200"), LambdaRole: aws.String("arn:aws:iam::123456789012:role/v2"),
		TaskPriority: aws.String("2"), TaskStartToCloseTimeout: aws.String("12"),
	})
	desc := f.describe(third)
	chEqual(t, "third run's type", desc.ExecutionInfo.WorkflowType, workflowType("order", "2"))
	d := f.chPoll("v2-list")
	chEqual(t, "third run's task type", d.WorkflowType, workflowType("order", "2"))

	// A NONE execution timeout becomes the longest a run may last.
	f.decide(d.TaskToken, chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("NONE")
	}))
	fourth := chExec("loop", f.chTail(third, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	if got := aws.ToString(f.describe(fourth).ExecutionConfiguration.ExecutionStartToCloseTimeout); got != "31536000" {
		t.Fatalf("NONE became %q", got)
	}
	if closed := f.chRuns(false, "loop"); len(closed) != 3 {
		t.Fatalf("closed runs: %+v", closed)
	}
	for _, r := range f.chRuns(false, "loop") {
		if r.CloseStatus != types.CloseStatusContinuedAsNew {
			t.Fatalf("closed run %+v", r)
		}
	}
}

// ContinueAsNew that cannot be carried out fails with a cause, leaves the
// run open and schedules a decision task.
func TestContinueAsNewFailed(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	f.chRegister("bare", "1")
	f.chRegister("bare", "3", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("v3")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("60")
		in.DefaultTaskStartToCloseTimeout = aws.String("10")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
	})
	f.chDeprecate("bare", "3")
	run, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: f.domain, WorkflowId: aws.String("bare"), WorkflowType: workflowType("bare", "1"),
		TaskList: &types.TaskList{Name: aws.String("bare-list")}, ExecutionStartToCloseTimeout: aws.String("3600"),
		TaskStartToCloseTimeout: aws.String("30"), ChildPolicy: types.ChildPolicyTerminate,
	})
	must(t, err)
	ex := chExec("bare", run.RunId)

	version := func(v string) func(*types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		return func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.WorkflowTypeVersion = aws.String(v) }
	}
	timeout := func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("60")
	}
	list := func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String("bare-list")}
	}
	taskTimeout := func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.TaskStartToCloseTimeout = aws.String("10")
	}
	cases := []struct {
		name     string
		decision types.Decision
		cause    types.ContinueAsNewWorkflowExecutionFailedCause
	}{
		{"unknown version", chContinue(version("9")), types.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"deprecated version", chContinue(version("3")), types.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDeprecated},
		{"no execution timeout", chContinue(), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined},
		{"no task list", chContinue(timeout), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskListUndefined},
		{"no task timeout", chContinue(timeout, list), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined},
		{"no child policy", chContinue(timeout, list, taskTimeout), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultChildPolicyUndefined},
	}
	d := f.chPoll("bare-list")
	for _, tc := range cases {
		f.decide(d.TaskToken, tc.decision)
		tail := f.chTail(ex, chDTC, chContinueFail, chDTS)
		chEqual(t, tc.name, tail[1].ContinueAsNewWorkflowExecutionFailedEventAttributes, &types.ContinueAsNewWorkflowExecutionFailedEventAttributes{
			Cause: tc.cause, DecisionTaskCompletedEventId: tail[0].EventId,
		})
		f.chWantStatus(ex, types.ExecutionStatusOpen, "")
		if runs := f.chRuns(true, "bare"); len(runs) != 1 {
			t.Fatalf("%s: open runs %+v", tc.name, runs)
		}
		d = f.chPoll("bare-list")
	}
	// With everything given it continues.
	f.decide(d.TaskToken, chContinue(timeout, list, taskTimeout, func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.ChildPolicy = types.ChildPolicyAbandon
	}))
	f.chTail(ex, chDTC, chContinued)
	f.chWantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)
}

// A signal that came after the decision task started makes ContinueAsNew
// fail UNHANDLED_DECISION.
func TestContinueAsNewUnhandledDecision(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	ex := f.start("loop")
	d := f.decision()
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("loop"), SignalName: aws.String("poke")})
	must(t, err)
	f.decide(d.TaskToken, chContinue())
	h := f.chHistory(ex, chStarted, chDTS, chDTSt, chSignaled, chDTC, chContinueFail, chDTS)
	chEqual(t, "failed", h[5].ContinueAsNewWorkflowExecutionFailedEventAttributes, &types.ContinueAsNewWorkflowExecutionFailedEventAttributes{
		Cause: types.ContinueAsNewWorkflowExecutionFailedCauseUnhandledDecision, DecisionTaskCompletedEventId: 5,
	})
	if runs := f.chRuns(true, "loop"); len(runs) != 1 || aws.ToString(runs[0].Execution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("open runs %+v", runs)
	}
	d = f.decision()
	f.decide(d.TaskToken, chContinue())
	f.chTail(ex, chDTSt, chDTC, chContinued)
}

// ContinueAsNew must be the last decision.
func TestContinueAsNewNotLast(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	ex := f.start("loop")
	d := f.decision()
	marker := types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m")}}
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{chContinue(), marker}})
	wantValidationMessage(t, err, closeNotLast)
	f.chHistory(ex, chStarted, chDTS, chDTSt)
	if runs := f.chRuns(true, "loop"); len(runs) != 1 {
		t.Fatalf("open runs %+v", runs)
	}
	// The task is still the decider's.
	f.decide(d.TaskToken, marker, chContinue())
	f.chHistory(ex, chStarted, chDTS, chDTSt, chDTC, types.EventTypeMarkerRecorded, chContinued)
}

// A child that continues as new stays its parent's child: the parent hears
// only when the last run of the chain closes, and its child policy reaches
// the new run.
func TestContinueAsNewChild(t *testing.T) {
	t.Parallel()
	f := chNewFixture(t)
	parent, kids := f.chParent("parent", types.ChildPolicyTerminate, "", chStartChild("kid"), chStartChild("kid2"))
	f.chAnswer(chList("parent"))
	before := chTypes(f.history(parent))

	f.chAnswer(chList("kid"), chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("kid gen 2") }))
	f.chAnswer(chList("kid2"), chContinue(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String(chList("kid2"))}
	}))
	f.chWantStatus(kids[0], types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)
	if got := chTypes(f.history(parent)); !slices.Equal(got, before) {
		t.Fatalf("parent heard of continue-as-new: %v", got)
	}
	if n := f.chOpenChildren(parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
	kidNext := chExec("kid", f.chTail(kids[0], chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	kid2Next := chExec("kid2", f.chTail(kids[1], chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	chEqual(t, "kid's new run", f.chHistory(kidNext, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, TaskList: &types.TaskList{Name: aws.String(chKidList)}, WorkflowType: workflowType("kid", "1"),
		ContinuedExecutionRunId: kids[0].RunId, ExecutionStartToCloseTimeout: aws.String("1800"), Input: aws.String("kid gen 2"), LambdaRole: aws.String(chKidRole),
		ParentInitiatedEventId: 5, ParentWorkflowExecution: parent, TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})
	chEqual(t, "kid's new run's parent", f.describe(kidNext).ExecutionInfo.Parent, parent)

	// The last run of kid's chain completes: the parent is told, naming it.
	f.chAnswer(chKidList, completeWorkflow("final"))
	h := f.chTail(parent, chKidCompleted, chDTS)
	chEqual(t, "kid completed", h[0].ChildWorkflowExecutionCompletedEventAttributes, &types.ChildWorkflowExecutionCompletedEventAttributes{
		InitiatedEventId: 5, StartedEventId: 7, WorkflowExecution: kidNext, WorkflowType: workflowType("kid", "1"), Result: aws.String("final"),
	})
	if n := f.chOpenChildren(parent); n != 1 {
		t.Fatalf("%d open children, want 1", n)
	}

	// The parent's TERMINATE reaches kid2's new run.
	f.chTerminate(parent, "")
	f.chWantStatus(kid2Next, types.ExecutionStatusClosed, types.CloseStatusTerminated)
	chEqual(t, "kid2 terminated", f.chTail(kid2Next, chStarted, chDTS, chTerminated)[2].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
	})
	f.chTail(parent, chTerminated)
}
