package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Helpers of lambda_test.go start with lb.
//
// Lambda tasks are invoked by the server's background workers, in real
// time: tests wait for their outcome by reading the history until it
// shows, within a real-time deadline. Timeouts still follow the fake clock.

// lbRole is the lambdaRole runs are started with.
const lbRole = "arn:aws:iam::123456789012:role/swf-lambda"

// lbBoom is what the "boom" function answers: the error of a function
// that raised.
const lbBoom = `{"errorMessage":"boom: it broke","errorType":"Error","stackTrace":["at handler (index.js:3:9)"]}`

// lbCall is one request that reached the Lambda endpoint.
type lbCall struct {
	Function, Body                string
	Auth, Token, InvocationType   string
	ContentType, AmzDate, Payload string
}

// lbEndpoint is a Lambda-compatible endpoint on loopback. Its functions:
// "echo" returns its input, "boom" raises, "missing" does not exist and
// "slow" answers `"late"` once the test releases it.
type lbEndpoint struct {
	*httptest.Server
	mu      sync.Mutex
	calls   []lbCall
	arrived chan string
	release chan struct{}
	once    sync.Once
}

func lbStartEndpoint(t *testing.T) *lbEndpoint {
	t.Helper()
	ep := &lbEndpoint{arrived: make(chan string, 100), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", ep.invoke)
	ep.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		ep.releaseSlow()
		ep.Close()
	})
	return ep
}

func (ep *lbEndpoint) releaseSlow() { ep.once.Do(func() { close(ep.release) }) }

