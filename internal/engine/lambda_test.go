package engine_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/lambda"
	"github.com/openswf/openswf/internal/swfapi"
)

// fakeLambda answers invocations from a table of functions and assumes
// only the role "ok-role".
type fakeLambda struct {
	mu    sync.Mutex
	calls []lambda.Call
	roles map[string]bool
}

func (f *fakeLambda) Invoke(_ context.Context, c lambda.Call) lambda.Result {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if c.Function == "boom" {
		return lambda.Result{Failed: true, Reason: swfapi.Ptr("Unhandled"), Details: swfapi.Ptr("it broke")}
	}
	out := "echo:" + swfapi.Deref(c.Input)
	return lambda.Result{Output: &out}
}

func (f *fakeLambda) HasRole(role string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.roles[role]
}

func (f *fakeLambda) GetRole(_ context.Context, role string) error {
	if role != "ok-role" {
		return errors.New("AccessDenied: " + role)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[role] = true
	return nil
}

// Lambda tasks are taken by the engine's own workers, invoked outside any
// transaction as the run's role, and recorded; a role that cannot be
// assumed fails the task before it starts.
func TestLambdaTasks(t *testing.T) {
	t.Parallel()
	fl := &fakeLambda{roles: map[string]bool{}}
	h := newHarness(t, engine.Config{Lambda: fl})
	workers, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { h.e.RunLambdas(workers, 2); close(done) }()
	defer func() { stop(); <-done }()

	startWithRole := func(id, role string) *swfapi.WorkflowExecution {
		run, err := h.e.StartWorkflowExecution(ctx, &swfapi.StartWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr(id),
			WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1")}, LambdaRole: swfapi.Ptr(role)})
		h.must(err)
		return &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(id), RunId: run.RunId}
	}
	fn := func(id, name string) swfapi.Decision {
		return swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleLambdaFunction.Ptr(), ScheduleLambdaFunctionDecisionAttributes: &swfapi.ScheduleLambdaFunctionDecisionAttributes{
			Id: swfapi.Ptr(id), Name: swfapi.Ptr(name), Input: swfapi.Ptr("{}")}}
	}
	// waitFor waits (in real time: the workers run on their own) until the
	// run's history ends with the event types.
	waitFor := func(run *swfapi.WorkflowExecution, want ...string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := h.last(run, len(want))
			if slices.Equal(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s ends %v, want %v", *run.WorkflowId, h.history(run), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	ok := startWithRole("ok", "ok-role")
	h.decide(ok, fn("a", "echo"))
	waitFor(ok, "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionCompleted", "DecisionTaskScheduled")
	ev := h.events(ok)
	if r := ev[len(ev)-2].LambdaFunctionCompletedEventAttributes; *r.Result != "echo:{}" {
		t.Fatalf("completed %+v", r)
	}
	h.decide(ok, fn("b", "boom"))
	waitFor(ok, "LambdaFunctionStarted", "LambdaFunctionFailed", "DecisionTaskScheduled")
	h.decide(ok, completeRun())

	denied := startWithRole("denied", "bad-role")
	h.decide(denied, fn("a", "echo"))
	waitFor(denied, "LambdaFunctionScheduled", "StartLambdaFunctionFailed", "DecisionTaskScheduled")
	ev = h.events(denied)
	if f := ev[len(ev)-2].StartLambdaFunctionFailedEventAttributes; *f.Cause != swfapi.StartLambdaFunctionFailedCauseAssumeRoleFailed || *f.Message != "AccessDenied: bad-role" {
		t.Fatalf("start failed %+v", f)
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if len(fl.calls) != 2 || fl.calls[0].Role != "ok-role" || fl.calls[1].Function != "boom" {
		t.Fatalf("calls %+v", fl.calls)
	}
}
