package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
	"github.com/openswf/openswf/internal/throttle"
)

// With decision throttling on, each decision that creates something takes
// a token of its type's bucket; an empty bucket fails the decision with its
// *_RATE_EXCEEDED cause, and the bucket refills with time.
func TestDecisionRateLimits(t *testing.T) {
	t.Parallel()
	rates := map[string]throttle.Rate{}
	for _, typ := range []types.DecisionType{
		types.DecisionTypeScheduleActivityTask, types.DecisionTypeStartTimer, types.DecisionTypeStartChildWorkflowExecution,
		types.DecisionTypeSignalExternalWorkflowExecution, types.DecisionTypeRequestCancelExternalWorkflowExecution,
		types.DecisionTypeContinueAsNewWorkflowExecution, types.DecisionTypeScheduleLambdaFunction,
	} {
		rates[string(typ)] = throttle.Rate{Burst: 1, PerSecond: 1}
	}
	// A function that never answers: the Lambda task that goes ahead stays
	// open and records nothing that would call for a decision.
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(fn.Close)
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.DecisionRates = rates
		c.Lambda.Endpoint = fn.URL
	}))
	ex := d.Start("w", func(in *swf.StartWorkflowExecutionInput) {
		in.LambdaRole = aws.String("arn:aws:iam::123456789012:role/l")
	})

	timer := func(id string) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String(id), StartToFireTimeout: aws.String("600")}}
	}
	child := func(id string) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{WorkflowId: aws.String(id), WorkflowType: swftest.WorkflowType("order", "1")}}
	}
	signal := types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: &types.SignalExternalWorkflowExecutionDecisionAttributes{WorkflowId: aws.String("c1"), SignalName: aws.String("s"), Control: aws.String("ctl")}}
	cancel := types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{WorkflowId: aws.String("c1")}}
	lambdaTask := func(id string) types.Decision {
		return types.Decision{DecisionType: types.DecisionTypeScheduleLambdaFunction, ScheduleLambdaFunctionDecisionAttributes: &types.ScheduleLambdaFunctionDecisionAttributes{Id: aws.String(id), Name: aws.String("fn")}}
	}
	task := d.PollDecision()
	d.Decide(task.TaskToken,
		swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"),
		timer("t1"), timer("t2"),
		child("c1"), child("c2"),
		signal, signal,
		cancel, cancel,
		lambdaTask("l1"), lambdaTask("l2"),
	)
	h := d.History(ex)
	causes := map[types.EventType]string{}
	for _, e := range h {
		switch e.EventType {
		case types.EventTypeScheduleActivityTaskFailed:
			causes[e.EventType] = string(e.ScheduleActivityTaskFailedEventAttributes.Cause)
		case types.EventTypeStartTimerFailed:
			causes[e.EventType] = string(e.StartTimerFailedEventAttributes.Cause)
		case types.EventTypeStartChildWorkflowExecutionFailed:
			causes[e.EventType] = string(e.StartChildWorkflowExecutionFailedEventAttributes.Cause)
		case types.EventTypeSignalExternalWorkflowExecutionFailed:
			a := e.SignalExternalWorkflowExecutionFailedEventAttributes
			causes[e.EventType] = string(a.Cause)
			if a.InitiatedEventId != 0 || aws.ToString(a.Control) != "ctl" {
				t.Errorf("refused signal: %+v", a)
			}
		case types.EventTypeRequestCancelExternalWorkflowExecutionFailed:
			causes[e.EventType] = string(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes.Cause)
		case types.EventTypeScheduleLambdaFunctionFailed:
			causes[e.EventType] = string(e.ScheduleLambdaFunctionFailedEventAttributes.Cause)
		}
	}
	want := map[types.EventType]string{
		types.EventTypeScheduleActivityTaskFailed:                   "ACTIVITY_CREATION_RATE_EXCEEDED",
		types.EventTypeStartTimerFailed:                             "TIMER_CREATION_RATE_EXCEEDED",
		types.EventTypeStartChildWorkflowExecutionFailed:            "CHILD_CREATION_RATE_EXCEEDED",
		types.EventTypeSignalExternalWorkflowExecutionFailed:        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		types.EventTypeRequestCancelExternalWorkflowExecutionFailed: "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
		types.EventTypeScheduleLambdaFunctionFailed:                 "LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED",
	}
	for et, cause := range want {
		if causes[et] != cause {
			t.Errorf("%s: cause %q, want %q", et, causes[et], cause)
		}
	}
	// The first of each pair went ahead.
	for _, et := range []types.EventType{types.EventTypeActivityTaskScheduled, types.EventTypeTimerStarted, types.EventTypeStartChildWorkflowExecutionInitiated,
		types.EventTypeSignalExternalWorkflowExecutionInitiated, types.EventTypeRequestCancelExternalWorkflowExecutionInitiated, types.EventTypeLambdaFunctionScheduled} {
		d.LastEvent(ex, et)
	}

	// Continue-as-new: the bucket's one token goes to the first attempt...
	task = nextDecisionOf(d, "w")
	d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}})
	next := d.LastEvent(ex, types.EventTypeWorkflowExecutionContinuedAsNew).WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId
	ex2 := &types.WorkflowExecution{WorkflowId: aws.String("w"), RunId: next}
	// ...and the next run's attempt, at the same instant, is refused.
	task = nextDecisionOf(d, "w")
	d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}})
	failed := d.LastEvent(ex2, types.EventTypeContinueAsNewWorkflowExecutionFailed).ContinueAsNewWorkflowExecutionFailedEventAttributes
	if failed.Cause != types.ContinueAsNewWorkflowExecutionFailedCauseContinueAsNewWorkflowExecutionRateExceeded {
		t.Fatalf("second continue-as-new: %+v", failed)
	}
	// A second later the buckets have a token again.
	d.Advance(time.Second)
	task = nextDecisionOf(d, "w")
	d.Decide(task.TaskToken, timer("t3"))
	if a := d.LastEvent(ex2, types.EventTypeTimerStarted).TimerStartedEventAttributes; aws.ToString(a.TimerId) != "t3" {
		t.Fatalf("after the refill: %+v", a)
	}
}

