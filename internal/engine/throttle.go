package engine

import (
	"context"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
	"github.com/openswf/openswf/internal/workflow"
)

// SWFAPIRates are Amazon SWF's API throttles, per account (SWF-API.md
// §11.1): a bucket of calls per operation and its refill per second.
var SWFAPIRates = map[string]throttle.Rate{
	"CountClosedWorkflowExecutions": {Burst: 2000, PerSecond: 6}, "CountOpenWorkflowExecutions": {Burst: 2000, PerSecond: 6},
	"CountPendingActivityTasks": {Burst: 200, PerSecond: 6}, "CountPendingDecisionTasks": {Burst: 200, PerSecond: 6},
	"DeleteActivityType": {Burst: 200, PerSecond: 6}, "DeleteWorkflowType": {Burst: 200, PerSecond: 6},
	"DeprecateActivityType": {Burst: 200, PerSecond: 6}, "DeprecateDomain": {Burst: 100, PerSecond: 6},
	"DeprecateWorkflowType": {Burst: 200, PerSecond: 6}, "DescribeActivityType": {Burst: 2000, PerSecond: 6},
	"DescribeDomain": {Burst: 200, PerSecond: 6}, "DescribeWorkflowExecution": {Burst: 2000, PerSecond: 6},
	"DescribeWorkflowType": {Burst: 2000, PerSecond: 6}, "GetWorkflowExecutionHistory": {Burst: 2000, PerSecond: 60},
	"ListActivityTypes": {Burst: 200, PerSecond: 6}, "ListClosedWorkflowExecutions": {Burst: 200, PerSecond: 6},
	"ListDomains": {Burst: 100, PerSecond: 6}, "ListOpenWorkflowExecutions": {Burst: 200, PerSecond: 48},
	"ListTagsForResource": {Burst: 50, PerSecond: 30}, "ListWorkflowTypes": {Burst: 200, PerSecond: 6},
	"PollForActivityTask": {Burst: 2000, PerSecond: 200}, "PollForDecisionTask": {Burst: 2000, PerSecond: 200},
	"RecordActivityTaskHeartbeat": {Burst: 2000, PerSecond: 160}, "RegisterActivityType": {Burst: 200, PerSecond: 60},
	"RegisterDomain": {Burst: 100, PerSecond: 6}, "RegisterWorkflowType": {Burst: 200, PerSecond: 60},
	"RequestCancelWorkflowExecution": {Burst: 2000, PerSecond: 30}, "RespondActivityTaskCanceled": {Burst: 2000, PerSecond: 200},
	"RespondActivityTaskCompleted": {Burst: 2000, PerSecond: 200}, "RespondActivityTaskFailed": {Burst: 2000, PerSecond: 200},
	"RespondDecisionTaskCompleted": {Burst: 2000, PerSecond: 200}, "SignalWorkflowExecution": {Burst: 2000, PerSecond: 30},
	"StartWorkflowExecution": {Burst: 2000, PerSecond: 200}, "TagResource": {Burst: 50, PerSecond: 30},
	"TerminateWorkflowExecution": {Burst: 2000, PerSecond: 60}, "UndeprecateActivityType": {Burst: 200, PerSecond: 6},
	"UndeprecateDomain": {Burst: 100, PerSecond: 6}, "UndeprecateWorkflowType": {Burst: 200, PerSecond: 6},
	"UntagResource": {Burst: 50, PerSecond: 30},
}

// SWFExecutionAPIRates are Amazon SWF's throttles of calls on one workflow
// execution (SWF-API.md §11.1).
var SWFExecutionAPIRates = map[string]throttle.Rate{
	"GetWorkflowExecutionHistory":    {Burst: 400, PerSecond: 200},
	"SignalWorkflowExecution":        {Burst: 1000, PerSecond: 1000},
	"RecordActivityTaskHeartbeat":    {Burst: 1000, PerSecond: 1000},
	"RequestCancelWorkflowExecution": {Burst: 200, PerSecond: 200},
}

