package workflow

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// ErrStale means the task or run that a call names is no longer there to
// act on: completed, timed out, or its run closed. The API answers it with
// UnknownResourceFault.
var ErrStale = errors.New("the task or execution is no longer open")

// Limits are the per-run quotas; the defaults are Amazon SWF's.
type Limits struct {
	// OpenActivities bounds the activity tasks open at once in one run.
	OpenActivities int
}

// DefaultLimits are Amazon SWF's per-run quotas.
var DefaultLimits = Limits{OpenActivities: 1000}

// Options are the facts about a run's surroundings that transitions need.
type Options struct {
	Limits Limits
	// Retention is how long a closed run stays visible (the domain's
	// retention period); 0 purges it as soon as it closes.
	Retention time.Duration
}

// Effects is what a transition needs done besides the new state of the run.
type Effects struct {
	// Events to append to the run's history, in order.
	Events []swfapi.HistoryEvent
	// PutActivities are new or changed open activities; DeleteActivities
	// the scheduled event ids of activities that closed.
	PutActivities    []*Activity
	DeleteActivities []int64
	// AddTasks go on task lists for pollers; DeleteTasks come off them.
	// A task both queued and dropped by one transition is only dropped.
	AddTasks    []Task
	DeleteTasks []TaskRef
	// AddTimers are durable deadlines to arm (replacing one of the same
	// kind and ref); DeleteTimers are disarmed. Only the last of several
	// changes to one timer in a transition counts.
	AddTimers    []Timer
	DeleteTimers []TimerRef
	// Closed: the run closed in this transition; every task, timer and
	// activity it still had is dropped (AddTimers may hold its retention).
	Closed bool
}

// Machine applies transitions to one run. It is made for a single
// transition: load the state, call one method, write State and Effects.
type Machine struct {
	Exec       *Execution
	Activities map[int64]*Activity
	now        time.Time
	opts       Options
	effects    Effects
	changed    map[int64]bool
	// tasks and timers hold the net change to each task and timer the
	// transitions touched: a value to write, or nil to remove.
	tasks  map[TaskRef]*Task
	timers map[TimerRef]*time.Time

	// completing is set while the decisions of a decision task are being
	// applied; events that call for a decision then only set
	// decisionNeeded, and one decision task is scheduled at the end.
	completing     bool
	decisionNeeded bool
}

// New returns a machine for the run exec with its open activities.
func New(exec *Execution, activities []*Activity, now time.Time, opts Options) *Machine {
	m := &Machine{
		Exec: exec, Activities: map[int64]*Activity{}, now: now.UTC().Truncate(time.Millisecond), opts: opts,
		changed: map[int64]bool{}, tasks: map[TaskRef]*Task{}, timers: map[TimerRef]*time.Time{},
	}
	for _, a := range activities {
		m.Activities[a.ScheduledEventID] = a
	}
	if m.opts.Limits.OpenActivities == 0 {
		m.opts.Limits.OpenActivities = DefaultLimits.OpenActivities
	}
	return m
}

// Effects returns what the transitions applied so far need done.
func (m *Machine) Effects() Effects {
	e := m.effects
	for _, id := range slices.Sorted(maps.Keys(m.changed)) {
		if a, ok := m.Activities[id]; ok {
			e.PutActivities = append(e.PutActivities, a)
		}
	}
	for ref, t := range m.tasks {
		if t == nil {
			e.DeleteTasks = append(e.DeleteTasks, ref)
		} else {
			e.AddTasks = append(e.AddTasks, *t)
		}
	}
	slices.SortFunc(e.AddTasks, func(a, b Task) int { return cmp.Compare(a.ScheduledEventID, b.ScheduledEventID) })
	slices.SortFunc(e.DeleteTasks, func(a, b TaskRef) int { return cmp.Compare(a.ScheduledEventID, b.ScheduledEventID) })
	for ref, due := range m.timers {
		if due == nil {
			e.DeleteTimers = append(e.DeleteTimers, ref)
		} else {
			e.AddTimers = append(e.AddTimers, Timer{Kind: ref.Kind, Ref: ref.Ref, Due: *due})
		}
	}
	slices.SortFunc(e.AddTimers, func(a, b Timer) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ref, b.Ref))
	})
	slices.SortFunc(e.DeleteTimers, func(a, b TimerRef) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ref, b.Ref))
	})
	return e
}

// queue puts a task on its list.
func (m *Machine) queue(t Task) {
	m.tasks[TaskRef{Kind: t.Kind, ScheduledEventID: t.ScheduledEventID}] = &t
}

