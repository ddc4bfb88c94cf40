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

// Lambda tasks are invoked by the server's background workers, in real
// time: tests wait for their outcome by reading the history until it
// shows, within a real-time deadline. Timeouts still follow the fake clock.

// lambdaRole is the lambdaRole runs are started with.
const lambdaRole = "arn:aws:iam::123456789012:role/swf-lambda"

// boomError is what the "boom" function answers: the error of a function
// that raised.
const boomError = `{"errorMessage":"boom: it broke","errorType":"Error","stackTrace":["at handler (index.js:3:9)"]}`

// lambdaCall is one request that reached the Lambda endpoint.
type lambdaCall struct {
	Function, Body                string
	Auth, Token, InvocationType   string
	ContentType, AmzDate, Payload string
}

// lambdaEndpoint is a Lambda-compatible endpoint on loopback. Its functions:
// "echo" returns its input, "boom" raises, "missing" does not exist and
// "slow" answers `"late"` once the test releases it.
type lambdaEndpoint struct {
	*httptest.Server
	mu      sync.Mutex
	calls   []lambdaCall
	arrived chan string
	release chan struct{}
	once    sync.Once
}

func startLambdaEndpoint(t *testing.T) *lambdaEndpoint {
	t.Helper()
	ep := &lambdaEndpoint{arrived: make(chan string, 100), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", ep.invoke)
	ep.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		ep.releaseSlow()
		ep.Close()
	})
	return ep
}

func (ep *lambdaEndpoint) releaseSlow() { ep.once.Do(func() { close(ep.release) }) }

