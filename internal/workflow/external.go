package workflow

import (
	"github.com/openswf/openswf/internal/swfapi"
)

// Outbound is work a transition of one run leaves for other runs: start a
// child, deliver a signal or a cancellation request, tell a parent that its
// child closed, apply a child policy, start the run that continues this one.
// The engine carries it out in the same transaction and reports back to the
// run with the matching method (ChildStarted, ExternalSignaled, …).
type Outbound interface{ outbound() }

// StartChild asks for a child run to be started.
type StartChild struct {
	InitiatedEventID int64
	WorkflowID       string
	TypeName         string
	TypeVersion      string
	Config           Config
	Input            *string
	Tags             []string
}

// SignalExternal asks for a signal to be delivered to another run.
type SignalExternal struct {
	InitiatedEventID             int64
	DecisionTaskCompletedEventID int64
	WorkflowID                   string
	// RunID is empty for the open run of WorkflowID.
	RunID      string
	SignalName string
	Input      *string
	Control    *string
}

// CancelExternal asks for another run to be asked to cancel.
type CancelExternal struct {
	InitiatedEventID             int64
	DecisionTaskCompletedEventID int64
	WorkflowID                   string
	RunID                        string
	Control                      *string
}

// NotifyParent tells a parent run how its child closed.
type NotifyParent struct {
	Parent Parent
	Child  *swfapi.WorkflowExecution
	Status swfapi.CloseStatus
	// Result (COMPLETED), Reason and Details (FAILED), Details (CANCELED).
	Result, Reason, Details *string
}

// ApplyChildPolicy applies a closed parent's child policy (TERMINATE or
// REQUEST_CANCEL) to its children that are still open.
type ApplyChildPolicy struct {
	Policy   swfapi.ChildPolicy
	Children []*swfapi.WorkflowExecution
}

// ContinueAsNew starts the run that continues a run closed as
// CONTINUED_AS_NEW: same workflowId, a new runId.
type ContinueAsNew struct {
	RunID         string
	WorkflowID    string
	TypeName      string
	TypeVersion   string
	Config        Config
	Input         *string
	Tags          []string
	Parent        *Parent
	PreviousRunID string
}

func (*StartChild) outbound()       {}
func (*SignalExternal) outbound()   {}
func (*CancelExternal) outbound()   {}
func (*NotifyParent) outbound()     {}
func (*ApplyChildPolicy) outbound() {}
func (*ContinueAsNew) outbound()    {}

// StartedAttributes are the WorkflowExecutionStarted attributes of the run
// a ContinueAsNew starts.
func (c *ContinueAsNew) StartedAttributes() *swfapi.WorkflowExecutionStartedEventAttributes {
	a := startedAttributes(c.Config, c.TypeName, c.TypeVersion, c.Input, c.Tags, c.Parent)
	a.ContinuedExecutionRunId = swfapi.Ptr(c.PreviousRunID)
	return a
}

// StartedAttributes are the WorkflowExecutionStarted attributes of the
// child run.
func (c *StartChild) StartedAttributes(parent *Parent) *swfapi.WorkflowExecutionStartedEventAttributes {
	return startedAttributes(c.Config, c.TypeName, c.TypeVersion, c.Input, c.Tags, parent)
}

// startedAttributes builds a WorkflowExecutionStarted event's attributes.
func startedAttributes(c Config, typeName, typeVersion string, input *string, tags []string, parent *Parent) *swfapi.WorkflowExecutionStartedEventAttributes {
	a := &swfapi.WorkflowExecutionStartedEventAttributes{
		Input:                        input,
		ExecutionStartToCloseTimeout: swfapi.Ptr(c.ExecutionStartToCloseTimeout),
		TaskStartToCloseTimeout:      swfapi.Ptr(c.TaskStartToCloseTimeout),
		ChildPolicy:                  swfapi.Ptr(c.ChildPolicy),
		TaskList:                     &swfapi.TaskList{Name: swfapi.Ptr(c.TaskList)},
		TaskPriority:                 swfapi.Ptr(c.TaskPriority),
		WorkflowType:                 &swfapi.WorkflowType{Name: swfapi.Ptr(typeName), Version: swfapi.Ptr(typeVersion)},
		TagList:                      tags,
		LambdaRole:                   c.LambdaRole,
		ParentInitiatedEventId:       swfapi.Ptr(int64(0)),
	}
	if parent != nil {
		a.ParentWorkflowExecution = &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(parent.WorkflowID), RunId: swfapi.Ptr(parent.RunID)}
		a.ParentInitiatedEventId = swfapi.Ptr(parent.InitiatedEventID)
	}
	return a
}

// ChildStarted records that the child a StartChildWorkflowExecution
// decision asked for has started.
func (m *Machine) ChildStarted(initiatedEventID int64, runID string) {
	c, ok := m.Exec.Children[initiatedEventID]
	if !m.Exec.Open || !ok {
		return
	}
	c.RunID = runID
	c.StartedEventID = m.record(&swfapi.ChildWorkflowExecutionStartedEventAttributes{
		WorkflowExecution: &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(c.WorkflowID), RunId: swfapi.Ptr(runID)},
		WorkflowType:      c.Type(),
		InitiatedEventId:  swfapi.Ptr(initiatedEventID),
	})
	m.needDecision()
}

