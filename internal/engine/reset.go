package engine

import (
	"context"
	"fmt"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// ResetInput names a run and one of its DecisionTaskCompleted events to
// start again from. Without a runId, the workflowId's open run is meant,
// or else the one started last.
type ResetInput struct {
	Domain     string `json:"domain"`
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId,omitempty"`
	// DecisionTaskCompletedEventID is the event to start again from.
	DecisionTaskCompletedEventID int64 `json:"decisionTaskCompletedEventId"`
}

// ResetWorkflowExecution re-runs a workflow from one of its decisions (an
// openswf extension). In one transaction it terminates the run if it is
// open (its child policy applies, as to any termination), and starts a new
// run of the same workflowId whose history is the old one's up to the
// chosen DecisionTaskCompleted, then the reset marker, then what
// workflow.Machine.StartFromReset records: the decisions of that decision
// task are not carried over, the decider makes them again. Activities
// open at that point fail with reason workflow.ResetReason; timers open
// then stay open. A point where children, Lambda tasks or requests to
// other runs were under way is refused. The new run has no parent.
func (e *Engine) ResetWorkflowExecution(ctx context.Context, in *ResetInput) (*swfapi.WorkflowExecution, error) {
	if err := requireName("domain", in.Domain); err != nil {
		return nil, err
	}
	if err := requireName("workflowId", in.WorkflowID); err != nil {
		return nil, err
	}
	if in.DecisionTaskCompletedEventID <= 0 {
		return nil, swfapi.NewValidationError("decisionTaskCompletedEventId", in.DecisionTaskCompletedEventID, "Member must be the id of a DecisionTaskCompleted event")
	}
	if err := e.authorizeExtension(ctx, ActionResetWorkflowExecution, in.Domain); err != nil {
		return nil, err
	}
	var next *workflow.Execution
	err := e.transition(ctx, func(w *world) (*run, error) {
		d, err := getRegisteredDomain(ctx, w.tx, in.Domain)
		if err != nil {
			return nil, err
		}
		row, err := runOf(ctx, w.tx, d, in.WorkflowID, in.RunID)
		if err != nil {
			return nil, err
		}
		return w.add(d, row)
	}, func(w *world, src *run) error {
		var err error
		next, err = e.reset(w, src, in.DecisionTaskCompletedEventID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return next.Ref(), nil
}

// reset carries out ResetWorkflowExecution inside its transaction.
func (e *Engine) reset(w *world, src *run, eventID int64) (*workflow.Execution, error) {
	old := src.exec()
	events, err := readHistory(w.ctx, w.tx, old.ID, eventID)
	if err != nil {
		return nil, err
	}
	if err := workflow.CheckHistory(events); err != nil {
		return nil, fmt.Errorf("the history of run %s: %w", old.RunID, err)
	}
	point, err := workflow.PointOf(events, eventID)
	if err != nil {
		return nil, swfapi.NewValidationError("decisionTaskCompletedEventId", eventID, err.Error())
	}
	d := src.domain
	runID := w.at.runIDs.Next()
	if old.Open {
		details := fmt.Sprintf("reset to event %d: run %s continues from there", eventID, runID)
		src.machine.Terminate(swfapi.Ptr(workflow.ResetReason), &details, nil, nil)
	} else {
		if open, err := w.find(d, old.WorkflowID, ""); err != nil {
			return nil, err
		} else if open != nil {
			return nil, fault(swfapi.CodeWorkflowExecutionAlreadyStartedFault, "Already Started: an open execution with workflowId %s exists", old.WorkflowID)
		}
		if full, err := w.domainFull(d); err != nil {
			return nil, err
		} else if full {
			return nil, fault(swfapi.CodeLimitExceededFault, "Domain %s has reached its limit of %d open workflow executions", d.Name, e.cfg.Limits.OpenExecutions)
		}
	}
	next := w.create(d, &workflow.Execution{
		DomainID: d.ID, WorkflowID: old.WorkflowID, RunID: runID, TypeName: old.TypeName, TypeVersion: old.TypeVersion,
		Tags: old.Tags, Config: workflow.ConfigOf(point.Started),
	})
	next.machine.StartFromReset(point, workflow.ResetSource{WorkflowID: old.WorkflowID, RunID: old.RunID, EventID: eventID})
	return next.exec(), nil
}
