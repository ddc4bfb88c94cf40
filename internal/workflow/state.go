// Package workflow is the state machine of an SWF workflow execution, with
// no I/O: a transition takes the state of one run, an input, the time and
// the facts the engine settled before its write (Options: limits, reserved
// rates, the write's runIds), changes the state and says what else must
// happen (history events, tasks to queue, timers to arm) — the same from
// the same inputs, however often a store runs the write. The engine loads
// the state through the codec here (codec.go), runs a transition and
// writes its effects in one transaction.
//
// Everything here follows SWF-API.md §5–§10; the tests are plain table tests.
package workflow

import (
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Timeout is a duration in whole seconds as SWF gives them, or None.
type Timeout int64

// None is the "NONE" timeout: no limit.
const None Timeout = -1

// ParseTimeout reads a validated duration string ("300" or "NONE").
func ParseTimeout(s string) Timeout {
	n, none, ok := swfapi.ParseDuration(s)
	if none || !ok {
		return None
	}
	return Timeout(n)
}

// String writes the timeout as SWF does.
func (t Timeout) String() string {
	if t == None {
		return "NONE"
	}
	return strconv.FormatInt(int64(t), 10)
}

// Duration is the timeout as a time.Duration (meaningless for None).
func (t Timeout) Duration() time.Duration { return time.Duration(t) * time.Second }

// Config is the resolved configuration of a run.
type Config struct {
	TaskList                     string             `json:"taskList"`
	TaskPriority                 string             `json:"taskPriority"`
	TaskStartToCloseTimeout      string             `json:"taskStartToCloseTimeout"`
	ExecutionStartToCloseTimeout string             `json:"executionStartToCloseTimeout"`
	ChildPolicy                  swfapi.ChildPolicy `json:"childPolicy"`
	LambdaRole                   *string            `json:"lambdaRole,omitempty"`
}

// DecisionState is where the run's decision task is.
type DecisionState uint8

// The states of a run's decision task: at most one is scheduled or started.
const (
	DecisionNone DecisionState = iota
	DecisionScheduled
	DecisionStarted
)

// DecisionTask is the run's current decision task, if any.
type DecisionTask struct {
	State            DecisionState `json:"state"`
	ScheduledEventID int64         `json:"scheduledEventId,omitempty"`
	StartedEventID   int64         `json:"startedEventId,omitempty"`
	TaskList         string        `json:"taskList,omitempty"`
	// OnOverride: scheduled on a temporary override task list, whose
	// schedule-to-start timeout reverts to the run's own list.
	OnOverride bool `json:"onOverride,omitempty"`
	// Unhandled: an event that calls for a decision arrived after the task
	// started, so the decider has not seen it.
	Unhandled bool `json:"unhandled,omitempty"`
}

// TaskListOverride is a temporary decision task list set by
// RespondDecisionTaskCompleted with taskListScheduleToStartTimeout.
type TaskListOverride struct {
	TaskList        string  `json:"taskList"`
	ScheduleToStart Timeout `json:"scheduleToStart"`
}

// Parent links a child run to the run that started it.
type Parent struct {
	WorkflowID       string `json:"workflowId"`
	RunID            string `json:"runId"`
	InitiatedEventID int64  `json:"initiatedEventId"`
}

// Execution is one run of a workflow.
type Execution struct {
	ID          int64  `json:"-"`
	DomainID    int64  `json:"-"`
	WorkflowID  string `json:"-"`
	RunID       string `json:"-"`
	TypeName    string `json:"-"`
	TypeVersion string `json:"-"`
	// Open is false once the run has closed; CloseStatus says how.
	Open        bool               `json:"-"`
	CloseStatus swfapi.CloseStatus `json:"-"`
	StartedAt   time.Time          `json:"-"`
	ClosedAt    time.Time          `json:"-"`
	Tags        []string           `json:"-"`
	Parent      *Parent            `json:"parent,omitempty"`
	// CancelRequested: a WorkflowExecutionCancelRequested was recorded.
	CancelRequested bool `json:"-"`

	Config      Config            `json:"config"`
	Override    *TaskListOverride `json:"override,omitempty"`
	NextEventID int64             `json:"nextEventId"`
	Decision    DecisionTask      `json:"decision"`
	// PreviousStartedEventID is the DecisionTaskStarted of the last decision
	// task the run completed.
	PreviousStartedEventID      int64      `json:"previousStartedEventId,omitempty"`
	LatestExecutionContext      *string    `json:"latestExecutionContext,omitempty"`
	LatestActivityTaskTimestamp *time.Time `json:"latestActivityTaskTimestamp,omitempty"`
	// LastEventAt is the time of the run's last event (zero in a state
	// stored before it was kept): a transition never records an event
	// before it, whatever time it is given.
	LastEventAt time.Time `json:"lastEventAt,omitzero"`

	// OpenActivities is how many activities the run has open, so that a
	// run without any need not look for them (nil: not known).
	OpenActivities *int `json:"openActivities,omitempty"`
	// Timers are the run's open timers by timerId.
	Timers map[string]*UserTimer `json:"timers,omitempty"`
	// Children are the run's child executions that are starting or open,
	// by the id of their StartChildWorkflowExecutionInitiated event.
	Children map[int64]*Child `json:"children,omitempty"`
	// Lambdas are the run's open Lambda tasks by scheduled event id.
	Lambdas map[int64]*Lambda `json:"lambdas,omitempty"`
}

// UserTimer is a timer a decider started.
type UserTimer struct {
	StartedEventID int64   `json:"startedEventId"`
	Control        *string `json:"control,omitempty"`
}

// Child is a child execution of a run.
type Child struct {
	WorkflowID  string `json:"workflowId"`
	TypeName    string `json:"typeName"`
	TypeVersion string `json:"typeVersion"`
	// RunID and StartedEventID (of ChildWorkflowExecutionStarted) are set
	// once the child has started.
	RunID                        string  `json:"runId,omitempty"`
	StartedEventID               int64   `json:"startedEventId,omitempty"`
	Control                      *string `json:"control,omitempty"`
	DecisionTaskCompletedEventID int64   `json:"decisionTaskCompletedEventId"`
}

// Type is the child's workflow type as the API shows it.
func (c *Child) Type() *swfapi.WorkflowType {
	return &swfapi.WorkflowType{Name: swfapi.Ptr(c.TypeName), Version: swfapi.Ptr(c.TypeVersion)}
}

// Lambda is an open Lambda task of a run.
type Lambda struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Input        *string `json:"input,omitempty"`
	StartToClose Timeout `json:"startToClose"`
	// StartedEventID is 0 until the invocation has begun.
	StartedEventID int64 `json:"startedEventId,omitempty"`
}

