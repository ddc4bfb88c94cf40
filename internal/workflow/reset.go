package workflow

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// ResetMarker is the name of the marker that begins what a reset run adds
// to the history it copied. Its details are the JSON of ResetSource.
const ResetMarker = "openswf.reset"

// ResetReason is the reason recorded on activities that were open at the
// decision a run was reset to.
const ResetReason = "openswf.reset"

// ResetSource is what the reset marker's details say: the run and the
// DecisionTaskCompleted event that the new run starts again from.
type ResetSource struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	EventID    int64  `json:"eventId"`
}

// ResetPoint is the state of a run right after one of its
// DecisionTaskCompleted events, read from its history: what a run that
// starts again from there takes over.
type ResetPoint struct {
	// Events are the history up to and including the DecisionTaskCompleted.
	Events []swfapi.HistoryEvent
	// Started are the attributes of the run's WorkflowExecutionStarted.
	Started *swfapi.WorkflowExecutionStartedEventAttributes
	// DecisionStartedEventID is the DecisionTaskStarted of the completed
	// decision task: the decider has seen everything up to it.
	DecisionStartedEventID int64
	// TaskList is the decision task list in force (a decision may have
	// moved the run to another).
	TaskList         string
	ExecutionContext *string
	CancelRequested  bool
	// Activities are the activities open at that point, by scheduled id,
	// with their started event id (0: not started).
	Activities map[int64]int64
	// Timers are the user timers open at that point, with when each was
	// due to fire.
	Timers map[string]ResetTimer
}

// ResetTimer is a user timer open at a reset point.
type ResetTimer struct {
	StartedEventID int64
	Control        *string
	Due            time.Time
}

// PointOf replays a consistent history (see CheckHistory) up to the
// DecisionTaskCompleted event upto. A run cannot start again from a point
// where it had child executions, Lambda tasks or requests to other runs
// under way, because their outcome would reach the old run: PointOf
// refuses those, saying what was open.
func PointOf(events []swfapi.HistoryEvent, upto int64) (*ResetPoint, error) {
	if upto < 1 || upto > int64(len(events)) {
		return nil, fmt.Errorf("the history has no event %d", upto)
	}
	if t := *events[upto-1].EventType; t != swfapi.EventTypeDecisionTaskCompleted {
		return nil, fmt.Errorf("event %d is %s: a run can only be reset to a DecisionTaskCompleted event", upto, t)
	}
	p := &ResetPoint{Events: events[:upto], Activities: map[int64]int64{}, Timers: map[string]ResetTimer{}}
	p.Started = events[0].WorkflowExecutionStartedEventAttributes
	p.TaskList = swfapi.Deref(p.Started.TaskList.Name)
	pending := map[int64]string{} // children, Lambda tasks and requests under way
	for i := range p.Events {
		ev := &p.Events[i]
		id := *ev.EventId
		switch a := ev.Attributes().(type) {
		case *swfapi.DecisionTaskCompletedEventAttributes:
			p.DecisionStartedEventID = *a.StartedEventId
			if a.ExecutionContext != nil {
				p.ExecutionContext = a.ExecutionContext
			}
			if a.TaskList != nil && a.TaskList.Name != nil && a.TaskListScheduleToStartTimeout == nil {
				p.TaskList = *a.TaskList.Name
			}
		case *swfapi.WorkflowExecutionCancelRequestedEventAttributes:
			p.CancelRequested = true
		case *swfapi.ActivityTaskScheduledEventAttributes:
			p.Activities[id] = 0
		case *swfapi.ActivityTaskStartedEventAttributes:
			p.Activities[*a.ScheduledEventId] = id
		case *swfapi.ActivityTaskCompletedEventAttributes:
			delete(p.Activities, *a.ScheduledEventId)
		case *swfapi.ActivityTaskFailedEventAttributes:
			delete(p.Activities, *a.ScheduledEventId)
		case *swfapi.ActivityTaskTimedOutEventAttributes:
			delete(p.Activities, *a.ScheduledEventId)
		case *swfapi.ActivityTaskCanceledEventAttributes:
			delete(p.Activities, *a.ScheduledEventId)
		case *swfapi.TimerStartedEventAttributes:
			p.Timers[*a.TimerId] = ResetTimer{StartedEventID: id, Control: a.Control, Due: ev.EventTimestamp.Add(ParseTimeout(*a.StartToFireTimeout).Duration())}
		case *swfapi.TimerFiredEventAttributes:
			delete(p.Timers, *a.TimerId)
		case *swfapi.TimerCanceledEventAttributes:
			delete(p.Timers, *a.TimerId)
		default:
			trackPending(pending, id, ev.Attributes())
		}
	}
	if len(pending) > 0 {
		first := slices.Min(slices.Collect(maps.Keys(pending)))
		return nil, fmt.Errorf("a run cannot be reset to event %d: the %s of event %d was still under way then", upto, pending[first], first)
	}
	return p, nil
}

