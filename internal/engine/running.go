package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// RunningWork is what a run has open, in the detail an operator needs to
// see what is stuck: DescribeWorkflowExecution gives only counts, and the
// API shows an activity's heartbeat details only once it has timed out.
// It is not an SWF operation; the console shows it to those who may
// describe the run.
type RunningWork struct {
	Activities []OpenActivity
	// Decision is the open decision task, if there is one.
	Decision *OpenDecision
	Timers   []OpenTimer
	Children []OpenChild
	Lambdas  []OpenLambda
}

// OpenActivity is an activity task scheduled or started and not yet closed.
type OpenActivity struct {
	ActivityID, TypeName, TypeVersion, TaskList string
	ScheduledEventID, StartedEventID            int64
	ScheduledAt                                 time.Time
	// StartedAt and Identity (the worker's) are set once a worker has it.
	StartedAt *time.Time
	Identity  string
	// LastHeartbeat and HeartbeatDetails come from its last heartbeat.
	LastHeartbeat    *time.Time
	HeartbeatDetails *string
	CancelRequested  bool
	Input            *string
	// Deadlines are when each timeout that applies would fire.
	Deadlines []workflow.Deadline
}

// OpenDecision is a run's decision task, scheduled or started.
type OpenDecision struct {
	TaskList                         string
	ScheduledEventID, StartedEventID int64
	ScheduledAt                      time.Time
	StartedAt                        *time.Time
	Identity                         string
}

// OpenTimer is a timer a decider started that has not fired.
type OpenTimer struct {
	TimerID        string
	StartedEventID int64
	StartedAt      time.Time
	FiresAt        time.Time
	Control        *string
}

// OpenChild is a child run that is starting or open.
type OpenChild struct {
	WorkflowID, RunID, TypeName, TypeVersion string
	InitiatedEventID, StartedEventID         int64
}

// OpenLambda is a Lambda task scheduled or started.
type OpenLambda struct {
	ID, Name                         string
	ScheduledEventID, StartedEventID int64
	StartedAt                        *time.Time
}

// RunningWork returns what a run, open or closed, has open now. The
// caller authorizes it as DescribeWorkflowExecution of the run.
func (e *Engine) RunningWork(ctx context.Context, domain string, ex *swfapi.WorkflowExecution) (*RunningWork, error) {
	var out *RunningWork
	err := e.store.Read(ctx, func(tx store.Tx) error {
		_, x, err := e.findRun(ctx, tx, domain, ex)
		if err != nil {
			return err
		}
		out = &RunningWork{}
		ev := eventReader{ctx: ctx, tx: tx, run: x.ID}
		if out.Activities, err = openActivities(ctx, tx, x, &ev); err != nil {
			return err
		}
		if d := x.Decision; d.State != workflow.DecisionNone {
			od := &OpenDecision{TaskList: d.TaskList, ScheduledEventID: d.ScheduledEventID, StartedEventID: d.StartedEventID}
			od.ScheduledAt, _ = ev.time(d.ScheduledEventID)
			od.StartedAt, od.Identity = ev.started(d.StartedEventID)
			out.Decision = od
		}
		for id, t := range x.Timers {
			ot := OpenTimer{TimerID: id, StartedEventID: t.StartedEventID, Control: t.Control}
			var started *swfapi.HistoryEvent
			ot.StartedAt, started = ev.time(t.StartedEventID)
			if a := started.TimerStartedEventAttributes; a != nil {
				if n, none, ok := swfapi.ParseDuration(swfapi.Deref(a.StartToFireTimeout)); ok && !none {
					ot.FiresAt = ot.StartedAt.Add(time.Duration(n) * time.Second)
				}
			}
			out.Timers = append(out.Timers, ot)
		}
		slices.SortFunc(out.Timers, func(a, b OpenTimer) int { return cmp.Compare(a.StartedEventID, b.StartedEventID) })
		for id, c := range x.Children {
			out.Children = append(out.Children, OpenChild{WorkflowID: c.WorkflowID, RunID: c.RunID, TypeName: c.TypeName,
				TypeVersion: c.TypeVersion, InitiatedEventID: id, StartedEventID: c.StartedEventID})
		}
		slices.SortFunc(out.Children, func(a, b OpenChild) int { return cmp.Compare(a.InitiatedEventID, b.InitiatedEventID) })
		for id, l := range x.Lambdas {
			ol := OpenLambda{ID: l.ID, Name: l.Name, ScheduledEventID: id, StartedEventID: l.StartedEventID}
			ol.StartedAt, _ = ev.started(l.StartedEventID)
			out.Lambdas = append(out.Lambdas, ol)
		}
		slices.SortFunc(out.Lambdas, func(a, b OpenLambda) int { return cmp.Compare(a.ScheduledEventID, b.ScheduledEventID) })
		return ev.err
	})
	return out, err
}