// Throttle takes a token for a call of op from the caller's bucket of the
// operation and, for calls on one execution, from that execution's bucket,
// answering ThrottlingException when one is empty, as Amazon SWF does
// (SDKs retry it). Without rates it allows everything.
//
// It runs after Authorize, so that calls refused for their caller spend
// nothing. With a users file every user has buckets of its own: one user
// cannot spend another's calls (Amazon SWF's rates are per account; here a
// user stands for one). Without one there is one bucket per operation.
// Tokens are taken once per request, before its transaction, whatever
// becomes of it. On a store that several servers share, each keeps its
// share of every rate (see shareLimits).
//
// Like Authorize, it returns the call's context from then on: a heartbeat's
// task token, opened here when Authorize has not, goes on to the operation.
func (e *Engine) Throttle(ctx context.Context, op string, in swfapi.Input) (context.Context, error) {
	if e.apiRates == nil && e.execRates == nil {
		return ctx, nil
	}
	now := e.cfg.CallClock.Now()
	bucket := op
	if c := auth.FromContext(ctx); c != nil {
		bucket = c.Principal.User + "\x00" + op
	}
	if !e.apiRates.AllowIn(op, bucket, now) {
		return ctx, fault(swfapi.CodeThrottlingException, "Rate exceeded")
	}
	if e.execRates == nil {
		return ctx, nil
	}
	ctx, bucket = e.executionBucket(ctx, in)
	if bucket != "" && !e.execRates.AllowIn(op, op+" "+bucket, now) {
		return ctx, fault(swfapi.CodeThrottlingException, "Rate exceeded for this workflow execution")
	}
	return ctx, nil
}

// executionBucket names the execution a call acts on, for its rates; ""
// for a call on none, or with a task token that is not ours (the call
// answers for its token).
func (e *Engine) executionBucket(ctx context.Context, in swfapi.Input) (context.Context, string) {
	switch in := in.(type) {
	case *swfapi.GetWorkflowExecutionHistoryInput:
		return ctx, *in.Domain + "/" + *in.Execution.WorkflowId + "/" + *in.Execution.RunId
	case *swfapi.SignalWorkflowExecutionInput:
		return ctx, *in.Domain + "/" + *in.WorkflowId + "/" + swfapi.Deref(in.RunId)
	case *swfapi.RequestCancelWorkflowExecutionInput:
		return ctx, *in.Domain + "/" + *in.WorkflowId + "/" + swfapi.Deref(in.RunId)
	case *swfapi.RecordActivityTaskHeartbeatInput:
		ctx, t, err := e.openCallToken(ctx, *in.TaskToken)
		if err != nil {
			return ctx, ""
		}
		return ctx, "#" + strconv.FormatInt(t.ExecutionID, 10)
	}
	return ctx, ""
}

// reservation is the decision rates' answers for one
// RespondDecisionTaskCompleted, taken before its transaction: as many
// tokens of each decision type as the request has decisions of it, so that
// a transaction that runs again (on a shared store) spends none twice. The
// state machine asks it in the order of the decisions; each attempt starts
// from the first answer again. A decision that fails for another reason
// before its rate is looked at has spent its token all the same.
type reservation struct {
	answers map[string][]bool
	next    map[string]int
	// rates answers what was not reserved (decisions of runs that the
	// request's decisions touch in turn): nil allows it.
	rates workflow.RateLimiter
}

// reserveDecisions takes the tokens of a request's decisions; nil when
// decisions are not limited.
func (e *Engine) reserveDecisions(ds []swfapi.Decision) *reservation {
	if e.rates == nil {
		return nil
	}
	r := &reservation{answers: map[string][]bool{}, next: map[string]int{}, rates: e.rates}
	now := e.clock.Now()
	for _, d := range ds {
		t := string(swfapi.Deref(d.DecisionType))
		r.answers[t] = append(r.answers[t], e.rates.Allow(t, now))
	}
	return r
}

// rewind starts an attempt: the answers are given again from the first.
func (r *reservation) rewind() {
	if r != nil {
		clear(r.next)
	}
}

// Allow gives the next reserved answer for a decision type.
func (r *reservation) Allow(t string, now time.Time) bool {
	i := r.next[t]
	r.next[t] = i + 1
	if i < len(r.answers[t]) {
		return r.answers[t][i]
	}
	return r.rates.Allow(t, now)
}

// Servers is the number of servers sharing the store that this one knows
// to be alive, itself included: what the limits that hold for all of them
// are divided by (1 on a store of one server).
func (e *Engine) Servers() int { return int(e.share.Load()) }

// shareLimits divides the limits that hold for every server sharing the
// store — the API and decision rates, the pollers per task list, and what
// the store itself keeps for all (store.Divided) — by
// the number of servers alive (as their announcements tell): an honest
// share, without a database round trip per call. A share is kept while
// the load is spread evenly over the servers (as a load balancer does);
// when it is not, the cluster allows less than the whole. As servers come
// and go, the shares follow within seconds.
func (e *Engine) shareLimits() {
	if e.announcer == nil {
		return
	}
	n := e.announcer.live()
	if int(e.share.Swap(int64(n))) == n {
		return
	}
	e.apiRates.SetShare(n)
	e.execRates.SetShare(n)
	if e.decisionRates != nil {
		e.decisionRates.SetShare(n)
	}
	e.matcher.SetMaxPollers(max(1, (e.cfg.Limits.PollersPerTaskList+n-1)/n))
	if d, ok := e.store.(store.Divided); ok {
		d.SetShare(n)
	}
}
