package engine

import (
	"context"
	"strconv"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
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

// Throttle takes a token for a call of op from the server's bucket of the
// operation and, for calls on one execution, from that execution's bucket,
// answering ThrottlingException when one is empty, as Amazon SWF does
// (SDKs retry it). Without rates it allows everything.
func (e *Engine) Throttle(ctx context.Context, op string, in swfapi.Input) error {
	if e.apiRates == nil && e.execRates == nil {
		return nil
	}
	now := e.cfg.CallClock.Now()
	if !e.apiRates.Allow(op, now) {
		return fault(swfapi.CodeThrottlingException, "Rate exceeded")
	}
	if e.execRates == nil {
		return nil
	}
	var bucket string
	switch in := in.(type) {
	case *swfapi.GetWorkflowExecutionHistoryInput:
		bucket = *in.Domain + "/" + *in.Execution.WorkflowId + "/" + *in.Execution.RunId
	case *swfapi.SignalWorkflowExecutionInput:
		bucket = *in.Domain + "/" + *in.WorkflowId + "/" + swfapi.Deref(in.RunId)
	case *swfapi.RequestCancelWorkflowExecutionInput:
		bucket = *in.Domain + "/" + *in.WorkflowId + "/" + swfapi.Deref(in.RunId)
	case *swfapi.RecordActivityTaskHeartbeatInput:
		t, err := e.tokens.Open(*in.TaskToken)
		if err != nil {
			return nil // the call answers for its token
		}
		bucket = "#" + strconv.FormatInt(t.ExecutionID, 10)
	default:
		return nil
	}
	if !e.execRates.AllowIn(op, op+" "+bucket, now) {
		return fault(swfapi.CodeThrottlingException, "Rate exceeded for this workflow execution")
	}
	return nil
}
