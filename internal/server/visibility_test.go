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

	"github.com/openswf/openswf/internal/swftest"
)

// Helpers of the visibility tests: time filters on the fake clock, names
// for runs, and lists that check their own pages and counts.

// since is a time filter from d after the start of the clock on.
func since(dur time.Duration) *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.At(dur))}
}

// between is a time filter from d1 to d2 after the start of the clock.
func between(d1, d2 time.Duration) *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.At(d1)), LatestDate: aws.Time(swftest.At(d2))}
}

// runLabels names runs for readable assertions.
type runLabels map[string]string

func (r runLabels) add(label string, ex *types.WorkflowExecution) { r[aws.ToString(ex.RunId)] = label }

func (r runLabels) labels(infos []types.WorkflowExecutionInfo) []string {
	out := []string{}
	for _, i := range infos {
		l, ok := r[aws.ToString(i.Execution.RunId)]
		if !ok {
			l = "?" + aws.ToString(i.Execution.WorkflowId)
		}
		out = append(out, l)
	}
	return out
}

// reversed returns s in reverse order.
func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// runIDs lists the runIds of runs.
func runIDs(infos []types.WorkflowExecutionInfo) []string {
	var out []string
	for _, i := range infos {
		out = append(out, aws.ToString(i.Execution.RunId))
	}
	return out
}

// listOpen lists open runs in one page, checks that pages of two and
// CountOpenWorkflowExecutions with the same arguments agree, and returns
// the list.
func listOpen(t *testing.T, c *swf.Client, in swf.ListOpenWorkflowExecutionsInput) []types.WorkflowExecutionInfo {
	t.Helper()
	whole := in
	whole.MaximumPageSize = 0
	out, err := c.ListOpenWorkflowExecutions(ctx, &whole)
	must(t, err)
	if out.NextPageToken != nil {
		t.Fatalf("a page of up to 1000 runs has a nextPageToken")
	}
	var paged []types.WorkflowExecutionInfo
	in.MaximumPageSize = 2
	for {
		page, err := c.ListOpenWorkflowExecutions(ctx, &in)
		must(t, err)
		if len(page.ExecutionInfos) > 2 || (page.NextPageToken != nil && len(page.ExecutionInfos) != 2) {
			t.Fatalf("page of %d runs, nextPageToken %v", len(page.ExecutionInfos), page.NextPageToken != nil)
		}
		paged = append(paged, page.ExecutionInfos...)
		if page.NextPageToken == nil {
			break
		}
		in.NextPageToken = page.NextPageToken
	}
	if !slices.Equal(runIDs(paged), runIDs(out.ExecutionInfos)) {
		t.Fatalf("pages of two hold %v, one page %v", runIDs(paged), runIDs(out.ExecutionInfos))
	}
	n, err := c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{
		Domain: in.Domain, StartTimeFilter: in.StartTimeFilter, TypeFilter: in.TypeFilter, TagFilter: in.TagFilter, ExecutionFilter: in.ExecutionFilter,
	})
	must(t, err)
	if int(n.Count) != len(out.ExecutionInfos) || n.Truncated {
		t.Fatalf("CountOpenWorkflowExecutions = %d (truncated %v), the list has %d", n.Count, n.Truncated, len(out.ExecutionInfos))
	}
	return out.ExecutionInfos
}

// listClosed is listOpen for closed runs.
func listClosed(t *testing.T, c *swf.Client, in swf.ListClosedWorkflowExecutionsInput) []types.WorkflowExecutionInfo {
	t.Helper()
	whole := in
	whole.MaximumPageSize = 0
	out, err := c.ListClosedWorkflowExecutions(ctx, &whole)
	must(t, err)
	if out.NextPageToken != nil {
		t.Fatalf("a page of up to 1000 runs has a nextPageToken")
	}
	var paged []types.WorkflowExecutionInfo
	in.MaximumPageSize = 2
	for {
		page, err := c.ListClosedWorkflowExecutions(ctx, &in)
		must(t, err)
		if len(page.ExecutionInfos) > 2 || (page.NextPageToken != nil && len(page.ExecutionInfos) != 2) {
			t.Fatalf("page of %d runs, nextPageToken %v", len(page.ExecutionInfos), page.NextPageToken != nil)
		}
		paged = append(paged, page.ExecutionInfos...)
		if page.NextPageToken == nil {
			break
		}
		in.NextPageToken = page.NextPageToken
	}
	if !slices.Equal(runIDs(paged), runIDs(out.ExecutionInfos)) {
		t.Fatalf("pages of two hold %v, one page %v", runIDs(paged), runIDs(out.ExecutionInfos))
	}
	n, err := c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{
		Domain: in.Domain, StartTimeFilter: in.StartTimeFilter, CloseTimeFilter: in.CloseTimeFilter, TypeFilter: in.TypeFilter,
		TagFilter: in.TagFilter, ExecutionFilter: in.ExecutionFilter, CloseStatusFilter: in.CloseStatusFilter,
	})
	must(t, err)
	if int(n.Count) != len(out.ExecutionInfos) || n.Truncated {
		t.Fatalf("CountClosedWorkflowExecutions = %d (truncated %v), the list has %d", n.Count, n.Truncated, len(out.ExecutionInfos))
	}
	return out.ExecutionInfos
}

// registerWorkflowType registers another workflow type in the domain, with
// the defaults of the fixture's.
func registerWorkflowType(d *swftest.Domain, name, version string) {
	d.T().Helper()
	must(d.T(), d.RegisterWorkflowType(name, version, func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String(swftest.DeciderList)}
		in.DefaultExecutionStartToCloseTimeout = aws.String("3600")
		in.DefaultTaskStartToCloseTimeout = aws.String("30")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
	}))
}

// startTagged starts a run of a type with tags, its decision tasks on a
// list of its own ("dl-" and the workflowId).
func startTagged(d *swftest.Domain, workflowID, name, version string, tags ...string) *types.WorkflowExecution {
	d.T().Helper()
	return d.Start(workflowID, func(in *swf.StartWorkflowExecutionInput) {
		in.WorkflowType = swftest.WorkflowType(name, version)
		in.TagList = tags
	}, swftest.OnList("dl-"+workflowID))
}