// unqueue takes a task off its list.
func (m *Machine) unqueue(kind TaskKind, scheduledEventID int64) {
	m.tasks[TaskRef{Kind: kind, ScheduledEventID: scheduledEventID}] = nil
}

// record appends an event with the given attributes and returns its id.
func (m *Machine) record(attrs any) int64 {
	if m.Exec.NextEventID == 0 {
		m.Exec.NextEventID = 1
	}
	id := m.Exec.NextEventID
	m.Exec.NextEventID++
	ev := swfapi.HistoryEvent{EventId: swfapi.Ptr(id), EventTimestamp: swfapi.At(m.now)}
	ev.SetAttributes(attrs)
	m.effects.Events = append(m.effects.Events, ev)
	return id
}

// arm sets a durable timer to fall due after the timeout; None arms none.
func (m *Machine) arm(kind TimerKind, ref int64, after Timeout) {
	if after == None {
		return
	}
	m.armAt(kind, ref, m.now.Add(after.Duration()))
}

func (m *Machine) armAt(kind TimerKind, ref int64, due time.Time) {
	m.timers[TimerRef{Kind: kind, Ref: ref}] = &due
}

func (m *Machine) disarm(kind TimerKind, ref int64) {
	m.timers[TimerRef{Kind: kind, Ref: ref}] = nil
}

// needDecision is called after recording an event that the decider must
// see: it schedules a decision task unless one is already scheduled, or
// marks the started one as having missed the event.
func (m *Machine) needDecision() {
	if !m.Exec.Open {
		return
	}
	if m.completing {
		m.decisionNeeded = true
		return
	}
	switch m.Exec.Decision.State {
	case DecisionNone:
		m.scheduleDecision()
	case DecisionStarted:
		m.Exec.Decision.Unhandled = true
	}
}

// scheduleDecision puts a new decision task on the run's task list (or on
// the temporary override list, with its schedule-to-start timeout).
func (m *Machine) scheduleDecision() {
	e := m.Exec
	list := e.Config.TaskList
	attrs := &swfapi.DecisionTaskScheduledEventAttributes{
		TaskList:            &swfapi.TaskList{Name: swfapi.Ptr(list)},
		TaskPriority:        swfapi.Ptr(e.Config.TaskPriority),
		StartToCloseTimeout: swfapi.Ptr(e.Config.TaskStartToCloseTimeout),
	}
	if e.Override != nil {
		list = e.Override.TaskList
		attrs.TaskList.Name = swfapi.Ptr(list)
		attrs.ScheduleToStartTimeout = swfapi.Ptr(e.Override.ScheduleToStart.String())
	}
	id := m.record(attrs)
	e.Decision = DecisionTask{State: DecisionScheduled, ScheduledEventID: id, TaskList: list, OnOverride: e.Override != nil}
	prio, _ := swfapi.ParsePriority(e.Config.TaskPriority)
	m.queue(Task{Kind: DecisionTaskKind, TaskList: list, Priority: prio, ScheduledEventID: id})
	if e.Override != nil {
		m.arm(TimerDecisionScheduleToStart, id, e.Override.ScheduleToStart)
	}
}

// close ends the run with status; every open task and timer goes with it.
func (m *Machine) close(status swfapi.CloseStatus) {
	e := m.Exec
	e.Open = false
	e.CloseStatus = status
	e.ClosedAt = m.now
	e.Decision = DecisionTask{}
	for id := range m.Activities {
		m.effects.DeleteActivities = append(m.effects.DeleteActivities, id)
	}
	slices.Sort(m.effects.DeleteActivities)
	clear(m.Activities)
	m.effects.Closed = true
	// Every task and timer of the run goes; only the purge is armed.
	clear(m.tasks)
	clear(m.timers)
	m.armAt(TimerRetention, 0, m.now.Add(m.opts.Retention))
}

// Start records the first events of a new run: WorkflowExecutionStarted
// and the first DecisionTaskScheduled, and arms the run's timeout.
func (m *Machine) Start(attrs *swfapi.WorkflowExecutionStartedEventAttributes) {
	e := m.Exec
	e.Open = true
	e.StartedAt = m.now
	e.NextEventID = 1
	m.record(attrs)
	m.arm(TimerExecutionTimeout, 0, ParseTimeout(e.Config.ExecutionStartToCloseTimeout))
	m.scheduleDecision()
}

// Signal records a signal and asks for a decision.
func (m *Machine) Signal(attrs *swfapi.WorkflowExecutionSignaledEventAttributes) error {
	if !m.Exec.Open {
		return ErrStale
	}
	m.record(attrs)
	m.needDecision()
	return nil
}

