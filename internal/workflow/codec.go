package workflow

import (
	"encoding/json"
	"fmt"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// The codec of a run's state: how an Execution, its open Activities and
// the events of its history are kept in a store. What the store queries
// (identity, type, status, times, tags, parent) goes in columns of its own;
// the rest of the state is JSON (the json tags of Execution and Activity).
// Everything that writes runs — the engine, an import, the benchmark's
// seeding — goes through it, so that what is stored is always what the
// engine loads.

// EncodeExecution returns the stored form of a run. The run's ID is the
// store's (0 for a run not stored yet).
func EncodeExecution(x *Execution) (*store.Execution, error) {
	state, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("state of run %s: %w", x.RunID, err)
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

// DecodeExecution returns the run a store keeps.
func DecodeExecution(r *store.Execution) (*Execution, error) {
	x := &Execution{}
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

// EncodeActivity returns the stored form of an open activity of the run
// the store knows as executionID.
func EncodeActivity(executionID int64, a *Activity) (*store.Activity, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("activity %d of run %d: %w", a.ScheduledEventID, executionID, err)
	}
	return &store.Activity{
		ExecutionID: executionID, ScheduledEventID: a.ScheduledEventID, ActivityID: a.ActivityID,
		StartedEventID: a.StartedEventID, CancelRequested: a.CancelRequested,
		HeartbeatDetails: a.HeartbeatDetails, LastHeartbeat: a.LastHeartbeat, Data: data,
	}, nil
}

// DecodeActivity returns the open activity a store keeps.
func DecodeActivity(r *store.Activity) (*Activity, error) {
	a := &Activity{}
	if err := json.Unmarshal(r.Data, a); err != nil {
		return nil, fmt.Errorf("activity %d of run %d: %w", r.ScheduledEventID, r.ExecutionID, err)
	}
	a.ScheduledEventID, a.ActivityID, a.StartedEventID = r.ScheduledEventID, r.ActivityID, r.StartedEventID
	a.CancelRequested, a.HeartbeatDetails, a.LastHeartbeat = r.CancelRequested, r.HeartbeatDetails, r.LastHeartbeat
	return a, nil
}

// EncodeEvents returns the stored form of history events: each its id and
// its JSON as the API gives it (GetWorkflowExecutionHistory passes it on
// as stored). Every event must have its id.
func EncodeEvents(events []swfapi.HistoryEvent) ([]store.Event, error) {
	rows := make([]store.Event, len(events))
	for i := range events {
		ev := &events[i]
		if ev.EventId == nil {
			return nil, fmt.Errorf("event %d of %d has no id", i+1, len(events))
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", *ev.EventId, err)
		}
		rows[i] = store.Event{ID: *ev.EventId, Data: data}
	}
	return rows, nil
}

// DecodeEvent returns a stored history event.
func DecodeEvent(r store.Event) (swfapi.HistoryEvent, error) {
	var ev swfapi.HistoryEvent
	if err := json.Unmarshal(r.Data, &ev); err != nil {
		return ev, fmt.Errorf("event %d: %w", r.ID, err)
	}
	return ev, nil
}