func (ep *lbEndpoint) invoke(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	name := r.PathValue("name")
	ep.mu.Lock()
	ep.calls = append(ep.calls, lbCall{
		Function: name, Body: string(body), Auth: r.Header.Get("Authorization"), Token: r.Header.Get("X-Amz-Security-Token"),
		InvocationType: r.Header.Get("X-Amz-Invocation-Type"), ContentType: r.Header.Get("Content-Type"), AmzDate: r.Header.Get("X-Amz-Date"),
	})
	ep.mu.Unlock()
	ep.arrived <- name
	switch name {
	case "echo":
		w.Write(body)
	case "boom":
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		io.WriteString(w, lbBoom)
	case "missing":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"}`)
	case "slow":
		select {
		case <-ep.release:
			io.WriteString(w, `"late"`)
		case <-r.Context().Done():
		}
	default:
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// lbCalls returns the requests so far.
func (ep *lbEndpoint) lbCalls() []lbCall {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return slices.Clone(ep.calls)
}

// lbAwait waits until the functions named have been called (in any order).
func (ep *lbEndpoint) lbAwait(t *testing.T, names ...string) {
	t.Helper()
	want := slices.Sorted(slices.Values(names))
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < len(want) {
		select {
		case n := <-ep.arrived:
			got = append(got, n)
		case <-deadline:
			t.Fatalf("functions called: %v, want %v", got, want)
		}
	}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Fatalf("functions called: %v, want %v", got, want)
	}
}

// lbConfig points the server at the endpoint, signing with AKID/SECRET.
func lbConfig(ep *lbEndpoint, mod ...func(*server.Config)) swftest.Option {
	return swftest.WithConfig(func(c *server.Config) {
		c.Lambda = server.LambdaConfig{Endpoint: ep.URL, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
		for _, m := range mod {
			m(c)
		}
	})
}

// lbStart starts a run with lbRole as its lambdaRole.
func (f *fixture) lbStart(workflowID string) *types.WorkflowExecution {
	f.t.Helper()
	return f.start(workflowID, func(in *swf.StartWorkflowExecutionInput) { in.LambdaRole = aws.String(lbRole) })
}

func lbSchedule(id, name, input string, mod ...func(*types.ScheduleLambdaFunctionDecisionAttributes)) types.Decision {
	a := &types.ScheduleLambdaFunctionDecisionAttributes{Id: aws.String(id), Name: aws.String(name)}
	if input != "" {
		a.Input = aws.String(input)
	}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeScheduleLambdaFunction, ScheduleLambdaFunctionDecisionAttributes: a}
}

// lbFirstDecision takes the run's first decision task and answers it.
func (f *fixture) lbFirstDecision(ex *types.WorkflowExecution, decisions ...types.Decision) {
	f.t.Helper()
	d := f.decision()
	if aws.ToString(d.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || d.StartedEventId != 3 {
		f.t.Fatalf("decision task of %s at %d, want the first of %s", aws.ToString(d.WorkflowExecution.WorkflowId), d.StartedEventId, aws.ToString(ex.WorkflowId))
	}
	f.decide(d.TaskToken, decisions...)
}

// lbWait reads the run's history until it holds n events of type typ,
// and returns it.
func (f *fixture) lbWait(ex *types.WorkflowExecution, n int, typ types.EventType) []types.HistoryEvent {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := f.history(ex)
		if len(lbOf(h, typ)) >= n {
			return h
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("no %d %s in %v", n, typ, eventTypes(h))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lbOf returns the events of type typ.
func lbOf(h []types.HistoryEvent, typ types.EventType) []types.HistoryEvent {
	var out []types.HistoryEvent
	for _, e := range h {
		if e.EventType == typ {
			out = append(out, e)
		}
	}
	return out
}

// lbWantTypes asserts the history's event types, in order, and that its
// ids run 1, 2, 3...
func (f *fixture) lbWantTypes(h []types.HistoryEvent, want ...types.EventType) {
	f.t.Helper()
	var w []string
	for _, t := range want {
		w = append(w, string(t))
	}
	if got := eventTypes(h); !slices.Equal(got, w) {
		f.t.Fatalf("history:\n got %v\nwant %v", got, w)
	}
	for i, e := range h {
		if e.EventId != int64(i+1) {
			f.t.Fatalf("event %d has id %d", i+1, e.EventId)
		}
	}
}

// lbOpen returns the run's openLambdaFunctions.
func (f *fixture) lbOpen(ex *types.WorkflowExecution) int32 {
	f.t.Helper()
	return f.describe(ex).OpenCounts.OpenLambdaFunctions
}

var lbPrefix = []types.EventType{
	types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
}

func lbWith(more ...types.EventType) []types.EventType {
	return append(slices.Clone(lbPrefix), more...)
}

// A Lambda task runs its function and records its result: Scheduled,
// Started, Completed, and a decision task that shows them to the decider.
// The function is invoked through the Lambda Invoke API with the input as
// body, signed with SigV4 for lambda.
func TestLambdaFunctionCompletes(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep))
	ex := f.lbStart("lb-echo")
	input := `{"greeting":"héllo"}`
	f.lbFirstDecision(ex, lbSchedule("fn-1", "echo", input, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.Control = aws.String("ctl") }))

	h := f.lbWait(ex, 1, types.EventTypeLambdaFunctionCompleted)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
	s := h[4].LambdaFunctionScheduledEventAttributes
	if aws.ToString(s.Id) != "fn-1" || aws.ToString(s.Name) != "echo" || aws.ToString(s.Control) != "ctl" || aws.ToString(s.Input) != input ||
		aws.ToString(s.StartToCloseTimeout) != "900" || s.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("LambdaFunctionScheduled %+v", s)
	}
	if st := h[5].LambdaFunctionStartedEventAttributes; st.ScheduledEventId != 5 {
		t.Fatalf("LambdaFunctionStarted %+v", st)
	}
	if c := h[6].LambdaFunctionCompletedEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 6 || aws.ToString(c.Result) != input {
		t.Fatalf("LambdaFunctionCompleted %+v", c)
	}
	if a := h[7].DecisionTaskScheduledEventAttributes; aws.ToString(a.TaskList.Name) != deciderList {
		t.Fatalf("DecisionTaskScheduled %+v", a)
	}
	for _, e := range h {
		if !aws.ToTime(e.EventTimestamp).Equal(swftest.Epoch) {
			t.Fatalf("event %d (%s) at %v, want the fake clock's %v", e.EventId, e.EventType, e.EventTimestamp, swftest.Epoch)
		}
	}

	calls := ep.lbCalls()
	if len(calls) != 1 {
		t.Fatalf("%d invocations: %+v", len(calls), calls)
	}
	c := calls[0]
	if c.Function != "echo" || c.Body != input || c.InvocationType != "RequestResponse" || c.Token != "" {
		t.Fatalf("invocation %+v", c)
	}
	if !strings.HasPrefix(c.Auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(c.Auth, "/us-east-1/lambda/aws4_request, SignedHeaders=") ||
		!strings.Contains(c.Auth, "Signature=") || c.AmzDate == "" {
		t.Fatalf("the invocation is not signed with SigV4 for lambda: %q (X-Amz-Date %q)", c.Auth, c.AmzDate)
	}

	// The decider is told.
	d := f.decision()
	if d.StartedEventId != 9 || d.PreviousStartedEventId != 3 {
		t.Fatalf("decision task started at %d after %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	if got := eventTypes(d.Events[6:]); !slices.Equal(got, []string{"LambdaFunctionCompleted", "DecisionTaskScheduled", "DecisionTaskStarted"}) {
		t.Fatalf("the decider saw %v", eventTypes(d.Events))
	}
	f.decide(d.TaskToken, completeWorkflow("done"))
	desc := f.describe(ex)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.OpenCounts.OpenLambdaFunctions != 0 {
		t.Fatalf("after completing: %s, %d open Lambda functions", desc.ExecutionInfo.ExecutionStatus, desc.OpenCounts.OpenLambdaFunctions)
	}
}

// A function that raises, and one the Lambda service does not know, fail
// their tasks with LambdaFunctionFailed{reason, details}.
func TestLambdaFunctionFails(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep))
	ex := f.lbStart("lb-fail")
	f.lbFirstDecision(ex, lbSchedule("raises", "boom", `{"n":1}`), lbSchedule("absent", "missing", `{"n":2}`))

	h := f.lbWait(ex, 2, types.EventTypeLambdaFunctionFailed)
	if got := eventTypes(h[:6]); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "LambdaFunctionScheduled", "LambdaFunctionScheduled"}) {
		t.Fatalf("history %v", eventTypes(h))
	}
	// The two run at once: their events interleave, with one decision task
	// after the first to end.
	if len(h) != 11 || len(lbOf(h, types.EventTypeLambdaFunctionStarted)) != 2 || len(lbOf(h, types.EventTypeDecisionTaskScheduled)) != 2 || h[10].EventType == types.EventTypeLambdaFunctionStarted {
		t.Fatalf("history %v", eventTypes(h))
	}
	started := map[int64]int64{} // scheduled -> started
	for _, e := range lbOf(h, types.EventTypeLambdaFunctionStarted) {
		started[e.LambdaFunctionStartedEventAttributes.ScheduledEventId] = e.EventId
	}
	failures := map[int64]*types.LambdaFunctionFailedEventAttributes{}
	for _, e := range lbOf(h, types.EventTypeLambdaFunctionFailed) {
		a := e.LambdaFunctionFailedEventAttributes
		if a.StartedEventId != started[a.ScheduledEventId] || a.StartedEventId == 0 || a.StartedEventId > e.EventId {
			t.Fatalf("LambdaFunctionFailed %d names started event %d; started events %v", e.EventId, a.StartedEventId, started)
		}
		failures[a.ScheduledEventId] = a
	}
	if a := failures[5]; a == nil || aws.ToString(a.Reason) != "Unhandled" || aws.ToString(a.Details) != lbBoom {
		t.Fatalf("the function that raised: %+v", a)
	}
	if a := failures[6]; a == nil || aws.ToString(a.Reason) != "ResourceNotFoundException" ||
		aws.ToString(a.Details) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing" {
		t.Fatalf("the missing function: %+v", a)
	}
	if n := f.lbOpen(ex); n != 0 {
		t.Fatalf("%d open Lambda functions after both failed", n)
	}
	d := f.decision()
	if n := len(lbOf(d.Events, types.EventTypeLambdaFunctionFailed)); n != 2 {
		t.Fatalf("the decider saw %d failures: %v", n, eventTypes(d.Events))
	}
}

