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
	// OpenTimers bounds the timers open at once in one run.
	OpenTimers int
	// OpenChildren bounds the child executions open at once in one run.
	OpenChildren int
	// OpenLambdas bounds the Lambda tasks open at once in one run.
	OpenLambdas int
	// HistoryEvents bounds a run's history; the run is terminated
	// (EVENT_LIMIT_EXCEEDED) rather than grow past it.
	HistoryEvents int64
	// MaxExecutionSeconds bounds a run's start-to-close timeout.
	MaxExecutionSeconds int64
}

// DefaultLimits are Amazon SWF's per-run quotas.
var DefaultLimits = Limits{
	OpenActivities:      1000,
	OpenTimers:          1000,
	OpenChildren:        1000,
	OpenLambdas:         1000,
	HistoryEvents:       25000,
	MaxExecutionSeconds: 365 * 24 * 60 * 60,
}

// withDefaults fills the zero fields of l with SWF's values.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	l.OpenActivities = cmp.Or(l.OpenActivities, d.OpenActivities)
	l.OpenTimers = cmp.Or(l.OpenTimers, d.OpenTimers)
	l.OpenChildren = cmp.Or(l.OpenChildren, d.OpenChildren)
	l.OpenLambdas = cmp.Or(l.OpenLambdas, d.OpenLambdas)
	l.HistoryEvents = cmp.Or(l.HistoryEvents, d.HistoryEvents)
	l.MaxExecutionSeconds = cmp.Or(l.MaxExecutionSeconds, d.MaxExecutionSeconds)
	return l
}

// Options are the facts about a run's surroundings that transitions need.
// The engine settles them before a write runs (the decision rates' answers
// reserved, the seed of the runIds drawn), so that a transition is a
// function of the run's state, its input, the time and these facts: an
// attempt of a write that the store runs again decides what the first one
// did.
type Options struct {
	Limits Limits
	// Retention is how long a closed run stays visible (the domain's
	// retention period); 0 purges it as soon as it closes.
	Retention time.Duration
	// RunIDs hands out the runId of a run that continues this one: the
	// supply of the write the transition is part of, the same on every
	// attempt of it.
	RunIDs *RunIDs
	// LambdaAvailable says whether the server can invoke Lambda functions.
	LambdaAvailable bool
	// Rates limits how often decisions that create things may be made
	// (SWF's decision throttles); nil limits nothing.
	Rates RateLimiter
}

// RateLimiter says whether a decision of a type may go ahead at a time.
type RateLimiter interface {
	Allow(decisionType string, now time.Time) bool
}

// allowed reports whether the rate limits let a decision of type t go ahead.
func (m *Machine) allowed(t swfapi.DecisionType) bool {
	return m.opts.Rates == nil || m.opts.Rates.Allow(string(t), m.now)
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
	// Outbound is work for other runs, in the order it arose.
	Outbound []Outbound
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
	// permit decides which decisions the decider may make while they are
	// applied.
	permit Permit
	// full is set once the run was terminated for its history's size:
	// nothing more is recorded.
	full bool
	// outbound is the work for other runs not yet taken by the engine.
	outbound []Outbound
}

