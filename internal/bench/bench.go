// Package bench measures an SWF endpoint the way users load it: through the
// official aws-sdk-go-v2 client, signing as usual, from many goroutines.
//
// Three loads are measured in one run: heartbeats on many in-flight activity
// tasks; whole workflows (start, decide, one activity with three heartbeats,
// decide, complete) verified event by event afterwards; and the same
// heartbeat load against a trivial JSON handler on the same machine, the
// ceiling that every figure is also given as a ratio of. On a shared machine
// ratios are what can be compared from run to run.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// Options shape a run.
type Options struct {
	// Endpoint is the SWF endpoint to measure, or several, comma-separated.
	Endpoint string
	// Duration is how long each timed load runs.
	Duration time.Duration
	// Warmup is how long the workflow load runs, unmeasured, before the
	// timed one: so that what is measured is servers in their steady state,
	// their connections to the database open and each statement prepared
	// and planned on each, as on a server that has run for a while. (On
	// PostgreSQL a connection plans each statement anew for its first
	// executions; on a 10 s load from cold, that is a few percent of the
	// database's CPU, and more with more servers.) Zero: none.
	Warmup time.Duration
	// Concurrency is the number of goroutines that send heartbeats.
	Concurrency int
	// Tasks is the number of activity tasks in flight for the heartbeat load.
	Tasks int
	// Starters, Deciders and Workers size the pools of the workflow load.
	Starters, Deciders, Workers int
	// Domain is registered if missing; each run uses fresh workflow ids.
	Domain string
	// SkipHeartbeats and SkipWorkflows leave a load out, to measure or
	// profile the other alone.
	SkipHeartbeats, SkipWorkflows bool
	// Out receives the report.
	Out io.Writer
	// Marks adds to the report a line "mark: LOAD start" as each timed
	// load (heartbeats, workflows) starts, after its setup, and
	// "mark: LOAD end" as it ends: a script that measures the servers'
	// CPU time then measures the load alone.
	Marks bool
}

// mark writes a mark line to the report, when asked for.
func (o Options) mark(load, what string) {
	if o.Marks {
		fmt.Fprintf(o.Out, "mark: %s %s\n", load, what)
	}
}

// DefaultOptions are the loads `openswf bench` runs unless told otherwise.
var DefaultOptions = Options{
	Duration: 10 * time.Second, Warmup: 2 * time.Second, Concurrency: 16, Tasks: 512,
	Starters: 8, Deciders: 64, Workers: 64, Domain: "openswf-bench",
}

// Result is a run's figures.
type Result struct {
	Ceiling    Rate
	Heartbeats Rate
	Workflows  WorkflowRate
}

// Rate is a throughput with its latencies.
type Rate struct {
	Calls    int
	Errors   int
	PerSec   float64
	P50, P99 time.Duration
}

// WorkflowRate is the workflow load's figures.
type WorkflowRate struct {
	Completed   int
	PerSec      float64
	CallsPerSec float64
	Errors      int
	// P50 and P99 are end-to-end: from the start call to the close.
	P50, P99 time.Duration
	// Verified is the number of executions whose history was checked.
	Verified int
}