// A function that outlasts its startToCloseTimeout times out on the
// (fake) clock; its late answer records nothing.
func TestLambdaFunctionTimesOut(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	// One worker: the one that waits for "slow" must be done with it
	// before it can run the next function.
	f := newFixture(t, lbConfig(ep, func(c *server.Config) { c.Lambda.Workers = 1 }))
	ex := f.lbStart("lb-slow")
	f.lbFirstDecision(ex, lbSchedule("sleepy", "slow", `{}`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("30") }))
	ep.lbAwait(t, "slow")
	h := f.lbWait(ex, 1, types.EventTypeLambdaFunctionStarted)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted)...)
	if a := h[4].LambdaFunctionScheduledEventAttributes; aws.ToString(a.StartToCloseTimeout) != "30" {
		t.Fatalf("LambdaFunctionScheduled %+v", a)
	}
	if n := f.lbOpen(ex); n != 1 {
		t.Fatalf("%d open Lambda functions while one runs", n)
	}

	f.advance(29 * time.Second)
	if h := f.history(ex); len(h) != 6 {
		t.Fatalf("timed out early: %v", eventTypes(h))
	}
	f.advance(time.Second)
	h = f.history(ex)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionTimedOut, types.EventTypeDecisionTaskScheduled)...)
	to := h[6]
	if a := to.LambdaFunctionTimedOutEventAttributes; a.ScheduledEventId != 5 || a.StartedEventId != 6 || a.TimeoutType != types.LambdaFunctionTimeoutTypeStartToClose {
		t.Fatalf("LambdaFunctionTimedOut %+v", a)
	}
	if at := aws.ToTime(to.EventTimestamp); !at.Equal(swftest.Epoch.Add(30 * time.Second)) {
		t.Fatalf("timed out at %v", at)
	}
	if n := f.lbOpen(ex); n != 0 {
		t.Fatalf("%d open Lambda functions after the timeout", n)
	}

	// The function answers at last: nothing is recorded. The next function
	// runs on the same worker, after the late answer was dealt with.
	ep.releaseSlow()
	d := f.decision()
	f.decide(d.TaskToken, lbSchedule("next", "echo", `"again"`))
	h = f.lbWait(ex, 1, types.EventTypeLambdaFunctionCompleted)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionTimedOut, types.EventTypeDecisionTaskScheduled,
		types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
	if a := h[12].LambdaFunctionCompletedEventAttributes; a.ScheduledEventId != 11 || a.StartedEventId != 12 || aws.ToString(a.Result) != `"again"` {
		t.Fatalf("LambdaFunctionCompleted %+v", a)
	}
	if calls := ep.lbCalls(); len(calls) != 2 || calls[0].Function != "slow" || calls[1].Function != "echo" {
		t.Fatalf("invocations %+v", calls)
	}
}