// New returns a machine for the run exec with its open activities. Its
// transitions happen at now (to the millisecond), or at the time of the
// run's last event if that is later: a history never goes back in time,
// though the engine reads the time before it waits for the run (a write
// reads it once, as it begins) and servers sharing a store have clocks of
// their own.
func New(exec *Execution, activities []*Activity, now time.Time, opts Options) *Machine {
	now = now.UTC().Truncate(time.Millisecond)
	if now.Before(exec.LastEventAt) {
		now = exec.LastEventAt
	}
	m := &Machine{
		Exec: exec, Activities: map[int64]*Activity{}, now: now, opts: opts,
		changed: map[int64]bool{}, tasks: map[TaskRef]*Task{}, timers: map[TimerRef]*time.Time{},
	}
	for _, a := range activities {
		m.Activities[a.ScheduledEventID] = a
	}
	m.opts.Limits = m.opts.Limits.withDefaults()
	if exec.Timers == nil {
		exec.Timers = map[string]*UserTimer{}
	}
	if exec.Children == nil {
		exec.Children = map[int64]*Child{}
	}
	if exec.Lambdas == nil {
		exec.Lambdas = map[int64]*Lambda{}
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
	if !m.Exec.Open {
		// A closed run keeps nothing but the timer that purges it.
		e.PutActivities, e.AddTasks = nil, nil
		e.AddTimers = slices.DeleteFunc(e.AddTimers, func(t Timer) bool { return t.Kind != TimerRetention })
	}
	return e
}

// TakeOutbound returns the work for other runs that transitions left since
// the last call; the engine carries it out and reports back.
func (m *Machine) TakeOutbound() []Outbound {
	out := m.outbound
	m.outbound = nil
	m.effects.Outbound = append(m.effects.Outbound, out...)
	return out
}

func (m *Machine) send(o Outbound) { m.outbound = append(m.outbound, o) }

// queue puts a task on its list.
func (m *Machine) queue(t Task) {
	if !m.Exec.Open {
		return
	}
	m.tasks[TaskRef{Kind: t.Kind, ScheduledEventID: t.ScheduledEventID}] = &t
}

// unqueue takes a task off its list.
func (m *Machine) unqueue(kind TaskKind, scheduledEventID int64) {
	m.tasks[TaskRef{Kind: kind, ScheduledEventID: scheduledEventID}] = nil
}

// closingEvents end a run; one may take the last place in a full history.
func closingEvent(attrs any) bool {
	switch attrs.(type) {
	case *swfapi.WorkflowExecutionCompletedEventAttributes, *swfapi.WorkflowExecutionFailedEventAttributes,
		*swfapi.WorkflowExecutionCanceledEventAttributes, *swfapi.WorkflowExecutionContinuedAsNewEventAttributes,
		*swfapi.WorkflowExecutionTimedOutEventAttributes, *swfapi.WorkflowExecutionTerminatedEventAttributes:
		return true
	}
	return false
}

// record appends an event with the given attributes and returns its id.
// The last place a history has is kept for the event that closes the run:
// an event that would take it terminates the run instead
// (EVENT_LIMIT_EXCEEDED), and returns 0, as does anything recorded after.
func (m *Machine) record(attrs any) int64 {
	if m.full {
		return 0
	}
	if m.Exec.NextEventID == 0 {
		m.Exec.NextEventID = 1
	}
	if m.Exec.Open && m.Exec.NextEventID >= m.opts.Limits.HistoryEvents && !closingEvent(attrs) {
		m.terminate(nil, nil, nil, swfapi.WorkflowExecutionTerminatedCauseEventLimitExceeded.Ptr())
		m.full = true
		return 0
	}
	id := m.Exec.NextEventID
	m.Exec.NextEventID++
	ev := swfapi.HistoryEvent{EventId: swfapi.Ptr(id), EventTimestamp: swfapi.At(m.now)}
	ev.SetAttributes(attrs)
	m.effects.Events = append(m.effects.Events, ev)
	m.Exec.LastEventAt = m.now
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
	if id == 0 {
		return
	}
	e.Decision = DecisionTask{State: DecisionScheduled, ScheduledEventID: id, TaskList: list, OnOverride: e.Override != nil}
	prio, _ := swfapi.ParsePriority(e.Config.TaskPriority)
	m.queue(Task{Kind: DecisionTaskKind, TaskList: list, Priority: prio, ScheduledEventID: id})
	if e.Override != nil {
		m.arm(TimerDecisionScheduleToStart, id, e.Override.ScheduleToStart)
	}
}

// close ends the run with status; every open task and timer goes with it.
// A non-nil policy is applied to the children still open: SWF applies the
// child policy only when a run is terminated or times out, so a run that
// completes, fails, is canceled or continues as new passes nil and its
// children keep running. The parent, if any, hears how its child closed
// (unless it continued as new: then the new run carries the link on).
func (m *Machine) close(status swfapi.CloseStatus, policy *swfapi.ChildPolicy, notice *NotifyParent) {
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
	var children []*swfapi.WorkflowExecution
	seen := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(e.Children)) {
		// A child the closing decisions initiated has no run yet; the
		// policy finds it by workflowId once the engine has started it.
		if c := e.Children[id]; !seen[c.WorkflowID] {
			seen[c.WorkflowID] = true
			children = append(children, &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(c.WorkflowID), RunId: swfapi.Ptr(c.RunID)})
		}
	}
	if len(children) > 0 && policy != nil && *policy != swfapi.ChildPolicyAbandon {
		m.send(&ApplyChildPolicy{Policy: *policy, Children: children})
	}
	if e.Parent != nil && notice != nil {
		notice.Parent = *e.Parent
		notice.Child = e.Ref()
		m.send(notice)
	}
	clear(e.Timers)
	clear(e.Children)
	clear(e.Lambdas)
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
	m.terminate(reason, details, childPolicy, cause)
	return nil
}