func (ep *lambdaEndpoint) invoke(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	name := r.PathValue("name")
	ep.mu.Lock()
	ep.calls = append(ep.calls, lambdaCall{
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
		io.WriteString(w, boomError)
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

// invocations returns the requests so far.
func (ep *lambdaEndpoint) invocations() []lambdaCall {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return slices.Clone(ep.calls)
}

// await waits until the functions named have been called (in any order).
func (ep *lambdaEndpoint) await(t *testing.T, names ...string) {
	t.Helper()
	want := slices.Sorted(slices.Values(names))
	var got []string
	deadline := time.After(swftest.PollTimeout)
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

// lambdaConfig points the server at the endpoint, signing with AKID/SECRET.
func lambdaConfig(ep *lambdaEndpoint, mod ...func(*server.Config)) swftest.Option {
	return swftest.WithConfig(func(c *server.Config) {
		c.Lambda = server.LambdaConfig{Endpoint: ep.URL, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
		for _, m := range mod {
			m(c)
		}
	})
}

// withLambdaRole starts a run with lambdaRole as its lambdaRole.
func withLambdaRole(in *swf.StartWorkflowExecutionInput) { in.LambdaRole = aws.String(lambdaRole) }

// waitForLambdas waits, in real time, until the run's history holds n
// events of type typ: Lambda tasks run on the server's workers.
func waitForLambdas(d *swftest.Domain, ex *types.WorkflowExecution, n int, typ types.EventType) []types.HistoryEvent {
	d.T().Helper()
	var h []types.HistoryEvent
	swftest.WaitFor(d.T(), fmt.Sprintf("%d %s in the history of %s", n, typ, aws.ToString(ex.WorkflowId)), func() bool {
		h = d.History(ex)
		return len(swftest.EventsOf(h, typ)) >= n
	})
	return h
}

// afterFirst is the history of a run whose first decision task completed
// (events 1-4), then more.
func afterFirst(more ...types.EventType) []types.EventType {
	return append([]types.EventType{types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted}, more...)
}

// A Lambda task runs its function and records its result: Scheduled,
// Started, Completed, and a decision task that shows them to the decider.
// The function is invoked through the Lambda Invoke API with the input as
// body, signed with SigV4 for lambda.
func TestLambdaFunctionCompletes(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep))
	ex := d.Start("lb-echo", withLambdaRole)
	input := `{"greeting":"héllo"}`
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("fn-1", "echo", input, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.Control = aws.String("ctl") }))

	waitForLambdas(d, ex, 1, types.EventTypeLambdaFunctionCompleted)
	h := d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
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
	if a := h[7].DecisionTaskScheduledEventAttributes; aws.ToString(a.TaskList.Name) != swftest.DeciderList {
		t.Fatalf("DecisionTaskScheduled %+v", a)
	}
	for _, e := range h {
		swftest.WantAt(t, e, swftest.Epoch) // the fake clock's time
	}

	calls := ep.invocations()
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
	task := d.PollDecision()
	if task.StartedEventId != 9 || task.PreviousStartedEventId != 3 {
		t.Fatalf("decision task started at %d after %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	if got := swftest.EventTypes(task.Events[6:]); !slices.Equal(got, []types.EventType{types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted}) {
		t.Fatalf("the decider saw %v", swftest.EventTypes(task.Events))
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("done"))
	desc := d.Describe(ex)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.OpenCounts.OpenLambdaFunctions != 0 {
		t.Fatalf("after completing: %s, %d open Lambda functions", desc.ExecutionInfo.ExecutionStatus, desc.OpenCounts.OpenLambdaFunctions)
	}
}

// A function that raises, and one the Lambda service does not know, fail
// their tasks with LambdaFunctionFailed{reason, details}.
func TestLambdaFunctionFails(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep))
	ex := d.Start("lb-fail", withLambdaRole)
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("raises", "boom", `{"n":1}`), swftest.ScheduleLambda("absent", "missing", `{"n":2}`))

	h := waitForLambdas(d, ex, 2, types.EventTypeLambdaFunctionFailed)
	if got := swftest.EventTypes(h[:6]); !slices.Equal(got, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionScheduled)) {
		t.Fatalf("history %v", swftest.EventTypes(h))
	}
	// The two run at once: their events interleave, with one decision task
	// after the first to end.
	if len(h) != 11 || len(swftest.EventsOf(h, types.EventTypeLambdaFunctionStarted)) != 2 || len(swftest.EventsOf(h, types.EventTypeDecisionTaskScheduled)) != 2 || h[10].EventType == types.EventTypeLambdaFunctionStarted {
		t.Fatalf("history %v", swftest.EventTypes(h))
	}
	started := map[int64]int64{} // scheduled -> started
	for _, e := range swftest.EventsOf(h, types.EventTypeLambdaFunctionStarted) {
		started[e.LambdaFunctionStartedEventAttributes.ScheduledEventId] = e.EventId
	}
	failures := map[int64]*types.LambdaFunctionFailedEventAttributes{}
	for _, e := range swftest.EventsOf(h, types.EventTypeLambdaFunctionFailed) {
		a := e.LambdaFunctionFailedEventAttributes
		if a.StartedEventId != started[a.ScheduledEventId] || a.StartedEventId == 0 || a.StartedEventId > e.EventId {
			t.Fatalf("LambdaFunctionFailed %d names started event %d; started events %v", e.EventId, a.StartedEventId, started)
		}
		failures[a.ScheduledEventId] = a
	}
	if a := failures[5]; a == nil || aws.ToString(a.Reason) != "Unhandled" || aws.ToString(a.Details) != boomError {
		t.Fatalf("the function that raised: %+v", a)
	}
	if a := failures[6]; a == nil || aws.ToString(a.Reason) != "ResourceNotFoundException" ||
		aws.ToString(a.Details) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing" {
		t.Fatalf("the missing function: %+v", a)
	}
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions after both failed", n)
	}
	task := d.PollDecision()
	if n := len(swftest.EventsOf(task.Events, types.EventTypeLambdaFunctionFailed)); n != 2 {
		t.Fatalf("the decider saw %d failures: %v", n, swftest.EventTypes(task.Events))
	}
}

