package workflow

import (
	"strconv"

	"github.com/openswf/openswf/internal/swfapi"
)

// Permit says which decisions the decider may make, as IAM does for
// Amazon SWF (SWF-API.md §12). A nil Permit allows every decision.
type Permit interface {
	// Decision says whether the decider has the permission-only action
	// swf:<decisionType> on the run's domain, given the decision's
	// condition keys.
	Decision(decisionType swfapi.DecisionType, keys map[string][]string) bool
	// PassRole says whether the decider may pass a Lambda role that a
	// decision names to SWF (iam:PassRole).
	PassRole(role string) bool
}

// permitted reports whether the decider may make d; ScheduleLambdaFunction
// has no permission-only action, so it always may.
func (m *Machine) permitted(d *swfapi.Decision, types Types) bool {
	if m.permit == nil || *d.DecisionType == swfapi.DecisionTypeScheduleLambdaFunction {
		return true
	}
	var role *string
	switch {
	case d.StartChildWorkflowExecutionDecisionAttributes != nil && *d.DecisionType == swfapi.DecisionTypeStartChildWorkflowExecution:
		role = d.StartChildWorkflowExecutionDecisionAttributes.LambdaRole
	case d.ContinueAsNewWorkflowExecutionDecisionAttributes != nil && *d.DecisionType == swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		role = d.ContinueAsNewWorkflowExecutionDecisionAttributes.LambdaRole
	}
	if role != nil && !m.permit.PassRole(*role) {
		return false
	}
	return m.permit.Decision(*d.DecisionType, m.decisionKeys(d, types))
}

// decisionKeys are the condition keys a decision sets. Where it leaves out
// a value that has a registered default, the key holds the default, as in
// Amazon SWF.
func (m *Machine) decisionKeys(d *swfapi.Decision, types Types) map[string][]string {
	keys := map[string][]string{}
	set := func(key string, v *string) {
		if v != nil {
			keys[key] = []string{*v}
		}
	}
	tags := func(tagList []string) {
		for i, t := range tagList {
			keys["swf:tagList.member."+strconv.Itoa(i)] = []string{t}
		}
	}
	taskList := func(tl *swfapi.TaskList, t *TypeInfo) {
		switch {
		case tl != nil:
			set("swf:taskList.name", tl.Name)
		case t != nil && t.Activity != nil && t.Activity.DefaultTaskList != nil:
			set("swf:taskList.name", t.Activity.DefaultTaskList.Name)
		case t != nil && t.Workflow != nil && t.Workflow.DefaultTaskList != nil:
			set("swf:taskList.name", t.Workflow.DefaultTaskList.Name)
		}
	}
	switch *d.DecisionType {
	case swfapi.DecisionTypeScheduleActivityTask:
		a := d.ScheduleActivityTaskDecisionAttributes
		set("swf:activityType.name", a.ActivityType.Name)
		set("swf:activityType.version", a.ActivityType.Version)
		taskList(a.TaskList, types.ActivityType(*a.ActivityType.Name, *a.ActivityType.Version))
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		a := d.StartChildWorkflowExecutionDecisionAttributes
		set("swf:workflowType.name", a.WorkflowType.Name)
		set("swf:workflowType.version", a.WorkflowType.Version)
		taskList(a.TaskList, types.WorkflowType(*a.WorkflowType.Name, *a.WorkflowType.Version))
		tags(a.TagList)
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		a := swfapi.Deref(d.ContinueAsNewWorkflowExecutionDecisionAttributes)
		version := m.Exec.TypeVersion
		if a.WorkflowTypeVersion != nil {
			version = *a.WorkflowTypeVersion
		}
		// The IAM guide spells this key swf:workflowTypeVersion, the API
		// reference swf:workflowType.version: both hold it.
		set("swf:workflowType.version", &version)
		set("swf:workflowTypeVersion", &version)
		taskList(a.TaskList, types.WorkflowType(m.Exec.TypeName, version))
		tags(a.TagList)
	}
	return keys
}

// notPermitted records that the decider was not allowed to make d: the
// decision's *Failed event with cause OPERATION_NOT_PERMITTED.
func (m *Machine) notPermitted(d *swfapi.Decision, completedID int64) {
	done := swfapi.Ptr(completedID)
	switch *d.DecisionType {
	case swfapi.DecisionTypeScheduleActivityTask:
		a := d.ScheduleActivityTaskDecisionAttributes
		m.record(&swfapi.ScheduleActivityTaskFailedEventAttributes{ActivityType: a.ActivityType, ActivityId: a.ActivityId,
			Cause: swfapi.ScheduleActivityTaskFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeRequestCancelActivityTask:
		m.record(&swfapi.RequestCancelActivityTaskFailedEventAttributes{ActivityId: d.RequestCancelActivityTaskDecisionAttributes.ActivityId,
			Cause: swfapi.RequestCancelActivityTaskFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeRecordMarker:
		m.record(&swfapi.RecordMarkerFailedEventAttributes{MarkerName: d.RecordMarkerDecisionAttributes.MarkerName,
			Cause: swfapi.RecordMarkerFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		m.record(&swfapi.CompleteWorkflowExecutionFailedEventAttributes{Cause: swfapi.CompleteWorkflowExecutionFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeFailWorkflowExecution:
		m.record(&swfapi.FailWorkflowExecutionFailedEventAttributes{Cause: swfapi.FailWorkflowExecutionFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeCancelWorkflowExecution:
		m.record(&swfapi.CancelWorkflowExecutionFailedEventAttributes{Cause: swfapi.CancelWorkflowExecutionFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		m.record(&swfapi.ContinueAsNewWorkflowExecutionFailedEventAttributes{Cause: swfapi.ContinueAsNewWorkflowExecutionFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeStartTimer:
		m.record(&swfapi.StartTimerFailedEventAttributes{TimerId: d.StartTimerDecisionAttributes.TimerId,
			Cause: swfapi.StartTimerFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeCancelTimer:
		m.record(&swfapi.CancelTimerFailedEventAttributes{TimerId: d.CancelTimerDecisionAttributes.TimerId,
			Cause: swfapi.CancelTimerFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done})
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		a := d.SignalExternalWorkflowExecutionDecisionAttributes
		m.SignalExternalFailed(&SignalExternal{DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId, RunID: swfapi.Deref(a.RunId), Control: a.Control},
			swfapi.SignalExternalWorkflowExecutionFailedCauseOperationNotPermitted)
		return
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		a := d.RequestCancelExternalWorkflowExecutionDecisionAttributes
		m.CancelExternalFailed(&CancelExternal{DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId, RunID: swfapi.Deref(a.RunId), Control: a.Control},
			swfapi.RequestCancelExternalWorkflowExecutionFailedCauseOperationNotPermitted)
		return
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		a := d.StartChildWorkflowExecutionDecisionAttributes
		m.record(&swfapi.StartChildWorkflowExecutionFailedEventAttributes{WorkflowType: a.WorkflowType, WorkflowId: a.WorkflowId, InitiatedEventId: swfapi.Ptr(int64(0)),
			Cause: swfapi.StartChildWorkflowExecutionFailedCauseOperationNotPermitted.Ptr(), DecisionTaskCompletedEventId: done, Control: a.Control})
	}
	m.needDecision()
}
