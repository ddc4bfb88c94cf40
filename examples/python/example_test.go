// Package python_test runs the Python example (boto3) against an openswf
// test server: the decider and the worker as a user runs them, a run that
// packs, waits a day the test skips with the manual clock, and ships, and a
// run canceled while it packs. It skips without python3 and boto3.
package python_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
	"github.com/openswf/openswf/openswftest"
)

const domain = "python-example"

// example runs one of the example's scripts against the server.
type example struct {
	t        *testing.T
	endpoint string
	out      swftest.Log
}

func (e *example) command(ctx context.Context, script string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "python3", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "OPENSWF_ENDPOINT="+e.endpoint, "AWS_ACCESS_KEY_ID=dev", "AWS_SECRET_ACCESS_KEY=dev", "AWS_DEFAULT_REGION=us-east-1")
	cmd.Stdout, cmd.Stderr = &e.out, &e.out
	return cmd
}

// start runs start.py, which starts a run.
func (e *example) start(ctx context.Context, args ...string) {
	e.t.Helper()
	if err := e.command(ctx, "start.py", args...).Run(); err != nil {
		e.t.Fatalf("start.py %v: %v\n%s", args, err, e.out.String())
	}
}

func (e *example) history(c *swf.Client, workflowID string) (*types.WorkflowExecutionInfo, []types.HistoryEvent) {
	e.t.Helper()
	ctx := context.Background()
	ex := &types.WorkflowExecution{WorkflowId: aws.String(workflowID)}
	open, err := c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(domain),
		StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: ex.WorkflowId}})
	if err != nil {
		e.t.Fatal(err)
	}
	closed, err := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(domain),
		StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: ex.WorkflowId}})
	if err != nil {
		e.t.Fatal(err)
	}
	infos := append(open.ExecutionInfos, closed.ExecutionInfos...)
	if len(infos) == 0 {
		return nil, nil
	}
	h, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: infos[0].Execution, MaximumPageSize: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	// Described after the history was read: as new as the history, or newer.
	d, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(domain), Execution: infos[0].Execution})
	if err != nil {
		e.t.Fatal(err)
	}
	return d.ExecutionInfo, h.Events
}

// waitFor waits, in real time (the scripts are other processes), until the
// run's history has an event of the type.
func (e *example) waitFor(c *swf.Client, workflowID string, want types.EventType) (*types.WorkflowExecutionInfo, []types.HistoryEvent) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		info, h := e.history(c, workflowID)
		if slices.ContainsFunc(h, func(ev types.HistoryEvent) bool { return ev.EventType == want }) {
			return info, h
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: no %s after 60 s; history %v\nthe scripts said:\n%s", workflowID, want, eventTypes(h), e.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eventTypes(h []types.HistoryEvent) []string {
	var out []string
	for _, e := range h {
		out = append(out, string(e.EventType))
	}
	return out
}

func TestPythonExample(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3: the Python example is not run")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 has no boto3 (apt-get install python3-boto3): the Python example is not run")
	}
	srv := openswftest.Start(t)
	e := &example{t: t, endpoint: srv.Endpoint}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	decider, worker := e.command(ctx, "decider.py", "--runs", "2"), e.command(ctx, "worker.py", "--tasks", "2")
	for _, cmd := range []*exec.Cmd{decider, worker} {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	e.start(ctx, "order-1", "3", "0.05")

	// Packed, the run waits a day: the test moves the clock a day, as a
	// user would with `openswf clock advance 1d`.
	_, h := e.waitFor(srv.Client, "order-1", types.EventTypeTimerStarted)
	if got := h[len(h)-1].TimerStartedEventAttributes; got == nil || aws.ToString(got.StartToFireTimeout) != "86400" {
		t.Fatalf("the decider's last decision is not the day's timer: %v", eventTypes(h))
	}
	resp, err := http.Post(srv.Endpoint+"/openswf/clock", "application/json", strings.NewReader(`{"advance": "1d"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("advancing the clock: %v %v", err, resp)
	}
	resp.Body.Close()
	info, h := e.waitFor(srv.Client, "order-1", types.EventTypeWorkflowExecutionCompleted)
	if got := aws.ToString(h[len(h)-1].WorkflowExecutionCompletedEventAttributes.Result); got != "shipped: 3 items in box" || info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("order-1 closed %s with %q", info.CloseStatus, got)
	}

	// A run canceled while it packs: the worker hears of it at its next
	// heartbeat and stops, saying how far it got.
	e.start(ctx, "order-2", "400", "0.05")
	info, _ = e.waitFor(srv.Client, "order-2", types.EventTypeActivityTaskStarted)
	if _, err := srv.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: info.Execution.WorkflowId}); err != nil {
		t.Fatal(err)
	}
	info, h = e.waitFor(srv.Client, "order-2", types.EventTypeWorkflowExecutionCanceled)
	var canceled *types.ActivityTaskCanceledEventAttributes
	for _, ev := range h {
		if ev.ActivityTaskCanceledEventAttributes != nil {
			canceled = ev.ActivityTaskCanceledEventAttributes
		}
	}
	if canceled == nil || !strings.HasPrefix(aws.ToString(canceled.Details), "stopped after ") || !strings.HasSuffix(aws.ToString(canceled.Details), "/400 items packed") {
		t.Fatalf("order-2 closed %s; the activity's cancellation: %+v; history %v", info.CloseStatus, canceled, eventTypes(h))
	}

	for name, cmd := range map[string]*exec.Cmd{"decider.py": decider, "worker.py": worker} {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v\n%s", name, err, e.out.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not exit after its runs\n%s", name, e.out.String())
		}
	}
}
