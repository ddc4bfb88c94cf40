package server_test

import (
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
// §10.4).

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

// newKidDomain is the fixture's domain with a second workflow type for
// children, kid 1, whose defaults differ from those of order 1 in every
// member.
func newKidDomain(t *testing.T, opts ...swftest.Option) *swftest.Domain {
	t.Helper()
	d := swftest.NewDomain(t, opts...)
	must(t, d.RegisterWorkflowType("kid", "1", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String(chKidList)}
		in.DefaultExecutionStartToCloseTimeout = aws.String("1800")
		in.DefaultTaskStartToCloseTimeout = aws.String("20")
		in.DefaultChildPolicy = types.ChildPolicyAbandon
		in.DefaultTaskPriority = aws.String("3")
		in.DefaultLambdaRole = aws.String(chKidRole)
	}))
	return d
}

// kidType is the children's workflow type.
var kidType = swftest.WorkflowType("kid", "1")

// ownList is the decision task list of a run that kidChild or startParent
// starts: each run has its own, so that a poll finds the task it expects.
func ownList(workflowID string) string { return "list-" + workflowID }

// kidChild starts a kid 1 child on its own task list.
func kidChild(id string, mod ...func(*types.StartChildWorkflowExecutionDecisionAttributes)) types.Decision {
	onList := func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String(ownList(id))}
	}
	return swftest.StartChild(id, kidType, append([]func(*types.StartChildWorkflowExecutionDecisionAttributes){onList}, mod...)...)
}

// kidPolicy gives a child its own child policy.
func kidPolicy(p types.ChildPolicy) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
	return func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.ChildPolicy = p }
}

// historyEnds asserts the last events of a run's history and returns them.
func historyEnds(d *swftest.Domain, ex *types.WorkflowExecution, want ...types.EventType) []types.HistoryEvent {
	t := d.T()
	t.Helper()
	h := d.History(ex)
	if len(h) < len(want) || !slices.Equal(swftest.EventTypes(h[len(h)-len(want):]), want) {
		t.Fatalf("history of %s ends\n got %v\nwant ... %v", aws.ToString(ex.WorkflowId), swftest.EventTypes(h), want)
	}
	return h[len(h)-len(want):]
}

// startParent starts an order 1 run on its own list (ownList(id)) with a
// child policy and, unless timeout is "", an execution timeout; its first
// decision starts the children. It returns the parent and the children's
// runs in the order of the decisions. The parent is left with the
// decision task the children's start scheduled, each child with its first.
func startParent(d *swftest.Domain, id string, policy types.ChildPolicy, timeout string, children ...types.Decision) (*types.WorkflowExecution, []*types.WorkflowExecution) {
	t := d.T()
	t.Helper()
	parent := d.Start(id, swftest.OnList(ownList(id)), func(in *swf.StartWorkflowExecutionInput) {
		in.ChildPolicy = policy
		if timeout != "" {
			in.ExecutionStartToCloseTimeout = aws.String(timeout)
		}
	})
	d.Decide(d.PollDecisionOn(ownList(id)).TaskToken, children...)
	started := map[string]*types.WorkflowExecution{}
	h := d.History(parent)
	for _, e := range h {
		if a := e.ChildWorkflowExecutionStartedEventAttributes; a != nil {
			started[aws.ToString(a.WorkflowExecution.WorkflowId)] = a.WorkflowExecution
		}
	}
	var kids []*types.WorkflowExecution
	for _, c := range children {
		wid := aws.ToString(c.StartChildWorkflowExecutionDecisionAttributes.WorkflowId)
		kid, ok := started[wid]
		if !ok {
			t.Fatalf("child %s did not start: %v", wid, swftest.EventTypes(h))
		}
		kids = append(kids, kid)
	}
	return parent, kids
}

// runsOf lists the open or closed runs of a workflowId.
func runsOf(d *swftest.Domain, open bool, workflowID string) []types.WorkflowExecutionInfo {
	t := d.T()
	t.Helper()
	filter := &types.WorkflowExecutionFilter{WorkflowId: aws.String(workflowID)}
	if open {
		out, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: swftest.AllTime(), ExecutionFilter: filter})
		must(t, err)
		return out.ExecutionInfos
	}
	out, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: swftest.AllTime(), ExecutionFilter: filter})
	must(t, err)
	return out.ExecutionInfos
}

// terminateWith terminates a run as an operator, with a reason, details
// and a child policy ("": the run's own).
func terminateWith(d *swftest.Domain, ex *types.WorkflowExecution, policy types.ChildPolicy) {
	t := d.T()
	t.Helper()
	_, err := d.Client.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, RunId: ex.RunId, Reason: aws.String("stop"), Details: aws.String("operator"), ChildPolicy: policy,
	})
	must(t, err)
}

// openChildren is a run's count of open children.
func openChildren(d *swftest.Domain, ex *types.WorkflowExecution) int32 {
	d.T().Helper()
	return d.Describe(ex).OpenCounts.OpenChildWorkflowExecutions
}

