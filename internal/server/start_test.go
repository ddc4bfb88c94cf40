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

// startedEvent returns the WorkflowExecutionStarted event of a run,
// checking that it is the first one.
func startedEvent(d *swftest.Domain, ex *types.WorkflowExecution) *types.WorkflowExecutionStartedEventAttributes {
	t := d.T()
	t.Helper()
	h := d.History(ex)
	if len(h) == 0 || h[0].EventType != types.EventTypeWorkflowExecutionStarted {
		t.Fatalf("history does not begin with WorkflowExecutionStarted: %v", swftest.EventTypes(h))
	}
	a := h[0].WorkflowExecutionStartedEventAttributes
	if a == nil {
		t.Fatal("WorkflowExecutionStarted without its attributes")
	}
	return a
}

// sameTime tells whether an optional timestamp is set and is when.
func sameTime(a *time.Time, when time.Time) bool {
	return a != nil && a.Equal(when)
}

func TestStartRequestOverridesTypeDefaults(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	_, err := d.Client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(d.Name), Name: aws.String("full"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("default-list")},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
		DefaultTaskPriority:                 aws.String("5"),
		DefaultLambdaRole:                   aws.String("arn:aws:iam::123456789012:role/default"),
	})
	must(t, err)
	d.Clock.Advance(1500 * time.Millisecond)
	out, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: aws.String("given"), WorkflowType: swftest.WorkflowType("full", "1"),
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

	h := d.History(ex)
	if got := swftest.EventTypes(h); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
		t.Fatalf("history of a new run: %v", got)
	}
	started := swftest.Epoch.Add(1500 * time.Millisecond)
	for _, e := range h {
		if !sameTime(e.EventTimestamp, started) {
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

	desc := d.Describe(ex)
	c := desc.ExecutionConfiguration
	if aws.ToString(c.ExecutionStartToCloseTimeout) != "7200" || aws.ToString(c.TaskStartToCloseTimeout) != "NONE" ||
		c.ChildPolicy != types.ChildPolicyAbandon || aws.ToString(c.TaskList.Name) != "given-list" ||
		aws.ToString(c.TaskPriority) != "-3" || aws.ToString(c.LambdaRole) != "arn:aws:iam::123456789012:role/given" {
		t.Errorf("executionConfiguration = %+v", c)
	}
	if !slices.Equal(desc.ExecutionInfo.TagList, []string{"t1", "t2"}) || !sameTime(desc.ExecutionInfo.StartTimestamp, started) {
		t.Errorf("executionInfo = %+v", desc.ExecutionInfo)
	}

	// The decision task waits on the given list, not on the default one.
	if pending := d.PendingDecisions("given-list"); pending != 1 {
		t.Errorf("pending decision tasks on the given list = %d, want 1", pending)
	}
	if pending := d.PendingDecisions("default-list"); pending != 0 {
		t.Errorf("pending decision tasks on the default list = %d, want 0", pending)
	}
}

func TestStartTakesWhatIsAbsentFromTheTypeDefaults(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	_, err := d.Client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(d.Name), Name: aws.String("full"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("default-list")},
		DefaultExecutionStartToCloseTimeout: aws.String("86400"),
		DefaultTaskStartToCloseTimeout:      aws.String("45"),
		DefaultChildPolicy:                  types.ChildPolicyRequestCancel,
		DefaultTaskPriority:                 aws.String("7"),
		DefaultLambdaRole:                   aws.String("arn:aws:iam::123456789012:role/default"),
	})
	must(t, err)
	out, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("defaults"), WorkflowType: swftest.WorkflowType("full", "1")})
	must(t, err)
	ex := &types.WorkflowExecution{WorkflowId: aws.String("defaults"), RunId: out.RunId}
	a := startedEvent(d, ex)
	if a.Input != nil || aws.ToString(a.ExecutionStartToCloseTimeout) != "86400" ||
		aws.ToString(a.TaskStartToCloseTimeout) != "45" || a.ChildPolicy != types.ChildPolicyRequestCancel ||
		aws.ToString(a.TaskList.Name) != "default-list" || aws.ToString(a.TaskPriority) != "7" ||
		aws.ToString(a.WorkflowType.Name) != "full" || aws.ToString(a.WorkflowType.Version) != "1" ||
		a.TagList != nil || aws.ToString(a.LambdaRole) != "arn:aws:iam::123456789012:role/default" {
		t.Errorf("WorkflowExecutionStarted = %+v", a)
	}
	c := d.Describe(ex).ExecutionConfiguration
	if aws.ToString(c.ExecutionStartToCloseTimeout) != "86400" || aws.ToString(c.TaskStartToCloseTimeout) != "45" ||
		c.ChildPolicy != types.ChildPolicyRequestCancel || aws.ToString(c.TaskList.Name) != "default-list" ||
		aws.ToString(c.TaskPriority) != "7" || aws.ToString(c.LambdaRole) != "arn:aws:iam::123456789012:role/default" {
		t.Errorf("executionConfiguration = %+v", c)
	}
	if pending := d.PendingDecisions("default-list"); pending != 1 {
		t.Errorf("pending decision tasks on the default list = %d, want 1", pending)
	}

	// Some given, the rest from the defaults.
	out, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(d.Name), WorkflowId: aws.String("mixed"), WorkflowType: swftest.WorkflowType("full", "1"),
		TaskStartToCloseTimeout: aws.String("10"), TaskPriority: aws.String("0"),
	})
	must(t, err)
	a = startedEvent(d, &types.WorkflowExecution{WorkflowId: aws.String("mixed"), RunId: out.RunId})
	if aws.ToString(a.ExecutionStartToCloseTimeout) != "86400" || aws.ToString(a.TaskStartToCloseTimeout) != "10" ||
		a.ChildPolicy != types.ChildPolicyRequestCancel || aws.ToString(a.TaskList.Name) != "default-list" ||
		aws.ToString(a.TaskPriority) != "0" {
		t.Errorf("WorkflowExecutionStarted of a partly given start = %+v", a)
	}

	// A type without a default priority or Lambda role: priority "0", no
	// role.
	ex = d.Start("plain")
	a = startedEvent(d, ex)
	if aws.ToString(a.TaskPriority) != "0" || a.LambdaRole != nil || aws.ToString(a.Input) != "in:plain" ||
		aws.ToString(a.ExecutionStartToCloseTimeout) != "3600" || aws.ToString(a.TaskStartToCloseTimeout) != "30" ||
		a.ChildPolicy != types.ChildPolicyTerminate || aws.ToString(a.TaskList.Name) != swftest.DeciderList {
		t.Errorf("WorkflowExecutionStarted of the fixture type = %+v", a)
	}
	c = d.Describe(ex).ExecutionConfiguration
	if aws.ToString(c.TaskPriority) != "0" || c.LambdaRole != nil {
		t.Errorf("executionConfiguration of the fixture type = %+v", c)
	}
}