// ChildStartFailed records that the child could not be started.
func (m *Machine) ChildStartFailed(initiatedEventID int64, cause swfapi.StartChildWorkflowExecutionFailedCause) {
	c, ok := m.Exec.Children[initiatedEventID]
	if !m.Exec.Open || !ok {
		return
	}
	delete(m.Exec.Children, initiatedEventID)
	m.record(&swfapi.StartChildWorkflowExecutionFailedEventAttributes{
		WorkflowType:                 c.Type(),
		Cause:                        cause.Ptr(),
		WorkflowId:                   swfapi.Ptr(c.WorkflowID),
		InitiatedEventId:             swfapi.Ptr(initiatedEventID),
		DecisionTaskCompletedEventId: swfapi.Ptr(c.DecisionTaskCompletedEventID),
		Control:                      c.Control,
	})
	m.needDecision()
}

// ChildClosed records how one of the run's children closed.
func (m *Machine) ChildClosed(n *NotifyParent) {
	e := m.Exec
	if !e.Open {
		return
	}
	initiated := n.Parent.InitiatedEventID
	c, ok := e.Children[initiated]
	if !ok {
		return
	}
	delete(e.Children, initiated)
	ex, wt := n.Child, c.Type()
	i, s := swfapi.Ptr(initiated), swfapi.Ptr(c.StartedEventID)
	switch n.Status {
	case swfapi.CloseStatusCompleted:
		m.record(&swfapi.ChildWorkflowExecutionCompletedEventAttributes{WorkflowExecution: ex, WorkflowType: wt, Result: n.Result, InitiatedEventId: i, StartedEventId: s})
	case swfapi.CloseStatusFailed:
		m.record(&swfapi.ChildWorkflowExecutionFailedEventAttributes{WorkflowExecution: ex, WorkflowType: wt, Reason: n.Reason, Details: n.Details, InitiatedEventId: i, StartedEventId: s})
	case swfapi.CloseStatusCanceled:
		m.record(&swfapi.ChildWorkflowExecutionCanceledEventAttributes{WorkflowExecution: ex, WorkflowType: wt, Details: n.Details, InitiatedEventId: i, StartedEventId: s})
	case swfapi.CloseStatusTimedOut:
		m.record(&swfapi.ChildWorkflowExecutionTimedOutEventAttributes{WorkflowExecution: ex, WorkflowType: wt, TimeoutType: swfapi.WorkflowExecutionTimeoutTypeStartToClose.Ptr(), InitiatedEventId: i, StartedEventId: s})
	case swfapi.CloseStatusTerminated:
		m.record(&swfapi.ChildWorkflowExecutionTerminatedEventAttributes{WorkflowExecution: ex, WorkflowType: wt, InitiatedEventId: i, StartedEventId: s})
	}
	m.needDecision()
}

// ExternalSignaled records that a signal the run sent was delivered.
func (m *Machine) ExternalSignaled(o *SignalExternal, target *swfapi.WorkflowExecution) {
	if !m.Exec.Open {
		return
	}
	m.record(&swfapi.ExternalWorkflowExecutionSignaledEventAttributes{WorkflowExecution: target, InitiatedEventId: swfapi.Ptr(o.InitiatedEventID)})
	m.needDecision()
}

// SignalExternalFailed records that a signal the run sent had nowhere to go.
func (m *Machine) SignalExternalFailed(o *SignalExternal, cause swfapi.SignalExternalWorkflowExecutionFailedCause) {
	if !m.Exec.Open {
		return
	}
	m.record(&swfapi.SignalExternalWorkflowExecutionFailedEventAttributes{
		WorkflowId: swfapi.Ptr(o.WorkflowID), RunId: emptyNil(o.RunID), Cause: cause.Ptr(),
		InitiatedEventId: swfapi.Ptr(o.InitiatedEventID), DecisionTaskCompletedEventId: swfapi.Ptr(o.DecisionTaskCompletedEventID),
		Control: o.Control,
	})
	m.needDecision()
}

// ExternalCancelRequested records that a cancellation request the run sent
// was recorded by its target.
func (m *Machine) ExternalCancelRequested(o *CancelExternal, target *swfapi.WorkflowExecution) {
	if !m.Exec.Open {
		return
	}
	m.record(&swfapi.ExternalWorkflowExecutionCancelRequestedEventAttributes{WorkflowExecution: target, InitiatedEventId: swfapi.Ptr(o.InitiatedEventID)})
	m.needDecision()
}

// CancelExternalFailed records that a cancellation request the run sent
// had nowhere to go.
func (m *Machine) CancelExternalFailed(o *CancelExternal, cause swfapi.RequestCancelExternalWorkflowExecutionFailedCause) {
	if !m.Exec.Open {
		return
	}
	m.record(&swfapi.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
		WorkflowId: swfapi.Ptr(o.WorkflowID), RunId: emptyNil(o.RunID), Cause: cause.Ptr(),
		InitiatedEventId: swfapi.Ptr(o.InitiatedEventID), DecisionTaskCompletedEventId: swfapi.Ptr(o.DecisionTaskCompletedEventID),
		Control: o.Control,
	})
	m.needDecision()
}

func emptyNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