func (m *Machine) terminate(reason, details *string, childPolicy *swfapi.ChildPolicy, cause *swfapi.WorkflowExecutionTerminatedCause) {
	if childPolicy == nil {
		childPolicy = &m.Exec.Config.ChildPolicy
	}
	m.record(&swfapi.WorkflowExecutionTerminatedEventAttributes{Reason: reason, Details: details, ChildPolicy: childPolicy, Cause: cause})
	m.close(swfapi.CloseStatusTerminated, childPolicy, &NotifyParent{Status: swfapi.CloseStatusTerminated})
}

// StartDecisionTask hands the scheduled decision task to a decider and
// returns the id of its DecisionTaskStarted event.
func (m *Machine) StartDecisionTask(scheduledEventID int64, identity *string) (int64, error) {
	e := m.Exec
	if !e.Open || e.Decision.State != DecisionScheduled || e.Decision.ScheduledEventID != scheduledEventID {
		return 0, ErrStale
	}
	id := m.record(&swfapi.DecisionTaskStartedEventAttributes{Identity: identity, ScheduledEventId: swfapi.Ptr(scheduledEventID)})
	if id == 0 {
		return 0, ErrStale
	}
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
	if id == 0 {
		return 0, ErrStale
	}
	a.StartedEventID = id
	a.StartedAt = m.now
	m.changed[a.ScheduledEventID] = true
	m.armActivity(a)
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
	}
	m.disarm(TimerActivity, id)
}

// armActivity sets the activity's timer to its next deadline.
func (m *Machine) armActivity(a *Activity) {
	if at, _, ok := a.deadline(); ok {
		m.armAt(TimerActivity, a.ScheduledEventID, at)
	} else {
		m.disarm(TimerActivity, a.ScheduledEventID)
	}
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
		m.close(swfapi.CloseStatusTimedOut, &e.Config.ChildPolicy, &NotifyParent{Status: swfapi.CloseStatusTimedOut})

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

	case TimerActivity:
		a, ok := m.Activities[t.Ref]
		if !ok {
			return
		}
		at, timeout, ok := a.deadline()
		if !ok {
			return
		}
		if at.After(m.now) {
			// A heartbeat moved the deadline: wait again.
			m.armAt(TimerActivity, t.Ref, at)
			return
		}
		m.record(&swfapi.ActivityTaskTimedOutEventAttributes{
			TimeoutType:      timeout.Ptr(),
			ScheduledEventId: swfapi.Ptr(a.ScheduledEventID),
			StartedEventId:   swfapi.Ptr(a.StartedEventID),
			Details:          a.HeartbeatDetails,
		})
		m.closeActivity(a)
		m.needDecision()

	case TimerUser:
		for id, tm := range e.Timers {
			if tm.StartedEventID == t.Ref {
				m.record(&swfapi.TimerFiredEventAttributes{TimerId: swfapi.Ptr(id), StartedEventId: swfapi.Ptr(t.Ref)})
				delete(e.Timers, id)
				m.needDecision()
				return
			}
		}

	case TimerLambdaStartToClose:
		l, ok := e.Lambdas[t.Ref]
		if !ok || l.StartedEventID == 0 {
			return
		}
		m.record(&swfapi.LambdaFunctionTimedOutEventAttributes{
			ScheduledEventId: swfapi.Ptr(t.Ref), StartedEventId: swfapi.Ptr(l.StartedEventID),
			TimeoutType: swfapi.LambdaFunctionTimeoutTypeStartToClose.Ptr(),
		})
		m.closeLambda(t.Ref)
	}
}