// ScheduleLambdaFunction fails, with a decision task, for an id that an
// open Lambda task of the run has, and past the open Lambda tasks a run
// may have; an id is free again once its task closed.
func TestLambdaScheduleFailures(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep, func(c *server.Config) { c.Limits.Run.OpenLambdas = 2 }))
	ex := f.lbStart("lb-limits")
	f.lbFirstDecision(ex,
		lbSchedule("a", "slow", `1`),
		lbSchedule("a", "echo", `2`),
		lbSchedule("b", "slow", `3`),
		lbSchedule("c", "echo", `4`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.Control = aws.String("ctl") }),
	)
	ep.lbAwait(t, "slow", "slow")
	h := f.lbWait(ex, 2, types.EventTypeLambdaFunctionStarted)
	f.lbWantTypes(h, lbWith(
		types.EventTypeLambdaFunctionScheduled, types.EventTypeScheduleLambdaFunctionFailed, types.EventTypeLambdaFunctionScheduled,
		types.EventTypeScheduleLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled,
		types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionStarted)...)
	if a := h[4].LambdaFunctionScheduledEventAttributes; aws.ToString(a.Id) != "a" || aws.ToString(a.Name) != "slow" {
		t.Fatalf("first LambdaFunctionScheduled %+v", a)
	}
	if a := h[5].ScheduleLambdaFunctionFailedEventAttributes; aws.ToString(a.Id) != "a" || aws.ToString(a.Name) != "echo" ||
		a.Cause != types.ScheduleLambdaFunctionFailedCauseIdAlreadyInUse || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("ScheduleLambdaFunctionFailed for the id in use %+v", a)
	}
	if a := h[6].LambdaFunctionScheduledEventAttributes; aws.ToString(a.Id) != "b" {
		t.Fatalf("second LambdaFunctionScheduled %+v", a)
	}
	if a := h[7].ScheduleLambdaFunctionFailedEventAttributes; aws.ToString(a.Id) != "c" || aws.ToString(a.Name) != "echo" ||
		a.Cause != types.ScheduleLambdaFunctionFailedCauseOpenLambdaFunctionsLimitExceeded || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("ScheduleLambdaFunctionFailed past the limit %+v", a)
	}
	if n := f.lbOpen(ex); n != 2 {
		t.Fatalf("%d open Lambda functions, want 2", n)
	}
	if calls := ep.lbCalls(); len(calls) != 2 {
		t.Fatalf("refused functions were invoked: %+v", calls)
	}

	ep.releaseSlow()
	h = f.lbWait(ex, 2, types.EventTypeLambdaFunctionCompleted)
	for _, e := range lbOf(h, types.EventTypeLambdaFunctionCompleted) {
		if a := e.LambdaFunctionCompletedEventAttributes; aws.ToString(a.Result) != `"late"` || (a.ScheduledEventId != 5 && a.ScheduledEventId != 7) {
			t.Fatalf("LambdaFunctionCompleted %+v", a)
		}
	}
	if n := f.lbOpen(ex); n != 0 {
		t.Fatalf("%d open Lambda functions, want 0", n)
	}

	// Both ids are free again, and there is room for two.
	d := f.decision()
	f.decide(d.TaskToken, lbSchedule("a", "echo", `"a again"`), lbSchedule("c", "echo", `"c again"`))
	h = f.lbWait(ex, 4, types.EventTypeLambdaFunctionCompleted)
	if n := len(lbOf(h, types.EventTypeScheduleLambdaFunctionFailed)); n != 2 {
		t.Fatalf("%d ScheduleLambdaFunctionFailed: %v", n, eventTypes(h))
	}
	var ids []string
	for _, e := range lbOf(h, types.EventTypeLambdaFunctionScheduled) {
		ids = append(ids, aws.ToString(e.LambdaFunctionScheduledEventAttributes.Id))
	}
	if !slices.Equal(ids, []string{"a", "b", "a", "c"}) {
		t.Fatalf("scheduled ids %v", ids)
	}
}