func TestStartDefaultUndefined(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	_, err := d.Client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(d.Name), Name: aws.String("bare"), Version: aws.String("1")})
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
		in := &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String(fmt.Sprintf("undefined-%d", i)), WorkflowType: swftest.WorkflowType("bare", "1")}
		full(in)
		tc.drop(in)
		_, err := d.Client.StartWorkflowExecution(ctx, in)
		fault := wantFault[*types.DefaultUndefinedFault](t, err)
		if !strings.Contains(fault.ErrorMessage(), tc.missing) {
			t.Errorf("case %d: DefaultUndefinedFault %q does not name %s", i, fault.ErrorMessage(), tc.missing)
		}
	}
	d.WantOpen()
	if got := d.ClosedWorkflowIDs(); len(got) != 0 {
		t.Fatalf("closed runs after refused starts: %v", got)
	}

	// Given everything, the bare type starts.
	in := &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("complete"), WorkflowType: swftest.WorkflowType("bare", "1")}
	full(in)
	_, err = d.Client.StartWorkflowExecution(ctx, in)
	must(t, err)
	d.WantOpen("complete")
}

func TestStartUnknownDomainOrType(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	other := d.BareDomain("other")
	cases := []struct {
		domain string
		typ    *types.WorkflowType
	}{
		{"nope", swftest.WorkflowType("order", "1")},
		{"wf", swftest.WorkflowType("order", "2")},
		{"wf", swftest.WorkflowType("missing", "1")},
		{"wf", swftest.WorkflowType("work", "1")}, // an activity type, not a workflow type
		{"other", swftest.WorkflowType("order", "1")},
	}
	for _, tc := range cases {
		_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(tc.domain), WorkflowId: aws.String("w"), WorkflowType: tc.typ})
		wantFault[*types.UnknownResourceFault](t, err)
	}
	d.WantOpen()
	other.WantOpen()
}

