package engine

import (
	"context"
	"encoding/json"
	"errors"
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
	if r.ParentWorkflowID != nil {
		x.Parent = &workflow.Parent{WorkflowID: *r.ParentWorkflowID, RunID: swfapi.Deref(r.ParentRunID)}
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

func unknownExecution(workflowID, runID string) error {
	return fault(swfapi.CodeUnknownResourceFault, "Unknown execution: WorkflowExecution=[workflowId=%s, runId=%s]", workflowID, runID)
}

// run is one run loaded for a transition, with what it needs around it.
type run struct {
	domain  *store.Domain
	machine *workflow.Machine
}

func (r *run) exec() *workflow.Execution { return r.machine.Exec }

// loadRun loads a run and its open activities into a state machine.
func (e *Engine) loadRun(ctx context.Context, tx store.Tx, domain *store.Domain, row *store.Execution) (*run, error) {
	exec, err := toWorkflow(row)
	if err != nil {
		return nil, err
	}
	rows, err := tx.ActivityList(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	acts := make([]*workflow.Activity, 0, len(rows))
	for _, r := range rows {
		a, err := activityFromStore(r)
		if err != nil {
			return nil, err
		}
		acts = append(acts, a)
	}
	m := workflow.New(exec, acts, e.now(), workflow.Options{Limits: e.cfg.Limits.Run, Retention: retention(domain)})
	return &run{domain: domain, machine: m}, nil
}

// loadRunByID loads the run with this id, checking that it belongs to the
// domain (as a task token says).
func (e *Engine) loadRunByID(ctx context.Context, tx store.Tx, domainID, executionID int64) (*run, error) {
	row, err := tx.ExecutionGet(ctx, executionID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.DomainID != domainID) {
		return nil, workflow.ErrStale
	}
	if err != nil {
		return nil, err
	}
	d, err := tx.DomainGetByID(ctx, domainID)
	if err != nil {
		return nil, err
	}
	return e.loadRun(ctx, tx, d, row)
}

// findOpenRun loads the open run a call names by workflowId and, when
// given, runId.
func (e *Engine) findOpenRun(ctx context.Context, tx store.Tx, domain, workflowID string, runID *string) (*run, error) {
	d, err := getDomain(ctx, tx, domain)
	if err != nil {
		return nil, err
	}
	row, err := tx.ExecutionFind(ctx, d.ID, workflowID, swfapi.Deref(runID))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !row.Open) {
		return nil, unknownExecution(workflowID, swfapi.Deref(runID))
	}
	if err != nil {
		return nil, err
	}
	return e.loadRun(ctx, tx, d, row)
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
}

// save writes a run's new state and the effects of its transition.
func (e *Engine) save(ctx context.Context, tx store.Tx, r *run) (wakeups, error) {
	var w wakeups
	exec := r.exec()
	eff := r.machine.Effects()
	isNew := exec.ID == 0
	if isNew {
		row, err := toStore(exec)
		if err != nil {
			return w, err
		}
		id, err := tx.ExecutionInsert(ctx, row)
		if errors.Is(err, store.ErrExists) {
			return w, fault(swfapi.CodeWorkflowExecutionAlreadyStartedFault, "Already Started: an open execution with workflowId %s exists", exec.WorkflowID)
		}
		if err != nil {
			return w, err
		}
		exec.ID = id
	}
	if len(eff.Events) > 0 {
		events := make([]store.Event, len(eff.Events))
		for i := range eff.Events {
			data, err := json.Marshal(&eff.Events[i])
			if err != nil {
				return w, err
			}
			events[i] = store.Event{ID: *eff.Events[i].EventId, Data: data}
		}
		if err := tx.EventInsert(ctx, exec.ID, events); err != nil {
			return w, err
		}
	}
	if eff.Closed {
		if err := tx.TaskDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
		if err := tx.TimerDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
		if err := tx.ActivityDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
	} else {
		for _, t := range eff.DeleteTasks {
			if err := tx.TaskDelete(ctx, exec.ID, string(t.Kind), t.ScheduledEventID); err != nil {
				return w, err
			}
		}
		for _, t := range eff.DeleteTimers {
			if err := tx.TimerDelete(ctx, exec.ID, string(t.Kind), t.Ref); err != nil {
				return w, err
			}
		}
		for _, id := range eff.DeleteActivities {
			if err := tx.ActivityDelete(ctx, exec.ID, id); err != nil {
				return w, err
			}
		}
	}
	for _, a := range eff.PutActivities {
		row, err := activityToStore(exec.ID, a)
		if err != nil {
			return w, err
		}
		if err := tx.ActivityPut(ctx, row); err != nil {
			return w, err
		}
	}
	for _, t := range eff.AddTasks {
		if err := tx.TaskInsert(ctx, &store.Task{DomainID: exec.DomainID, Kind: string(t.Kind), TaskList: t.TaskList, Priority: t.Priority, ExecutionID: exec.ID, ScheduledEventID: t.ScheduledEventID}); err != nil {
			return w, err
		}
		if w.tasks == nil {
			w.tasks = map[matching.Key]int{}
		}
		w.tasks[matching.Key{DomainID: exec.DomainID, Kind: string(t.Kind), TaskList: t.TaskList}]++
	}
	for _, t := range eff.AddTimers {
		if err := tx.TimerPut(ctx, &store.Timer{Due: t.Due, ExecutionID: exec.ID, Kind: string(t.Kind), Ref: t.Ref}); err != nil {
			return w, err
		}
		w.timers = true
	}
	if isNew {
		return w, nil
	}
	row, err := toStore(exec)
	if err != nil {
		return w, err
	}
	return w, tx.ExecutionUpdate(ctx, row)
}

// transition runs fn on a run inside one write transaction and saves the
// result; pollers and timers hear of it once it is committed.
func (e *Engine) transition(ctx context.Context, load func(store.Tx) (*run, error), fn func(store.Tx, *run) error) error {
	var w wakeups
	err := e.store.Write(ctx, func(tx store.Tx) error {
		r, err := load(tx)
		if err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		w, err = e.save(ctx, tx, r)
		return err
	})
	if err != nil {
		return err
	}
	e.wake(w)
	return nil
}