// A server without a Lambda endpoint has no Lambda service:
// ScheduleLambdaFunction fails with LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION.
func TestLambdaServiceNotAvailable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.lbStart("lb-none")
	f.lbFirstDecision(ex, lbSchedule("fn", "echo", `{}`))
	h := f.history(ex)
	f.lbWantTypes(h, lbWith(types.EventTypeScheduleLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[4].ScheduleLambdaFunctionFailedEventAttributes; aws.ToString(a.Id) != "fn" || aws.ToString(a.Name) != "echo" ||
		a.Cause != types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("ScheduleLambdaFunctionFailed %+v", a)
	}
	if n := f.lbOpen(ex); n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
}

// A run needs a lambdaRole to invoke functions, given at the start or by
// its type: without one, the task fails to start (ASSUME_ROLE_FAILED) and
// the function is not invoked.
func TestLambdaRole(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep))
	ex := f.start("lb-no-role")
	f.lbFirstDecision(ex, lbSchedule("fn", "echo", `{}`))
	h := f.lbWait(ex, 1, types.EventTypeStartLambdaFunctionFailed)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeStartLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[5].StartLambdaFunctionFailedEventAttributes; a.ScheduledEventId != 5 || a.Cause != types.StartLambdaFunctionFailedCauseAssumeRoleFailed || !strings.Contains(aws.ToString(a.Message), "lambdaRole") {
		t.Fatalf("StartLambdaFunctionFailed %+v", a)
	}
	if n := f.lbOpen(ex); n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
	if calls := ep.lbCalls(); len(calls) != 0 {
		t.Fatalf("invoked without a role: %+v", calls)
	}

	// The type's defaultLambdaRole serves.
	_, err := f.c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: f.domain, Name: aws.String("with-role"), Version: aws.String("1"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("role-deciders")},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
		DefaultLambdaRole:                   aws.String(lbRole),
	})
	must(t, err)
	ex2 := f.start("lb-type-role", func(in *swf.StartWorkflowExecutionInput) { in.WorkflowType = workflowType("with-role", "1") })
	d, err := f.c.PollForDecisionTask(pollCtx(t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String("role-deciders")}})
	must(t, err)
	if a := d.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.LambdaRole) != lbRole {
		t.Fatalf("WorkflowExecutionStarted lambdaRole %q", aws.ToString(a.LambdaRole))
	}
	f.decide(d.TaskToken, lbSchedule("fn", "echo", `"by the type's role"`))
	h = f.lbWait(ex2, 1, types.EventTypeLambdaFunctionCompleted)
	if a := lbOf(h, types.EventTypeLambdaFunctionCompleted)[0].LambdaFunctionCompletedEventAttributes; aws.ToString(a.Result) != `"by the type's role"` {
		t.Fatalf("LambdaFunctionCompleted %+v", a)
	}
}