// openActivities lists a run's open activities with their worker and
// deadlines.
func openActivities(ctx context.Context, tx store.Tx, x *workflow.Execution, ev *eventReader) ([]OpenActivity, error) {
	rows, err := tx.ActivityList(ctx, x.ID)
	if err != nil {
		return nil, err
	}
	out := make([]OpenActivity, 0, len(rows))
	for _, row := range rows {
		a, err := workflow.DecodeActivity(row)
		if err != nil {
			return nil, err
		}
		oa := OpenActivity{ActivityID: a.ActivityID, TypeName: a.TypeName, TypeVersion: a.TypeVersion, TaskList: a.TaskList,
			ScheduledEventID: a.ScheduledEventID, StartedEventID: a.StartedEventID, ScheduledAt: a.ScheduledAt,
			LastHeartbeat: a.LastHeartbeat, HeartbeatDetails: a.HeartbeatDetails, CancelRequested: a.CancelRequested,
			Input: a.Input, Deadlines: a.Deadlines()}
		if a.Started() {
			oa.StartedAt = &a.StartedAt
			_, oa.Identity = ev.started(a.StartedEventID)
		}
		out = append(out, oa)
	}
	return out, nil
}

// eventReader reads single events of a run's history; the first error
// it meets is kept in err, and later reads return nothing.
type eventReader struct {
	ctx context.Context
	tx  store.Tx
	run int64
	err error
}

// event reads the event with this id (nil for 0 or when one failed).
func (r *eventReader) event(id int64) *swfapi.HistoryEvent {
	if id == 0 || r.err != nil {
		return nil
	}
	rows, err := r.tx.EventList(r.ctx, store.EventListParams{ExecutionID: r.run, After: id - 1, Upto: id, Limit: 1})
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("run %d has no event %d", r.run, id)
	}
	if err != nil {
		r.err = err
		return nil
	}
	e, err := workflow.DecodeEvent(rows[0])
	if err != nil {
		r.err = fmt.Errorf("run %d: %w", r.run, err)
		return nil
	}
	return &e
}

// time returns an event's time and the event (never nil: an empty one
// when it could not be read).
func (r *eventReader) time(id int64) (time.Time, *swfapi.HistoryEvent) {
	e := r.event(id)
	if e == nil || e.EventTimestamp == nil {
		return time.Time{}, &swfapi.HistoryEvent{}
	}
	return e.EventTimestamp.Time, e
}

// started returns the time of a *Started event and the identity it
// names, if any; nothing for id 0.
func (r *eventReader) started(id int64) (*time.Time, string) {
	if id == 0 {
		return nil, ""
	}
	t, e := r.time(id)
	var identity *string
	switch {
	case e.ActivityTaskStartedEventAttributes != nil:
		identity = e.ActivityTaskStartedEventAttributes.Identity
	case e.DecisionTaskStartedEventAttributes != nil:
		identity = e.DecisionTaskStartedEventAttributes.Identity
	}
	return &t, swfapi.Deref(identity)
}

// Observation is what one committed transaction recorded in one run:
// what metrics of outcomes, timeouts and latencies are made from.
type Observation struct {
	Domain string
	Events []swfapi.HistoryEvent
	// Activities are when the activities the run had open before the
	// transaction were scheduled and started, by scheduled event id.
	Activities map[int64]ActivityTimes
}