// A StartChildWorkflowExecution decision records the Initiated event with
// the resolved configuration, starts the child with its parent link, and
// tells the parent, with a decision task.
func TestChildStartInitiatedAndStarted(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent := d.Start("parent")
	task := d.PollDecision()
	explicitRole := "arn:aws:iam::123456789012:role/explicit"
	explicit := kidChild("explicit", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.Control = aws.String("control of explicit")
		a.ExecutionStartToCloseTimeout = aws.String("900")
		a.TaskStartToCloseTimeout = aws.String("45")
		a.ChildPolicy = types.ChildPolicyRequestCancel
		a.TaskPriority = aws.String("7")
		a.TagList = []string{"red", "blue"}
		a.LambdaRole = aws.String(explicitRole)
	})
	bare := types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
		WorkflowId: aws.String("defaults"), WorkflowType: kidType,
	}}
	d.Decide(task.TaskToken, explicit, bare)

	h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chKidStarted, chDTS, chKidStarted)
	swftest.WantEqual(t, "Initiated from the decision", h[4].StartChildWorkflowExecutionInitiatedEventAttributes, &types.StartChildWorkflowExecutionInitiatedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, DecisionTaskCompletedEventId: 4, TaskList: &types.TaskList{Name: aws.String(ownList("explicit"))},
		WorkflowId: aws.String("explicit"), WorkflowType: kidType, Control: aws.String("control of explicit"),
		ExecutionStartToCloseTimeout: aws.String("900"), Input: aws.String("input of explicit"), LambdaRole: aws.String(explicitRole),
		TagList: []string{"red", "blue"}, TaskPriority: aws.String("7"), TaskStartToCloseTimeout: aws.String("45"),
	})
	swftest.WantEqual(t, "Initiated from the type's defaults", h[5].StartChildWorkflowExecutionInitiatedEventAttributes, &types.StartChildWorkflowExecutionInitiatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, DecisionTaskCompletedEventId: 4, TaskList: &types.TaskList{Name: aws.String(chKidList)},
		WorkflowId: aws.String("defaults"), WorkflowType: kidType,
		ExecutionStartToCloseTimeout: aws.String("1800"), LambdaRole: aws.String(chKidRole),
		TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})
	explicitRun := h[6].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	defaultsRun := h[8].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	ids := []string{aws.ToString(parent.RunId), aws.ToString(explicitRun.RunId), aws.ToString(defaultsRun.RunId)}
	if ids[1] == "" || ids[2] == "" || ids[1] == ids[0] || ids[2] == ids[0] || ids[1] == ids[2] {
		t.Fatalf("run ids parent, explicit, defaults: %q", ids)
	}
	swftest.WantEqual(t, "ChildWorkflowExecutionStarted explicit", h[6].ChildWorkflowExecutionStartedEventAttributes, &types.ChildWorkflowExecutionStartedEventAttributes{
		InitiatedEventId: 5, WorkflowExecution: swftest.Execution("explicit", explicitRun.RunId), WorkflowType: kidType,
	})
	swftest.WantEqual(t, "ChildWorkflowExecutionStarted defaults", h[8].ChildWorkflowExecutionStartedEventAttributes, &types.ChildWorkflowExecutionStartedEventAttributes{
		InitiatedEventId: 6, WorkflowExecution: swftest.Execution("defaults", defaultsRun.RunId), WorkflowType: kidType,
	})
	swftest.WantEqual(t, "the parent's decision task", h[7].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, StartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})

	ch := d.WantHistory(explicitRun, chStarted, chDTS)
	swftest.WantEqual(t, "explicit child's start", ch[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String(ownList("explicit"))}, WorkflowType: kidType,
		ExecutionStartToCloseTimeout: aws.String("900"), Input: aws.String("input of explicit"), LambdaRole: aws.String(explicitRole),
		ParentInitiatedEventId: 5, ParentWorkflowExecution: parent, TagList: []string{"red", "blue"},
		TaskPriority: aws.String("7"), TaskStartToCloseTimeout: aws.String("45"),
	})
	swftest.WantEqual(t, "explicit child's decision task", ch[1].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(ownList("explicit"))}, StartToCloseTimeout: aws.String("45"), TaskPriority: aws.String("7"),
	})
	ch = d.WantHistory(defaultsRun, chStarted, chDTS)
	swftest.WantEqual(t, "defaults child's start", ch[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, TaskList: &types.TaskList{Name: aws.String(chKidList)}, WorkflowType: kidType,
		ExecutionStartToCloseTimeout: aws.String("1800"), LambdaRole: aws.String(chKidRole),
		ParentInitiatedEventId: 6, ParentWorkflowExecution: parent, TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})

	pd := d.Describe(parent)
	if oc := pd.OpenCounts; oc.OpenChildWorkflowExecutions != 2 || oc.OpenDecisionTasks != 1 || pd.ExecutionInfo.Parent != nil {
		t.Fatalf("parent: open counts %+v, parent %v", oc, pd.ExecutionInfo.Parent)
	}
	cd := d.Describe(explicitRun)
	swftest.WantEqual(t, "explicit child's parent", cd.ExecutionInfo.Parent, parent)
	swftest.WantEqual(t, "explicit child's configuration", cd.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyRequestCancel, ExecutionStartToCloseTimeout: aws.String("900"), TaskList: &types.TaskList{Name: aws.String(ownList("explicit"))},
		TaskStartToCloseTimeout: aws.String("45"), LambdaRole: aws.String(explicitRole), TaskPriority: aws.String("7"),
	})
	if info := cd.ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen || !slices.Equal(info.TagList, []string{"red", "blue"}) || cd.OpenCounts.OpenDecisionTasks != 1 {
		t.Fatalf("explicit child: %+v, open counts %+v", info, cd.OpenCounts)
	}
	dd := d.Describe(defaultsRun)
	swftest.WantEqual(t, "defaults child's parent", dd.ExecutionInfo.Parent, parent)
	swftest.WantEqual(t, "defaults child's configuration", dd.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyAbandon, ExecutionStartToCloseTimeout: aws.String("1800"), TaskList: &types.TaskList{Name: aws.String(chKidList)},
		TaskStartToCloseTimeout: aws.String("20"), LambdaRole: aws.String(chKidRole), TaskPriority: aws.String("3"),
	})

	tagged, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{
		Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, TagFilter: &types.TagFilter{Tag: aws.String("blue")},
	})
	must(t, err)
	if len(tagged.ExecutionInfos) != 1 || aws.ToString(tagged.ExecutionInfos[0].Execution.RunId) != aws.ToString(explicitRun.RunId) {
		t.Fatalf("open runs tagged blue: %+v", tagged.ExecutionInfos)
	}

	// Each child's decision task waits on its own list.
	if n := d.PendingDecisions(chKidList); n != 1 {
		t.Fatalf("%d decision tasks on %s, want 1", n, chKidList)
	}
	task = d.PollDecisionOn(ownList("explicit"))
	swftest.WantEqual(t, "explicit child's task", task.WorkflowExecution, explicitRun)
	swftest.WantEqual(t, "explicit child's task type", task.WorkflowType, kidType)
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("explicit done"))
	if n := openChildren(d, parent); n != 1 {
		t.Fatalf("%d open children after one completed, want 1", n)
	}
}

// Each way a child closes reaches the parent as its own event, with a
// decision task.
func TestChildCloseReportedToParent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		close  func(d *swftest.Domain, kid *types.WorkflowExecution)
		event  types.EventType
		attrs  func(e types.HistoryEvent) any
		want   func(kid *types.WorkflowExecution) any
		status types.CloseStatus
	}{
		{
			name: "completed",
			close: func(d *swftest.Domain, kid *types.WorkflowExecution) {
				d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.CompleteWorkflow("kid result"))
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
			close: func(d *swftest.Domain, kid *types.WorkflowExecution) {
				d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.FailWorkflow("kid reason", "kid details"))
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
			close: func(d *swftest.Domain, kid *types.WorkflowExecution) {
				d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.CancelWorkflow("kid details"))
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
			close: func(d *swftest.Domain, kid *types.WorkflowExecution) {
				d.Advance(119 * time.Second)
				d.WantStatus(kid, types.ExecutionStatusOpen, "")
				d.Advance(time.Second)
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
			close: func(d *swftest.Domain, kid *types.WorkflowExecution) { terminateWith(d, kid, "") },
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
			d := newKidDomain(t)
			parent, kids := startParent(d, "parent", types.ChildPolicyTerminate, "", kidChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
				a.ExecutionStartToCloseTimeout = aws.String("120")
			}))
			kid := kids[0]
			d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken)
			tc.close(d, kid)
			d.WantStatus(kid, types.ExecutionStatusClosed, tc.status)
			h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chKidStarted, chDTS, chDTSt, chDTC, tc.event, chDTS)
			swftest.WantEqual(t, string(tc.event), tc.attrs(h[9]), tc.want(kid))
			if n := openChildren(d, parent); n != 0 {
				t.Fatalf("%d open children, want 0", n)
			}
			task := d.PollDecisionOn(ownList("parent"))
			if task.PreviousStartedEventId != 8 || task.StartedEventId != 12 || task.Events[9].EventType != tc.event {
				t.Fatalf("parent's decision task: previous %d started %d events %v", task.PreviousStartedEventId, task.StartedEventId, swftest.EventTypes(task.Events))
			}
		})
	}
}

