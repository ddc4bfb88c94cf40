package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// toWorkflow turns a stored run into the state machine's view of it.
func toWorkflow(r *store.Execution) (*workflow.Execution, error) {
	x := &workflow.Execution{}
	if err := json.Unmarshal(r.State, x); err != nil {
		return nil, fmt.Errorf("state of run %d: %w", r.ID, err)
	}
	x.ID, x.DomainID, x.WorkflowID, x.RunID = r.ID, r.DomainID, r.WorkflowID, r.RunID
	x.TypeName, x.TypeVersion = r.TypeName, r.TypeVersion
	x.Open, x.StartedAt, x.Tags, x.CancelRequested = r.Open, r.StartedAt, r.Tags, r.CancelRequested
	if r.CloseStatus != nil {
		x.CloseStatus = swfapi.CloseStatus(*r.CloseStatus)
	}
	if r.ClosedAt != nil {
		x.ClosedAt = *r.ClosedAt
	}
	return x, nil
}

// toStore turns the state machine's view of a run into what is stored.
func toStore(x *workflow.Execution) (*store.Execution, error) {
	state, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	r := &store.Execution{
		ID: x.ID, DomainID: x.DomainID, WorkflowID: x.WorkflowID, RunID: x.RunID,
		TypeName: x.TypeName, TypeVersion: x.TypeVersion, Open: x.Open, StartedAt: x.StartedAt,
		CancelRequested: x.CancelRequested, Tags: x.Tags, State: state,
	}
	if !x.Open {
		r.CloseStatus = swfapi.Ptr(string(x.CloseStatus))
		r.ClosedAt = swfapi.Ptr(x.ClosedAt)
	}
	if x.Parent != nil {
		r.ParentWorkflowID = &x.Parent.WorkflowID
		r.ParentRunID = &x.Parent.RunID
	}
	return r, nil
}

func activityFromStore(r *store.Activity) (*workflow.Activity, error) {
	a := &workflow.Activity{}
	if err := json.Unmarshal(r.Data, a); err != nil {
		return nil, fmt.Errorf("activity %d of run %d: %w", r.ScheduledEventID, r.ExecutionID, err)
	}
	a.ScheduledEventID, a.ActivityID, a.StartedEventID = r.ScheduledEventID, r.ActivityID, r.StartedEventID
	a.CancelRequested, a.HeartbeatDetails, a.LastHeartbeat = r.CancelRequested, r.HeartbeatDetails, r.LastHeartbeat
	return a, nil
}

func activityToStore(executionID int64, a *workflow.Activity) (*store.Activity, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	return &store.Activity{
		ExecutionID: executionID, ScheduledEventID: a.ScheduledEventID, ActivityID: a.ActivityID,
		StartedEventID: a.StartedEventID, CancelRequested: a.CancelRequested,
		HeartbeatDetails: a.HeartbeatDetails, LastHeartbeat: a.LastHeartbeat, Data: data,
	}, nil
}

// retention is how long a domain keeps closed runs.
func retention(d *store.Domain) time.Duration {
	days, none, _ := swfapi.ParseDuration(d.Retention)
	if none {
		return 0
	}
	return time.Duration(days) * 24 * time.Hour
}

// unknownExecution is the answer to a call naming a run that does not exist
// or is not open, in Amazon SWF's words: the whole identity when a runId was
// given, the workflowId alone otherwise (clients such as simpleflow read the
// missing resource out of this message).
func unknownExecution(workflowID, runID string) error {
	if runID == "" {
		return fault(swfapi.CodeUnknownResourceFault, "Unknown execution, workflowId = %s", workflowID)
	}
	return fault(swfapi.CodeUnknownResourceFault, "Unknown execution: WorkflowExecution=[workflowId=%s, runId=%s]", workflowID, runID)
}

// wakeups is what to tell pollers and the timer loop once a transaction
// has committed.
type wakeups struct {
	tasks  map[matching.Key]int
	timers bool
}

func (w *wakeups) add(o wakeups) {
	for k, n := range o.tasks {
		if w.tasks == nil {
			w.tasks = map[matching.Key]int{}
		}
		w.tasks[k] += n
	}
	w.timers = w.timers || o.timers
}

// wake notifies, after a commit, the pollers of the task lists that got
// tasks and the timer loop if timers were armed.
func (e *Engine) wake(w wakeups) {
	for k, n := range w.tasks {
		e.matcher.Notify(k, n)
	}
	if w.timers && e.timerWake != nil {
		e.timerWake()
	}
	if e.announcer != nil {
		e.announcer.add(w)
	}
}
