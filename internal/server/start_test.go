package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Helpers of the tests of StartWorkflowExecution and the other execution
// operations. Their names start with "ex" to keep clear of other files.

// exAllTime is a time filter that lets every run through.
func exAllTime() *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
}

// exOpenIDs lists the workflowIds of a domain's open runs, newest first,
// and checks that CountOpenWorkflowExecutions agrees.
func exOpenIDs(t *testing.T, c *swf.Client, domain string) []string {
	t.Helper()
	out, err := c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: exAllTime()})
	must(t, err)
	var ids []string
	for _, i := range out.ExecutionInfos {
		ids = append(ids, aws.ToString(i.Execution.WorkflowId))
	}
	n, err := c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: exAllTime()})
	must(t, err)
	if int(n.Count) != len(ids) || n.Truncated {
		t.Fatalf("CountOpenWorkflowExecutions = %d (truncated %v), ListOpenWorkflowExecutions has %v", n.Count, n.Truncated, ids)
	}
	return ids
}

// exClosedIDs lists the workflowIds of a domain's closed runs, most
// recently started first, and checks that CountClosedWorkflowExecutions
// agrees.
func exClosedIDs(t *testing.T, c *swf.Client, domain string) []string {
	t.Helper()
	out, err := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: exAllTime()})
	must(t, err)
	var ids []string
	for _, i := range out.ExecutionInfos {
		ids = append(ids, aws.ToString(i.Execution.WorkflowId))
	}
	n, err := c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: exAllTime()})
	must(t, err)
	if int(n.Count) != len(ids) || n.Truncated {
		t.Fatalf("CountClosedWorkflowExecutions = %d (truncated %v), ListClosedWorkflowExecutions has %v", n.Count, n.Truncated, ids)
	}
	return ids
}

// exWantOpen asserts the workflowIds of the fixture domain's open runs.
func exWantOpen(t *testing.T, c *swf.Client, domain string, want ...string) {
	t.Helper()
	if got := exOpenIDs(t, c, domain); !slices.Equal(got, want) {
		t.Fatalf("open runs of %s = %v, want %v", domain, got, want)
	}
}

// exStarted returns the WorkflowExecutionStarted event of a run, checking
// that it is the first one.
func (f *fixture) exStarted(ex *types.WorkflowExecution) *types.WorkflowExecutionStartedEventAttributes {
	f.t.Helper()
	h := f.history(ex)
	if len(h) == 0 || h[0].EventType != types.EventTypeWorkflowExecutionStarted || h[0].EventId != 1 {
		f.t.Fatalf("history does not begin with WorkflowExecutionStarted: %v", eventTypes(h))
	}
	a := h[0].WorkflowExecutionStartedEventAttributes
	if a == nil {
		f.t.Fatal("WorkflowExecutionStarted without its attributes")
	}
	return a
}

// exPending counts the tasks waiting on a decision and an activity task
// list of the fixture's domain.
func (f *fixture) exPending(decisionList, activityList string) (decisions, activities int32) {
	f.t.Helper()
	d, err := f.c.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(decisionList)}})
	must(f.t, err)
	a, err := f.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(activityList)}})
	must(f.t, err)
	if d.Truncated || a.Truncated {
		f.t.Fatal("pending task count truncated")
	}
	return d.Count, a.Count
}

// exTerminate terminates a run.
func (f *fixture) exTerminate(ex *types.WorkflowExecution) {
	f.t.Helper()
	_, err := f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, RunId: ex.RunId})
	must(f.t, err)
}

func exSameTime(a *time.Time, b time.Time) bool {
	return a != nil && a.Equal(b)
}

func TestStartRequestOverridesTypeDefaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: f.domain, Name: aws.String("full"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("default-list")},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
		DefaultTaskPriority:                 aws.String("5"),
		DefaultLambdaRole:                   aws.String("arn:aws:iam::123456789012:role/default"),
	})
	must(t, err)
	f.Clock.Advance(1500 * time.Millisecond)
	out, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: f.domain, WorkflowId: aws.String("given"), WorkflowType: workflowType("full", "1"),
		Input:                        aws.String("the input"),
		ExecutionStartToCloseTimeout: aws.String("7200"),
		TaskStartToCloseTimeout:      aws.String("NONE"),
		ChildPolicy:                  types.ChildPolicyAbandon,
		TaskList:                     &types.TaskList{Name: aws.String("given-list")},
		TaskPriority:                 aws.String("-3"),
		TagList:                      []string{"t1", "t2"},
		LambdaRole:                   aws.String("arn:aws:iam::123456789012:role/given"),
	})
	must(t, err)
	runID := aws.ToString(out.RunId)
	if runID == "" || len(runID) > 64 {
		t.Fatalf("runId %q", runID)
	}
	ex := &types.WorkflowExecution{WorkflowId: aws.String("given"), RunId: out.RunId}

	h := f.history(ex)
	if got := eventTypes(h); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
		t.Fatalf("history of a new run: %v", got)
	}
	started := swftest.Epoch.Add(1500 * time.Millisecond)
	for _, e := range h {
		if !exSameTime(e.EventTimestamp, started) {
			t.Errorf("event %d at %v, want %v", e.EventId, e.EventTimestamp, started)
		}
	}
	a := h[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(a.Input) != "the input" || aws.ToString(a.ExecutionStartToCloseTimeout) != "7200" ||
		aws.ToString(a.TaskStartToCloseTimeout) != "NONE" || a.ChildPolicy != types.ChildPolicyAbandon ||
		aws.ToString(a.TaskList.Name) != "given-list" || aws.ToString(a.TaskPriority) != "-3" ||
		aws.ToString(a.WorkflowType.Name) != "full" || aws.ToString(a.WorkflowType.Version) != "1" ||
		!slices.Equal(a.TagList, []string{"t1", "t2"}) ||
		aws.ToString(a.LambdaRole) != "arn:aws:iam::123456789012:role/given" ||
		a.ParentInitiatedEventId != 0 || a.ParentWorkflowExecution != nil || a.ContinuedExecutionRunId != nil {
		t.Errorf("WorkflowExecutionStarted = %+v", a)
	}
	s := h[1].DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "given-list" || aws.ToString(s.TaskPriority) != "-3" || aws.ToString(s.StartToCloseTimeout) != "NONE" {
		t.Errorf("DecisionTaskScheduled = %+v", s)
	}

	desc := f.describe(ex)
	c := desc.ExecutionConfiguration
	if aws.ToString(c.ExecutionStartToCloseTimeout) != "7200" || aws.ToString(c.TaskStartToCloseTimeout) != "NONE" ||
		c.ChildPolicy != types.ChildPolicyAbandon || aws.ToString(c.TaskList.Name) != "given-list" ||
		aws.ToString(c.TaskPriority) != "-3" || aws.ToString(c.LambdaRole) != "arn:aws:iam::123456789012:role/given" {
		t.Errorf("executionConfiguration = %+v", c)
	}
	if !slices.Equal(desc.ExecutionInfo.TagList, []string{"t1", "t2"}) || !exSameTime(desc.ExecutionInfo.StartTimestamp, started) {
		t.Errorf("executionInfo = %+v", desc.ExecutionInfo)
	}

	// The decision task waits on the given list, not on the default one.
	if d, _ := f.exPending("given-list", workerList); d != 1 {
		t.Errorf("pending decision tasks on the given list = %d, want 1", d)
	}
	if d, _ := f.exPending("default-list", workerList); d != 0 {
		t.Errorf("pending decision tasks on the default list = %d, want 0", d)
	}
}