// A child that closes after its parent closed (ABANDON) records nothing in
// the parent.
func TestChildCloseAfterParentClosed(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyAbandon, "", kidChild("done"), kidChild("failed"), kidChild("canceled"), kidChild("ended"), kidChild("late", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("120")
	}))
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken, swftest.CompleteWorkflow("parent done"))
	before := historyEnds(d, parent, chCompleted)
	n := before[0].EventId
	for _, kid := range kids {
		d.WantStatus(kid, types.ExecutionStatusOpen, "")
	}

	d.Decide(d.PollDecisionOn(ownList("done")).TaskToken, swftest.CompleteWorkflow("r"))
	d.Decide(d.PollDecisionOn(ownList("failed")).TaskToken, swftest.FailWorkflow("why", "how"))
	d.Decide(d.PollDecisionOn(ownList("canceled")).TaskToken, swftest.CancelWorkflow("so"))
	terminateWith(d, kids[3], "")
	d.Advance(120 * time.Second)
	for i, want := range []types.CloseStatus{types.CloseStatusCompleted, types.CloseStatusFailed, types.CloseStatusCanceled, types.CloseStatusTerminated, types.CloseStatusTimedOut} {
		d.WantStatus(kids[i], types.ExecutionStatusClosed, want)
	}
	if h := d.History(parent); int64(len(h)) != n || h[n-1].EventType != chCompleted {
		t.Fatalf("closed parent's history changed: %v", swftest.EventTypes(h))
	}
	if p := d.PendingDecisions(ownList("parent")); p != 0 {
		t.Fatalf("%d decision tasks for the closed parent", p)
	}
}

// A child outlives its abandoning parent's purge: its close has nobody to
// tell, and still succeeds.
func TestChildOutlivesPurgedParent(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyAbandon, "", kidChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("200000")
	}))
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken, swftest.CompleteWorkflow("done"))
	d.Advance(24*time.Hour + time.Second)
	_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: parent})
	wantFault[*types.UnknownResourceFault](t, err)
	d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.CompleteWorkflow("alone"))
	d.WantStatus(kids[0], types.ExecutionStatusClosed, types.CloseStatusCompleted)
	swftest.WantEqual(t, "kid's parent", d.Describe(kids[0]).ExecutionInfo.Parent, parent)
}

// Causes found before the child is initiated fail it with
// initiatedEventId 0, each followed by a decision task.
func TestChildStartFailedStaticCauses(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	must(t, d.RegisterWorkflowType("bare", "1"))
	must(t, d.RegisterWorkflowType("old", "1", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("old")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("60")
		in.DefaultTaskStartToCloseTimeout = aws.String("10")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
	}))
	_, err := d.Client.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("old", "1")})
	must(t, err)
	parent := d.Start("parent")

	typ := func(name, version string) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
		return func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
			a.WorkflowType = swftest.WorkflowType(name, version)
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
		{"unknown version", kidChild("c", typ("kid", "2")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"unknown name", kidChild("c", typ("nobody", "1")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"deprecated", kidChild("c", typ("old", "1")), types.StartChildWorkflowExecutionFailedCauseWorkflowTypeDeprecated},
		{"no execution timeout", kidChild("c", typ("bare", "1"), noList), types.StartChildWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined},
		{"no task list", kidChild("c", typ("bare", "1"), noList, timeout), types.StartChildWorkflowExecutionFailedCauseDefaultTaskListUndefined},
		{"no task timeout", kidChild("c", typ("bare", "1"), timeout), types.StartChildWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined},
		{"no child policy", kidChild("c", typ("bare", "1"), timeout, taskTimeout), types.StartChildWorkflowExecutionFailedCauseDefaultChildPolicyUndefined},
	}
	task := d.PollDecision()
	for i, tc := range cases {
		a := tc.decision.StartChildWorkflowExecutionDecisionAttributes
		a.Control = aws.String(fmt.Sprintf("control %d", i))
		d.Decide(task.TaskToken, tc.decision)
		tail := historyEnds(d, parent, chDTC, chStartFailed, chDTS)
		swftest.WantEqual(t, tc.name, tail[1].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
			Cause: tc.cause, DecisionTaskCompletedEventId: tail[0].EventId, InitiatedEventId: 0,
			WorkflowId: aws.String("c"), WorkflowType: a.WorkflowType, Control: a.Control,
		})
		if n := openChildren(d, parent); n != 0 {
			t.Fatalf("%s: %d open children", tc.name, n)
		}
		task = d.PollDecision()
		if got := task.Events[len(task.Events)-3].StartChildWorkflowExecutionFailedEventAttributes; got == nil || got.Cause != tc.cause {
			t.Fatalf("%s: the decider does not see the failure: %v", tc.name, swftest.EventTypes(task.Events))
		}
	}
	if runs := runsOf(d, true, "c"); len(runs) != 0 {
		t.Fatalf("a child run was started: %+v", runs)
	}

	// With everything given, the bare type starts.
	d.Decide(task.TaskToken, kidChild("c", typ("bare", "1"), timeout, taskTimeout, kidPolicy(types.ChildPolicyTerminate)))
	tail := historyEnds(d, parent, chDTC, chInit, chKidStarted, chDTS)
	if a := tail[2].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != tail[1].EventId || aws.ToString(a.WorkflowType.Name) != "bare" {
		t.Fatalf("child started: %+v", a)
	}
}

// A workflowId that an open run of the domain has (another run or the
// parent itself) is initiated, then fails WORKFLOW_ALREADY_RUNNING.
func TestChildStartFailedWorkflowAlreadyRunning(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	busy := d.Start("busy", func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String("busy-list")}
	})
	parent := d.Start("parent")
	task := d.PollDecision()
	d.Decide(task.TaskToken, kidChild("busy", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("c-busy") }))
	h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS)
	swftest.WantEqual(t, "failed for busy", h[5].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning, DecisionTaskCompletedEventId: 4, InitiatedEventId: 5,
		WorkflowId: aws.String("busy"), WorkflowType: kidType, Control: aws.String("c-busy"),
	})
	if n := openChildren(d, parent); n != 0 {
		t.Fatalf("%d open children", n)
	}

	task = d.PollDecision()
	d.Decide(task.TaskToken, kidChild("parent", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("c-self") }))
	h = d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS, chDTSt, chDTC, chInit, chStartFailed, chDTS)
	swftest.WantEqual(t, "failed for its own workflowId", h[10].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning, DecisionTaskCompletedEventId: 9, InitiatedEventId: 10,
		WorkflowId: aws.String("parent"), WorkflowType: kidType, Control: aws.String("c-self"),
	})
	d.WantHistory(busy, chStarted, chDTS)
	if runs := runsOf(d, true, "parent"); len(runs) != 1 {
		t.Fatalf("open runs of parent: %+v", runs)
	}

	// Once busy has closed, its workflowId may name a child.
	terminateWith(d, busy, "")
	task = d.PollDecision()
	d.Decide(task.TaskToken, kidChild("busy"))
	tail := historyEnds(d, parent, chDTC, chInit, chKidStarted, chDTS)
	kid := tail[2].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	if aws.ToString(kid.RunId) == aws.ToString(busy.RunId) {
		t.Fatal("the child has the closed run's runId")
	}
	swftest.WantEqual(t, "new busy's parent", d.Describe(kid).ExecutionInfo.Parent, parent)
}