// closeTagged closes a run started by startTagged with a decision.
func closeTagged(d *swftest.Domain, ex *types.WorkflowExecution, decision types.Decision) {
	t := d.T()
	t.Helper()
	task := d.PollDecisionOn("dl-" + aws.ToString(ex.WorkflowId))
	if aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("decision task of %v, want %v", task.WorkflowExecution, ex)
	}
	d.Decide(task.TaskToken, decision)
}

func TestDescribeWorkflowExecution(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	d.Clock.Advance(1234 * time.Millisecond)
	ex := d.Start("desc", func(in *swf.StartWorkflowExecutionInput) { in.TagList = []string{"a", "b"} })

	desc := d.Describe(ex)
	info := desc.ExecutionInfo
	if aws.ToString(info.Execution.WorkflowId) != "desc" || aws.ToString(info.Execution.RunId) != aws.ToString(ex.RunId) ||
		aws.ToString(info.WorkflowType.Name) != "order" || aws.ToString(info.WorkflowType.Version) != "1" ||
		!sameTime(info.StartTimestamp, swftest.At(1234*time.Millisecond)) || info.ExecutionStatus != types.ExecutionStatusOpen ||
		info.CloseStatus != "" || info.CloseTimestamp != nil || !slices.Equal(info.TagList, []string{"a", "b"}) ||
		info.CancelRequested || info.Parent != nil {
		t.Fatalf("executionInfo of a new run: %+v", info)
	}
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 1 || oc.OpenActivityTasks != 0 || oc.OpenTimers != 0 || oc.OpenChildWorkflowExecutions != 0 || oc.OpenLambdaFunctions != 0 {
		t.Fatalf("open counts of a new run: %+v", oc)
	}
	if desc.LatestActivityTaskTimestamp != nil || desc.LatestExecutionContext != nil {
		t.Fatalf("a new run has latestActivityTaskTimestamp %v, latestExecutionContext %v", desc.LatestActivityTaskTimestamp, desc.LatestExecutionContext)
	}
	c := desc.ExecutionConfiguration
	if aws.ToString(c.ExecutionStartToCloseTimeout) != "3600" || aws.ToString(c.TaskStartToCloseTimeout) != "30" ||
		c.ChildPolicy != types.ChildPolicyTerminate || aws.ToString(c.TaskList.Name) != swftest.DeciderList || aws.ToString(c.TaskPriority) != "0" {
		t.Fatalf("executionConfiguration: %+v", c)
	}

	// Started, the decision task is still open.
	task := d.PollDecision()
	if oc := d.Describe(ex).OpenCounts; oc.OpenDecisionTasks != 1 || oc.OpenActivityTasks != 0 {
		t.Fatalf("open counts with the decision task started: %+v", oc)
	}
	d.Clock.Advance(time.Second)
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
		TaskToken: task.TaskToken, ExecutionContext: aws.String("ctx-1"),
		Decisions: []types.Decision{swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")},
	})
	must(t, err)
	desc = d.Describe(ex)
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 2 {
		t.Fatalf("open counts with two activities scheduled: %+v", oc)
	}
	if !sameTime(desc.LatestActivityTaskTimestamp, swftest.At(2234*time.Millisecond)) || aws.ToString(desc.LatestExecutionContext) != "ctx-1" {
		t.Fatalf("latestActivityTaskTimestamp %v, latestExecutionContext %v", desc.LatestActivityTaskTimestamp, desc.LatestExecutionContext)
	}

	// A started activity is open; a completed one is not, and its
	// completion schedules a decision task.
	a := d.PollActivity()
	if oc := d.Describe(ex).OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 2 {
		t.Fatalf("open counts with an activity started: %+v", oc)
	}
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	if oc := d.Describe(ex).OpenCounts; oc.OpenDecisionTasks != 1 || oc.OpenActivityTasks != 1 {
		t.Fatalf("open counts with an activity completed: %+v", oc)
	}

	_, err = d.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("desc")})
	must(t, err)
	if info := d.Describe(ex).ExecutionInfo; !info.CancelRequested || info.ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("executionInfo after a cancel request: %+v", info)
	}

	task = d.PollDecision()
	d.Clock.Advance(3 * time.Second)
	d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{}})
	desc = d.Describe(ex)
	info = desc.ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled ||
		!sameTime(info.CloseTimestamp, swftest.At(5234*time.Millisecond)) || !sameTime(info.StartTimestamp, swftest.At(1234*time.Millisecond)) ||
		!info.CancelRequested || !slices.Equal(info.TagList, []string{"a", "b"}) {
		t.Fatalf("executionInfo of the closed run: %+v", info)
	}
	if oc := desc.OpenCounts; oc.OpenDecisionTasks != 0 || oc.OpenActivityTasks != 0 || oc.OpenTimers != 0 {
		t.Fatalf("open counts of the closed run: %+v", oc)
	}
	if aws.ToString(desc.ExecutionConfiguration.TaskList.Name) != swftest.DeciderList {
		t.Fatalf("executionConfiguration of the closed run: %+v", desc.ExecutionConfiguration)
	}

	// Unknown runs.
	d.BareDomain("other")
	for _, in := range []*swf.DescribeWorkflowExecutionInput{
		{Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: aws.String("desc"), RunId: aws.String("not-a-run")}},
		{Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: aws.String("nope"), RunId: ex.RunId}},
		{Domain: aws.String("other"), Execution: ex},
		{Domain: aws.String("nope"), Execution: ex},
	} {
		_, err = d.Client.DescribeWorkflowExecution(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}
}