// RequestCancel records a request to cancel the run and asks for a
// decision; the decider decides what to do about it.
func (m *Machine) RequestCancel(attrs *swfapi.WorkflowExecutionCancelRequestedEventAttributes) error {
	if !m.Exec.Open {
		return ErrStale
	}
	m.record(attrs)
	m.Exec.CancelRequested = true
	m.needDecision()
	return nil
}

// Terminate closes the run at once as TERMINATED. A nil childPolicy means
// the run's own.
func (m *Machine) Terminate(reason, details *string, childPolicy *swfapi.ChildPolicy, cause *swfapi.WorkflowExecutionTerminatedCause) error {
	if !m.Exec.Open {
		return ErrStale
	}
	if childPolicy == nil {
		childPolicy = &m.Exec.Config.ChildPolicy
	}
	m.record(&swfapi.WorkflowExecutionTerminatedEventAttributes{Reason: reason, Details: details, ChildPolicy: childPolicy, Cause: cause})
	m.close(swfapi.CloseStatusTerminated)
	return nil
}

// StartDecisionTask hands the scheduled decision task to a decider and
// returns the id of its DecisionTaskStarted event.
func (m *Machine) StartDecisionTask(scheduledEventID int64, identity *string) (int64, error) {
	e := m.Exec
	if !e.Open || e.Decision.State != DecisionScheduled || e.Decision.ScheduledEventID != scheduledEventID {
		return 0, ErrStale
	}
	id := m.record(&swfapi.DecisionTaskStartedEventAttributes{Identity: identity, ScheduledEventId: swfapi.Ptr(scheduledEventID)})
	e.Decision.State = DecisionStarted
	e.Decision.StartedEventID = id
	e.Decision.Unhandled = false
	if e.Decision.OnOverride {
		m.disarm(TimerDecisionScheduleToStart, scheduledEventID)
	}
	m.arm(TimerDecisionStartToClose, id, ParseTimeout(e.Config.TaskStartToCloseTimeout))
	return id, nil
}

// StartActivityTask hands a scheduled activity task to a worker and
// returns the id of its ActivityTaskStarted event.
func (m *Machine) StartActivityTask(scheduledEventID int64, identity *string) (int64, error) {
	a, ok := m.Activities[scheduledEventID]
	if !m.Exec.Open || !ok || a.Started() {
		return 0, ErrStale
	}
	id := m.record(&swfapi.ActivityTaskStartedEventAttributes{Identity: identity, ScheduledEventId: swfapi.Ptr(scheduledEventID)})
	a.StartedEventID = id
	a.StartedAt = m.now
	m.changed[a.ScheduledEventID] = true
	m.disarm(TimerActivityScheduleToStart, scheduledEventID)
	m.arm(TimerActivityStartToClose, scheduledEventID, a.StartToClose)
	m.arm(TimerActivityHeartbeat, scheduledEventID, a.Heartbeat)
	return id, nil
}

// startedActivity finds the started activity a worker's token names.
func (m *Machine) startedActivity(scheduledEventID, startedEventID int64) (*Activity, error) {
	a, ok := m.Activities[scheduledEventID]
	if !m.Exec.Open || !ok || a.StartedEventID != startedEventID || startedEventID == 0 {
		return nil, ErrStale
	}
	return a, nil
}

// closeActivity drops an activity that has ended, with its timers and, if
// it never started, its place on the task list.
func (m *Machine) closeActivity(a *Activity) {
	id := a.ScheduledEventID
	delete(m.Activities, id)
	delete(m.changed, id)
	m.effects.DeleteActivities = append(m.effects.DeleteActivities, id)
	if !a.Started() {
		m.unqueue(ActivityTaskKind, id)
		m.disarm(TimerActivityScheduleToStart, id)
	} else {
		m.disarm(TimerActivityStartToClose, id)
		m.disarm(TimerActivityHeartbeat, id)
	}
	m.disarm(TimerActivityScheduleToClose, id)
}

// CompleteActivityTask records the result a worker reported.
func (m *Machine) CompleteActivityTask(scheduledEventID, startedEventID int64, result *string) error {
	a, err := m.startedActivity(scheduledEventID, startedEventID)
	if err != nil {
		return err
	}
	m.record(&swfapi.ActivityTaskCompletedEventAttributes{Result: result, ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID)})
	m.closeActivity(a)
	m.needDecision()
	return nil
}

// FailActivityTask records the failure a worker reported.
func (m *Machine) FailActivityTask(scheduledEventID, startedEventID int64, reason, details *string) error {
	a, err := m.startedActivity(scheduledEventID, startedEventID)
	if err != nil {
		return err
	}
	m.record(&swfapi.ActivityTaskFailedEventAttributes{Reason: reason, Details: details, ScheduledEventId: swfapi.Ptr(scheduledEventID), StartedEventId: swfapi.Ptr(startedEventID)})
	m.closeActivity(a)
	m.needDecision()
	return nil
}