// OPEN_CHILDREN_LIMIT_EXCEEDED at its boundary: the limit-th child starts,
// the next is refused without being initiated; a child that closes makes
// room for one more.
func TestChildOpenChildrenLimit(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenChildren = 2 }))
	parent := d.Start("parent")
	task := d.PollDecision()
	ctl := func(s string) func(*types.StartChildWorkflowExecutionDecisionAttributes) {
		return func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String(s) }
	}
	d.Decide(task.TaskToken, kidChild("c1"), kidChild("c2"), kidChild("c3", ctl("control 3")))
	h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chStartFailed, chDTS, chKidStarted, chKidStarted)
	swftest.WantEqual(t, "third child", h[6].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded, DecisionTaskCompletedEventId: 4, InitiatedEventId: 0,
		WorkflowId: aws.String("c3"), WorkflowType: kidType, Control: aws.String("control 3"),
	})
	if a, b := h[8].ChildWorkflowExecutionStartedEventAttributes, h[9].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != 5 || b.InitiatedEventId != 6 {
		t.Fatalf("children started from %d and %d", a.InitiatedEventId, b.InitiatedEventId)
	}
	if n := openChildren(d, parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
	if runs := runsOf(d, true, "c3"); len(runs) != 0 {
		t.Fatalf("c3 was started: %+v", runs)
	}

	d.Decide(d.PollDecisionOn(ownList("c1")).TaskToken, swftest.CompleteWorkflow("c1 done"))
	historyEnds(d, parent, chDTS, chKidStarted, chKidStarted, chKidCompleted)
	task = d.PollDecision()
	d.Decide(task.TaskToken, kidChild("c4"), kidChild("c5", ctl("control 5")))
	tail := historyEnds(d, parent, chDTC, chInit, chStartFailed, chDTS, chKidStarted)
	swftest.WantEqual(t, "fifth child", tail[2].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded, DecisionTaskCompletedEventId: tail[0].EventId, InitiatedEventId: 0,
		WorkflowId: aws.String("c5"), WorkflowType: kidType, Control: aws.String("control 5"),
	})
	if a := tail[4].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != tail[1].EventId || aws.ToString(a.WorkflowExecution.WorkflowId) != "c4" {
		t.Fatalf("c4 started: %+v", a)
	}
	if n := openChildren(d, parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
}

// A domain at its limit of open runs refuses a child after initiating it.
func TestChildOpenWorkflowsLimit(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 2 }))
	parent := d.Start("parent")
	task := d.PollDecision()
	d.Decide(task.TaskToken, kidChild("c1"), kidChild("c2", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.Control = aws.String("control 2") }))
	h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chInit, chKidStarted, chDTS, chStartFailed)
	if a := h[6].ChildWorkflowExecutionStartedEventAttributes; a.InitiatedEventId != 5 || aws.ToString(a.WorkflowExecution.WorkflowId) != "c1" {
		t.Fatalf("c1 started: %+v", a)
	}
	swftest.WantEqual(t, "second child", h[8].StartChildWorkflowExecutionFailedEventAttributes, &types.StartChildWorkflowExecutionFailedEventAttributes{
		Cause: types.StartChildWorkflowExecutionFailedCauseOpenWorkflowsLimitExceeded, DecisionTaskCompletedEventId: 4, InitiatedEventId: 6,
		WorkflowId: aws.String("c2"), WorkflowType: kidType, Control: aws.String("control 2"),
	})
	if n := openChildren(d, parent); n != 1 {
		t.Fatalf("%d open children, want 1", n)
	}
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("other"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)

	// c1 closes: there is room for c2.
	d.Decide(d.PollDecisionOn(ownList("c1")).TaskToken, swftest.CompleteWorkflow(""))
	historyEnds(d, parent, chDTS, chStartFailed, chKidCompleted)
	task = d.PollDecision()
	d.Decide(task.TaskToken, kidChild("c2"))
	historyEnds(d, parent, chDTC, chInit, chKidStarted, chDTS)
}