func TestGetWorkflowExecutionHistory(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("hist")
	other := d.Start("other")
	for i := 1; i <= 10; i++ {
		d.Clock.Advance(time.Second)
		_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("hist"), SignalName: aws.String(fmt.Sprint("s", i))})
		must(t, err)
	}
	// Events 1 and 2 at the start, then signal i as event i+2, i seconds
	// later.
	at := func(id int64) time.Time {
		if id <= 2 {
			return swftest.Epoch
		}
		return swftest.At(time.Duration(id-2) * time.Second)
	}
	all := d.History(ex)
	if len(all) != 12 {
		t.Fatalf("history: %v", swftest.EventTypes(all))
	}
	for i, e := range all {
		if e.EventId != int64(i+1) || !sameTime(e.EventTimestamp, at(e.EventId)) {
			t.Fatalf("event %d: id %d at %v, want at %v", i, e.EventId, e.EventTimestamp, at(e.EventId))
		}
		if i >= 2 && aws.ToString(e.WorkflowExecutionSignaledEventAttributes.SignalName) != fmt.Sprint("s", i-1) {
			t.Fatalf("event %d: %+v", e.EventId, e.WorkflowExecutionSignaledEventAttributes)
		}
	}

	// pages reads the history by hand in pages of size.
	pages := func(size int32, reverse bool) (ids [][]int64) {
		t.Helper()
		in := &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: size, ReverseOrder: reverse}
		for {
			out, err := d.Client.GetWorkflowExecutionHistory(ctx, in)
			must(t, err)
			var page []int64
			for _, e := range out.Events {
				page = append(page, e.EventId)
			}
			ids = append(ids, page)
			if out.NextPageToken == nil {
				return ids
			}
			if len(ids) > 20 {
				t.Fatal("too many pages")
			}
			in.NextPageToken = out.NextPageToken
		}
	}
	check := func(size int32, reverse bool, want [][]int64) {
		t.Helper()
		got := pages(size, reverse)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pages of %d (reverse %v): %v, want %v", size, reverse, got, want)
		}
	}
	check(5, false, [][]int64{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, {11, 12}})
	check(4, false, [][]int64{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}})
	check(12, false, [][]int64{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}})
	check(0, false, [][]int64{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}})
	check(1000, false, [][]int64{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}})
	check(5, true, [][]int64{{12, 11, 10, 9, 8}, {7, 6, 5, 4, 3}, {2, 1}})
	check(6, true, [][]int64{{12, 11, 10, 9, 8, 7}, {6, 5, 4, 3, 2, 1}})
	check(0, true, [][]int64{{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}})

	// The SDK's paginator.
	for _, reverse := range []bool{false, true} {
		p := swf.NewGetWorkflowExecutionHistoryPaginator(d.Client, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, ReverseOrder: reverse}, func(o *swf.GetWorkflowExecutionHistoryPaginatorOptions) { o.Limit = 3 })
		var got []int64
		n := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err)
			n++
			for _, e := range out.Events {
				got = append(got, e.EventId)
			}
		}
		want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		if reverse {
			slices.Reverse(want)
		}
		if n != 4 || !slices.Equal(got, want) {
			t.Fatalf("paginator (reverse %v): %d pages of %v", reverse, n, got)
		}
	}

	// A page token goes with the arguments it was issued for.
	first, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5})
	must(t, err)
	token := first.NextPageToken
	d.BareDomain("elsewhere")
	for name, in := range map[string]*swf.GetWorkflowExecutionHistoryInput{
		"reverse order":   {Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5, ReverseOrder: true, NextPageToken: token},
		"another run":     {Domain: aws.String(d.Name), Execution: other, MaximumPageSize: 5, NextPageToken: token},
		"another runId":   {Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: other.RunId}, MaximumPageSize: 5, NextPageToken: token},
		"another domain":  {Domain: aws.String("elsewhere"), Execution: ex, MaximumPageSize: 5, NextPageToken: token},
		"not a token":     {Domain: aws.String(d.Name), Execution: ex, NextPageToken: aws.String("bm90LWEtdG9rZW4")},
		"a changed token": {Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5, NextPageToken: aws.String(strings.ToUpper(*token))},
	} {
		_, err := d.Client.GetWorkflowExecutionHistory(ctx, in)
		if err == nil {
			t.Fatalf("%s: the token was accepted", name)
		}
		wantValidation(t, err, "nextPageToken")
	}
	// Unchanged arguments continue where the page ended.
	second, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5, NextPageToken: token})
	must(t, err)
	if len(second.Events) != 5 || second.Events[0].EventId != 6 {
		t.Fatalf("second page: %v", swftest.EventTypes(second.Events))
	}

	for _, size := range []int32{-1, 1001} {
		_, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: size})
		wantValidation(t, err, "maximumPageSize")
	}

	// Unknown runs.
	for _, in := range []*swf.GetWorkflowExecutionHistoryInput{
		{Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: aws.String("hist"), RunId: aws.String("not-a-run")}},
		{Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: aws.String("nope"), RunId: ex.RunId}},
		{Domain: aws.String("elsewhere"), Execution: ex},
		{Domain: aws.String("nope"), Execution: ex},
	} {
		_, err := d.Client.GetWorkflowExecutionHistory(ctx, in)
		wantFault[*types.UnknownResourceFault](t, err)
	}

	// A closed run's history stays readable; a token outlives neither its
	// 24 hours nor changes of the history.
	d.Clock.Advance(time.Second)
	d.Terminate(ex)
	h := d.History(ex)
	if len(h) != 13 || h[12].EventType != types.EventTypeWorkflowExecutionTerminated || !sameTime(h[12].EventTimestamp, swftest.At(11*time.Second)) {
		t.Fatalf("history of the closed run: %v", swftest.EventTypes(h))
	}
	third, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5, NextPageToken: second.NextPageToken})
	must(t, err)
	if len(third.Events) != 3 || third.Events[0].EventId != 11 || third.Events[2].EventId != 13 || third.NextPageToken != nil {
		t.Fatalf("last page: %d events from %d", len(third.Events), third.Events[0].EventId)
	}
	fresh, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 10})
	must(t, err)
	// The first token was issued at 10s, the fresh one at 11s; the run
	// closed at 11s and is kept until a day later.
	d.Advance(24*time.Hour - 500*time.Millisecond)
	_, err = d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 5, NextPageToken: token})
	if msg := wantCode(t, err, "ValidationException"); !strings.Contains(msg, "Specified token has exceeded its maximum lifetime") {
		t.Fatalf("expired token: %s", msg)
	}
	third, err = d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex, MaximumPageSize: 10, NextPageToken: fresh.NextPageToken})
	must(t, err)
	if len(third.Events) != 3 || third.Events[0].EventId != 11 {
		t.Fatalf("last page with a token of 24 hours: %d events", len(third.Events))
	}
}