func TestStartTakesWhatIsAbsentFromTheTypeDefaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: f.domain, Name: aws.String("full"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("default-list")},
		DefaultExecutionStartToCloseTimeout: aws.String("86400"),
		DefaultTaskStartToCloseTimeout:      aws.String("45"),
		DefaultChildPolicy:                  types.ChildPolicyRequestCancel,
		DefaultTaskPriority:                 aws.String("7"),
		DefaultLambdaRole:                   aws.String("arn:aws:iam::123456789012:role/default"),
	})
	must(t, err)
	out, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("defaults"), WorkflowType: workflowType("full", "1")})
	must(t, err)
	ex := &types.WorkflowExecution{WorkflowId: aws.String("defaults"), RunId: out.RunId}
	a := f.exStarted(ex)
	if a.Input != nil || aws.ToString(a.ExecutionStartToCloseTimeout) != "86400" ||
		aws.ToString(a.TaskStartToCloseTimeout) != "45" || a.ChildPolicy != types.ChildPolicyRequestCancel ||
		aws.ToString(a.TaskList.Name) != "default-list" || aws.ToString(a.TaskPriority) != "7" ||
		aws.ToString(a.WorkflowType.Name) != "full" || aws.ToString(a.WorkflowType.Version) != "1" ||
		a.TagList != nil || aws.ToString(a.LambdaRole) != "arn:aws:iam::123456789012:role/default" {
		t.Errorf("WorkflowExecutionStarted = %+v", a)
	}
	c := f.describe(ex).ExecutionConfiguration
	if aws.ToString(c.ExecutionStartToCloseTimeout) != "86400" || aws.ToString(c.TaskStartToCloseTimeout) != "45" ||
		c.ChildPolicy != types.ChildPolicyRequestCancel || aws.ToString(c.TaskList.Name) != "default-list" ||
		aws.ToString(c.TaskPriority) != "7" || aws.ToString(c.LambdaRole) != "arn:aws:iam::123456789012:role/default" {
		t.Errorf("executionConfiguration = %+v", c)
	}
	if d, _ := f.exPending("default-list", workerList); d != 1 {
		t.Errorf("pending decision tasks on the default list = %d, want 1", d)
	}

	// Some given, the rest from the defaults.
	out, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: f.domain, WorkflowId: aws.String("mixed"), WorkflowType: workflowType("full", "1"),
		TaskStartToCloseTimeout: aws.String("10"), TaskPriority: aws.String("0"),
	})
	must(t, err)
	a = f.exStarted(&types.WorkflowExecution{WorkflowId: aws.String("mixed"), RunId: out.RunId})
	if aws.ToString(a.ExecutionStartToCloseTimeout) != "86400" || aws.ToString(a.TaskStartToCloseTimeout) != "10" ||
		a.ChildPolicy != types.ChildPolicyRequestCancel || aws.ToString(a.TaskList.Name) != "default-list" ||
		aws.ToString(a.TaskPriority) != "0" {
		t.Errorf("WorkflowExecutionStarted of a partly given start = %+v", a)
	}

	// A type without a default priority or Lambda role: priority "0", no
	// role.
	ex = f.start("plain")
	a = f.exStarted(ex)
	if aws.ToString(a.TaskPriority) != "0" || a.LambdaRole != nil || aws.ToString(a.Input) != "in:plain" ||
		aws.ToString(a.ExecutionStartToCloseTimeout) != "3600" || aws.ToString(a.TaskStartToCloseTimeout) != "30" ||
		a.ChildPolicy != types.ChildPolicyTerminate || aws.ToString(a.TaskList.Name) != deciderList {
		t.Errorf("WorkflowExecutionStarted of the fixture type = %+v", a)
	}
	c = f.describe(ex).ExecutionConfiguration
	if aws.ToString(c.TaskPriority) != "0" || c.LambdaRole != nil {
		t.Errorf("executionConfiguration of the fixture type = %+v", c)
	}
}

func TestStartDefaultUndefined(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: f.domain, Name: aws.String("bare"), Version: aws.String("1")})
	must(t, err)
	full := func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("600")
		in.TaskList = &types.TaskList{Name: aws.String("l")}
		in.TaskStartToCloseTimeout = aws.String("60")
		in.ChildPolicy = types.ChildPolicyAbandon
	}
	cases := []struct {
		missing string
		drop    func(*swf.StartWorkflowExecutionInput)
	}{
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = nil }},
		{"taskList", func(in *swf.StartWorkflowExecutionInput) { in.TaskList = nil }},
		{"taskStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.TaskStartToCloseTimeout = nil }},
		{"childPolicy", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = "" }},
		// With several missing, SWF names the first in its order.
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) {
			*in = swf.StartWorkflowExecutionInput{Domain: in.Domain, WorkflowId: in.WorkflowId, WorkflowType: in.WorkflowType}
		}},
		{"taskList", func(in *swf.StartWorkflowExecutionInput) { in.TaskList, in.ChildPolicy = nil, "" }},
		{"taskStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.TaskStartToCloseTimeout, in.ChildPolicy = nil, "" }},
	}
	for i, tc := range cases {
		in := &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String(fmt.Sprintf("undefined-%d", i)), WorkflowType: workflowType("bare", "1")}
		full(in)
		tc.drop(in)
		_, err := f.c.StartWorkflowExecution(ctx, in)
		fault := wantFault[*types.DefaultUndefinedFault](t, err)
		if !strings.Contains(fault.ErrorMessage(), tc.missing) {
			t.Errorf("case %d: DefaultUndefinedFault %q does not name %s", i, fault.ErrorMessage(), tc.missing)
		}
	}
	exWantOpen(t, f.c, "wf")
	if got := exClosedIDs(t, f.c, "wf"); len(got) != 0 {
		t.Fatalf("closed runs after refused starts: %v", got)
	}

	// Given everything, the bare type starts.
	in := &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("complete"), WorkflowType: workflowType("bare", "1")}
	full(in)
	_, err = f.c.StartWorkflowExecution(ctx, in)
	must(t, err)
	exWantOpen(t, f.c, "wf", "complete")
}