// Ref is the run's identity as the API shows it.
func (e *Execution) Ref() *swfapi.WorkflowExecution {
	return &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(e.WorkflowID), RunId: swfapi.Ptr(e.RunID)}
}

// Type is the run's workflow type as the API shows it.
func (e *Execution) Type() *swfapi.WorkflowType {
	return &swfapi.WorkflowType{Name: swfapi.Ptr(e.TypeName), Version: swfapi.Ptr(e.TypeVersion)}
}

// Activity is an open (scheduled or started) activity task of a run.
type Activity struct {
	ScheduledEventID int64  `json:"-"`
	ActivityID       string `json:"-"`
	// StartedEventID is 0 until a worker has the task.
	StartedEventID int64 `json:"-"`
	// CancelRequested: the decider asked to cancel it; heartbeats say so.
	CancelRequested bool `json:"-"`
	// HeartbeatDetails and LastHeartbeat come from the last heartbeat.
	HeartbeatDetails *string    `json:"-"`
	LastHeartbeat    *time.Time `json:"-"`

	TypeName                     string    `json:"typeName"`
	TypeVersion                  string    `json:"typeVersion"`
	Input                        *string   `json:"input,omitempty"`
	TaskList                     string    `json:"taskList"`
	Priority                     int32     `json:"priority"`
	ScheduleToStart              Timeout   `json:"scheduleToStart"`
	ScheduleToClose              Timeout   `json:"scheduleToClose"`
	StartToClose                 Timeout   `json:"startToClose"`
	Heartbeat                    Timeout   `json:"heartbeat"`
	ScheduledAt                  time.Time `json:"scheduledAt"`
	StartedAt                    time.Time `json:"startedAt,omitzero"`
	LatestCancelRequestedEventID int64     `json:"latestCancelRequestedEventId,omitempty"`
}

// Started reports whether a worker has the task.
func (a *Activity) Started() bool { return a.StartedEventID != 0 }