func TestListOpenWorkflowExecutionsFilters(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	registerWorkflowType(d, "order", "2")
	registerWorkflowType(d, "ship", "1")
	runs := runLabels{}
	step := 1234 * time.Millisecond // odd times, to see that milliseconds count
	starts := map[string]time.Duration{}
	exs := map[string]*types.WorkflowExecution{}
	for i, r := range []struct {
		id, name, version string
		tags              []string
	}{
		{"a", "order", "1", []string{"red", "blue"}},
		{"b", "order", "2", []string{"blue"}},
		{"c", "ship", "1", []string{"green"}},
		{"d", "order", "1", nil},
		{"e", "order", "1", []string{"Red"}},
		{"x", "order", "1", []string{"red"}},
	} {
		d.Clock.Advance(step)
		starts[r.id] = time.Duration(i+1) * step
		exs[r.id] = startTagged(d, r.id, r.name, r.version, r.tags...)
		runs.add(r.id, exs[r.id])
	}
	d.Terminate(exs["x"]) // closed: never listed as open
	// Another domain's runs are not listed either.
	d.Server.Domain("other")
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("other"), WorkflowId: aws.String("a"), WorkflowType: swftest.WorkflowType("order", "1"), TagList: []string{"red"}})
	must(t, err)

	all := since(0)
	cases := []struct {
		name string
		in   swf.ListOpenWorkflowExecutionsInput
		want []string
	}{
		{"all", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all}, []string{"e", "d", "c", "b", "a"}},
		{"from the epoch", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}}, []string{"e", "d", "c", "b", "a"}},
		{"between starts, inclusive", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(starts["b"], starts["d"])}, []string{"d", "c", "b"}},
		{"one instant", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(starts["c"], starts["c"])}, []string{"c"}},
		{"from a start on", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: since(starts["c"])}, []string{"e", "d", "c"}},
		{"a millisecond after", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: since(starts["c"] + time.Millisecond)}, []string{"e", "d"}},
		{"between, exclusive of both", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(starts["b"]+time.Millisecond, starts["d"]-time.Millisecond)}, []string{"c"}},
		{"before all", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(0, starts["a"]-time.Millisecond)}, []string{}},
		{"after all", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: since(time.Hour)}, []string{}},
		{"latest before oldest", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(starts["d"], starts["b"])}, []string{}},
		{"type name", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}}, []string{"e", "d", "b", "a"}},
		{"type name and version", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order"), Version: aws.String("1")}}, []string{"e", "d", "a"}},
		{"other version", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order"), Version: aws.String("2")}}, []string{"b"}},
		{"other type", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship")}}, []string{"c"}},
		{"unknown type", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("nope")}}, []string{}},
		{"unknown version", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship"), Version: aws.String("2")}}, []string{}},
		{"type and time", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: between(starts["b"], starts["d"]), TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}}, []string{"d", "b"}},
		{"tag", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("red")}}, []string{"a"}},
		{"tag, case matters", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("Red")}}, []string{"e"}},
		{"tag of several runs", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("blue")}}, []string{"b", "a"}},
		{"unknown tag", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("re")}}, []string{}},
		{"tag and time", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: since(starts["b"]), TagFilter: &types.TagFilter{Tag: aws.String("blue")}}, []string{"b"}},
		{"workflowId", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("c")}}, []string{"c"}},
		{"workflowId of a closed run", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("x")}}, []string{}},
		{"workflowId and time", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: since(starts["d"]), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("c")}}, []string{}},
		{"reverse", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, ReverseOrder: true}, []string{"a", "b", "c", "d", "e"}},
		{"reverse with a filter", swf.ListOpenWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}, ReverseOrder: true}, []string{"a", "b", "d", "e"}},
	}
	for _, tc := range cases {
		tc.in.Domain = aws.String(d.Name)
		if got := runs.labels(listOpen(t, d.Client, tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	// What a listing says of a run.
	infos := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("a")}})
	i := infos[0]
	if runs[aws.ToString(i.Execution.RunId)] != "a" || aws.ToString(i.Execution.WorkflowId) != "a" ||
		aws.ToString(i.WorkflowType.Name) != "order" || aws.ToString(i.WorkflowType.Version) != "1" ||
		!sameTime(i.StartTimestamp, swftest.At(starts["a"])) || i.ExecutionStatus != types.ExecutionStatusOpen ||
		i.CloseStatus != "" || i.CloseTimestamp != nil || !slices.Equal(i.TagList, []string{"red", "blue"}) || i.CancelRequested || i.Parent != nil {
		t.Fatalf("executionInfo in the list: %+v", i)
	}
	_, err = d.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("a")})
	must(t, err)
	infos = listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("blue")}})
	if len(infos) != 2 || infos[0].CancelRequested || !infos[1].CancelRequested {
		t.Fatalf("cancelRequested in the list: %+v", infos)
	}
	if infos := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}}); len(infos[0].TagList) != 1 || infos[1].TagList != nil {
		t.Fatalf("tagList in the list: %v, %v", infos[0].TagList, infos[1].TagList)
	}

	// The other domain and unknown domains.
	if got := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String("other"), StartTimeFilter: all}); len(got) != 1 || aws.ToString(got[0].Execution.WorkflowId) != "a" {
		t.Fatalf("the other domain: %+v", got)
	}
	_, err = d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String("nope"), StartTimeFilter: all})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String("nope"), StartTimeFilter: all})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestListClosedWorkflowExecutionsFilters(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	registerWorkflowType(d, "order", "2")
	registerWorkflowType(d, "ship", "1")
	runs := runLabels{}
	s := time.Second
	d.Clock.Advance(s)
	a1 := startTagged(d, "a", "order", "1", "red")
	d.Clock.Advance(s)
	b := startTagged(d, "b", "order", "2", "blue")
	d.Clock.Advance(s)
	c := startTagged(d, "c", "ship", "1", "red", "green")
	d.Clock.Advance(s)
	run := d.Start("d", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("10") })
	d.Clock.Advance(s)
	e := startTagged(d, "e", "order", "1")
	d.Clock.Advance(s)
	open := startTagged(d, "f", "order", "1", "red")
	for l, ex := range map[string]*types.WorkflowExecution{"a1": a1, "b": b, "c": c, "d": run, "e": e, "f": open} {
		runs.add(l, ex)
	}

	d.Clock.Advance(s) // 7s
	closeTagged(d, c, swftest.CompleteWorkflow("done"))
	d.Clock.Advance(s) // 8s
	closeTagged(d, a1, types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String("bad")}})
	d.Clock.Advance(s) // 9s
	closeTagged(d, e, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{}})
	d.Clock.Advance(s) // 10s
	d.Terminate(b)
	d.Advance(4 * s) // 14s: d times out
	if info := d.Describe(run).ExecutionInfo; info.CloseStatus != types.CloseStatusTimedOut {
		t.Fatalf("d: %+v", info)
	}
	d.Clock.Advance(s) // 15s
	a2 := startTagged(d, "a", "order", "1", "red")
	runs.add("a2", a2)
	d.Clock.Advance(s) // 16s
	d.Terminate(a2)

	all := since(0)
	status := func(st types.CloseStatus) *types.CloseStatusFilter { return &types.CloseStatusFilter{Status: st} }
	cases := []struct {
		name string
		in   swf.ListClosedWorkflowExecutionsInput
		want []string
	}{
		{"by start", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all}, []string{"a2", "e", "d", "c", "b", "a1"}},
		{"by close", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all}, []string{"a2", "d", "b", "e", "a1", "c"}},
		{"by start, reverse", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, ReverseOrder: true}, []string{"a1", "b", "c", "d", "e", "a2"}},
		{"by close, reverse", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all, ReverseOrder: true}, []string{"c", "a1", "e", "b", "d", "a2"}},
		{"start range", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: between(2*s, 4*s)}, []string{"d", "c", "b"}},
		{"start range open-ended", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: since(5 * s)}, []string{"a2", "e"}},
		{"close range", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: between(8*s, 10*s)}, []string{"b", "e", "a1"}},
		{"close range open-ended", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: since(14 * s)}, []string{"a2", "d"}},
		{"close range, nothing", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: between(11*s, 13*s)}, []string{}},
		{"close range before the closes", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: between(0, 6*s)}, []string{}},
		{"completed", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusCompleted)}, []string{"c"}},
		{"failed", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusFailed)}, []string{"a1"}},
		{"canceled", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusCanceled)}, []string{"e"}},
		{"terminated", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusTerminated)}, []string{"a2", "b"}},
		{"timed out", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusTimedOut)}, []string{"d"}},
		{"continued as new", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status(types.CloseStatusContinuedAsNew)}, []string{}},
		{"terminated by close", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: since(10 * s), CloseStatusFilter: status(types.CloseStatusTerminated)}, []string{"a2", "b"}},
		{"terminated in a start range", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: between(0, 10*s), CloseStatusFilter: status(types.CloseStatusTerminated)}, []string{"b"}},
		{"type name", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}}, []string{"a2", "e", "d", "b", "a1"}},
		{"type name and version", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order"), Version: aws.String("1")}}, []string{"a2", "e", "d", "a1"}},
		{"type by close", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}}, []string{"a2", "d", "b", "e", "a1"}},
		{"other type", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship"), Version: aws.String("1")}}, []string{"c"}},
		{"tag", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("red")}}, []string{"a2", "c", "a1"}},
		{"tag by close", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("red")}}, []string{"a2", "a1", "c"}},
		{"second tag", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("green")}}, []string{"c"}},
		{"workflowId of two runs", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("a")}}, []string{"a2", "a1"}},
		{"workflowId by close, range", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: between(0, 15*s), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("a")}}, []string{"a1"}},
		{"workflowId of an open run", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("f")}}, []string{}},
	}
	for _, tc := range cases {
		tc.in.Domain = aws.String(d.Name)
		if got := runs.labels(listClosed(t, d.Client, tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := runs.labels(listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all})); !slices.Equal(got, []string{"f"}) {
		t.Errorf("open runs: %v", got)
	}

	// What a listing says of closed runs.
	infos := listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), CloseTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("ship")}})
	i := infos[0]
	if aws.ToString(i.Execution.WorkflowId) != "c" || aws.ToString(i.Execution.RunId) != aws.ToString(c.RunId) ||
		aws.ToString(i.WorkflowType.Name) != "ship" || aws.ToString(i.WorkflowType.Version) != "1" ||
		!sameTime(i.StartTimestamp, swftest.At(3*s)) || i.ExecutionStatus != types.ExecutionStatusClosed ||
		i.CloseStatus != types.CloseStatusCompleted || !sameTime(i.CloseTimestamp, swftest.At(7*s)) ||
		!slices.Equal(i.TagList, []string{"red", "green"}) || i.CancelRequested || i.Parent != nil {
		t.Fatalf("executionInfo in the list: %+v", i)
	}
	for _, i := range listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all}) {
		desc := d.Describe(i.Execution).ExecutionInfo
		if i.CloseStatus != desc.CloseStatus || !sameTime(i.CloseTimestamp, *desc.CloseTimestamp) || !sameTime(i.StartTimestamp, *desc.StartTimestamp) ||
			i.ExecutionStatus != types.ExecutionStatusClosed || !slices.Equal(i.TagList, desc.TagList) {
			t.Fatalf("listed %+v, described %+v", i, desc)
		}
	}

	_, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String("nope"), StartTimeFilter: all})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String("nope"), StartTimeFilter: all})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestVisibilityFilterRules(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	d.Start("w")
	all := since(0)
	typ := &types.WorkflowTypeFilter{Name: aws.String("order")}
	tag := &types.TagFilter{Tag: aws.String("t")}
	exe := &types.WorkflowExecutionFilter{WorkflowId: aws.String("w")}
	status := &types.CloseStatusFilter{Status: types.CloseStatusCompleted}

	// wantRefused checks a ValidationException whose message names the
	// filters at fault.
	wantRefused := func(name string, err error, filters ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		msg := wantCode(t, err, "ValidationException")
		for _, fl := range filters {
			if !strings.Contains(msg, fl) {
				t.Fatalf("%s: message does not name %s: %s", name, fl, msg)
			}
		}
	}
	open := []struct {
		name    string
		in      swf.ListOpenWorkflowExecutionsInput
		filters []string
	}{
		{"type and tag", swf.ListOpenWorkflowExecutionsInput{TypeFilter: typ, TagFilter: tag}, []string{"typeFilter", "tagFilter"}},
		{"type and execution", swf.ListOpenWorkflowExecutionsInput{TypeFilter: typ, ExecutionFilter: exe}, []string{"typeFilter", "executionFilter"}},
		{"tag and execution", swf.ListOpenWorkflowExecutionsInput{TagFilter: tag, ExecutionFilter: exe}, []string{"tagFilter", "executionFilter"}},
		{"all three", swf.ListOpenWorkflowExecutionsInput{TypeFilter: typ, TagFilter: tag, ExecutionFilter: exe}, []string{"typeFilter", "tagFilter", "executionFilter"}},
	}
	for _, tc := range open {
		in := tc.in
		in.Domain, in.StartTimeFilter = aws.String(d.Name), all
		_, err := d.Client.ListOpenWorkflowExecutions(ctx, &in)
		wantRefused("ListOpen "+tc.name, err, tc.filters...)
		_, err = d.Client.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, TypeFilter: in.TypeFilter, TagFilter: in.TagFilter, ExecutionFilter: in.ExecutionFilter})
		wantRefused("CountOpen "+tc.name, err, tc.filters...)
	}
	closed := []struct {
		name    string
		in      swf.ListClosedWorkflowExecutionsInput
		filters []string
	}{
		{"no time filter", swf.ListClosedWorkflowExecutionsInput{}, []string{"startTimeFilter"}},
		{"no time filter, a status", swf.ListClosedWorkflowExecutionsInput{CloseStatusFilter: status}, []string{"startTimeFilter"}},
		{"both time filters", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseTimeFilter: all}, []string{"startTimeFilter", "closeTimeFilter"}},
		{"status and type", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status, TypeFilter: typ}, []string{"closeStatusFilter", "typeFilter"}},
		{"status and tag", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all, CloseStatusFilter: status, TagFilter: tag}, []string{"closeStatusFilter", "tagFilter"}},
		{"status and execution", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status, ExecutionFilter: exe}, []string{"closeStatusFilter", "executionFilter"}},
		{"type and tag", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TypeFilter: typ, TagFilter: tag}, []string{"typeFilter", "tagFilter"}},
		{"type and execution", swf.ListClosedWorkflowExecutionsInput{CloseTimeFilter: all, TypeFilter: typ, ExecutionFilter: exe}, []string{"typeFilter", "executionFilter"}},
		{"tag and execution", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, TagFilter: tag, ExecutionFilter: exe}, []string{"tagFilter", "executionFilter"}},
		{"all four", swf.ListClosedWorkflowExecutionsInput{StartTimeFilter: all, CloseStatusFilter: status, TypeFilter: typ, TagFilter: tag, ExecutionFilter: exe}, []string{"closeStatusFilter", "typeFilter"}},
	}
	for _, tc := range closed {
		in := tc.in
		in.Domain = aws.String(d.Name)
		_, err := d.Client.ListClosedWorkflowExecutions(ctx, &in)
		wantRefused("ListClosed "+tc.name, err, tc.filters...)
		_, err = d.Client.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: in.StartTimeFilter, CloseTimeFilter: in.CloseTimeFilter,
			CloseStatusFilter: in.CloseStatusFilter, TypeFilter: in.TypeFilter, TagFilter: in.TagFilter, ExecutionFilter: in.ExecutionFilter})
		wantRefused("CountClosed "+tc.name, err, tc.filters...)
	}

	// What the SDK will not send: ListOpen without its startTimeFilter.
	for _, op := range []string{"ListOpenWorkflowExecutions", "CountOpenWorkflowExecutions"} {
		status, code, msg := postJSON(t, d.Server, op, `{"domain":"wf"}`)
		if status != 400 || code != "ValidationException" || !strings.Contains(msg, "startTimeFilter") {
			t.Fatalf("%s without startTimeFilter: %d %s %s", op, status, code, msg)
		}
	}

	// Page sizes beyond 0-1000.
	for _, size := range []int32{-1, 1001} {
		_, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: size})
		wantValidation(t, err, "maximumPageSize")
		_, err = d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: size})
		wantValidation(t, err, "maximumPageSize")
	}

	// One of each is fine, and so is a time filter with any one.
	for _, in := range []swf.ListOpenWorkflowExecutionsInput{{TypeFilter: typ}, {TagFilter: tag}, {ExecutionFilter: exe}} {
		in.Domain, in.StartTimeFilter = aws.String(d.Name), all
		listOpen(t, d.Client, in)
	}
	for _, tf := range []*types.ExecutionTimeFilter{nil, all} {
		for _, in := range []swf.ListClosedWorkflowExecutionsInput{{CloseStatusFilter: status}, {TypeFilter: typ}, {TagFilter: tag}, {ExecutionFilter: exe}, {}} {
			in.Domain = aws.String(d.Name)
			if tf == nil {
				in.CloseTimeFilter = all
			} else {
				in.StartTimeFilter = tf
			}
			listClosed(t, d.Client, in)
		}
	}
}