// otherPolicy is a policy that is not p.
func otherPolicy(p types.ChildPolicy) types.ChildPolicy {
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
	byDecision := func(dec types.Decision) func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy) {
		return func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy) {
			d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken, dec)
		}
	}
	closes := []struct {
		name string
		// policy is the parent run's own, given what is to be applied.
		policy func(p types.ChildPolicy) types.ChildPolicy
		close  func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy)
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
		{name: "complete", close: byDecision(swftest.CompleteWorkflow("done")), tail: []types.EventType{chDTSt, chDTC, chCompleted}, status: types.CloseStatusCompleted},
		{name: "fail", close: byDecision(swftest.FailWorkflow("r", "d")), tail: []types.EventType{chDTSt, chDTC, types.EventTypeWorkflowExecutionFailed}, status: types.CloseStatusFailed},
		{name: "cancel", close: byDecision(swftest.CancelWorkflow("d")), tail: []types.EventType{chDTSt, chDTC, types.EventTypeWorkflowExecutionCanceled}, status: types.CloseStatusCanceled},
		{name: "continue as new", close: byDecision(swftest.ContinueAsNew()), tail: []types.EventType{chDTSt, chDTC, chContinued}, status: types.CloseStatusContinuedAsNew},
		{
			name: "terminate",
			close: func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy) {
				terminateWith(d, parent, "")
			},
			tail:    []types.EventType{chTerminated},
			status:  types.CloseStatusTerminated,
			applies: true,
			closing: func(e types.HistoryEvent) any { return e.WorkflowExecutionTerminatedEventAttributes },
			want: func(p types.ChildPolicy) any {
				return &types.WorkflowExecutionTerminatedEventAttributes{ChildPolicy: p, Details: aws.String("operator"), Reason: aws.String("stop"), Cause: types.WorkflowExecutionTerminatedCauseOperatorInitiated}
			},
		},
		{
			name:   "terminate with a child policy",
			policy: otherPolicy,
			close: func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy) {
				terminateWith(d, parent, p)
			},
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
			close: func(d *swftest.Domain, parent *types.WorkflowExecution, p types.ChildPolicy) {
				d.Advance(99 * time.Second)
				d.WantStatus(parent, types.ExecutionStatusOpen, "")
				d.Advance(time.Second)
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
				d := newKidDomain(t)
				own := p
				if cl.policy != nil {
					own = cl.policy(p)
				}
				// The child's own policy is ABANDON (kid's default), never
				// the one applied to it.
				parent, kids := startParent(d, "parent", own, "100", kidChild("kid"))
				kid := kids[0]
				d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken)
				d.WantHistory(kid, chStarted, chDTS, chDTSt, chDTC)

				cl.close(d, parent, p)
				want := append([]types.EventType{chStarted, chDTS, chDTSt, chDTC, chInit, chKidStarted, chDTS}, cl.tail...)
				h := d.WantHistory(parent, want...)
				d.WantStatus(parent, types.ExecutionStatusClosed, cl.status)
				if cl.closing != nil {
					swftest.WantEqual(t, "closing event", cl.closing(h[len(h)-1]), cl.want(p))
				}
				if n := openChildren(d, parent); n != 0 {
					t.Fatalf("closed parent has %d open children", n)
				}
				if cl.status == types.CloseStatusContinuedAsNew {
					next := swftest.Execution("parent", h[len(h)-1].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
					d.WantHistory(next, chStarted, chDTS)
					if n := openChildren(d, next); n != 0 {
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
				kh := d.History(kid)
				switch applied {
				case types.ChildPolicyTerminate:
					d.WantHistory(kid, chStarted, chDTS, chDTSt, chDTC, chTerminated)
					swftest.WantEqual(t, "child terminated", kh[4].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
						ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
					})
					d.WantStatus(kid, types.ExecutionStatusClosed, types.CloseStatusTerminated)
					if n := d.PendingDecisions(ownList("kid")); n != 0 {
						t.Fatalf("terminated child has %d decision tasks", n)
					}
				case types.ChildPolicyRequestCancel:
					d.WantHistory(kid, chStarted, chDTS, chDTSt, chDTC, chCancelReq, chDTS)
					swftest.WantEqual(t, "cancel requested", kh[4].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
						Cause: types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied,
					})
					d.WantStatus(kid, types.ExecutionStatusOpen, "")
					if info := d.Describe(kid).ExecutionInfo; !info.CancelRequested {
						t.Fatal("child not marked cancelRequested")
					}
					task := d.PollDecisionOn(ownList("kid"))
					if task.Events[4].EventType != chCancelReq {
						t.Fatalf("child's decider sees %v", swftest.EventTypes(task.Events))
					}
					d.Decide(task.TaskToken, swftest.CancelWorkflow("as asked"))
					d.WantStatus(kid, types.ExecutionStatusClosed, types.CloseStatusCanceled)
				case types.ChildPolicyAbandon:
					d.WantHistory(kid, chStarted, chDTS, chDTSt, chDTC)
					d.WantStatus(kid, types.ExecutionStatusOpen, "")
					if d.Describe(kid).ExecutionInfo.CancelRequested {
						t.Fatal("abandoned child marked cancelRequested")
					}
					if n := d.PendingDecisions(ownList("kid")); n != 0 {
						t.Fatalf("abandoned child has %d decision tasks", n)
					}
				}
				swftest.WantEqual(t, "child's parent", d.Describe(kid).ExecutionInfo.Parent, parent)
				// The closed parent records nothing of what became of it.
				d.WantHistory(parent, want...)
			})
		}
	}
}

// TERMINATE reaches grandchildren through each child's own policy.
func TestChildPolicyRecursion(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyTerminate, "", kidChild("kid", kidPolicy(types.ChildPolicyTerminate)), kidChild("kid2", kidPolicy(types.ChildPolicyRequestCancel)))
	d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, kidChild("grandkid", kidPolicy(types.ChildPolicyTerminate)))
	d.Decide(d.PollDecisionOn(ownList("kid2")).TaskToken, kidChild("grandkid2"))
	grandkid := historyEnds(d, kids[0], chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	grandkid2 := historyEnds(d, kids[1], chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	d.Decide(d.PollDecisionOn(ownList("grandkid")).TaskToken, kidChild("greatgrandkid", kidPolicy(types.ChildPolicyAbandon)))
	greatgrandkid := historyEnds(d, grandkid, chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	d.Decide(d.PollDecisionOn(ownList("greatgrandkid")).TaskToken, kidChild("greatgreatgrandkid"))
	ggg := historyEnds(d, greatgrandkid, chKidStarted, chDTS)[0].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution

	terminateWith(d, parent, "")
	terminated := func(ex *types.WorkflowExecution, own types.ChildPolicy) {
		t.Helper()
		d.WantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusTerminated)
		swftest.WantEqual(t, aws.ToString(ex.WorkflowId)+" terminated", historyEnds(d, ex, chTerminated)[0].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
			ChildPolicy: own, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
		})
	}
	terminated(kids[0], types.ChildPolicyTerminate)
	terminated(grandkid, types.ChildPolicyTerminate)
	terminated(greatgrandkid, types.ChildPolicyAbandon)
	terminated(kids[1], types.ChildPolicyRequestCancel)
	// kid2's REQUEST_CANCEL asks grandkid2 to cancel; greatgrandkid's
	// ABANDON leaves its child alone.
	d.WantStatus(grandkid2, types.ExecutionStatusOpen, "")
	swftest.WantEqual(t, "grandkid2 asked to cancel", historyEnds(d, grandkid2, chCancelReq)[0].WorkflowExecutionCancelRequestedEventAttributes, &types.WorkflowExecutionCancelRequestedEventAttributes{
		Cause: types.WorkflowExecutionCancelRequestedCauseChildPolicyApplied,
	})
	d.WantStatus(ggg, types.ExecutionStatusOpen, "")
	d.WantHistory(ggg, chStarted, chDTS)
	// The terminated children record nothing of their own children's end.
	historyEnds(d, kids[0], chKidStarted, chDTS, chTerminated)
	historyEnds(d, grandkid, chKidStarted, chDTS, chTerminated)
}

// A child started by the decision list that completes the parent is
// started and keeps running, whatever the parent's child policy.
func TestChildStartedByClosingDecision(t *testing.T) {
	t.Parallel()
	for _, p := range []types.ChildPolicy{types.ChildPolicyTerminate, types.ChildPolicyRequestCancel, types.ChildPolicyAbandon} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			d := newKidDomain(t)
			parent := d.Start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = p })
			task := d.PollDecision()
			d.Decide(task.TaskToken, kidChild("kid"), swftest.CompleteWorkflow("done"))
			d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chCompleted)
			runs := runsOf(d, true, "kid")
			if len(runs) != 1 {
				t.Fatalf("runs of kid: %+v", runs)
			}
			kid := runs[0].Execution
			swftest.WantEqual(t, "kid's parent", runs[0].Parent, parent)
			d.WantHistory(kid, chStarted, chDTS)
			d.WantStatus(kid, types.ExecutionStatusOpen, "")
		})
	}
}