func TestStartUnknownDomainOrType(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	registerDomain(t, f.c, "other")
	cases := []struct {
		domain string
		typ    *types.WorkflowType
	}{
		{"nope", workflowType("order", "1")},
		{"wf", workflowType("order", "2")},
		{"wf", workflowType("missing", "1")},
		{"wf", workflowType("work", "1")}, // an activity type, not a workflow type
		{"other", workflowType("order", "1")},
	}
	for _, tc := range cases {
		_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(tc.domain), WorkflowId: aws.String("w"), WorkflowType: tc.typ})
		wantFault[*types.UnknownResourceFault](t, err)
	}
	exWantOpen(t, f.c, "wf")
	exWantOpen(t, f.c, "other")
}

func TestStartDeprecatedType(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	running := f.start("before")
	_, err := f.c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: f.domain, WorkflowType: workflowType("order", "1")})
	must(t, err)
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("after"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.TypeDeprecatedFault](t, err)
	exWantOpen(t, f.c, "wf", "before")

	// The run started before goes on.
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: running.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	if ds := f.describe(running).ExecutionInfo; ds.ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("run of a type deprecated since: %+v", ds)
	}

	_, err = f.c.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: f.domain, WorkflowType: workflowType("order", "1")})
	must(t, err)
	f.Clock.Advance(time.Second)
	f.start("after")
	exWantOpen(t, f.c, "wf", "after", "before")
}

func TestStartInDeprecatedDomain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	running := f.start("before")
	_, err := f.c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: f.domain})
	must(t, err)
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("after"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.UnknownResourceFault](t, err)
	// Not even a workflowId that is open (the domain is checked first).
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("before"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.UnknownResourceFault](t, err)
	exWantOpen(t, f.c, "wf", "before")

	// What runs goes on, and stays visible.
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("before"), SignalName: aws.String("s")})
	must(t, err)
	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(running.RunId) {
		t.Fatalf("decision task of %v", d.WorkflowExecution)
	}
	f.decide(d.TaskToken, completeWorkflow("done"))
	if info := f.describe(running).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("run in a deprecated domain: %+v", info)
	}
	if got := exClosedIDs(t, f.c, "wf"); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("closed runs = %v", got)
	}

	_, err = f.c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: f.domain})
	must(t, err)
	// The domain's types stayed deprecated.
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("after"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.TypeDeprecatedFault](t, err)
}

func TestStartWorkflowIDAlreadyOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.start("dup")
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("dup"), WorkflowType: workflowType("order", "1"), Input: aws.String("second")})
	wantFault[*types.WorkflowExecutionAlreadyStartedFault](t, err)
	exWantOpen(t, f.c, "wf", "dup")
	if got := eventTypes(f.history(first)); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
		t.Fatalf("history of the open run after a refused start: %v", got)
	}
	if d, _ := f.exPending(deciderList, workerList); d != 1 {
		t.Fatalf("pending decision tasks = %d, want 1", d)
	}

	// The same workflowId in another domain is another workflow.
	registerDomain(t, f.c, "other")
	_, err = f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String("other"), Name: aws.String("order"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
	out, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("other"), WorkflowId: aws.String("dup"), WorkflowType: workflowType("order", "1")})
	must(t, err)
	if aws.ToString(out.RunId) == aws.ToString(first.RunId) {
		t.Fatal("two runs share a runId")
	}
	exWantOpen(t, f.c, "other", "dup")

	// Once the first run has closed, its workflowId may be used again by a
	// new run.
	f.Clock.Advance(time.Second)
	f.exTerminate(first)
	f.Clock.Advance(time.Second)
	second := f.start("dup")
	if aws.ToString(second.RunId) == aws.ToString(first.RunId) {
		t.Fatal("the new run has the runId of the closed one")
	}
	exWantOpen(t, f.c, "wf", "dup")
	if got := exClosedIDs(t, f.c, "wf"); !slices.Equal(got, []string{"dup"}) {
		t.Fatalf("closed runs = %v", got)
	}
	if info := f.describe(first).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("first run: %+v", info)
	}
	info := f.describe(second).ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusOpen || !exSameTime(info.StartTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("second run: %+v", info)
	}
	if a := f.exStarted(second); aws.ToString(a.Input) != "in:dup" {
		t.Fatalf("second run started with %+v", a)
	}
	// Signals without a runId go to the open run.
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("dup"), SignalName: aws.String("to-open")})
	must(t, err)
	if e := f.lastEvent(second, types.EventTypeWorkflowExecutionSignaled); aws.ToString(e.WorkflowExecutionSignaledEventAttributes.SignalName) != "to-open" {
		t.Fatalf("signal: %+v", e)
	}
	if got := eventTypes(f.history(first)); got[len(got)-1] != "WorkflowExecutionTerminated" {
		t.Fatalf("closed run got events: %v", got)
	}

	// And again.
	f.exTerminate(second)
	third := f.start("dup")
	if r := aws.ToString(third.RunId); r == aws.ToString(first.RunId) || r == aws.ToString(second.RunId) {
		t.Fatal("the third run reuses a runId")
	}
	if got := exClosedIDs(t, f.c, "wf"); !slices.Equal(got, []string{"dup", "dup"}) {
		t.Fatalf("closed runs = %v", got)
	}
}

func TestStartValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		field string
		mod   func(*swf.StartWorkflowExecutionInput)
	}{
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("NONE") }},
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("31536001") }},
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("99999999") }},
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("ten") }},
		{"executionStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("-1") }},
		{"tagList", func(in *swf.StartWorkflowExecutionInput) { in.TagList = []string{"1", "2", "3", "4", "5", "6"} }},
		{"tagList.1.member", func(in *swf.StartWorkflowExecutionInput) { in.TagList = []string{strings.Repeat("t", 257)} }},
		{"input", func(in *swf.StartWorkflowExecutionInput) { in.Input = aws.String(strings.Repeat("x", 32769)) }},
		{"input", func(in *swf.StartWorkflowExecutionInput) { in.Input = aws.String(strings.Repeat("é", 32769)) }},
		{"workflowId", func(in *swf.StartWorkflowExecutionInput) { in.WorkflowId = aws.String("a:b") }},
		{"workflowId", func(in *swf.StartWorkflowExecutionInput) { in.WorkflowId = aws.String(strings.Repeat("w", 257)) }},
		{"taskStartToCloseTimeout", func(in *swf.StartWorkflowExecutionInput) { in.TaskStartToCloseTimeout = aws.String("soon") }},
		{"childPolicy", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = "KILL" }},
		{"taskPriority", func(in *swf.StartWorkflowExecutionInput) { in.TaskPriority = aws.String("2147483648") }},
	}
	for i, tc := range cases {
		in := &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String(fmt.Sprintf("bad-%d", i)), WorkflowType: workflowType("order", "1")}
		tc.mod(in)
		_, err := f.c.StartWorkflowExecution(ctx, in)
		wantValidation(t, err, tc.field)
	}
	exWantOpen(t, f.c, "wf")
	if d, _ := f.exPending(deciderList, workerList); d != 0 {
		t.Fatalf("pending decision tasks after refused starts = %d", d)
	}

	// The limits themselves are allowed.
	ex := f.start("at-limits", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("31536000")
		in.TagList = []string{"1", "2", "3", "4", strings.Repeat("t", 256)}
		in.Input = aws.String(strings.Repeat("é", 32768))
	})
	a := f.exStarted(ex)
	if aws.ToString(a.ExecutionStartToCloseTimeout) != "31536000" || len(a.TagList) != 5 || len(aws.ToString(a.Input)) != 2*32768 {
		t.Fatalf("run started at the limits: timeout %s, %d tags, input of %d bytes", aws.ToString(a.ExecutionStartToCloseTimeout), len(a.TagList), len(aws.ToString(a.Input)))
	}
	exWantOpen(t, f.c, "wf", "at-limits")
}

func TestStartOpenExecutionLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 2 }))
	first := f.start("one")
	f.Clock.Advance(time.Second)
	f.start("two") // the last one allowed
	f.Clock.Advance(time.Second)
	_, err := f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("three"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
	exWantOpen(t, f.c, "wf", "two", "one")
	if d, _ := f.exPending(deciderList, workerList); d != 2 {
		t.Fatalf("pending decision tasks = %d, want 2", d)
	}

	// The limit is per domain.
	registerDomain(t, f.c, "other")
	_, err = f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String("other"), Name: aws.String("order"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("other"), WorkflowId: aws.String("three"), WorkflowType: workflowType("order", "1")})
	must(t, err)

	// Closing a run frees a place.
	f.exTerminate(first)
	f.start("three")
	_, err = f.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("four"), WorkflowType: workflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
	exWantOpen(t, f.c, "wf", "three", "two")
}

// exIdle lets the run's first decision task go by without a decision, so
// that it has no decision task scheduled or started.
func (f *fixture) exIdle(ex *types.WorkflowExecution) {
	f.t.Helper()
	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		f.t.Fatalf("decision task of %v, want %v", d.WorkflowExecution, ex)
	}
	f.decide(d.TaskToken)
	if n := f.describe(ex).OpenCounts.OpenDecisionTasks; n != 0 {
		f.t.Fatalf("open decision tasks after the decision = %d", n)
	}
}

// exTail returns the types of the run's events after the first n.
func (f *fixture) exTail(ex *types.WorkflowExecution, n int) []string {
	f.t.Helper()
	got := eventTypes(f.history(ex))
	if len(got) < n {
		f.t.Fatalf("history shorter than %d: %v", n, got)
	}
	return got[n:]
}

func TestSignalWorkflowExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("sig")
	f.exIdle(ex) // events 1-4
	if d, _ := f.exPending(deciderList, workerList); d != 0 {
		t.Fatalf("pending decision tasks = %d", d)
	}

	// Without a runId: the open run of the workflowId.
	f.Clock.Advance(1500 * time.Millisecond)
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String("go"), Input: aws.String("payload")})
	must(t, err)
	h := f.history(ex)
	if got := eventTypes(h[4:]); !slices.Equal(got, []string{"WorkflowExecutionSignaled", "DecisionTaskScheduled"}) {
		t.Fatalf("events after a signal: %v", got)
	}
	s := h[4].WorkflowExecutionSignaledEventAttributes
	if aws.ToString(s.SignalName) != "go" || aws.ToString(s.Input) != "payload" || s.ExternalInitiatedEventId != 0 || s.ExternalWorkflowExecution != nil {
		t.Fatalf("WorkflowExecutionSignaled = %+v", s)
	}
	at := swftest.Epoch.Add(1500 * time.Millisecond)
	if !exSameTime(h[4].EventTimestamp, at) || !exSameTime(h[5].EventTimestamp, at) {
		t.Fatalf("signal recorded at %v and %v, want %v", h[4].EventTimestamp, h[5].EventTimestamp, at)
	}
	if d, _ := f.exPending(deciderList, workerList); d != 1 {
		t.Fatalf("pending decision tasks after a signal = %d, want 1", d)
	}
	if n := f.describe(ex).OpenCounts.OpenDecisionTasks; n != 1 {
		t.Fatalf("open decision tasks after a signal = %d, want 1", n)
	}

	// With the runId, and with an empty runId (which SWF takes as none):
	// no second decision task while one is scheduled.
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("again")})
	must(t, err)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), RunId: aws.String(""), SignalName: aws.String("third"), Input: aws.String("")})
	must(t, err)
	h = f.history(ex)
	if got := eventTypes(h[6:]); !slices.Equal(got, []string{"WorkflowExecutionSignaled", "WorkflowExecutionSignaled"}) {
		t.Fatalf("events after two more signals: %v", got)
	}
	if s := h[6].WorkflowExecutionSignaledEventAttributes; aws.ToString(s.SignalName) != "again" || s.Input != nil {
		t.Fatalf("second signal = %+v", s)
	}
	if s := h[7].WorkflowExecutionSignaledEventAttributes; aws.ToString(s.SignalName) != "third" {
		t.Fatalf("third signal = %+v", s)
	}
	if d, _ := f.exPending(deciderList, workerList); d != 1 {
		t.Fatalf("pending decision tasks after three signals = %d, want 1", d)
	}

	// The decider sees the signals; one that comes while it decides calls
	// for another decision task once it is done.
	d := f.decision()
	if d.PreviousStartedEventId != 3 || d.StartedEventId != 9 {
		t.Fatalf("decision task: started %d, previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String("late")})
	must(t, err)
	if got := f.exTail(ex, 9); !slices.Equal(got, []string{"WorkflowExecutionSignaled"}) {
		t.Fatalf("events after a signal during a decision: %v", got)
	}
	f.decide(d.TaskToken)
	if got := f.exTail(ex, 9); !slices.Equal(got, []string{"WorkflowExecutionSignaled", "DecisionTaskCompleted", "DecisionTaskScheduled"}) {
		t.Fatalf("events after the decision: %v", got)
	}

	// Unknown runs.
	for _, in := range []*swf.SignalWorkflowExecutionInput{
		{Domain: f.domain, WorkflowId: aws.String("nope"), SignalName: aws.String("s")},
		{Domain: f.domain, WorkflowId: aws.String("sig"), RunId: aws.String("not-a-run"), SignalName: aws.String("s")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("sig"), SignalName: aws.String("s")},
	} {
		_, err = f.c.SignalWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String(strings.Repeat("s", 257))})
	wantValidation(t, err, "signalName")
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String("s"), Input: aws.String(strings.Repeat("i", 32769))})
	wantValidation(t, err, "input")

	// A closed run takes no signal, by runId or by workflowId.
	f.exTerminate(ex)
	n := len(f.history(ex))
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := f.exTail(ex, n); len(got) != 0 {
		t.Fatalf("a closed run recorded %v", got)
	}

	// Once a new run has the workflowId, a signal with the old runId is
	// still refused, and one without goes to the new run.
	next := f.start("sig")
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("sig"), SignalName: aws.String("to-next")})
	must(t, err)
	if got := f.exTail(next, 0); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled"}) {
		t.Fatalf("history of the new run: %v", got)
	}
}

func TestRequestCancelWorkflowExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("cancel-me")
	f.exIdle(ex)
	if f.describe(ex).ExecutionInfo.CancelRequested {
		t.Fatal("cancelRequested before any request")
	}
	f.Clock.Advance(time.Second)
	_, err := f.c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("cancel-me")})
	must(t, err)
	h := f.history(ex)
	if got := eventTypes(h[4:]); !slices.Equal(got, []string{"WorkflowExecutionCancelRequested", "DecisionTaskScheduled"}) {
		t.Fatalf("events after a cancel request: %v", got)
	}
	a := h[4].WorkflowExecutionCancelRequestedEventAttributes
	if a == nil || a.Cause != "" || a.ExternalInitiatedEventId != 0 || a.ExternalWorkflowExecution != nil {
		t.Fatalf("WorkflowExecutionCancelRequested = %+v", a)
	}
	if !exSameTime(h[4].EventTimestamp, swftest.Epoch.Add(time.Second)) {
		t.Fatalf("cancel request recorded at %v", h[4].EventTimestamp)
	}
	desc := f.describe(ex)
	if !desc.ExecutionInfo.CancelRequested || desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusOpen || desc.OpenCounts.OpenDecisionTasks != 1 {
		t.Fatalf("after a cancel request: %+v %+v", desc.ExecutionInfo, desc.OpenCounts)
	}
	if d, _ := f.exPending(deciderList, workerList); d != 1 {
		t.Fatalf("pending decision tasks after a cancel request = %d, want 1", d)
	}
	list, err := f.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: f.domain, StartTimeFilter: exAllTime()})
	must(t, err)
	if len(list.ExecutionInfos) != 1 || !list.ExecutionInfos[0].CancelRequested {
		t.Fatalf("ListOpenWorkflowExecutions after a cancel request: %+v", list.ExecutionInfos)
	}

	// With the runId as well; the decider decides what to do.
	_, err = f.c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("cancel-me"), RunId: ex.RunId})
	must(t, err)
	d := f.decision()
	if got := eventTypes(d.Events); !slices.Contains(got, "WorkflowExecutionCancelRequested") {
		t.Fatalf("the decider does not see the request: %v", got)
	}
	f.decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String("as asked")}})
	info := f.describe(ex).ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled || !info.CancelRequested {
		t.Fatalf("canceled run: %+v", info)
	}

	// Closed or unknown: UnknownResourceFault, and nothing recorded.
	n := len(f.history(ex))
	for _, in := range []*swf.RequestCancelWorkflowExecutionInput{
		{Domain: f.domain, WorkflowId: aws.String("cancel-me")},
		{Domain: f.domain, WorkflowId: aws.String("cancel-me"), RunId: ex.RunId},
		{Domain: f.domain, WorkflowId: aws.String("nope")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("cancel-me")},
	} {
		_, err = f.c.RequestCancelWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	if got := f.exTail(ex, n); len(got) != 0 {
		t.Fatalf("a closed run recorded %v", got)
	}
}