// lbSTS is a fake STS: AssumeRole of lbRole gives ASIAASSUMED credentials;
// any other role is refused.
type lbSTS struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	auths []string
}

func lbStartSTS(t *testing.T) *lbSTS {
	t.Helper()
	s := &lbSTS{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		s.mu.Lock()
		s.forms = append(s.forms, form)
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		role := form.Get("RoleArn")
		if r.Method != http.MethodPost || form.Get("Action") != "AssumeRole" || role != lbRole {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, role)
			return
		}
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:%[2]s</AssumedRoleId><Arn>%[1]s/%[2]s</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAASSUMED</AccessKeyId>
      <SecretAccessKey>assumed-secret</SecretAccessKey>
      <SessionToken>assumed-token</SessionToken>
      <Expiration>%[3]s</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>2</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, role, form.Get("RoleSessionName"), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(s.Close)
	return s
}

// With AssumeRole, each function is invoked as its run's lambdaRole, with
// the credentials STS gives; a role STS refuses fails the task to start
// (ASSUME_ROLE_FAILED) and invokes nothing.
func TestLambdaAssumeRole(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	sts := lbStartSTS(t)
	f := newFixture(t, lbConfig(ep, func(c *server.Config) {
		c.Lambda.AssumeRole = true
		c.Lambda.STSEndpoint = sts.URL
	}))
	ex := f.lbStart("lb-assumed")
	f.lbFirstDecision(ex, lbSchedule("fn", "echo", `"as the role"`))
	h := f.lbWait(ex, 1, types.EventTypeLambdaFunctionCompleted)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
	calls := ep.lbCalls()
	if len(calls) != 1 || !strings.HasPrefix(calls[0].Auth, "AWS4-HMAC-SHA256 Credential=ASIAASSUMED/") ||
		!strings.Contains(calls[0].Auth, "/us-east-1/lambda/aws4_request") || calls[0].Token != "assumed-token" {
		t.Fatalf("not invoked with the assumed credentials: %+v", calls)
	}
	sts.mu.Lock()
	if len(sts.forms) != 1 || sts.forms[0].Get("RoleArn") != lbRole || sts.forms[0].Get("Version") != "2011-06-15" ||
		!strings.HasPrefix(sts.auths[0], "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(sts.auths[0], "/us-east-1/sts/aws4_request") {
		t.Fatalf("AssumeRole requests %v, signed %v", sts.forms, sts.auths)
	}
	sts.mu.Unlock()

	// The credentials are kept for the next task.
	d := f.decision()
	f.decide(d.TaskToken, lbSchedule("fn2", "echo", `"again"`))
	h = f.lbWait(ex, 2, types.EventTypeLambdaFunctionCompleted)
	if a := h[len(h)-2].LambdaFunctionCompletedEventAttributes; a == nil || aws.ToString(a.Result) != `"again"` {
		t.Fatalf("history %v", eventTypes(h))
	}
	sts.mu.Lock()
	if len(sts.forms) != 1 {
		t.Fatalf("%d AssumeRole calls for one role", len(sts.forms))
	}
	sts.mu.Unlock()
	if calls := ep.lbCalls(); len(calls) != 2 || !strings.HasPrefix(calls[1].Auth, "AWS4-HMAC-SHA256 Credential=ASIAASSUMED/") {
		t.Fatalf("second invocation %+v", calls)
	}

	// A role STS refuses.
	const denied = "arn:aws:iam::123456789012:role/denied"
	ex2 := f.start("lb-denied", func(in *swf.StartWorkflowExecutionInput) { in.LambdaRole = aws.String(denied) })
	d = f.decision()
	if aws.ToString(d.WorkflowExecution.WorkflowId) != "lb-denied" {
		d = f.decision()
	}
	f.decide(d.TaskToken, lbSchedule("fn", "echo", `"refused"`))
	h = f.lbWait(ex2, 1, types.EventTypeStartLambdaFunctionFailed)
	f.lbWantTypes(h, lbWith(types.EventTypeLambdaFunctionScheduled, types.EventTypeStartLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[5].StartLambdaFunctionFailedEventAttributes; a.ScheduledEventId != 5 || a.Cause != types.StartLambdaFunctionFailedCauseAssumeRoleFailed ||
		!strings.Contains(aws.ToString(a.Message), denied) || len(aws.ToString(a.Message)) > 1728 {
		t.Fatalf("StartLambdaFunctionFailed %+v", a)
	}
	if n := f.lbOpen(ex2); n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
	if calls := ep.lbCalls(); len(calls) != 2 {
		t.Fatalf("invoked with a refused role: %+v", calls)
	}
}

// startToCloseTimeout is 1 to 900 seconds: anything else rejects the whole
// answer with ValidationException and records nothing.
func TestLambdaTimeoutValidation(t *testing.T) {
	t.Parallel()
	ep := lbStartEndpoint(t)
	f := newFixture(t, lbConfig(ep))
	ex := f.lbStart("lb-validate")
	d := f.decision()
	for _, bad := range []string{"0", "901", "NONE", "-1", "soon"} {
		_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{
			lbSchedule("ok", "echo", `{}`),
			lbSchedule("bad", "echo", `{}`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String(bad) }),
		}})
		wantValidation(t, err, "decisions.2.member.scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout")
	}
	if h := f.history(ex); len(h) != 3 {
		t.Fatalf("a refused answer recorded %v", eventTypes(h))
	}
	f.decide(d.TaskToken,
		lbSchedule("one", "echo", `1`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("1") }),
		lbSchedule("max", "echo", `900`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("900") }),
	)
	h := f.lbWait(ex, 2, types.EventTypeLambdaFunctionCompleted)
	var timeouts []string
	for _, e := range lbOf(h, types.EventTypeLambdaFunctionScheduled) {
		timeouts = append(timeouts, aws.ToString(e.LambdaFunctionScheduledEventAttributes.StartToCloseTimeout))
	}
	if !slices.Equal(timeouts, []string{"1", "900"}) {
		t.Fatalf("scheduled with timeouts %v", timeouts)
	}
}