// The decisions that continue a run as new cannot give its workflowId to
// a child: the workflowId is the continuation's.
func TestChildOwnWorkflowIDWhenContinuingAsNew(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent := d.Start("parent", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = types.ChildPolicyAbandon })
	task := d.PollDecision()
	d.Decide(task.TaskToken, kidChild("parent"), swftest.ContinueAsNew())
	h := d.WantHistory(parent, chStarted, chDTS, chDTSt, chDTC, chInit, chContinued)
	open := runsOf(d, true, "parent")
	if len(open) != 1 || aws.ToString(open[0].Execution.RunId) != aws.ToString(h[5].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId) || open[0].Parent != nil {
		t.Fatalf("open runs of parent: %+v", open)
	}
	if closed := runsOf(d, false, "parent"); len(closed) != 1 || closed[0].CloseStatus != types.CloseStatusContinuedAsNew {
		t.Fatalf("closed runs of parent: %+v", closed)
	}
}

// A terminated parent's policy reaches each open child once, even when
// later decisions named it again in a StartChildWorkflowExecution (which
// fails: it is running).
func TestChildPolicyAppliedOnce(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyRequestCancel, "", kidChild("kid"))
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken, kidChild("kid"), kidChild("kid"))
	terminateWith(d, parent, "")
	historyEnds(d, parent, chTerminated)
	d.WantHistory(kids[0], chStarted, chDTS, chCancelReq)
	if runs := runsOf(d, true, "kid"); len(runs) != 1 {
		t.Fatalf("open runs of kid: %+v", runs)
	}
}

// Children outlive a restart of the server: they close and the parent
// hears of it; their timeouts still fire.
func TestChildSurvivesRestart(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyTerminate, "", kidChild("kid"), kidChild("slow", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("300")
	}))
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken)
	d.Restart()

	d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.CompleteWorkflow("after restart"))
	h := historyEnds(d, parent, chKidCompleted, chDTS)
	swftest.WantEqual(t, "completed", h[0].ChildWorkflowExecutionCompletedEventAttributes, &types.ChildWorkflowExecutionCompletedEventAttributes{
		InitiatedEventId: 5, StartedEventId: 7, WorkflowExecution: kids[0], WorkflowType: kidType, Result: aws.String("after restart"),
	})
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken)
	d.Restart()
	d.Advance(300 * time.Second)
	h = historyEnds(d, parent, chDTSt, chDTC, types.EventTypeChildWorkflowExecutionTimedOut, chDTS)
	swftest.WantEqual(t, "timed out", h[2].ChildWorkflowExecutionTimedOutEventAttributes, &types.ChildWorkflowExecutionTimedOutEventAttributes{
		InitiatedEventId: 6, StartedEventId: 9, TimeoutType: types.WorkflowExecutionTimeoutTypeStartToClose, WorkflowExecution: kids[1], WorkflowType: kidType,
	})
	if n := openChildren(d, parent); n != 0 {
		t.Fatalf("%d open children", n)
	}
}

// A parent's TERMINATE policy reaches children started before a restart,
// whether the parent is terminated or times out.
func TestChildPolicyAfterRestart(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	p1, kids1 := startParent(d, "p1", types.ChildPolicyTerminate, "", kidChild("k1"))
	p2, kids2 := startParent(d, "p2", types.ChildPolicyTerminate, "100", kidChild("k2"))
	d.Restart()
	terminateWith(d, p1, "")
	d.WantStatus(kids1[0], types.ExecutionStatusClosed, types.CloseStatusTerminated)
	d.WantHistory(kids1[0], chStarted, chDTS, chTerminated)
	d.Restart()
	d.Advance(100 * time.Second)
	d.WantStatus(p2, types.ExecutionStatusClosed, types.CloseStatusTimedOut)
	d.WantStatus(kids2[0], types.ExecutionStatusClosed, types.CloseStatusTerminated)
	swftest.WantEqual(t, "k2 terminated", historyEnds(d, kids2[0], chTerminated)[0].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
	})
}

// ContinueAsNew without attributes: the new run takes its configuration
// from the type's defaults, not from the run it continues.
func TestContinueAsNewDefaults(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	old := d.Start("loop", func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String("first-list")}
		in.ExecutionStartToCloseTimeout = aws.String("500")
		in.TaskStartToCloseTimeout = aws.String("50")
		in.ChildPolicy = types.ChildPolicyAbandon
		in.TaskPriority = aws.String("5")
		in.TagList = []string{"gen-1"}
		in.LambdaRole = aws.String("arn:aws:iam::123456789012:role/first")
	})
	d.Decide(d.PollDecisionOn("first-list").TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("gen 2") }))

	h := d.WantHistory(old, chStarted, chDTS, chDTSt, chDTC, chContinued)
	cont := h[4].WorkflowExecutionContinuedAsNewEventAttributes
	runID := aws.ToString(cont.NewExecutionRunId)
	if runID == "" || runID == aws.ToString(old.RunId) {
		t.Fatalf("newExecutionRunId %q", runID)
	}
	swftest.WantEqual(t, "continued as new", cont, &types.WorkflowExecutionContinuedAsNewEventAttributes{
		ChildPolicy: types.ChildPolicyTerminate, DecisionTaskCompletedEventId: 4, NewExecutionRunId: aws.String(runID),
		TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, WorkflowType: swftest.WorkflowType("order", "1"),
		ExecutionStartToCloseTimeout: aws.String("3600"), Input: aws.String("gen 2"), TaskPriority: aws.String("0"), TaskStartToCloseTimeout: aws.String("30"),
	})
	d.WantStatus(old, types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)

	next := swftest.Execution("loop", aws.String(runID))
	nh := d.WantHistory(next, chStarted, chDTS)
	swftest.WantEqual(t, "new run started", nh[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyTerminate, TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, WorkflowType: swftest.WorkflowType("order", "1"),
		ContinuedExecutionRunId: old.RunId, ExecutionStartToCloseTimeout: aws.String("3600"), Input: aws.String("gen 2"),
		TaskPriority: aws.String("0"), TaskStartToCloseTimeout: aws.String("30"),
	})
	swftest.WantEqual(t, "new run's decision task", nh[1].DecisionTaskScheduledEventAttributes, &types.DecisionTaskScheduledEventAttributes{
		TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, StartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})
	desc := d.Describe(next)
	swftest.WantEqual(t, "new run's configuration", desc.ExecutionConfiguration, &types.WorkflowExecutionConfiguration{
		ChildPolicy: types.ChildPolicyTerminate, ExecutionStartToCloseTimeout: aws.String("3600"), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)},
		TaskStartToCloseTimeout: aws.String("30"), TaskPriority: aws.String("0"),
	})
	if info := desc.ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen || len(info.TagList) != 0 || info.Parent != nil {
		t.Fatalf("new run: %+v", info)
	}
	if n := d.PendingDecisions("first-list"); n != 0 {
		t.Fatalf("%d tasks left on the old run's list", n)
	}

	open, closed := runsOf(d, true, "loop"), runsOf(d, false, "loop")
	if len(open) != 1 || aws.ToString(open[0].Execution.RunId) != runID || open[0].ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("open runs of loop: %+v", open)
	}
	if len(closed) != 1 || aws.ToString(closed[0].Execution.RunId) != aws.ToString(old.RunId) || closed[0].CloseStatus != types.CloseStatusContinuedAsNew ||
		!slices.Equal(closed[0].TagList, []string{"gen-1"}) {
		t.Fatalf("closed runs of loop: %+v", closed)
	}

	// The old run's timeout went with it.
	d.Advance(500 * time.Second)
	d.WantStatus(next, types.ExecutionStatusOpen, "")
	task := d.PollDecision()
	if aws.ToString(task.WorkflowExecution.RunId) != runID || task.PreviousStartedEventId != 0 || task.Events[0].EventType != chStarted {
		t.Fatalf("new run's decision task: %+v", d)
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("end"))
	if closed := runsOf(d, false, "loop"); len(closed) != 2 {
		t.Fatalf("closed runs of loop: %+v", closed)
	}
}