func TestStartDeprecatedType(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	running := d.Start("before")
	_, err := d.Client.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("order", "1")})
	must(t, err)
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("after"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.TypeDeprecatedFault](t, err)
	d.WantOpen("before")

	// The run started before goes on.
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: running.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	if ds := d.Describe(running).ExecutionInfo; ds.ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("run of a type deprecated since: %+v", ds)
	}

	_, err = d.Client.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("order", "1")})
	must(t, err)
	d.Clock.Advance(time.Second)
	d.Start("after")
	d.WantOpen("after", "before")
}

func TestStartInDeprecatedDomain(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	running := d.Start("before")
	_, err := d.Client.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String(d.Name)})
	must(t, err)
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("after"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.UnknownResourceFault](t, err)
	// Not even a workflowId that is open (the domain is checked first).
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("before"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.UnknownResourceFault](t, err)
	d.WantOpen("before")

	// What runs goes on, and stays visible.
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("before"), SignalName: aws.String("s")})
	must(t, err)
	task := d.PollDecision()
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(running.RunId) {
		t.Fatalf("decision task of %v", task.WorkflowExecution)
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("done"))
	if info := d.Describe(running).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("run in a deprecated domain: %+v", info)
	}
	if got := d.ClosedWorkflowIDs(); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("closed runs = %v", got)
	}

	_, err = d.Client.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String(d.Name)})
	must(t, err)
	// The domain's types stayed deprecated.
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("after"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.TypeDeprecatedFault](t, err)
}

func TestStartWorkflowIDAlreadyOpen(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	first := d.Start("dup")
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("dup"), WorkflowType: swftest.WorkflowType("order", "1"), Input: aws.String("second")})
	wantFault[*types.WorkflowExecutionAlreadyStartedFault](t, err)
	d.WantOpen("dup")
	if got := swftest.EventTypes(d.History(first)); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
		t.Fatalf("history of the open run after a refused start: %v", got)
	}
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 1 {
		t.Fatalf("pending decision tasks = %d, want 1", pending)
	}

	// The same workflowId in another domain is another workflow.
	other := d.Server.Domain("other")
	out, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("other"), WorkflowId: aws.String("dup"), WorkflowType: swftest.WorkflowType("order", "1")})
	must(t, err)
	if aws.ToString(out.RunId) == aws.ToString(first.RunId) {
		t.Fatal("two runs share a runId")
	}
	other.WantOpen("dup")

	// Once the first run has closed, its workflowId may be used again by a
	// new run.
	d.Clock.Advance(time.Second)
	d.Terminate(first)
	d.Clock.Advance(time.Second)
	second := d.Start("dup")
	if aws.ToString(second.RunId) == aws.ToString(first.RunId) {
		t.Fatal("the new run has the runId of the closed one")
	}
	d.WantOpen("dup")
	if got := d.ClosedWorkflowIDs(); !slices.Equal(got, []string{"dup"}) {
		t.Fatalf("closed runs = %v", got)
	}
	if info := d.Describe(first).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("first run: %+v", info)
	}
	info := d.Describe(second).ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusOpen || !sameTime(info.StartTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("second run: %+v", info)
	}
	if a := startedEvent(d, second); aws.ToString(a.Input) != "in:dup" {
		t.Fatalf("second run started with %+v", a)
	}
	// Signals without a runId go to the open run.
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("dup"), SignalName: aws.String("to-open")})
	must(t, err)
	if e := d.LastEvent(second, types.EventTypeWorkflowExecutionSignaled); aws.ToString(e.WorkflowExecutionSignaledEventAttributes.SignalName) != "to-open" {
		t.Fatalf("signal: %+v", e)
	}
	if got := swftest.EventTypes(d.History(first)); got[len(got)-1] != "WorkflowExecutionTerminated" {
		t.Fatalf("closed run got events: %v", got)
	}

	// And again.
	d.Terminate(second)
	third := d.Start("dup")
	if r := aws.ToString(third.RunId); r == aws.ToString(first.RunId) || r == aws.ToString(second.RunId) {
		t.Fatal("the third run reuses a runId")
	}
	if got := d.ClosedWorkflowIDs(); !slices.Equal(got, []string{"dup", "dup"}) {
		t.Fatalf("closed runs = %v", got)
	}
}

