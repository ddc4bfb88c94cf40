package workflow

import (
	"fmt"
	"strconv"

	"github.com/openswf/openswf/internal/swfapi"
)

// TypeInfo is what decisions need to know of a registered type.
type TypeInfo struct {
	Deprecated bool
	Activity   *swfapi.ActivityTypeConfiguration
}

// Types answers the lookups of registered types that decisions make; the
// engine fills it from the store before the transition.
type Types interface {
	// ActivityType returns the activity type, or nil if it does not exist.
	ActivityType(name, version string) *TypeInfo
}

// closeDecisions are the decisions that close the run; each must be the
// last of its list.
var closeDecisions = map[swfapi.DecisionType]bool{
	swfapi.DecisionTypeCompleteWorkflowExecution:      true,
	swfapi.DecisionTypeFailWorkflowExecution:          true,
	swfapi.DecisionTypeCancelWorkflowExecution:        true,
	swfapi.DecisionTypeContinueAsNewWorkflowExecution: true,
}

// implementedDecisions are the decision types this version carries out.
var implementedDecisions = map[swfapi.DecisionType]bool{
	swfapi.DecisionTypeScheduleActivityTask:      true,
	swfapi.DecisionTypeRequestCancelActivityTask: true,
	swfapi.DecisionTypeCompleteWorkflowExecution: true,
	swfapi.DecisionTypeFailWorkflowExecution:     true,
	swfapi.DecisionTypeCancelWorkflowExecution:   true,
	swfapi.DecisionTypeRecordMarker:              true,
}