// ContinueAsNew replaces one open run by another: a domain at its limit of
// open runs continues.
func TestContinueAsNewAtOpenLimit(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 1 }))
	ex := d.Start("loop")
	d.Decide(d.PollDecisionOn(swftest.DeciderList).TaskToken, swftest.ContinueAsNew())
	historyEnds(d, ex, chDTC, chContinued)
	if open := runsOf(d, true, "loop"); len(open) != 1 {
		t.Fatalf("open runs: %+v", open)
	}
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("other"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
}

// ContinueAsNew attributes configure the new run; workflowTypeVersion
// switches to another version of the type, with its defaults.
func TestContinueAsNewAttributesAndVersion(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	must(t, d.RegisterWorkflowType("order", "2", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("v2-list")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("1200")
		in.DefaultTaskStartToCloseTimeout = aws.String("12")
		in.DefaultChildPolicy = types.ChildPolicyRequestCancel
		in.DefaultTaskPriority = aws.String("2")
		in.DefaultLambdaRole = aws.String("arn:aws:iam::123456789012:role/v2")
	}))
	first := d.Start("loop")
	role := "arn:aws:iam::123456789012:role/second"
	d.Decide(d.PollDecisionOn(swftest.DeciderList).TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.Input = aws.String("gen 2")
		a.ExecutionStartToCloseTimeout = aws.String("700")
		a.TaskList = &types.TaskList{Name: aws.String("second-list")}
		a.TaskStartToCloseTimeout = aws.String("70")
		a.ChildPolicy = types.ChildPolicyRequestCancel
		a.TaskPriority = aws.String("9")
		a.TagList = []string{"gen-2", "x"}
		a.LambdaRole = aws.String(role)
	}))
	cont := historyEnds(d, first, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes
	swftest.WantEqual(t, "continued with attributes", cont, &types.WorkflowExecutionContinuedAsNewEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, DecisionTaskCompletedEventId: 4, NewExecutionRunId: cont.NewExecutionRunId,
		TaskList: &types.TaskList{Name: aws.String("second-list")}, WorkflowType: swftest.WorkflowType("order", "1"),
		ExecutionStartToCloseTimeout: aws.String("700"), Input: aws.String("gen 2"), LambdaRole: aws.String(role),
		TagList: []string{"gen-2", "x"}, TaskPriority: aws.String("9"), TaskStartToCloseTimeout: aws.String("70"),
	})
	second := swftest.Execution("loop", cont.NewExecutionRunId)
	swftest.WantEqual(t, "second run started", d.WantHistory(second, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String("second-list")}, WorkflowType: swftest.WorkflowType("order", "1"),
		ContinuedExecutionRunId: first.RunId, ExecutionStartToCloseTimeout: aws.String("700"), Input: aws.String("gen 2"), LambdaRole: aws.String(role),
		TagList: []string{"gen-2", "x"}, TaskPriority: aws.String("9"), TaskStartToCloseTimeout: aws.String("70"),
	})
	if info := d.Describe(second).ExecutionInfo; !slices.Equal(info.TagList, []string{"gen-2", "x"}) {
		t.Fatalf("second run's tags %v", info.TagList)
	}

	// On to version 2, with its defaults.
	d.Decide(d.PollDecisionOn("second-list").TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.WorkflowTypeVersion = aws.String("2")
	}))
	cont = historyEnds(d, second, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes
	if cont.WorkflowType == nil || aws.ToString(cont.WorkflowType.Version) != "2" {
		t.Fatalf("continued to %+v", cont.WorkflowType)
	}
	third := swftest.Execution("loop", cont.NewExecutionRunId)
	swftest.WantEqual(t, "third run started", d.WantHistory(third, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyRequestCancel, TaskList: &types.TaskList{Name: aws.String("v2-list")}, WorkflowType: swftest.WorkflowType("order", "2"),
		ContinuedExecutionRunId: second.RunId, ExecutionStartToCloseTimeout: aws.String("1200"), LambdaRole: aws.String("arn:aws:iam::123456789012:role/v2"),
		TaskPriority: aws.String("2"), TaskStartToCloseTimeout: aws.String("12"),
	})
	desc := d.Describe(third)
	swftest.WantEqual(t, "third run's type", desc.ExecutionInfo.WorkflowType, swftest.WorkflowType("order", "2"))
	task := d.PollDecisionOn("v2-list")
	swftest.WantEqual(t, "third run's task type", task.WorkflowType, swftest.WorkflowType("order", "2"))

	// A NONE execution timeout becomes the longest a run may last.
	d.Decide(task.TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("NONE")
	}))
	fourth := swftest.Execution("loop", historyEnds(d, third, chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	if got := aws.ToString(d.Describe(fourth).ExecutionConfiguration.ExecutionStartToCloseTimeout); got != "31536000" {
		t.Fatalf("NONE became %q", got)
	}
	if closed := runsOf(d, false, "loop"); len(closed) != 3 {
		t.Fatalf("closed runs: %+v", closed)
	}
	for _, r := range runsOf(d, false, "loop") {
		if r.CloseStatus != types.CloseStatusContinuedAsNew {
			t.Fatalf("closed run %+v", r)
		}
	}
}

// ContinueAsNew that cannot be carried out fails with a cause, leaves the
// run open and schedules a decision task.
func TestContinueAsNewFailed(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	must(t, d.RegisterWorkflowType("bare", "1"))
	must(t, d.RegisterWorkflowType("bare", "3", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("v3")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("60")
		in.DefaultTaskStartToCloseTimeout = aws.String("10")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
	}))
	_, err := d.Client.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("bare", "3")})
	must(t, err)
	run, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: aws.String("bare"), WorkflowType: swftest.WorkflowType("bare", "1"),
		TaskList: &types.TaskList{Name: aws.String("bare-list")}, ExecutionStartToCloseTimeout: aws.String("3600"),
		TaskStartToCloseTimeout: aws.String("30"), ChildPolicy: types.ChildPolicyTerminate,
	})
	must(t, err)
	ex := swftest.Execution("bare", run.RunId)

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
		{"unknown version", swftest.ContinueAsNew(version("9")), types.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist},
		{"deprecated version", swftest.ContinueAsNew(version("3")), types.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDeprecated},
		{"no execution timeout", swftest.ContinueAsNew(), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined},
		{"no task list", swftest.ContinueAsNew(timeout), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskListUndefined},
		{"no task timeout", swftest.ContinueAsNew(timeout, list), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined},
		{"no child policy", swftest.ContinueAsNew(timeout, list, taskTimeout), types.ContinueAsNewWorkflowExecutionFailedCauseDefaultChildPolicyUndefined},
	}
	task := d.PollDecisionOn("bare-list")
	for _, tc := range cases {
		d.Decide(task.TaskToken, tc.decision)
		tail := historyEnds(d, ex, chDTC, chContinueFail, chDTS)
		swftest.WantEqual(t, tc.name, tail[1].ContinueAsNewWorkflowExecutionFailedEventAttributes, &types.ContinueAsNewWorkflowExecutionFailedEventAttributes{
			Cause: tc.cause, DecisionTaskCompletedEventId: tail[0].EventId,
		})
		d.WantStatus(ex, types.ExecutionStatusOpen, "")
		if runs := runsOf(d, true, "bare"); len(runs) != 1 {
			t.Fatalf("%s: open runs %+v", tc.name, runs)
		}
		task = d.PollDecisionOn("bare-list")
	}
	// With everything given it continues.
	d.Decide(task.TaskToken, swftest.ContinueAsNew(timeout, list, taskTimeout, func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.ChildPolicy = types.ChildPolicyAbandon
	}))
	historyEnds(d, ex, chDTC, chContinued)
	d.WantStatus(ex, types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)
}

