package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// ImportHistoryInput is a history to load into a domain as a closed run:
// the events as GetWorkflowExecutionHistory gives them (all pages, oldest
// first). A history does not say its workflowId, so the caller does.
type ImportHistoryInput struct {
	Domain     string                `json:"domain"`
	WorkflowID string                `json:"workflowId"`
	Events     []swfapi.HistoryEvent `json:"events"`
}

// ImportHistory loads a closed run's history into a domain (an openswf
// extension, for tests and migrations). The history must be internally
// consistent (workflow.CheckHistory) and end with the event that closed the
// run. The run gets a new runId; it is listed, described and read like any
// closed run, from its first event's time to its last, with the type,
// tags, configuration and parent its WorkflowExecutionStarted names (the
// type need not be registered). Its retention runs from the import.
func (e *Engine) ImportHistory(ctx context.Context, in *ImportHistoryInput) (*swfapi.WorkflowExecution, error) {
	if err := requireName("domain", in.Domain); err != nil {
		return nil, err
	}
	if err := requireName("workflowId", in.WorkflowID); err != nil {
		return nil, err
	}
	if err := e.authorizeExtension(ctx, ActionImportHistory, in.Domain); err != nil {
		return nil, err
	}
	x, err := e.importedRun(in)
	if err != nil {
		return nil, err
	}
	rows, err := workflow.EncodeEvents(in.Events)
	if err != nil {
		return nil, err
	}
	var due time.Time // the retention timer's
	err = e.store.Write(ctx, func(tx store.Tx) error {
		d, err := getRegisteredDomain(ctx, tx, in.Domain)
		if err != nil {
			return err
		}
		x.DomainID = d.ID
		row, err := workflow.EncodeExecution(x)
		if err != nil {
			return err
		}
		id, err := tx.ExecutionInsert(ctx, row)
		if err != nil {
			return err
		}
		if err := tx.EventInsert(ctx, id, rows); err != nil {
			return err
		}
		due = e.now().Add(retention(d))
		return tx.TimerPut(ctx, &store.Timer{Due: due, ExecutionID: id, Kind: string(workflow.TimerRetention)})
	})
	if err != nil {
		return nil, err
	}
	e.wake(wakeups{timers: true, due: due})
	return x.Ref(), nil
}

// importedRun checks a history and builds the closed run it describes.
func (e *Engine) importedRun(in *ImportHistoryInput) (*workflow.Execution, error) {
	events := in.Events
	if err := workflow.CheckHistory(events); err != nil {
		var h *workflow.HistoryError
		if errors.As(err, &h) {
			return nil, swfapi.NewValidationError(fmt.Sprintf("events.%d", h.EventID), nil, "The history is not consistent: "+err.Error())
		}
		return nil, err
	}
	if n := int64(len(events)); n > e.cfg.Limits.Run.HistoryEvents {
		return nil, swfapi.NewValidationError("events", nil, fmt.Sprintf("A history can have at most %d events, not %d", e.cfg.Limits.Run.HistoryEvents, n))
	}
	last := &events[len(events)-1]
	status, ok := closeStatusOf(*last.EventType)
	if !ok {
		return nil, swfapi.NewValidationError("events", nil, fmt.Sprintf("Only a closed run can be imported: its last event is %s", *last.EventType))
	}
	started := events[0].WorkflowExecutionStartedEventAttributes
	if started.WorkflowType == nil || started.WorkflowType.Name == nil || started.WorkflowType.Version == nil || started.TaskList == nil {
		return nil, swfapi.NewValidationError("events.1", nil, "WorkflowExecutionStarted must name its workflowType and taskList")
	}
	x := &workflow.Execution{
		WorkflowID: in.WorkflowID, RunID: newRunID(),
		TypeName: *started.WorkflowType.Name, TypeVersion: *started.WorkflowType.Version,
		CloseStatus: status, StartedAt: events[0].EventTimestamp.Time, ClosedAt: last.EventTimestamp.Time, LastEventAt: last.EventTimestamp.Time,
		Tags: started.TagList, Config: workflow.ConfigOf(started), NextEventID: int64(len(events)) + 1,
	}
	if p := started.ParentWorkflowExecution; p != nil && p.WorkflowId != nil && p.RunId != nil {
		x.Parent = &workflow.Parent{WorkflowID: *p.WorkflowId, RunID: *p.RunId, InitiatedEventID: swfapi.Deref(started.ParentInitiatedEventId)}
	}
	for i := range events {
		if events[i].WorkflowExecutionCancelRequestedEventAttributes != nil {
			x.CancelRequested = true
		}
		if a := events[i].DecisionTaskCompletedEventAttributes; a != nil && a.ExecutionContext != nil {
			x.LatestExecutionContext = a.ExecutionContext
		}
	}
	return x, nil
}

// closeStatusOf is the close status an event that closes a run gives it.
func closeStatusOf(t swfapi.EventType) (swfapi.CloseStatus, bool) {
	switch t {
	case swfapi.EventTypeWorkflowExecutionCompleted:
		return swfapi.CloseStatusCompleted, true
	case swfapi.EventTypeWorkflowExecutionFailed:
		return swfapi.CloseStatusFailed, true
	case swfapi.EventTypeWorkflowExecutionCanceled:
		return swfapi.CloseStatusCanceled, true
	case swfapi.EventTypeWorkflowExecutionContinuedAsNew:
		return swfapi.CloseStatusContinuedAsNew, true
	case swfapi.EventTypeWorkflowExecutionTimedOut:
		return swfapi.CloseStatusTimedOut, true
	case swfapi.EventTypeWorkflowExecutionTerminated:
		return swfapi.CloseStatusTerminated, true
	}
	return "", false
}