// nextDecisionOf polls decision tasks, answering those of other runs with
// nothing, until one of workflowID comes.
func nextDecisionOf(d *swftest.Domain, workflowID string) *swf.PollForDecisionTaskOutput {
	t := d.T()
	t.Helper()
	for range 20 {
		task := d.PollDecision()
		if aws.ToString(task.WorkflowExecution.WorkflowId) == workflowID {
			return task
		}
		d.Decide(task.TaskToken)
	}
	t.Fatalf("no decision task of %s came", workflowID)
	return nil
}

// With API throttling at Amazon SWF's rates, a call beyond its operation's
// bucket answers ThrottlingException, and the bucket refills with time; a
// call on one execution also spends that execution's bucket.
func TestAPIRateLimits(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.APIRates, c.ExecutionAPIRates = engine.SWFAPIRates, engine.SWFExecutionAPIRates
	}))
	describe := func() error {
		_, err := d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
		return err
	}
	// DescribeDomain: 200 calls, then 6 a second.
	for i := range 200 - 1 { // NewDomain's calls took none of these
		if err := describe(); err != nil {
			t.Fatalf("call %d of the burst: %v", i+1, err)
		}
	}
	must(t, describe())
	wantCode(t, describe(), "ThrottlingException")
	d.Clock.Advance(time.Second)
	for range 6 {
		must(t, describe())
	}
	wantCode(t, describe(), "ThrottlingException")
	// Other operations have buckets of their own.
	_, err := d.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)

	// GetWorkflowExecutionHistory: 400 calls per execution, then 200 a
	// second (the account's bucket holds 2000).
	one, two := d.Start("one"), d.Start("two")
	history := func(ex *types.WorkflowExecution) error {
		_, err := d.Client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex})
		return err
	}
	for i := range 400 {
		if err := history(one); err != nil {
			t.Fatalf("history call %d: %v", i+1, err)
		}
	}
	msg := wantCode(t, history(one), "ThrottlingException")
	if !strings.Contains(msg, "execution") {
		t.Errorf("per-execution throttling says %q", msg)
	}
	must(t, history(two))
}

// Throttles come after authorization: a user denied everything spends no
// token of the operation's buckets nor of an execution's; and with a users
// file each user has buckets of its own.
func TestThrottlesAfterAuthorizationPerUser(t *testing.T) {
	t.Parallel()
	var file auth.File
	must(t, json.Unmarshal([]byte(users), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Auth = a
		c.APIRates = map[string]throttle.Rate{"DescribeDomain": {Burst: 3, PerSecond: 0.001}}
		c.ExecutionAPIRates = map[string]throttle.Rate{"GetWorkflowExecutionHistory": {Burst: 2, PerSecond: 0.001}}
	}))
	ex := d.Start("w")
	describe := func(c *swf.Client) error {
		_, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
		return err
	}
	history := func(c *swf.Client) error {
		_, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(d.Name), Execution: ex})
		return err
	}
	worker := d.ClientAs("AKIDWORKER", "worker-secret") // may poll and heartbeat only
	for range 10 {
		wantFault[*types.OperationNotPermittedFault](t, describe(worker))
		wantFault[*types.OperationNotPermittedFault](t, history(worker))
	}
	// The denied calls took nothing: the administrator has every token.
	for i := range 3 {
		if err := describe(d.Client); err != nil {
			t.Fatalf("call %d of the administrator's burst: %v", i+1, err)
		}
	}
	wantCode(t, describe(d.Client), "ThrottlingException")
	for i := range 2 {
		if err := history(d.Client); err != nil {
			t.Fatalf("history call %d: %v", i+1, err)
		}
	}
	wantCode(t, history(d.Client), "ThrottlingException")
	// Another user's bucket of the operation is its own; the execution's
	// bucket is the execution's, whoever calls.
	reader := d.ClientAs("AKIDREADER", "reader-secret")
	for i := range 3 {
		if err := describe(reader); err != nil {
			t.Fatalf("call %d of the reader's burst: %v", i+1, err)
		}
	}
	wantCode(t, describe(reader), "ThrottlingException")
}
