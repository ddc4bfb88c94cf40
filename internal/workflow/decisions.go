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
	Workflow   *swfapi.WorkflowTypeConfiguration
}

// Types answers the lookups of registered types that decisions make; the
// engine reads them from the store inside the transition's transaction.
type Types interface {
	// ActivityType returns the activity type, or nil if it does not exist.
	ActivityType(name, version string) *TypeInfo
	// WorkflowType returns the workflow type, or nil if it does not exist.
	WorkflowType(name, version string) *TypeInfo
}

// closeDecisions are the decisions that close the run; each must be the
// last of its list. They are also the decisions whose attributes are all
// optional, so the only ones that may leave their attributes member out.
var closeDecisions = map[swfapi.DecisionType]bool{
	swfapi.DecisionTypeCompleteWorkflowExecution:      true,
	swfapi.DecisionTypeFailWorkflowExecution:          true,
	swfapi.DecisionTypeCancelWorkflowExecution:        true,
	swfapi.DecisionTypeContinueAsNewWorkflowExecution: true,
}

// ValidateDecisions checks what the model cannot say about a list of
// decisions that has passed the generated validation (lengths, enums,
// required members, names, durations and priorities, each as its operation
// checks them): durations against what each decision allows, task lists
// that no poller could name, a missing attributes member, a closing
// decision that is not last. Problems reject the whole list
// (ValidationException) and nothing is recorded.
//
// Problems with a member are reported together, in the form of the model's
// constraints; failing them, the first problem with the list's structure is
// reported in Amazon SWF's own words ("Close must be last decision in
// list", "StartTimerDecisionAttributes must be specified for decision of
// type StartTimer").
func ValidateDecisions(decisions []swfapi.Decision, limits Limits) error {
	limits = limits.withDefaults()
	var members []string
	var structure error
	for i := range decisions {
		d := &decisions[i]
		t := *d.DecisionType
		if closeDecisions[t] && i != len(decisions)-1 && structure == nil {
			structure = swfapi.Errorf(swfapi.CodeValidationException, "Close must be last decision in list")
		}
		if d.Attributes() == nil {
			if !closeDecisions[t] && structure == nil {
				structure = swfapi.Errorf(swfapi.CodeValidationException, "%sDecisionAttributes must be specified for decision of type %s", t, t)
			}
			continue
		}
		path := "decisions." + strconv.Itoa(i+1) + ".member." + lowerFirst(string(t)) + "DecisionAttributes"
		members = append(members, checkAttributes(d, path, limits)...)
	}
	switch {
	case len(members) > 0:
		return &swfapi.ValidationError{Problems: members}
	case structure != nil:
		return structure
	}
	return nil
}

// checkAttributes applies a decision's own rules to its attributes, at
// path: the durations each allows, and task lists a poller can name (SWF
// refuses white space at either end of a polled task list, so a task put
// on such a list could never be taken).
func checkAttributes(d *swfapi.Decision, path string, limits Limits) []string {
	var problems []string
	add := func(field string, value any, constraint string) {
		problems = append(problems, swfapi.NewValidationError(path+"."+field, value, constraint).Problems...)
	}
	seconds := func(field string, v *string, allowNone bool, min, max int64) {
		if v == nil {
			return
		}
		n, none, _ := swfapi.ParseDuration(*v)
		switch {
		case none && !allowNone:
			add(field, *v, fmt.Sprintf("Member must be a number of seconds from %d to %d (NONE is not allowed)", min, max))
		case !none && (n < min || n > max):
			add(field, *v, fmt.Sprintf("Member must be a number of seconds from %d to %d", min, max))
		}
	}
	taskList := func(tl *swfapi.TaskList) {
		if tl != nil && tl.Name != nil && swfapi.HasOuterSpace(*tl.Name) {
			add("taskList.name", *tl.Name, "Member must not start or end with whitespace")
		}
	}
	switch *d.DecisionType {
	case swfapi.DecisionTypeScheduleActivityTask:
		taskList(d.ScheduleActivityTaskDecisionAttributes.TaskList)
	case swfapi.DecisionTypeStartTimer:
		seconds("startToFireTimeout", d.StartTimerDecisionAttributes.StartToFireTimeout, false, 0, limits.MaxExecutionSeconds)
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		// Unlike StartWorkflowExecution, a child may be started with NONE
		// (the reference: "You can use NONE to specify unlimited duration").
		a := d.StartChildWorkflowExecutionDecisionAttributes
		seconds("executionStartToCloseTimeout", a.ExecutionStartToCloseTimeout, true, 0, limits.MaxExecutionSeconds)
		taskList(a.TaskList)
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		a := d.ContinueAsNewWorkflowExecutionDecisionAttributes
		seconds("executionStartToCloseTimeout", a.ExecutionStartToCloseTimeout, true, 0, limits.MaxExecutionSeconds)
		taskList(a.TaskList)
	case swfapi.DecisionTypeScheduleLambdaFunction:
		seconds("startToCloseTimeout", d.ScheduleLambdaFunctionDecisionAttributes.StartToCloseTimeout, false, 1, maxLambdaSeconds)
	}
	return problems
}

