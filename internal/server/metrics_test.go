package server_test

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// GET /metrics tells, in Prometheus's format, how many requests of each
// operation were answered with which code, how long they took, and how many
// polls wait.
func TestMetrics(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	_, err := d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("missing")})
	wantCode(t, err, "UnknownResourceFault")
	polling := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	d.WaitClockWaiters(1)

	resp, err := http.Get(d.URL() + "/metrics")
	must(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, line := range []string{
		`openswf_requests_total{operation="RegisterDomain",code="OK"} 1`,
		`openswf_requests_total{operation="RegisterWorkflowType",code="OK"} 1`,
		`openswf_requests_total{operation="DescribeDomain",code="UnknownResourceFault"} 1`,
		`openswf_request_duration_seconds_count{operation="DescribeDomain"} 1`,
		`openswf_request_duration_seconds_bucket{operation="RegisterDomain",le="+Inf"} 1`,
		"openswf_polls_waiting 1",
		"openswf_servers 1",
		"# TYPE openswf_heap_bytes gauge",
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", line, body)
		}
	}
	d.Start("w")
	swftest.Await(t, polling)
}

// /metrics and /healthz carry no error text and echo nothing a client
// sent: a request with a made-up operation is counted under no operation.
func TestMetricsAndHealthRevealNothing(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	s.Post("SimpleWorkflowService.<script>secret-op", "application/x-amz-json-1.0", "{}")
	s.Post("SimpleWorkflowService.ListDomains", "application/x-amz-json-1.0", `{"registrationStatus": 7}`)
	for _, path := range []string{"/metrics", "/healthz"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, leak := range []string{"secret-op", "<script>", "registrationStatus", "Cannot read", "expected"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("%s shows %q:\n%s", path, leak, b)
			}
		}
	}
}