// Deadline is when one of an activity's timeouts would fire.
type Deadline struct {
	Type    swfapi.ActivityTaskTimeoutType
	Timeout Timeout
	At      time.Time
}

// Deadlines returns the deadlines of the timeouts that apply to the
// activity now: schedule-to-start until a worker has it, then
// start-to-close and heartbeat (from the last heartbeat, or the start),
// and schedule-to-close throughout.
func (a *Activity) Deadlines() []Deadline {
	var out []Deadline
	consider := func(from time.Time, t Timeout, k swfapi.ActivityTaskTimeoutType) {
		if t != None {
			out = append(out, Deadline{Type: k, Timeout: t, At: from.Add(t.Duration())})
		}
	}
	if !a.Started() {
		consider(a.ScheduledAt, a.ScheduleToStart, swfapi.ActivityTaskTimeoutTypeScheduleToStart)
	} else {
		consider(a.StartedAt, a.StartToClose, swfapi.ActivityTaskTimeoutTypeStartToClose)
		last := a.StartedAt
		if a.LastHeartbeat != nil && a.LastHeartbeat.After(last) {
			last = *a.LastHeartbeat
		}
		consider(last, a.Heartbeat, swfapi.ActivityTaskTimeoutTypeHeartbeat)
	}
	consider(a.ScheduledAt, a.ScheduleToClose, swfapi.ActivityTaskTimeoutTypeScheduleToClose)
	return out
}

// deadline returns the activity's earliest deadline and the timeout it
// would be, or false when no timeout applies. Heartbeats move the
// heartbeat deadline but no timer: the timer finds, when it falls due, that
// the deadline has moved, and waits again.
func (a *Activity) deadline() (time.Time, swfapi.ActivityTaskTimeoutType, bool) {
	var at time.Time
	var kind swfapi.ActivityTaskTimeoutType
	for _, d := range a.Deadlines() {
		if kind == "" || d.At.Before(at) {
			at, kind = d.At, d.Type
		}
	}
	return at, kind, kind != ""
}

// Type is the activity's type as the API shows it.
func (a *Activity) Type() *swfapi.ActivityType {
	return &swfapi.ActivityType{Name: swfapi.Ptr(a.TypeName), Version: swfapi.Ptr(a.TypeVersion)}
}

// TaskKind tells decision tasks from activity tasks on task lists.
type TaskKind string

// The kinds of tasks that wait on task lists.
const (
	DecisionTaskKind TaskKind = "decision"
	ActivityTaskKind TaskKind = "activity"
	// LambdaTaskKind tasks wait for the server's own Lambda invoker.
	LambdaTaskKind TaskKind = "lambda"
)

// Task is a task waiting on a task list for a poller.
type Task struct {
	Kind             TaskKind
	TaskList         string
	Priority         int32
	ScheduledEventID int64
}

// TaskRef names a waiting task of the run.
type TaskRef struct {
	Kind             TaskKind
	ScheduledEventID int64
}

// TimerKind says what a durable timer is for.
type TimerKind string

// The durable timers of a run. Ref says which task or timer the timer is
// about (a scheduled or started event id), 0 for the run itself.
const (
	TimerExecutionTimeout        TimerKind = "execution-start-to-close"
	TimerDecisionStartToClose    TimerKind = "decision-start-to-close"
	TimerDecisionScheduleToStart TimerKind = "decision-schedule-to-start"
	// TimerActivity is an activity's next deadline: the earliest of its
	// schedule-to-start, schedule-to-close, start-to-close and heartbeat
	// timeouts that still apply. One timer serves all four.
	TimerActivity TimerKind = "activity"
	// TimerUser is a timer a decider started; Ref is its TimerStarted id.
	TimerUser TimerKind = "timer"
	// TimerLambdaStartToClose bounds a Lambda invocation; Ref is its
	// scheduled event id.
	TimerLambdaStartToClose TimerKind = "lambda-start-to-close"
	// TimerRetention purges a closed run once its domain's retention ends.
	TimerRetention TimerKind = "retention"
)

// Timer is a durable deadline of a run.
type Timer struct {
	Kind TimerKind
	Ref  int64
	Due  time.Time
}

// TimerRef names a timer of the run.
type TimerRef struct {
	Kind TimerKind
	Ref  int64
}