// maxLambdaSeconds bounds a Lambda task's start-to-close timeout; it is
// also the default.
const maxLambdaSeconds = 900

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// ConfigRequest is what a start (StartWorkflowExecution, a child, a
// continuation) asks for; what it leaves out comes from the type.
type ConfigRequest struct {
	ExecutionStartToCloseTimeout *string
	TaskList                     *swfapi.TaskList
	TaskStartToCloseTimeout      *string
	ChildPolicy                  *swfapi.ChildPolicy
	TaskPriority                 *string
	LambdaRole                   *string
}

// ResolveConfig takes each setting of a new run from the request, else from
// the workflow type's defaults. When one of the four that SWF requires is
// in neither, it returns the member's name (in the order SWF checks them).
func ResolveConfig(r ConfigRequest, d *swfapi.WorkflowTypeConfiguration) (Config, string) {
	var c Config
	pick := func(v, def *string) (string, bool) {
		if v != nil {
			return *v, true
		}
		if def != nil {
			return *def, true
		}
		return "", false
	}
	var ok bool
	if c.ExecutionStartToCloseTimeout, ok = pick(r.ExecutionStartToCloseTimeout, d.DefaultExecutionStartToCloseTimeout); !ok {
		return c, "executionStartToCloseTimeout"
	}
	var list, defList *string
	if r.TaskList != nil {
		list = r.TaskList.Name
	}
	if d.DefaultTaskList != nil {
		defList = d.DefaultTaskList.Name
	}
	if c.TaskList, ok = pick(list, defList); !ok {
		return c, "taskList"
	}
	if c.TaskStartToCloseTimeout, ok = pick(r.TaskStartToCloseTimeout, d.DefaultTaskStartToCloseTimeout); !ok {
		return c, "taskStartToCloseTimeout"
	}
	switch {
	case r.ChildPolicy != nil:
		c.ChildPolicy = *r.ChildPolicy
	case d.DefaultChildPolicy != nil:
		c.ChildPolicy = *d.DefaultChildPolicy
	default:
		return c, "childPolicy"
	}
	if c.TaskPriority, ok = pick(r.TaskPriority, d.DefaultTaskPriority); !ok {
		c.TaskPriority = "0"
	}
	c.LambdaRole = r.LambdaRole
	if c.LambdaRole == nil {
		c.LambdaRole = d.DefaultLambdaRole
	}
	return c, ""
}

// CompleteDecisionTask applies a decider's answer: DecisionTaskCompleted,
// then each decision in order (its event, or its *Failed event), then a new
// decision task if something the decider has not seen calls for one. The
// decisions must have passed ValidateDecisions; a decision permit does not
// allow fails with cause OPERATION_NOT_PERMITTED.
func (m *Machine) CompleteDecisionTask(startedEventID int64, in *swfapi.RespondDecisionTaskCompletedInput, types Types, permit Permit) error {
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
	m.permit = permit
	m.decisionNeeded = d.Unhandled
	for i := range in.Decisions {
		if !e.Open {
			break
		}
		m.decide(&in.Decisions[i], completedID, types)
	}
	m.completing = false
	m.permit = nil
	if e.Open && m.decisionNeeded {
		m.scheduleDecision()
	}
	return nil
}

