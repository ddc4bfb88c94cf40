package swftest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// The thirteen decisions, built with what each requires and what the
// Domain's types leave to defaults; mod sets the rest. A test that sends
// a decision SWF refuses builds it itself.

// ScheduleActivity schedules the activity type "work" 1 with the input
// "input of "+id.
func ScheduleActivity(id string, mod ...func(*types.ScheduleActivityTaskDecisionAttributes)) types.Decision {
	a := &types.ScheduleActivityTaskDecisionAttributes{ActivityId: aws.String(id), ActivityType: ActivityType(ActivityTypeName, "1"), Input: aws.String("input of " + id)}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: a}
}

// RequestCancelActivity asks the worker of an activity to cancel it.
func RequestCancelActivity(id string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask, RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String(id)}}
}

// CompleteWorkflow closes the run as completed with result.
func CompleteWorkflow(result string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution, CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String(result)}}
}

// FailWorkflow closes the run as failed.
func FailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(reason), Details: aws.String(details)}}
}

// CancelWorkflow closes the run as canceled.
func CancelWorkflow(details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String(details)}}
}

// ContinueAsNew closes the run and starts a new one of the same
// workflowId, with the run's own settings unless mod changes them.
func ContinueAsNew(mod ...func(*types.ContinueAsNewWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.ContinueAsNewWorkflowExecutionDecisionAttributes{}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution, ContinueAsNewWorkflowExecutionDecisionAttributes: a}
}

// RecordMarker records a marker (details may be nil).
func RecordMarker(name string, details *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(name), Details: details}}
}

// StartTimer starts a timer that fires after timeout seconds.
func StartTimer(id, timeout string, mod ...func(*types.StartTimerDecisionAttributes)) types.Decision {
	a := &types.StartTimerDecisionAttributes{TimerId: aws.String(id), StartToFireTimeout: aws.String(timeout)}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: a}
}

// CancelTimer cancels a timer.
func CancelTimer(id string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelTimer, CancelTimerDecisionAttributes: &types.CancelTimerDecisionAttributes{TimerId: aws.String(id)}}
}

// SignalExternal signals another run (any open run of workflowID when
// runID is nil).
func SignalExternal(workflowID string, runID *string, name string, mod ...func(*types.SignalExternalWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.SignalExternalWorkflowExecutionDecisionAttributes{WorkflowId: aws.String(workflowID), RunId: runID, SignalName: aws.String(name)}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeSignalExternalWorkflowExecution, SignalExternalWorkflowExecutionDecisionAttributes: a}
}

// RequestCancelExternal asks another run to cancel itself.
func RequestCancelExternal(workflowID string, runID *string, mod ...func(*types.RequestCancelExternalWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{WorkflowId: aws.String(workflowID), RunId: runID}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution, RequestCancelExternalWorkflowExecutionDecisionAttributes: a}
}

// StartChild starts a child run of workflow type wt with the input
// "input of "+id.
func StartChild(id string, wt *types.WorkflowType, mod ...func(*types.StartChildWorkflowExecutionDecisionAttributes)) types.Decision {
	a := &types.StartChildWorkflowExecutionDecisionAttributes{WorkflowId: aws.String(id), WorkflowType: wt, Input: aws.String("input of " + id)}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: a}
}

// ScheduleLambda schedules a Lambda function (input may be "": none).
func ScheduleLambda(id, name, input string, mod ...func(*types.ScheduleLambdaFunctionDecisionAttributes)) types.Decision {
	a := &types.ScheduleLambdaFunctionDecisionAttributes{Id: aws.String(id), Name: aws.String(name)}
	if input != "" {
		a.Input = aws.String(input)
	}
	for _, m := range mod {
		m(a)
	}
	return types.Decision{DecisionType: types.DecisionTypeScheduleLambdaFunction, ScheduleLambdaFunctionDecisionAttributes: a}
}