// NewClient returns an SWF client of the endpoint, made for many
// concurrent calls: connections are kept and reused, nothing is retried. It
// signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are set
// (a server with a users file needs its keys), else with made-up keys.
func NewClient(endpoint string) *swf.Client {
	creds := credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", "")
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		creds = credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))
	}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 4096
		t.MaxIdleConnsPerHost = 4096
		t.MaxConnsPerHost = 0
	})
	return swf.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		HTTPClient:  httpClient,
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}, func(o *swf.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Run measures the endpoint and writes the report.
func Run(ctx context.Context, o Options) (*Result, error) {
	// Several endpoints (servers sharing one database) share the load:
	// each goroutine calls one of them.
	var cs clients
	for _, e := range strings.Split(o.Endpoint, ",") {
		cs = append(cs, NewClient(strings.TrimSpace(e)))
	}
	c := cs[0]
	if err := setup(ctx, c, o.Domain); err != nil {
		return nil, err
	}
	var res Result

	ceiling, stop, err := startCeiling()
	if err != nil {
		return nil, err
	}
	defer stop()
	tokens := make([]*string, o.Tasks)
	for i := range tokens {
		tokens[i] = aws.String(fmt.Sprintf("token-%d", i))
	}
	// The ceiling is a property of the machine: ten seconds measure it.
	res.Ceiling = heartbeatLoad(ctx, clients{NewClient(ceiling)}, tokens, o.Concurrency, min(o.Duration, 10*time.Second))
	fmt.Fprintf(o.Out, "ceiling     %s\n", res.Ceiling)

	if !o.SkipHeartbeats {
		tokens, err = openActivityTasks(ctx, c, o.Domain, o.Tasks)
		if err != nil {
			return nil, fmt.Errorf("heartbeat setup: %w", err)
		}
		o.mark("heartbeats", "start")
		res.Heartbeats = heartbeatLoad(ctx, cs, tokens, o.Concurrency, o.Duration)
		o.mark("heartbeats", "end")
		fmt.Fprintf(o.Out, "heartbeats  %s  %5.1f%% of the ceiling\n", res.Heartbeats, 100*res.Heartbeats.PerSec/res.Ceiling.PerSec)
		if res.Heartbeats.Errors > 0 {
			return &res, fmt.Errorf("%d heartbeats failed", res.Heartbeats.Errors)
		}
	}

	if o.SkipWorkflows {
		return &res, nil
	}
	if o.Warmup > 0 {
		warm := o
		warm.Duration = o.Warmup
		if _, err := workflowLoad(ctx, cs, warm, "warm-"+runID+"-"); err != nil {
			return &res, fmt.Errorf("warm-up: %w", err)
		}
	}
	o.mark("workflows", "start")
	res.Workflows, err = workflowLoad(ctx, cs, o, "wf-"+runID+"-")
	o.mark("workflows", "end")
	if err != nil {
		return &res, err
	}
	w := res.Workflows
	fmt.Fprintf(o.Out, "workflows   %d completed, %.1f/s (%.1f%% of the ceiling), %.0f API calls/s, end to end p50 %v p99 %v, %d histories verified\n",
		w.Completed, w.PerSec, 100*w.PerSec/res.Ceiling.PerSec, w.CallsPerSec, w.P50.Round(time.Microsecond), w.P99.Round(time.Microsecond), w.Verified)
	return &res, nil
}

func (r Rate) String() string {
	return fmt.Sprintf("%8.0f calls/s  p50 %-9v p99 %-9v (%d calls, %d errors)", r.PerSec, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Calls, r.Errors)
}

// runID makes workflow ids and task lists unique to this run of the
// harness, so that runs against one server never see each other's tasks.
var runID = strconv.FormatInt(time.Now().UnixNano(), 36)

var (
	deciderList = "bench-deciders-" + runID
	workerList  = "bench-workers-" + runID
)

var (
	workflowType = &types.WorkflowType{Name: aws.String("bench-workflow"), Version: aws.String("1")}
	activityType = &types.ActivityType{Name: aws.String("bench-activity"), Version: aws.String("1")}
)

func setup(ctx context.Context, c *swf.Client, domain string) error {
	var domainExists *types.DomainAlreadyExistsFault
	if _, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: &domain, WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil && !errors.As(err, &domainExists) {
		return fmt.Errorf("register domain: %w", err)
	}
	var typeExists *types.TypeAlreadyExistsFault
	if _, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: &domain, Name: workflowType.Name, Version: workflowType.Version,
		DefaultTaskList: &types.TaskList{Name: aws.String(deciderList)}, DefaultChildPolicy: types.ChildPolicyTerminate,
		DefaultExecutionStartToCloseTimeout: aws.String("3600"), DefaultTaskStartToCloseTimeout: aws.String("300"),
	}); err != nil && !errors.As(err, &typeExists) {
		return fmt.Errorf("register workflow type: %w", err)
	}
	if _, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: &domain, Name: activityType.Name, Version: activityType.Version,
		DefaultTaskList:                   &types.TaskList{Name: aws.String(workerList)},
		DefaultTaskScheduleToStartTimeout: aws.String("3600"), DefaultTaskScheduleToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout: aws.String("3600"), DefaultTaskHeartbeatTimeout: aws.String("600"),
	}); err != nil && !errors.As(err, &typeExists) {
		return fmt.Errorf("register activity type: %w", err)
	}
	return nil
}