// A function that outlasts its startToCloseTimeout times out on the
// (fake) clock; its late answer records nothing.
func TestLambdaFunctionTimesOut(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	// One worker: the one that waits for "slow" must be done with it
	// before it can run the next function.
	d := swftest.NewDomain(t, lambdaConfig(ep, func(c *server.Config) { c.Lambda.Workers = 1 }))
	ex := d.Start("lb-slow", withLambdaRole)
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("sleepy", "slow", `{}`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("30") }))
	ep.await(t, "slow")
	waitForLambdas(d, ex, 1, types.EventTypeLambdaFunctionStarted)
	h := d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted)...)
	if a := h[4].LambdaFunctionScheduledEventAttributes; aws.ToString(a.StartToCloseTimeout) != "30" {
		t.Fatalf("LambdaFunctionScheduled %+v", a)
	}
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 1 {
		t.Fatalf("%d open Lambda functions while one runs", n)
	}

	d.Advance(29 * time.Second)
	if h := d.History(ex); len(h) != 6 {
		t.Fatalf("timed out early: %v", swftest.EventTypes(h))
	}
	d.Advance(time.Second)
	h = d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionTimedOut, types.EventTypeDecisionTaskScheduled)...)
	to := h[6]
	if a := to.LambdaFunctionTimedOutEventAttributes; a.ScheduledEventId != 5 || a.StartedEventId != 6 || a.TimeoutType != types.LambdaFunctionTimeoutTypeStartToClose {
		t.Fatalf("LambdaFunctionTimedOut %+v", a)
	}
	swftest.WantAt(t, to, swftest.At(30*time.Second))
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions after the timeout", n)
	}

	// The function answers at last: nothing is recorded. The next function
	// runs on the same worker, after the late answer was dealt with.
	ep.releaseSlow()
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleLambda("next", "echo", `"again"`))
	waitForLambdas(d, ex, 1, types.EventTypeLambdaFunctionCompleted)
	h = d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionTimedOut, types.EventTypeDecisionTaskScheduled,
		types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
	if a := h[12].LambdaFunctionCompletedEventAttributes; a.ScheduledEventId != 11 || a.StartedEventId != 12 || aws.ToString(a.Result) != `"again"` {
		t.Fatalf("LambdaFunctionCompleted %+v", a)
	}
	if calls := ep.invocations(); len(calls) != 2 || calls[0].Function != "slow" || calls[1].Function != "echo" {
		t.Fatalf("invocations %+v", calls)
	}
}

// ScheduleLambdaFunction fails, with a decision task, for an id that an
// open Lambda task of the run has, and past the open Lambda tasks a run
// may have; an id is free again once its task closed.
func TestLambdaScheduleFailures(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep, func(c *server.Config) { c.Limits.Run.OpenLambdas = 2 }))
	ex := d.Start("lb-limits", withLambdaRole)
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("a", "slow", `1`), swftest.ScheduleLambda("a", "echo", `2`), swftest.ScheduleLambda("b", "slow", `3`), swftest.ScheduleLambda("c", "echo", `4`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.Control = aws.String("ctl") }))
	ep.await(t, "slow", "slow")
	waitForLambdas(d, ex, 2, types.EventTypeLambdaFunctionStarted)
	h := d.WantHistory(ex, afterFirst(
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
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 2 {
		t.Fatalf("%d open Lambda functions, want 2", n)
	}
	if calls := ep.invocations(); len(calls) != 2 {
		t.Fatalf("refused functions were invoked: %+v", calls)
	}

	ep.releaseSlow()
	h = waitForLambdas(d, ex, 2, types.EventTypeLambdaFunctionCompleted)
	for _, e := range swftest.EventsOf(h, types.EventTypeLambdaFunctionCompleted) {
		if a := e.LambdaFunctionCompletedEventAttributes; aws.ToString(a.Result) != `"late"` || (a.ScheduledEventId != 5 && a.ScheduledEventId != 7) {
			t.Fatalf("LambdaFunctionCompleted %+v", a)
		}
	}
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions, want 0", n)
	}

	// Both ids are free again, and there is room for two.
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleLambda("a", "echo", `"a again"`), swftest.ScheduleLambda("c", "echo", `"c again"`))
	h = waitForLambdas(d, ex, 4, types.EventTypeLambdaFunctionCompleted)
	if n := len(swftest.EventsOf(h, types.EventTypeScheduleLambdaFunctionFailed)); n != 2 {
		t.Fatalf("%d ScheduleLambdaFunctionFailed: %v", n, swftest.EventTypes(h))
	}
	var ids []string
	for _, e := range swftest.EventsOf(h, types.EventTypeLambdaFunctionScheduled) {
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
	d := swftest.NewDomain(t)
	ex := d.Start("lb-none", withLambdaRole)
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("fn", "echo", `{}`))
	h := d.History(ex)
	d.WantHistory(ex, afterFirst(types.EventTypeScheduleLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[4].ScheduleLambdaFunctionFailedEventAttributes; aws.ToString(a.Id) != "fn" || aws.ToString(a.Name) != "echo" ||
		a.Cause != types.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion || a.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("ScheduleLambdaFunctionFailed %+v", a)
	}
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
}