// trackPending follows what a run started in other places (children,
// Lambda tasks, signals and cancellations of other runs) until it ends.
func trackPending(pending map[int64]string, id int64, attrs any) {
	switch a := attrs.(type) {
	case *swfapi.StartChildWorkflowExecutionInitiatedEventAttributes:
		pending[id] = "child workflow execution"
	case *swfapi.StartChildWorkflowExecutionFailedEventAttributes:
		delete(pending, swfapi.Deref(a.InitiatedEventId))
	case *swfapi.ChildWorkflowExecutionCompletedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.ChildWorkflowExecutionFailedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.ChildWorkflowExecutionTimedOutEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.ChildWorkflowExecutionCanceledEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.ChildWorkflowExecutionTerminatedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.LambdaFunctionScheduledEventAttributes:
		pending[id] = "Lambda task"
	case *swfapi.LambdaFunctionCompletedEventAttributes:
		delete(pending, *a.ScheduledEventId)
	case *swfapi.LambdaFunctionFailedEventAttributes:
		delete(pending, *a.ScheduledEventId)
	case *swfapi.LambdaFunctionTimedOutEventAttributes:
		delete(pending, *a.ScheduledEventId)
	case *swfapi.StartLambdaFunctionFailedEventAttributes:
		delete(pending, swfapi.Deref(a.ScheduledEventId))
	case *swfapi.SignalExternalWorkflowExecutionInitiatedEventAttributes:
		pending[id] = "signal to another run"
	case *swfapi.ExternalWorkflowExecutionSignaledEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.SignalExternalWorkflowExecutionFailedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes:
		pending[id] = "cancellation request to another run"
	case *swfapi.ExternalWorkflowExecutionCancelRequestedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	case *swfapi.RequestCancelExternalWorkflowExecutionFailedEventAttributes:
		delete(pending, *a.InitiatedEventId)
	}
}

// ConfigOf is the configuration a run was started with, as its
// WorkflowExecutionStarted event records it.
func ConfigOf(a *swfapi.WorkflowExecutionStartedEventAttributes) Config {
	c := Config{
		TaskList:                     swfapi.Deref(a.TaskList.Name),
		TaskPriority:                 swfapi.Deref(a.TaskPriority),
		TaskStartToCloseTimeout:      swfapi.Deref(a.TaskStartToCloseTimeout),
		ExecutionStartToCloseTimeout: swfapi.Deref(a.ExecutionStartToCloseTimeout),
		ChildPolicy:                  swfapi.Deref(a.ChildPolicy),
		LambdaRole:                   a.LambdaRole,
	}
	if c.TaskPriority == "" {
		c.TaskPriority = "0"
	}
	return c
}

// StartFromReset begins a run that starts again from a reset point of
// another (src). Its history is the source's up to the
// DecisionTaskCompleted, as it was, then a MarkerRecorded named
// ResetMarker whose details name the source, then an ActivityTaskFailed
// (reason ResetReason) for each activity that was open at that point — its
// worker's task token names the old run, so its result could never be
// recorded here — and a new DecisionTaskScheduled. Timers open at that
// point stay open and fire when they were due (at once if that has
// passed). The run's timeout starts again from now. The exec must have
// its identity, type, tags and Config set.
func (m *Machine) StartFromReset(p *ResetPoint, src ResetSource) {
	e := m.Exec
	if n := len(p.Events); n > 0 && m.now.Before(p.Events[n-1].EventTimestamp.Time) {
		m.now = p.Events[n-1].EventTimestamp.Time // the history goes on from there
	}
	e.Open = true
	e.StartedAt = m.now
	e.Config.TaskList = p.TaskList
	e.CancelRequested = p.CancelRequested
	e.LatestExecutionContext = p.ExecutionContext
	e.PreviousStartedEventID = p.DecisionStartedEventID
	m.effects.Events = append(m.effects.Events, p.Events...)
	e.NextEventID = int64(len(p.Events)) + 1
	details, _ := json.Marshal(src)
	m.record(&swfapi.MarkerRecordedEventAttributes{
		MarkerName: swfapi.Ptr(ResetMarker), Details: swfapi.Ptr(string(details)),
		DecisionTaskCompletedEventId: swfapi.Ptr(src.EventID),
	})
	for _, id := range slices.Sorted(maps.Keys(p.Activities)) {
		m.record(&swfapi.ActivityTaskFailedEventAttributes{
			Reason:           swfapi.Ptr(ResetReason),
			Details:          swfapi.Ptr(fmt.Sprintf("the run was reset to event %d of run %s while this activity was open", src.EventID, src.RunID)),
			ScheduledEventId: swfapi.Ptr(id), StartedEventId: swfapi.Ptr(p.Activities[id]),
		})
	}
	for timerID, t := range p.Timers {
		e.Timers[timerID] = &UserTimer{StartedEventID: t.StartedEventID, Control: t.Control}
		m.armAt(TimerUser, t.StartedEventID, maxTime(t.Due, m.now))
	}
	m.arm(TimerExecutionTimeout, 0, ParseTimeout(e.Config.ExecutionStartToCloseTimeout))
	m.scheduleDecision()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