// scrape reads GET /metrics as Prometheus would: each family's type, and
// each sample's value by its name and labels as written.
func scrape(t *testing.T, url string) (types map[string]string, samples map[string]float64) {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	must(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	types, samples = map[string]string{}, map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if types[name] != "" {
				t.Errorf("%s has two TYPE lines", name)
			}
			types[name] = typ
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("not a sample: %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("not a sample: %q", line)
		}
		name := line[:i]
		if j := strings.IndexByte(name, '{'); j >= 0 {
			name = name[:j]
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if types[name] == "" && types[family] == "" {
			t.Errorf("sample %q comes before its TYPE line", line)
		}
		samples[line[:i]] = v
	}
	return types, samples
}

// TestMetricsOfWork: /metrics has the standard Go and process metrics,
// openswf_build_info, and counts what runs do: executions started and
// closed by status, task timeouts by type, pending tasks per list, and
// how long activity tasks wait and run.
func TestMetricsOfWork(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("m"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("m"), Name: aws.String("w"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout: aws.String("10"), DefaultChildPolicy: types.ChildPolicyTerminate})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("m"), Name: aws.String("a"), Version: aws.String("1")})
	must(t, err)
	startRun := func(id string) {
		_, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("m"), WorkflowId: aws.String(id),
			WorkflowType: &types.WorkflowType{Name: aws.String("w"), Version: aws.String("1")}})
		must(t, err)
	}
	schedule := func(activityID, heartbeat string) {
		task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("m"), TaskList: &types.TaskList{Name: aws.String("d")}})
		must(t, err)
		_, err = c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{{
			DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
				ActivityId: aws.String(activityID), ActivityType: &types.ActivityType{Name: aws.String("a"), Version: aws.String("1")},
				TaskList: &types.TaskList{Name: aws.String("work")}, ScheduleToStartTimeout: aws.String("NONE"), ScheduleToCloseTimeout: aws.String("NONE"),
				StartToCloseTimeout: aws.String("NONE"), HeartbeatTimeout: aws.String(heartbeat)}}}})
		must(t, err)
	}
	// One run's activity waits 3 s, runs 7 s and completes; the run is
	// terminated.
	startRun("one")
	schedule("a1", "NONE")
	s.Clock.Advance(3 * time.Second)
	task, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("m"), TaskList: &types.TaskList{Name: aws.String("work")}})
	must(t, err)
	s.Clock.Advance(7 * time.Second)
	_, err = c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
	must(t, err)
	_, err = c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String("m"), WorkflowId: aws.String("one")})
	must(t, err)
	// Another's activity misses its heartbeat; its decision task waits.
	startRun("two")
	schedule("a2", "5")
	_, err = c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("m"), TaskList: &types.TaskList{Name: aws.String("work")}})
	must(t, err)
	s.Clock.Advance(6 * time.Second)
	must(t, s.FireDueTimers(ctx))

	typ, got := scrape(t, s.URL())
	for name, want := range map[string]string{
		"go_info": "gauge", "go_goroutines": "gauge", "go_threads": "gauge", "go_memstats_heap_alloc_bytes": "gauge", "go_memstats_alloc_bytes_total": "counter",
		"go_gc_cycles_total": "counter", "process_cpu_seconds_total": "counter", "process_resident_memory_bytes": "gauge", "process_open_fds": "gauge",
		"process_max_fds": "gauge", "process_start_time_seconds": "gauge", "openswf_build_info": "gauge",
		"openswf_workflow_executions_started_total": "counter", "openswf_workflow_executions_closed_total": "counter",
		"openswf_activity_task_timeouts_total": "counter", "openswf_decision_task_timeouts_total": "counter", "openswf_pending_tasks": "gauge",
		"openswf_activity_schedule_to_start_seconds": "histogram", "openswf_activity_start_to_close_seconds": "histogram",
		"openswf_requests_total": "counter", "openswf_request_duration_seconds": "histogram",
	} {
		if typ[name] != want {
			t.Errorf("%s is a %q, want %q", name, typ[name], want)
		}
	}
	for sample, want := range map[string]float64{
		`openswf_workflow_executions_started_total{domain="m"}`:                          2,
		`openswf_workflow_executions_closed_total{domain="m",close_status="TERMINATED"}`: 1,
		`openswf_activity_task_timeouts_total{domain="m",timeout_type="HEARTBEAT"}`:      1,
		`openswf_pending_tasks{domain="m",kind="decision",task_list="d"}`:                1,
		`openswf_activity_schedule_to_start_seconds_count`:                               2,
		`openswf_activity_schedule_to_start_seconds_sum`:                                 3,
		`openswf_activity_schedule_to_start_seconds_bucket{le="1"}`:                      1,
		`openswf_activity_schedule_to_start_seconds_bucket{le="5"}`:                      2,
		`openswf_activity_start_to_close_seconds_count`:                                  2,
		`openswf_activity_start_to_close_seconds_sum`:                                    13,
		`openswf_activity_start_to_close_seconds_bucket{le="5"}`:                         0,
		`openswf_activity_start_to_close_seconds_bucket{le="10"}`:                        2,
	} {
		if v, ok := got[sample]; !ok || v != want {
			t.Errorf("%s = %v (present: %v), want %v", sample, v, ok, want)
		}
	}
	if got[`go_info{version="`+runtime.Version()+`"}`] != 1 {
		t.Errorf("no go_info of %s", runtime.Version())
	}

	// docs/OPERATIONS.md names every metric, and the Grafana dashboard
	// uses only metrics there are.
	ops, err := os.ReadFile("../../docs/OPERATIONS.md")
	must(t, err)
	for name := range typ {
		if !strings.Contains(string(ops), "`"+name) && !strings.Contains(string(ops), name+"`") {
			t.Errorf("docs/OPERATIONS.md does not name %s", name)
		}
	}
	dash, err := os.ReadFile("../../docs/grafana-dashboard.json")
	must(t, err)
	for _, name := range regexp.MustCompile(`\b(?:openswf|go|process)_[a-z_]+`).FindAllString(string(dash), -1) {
		if base := strings.TrimSuffix(name, "_bucket"); typ[base] == "" {
			t.Errorf("the dashboard uses %s, which /metrics does not have", name)
		}
	}
}
