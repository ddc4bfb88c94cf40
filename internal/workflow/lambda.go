package workflow

import "github.com/openswf/openswf/internal/swfapi"

// LambdaInvocation is what the invoker needs to call a Lambda function.
type LambdaInvocation struct {
	ScheduledEventID int64
	StartedEventID   int64
	Name             string
	Input            *string
	StartToClose     Timeout
	Role             string
}

// StartLambda begins a scheduled Lambda task: LambdaFunctionStarted, and the
// start-to-close timer. A run without a lambdaRole cannot invoke functions:
// the task fails to start (StartLambdaFunctionFailed) and nil is returned.
func (m *Machine) StartLambda(scheduledEventID int64) (*LambdaInvocation, error) {
	e := m.Exec
	l, ok := e.Lambdas[scheduledEventID]
	if !e.Open || !ok || l.StartedEventID != 0 {
		return nil, ErrStale
	}
	if e.Config.LambdaRole == nil {
		m.LambdaStartFailed(scheduledEventID, "The workflow execution has no lambdaRole to invoke Lambda functions with")
		return nil, nil
	}
	id := m.record(&swfapi.LambdaFunctionStartedEventAttributes{ScheduledEventId: swfapi.Ptr(scheduledEventID)})
	if id == 0 {
		return nil, ErrStale
	}
	l.StartedEventID = id
	m.arm(TimerLambdaStartToClose, scheduledEventID, l.StartToClose)
	return &LambdaInvocation{
		ScheduledEventID: scheduledEventID, StartedEventID: id, Name: l.Name, Input: l.Input,
		StartToClose: l.StartToClose, Role: *e.Config.LambdaRole,
	}, nil
}

// LambdaStartFailed records that a Lambda task could not begin because its
// role could not be assumed; the task leaves its list.
func (m *Machine) LambdaStartFailed(scheduledEventID int64, message string) {
	e := m.Exec
	if l, ok := e.Lambdas[scheduledEventID]; !e.Open || !ok || l.StartedEventID != 0 {
		return
	}
	m.record(&swfapi.StartLambdaFunctionFailedEventAttributes{
		ScheduledEventId: swfapi.Ptr(scheduledEventID), Cause: swfapi.StartLambdaFunctionFailedCauseAssumeRoleFailed.Ptr(), Message: swfapi.Ptr(message),
	})
	m.unqueue(LambdaTaskKind, scheduledEventID)
	m.closeLambda(scheduledEventID)
}

// CompleteLambda records a Lambda function's result.
func (m *Machine) CompleteLambda(scheduledEventID, startedEventID int64, result *string) error {
	if err := m.startedLambda(scheduledEventID, startedEventID); err != nil {
		return err
	}
	m.record(&swfapi.LambdaFunctionCompletedEventAttributes{ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID), Result: result})
	m.closeLambda(scheduledEventID)
	return nil
}

// FailLambda records that a Lambda function failed.
func (m *Machine) FailLambda(scheduledEventID, startedEventID int64, reason, details *string) error {
	if err := m.startedLambda(scheduledEventID, startedEventID); err != nil {
		return err
	}
	m.record(&swfapi.LambdaFunctionFailedEventAttributes{ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID), Reason: reason, Details: details})
	m.closeLambda(scheduledEventID)
	return nil
}

func (m *Machine) startedLambda(scheduledEventID, startedEventID int64) error {
	l, ok := m.Exec.Lambdas[scheduledEventID]
	if !m.Exec.Open || !ok || l.StartedEventID != startedEventID || startedEventID == 0 {
		return ErrStale
	}
	return nil
}

func (m *Machine) closeLambda(scheduledEventID int64) {
	delete(m.Exec.Lambdas, scheduledEventID)
	m.disarm(TimerLambdaStartToClose, scheduledEventID)
	m.needDecision()
}