func TestTerminateWorkflowExecution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("term", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = types.ChildPolicyRequestCancel })
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2"))
	a1 := f.activity()
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("term"), SignalName: aws.String("s")})
	must(t, err)
	if dn, an := f.exPending(deciderList, workerList); dn != 1 || an != 1 {
		t.Fatalf("pending before termination: %d decision, %d activity tasks", dn, an)
	}
	if oc := f.describe(ex).OpenCounts; oc.OpenDecisionTasks != 1 || oc.OpenActivityTasks != 2 {
		t.Fatalf("open counts before termination: %+v", oc)
	}

	f.Clock.Advance(2 * time.Second)
	_, err = f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("term"), Reason: aws.String("because"), Details: aws.String("the details")})
	must(t, err)
	last := f.history(ex)
	e := last[len(last)-1]
	if e.EventType != types.EventTypeWorkflowExecutionTerminated || !exSameTime(e.EventTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("last event: %s at %v", e.EventType, e.EventTimestamp)
	}
	ta := e.WorkflowExecutionTerminatedEventAttributes
	if aws.ToString(ta.Reason) != "because" || aws.ToString(ta.Details) != "the details" || ta.ChildPolicy != types.ChildPolicyRequestCancel ||
		ta.Cause != types.WorkflowExecutionTerminatedCauseOperatorInitiated {
		t.Fatalf("WorkflowExecutionTerminated = %+v", ta)
	}
	desc := f.describe(ex)
	info := desc.ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTerminated ||
		!exSameTime(info.CloseTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("terminated run: %+v", info)
	}
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 0 || oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 || oc.OpenLambdaFunctions != 0 {
		t.Fatalf("open counts after termination: %+v", oc)
	}
	if dn, an := f.exPending(deciderList, workerList); dn != 0 || an != 0 {
		t.Fatalf("pending after termination: %d decision, %d activity tasks", dn, an)
	}
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a1.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	// Terminating again, by workflowId or runId, finds nothing open.
	for _, in := range []*swf.TerminateWorkflowExecutionInput{
		{Domain: f.domain, WorkflowId: aws.String("term")},
		{Domain: f.domain, WorkflowId: aws.String("term"), RunId: ex.RunId},
		{Domain: f.domain, WorkflowId: aws.String("nope")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("term")},
	} {
		_, err = f.c.TerminateWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	if got := f.exTail(ex, len(last)); len(got) != 0 {
		t.Fatalf("a terminated run recorded %v", got)
	}
	exWantOpen(t, f.c, "wf")

	// A child policy given overrides the run's; a started decision task
	// is gone with the run.
	f.Clock.Advance(time.Second)
	ex2 := f.start("term-2")
	d = f.decision()
	_, err = f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("term-2"), RunId: ex2.RunId, ChildPolicy: types.ChildPolicyAbandon})
	must(t, err)
	ta = f.lastEvent(ex2, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes
	if ta.ChildPolicy != types.ChildPolicyAbandon || ta.Reason != nil || ta.Details != nil {
		t.Fatalf("WorkflowExecutionTerminated = %+v", ta)
	}
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{completeWorkflow("late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := eventTypes(f.history(ex2)); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionTerminated"}) {
		t.Fatalf("history of the second run: %v", got)
	}

	// The run's own policy when none is given: the type's default.
	ex3 := f.start("term-3")
	f.exTerminate(ex3)
	if p := f.lastEvent(ex3, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes.ChildPolicy; p != types.ChildPolicyTerminate {
		t.Fatalf("child policy = %s, want TERMINATE", p)
	}
	_, err = f.c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: f.domain, WorkflowId: aws.String("x"), Reason: aws.String(strings.Repeat("r", 257))})
	wantValidation(t, err, "reason")
}