// decide applies one decision.
func (m *Machine) decide(d *swfapi.Decision, completedID int64, types Types) {
	if !m.permitted(d, types) {
		m.notPermitted(d, completedID)
		return
	}
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
		m.close(swfapi.CloseStatusCompleted, nil, &NotifyParent{Status: swfapi.CloseStatusCompleted, Result: a.Result})
	case swfapi.DecisionTypeFailWorkflowExecution:
		a := swfapi.Deref(d.FailWorkflowExecutionDecisionAttributes)
		if m.decisionNeeded {
			m.record(&swfapi.FailWorkflowExecutionFailedEventAttributes{Cause: swfapi.FailWorkflowExecutionFailedCauseUnhandledDecision.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
			return
		}
		m.record(&swfapi.WorkflowExecutionFailedEventAttributes{Reason: a.Reason, Details: a.Details, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.close(swfapi.CloseStatusFailed, nil, &NotifyParent{Status: swfapi.CloseStatusFailed, Reason: a.Reason, Details: a.Details})
	case swfapi.DecisionTypeCancelWorkflowExecution:
		a := swfapi.Deref(d.CancelWorkflowExecutionDecisionAttributes)
		if m.decisionNeeded {
			m.record(&swfapi.CancelWorkflowExecutionFailedEventAttributes{Cause: swfapi.CancelWorkflowExecutionFailedCauseUnhandledDecision.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
			return
		}
		m.record(&swfapi.WorkflowExecutionCanceledEventAttributes{Details: a.Details, DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.close(swfapi.CloseStatusCanceled, nil, &NotifyParent{Status: swfapi.CloseStatusCanceled, Details: a.Details})
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		m.continueAsNew(swfapi.Deref(d.ContinueAsNewWorkflowExecutionDecisionAttributes), completedID, types)
	case swfapi.DecisionTypeStartTimer:
		m.startTimer(d.StartTimerDecisionAttributes, completedID)
	case swfapi.DecisionTypeCancelTimer:
		m.cancelTimer(d.CancelTimerDecisionAttributes, completedID)
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		a := d.SignalExternalWorkflowExecutionDecisionAttributes
		if !m.allowed(swfapi.DecisionTypeSignalExternalWorkflowExecution) {
			m.SignalExternalFailed(&SignalExternal{DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId, RunID: swfapi.Deref(a.RunId), Control: a.Control},
				swfapi.SignalExternalWorkflowExecutionFailedCauseSignalExternalWorkflowExecutionRateExceeded)
			return
		}
		id := m.record(&swfapi.SignalExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowId: a.WorkflowId, RunId: emptyNil(swfapi.Deref(a.RunId)), SignalName: a.SignalName, Input: a.Input,
			DecisionTaskCompletedEventId: swfapi.Ptr(completedID), Control: a.Control,
		})
		if id == 0 {
			return // the history is full: the run was terminated instead
		}
		m.send(&SignalExternal{InitiatedEventID: id, DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId,
			RunID: swfapi.Deref(a.RunId), SignalName: *a.SignalName, Input: a.Input, Control: a.Control})
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		a := d.RequestCancelExternalWorkflowExecutionDecisionAttributes
		if !m.allowed(swfapi.DecisionTypeRequestCancelExternalWorkflowExecution) {
			m.CancelExternalFailed(&CancelExternal{DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId, RunID: swfapi.Deref(a.RunId), Control: a.Control},
				swfapi.RequestCancelExternalWorkflowExecutionFailedCauseRequestCancelExternalWorkflowExecutionRateExceeded)
			return
		}
		id := m.record(&swfapi.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowId: a.WorkflowId, RunId: emptyNil(swfapi.Deref(a.RunId)),
			DecisionTaskCompletedEventId: swfapi.Ptr(completedID), Control: a.Control,
		})
		if id == 0 {
			return
		}
		m.send(&CancelExternal{InitiatedEventID: id, DecisionTaskCompletedEventID: completedID, WorkflowID: *a.WorkflowId,
			RunID: swfapi.Deref(a.RunId), Control: a.Control})
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		m.startChild(d.StartChildWorkflowExecutionDecisionAttributes, completedID, types)
	case swfapi.DecisionTypeScheduleLambdaFunction:
		m.scheduleLambda(d.ScheduleLambdaFunctionDecisionAttributes, completedID)
	}
}

// scheduleActivity carries out a ScheduleActivityTask decision: the
// activity is scheduled, or the decision fails with its cause.
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
	if cause := m.refuseActivity(a, t); cause != "" {
		fail(cause)
		return
	}
	set, cause := activitySettings(a, swfapi.Deref(t.Activity))
	if cause != "" {
		fail(cause)
		return
	}
	id := m.record(&swfapi.ActivityTaskScheduledEventAttributes{
		ActivityType:                 a.ActivityType,
		ActivityId:                   a.ActivityId,
		Input:                        a.Input,
		Control:                      a.Control,
		ScheduleToStartTimeout:       set.scheduleToStart,
		ScheduleToCloseTimeout:       set.scheduleToClose,
		StartToCloseTimeout:          set.startToClose,
		HeartbeatTimeout:             set.heartbeat,
		TaskList:                     &swfapi.TaskList{Name: set.taskList},
		TaskPriority:                 set.priority,
		DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
	})
	if id == 0 {
		return
	}
	prio, _ := swfapi.ParsePriority(*set.priority)
	act := &Activity{
		ScheduledEventID: id,
		ActivityID:       *a.ActivityId,
		TypeName:         *a.ActivityType.Name,
		TypeVersion:      *a.ActivityType.Version,
		Input:            a.Input,
		TaskList:         *set.taskList,
		Priority:         prio,
		ScheduleToStart:  ParseTimeout(*set.scheduleToStart),
		ScheduleToClose:  ParseTimeout(*set.scheduleToClose),
		StartToClose:     ParseTimeout(*set.startToClose),
		Heartbeat:        ParseTimeout(*set.heartbeat),
		ScheduledAt:      m.now,
	}
	m.Activities[id] = act
	m.changed[id] = true
	now := m.now
	m.Exec.LatestActivityTaskTimestamp = &now
	m.queue(Task{Kind: ActivityTaskKind, TaskList: act.TaskList, Priority: prio, ScheduledEventID: id})
	m.armActivity(act)
}

// refuseActivity is why an activity of type t (nil: not registered) cannot
// be scheduled as the decision a asks, or "" when it can. The last check
// spends a token of the run's activity creation rate, so it comes last.
func (m *Machine) refuseActivity(a *swfapi.ScheduleActivityTaskDecisionAttributes, t *TypeInfo) swfapi.ScheduleActivityTaskFailedCause {
	if t == nil {
		return swfapi.ScheduleActivityTaskFailedCauseActivityTypeDoesNotExist
	}
	if t.Deprecated {
		return swfapi.ScheduleActivityTaskFailedCauseActivityTypeDeprecated
	}
	for _, open := range m.Activities {
		if open.ActivityID == *a.ActivityId {
			return swfapi.ScheduleActivityTaskFailedCauseActivityIdAlreadyInUse
		}
	}
	if len(m.Activities) >= m.opts.Limits.OpenActivities {
		return swfapi.ScheduleActivityTaskFailedCauseOpenActivitiesLimitExceeded
	}
	if !m.allowed(swfapi.DecisionTypeScheduleActivityTask) {
		return swfapi.ScheduleActivityTaskFailedCauseActivityCreationRateExceeded
	}
	return ""
}

// activityTaskSettings are the task list, timeouts and priority of an
// activity task, each from the decision or else its type's default.
type activityTaskSettings struct {
	taskList, scheduleToClose, scheduleToStart, startToClose, heartbeat, priority *string
}

// activitySettings resolves the settings of the activity task a schedules,
// with its type's defaults cfg; a setting that neither gives is the cause
// of the decision's failure (the priority defaults to 0).
func activitySettings(a *swfapi.ScheduleActivityTaskDecisionAttributes, cfg swfapi.ActivityTypeConfiguration) (activityTaskSettings, swfapi.ScheduleActivityTaskFailedCause) {
	pick := func(v, def *string) *string {
		if v != nil {
			return v
		}
		return def
	}
	s := activityTaskSettings{
		scheduleToClose: pick(a.ScheduleToCloseTimeout, cfg.DefaultTaskScheduleToCloseTimeout),
		scheduleToStart: pick(a.ScheduleToStartTimeout, cfg.DefaultTaskScheduleToStartTimeout),
		startToClose:    pick(a.StartToCloseTimeout, cfg.DefaultTaskStartToCloseTimeout),
		heartbeat:       pick(a.HeartbeatTimeout, cfg.DefaultTaskHeartbeatTimeout),
		priority:        pick(a.TaskPriority, cfg.DefaultTaskPriority),
	}
	if a.TaskList != nil {
		s.taskList = a.TaskList.Name
	} else if cfg.DefaultTaskList != nil {
		s.taskList = cfg.DefaultTaskList.Name
	}
	switch {
	case s.scheduleToClose == nil:
		return s, swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToCloseTimeoutUndefined
	case s.taskList == nil:
		return s, swfapi.ScheduleActivityTaskFailedCauseDefaultTaskListUndefined
	case s.scheduleToStart == nil:
		return s, swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToStartTimeoutUndefined
	case s.startToClose == nil:
		return s, swfapi.ScheduleActivityTaskFailedCauseDefaultStartToCloseTimeoutUndefined
	case s.heartbeat == nil:
		return s, swfapi.ScheduleActivityTaskFailedCauseDefaultHeartbeatTimeoutUndefined
	}
	if s.priority == nil {
		s.priority = swfapi.Ptr("0")
	}
	return s, ""
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

func (m *Machine) startTimer(a *swfapi.StartTimerDecisionAttributes, completedID int64) {
	e := m.Exec
	fail := func(cause swfapi.StartTimerFailedCause) {
		m.record(&swfapi.StartTimerFailedEventAttributes{TimerId: a.TimerId, Cause: cause.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.needDecision()
	}
	if _, ok := e.Timers[*a.TimerId]; ok {
		fail(swfapi.StartTimerFailedCauseTimerIdAlreadyInUse)
		return
	}
	if len(e.Timers) >= m.opts.Limits.OpenTimers {
		fail(swfapi.StartTimerFailedCauseOpenTimersLimitExceeded)
		return
	}
	if !m.allowed(swfapi.DecisionTypeStartTimer) {
		fail(swfapi.StartTimerFailedCauseTimerCreationRateExceeded)
		return
	}
	id := m.record(&swfapi.TimerStartedEventAttributes{
		TimerId: a.TimerId, Control: a.Control, StartToFireTimeout: a.StartToFireTimeout, DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
	})
	if id == 0 {
		return
	}
	e.Timers[*a.TimerId] = &UserTimer{StartedEventID: id, Control: a.Control}
	m.arm(TimerUser, id, ParseTimeout(*a.StartToFireTimeout))
}

func (m *Machine) cancelTimer(a *swfapi.CancelTimerDecisionAttributes, completedID int64) {
	e := m.Exec
	t, ok := e.Timers[*a.TimerId]
	if !ok {
		m.record(&swfapi.CancelTimerFailedEventAttributes{TimerId: a.TimerId, Cause: swfapi.CancelTimerFailedCauseTimerIdUnknown.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.needDecision()
		return
	}
	m.record(&swfapi.TimerCanceledEventAttributes{TimerId: a.TimerId, StartedEventId: swfapi.Ptr(t.StartedEventID), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
	delete(e.Timers, *a.TimerId)
	m.disarm(TimerUser, t.StartedEventID)
}

func (m *Machine) startChild(a *swfapi.StartChildWorkflowExecutionDecisionAttributes, completedID int64, types Types) {
	fail := func(cause swfapi.StartChildWorkflowExecutionFailedCause) {
		m.record(&swfapi.StartChildWorkflowExecutionFailedEventAttributes{
			WorkflowType: a.WorkflowType, Cause: cause.Ptr(), WorkflowId: a.WorkflowId, InitiatedEventId: swfapi.Ptr(int64(0)),
			DecisionTaskCompletedEventId: swfapi.Ptr(completedID), Control: a.Control,
		})
		m.needDecision()
	}
	t := types.WorkflowType(*a.WorkflowType.Name, *a.WorkflowType.Version)
	switch {
	case t == nil:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist)
		return
	case t.Deprecated:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseWorkflowTypeDeprecated)
		return
	case len(m.Exec.Children) >= m.opts.Limits.OpenChildren:
		fail(swfapi.StartChildWorkflowExecutionFailedCauseOpenChildrenLimitExceeded)
		return
	case !m.allowed(swfapi.DecisionTypeStartChildWorkflowExecution):
		fail(swfapi.StartChildWorkflowExecutionFailedCauseChildCreationRateExceeded)
		return
	}
	cfg, missing := ResolveConfig(ConfigRequest{
		ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout, TaskList: a.TaskList, TaskStartToCloseTimeout: a.TaskStartToCloseTimeout,
		ChildPolicy: a.ChildPolicy, TaskPriority: a.TaskPriority, LambdaRole: a.LambdaRole,
	}, swfapi.Deref(t).Workflow)
	if missing != "" {
		fail(map[string]swfapi.StartChildWorkflowExecutionFailedCause{
			"executionStartToCloseTimeout": swfapi.StartChildWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined,
			"taskList":                     swfapi.StartChildWorkflowExecutionFailedCauseDefaultTaskListUndefined,
			"taskStartToCloseTimeout":      swfapi.StartChildWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined,
			"childPolicy":                  swfapi.StartChildWorkflowExecutionFailedCauseDefaultChildPolicyUndefined,
		}[missing])
		return
	}
	m.boundExecution(&cfg)
	id := m.record(&swfapi.StartChildWorkflowExecutionInitiatedEventAttributes{
		WorkflowId: a.WorkflowId, WorkflowType: a.WorkflowType, Control: a.Control, Input: a.Input,
		ExecutionStartToCloseTimeout: swfapi.Ptr(cfg.ExecutionStartToCloseTimeout), TaskList: &swfapi.TaskList{Name: swfapi.Ptr(cfg.TaskList)},
		TaskPriority: swfapi.Ptr(cfg.TaskPriority), DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
		ChildPolicy: swfapi.Ptr(cfg.ChildPolicy), TaskStartToCloseTimeout: swfapi.Ptr(cfg.TaskStartToCloseTimeout),
		TagList: a.TagList, LambdaRole: cfg.LambdaRole,
	})
	if id == 0 {
		return
	}
	m.Exec.Children[id] = &Child{
		WorkflowID: *a.WorkflowId, TypeName: *a.WorkflowType.Name, TypeVersion: *a.WorkflowType.Version,
		Control: a.Control, DecisionTaskCompletedEventID: completedID,
	}
	m.send(&StartChild{
		InitiatedEventID: id, WorkflowID: *a.WorkflowId, TypeName: *a.WorkflowType.Name, TypeVersion: *a.WorkflowType.Version,
		Config: cfg, Input: a.Input, Tags: a.TagList,
	})
}

func (m *Machine) continueAsNew(a swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes, completedID int64, types Types) {
	e := m.Exec
	fail := func(cause swfapi.ContinueAsNewWorkflowExecutionFailedCause) {
		m.record(&swfapi.ContinueAsNewWorkflowExecutionFailedEventAttributes{Cause: cause.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.needDecision()
	}
	if m.decisionNeeded {
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseUnhandledDecision)
		return
	}
	if !m.allowed(swfapi.DecisionTypeContinueAsNewWorkflowExecution) {
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseContinueAsNewWorkflowExecutionRateExceeded)
		return
	}
	version := e.TypeVersion
	if a.WorkflowTypeVersion != nil {
		version = *a.WorkflowTypeVersion
	}
	t := types.WorkflowType(e.TypeName, version)
	switch {
	case t == nil:
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDoesNotExist)
		return
	case t.Deprecated:
		fail(swfapi.ContinueAsNewWorkflowExecutionFailedCauseWorkflowTypeDeprecated)
		return
	}
	cfg, missing := ResolveConfig(ConfigRequest{
		ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout, TaskList: a.TaskList, TaskStartToCloseTimeout: a.TaskStartToCloseTimeout,
		ChildPolicy: a.ChildPolicy, TaskPriority: a.TaskPriority, LambdaRole: a.LambdaRole,
	}, swfapi.Deref(t).Workflow)
	if missing != "" {
		fail(map[string]swfapi.ContinueAsNewWorkflowExecutionFailedCause{
			"executionStartToCloseTimeout": swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultExecutionStartToCloseTimeoutUndefined,
			"taskList":                     swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskListUndefined,
			"taskStartToCloseTimeout":      swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultTaskStartToCloseTimeoutUndefined,
			"childPolicy":                  swfapi.ContinueAsNewWorkflowExecutionFailedCauseDefaultChildPolicyUndefined,
		}[missing])
		return
	}
	m.boundExecution(&cfg)
	runID := m.opts.RunIDs.Next()
	m.record(&swfapi.WorkflowExecutionContinuedAsNewEventAttributes{
		Input: a.Input, DecisionTaskCompletedEventId: swfapi.Ptr(completedID), NewExecutionRunId: swfapi.Ptr(runID),
		ExecutionStartToCloseTimeout: swfapi.Ptr(cfg.ExecutionStartToCloseTimeout), TaskList: &swfapi.TaskList{Name: swfapi.Ptr(cfg.TaskList)},
		TaskPriority: swfapi.Ptr(cfg.TaskPriority), TaskStartToCloseTimeout: swfapi.Ptr(cfg.TaskStartToCloseTimeout),
		ChildPolicy: swfapi.Ptr(cfg.ChildPolicy), TagList: a.TagList,
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(e.TypeName), Version: swfapi.Ptr(version)}, LambdaRole: cfg.LambdaRole,
	})
	m.send(&ContinueAsNew{
		RunID: runID, WorkflowID: e.WorkflowID, TypeName: e.TypeName, TypeVersion: version, Config: cfg,
		Input: a.Input, Tags: a.TagList, Parent: e.Parent, PreviousRunID: e.RunID,
	})
	m.close(swfapi.CloseStatusContinuedAsNew, nil, nil)
}

// boundExecution gives a run asked to last without limit (NONE, which a
// child and a continuation may ask for) the longest a run may last, as a
// number of seconds in its history: Amazon SWF times out every execution
// after a year at the most.
func (m *Machine) boundExecution(cfg *Config) {
	if cfg.ExecutionStartToCloseTimeout == "NONE" {
		cfg.ExecutionStartToCloseTimeout = strconv.FormatInt(m.opts.Limits.MaxExecutionSeconds, 10)
	}
}

func (m *Machine) scheduleLambda(a *swfapi.ScheduleLambdaFunctionDecisionAttributes, completedID int64) {
	e := m.Exec
	fail := func(cause swfapi.ScheduleLambdaFunctionFailedCause) {
		m.record(&swfapi.ScheduleLambdaFunctionFailedEventAttributes{Id: a.Id, Name: a.Name, Cause: cause.Ptr(), DecisionTaskCompletedEventId: swfapi.Ptr(completedID)})
		m.needDecision()
	}
	if !m.opts.LambdaAvailable {
		fail(swfapi.ScheduleLambdaFunctionFailedCauseLambdaServiceNotAvailableInRegion)
		return
	}
	for _, l := range e.Lambdas {
		if l.ID == *a.Id {
			fail(swfapi.ScheduleLambdaFunctionFailedCauseIdAlreadyInUse)
			return
		}
	}
	if len(e.Lambdas) >= m.opts.Limits.OpenLambdas {
		fail(swfapi.ScheduleLambdaFunctionFailedCauseOpenLambdaFunctionsLimitExceeded)
		return
	}
	if !m.allowed(swfapi.DecisionTypeScheduleLambdaFunction) {
		fail(swfapi.ScheduleLambdaFunctionFailedCauseLambdaFunctionCreationRateExceeded)
		return
	}
	timeout := strconv.Itoa(maxLambdaSeconds)
	if a.StartToCloseTimeout != nil {
		timeout = *a.StartToCloseTimeout
	}
	id := m.record(&swfapi.LambdaFunctionScheduledEventAttributes{
		Id: a.Id, Name: a.Name, Control: a.Control, Input: a.Input, StartToCloseTimeout: swfapi.Ptr(timeout),
		DecisionTaskCompletedEventId: swfapi.Ptr(completedID),
	})
	if id == 0 {
		return
	}
	e.Lambdas[id] = &Lambda{ID: *a.Id, Name: *a.Name, Input: a.Input, StartToClose: ParseTimeout(timeout)}
	m.queue(Task{Kind: LambdaTaskKind, ScheduledEventID: id})
}