func TestStartValidation(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
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
		in := &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String(fmt.Sprintf("bad-%d", i)), WorkflowType: swftest.WorkflowType("order", "1")}
		tc.mod(in)
		_, err := d.Client.StartWorkflowExecution(ctx, in)
		wantValidation(t, err, tc.field)
	}
	d.WantOpen()
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 0 {
		t.Fatalf("pending decision tasks after refused starts = %d", pending)
	}

	// The limits themselves are allowed.
	ex := d.Start("at-limits", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("31536000")
		in.TagList = []string{"1", "2", "3", "4", strings.Repeat("t", 256)}
		in.Input = aws.String(strings.Repeat("é", 32768))
	})
	a := startedEvent(d, ex)
	if aws.ToString(a.ExecutionStartToCloseTimeout) != "31536000" || len(a.TagList) != 5 || len(aws.ToString(a.Input)) != 2*32768 {
		t.Fatalf("run started at the limits: timeout %s, %d tags, input of %d bytes", aws.ToString(a.ExecutionStartToCloseTimeout), len(a.TagList), len(aws.ToString(a.Input)))
	}
	d.WantOpen("at-limits")
}

func TestStartOpenExecutionLimit(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.OpenExecutions = 2 }))
	first := d.Start("one")
	d.Clock.Advance(time.Second)
	d.Start("two") // the last one allowed
	d.Clock.Advance(time.Second)
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("three"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
	d.WantOpen("two", "one")
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 2 {
		t.Fatalf("pending decision tasks = %d, want 2", pending)
	}

	// The limit is per domain.
	d.Server.Domain("other").Start("three")

	// Closing a run frees a place.
	d.Terminate(first)
	d.Start("three")
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("four"), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.LimitExceededFault](t, err)
	d.WantOpen("three", "two")
}

// idle lets the run's first decision task go by without a decision, so
// that it has no decision task scheduled or started.
func idle(d *swftest.Domain, ex *types.WorkflowExecution) {
	t := d.T()
	t.Helper()
	task := d.PollDecision()
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("decision task of %v, want %v", task.WorkflowExecution, ex)
	}
	d.Decide(task.TaskToken)
	if n := d.Describe(ex).OpenCounts.OpenDecisionTasks; n != 0 {
		t.Fatalf("open decision tasks after the decision = %d", n)
	}
}

// tail returns the types of the run's events after the first n.
func tail(d *swftest.Domain, ex *types.WorkflowExecution, n int) []types.EventType {
	t := d.T()
	t.Helper()
	got := swftest.EventTypes(d.History(ex))
	if len(got) < n {
		t.Fatalf("history shorter than %d: %v", n, got)
	}
	return got[n:]
}

func TestSignalWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("sig")
	idle(d, ex) // events 1-4
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 0 {
		t.Fatalf("pending decision tasks = %d", pending)
	}

	// Without a runId: the open run of the workflowId.
	d.Clock.Advance(1500 * time.Millisecond)
	_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String("go"), Input: aws.String("payload")})
	must(t, err)
	h := d.History(ex)
	if got := swftest.EventTypes(h[4:]); !slices.Equal(got, []types.EventType{"WorkflowExecutionSignaled", "DecisionTaskScheduled"}) {
		t.Fatalf("events after a signal: %v", got)
	}
	s := h[4].WorkflowExecutionSignaledEventAttributes
	if aws.ToString(s.SignalName) != "go" || aws.ToString(s.Input) != "payload" || s.ExternalInitiatedEventId != 0 || s.ExternalWorkflowExecution != nil {
		t.Fatalf("WorkflowExecutionSignaled = %+v", s)
	}
	at := swftest.Epoch.Add(1500 * time.Millisecond)
	if !sameTime(h[4].EventTimestamp, at) || !sameTime(h[5].EventTimestamp, at) {
		t.Fatalf("signal recorded at %v and %v, want %v", h[4].EventTimestamp, h[5].EventTimestamp, at)
	}
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 1 {
		t.Fatalf("pending decision tasks after a signal = %d, want 1", pending)
	}
	if n := d.Describe(ex).OpenCounts.OpenDecisionTasks; n != 1 {
		t.Fatalf("open decision tasks after a signal = %d, want 1", n)
	}

	// With the runId, and with an empty runId (which SWF takes as none):
	// no second decision task while one is scheduled.
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("again")})
	must(t, err)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), RunId: aws.String(""), SignalName: aws.String("third"), Input: aws.String("")})
	must(t, err)
	h = d.History(ex)
	if got := swftest.EventTypes(h[6:]); !slices.Equal(got, []types.EventType{"WorkflowExecutionSignaled", "WorkflowExecutionSignaled"}) {
		t.Fatalf("events after two more signals: %v", got)
	}
	if s := h[6].WorkflowExecutionSignaledEventAttributes; aws.ToString(s.SignalName) != "again" || s.Input != nil {
		t.Fatalf("second signal = %+v", s)
	}
	if s := h[7].WorkflowExecutionSignaledEventAttributes; aws.ToString(s.SignalName) != "third" {
		t.Fatalf("third signal = %+v", s)
	}
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 1 {
		t.Fatalf("pending decision tasks after three signals = %d, want 1", pending)
	}

	// The decider sees the signals; one that comes while it decides calls
	// for another decision task once it is done.
	task := d.PollDecision()
	if task.PreviousStartedEventId != 3 || task.StartedEventId != 9 {
		t.Fatalf("decision task: started %d, previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String("late")})
	must(t, err)
	if got := tail(d, ex, 9); !slices.Equal(got, []types.EventType{"WorkflowExecutionSignaled"}) {
		t.Fatalf("events after a signal during a decision: %v", got)
	}
	d.Decide(task.TaskToken)
	if got := tail(d, ex, 9); !slices.Equal(got, []types.EventType{"WorkflowExecutionSignaled", "DecisionTaskCompleted", "DecisionTaskScheduled"}) {
		t.Fatalf("events after the decision: %v", got)
	}

	// Unknown runs.
	for _, in := range []*swf.SignalWorkflowExecutionInput{
		{Domain: aws.String(d.Name), WorkflowId: aws.String("nope"), SignalName: aws.String("s")},
		{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), RunId: aws.String("not-a-run"), SignalName: aws.String("s")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("sig"), SignalName: aws.String("s")},
	} {
		_, err = d.Client.SignalWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String(strings.Repeat("s", 257))})
	wantValidation(t, err, "signalName")
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String("s"), Input: aws.String(strings.Repeat("i", 32769))})
	wantValidation(t, err, "input")

	// A closed run takes no signal, by runId or by workflowId.
	d.Terminate(ex)
	n := len(d.History(ex))
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := tail(d, ex, n); len(got) != 0 {
		t.Fatalf("a closed run recorded %v", got)
	}

	// Once a new run has the workflowId, a signal with the old runId is
	// still refused, and one without goes to the new run.
	next := d.Start("sig")
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), RunId: ex.RunId, SignalName: aws.String("s")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sig"), SignalName: aws.String("to-next")})
	must(t, err)
	if got := tail(d, next, 0); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled"}) {
		t.Fatalf("history of the new run: %v", got)
	}
}

func TestRequestCancelWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("cancel-me")
	idle(d, ex)
	if d.Describe(ex).ExecutionInfo.CancelRequested {
		t.Fatal("cancelRequested before any request")
	}
	d.Clock.Advance(time.Second)
	_, err := d.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("cancel-me")})
	must(t, err)
	h := d.History(ex)
	if got := swftest.EventTypes(h[4:]); !slices.Equal(got, []types.EventType{"WorkflowExecutionCancelRequested", "DecisionTaskScheduled"}) {
		t.Fatalf("events after a cancel request: %v", got)
	}
	a := h[4].WorkflowExecutionCancelRequestedEventAttributes
	if a == nil || a.Cause != "" || a.ExternalInitiatedEventId != 0 || a.ExternalWorkflowExecution != nil {
		t.Fatalf("WorkflowExecutionCancelRequested = %+v", a)
	}
	if !sameTime(h[4].EventTimestamp, swftest.Epoch.Add(time.Second)) {
		t.Fatalf("cancel request recorded at %v", h[4].EventTimestamp)
	}
	desc := d.Describe(ex)
	if !desc.ExecutionInfo.CancelRequested || desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusOpen || desc.OpenCounts.OpenDecisionTasks != 1 {
		t.Fatalf("after a cancel request: %+v %+v", desc.ExecutionInfo, desc.OpenCounts)
	}
	if pending := d.PendingDecisions(swftest.DeciderList); pending != 1 {
		t.Fatalf("pending decision tasks after a cancel request = %d, want 1", pending)
	}
	list, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: swftest.AllTime()})
	must(t, err)
	if len(list.ExecutionInfos) != 1 || !list.ExecutionInfos[0].CancelRequested {
		t.Fatalf("ListOpenWorkflowExecutions after a cancel request: %+v", list.ExecutionInfos)
	}

	// With the runId as well; the decider decides what to do.
	_, err = d.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("cancel-me"), RunId: ex.RunId})
	must(t, err)
	task := d.PollDecision()
	if got := swftest.EventTypes(task.Events); !slices.Contains(got, "WorkflowExecutionCancelRequested") {
		t.Fatalf("the decider does not see the request: %v", got)
	}
	d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String("as asked")}})
	info := d.Describe(ex).ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled || !info.CancelRequested {
		t.Fatalf("canceled run: %+v", info)
	}

	// Closed or unknown: UnknownResourceFault, and nothing recorded.
	n := len(d.History(ex))
	for _, in := range []*swf.RequestCancelWorkflowExecutionInput{
		{Domain: aws.String(d.Name), WorkflowId: aws.String("cancel-me")},
		{Domain: aws.String(d.Name), WorkflowId: aws.String("cancel-me"), RunId: ex.RunId},
		{Domain: aws.String(d.Name), WorkflowId: aws.String("nope")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("cancel-me")},
	} {
		_, err = d.Client.RequestCancelWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	if got := tail(d, ex, n); len(got) != 0 {
		t.Fatalf("a closed run recorded %v", got)
	}
}

func TestTerminateWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("term", func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = types.ChildPolicyRequestCancel })
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))
	a1 := d.PollActivity()
	_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("term"), SignalName: aws.String("s")})
	must(t, err)
	if dn, an := d.PendingDecisions(swftest.DeciderList), d.PendingActivities(swftest.WorkerList); dn != 1 || an != 1 {
		t.Fatalf("pending before termination: %d decision, %d activity tasks", dn, an)
	}
	if oc := d.Describe(ex).OpenCounts; oc.OpenDecisionTasks != 1 || oc.OpenActivityTasks != 2 {
		t.Fatalf("open counts before termination: %+v", oc)
	}

	d.Clock.Advance(2 * time.Second)
	_, err = d.Client.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("term"), Reason: aws.String("because"), Details: aws.String("the details")})
	must(t, err)
	last := d.History(ex)
	e := last[len(last)-1]
	if e.EventType != types.EventTypeWorkflowExecutionTerminated || !sameTime(e.EventTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("last event: %s at %v", e.EventType, e.EventTimestamp)
	}
	ta := e.WorkflowExecutionTerminatedEventAttributes
	if aws.ToString(ta.Reason) != "because" || aws.ToString(ta.Details) != "the details" || ta.ChildPolicy != types.ChildPolicyRequestCancel ||
		ta.Cause != types.WorkflowExecutionTerminatedCauseOperatorInitiated {
		t.Fatalf("WorkflowExecutionTerminated = %+v", ta)
	}
	desc := d.Describe(ex)
	info := desc.ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTerminated ||
		!sameTime(info.CloseTimestamp, swftest.Epoch.Add(2*time.Second)) {
		t.Fatalf("terminated run: %+v", info)
	}
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 0 || oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 || oc.OpenLambdaFunctions != 0 {
		t.Fatalf("open counts after termination: %+v", oc)
	}
	if dn, an := d.PendingDecisions(swftest.DeciderList), d.PendingActivities(swftest.WorkerList); dn != 0 || an != 0 {
		t.Fatalf("pending after termination: %d decision, %d activity tasks", dn, an)
	}
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a1.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	// Terminating again, by workflowId or runId, finds nothing open.
	for _, in := range []*swf.TerminateWorkflowExecutionInput{
		{Domain: aws.String(d.Name), WorkflowId: aws.String("term")},
		{Domain: aws.String(d.Name), WorkflowId: aws.String("term"), RunId: ex.RunId},
		{Domain: aws.String(d.Name), WorkflowId: aws.String("nope")},
		{Domain: aws.String("nope"), WorkflowId: aws.String("term")},
	} {
		_, err = d.Client.TerminateWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
	if got := tail(d, ex, len(last)); len(got) != 0 {
		t.Fatalf("a terminated run recorded %v", got)
	}
	d.WantOpen()

	// A child policy given overrides the run's; a started decision task
	// is gone with the run.
	d.Clock.Advance(time.Second)
	ex2 := d.Start("term-2")
	task = d.PollDecision()
	_, err = d.Client.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("term-2"), RunId: ex2.RunId, ChildPolicy: types.ChildPolicyAbandon})
	must(t, err)
	ta = d.LastEvent(ex2, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes
	if ta.ChildPolicy != types.ChildPolicyAbandon || ta.Reason != nil || ta.Details != nil {
		t.Fatalf("WorkflowExecutionTerminated = %+v", ta)
	}
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{swftest.CompleteWorkflow("late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := swftest.EventTypes(d.History(ex2)); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionTerminated"}) {
		t.Fatalf("history of the second run: %v", got)
	}

	// The run's own policy when none is given: the type's default.
	ex3 := d.Start("term-3")
	d.Terminate(ex3)
	if p := d.LastEvent(ex3, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes.ChildPolicy; p != types.ChildPolicyTerminate {
		t.Fatalf("child policy = %s, want TERMINATE", p)
	}
	_, err = d.Client.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("x"), Reason: aws.String(strings.Repeat("r", 257))})
	wantValidation(t, err, "reason")
}