// ValidateDecisions checks what the model cannot about a list of decisions:
// each has the attributes its type needs, and a decision that closes the
// run comes last. Problems reject the whole list (ValidationException) and
// nothing is recorded.
func ValidateDecisions(decisions []swfapi.Decision) error {
	var problems []string
	for i := range decisions {
		d := &decisions[i]
		path := "decisions." + strconv.Itoa(i+1) + ".member"
		t := *d.DecisionType
		if d.Attributes() == nil && !closeDecisions[t] {
			member := lowerFirst(string(t)) + "DecisionAttributes"
			problems = append(problems, fmt.Sprintf("Value null at '%s.%s' failed to satisfy constraint: Member must not be null", path, member))
		}
		if closeDecisions[t] && i != len(decisions)-1 {
			problems = append(problems, fmt.Sprintf("Value '%s' at '%s.decisionType' failed to satisfy constraint: a decision that closes the workflow execution must be the last decision in the list", t, path))
		}
	}
	if len(problems) > 0 {
		return &swfapi.ValidationError{Problems: problems}
	}
	for i := range decisions {
		if t := *decisions[i].DecisionType; !implementedDecisions[t] {
			return swfapi.Errorf(swfapi.CodeNotImplemented, "openswf does not implement the %s decision yet (decisions.%d)", t, i+1)
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// CompleteDecisionTask applies a decider's answer: DecisionTaskCompleted,
// then each decision in order (its event, or its *Failed event), then a new
// decision task if something the decider has not seen calls for one. The
// decisions must have passed ValidateDecisions.
func (m *Machine) CompleteDecisionTask(startedEventID int64, in *swfapi.RespondDecisionTaskCompletedInput, types Types) error {
	e := m.Exec
	if !e.Open || e.Decision.State != DecisionStarted || e.Decision.StartedEventID != startedEventID {
		return ErrStale
	}
	d := e.Decision
	completed := &swfapi.DecisionTaskCompletedEventAttributes{
		ExecutionContext:               in.ExecutionContext,
		ScheduledEventId:               swfapi.Ptr(d.ScheduledEventID),
		StartedEventId:                 swfapi.Ptr(d.StartedEventID),
		TaskList:                       in.TaskList,
		TaskListScheduleToStartTimeout: in.TaskListScheduleToStartTimeout,
	}
	completedID := m.record(completed)
	m.disarm(TimerDecisionStartToClose, startedEventID)
	e.PreviousStartedEventID = startedEventID
	if in.ExecutionContext != nil {
		e.LatestExecutionContext = in.ExecutionContext
	}
	if in.TaskList != nil {
		timeout := None
		if in.TaskListScheduleToStartTimeout != nil {
			timeout = ParseTimeout(*in.TaskListScheduleToStartTimeout)
		}
		if timeout == None {
			e.Config.TaskList = *in.TaskList.Name
			e.Override = nil
		} else {
			e.Override = &TaskListOverride{TaskList: *in.TaskList.Name, ScheduleToStart: timeout}
		}
	}
	e.Decision = DecisionTask{}

	m.completing = true
	m.decisionNeeded = d.Unhandled
	for i := range in.Decisions {
		if !e.Open {
			break
		}
		m.decide(&in.Decisions[i], completedID, types)
	}
	m.completing = false
	if e.Open && m.decisionNeeded {
		m.scheduleDecision()
	}
	return nil
}

// decide applies one decision.
func (m *Machine) decide(d *swfapi.Decision, completedID int64, types Types) {
	switch *d.DecisionType {
	case swfapi.DecisionTypeScheduleActivityTask:
		m.scheduleActivity(d.ScheduleActivityTaskDecisionAttributes, completedID, types)
	case swfapi.DecisionTypeRequestCancelActivityTask:
		m.requestCancelActivity(d.RequestCancelActivityTaskDecisionAttributes, completedID)
	case swfapi.DecisionTypeRecordMarker:
		a := d.RecordMarkerDecisionAttributes
		m.record(&swfapi.MarkerRecordedEventAttributes{MarkerName: a.MarkerName, Details: a.Details, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		a := swfapi.Deref(d.CompleteWorkflowExecutionDecisionAttributes)
		if m.decisionNeeded {
			m.record(&swfapi.CompleteWorkflowExecutionFailedEventAttributes{Cause: swfapi.CompleteWorkflowExecutionFailedCauseUnhandledDecision.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
			return
		}
		m.record(&swfapi.WorkflowExecutionCompletedEventAttributes{Result: a.Result, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.close(swfapi.CloseStatusCompleted)
	case swfapi.DecisionTypeFailWorkflowExecution:
		a := swfapi.Deref(d.FailWorkflowExecutionDecisionAttributes)
		if m.decisionNeeded {
			m.record(&swfapi.FailWorkflowExecutionFailedEventAttributes{Cause: swfapi.FailWorkflowExecutionFailedCauseUnhandledDecision.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
			return
		}
		m.record(&swfapi.WorkflowExecutionFailedEventAttributes{Reason: a.Reason, Details: a.Details, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.close(swfapi.CloseStatusFailed)
	case swfapi.DecisionTypeCancelWorkflowExecution:
		a := swfapi.Deref(d.CancelWorkflowExecutionDecisionAttributes)
		if m.decisionNeeded {
			m.record(&swfapi.CancelWorkflowExecutionFailedEventAttributes{Cause: swfapi.CancelWorkflowExecutionFailedCauseUnhandledDecision.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
			return
		}
		m.record(&swfapi.WorkflowExecutionCanceledEventAttributes{Details: a.Details, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.close(swfapi.CloseStatusCanceled)
	}
}

func (m *Machine) scheduleActivity(a *swfapi.ScheduleActivityTaskDecisionAttributes, completedID int64, types Types) {
	fail := func(cause swfapi.ScheduleActivityTaskFailedCause) {
		m.record(&swfapi.ScheduleActivityTaskFailedEventAttributes{
			ActivityType:                 a.ActivityType,
			ActivityId:                   a.ActivityId,
			Cause:                        cause.Ptr(),
			DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
		})
		m.needDecision()
	}
	t := types.ActivityType(*a.ActivityType.Name, *a.ActivityType.Version)
	if t == nil {
		fail(swfapi.ScheduleActivityTaskFailedCauseActivityTypeDoesNotExist)
		return
	}
	if t.Deprecated {
		fail(swfapi.ScheduleActivityTaskFailedCauseActivityTypeDeprecated)
		return
	}
	for _, open := range m.Activities {
		if open.ActivityID == *a.ActivityId {
			fail(swfapi.ScheduleActivityTaskFailedCauseActivityIdAlreadyInUse)
			return
		}
	}
	if len(m.Activities) >= m.opts.Limits.OpenActivities {
		fail(swfapi.ScheduleActivityTaskFailedCauseOpenActivitiesLimitExceeded)
		return
	}
	cfg := swfapi.Deref(t.Activity)
	pick := func(v, def *string) *string {
		if v != nil {
			return v
		}
		return def
	}
	scheduleToClose := pick(a.ScheduleToCloseTimeout, cfg.DefaultTaskScheduleToCloseTimeout)
	var taskList *string
	if a.TaskList != nil {
		taskList = a.TaskList.Name
	} else if cfg.DefaultTaskList != nil {
		taskList = cfg.DefaultTaskList.Name
	}
	scheduleToStart := pick(a.ScheduleToStartTimeout, cfg.DefaultTaskScheduleToStartTimeout)
	startToClose := pick(a.StartToCloseTimeout, cfg.DefaultTaskStartToCloseTimeout)
	heartbeat := pick(a.HeartbeatTimeout, cfg.DefaultTaskHeartbeatTimeout)
	switch {
	case scheduleToClose == nil:
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToCloseTimeoutUndefined)
		return
	case taskList == nil:
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultTaskListUndefined)
		return
	case scheduleToStart == nil:
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToStartTimeoutUndefined)
		return
	case startToClose == nil:
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultStartToCloseTimeoutUndefined)
		return
	case heartbeat == nil:
		fail(swfapi.ScheduleActivityTaskFailedCauseDefaultHeartbeatTimeoutUndefined)
		return
	}
	priority := pick(a.TaskPriority, cfg.DefaultTaskPriority)
	if priority == nil {
		priority = swfapi.Ptr("0")
	}
	id := m.record(&swfapi.ActivityTaskScheduledEventAttributes{
		ActivityType:                 a.ActivityType,
		ActivityId:                   a.ActivityId,
		Input:                        a.Input,
		Control:                      a.Control,
		ScheduleToStartTimeout:       scheduleToStart,
		ScheduleToCloseTimeout:       scheduleToClose,
		StartToCloseTimeout:          startToClose,
		HeartbeatTimeout:             heartbeat,
		TaskList:                     &swfapi.TaskList{Name: taskList},
		TaskPriority:                 priority,
		DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
	})
	prio, _ := swfapi.ParsePriority(*priority)
	act := &Activity{
		ScheduledEventID: id,
		ActivityID:       *a.ActivityId,
		TypeName:         *a.ActivityType.Name,
		TypeVersion:      *a.ActivityType.Version,
		Input:            a.Input,
		TaskList:         *taskList,
		Priority:         prio,
		ScheduleToStart:  ParseTimeout(*scheduleToStart),
		ScheduleToClose:  ParseTimeout(*scheduleToClose),
		StartToClose:     ParseTimeout(*startToClose),
		Heartbeat:        ParseTimeout(*heartbeat),
		ScheduledAt:      m.now,
	}
	m.Activities[id] = act
	m.changed[id] = true
	now := m.now
	m.Exec.LatestActivityTaskTimestamp = &now
	m.queue(Task{Kind: ActivityTaskKind, TaskList: act.TaskList, Priority: prio, ScheduledEventID: id})
	m.arm(TimerActivityScheduleToStart, id, act.ScheduleToStart)
	m.arm(TimerActivityScheduleToClose, id, act.ScheduleToClose)
}

func (m *Machine) requestCancelActivity(a *swfapi.RequestCancelActivityTaskDecisionAttributes, completedID int64) {
	var act *Activity
	for _, open := range m.Activities {
		if open.ActivityID == *a.ActivityId {
			act = open
		}
	}
	if act == nil {
		m.record(&swfapi.RequestCancelActivityTaskFailedEventAttributes{
			ActivityId:                   a.ActivityId,
			Cause:                        swfapi.RequestCancelActivityTaskFailedCauseActivityIdUnknown.Ptr(),
			DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
		})
		m.needDecision()
		return
	}
	id := m.record(&swfapi.ActivityTaskCancelRequestedEventAttributes{ActivityId: a.ActivityId, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
	act.LatestCancelRequestedEventID = id
	if !act.Started() {
		// Nobody has it yet: it is canceled on the spot.
		m.recordActivityCanceled(act, nil)
		return
	}
	act.CancelRequested = true
	m.changed[act.ScheduledEventID] = true
}