func TestListWorkflowExecutionsOrderAndPages(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	runs := runLabels{}
	var exs []*types.WorkflowExecution
	// Starts at 1, 2, 2, 2, 3, 4, 4, 5 and 6 seconds.
	for i, at := range []int{1, 2, 2, 2, 3, 4, 4, 5, 6} {
		d.Clock.Set(swftest.At(time.Duration(at) * time.Second))
		ex := d.Start(fmt.Sprintf("w%d", i))
		runs.add(fmt.Sprintf("w%d", i), ex)
		exs = append(exs, ex)
	}
	startOf := func(i types.WorkflowExecutionInfo) time.Time { return *i.StartTimestamp }
	closeOf := func(i types.WorkflowExecutionInfo) time.Time { return *i.CloseTimestamp }
	// checkOrder asserts that a list is ordered by a time, newest first
	// unless reversed, and holds every run once.
	checkOrder := func(name string, infos []types.WorkflowExecutionInfo, at func(types.WorkflowExecutionInfo) time.Time, reverse bool) {
		t.Helper()
		if len(infos) != len(exs) {
			t.Fatalf("%s: %d runs, want %d", name, len(infos), len(exs))
		}
		seen := map[string]bool{}
		for k, i := range infos {
			seen[aws.ToString(i.Execution.RunId)] = true
			if k == 0 {
				continue
			}
			prev, cur := at(infos[k-1]), at(i)
			if (!reverse && cur.After(prev)) || (reverse && cur.Before(prev)) {
				t.Fatalf("%s out of order: %v", name, runs.labels(infos))
			}
		}
		if len(seen) != len(exs) {
			t.Fatalf("%s: runs listed twice: %v", name, runs.labels(infos))
		}
	}
	pagesOfOpen := func(in swf.ListOpenWorkflowExecutionsInput, size int32) (all []types.WorkflowExecutionInfo, pages int) {
		t.Helper()
		p := swf.NewListOpenWorkflowExecutionsPaginator(d.Client, &in, func(o *swf.ListOpenWorkflowExecutionsPaginatorOptions) { o.Limit = size })
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err)
			if len(out.ExecutionInfos) > int(size) {
				t.Fatalf("page of %d, want at most %d", len(out.ExecutionInfos), size)
			}
			all = append(all, out.ExecutionInfos...)
			pages++
		}
		return all, pages
	}

	all := since(0)
	newest := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all})
	checkOrder("open", newest, startOf, false)
	if l := runs.labels(newest); l[0] != "w8" || l[1] != "w7" || l[4] != "w4" || l[8] != "w0" {
		t.Fatalf("open runs: %v", l)
	}
	oldest := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, ReverseOrder: true})
	checkOrder("open, reversed", oldest, startOf, true)
	if !slices.Equal(runIDs(oldest), reversed(runIDs(newest))) {
		t.Fatalf("reversed: %v, forward %v", runs.labels(oldest), runs.labels(newest))
	}
	for _, size := range []int32{1, 2, 3, 4, 8, 9, 10} {
		for _, reverse := range []bool{false, true} {
			got, pages := pagesOfOpen(swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, ReverseOrder: reverse}, size)
			want := newest
			if reverse {
				want = oldest
			}
			if !slices.Equal(runIDs(got), runIDs(want)) || pages != (len(exs)+int(size)-1)/int(size) {
				t.Fatalf("pages of %d (reverse %v): %d pages of %v, want %v", size, reverse, pages, runs.labels(got), runs.labels(want))
			}
		}
	}
	// The three runs started at the same instant, in pages of one.
	got, pages := pagesOfOpen(swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: between(2*time.Second, 2*time.Second)}, 1)
	if l := runs.labels(got); pages != 3 || !slices.Equal(slices.Sorted(slices.Values(l)), []string{"w1", "w2", "w3"}) {
		t.Fatalf("runs started at 2s, in pages of one: %d pages of %v", pages, l)
	}

	// Page tokens go with their arguments.
	first, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2})
	must(t, err)
	token := first.NextPageToken
	if token == nil || len(first.ExecutionInfos) != 2 {
		t.Fatalf("first page: %d runs, token %v", len(first.ExecutionInfos), token)
	}
	d.BareDomain("other")
	for name, in := range map[string]*swf.ListOpenWorkflowExecutionsInput{
		"reverse order":      {Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2, ReverseOrder: true, NextPageToken: token},
		"another oldestDate": {Domain: aws.String(d.Name), StartTimeFilter: since(time.Second), MaximumPageSize: 2, NextPageToken: token},
		"a latestDate":       {Domain: aws.String(d.Name), StartTimeFilter: between(0, time.Hour), MaximumPageSize: 2, NextPageToken: token},
		"a type filter":      {Domain: aws.String(d.Name), StartTimeFilter: all, TypeFilter: &types.WorkflowTypeFilter{Name: aws.String("order")}, MaximumPageSize: 2, NextPageToken: token},
		"a tag filter":       {Domain: aws.String(d.Name), StartTimeFilter: all, TagFilter: &types.TagFilter{Tag: aws.String("t")}, MaximumPageSize: 2, NextPageToken: token},
		"another domain":     {Domain: aws.String("other"), StartTimeFilter: all, MaximumPageSize: 2, NextPageToken: token},
		"not a token":        {Domain: aws.String(d.Name), StartTimeFilter: all, NextPageToken: aws.String("AAAA")},
	} {
		_, err := d.Client.ListOpenWorkflowExecutions(ctx, in)
		if err == nil {
			t.Fatalf("%s: the token was accepted", name)
		}
		wantValidation(t, err, "nextPageToken")
	}
	_, err = d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2, NextPageToken: token})
	wantValidation(t, err, "nextPageToken")
	next, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2, NextPageToken: token})
	must(t, err)
	if !slices.Equal(runIDs(next.ExecutionInfos), runIDs(newest[2:4])) {
		t.Fatalf("second page: %v", runs.labels(next.ExecutionInfos))
	}

	// Closed, by close time: three runs close at 10s, one at 11s and the
	// rest at 12s, in another order than they started.
	for _, c := range []struct{ run, at int }{{4, 10}, {6, 10}, {5, 10}, {3, 11}, {8, 12}, {0, 12}, {7, 12}, {2, 12}, {1, 12}} {
		d.Clock.Set(swftest.At(time.Duration(c.at) * time.Second))
		d.Terminate(exs[c.run])
	}
	byClose := listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), CloseTimeFilter: all})
	checkOrder("closed by close time", byClose, closeOf, false)
	if l := runs.labels(byClose); l[5] != "w3" || !slices.Equal(slices.Sorted(slices.Values(l[:5])), []string{"w0", "w1", "w2", "w7", "w8"}) || !slices.Equal(slices.Sorted(slices.Values(l[6:])), []string{"w4", "w5", "w6"}) {
		t.Fatalf("closed by close time: %v", l)
	}
	byCloseRev := listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), CloseTimeFilter: all, ReverseOrder: true})
	checkOrder("closed by close time, reversed", byCloseRev, closeOf, true)
	if !slices.Equal(runIDs(byCloseRev), reversed(runIDs(byClose))) {
		t.Fatalf("reversed: %v, forward %v", runs.labels(byCloseRev), runs.labels(byClose))
	}
	byStart := listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all})
	checkOrder("closed by start time", byStart, startOf, false)
	if !slices.Equal(runs.labels(byStart), runs.labels(newest)) {
		t.Fatalf("closed by start time: %v, open were %v", runs.labels(byStart), runs.labels(newest))
	}

	for _, size := range []int32{1, 2, 4} {
		for _, reverse := range []bool{false, true} {
			in := &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), CloseTimeFilter: all, ReverseOrder: reverse}
			p := swf.NewListClosedWorkflowExecutionsPaginator(d.Client, in, func(o *swf.ListClosedWorkflowExecutionsPaginatorOptions) { o.Limit = size })
			var got []types.WorkflowExecutionInfo
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				must(t, err)
				got = append(got, out.ExecutionInfos...)
			}
			want := byClose
			if reverse {
				want = byCloseRev
			}
			if !slices.Equal(runIDs(got), runIDs(want)) {
				t.Fatalf("closed in pages of %d (reverse %v): %v, want %v", size, reverse, runs.labels(got), runs.labels(want))
			}
		}
	}
	// A token of a listing by start time does not serve one by close time.
	page, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2})
	must(t, err)
	_, err = d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), CloseTimeFilter: all, MaximumPageSize: 2, NextPageToken: page.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	_, err = d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2, NextPageToken: page.NextPageToken,
		CloseStatusFilter: &types.CloseStatusFilter{Status: types.CloseStatusTerminated}})
	wantValidation(t, err, "nextPageToken")
	_, err = d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, MaximumPageSize: 2, NextPageToken: page.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	if got := listOpen(t, d.Client, swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all}); len(got) != 0 {
		t.Fatalf("open runs after closing all: %v", runs.labels(got))
	}
}