// A run needs a lambdaRole to invoke functions, given at the start or by
// its type: without one, the task fails to start (ASSUME_ROLE_FAILED) and
// the function is not invoked.
func TestLambdaRole(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep))
	ex := d.Start("lb-no-role")
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("fn", "echo", `{}`))
	waitForLambdas(d, ex, 1, types.EventTypeStartLambdaFunctionFailed)
	h := d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeStartLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[5].StartLambdaFunctionFailedEventAttributes; a.ScheduledEventId != 5 || a.Cause != types.StartLambdaFunctionFailedCauseAssumeRoleFailed || !strings.Contains(aws.ToString(a.Message), "lambdaRole") {
		t.Fatalf("StartLambdaFunctionFailed %+v", a)
	}
	if n := d.Describe(ex).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
	if calls := ep.invocations(); len(calls) != 0 {
		t.Fatalf("invoked without a role: %+v", calls)
	}

	// The type's defaultLambdaRole serves.
	must(t, d.RegisterWorkflowType("with-role", "1", func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultTaskList = &types.TaskList{Name: aws.String("role-deciders")}
		in.DefaultExecutionStartToCloseTimeout = aws.String("3600")
		in.DefaultTaskStartToCloseTimeout = aws.String("30")
		in.DefaultChildPolicy = types.ChildPolicyTerminate
		in.DefaultLambdaRole = aws.String(lambdaRole)
	}))
	ex2 := d.Start("lb-type-role", func(in *swf.StartWorkflowExecutionInput) { in.WorkflowType = swftest.WorkflowType("with-role", "1") })
	task := d.PollDecisionOn("role-deciders")
	if a := task.Events[0].WorkflowExecutionStartedEventAttributes; aws.ToString(a.LambdaRole) != lambdaRole {
		t.Fatalf("WorkflowExecutionStarted lambdaRole %q", aws.ToString(a.LambdaRole))
	}
	d.Decide(task.TaskToken, swftest.ScheduleLambda("fn", "echo", `"by the type's role"`))
	h = waitForLambdas(d, ex2, 1, types.EventTypeLambdaFunctionCompleted)
	if a := swftest.EventsOf(h, types.EventTypeLambdaFunctionCompleted)[0].LambdaFunctionCompletedEventAttributes; aws.ToString(a.Result) != `"by the type's role"` {
		t.Fatalf("LambdaFunctionCompleted %+v", a)
	}
}

// fakeSTS is a fake STS: AssumeRole of lambdaRole gives ASIAASSUMED credentials;
// any other role is refused.
type fakeSTS struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	auths []string
}