// CancelActivityTask records that a worker gave up a task, normally after
// a heartbeat told it that cancellation was requested.
func (m *Machine) CancelActivityTask(scheduledEventID, startedEventID int64, details *string) error {
	a, err := m.startedActivity(scheduledEventID, startedEventID)
	if err != nil {
		return err
	}
	m.recordActivityCanceled(a, details)
	return nil
}

func (m *Machine) recordActivityCanceled(a *Activity, details *string) {
	attrs := &swfapi.ActivityTaskCanceledEventAttributes{Details: details, ScheduledEventId: swfapi.Ptr(a.ScheduledEventID), StartedEventId: swfapi.Ptr(a.StartedEventID)}
	if a.LatestCancelRequestedEventID != 0 {
		attrs.LatestCancelRequestedEventId = swfapi.Ptr(a.LatestCancelRequestedEventID)
	}
	m.record(attrs)
	m.closeActivity(a)
	m.needDecision()
}

// FireTimer acts on a durable timer that fell due. A timer whose task or
// run has moved on does nothing.
func (m *Machine) FireTimer(t TimerRef) {
	e := m.Exec
	if !e.Open {
		return
	}
	switch t.Kind {
	case TimerExecutionTimeout:
		m.record(&swfapi.WorkflowExecutionTimedOutEventAttributes{
			TimeoutType: swfapi.WorkflowExecutionTimeoutTypeStartToClose.Ptr(),
			ChildPolicy: swfapi.Ptr(e.Config.ChildPolicy),
		})
		m.close(swfapi.CloseStatusTimedOut)

	case TimerDecisionStartToClose:
		if e.Decision.State != DecisionStarted || e.Decision.StartedEventID != t.Ref {
			return
		}
		m.record(&swfapi.DecisionTaskTimedOutEventAttributes{
			TimeoutType:      swfapi.DecisionTaskTimeoutTypeStartToClose.Ptr(),
			ScheduledEventId: swfapi.Ptr(e.Decision.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(e.Decision.StartedEventID),
		})
		if e.Decision.OnOverride {
			e.Override = nil
		}
		e.Decision = DecisionTask{}
		m.scheduleDecision()

	case TimerDecisionScheduleToStart:
		if e.Decision.State != DecisionScheduled || e.Decision.ScheduledEventID != t.Ref {
			return
		}
		m.record(&swfapi.DecisionTaskTimedOutEventAttributes{
			TimeoutType:      swfapi.DecisionTaskTimeoutTypeScheduleToStart.Ptr(),
			ScheduledEventId: swfapi.Ptr(t.Ref),
			StartedEventId:   swfapi.Ptr(int64(0)),
		})
		m.unqueue(DecisionTaskKind, t.Ref)
		e.Override = nil
		e.Decision = DecisionTask{}
		m.scheduleDecision()

	case TimerActivityScheduleToStart, TimerActivityScheduleToClose, TimerActivityStartToClose, TimerActivityHeartbeat:
		a, ok := m.Activities[t.Ref]
		if !ok {
			return
		}
		var timeout swfapi.ActivityTaskTimeoutType
		switch t.Kind {
		case TimerActivityScheduleToStart:
			if a.Started() {
				return
			}
			timeout = swfapi.ActivityTaskTimeoutTypeScheduleToStart
		case TimerActivityScheduleToClose:
			timeout = swfapi.ActivityTaskTimeoutTypeScheduleToClose
		case TimerActivityStartToClose:
			if !a.Started() {
				return
			}
			timeout = swfapi.ActivityTaskTimeoutTypeStartToClose
		case TimerActivityHeartbeat:
			if !a.Started() {
				return
			}
			// Heartbeats do not move the timer; it checks, when it falls
			// due, whether one came since, and if so waits again.
			last := a.StartedAt
			if a.LastHeartbeat != nil && a.LastHeartbeat.After(last) {
				last = *a.LastHeartbeat
			}
			if deadline := last.Add(a.Heartbeat.Duration()); deadline.After(m.now) {
				m.armAt(TimerActivityHeartbeat, t.Ref, deadline)
				return
			}
			timeout = swfapi.ActivityTaskTimeoutTypeHeartbeat
		}
		m.record(&swfapi.ActivityTaskTimedOutEventAttributes{
			TimeoutType:      timeout.Ptr(),
			ScheduledEventId: swfapi.Ptr(a.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(a.StartedEventID),
			Details:          a.HeartbeatDetails,
		})
		m.closeActivity(a)
		m.needDecision()
	}
}