// startCeiling serves a trivial JSON handler on loopback: what the load
// generator and the HTTP stack alone can do on this machine.
func startCeiling() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"cancelRequested":false}`)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// openActivityTasks starts n workflows, schedules an activity in each and
// takes the activity tasks, whose tokens the heartbeat load uses.
func openActivityTasks(ctx context.Context, c *swf.Client, domain string, n int) ([]*string, error) {
	prefix := "hb-" + runID + "-"
	if err := parallel(ctx, 16, n, func(i int) error {
		_, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: &domain, WorkflowId: aws.String(prefix + strconv.Itoa(i)), WorkflowType: workflowType, TaskList: &types.TaskList{Name: aws.String(deciderList)}})
		return err
	}); err != nil {
		return nil, err
	}
	if err := drainDecisions(ctx, c, domain, n, func(*swf.PollForDecisionTaskOutput) []types.Decision {
		return []types.Decision{scheduleActivity()}
	}); err != nil {
		return nil, err
	}
	tokens := make([]*string, 0, n)
	var mu sync.Mutex
	err := parallel(ctx, 16, n, func(int) error {
		t, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: &domain, TaskList: &types.TaskList{Name: aws.String(workerList)}})
		if err != nil {
			return err
		}
		// A poll that found no task has no taskToken (Amazon SWF leaves it out;
		// its documentation says an empty string): either is no task.
		if aws.ToString(t.TaskToken) == "" {
			return errors.New("no activity task came")
		}
		mu.Lock()
		tokens = append(tokens, t.TaskToken)
		mu.Unlock()
		return nil
	})
	return tokens, err
}

// drainDecisions answers n decision tasks with decide.
func drainDecisions(ctx context.Context, c *swf.Client, domain string, n int, decide func(*swf.PollForDecisionTaskOutput) []types.Decision) error {
	return parallel(ctx, 16, n, func(int) error {
		t, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: &domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}})
		if err != nil {
			return err
		}
		if aws.ToString(t.TaskToken) == "" {
			return errors.New("no decision task came")
		}
		_, err = c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: t.TaskToken, Decisions: decide(t)})
		return err
	})
}

func scheduleActivity() types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
		ActivityId: aws.String("work"), ActivityType: activityType, Input: aws.String("bench"), TaskList: &types.TaskList{Name: aws.String(workerList)},
	}}
}

// parallel runs fn(0..n-1) on k goroutines and returns the first error.
func parallel(ctx context.Context, k, n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(k, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) percentile(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	return l.d[min(len(l.d)-1, int(p*float64(len(l.d))))]
}

// clients are SWF clients of the endpoints measured.
type clients []*swf.Client

// pick is the client of the i-th goroutine of a pool.
func (cs clients) pick(i int) *swf.Client { return cs[i%len(cs)] }

// heartbeatLoad sends RecordActivityTaskHeartbeat from k goroutines over
// the tokens for d.
func heartbeatLoad(ctx context.Context, cs clients, tokens []*string, k int, d time.Duration) Rate {
	var lat latencies
	var calls, errs atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	begin := time.Now()
	var wg sync.WaitGroup
	for g := range k {
		wg.Add(1)
		c := cs.pick(g)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			details := aws.String("progress")
			for i := g; ctx.Err() == nil; i += k {
				t0 := time.Now()
				_, err := c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: tokens[i%len(tokens)], Details: details})
				if ctx.Err() != nil {
					break
				}
				local = append(local, time.Since(t0))
				calls.Add(1)
				if err != nil {
					errs.Add(1)
				}
			}
			lat.add(local)
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	return Rate{
		Calls: int(calls.Load()), Errors: int(errs.Load()),
		PerSec: float64(calls.Load()) / elapsed.Seconds(),
		P50:    lat.percentile(0.50), P99: lat.percentile(0.99),
	}
}

// workflowLoad runs whole workflows, their ids starting with prefix, with
// pools of starters, deciders and workers for the duration, then lets the
// started ones finish and checks each one's history.
func workflowLoad(ctx context.Context, cs clients, o Options, prefix string) (WorkflowRate, error) {
	var res WorkflowRate
	startCtx, stopStarting := context.WithTimeout(ctx, o.Duration)
	defer stopStarting()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	w := &workflowRun{domain: o.Domain, prefix: prefix, workCtx: workCtx}
	begin := time.Now()
	var starters, pool sync.WaitGroup
	for i := range o.Starters {
		starters.Go(func() { w.start(startCtx, cs.pick(i)) })
	}
	for i := range o.Deciders {
		pool.Go(func() { w.decide(cs.pick(i)) })
	}
	for i := range o.Workers {
		pool.Go(func() { w.work(cs.pick(i)) })
	}
	starters.Wait()
	// Let every started workflow finish (bounded), then stop the pools.
	deadline := time.Now().Add(o.Duration + 60*time.Second)
	for w.completed.Load() < w.started.Load() && time.Now().Before(deadline) && w.errs.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	stopWork()
	pool.Wait()

	res.Completed = int(w.completed.Load())
	res.Errors = int(w.errs.Load())
	res.PerSec = float64(res.Completed) / elapsed.Seconds()
	res.CallsPerSec = float64(w.calls.Load()) / elapsed.Seconds()
	res.P50, res.P99 = w.lat.percentile(0.50), w.lat.percentile(0.99)
	if res.Errors > 0 {
		return res, fmt.Errorf("%d API calls of the workflow load failed, the first: %w", res.Errors, w.firstErr)
	}
	if int64(res.Completed) != w.started.Load() {
		return res, fmt.Errorf("%d workflows started, %d completed", w.started.Load(), res.Completed)
	}
	n, err := verify(ctx, cs[0], o.Domain, w.prefix, res.Completed)
	res.Verified = n
	return res, err
}

// workflowRun is the state that the starters, deciders and workers of a
// workflow load share.
type workflowRun struct {
	domain, prefix string
	// workCtx ends the deciders and workers (and the calls of starters).
	workCtx                         context.Context
	calls, errs, started, completed atomic.Int64
	startTimes                      sync.Map // workflowId -> time.Time
	firstErr                        error    // the first failed call, to report
	firstOnce                       sync.Once
	lat                             latencies // start to completion
}

// call counts a call with its outcome, and returns its error (or that of
// workCtx, once the load is over: that call does not count).
func (w *workflowRun) call(err error) error {
	if w.workCtx.Err() != nil {
		return w.workCtx.Err()
	}
	w.calls.Add(1)
	if err != nil {
		w.errs.Add(1)
		w.firstOnce.Do(func() { w.firstErr = err })
	}
	return err
}

// start starts workflows until startCtx ends.
func (w *workflowRun) start(startCtx context.Context, c *swf.Client) {
	for startCtx.Err() == nil {
		id := w.prefix + strconv.FormatInt(w.started.Add(1), 10)
		w.startTimes.Store(id, time.Now())
		if w.call(startErr(c.StartWorkflowExecution(w.workCtx, &swf.StartWorkflowExecutionInput{Domain: &w.domain, WorkflowId: &id, WorkflowType: workflowType, TaskList: &types.TaskList{Name: aws.String(deciderList)}, Input: aws.String("bench")}))) != nil {
			w.started.Add(-1)
			w.startTimes.Delete(id)
		}
	}
}

// decide takes decision tasks and answers them (decideWorkflow) until the
// load is over, timing each workflow that it completes.
func (w *workflowRun) decide(c *swf.Client) {
	var local []time.Duration
	defer func() { w.lat.add(local) }()
	for w.workCtx.Err() == nil {
		t, err := c.PollForDecisionTask(w.workCtx, &swf.PollForDecisionTaskInput{Domain: &w.domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}})
		if w.call(err) != nil || aws.ToString(t.TaskToken) == "" {
			continue
		}
		decisions, done := decideWorkflow(t.Events)
		_, err = c.RespondDecisionTaskCompleted(w.workCtx, &swf.RespondDecisionTaskCompletedInput{TaskToken: t.TaskToken, Decisions: decisions})
		if w.call(err) == nil && done {
			w.completed.Add(1)
			if t0, ok := w.startTimes.Load(*t.WorkflowExecution.WorkflowId); ok {
				local = append(local, time.Since(t0.(time.Time)))
			}
		}
	}
}

// work takes activity tasks, heartbeats three times and completes each,
// until the load is over.
func (w *workflowRun) work(c *swf.Client) {
	for w.workCtx.Err() == nil {
		t, err := c.PollForActivityTask(w.workCtx, &swf.PollForActivityTaskInput{Domain: &w.domain, TaskList: &types.TaskList{Name: aws.String(workerList)}})
		if w.call(err) != nil || aws.ToString(t.TaskToken) == "" {
			continue
		}
		for i := range 3 {
			_, err := c.RecordActivityTaskHeartbeat(w.workCtx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: t.TaskToken, Details: aws.String(strconv.Itoa(i + 1))})
			w.call(err)
		}
		_, err = c.RespondActivityTaskCompleted(w.workCtx, &swf.RespondActivityTaskCompletedInput{TaskToken: t.TaskToken, Result: aws.String("done")})
		w.call(err)
	}
}

func startErr(_ *swf.StartWorkflowExecutionOutput, err error) error { return err }

// decideWorkflow is the benchmark's decider: schedule the activity, then
// complete once it has completed.
func decideWorkflow(events []types.HistoryEvent) ([]types.Decision, bool) {
	for _, e := range events {
		if e.EventType == types.EventTypeActivityTaskCompleted {
			return []types.Decision{{
				DecisionType: types.DecisionTypeCompleteWorkflowExecution,
				CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("ok")},
			}}, true
		}
	}
	return []types.Decision{scheduleActivity()}, false
}

// expectedHistory is what every benchmark workflow must record.
var expectedHistory = []types.EventType{
	types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
	types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskStarted,
	types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
	types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted,
}

// verify checks that every workflow of the load closed COMPLETED with the
// expected history.
func verify(ctx context.Context, c *swf.Client, domain, prefix string, n int) (int, error) {
	var checked atomic.Int64
	err := parallel(ctx, 16, n, func(i int) error {
		id := prefix + strconv.Itoa(i+1)
		runs, err := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{
			Domain: &domain, StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))},
			ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: &id},
		})
		if err != nil {
			return err
		}
		// Keep only this id's runs: some SWF emulators ignore the filter.
		var closed []types.WorkflowExecutionInfo
		for _, r := range runs.ExecutionInfos {
			if r.Execution != nil && aws.ToString(r.Execution.WorkflowId) == id {
				closed = append(closed, r)
			}
		}
		if len(closed) != 1 || closed[0].CloseStatus != types.CloseStatusCompleted {
			statuses := make([]types.CloseStatus, len(closed))
			for j, r := range closed {
				statuses[j] = r.CloseStatus
			}
			return fmt.Errorf("workflow %s: closed runs %v, want exactly one COMPLETED", id, statuses)
		}
		h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: &domain, Execution: closed[0].Execution})
		if err != nil {
			return err
		}
		got := make([]types.EventType, len(h.Events))
		for j, e := range h.Events {
			got[j] = e.EventType
		}
		if !slices.Equal(got, expectedHistory) {
			return fmt.Errorf("workflow %s recorded %v", id, got)
		}
		checked.Add(1)
		return nil
	})
	return int(checked.Load()), err
}