func TestRetentionPurgesClosedRuns(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t) // the domain keeps closed runs for a day
	gone := d.Start("gone")
	kept := d.Start("kept", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("31536000") })
	d.Clock.Advance(10 * time.Second)
	d.Terminate(gone)
	d.Clock.Advance(time.Second)
	later := d.Start("later")
	d.Clock.Advance(time.Second)
	d.Terminate(later)

	all := since(0)
	closedIDs := func() []string {
		var ids []string
		for _, i := range listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all}) {
			ids = append(ids, aws.ToString(i.Execution.WorkflowId))
		}
		return ids
	}
	// A day after the close, to the millisecond, it is still there.
	d.Advance(24*time.Hour - 2*time.Second - time.Millisecond)
	if info := d.Describe(gone).ExecutionInfo; info.CloseStatus != types.CloseStatusTerminated {
		t.Fatalf("closed run before its retention ends: %+v", info)
	}
	if got := closedIDs(); !slices.Equal(got, []string{"later", "gone"}) {
		t.Fatalf("closed runs before retention ends: %v", got)
	}
	if len(d.History(gone)) != 3 {
		t.Fatalf("history before retention ends: %v", swftest.EventTypes(d.History(gone)))
	}

	d.Advance(time.Millisecond)
	_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: gone})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: gone})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := closedIDs(); !slices.Equal(got, []string{"later"}) {
		t.Fatalf("closed runs once the first one's retention ended: %v", got)
	}
	if got := listClosed(t, d.Client, swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: all, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("gone")}}); len(got) != 0 {
		t.Fatalf("purged run listed: %+v", got)
	}
	// The open run stays.
	d.WantOpen("kept")
	if info := d.Describe(kept).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
		t.Fatalf("open run: %+v", info)
	}

	d.Advance(2 * time.Second)
	if got := closedIDs(); len(got) != 0 {
		t.Fatalf("closed runs once retention ended for all: %v", got)
	}
	_, err = d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: later})
	wantFault[*types.UnknownResourceFault](t, err)
	// The workflowId is free, of course.
	again := d.Start("gone")
	if aws.ToString(again.RunId) == aws.ToString(gone.RunId) {
		t.Fatal("runId reused")
	}

	// A run that timed out is kept for a day as well.
	d.Advance(time.Hour)
	if info := d.Describe(again).ExecutionInfo; info.CloseStatus != types.CloseStatusTimedOut {
		t.Fatalf("run after its timeout: %+v", info)
	}
	d.Advance(24*time.Hour - time.Millisecond)
	d.Describe(again)
	d.Advance(time.Millisecond)
	_, err = d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: again})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestRetentionNonePurgesAtOnce(t *testing.T) {
	t.Parallel()
	for _, retention := range []string{"0", "NONE"} {
		t.Run(retention, func(t *testing.T) {
			t.Parallel()
			s := swftest.Start(t)
			d := &swftest.Domain{Server: s, Name: "brief"}
			_, err := d.Client.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(d.Name), WorkflowExecutionRetentionPeriodInDays: aws.String(retention)})
			must(t, err)
			must(t, d.RegisterTypes())

			ex := d.Start("run")
			open := d.Start("open")
			d.Clock.Advance(time.Second)
			d.Terminate(ex)
			must(t, d.FireDueTimers(ctx))
			_, err = d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
			wantFault[*types.UnknownResourceFault](t, err)
			_, err = d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex})
			wantFault[*types.UnknownResourceFault](t, err)
			for _, in := range []swf.ListClosedWorkflowExecutionsInput{{StartTimeFilter: since(0)}, {CloseTimeFilter: since(0)}} {
				in.Domain = aws.String(d.Name)
				if got := listClosed(t, d.Client, in); len(got) != 0 {
					t.Fatalf("closed runs: %+v", got)
				}
			}
			d.WantOpen("open")
			if d.Describe(open).ExecutionInfo.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatal("the open run is not open")
			}

			// A run that times out goes as well.
			short := d.Start("short", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("5") })
			d.Advance(5 * time.Second)
			_, err = d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: short})
			wantFault[*types.UnknownResourceFault](t, err)
			d.WantOpen("open")
			// The workflowIds are free.
			d.Start("run")
			d.Start("short")
		})
	}
}