// ActivityTimes are when an activity was scheduled and (if it was)
// started.
type ActivityTimes struct {
	ScheduledAt, StartedAt time.Time
}

// PendingTaskList is a task list with tasks waiting for a poller.
type PendingTaskList struct {
	Domain, Kind, TaskList string
	Count                  int
}

// PendingTaskLists returns the task lists with tasks waiting, most first,
// at most limit of them: of one domain, or of all when domain is "".
// Lambda tasks wait on the server's own list and are left out. It is not
// an SWF operation (SWF cannot list task lists); the console and the
// metrics show it.
func (e *Engine) PendingTaskLists(ctx context.Context, domain string, limit int) ([]PendingTaskList, error) {
	var out []PendingTaskList
	err := e.store.Read(ctx, func(tx store.Tx) error {
		var id int64
		if domain != "" {
			d, err := e.domain(ctx, tx, domain)
			if err != nil {
				return err
			}
			id = d.ID
		}
		counts, err := tx.TaskListCounts(ctx, id, limit)
		if err != nil {
			return err
		}
		out = make([]PendingTaskList, 0, len(counts))
		for _, c := range counts {
			if c.Kind == string(workflow.LambdaTaskKind) {
				continue
			}
			d, err := e.domainByID(ctx, tx, c.DomainID)
			if err != nil {
				return err
			}
			out = append(out, PendingTaskList{Domain: d.Name, Kind: c.Kind, TaskList: c.TaskList, Count: c.N})
		}
		return nil
	})
	return out, err
}

// TaskListState is a task list of a domain in use: tasks waiting on it,
// or pollers of this server waiting for tasks.
type TaskListState struct {
	Kind, TaskList string
	Pending        int
	// NextScheduledAt is when the task a poller would get next (highest
	// priority, then oldest) was scheduled, when tasks wait.
	NextScheduledAt *time.Time
	// Pollers are the polls waiting on this server (not on others
	// sharing its database).
	Pollers int
}

// maxTaskLists bounds the task lists TaskLists returns.
const maxTaskLists = 500

// TaskLists returns a domain's task lists in use, by kind and name: those
// with tasks waiting (the maxTaskLists with most) and those this server's
// pollers wait on. Not an SWF operation; the console shows it.
func (e *Engine) TaskLists(ctx context.Context, domain string) ([]TaskListState, error) {
	var id int64
	var pending []store.TaskListCount
	var byKey map[matching.Key]*TaskListState
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, domain)
		if err != nil {
			return err
		}
		id = d.ID
		pending, err = tx.TaskListCounts(ctx, d.ID, maxTaskLists)
		if err != nil {
			return err
		}
		byKey = map[matching.Key]*TaskListState{}
		for _, c := range pending {
			if c.Kind == string(workflow.LambdaTaskKind) {
				continue
			}
			st := &TaskListState{Kind: c.Kind, TaskList: c.TaskList, Pending: c.N}
			if st.NextScheduledAt, err = nextTaskScheduled(ctx, tx, c.TaskListKey); err != nil {
				return err
			}
			byKey[matching.Key(c.TaskListKey)] = st
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, n := range e.matcher.PollersOf(id) {
		st := byKey[k]
		if st == nil {
			st = &TaskListState{Kind: k.Kind, TaskList: k.TaskList}
			byKey[k] = st
		}
		st.Pollers = n
	}
	out := make([]TaskListState, 0, len(byKey))
	for _, st := range byKey {
		out = append(out, *st)
	}
	slices.SortFunc(out, func(a, b TaskListState) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.TaskList, b.TaskList))
	})
	return out, nil
}

// nextTaskScheduled is when the task a poller of the list would get next
// was scheduled (the time of its *Scheduled event), or nil when none
// waits.
func nextTaskScheduled(ctx context.Context, tx store.Tx, k store.TaskListKey) (*time.Time, error) {
	task, err := tx.TaskNext(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ev := eventReader{ctx: ctx, tx: tx, run: task.ExecutionID}
	at, _ := ev.time(task.ScheduledEventID)
	if ev.err != nil || at.IsZero() {
		return nil, ev.err
	}
	return &at, nil
}