func startFakeSTS(t *testing.T) *fakeSTS {
	t.Helper()
	s := &fakeSTS{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		s.mu.Lock()
		s.forms = append(s.forms, form)
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		role := form.Get("RoleArn")
		if r.Method != http.MethodPost || form.Get("Action") != "AssumeRole" || role != lambdaRole {
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
	ep := startLambdaEndpoint(t)
	sts := startFakeSTS(t)
	d := swftest.NewDomain(t, lambdaConfig(ep, func(c *server.Config) {
		c.Lambda.AssumeRole = true
		c.Lambda.STSEndpoint = sts.URL
	}))
	ex := d.Start("lb-assumed", withLambdaRole)
	d.Decide(d.FirstDecision(ex).TaskToken, swftest.ScheduleLambda("fn", "echo", `"as the role"`))
	waitForLambdas(d, ex, 1, types.EventTypeLambdaFunctionCompleted)
	h := d.WantHistory(ex, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeLambdaFunctionStarted, types.EventTypeLambdaFunctionCompleted, types.EventTypeDecisionTaskScheduled)...)
	calls := ep.invocations()
	if len(calls) != 1 || !strings.HasPrefix(calls[0].Auth, "AWS4-HMAC-SHA256 Credential=ASIAASSUMED/") ||
		!strings.Contains(calls[0].Auth, "/us-east-1/lambda/aws4_request") || calls[0].Token != "assumed-token" {
		t.Fatalf("not invoked with the assumed credentials: %+v", calls)
	}
	sts.mu.Lock()
	if len(sts.forms) != 1 || sts.forms[0].Get("RoleArn") != lambdaRole || sts.forms[0].Get("Version") != "2011-06-15" ||
		!strings.HasPrefix(sts.auths[0], "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(sts.auths[0], "/us-east-1/sts/aws4_request") {
		t.Fatalf("AssumeRole requests %v, signed %v", sts.forms, sts.auths)
	}
	sts.mu.Unlock()

	// The credentials are kept for the next task.
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleLambda("fn2", "echo", `"again"`))
	h = waitForLambdas(d, ex, 2, types.EventTypeLambdaFunctionCompleted)
	if a := h[len(h)-2].LambdaFunctionCompletedEventAttributes; a == nil || aws.ToString(a.Result) != `"again"` {
		t.Fatalf("history %v", swftest.EventTypes(h))
	}
	sts.mu.Lock()
	if len(sts.forms) != 1 {
		t.Fatalf("%d AssumeRole calls for one role", len(sts.forms))
	}
	sts.mu.Unlock()
	if calls := ep.invocations(); len(calls) != 2 || !strings.HasPrefix(calls[1].Auth, "AWS4-HMAC-SHA256 Credential=ASIAASSUMED/") {
		t.Fatalf("second invocation %+v", calls)
	}

	// A role STS refuses.
	const denied = "arn:aws:iam::123456789012:role/denied"
	ex2 := d.Start("lb-denied", func(in *swf.StartWorkflowExecutionInput) { in.LambdaRole = aws.String(denied) })
	task = d.PollDecision()
	if aws.ToString(task.WorkflowExecution.WorkflowId) != "lb-denied" {
		task = d.PollDecision()
	}
	d.Decide(task.TaskToken, swftest.ScheduleLambda("fn", "echo", `"refused"`))
	waitForLambdas(d, ex2, 1, types.EventTypeStartLambdaFunctionFailed)
	h = d.WantHistory(ex2, afterFirst(types.EventTypeLambdaFunctionScheduled, types.EventTypeStartLambdaFunctionFailed, types.EventTypeDecisionTaskScheduled)...)
	if a := h[5].StartLambdaFunctionFailedEventAttributes; a.ScheduledEventId != 5 || a.Cause != types.StartLambdaFunctionFailedCauseAssumeRoleFailed ||
		!strings.Contains(aws.ToString(a.Message), denied) || len(aws.ToString(a.Message)) > 1728 {
		t.Fatalf("StartLambdaFunctionFailed %+v", a)
	}
	if n := d.Describe(ex2).OpenCounts.OpenLambdaFunctions; n != 0 {
		t.Fatalf("%d open Lambda functions", n)
	}
	if calls := ep.invocations(); len(calls) != 2 {
		t.Fatalf("invoked with a refused role: %+v", calls)
	}
}

// startToCloseTimeout is 1 to 900 seconds: anything else rejects the whole
// answer with ValidationException and records nothing.
func TestLambdaTimeoutValidation(t *testing.T) {
	t.Parallel()
	ep := startLambdaEndpoint(t)
	d := swftest.NewDomain(t, lambdaConfig(ep))
	ex := d.Start("lb-validate", withLambdaRole)
	task := d.PollDecision()
	for _, bad := range []string{"0", "901", "NONE", "-1", "soon"} {
		err := d.DecideErr(task.TaskToken,
			swftest.ScheduleLambda("ok", "echo", `{}`),
			swftest.ScheduleLambda("bad", "echo", `{}`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String(bad) }),
		)
		wantValidation(t, err, "decisions.2.member.scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout")
	}
	if h := d.History(ex); len(h) != 3 {
		t.Fatalf("a refused answer recorded %v", swftest.EventTypes(h))
	}
	d.Decide(task.TaskToken,
		swftest.ScheduleLambda("one", "echo", `1`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("1") }),
		swftest.ScheduleLambda("max", "echo", `900`, func(a *types.ScheduleLambdaFunctionDecisionAttributes) { a.StartToCloseTimeout = aws.String("900") }),
	)
	h := waitForLambdas(d, ex, 2, types.EventTypeLambdaFunctionCompleted)
	var timeouts []string
	for _, e := range swftest.EventsOf(h, types.EventTypeLambdaFunctionScheduled) {
		timeouts = append(timeouts, aws.ToString(e.LambdaFunctionScheduledEventAttributes.StartToCloseTimeout))
	}
	if !slices.Equal(timeouts, []string{"1", "900"}) {
		t.Fatalf("scheduled with timeouts %v", timeouts)
	}
}