// A signal that came after the decision task started makes ContinueAsNew
// fail UNHANDLED_DECISION.
func TestContinueAsNewUnhandledDecision(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	ex := d.Start("loop")
	task := d.PollDecision()
	_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("loop"), SignalName: aws.String("poke")})
	must(t, err)
	d.Decide(task.TaskToken, swftest.ContinueAsNew())
	h := d.WantHistory(ex, chStarted, chDTS, chDTSt, chSignaled, chDTC, chContinueFail, chDTS)
	swftest.WantEqual(t, "failed", h[5].ContinueAsNewWorkflowExecutionFailedEventAttributes, &types.ContinueAsNewWorkflowExecutionFailedEventAttributes{
		Cause: types.ContinueAsNewWorkflowExecutionFailedCauseUnhandledDecision, DecisionTaskCompletedEventId: 5,
	})
	if runs := runsOf(d, true, "loop"); len(runs) != 1 || aws.ToString(runs[0].Execution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("open runs %+v", runs)
	}
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ContinueAsNew())
	historyEnds(d, ex, chDTSt, chDTC, chContinued)
}

// ContinueAsNew must be the last decision.
func TestContinueAsNewNotLast(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	ex := d.Start("loop")
	task := d.PollDecision()
	marker := types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m")}}
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{swftest.ContinueAsNew(), marker}})
	wantValidationMessage(t, err, closeNotLast)
	d.WantHistory(ex, chStarted, chDTS, chDTSt)
	if runs := runsOf(d, true, "loop"); len(runs) != 1 {
		t.Fatalf("open runs %+v", runs)
	}
	// The task is still the decider's.
	d.Decide(task.TaskToken, marker, swftest.ContinueAsNew())
	d.WantHistory(ex, chStarted, chDTS, chDTSt, chDTC, types.EventTypeMarkerRecorded, chContinued)
}

// A child that continues as new stays its parent's child: the parent hears
// only when the last run of the chain closes, and its child policy reaches
// the new run.
func TestContinueAsNewChild(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent, kids := startParent(d, "parent", types.ChildPolicyTerminate, "", kidChild("kid"), kidChild("kid2"))
	d.Decide(d.PollDecisionOn(ownList("parent")).TaskToken)
	before := swftest.EventTypes(d.History(parent))

	d.Decide(d.PollDecisionOn(ownList("kid")).TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.Input = aws.String("kid gen 2") }))
	d.Decide(d.PollDecisionOn(ownList("kid2")).TaskToken, swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String(ownList("kid2"))}
	}))
	d.WantStatus(kids[0], types.ExecutionStatusClosed, types.CloseStatusContinuedAsNew)
	if got := swftest.EventTypes(d.History(parent)); !slices.Equal(got, before) {
		t.Fatalf("parent heard of continue-as-new: %v", got)
	}
	if n := openChildren(d, parent); n != 2 {
		t.Fatalf("%d open children, want 2", n)
	}
	kidNext := swftest.Execution("kid", historyEnds(d, kids[0], chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	kid2Next := swftest.Execution("kid2", historyEnds(d, kids[1], chContinued)[0].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId)
	swftest.WantEqual(t, "kid's new run", d.WantHistory(kidNext, chStarted, chDTS)[0].WorkflowExecutionStartedEventAttributes, &types.WorkflowExecutionStartedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, TaskList: &types.TaskList{Name: aws.String(chKidList)}, WorkflowType: kidType,
		ContinuedExecutionRunId: kids[0].RunId, ExecutionStartToCloseTimeout: aws.String("1800"), Input: aws.String("kid gen 2"), LambdaRole: aws.String(chKidRole),
		ParentInitiatedEventId: 5, ParentWorkflowExecution: parent, TaskPriority: aws.String("3"), TaskStartToCloseTimeout: aws.String("20"),
	})
	swftest.WantEqual(t, "kid's new run's parent", d.Describe(kidNext).ExecutionInfo.Parent, parent)

	// The last run of kid's chain completes: the parent is told, naming it.
	d.Decide(d.PollDecisionOn(chKidList).TaskToken, swftest.CompleteWorkflow("final"))
	h := historyEnds(d, parent, chKidCompleted, chDTS)
	swftest.WantEqual(t, "kid completed", h[0].ChildWorkflowExecutionCompletedEventAttributes, &types.ChildWorkflowExecutionCompletedEventAttributes{
		InitiatedEventId: 5, StartedEventId: 7, WorkflowExecution: kidNext, WorkflowType: kidType, Result: aws.String("final"),
	})
	if n := openChildren(d, parent); n != 1 {
		t.Fatalf("%d open children, want 1", n)
	}

	// The parent's TERMINATE reaches kid2's new run.
	terminateWith(d, parent, "")
	d.WantStatus(kid2Next, types.ExecutionStatusClosed, types.CloseStatusTerminated)
	swftest.WantEqual(t, "kid2 terminated", historyEnds(d, kid2Next, chStarted, chDTS, chTerminated)[2].WorkflowExecutionTerminatedEventAttributes, &types.WorkflowExecutionTerminatedEventAttributes{
		ChildPolicy: types.ChildPolicyAbandon, Cause: types.WorkflowExecutionTerminatedCauseChildPolicyApplied,
	})
	historyEnds(d, parent, chTerminated)
}
