package engine

import (
	"context"
	"errors"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// The IAM actions of openswf's extensions beyond the SWF API, allowed or
// denied on a domain's ARN in the users file like swf:* actions. "swf:*"
// does not grant them: they are a service prefix of their own.
const (
	ActionImportHistory          = "openswf:ImportHistory"
	ActionResetWorkflowExecution = "openswf:ResetWorkflowExecution"
	ActionListArchivedExecutions = "openswf:ListArchivedExecutions"
	ActionGetArchivedExecution   = "openswf:GetArchivedExecution"
)

// authorizeExtension checks that the caller in ctx may take an extension's
// action on a domain; without a caller (no users file) everything is
// allowed. The extensions check this themselves, so that every way in
// (the HTTP endpoints, the console) is covered.
func (e *Engine) authorizeExtension(ctx context.Context, action, domain string) error {
	c := auth.FromContext(ctx)
	if c == nil {
		return nil
	}
	resource := e.DomainARN(domain)
	if !c.Allowed(action, resource, nil) {
		return e.notPermitted(action, c, action, resource)
	}
	return nil
}

// requireName checks a required name member of an extension's input as
// the API checks names.
func requireName(field, value string) error {
	switch {
	case value == "":
		return swfapi.NewValidationError(field, nil, "Member must not be null")
	case len(value) > 256:
		return swfapi.NewValidationError(field, value, "Member must have length less than or equal to 256")
	case !swfapi.ValidName(value):
		return swfapi.NewValidationError(field, value, "Member must not contain ':', '/', '|', control characters or be the literal 'arn'")
	}
	return nil
}

// readHistory reads events 1 to upto (0: all) of a stored run, typed and
// each keeping its stored JSON in Raw.
func readHistory(ctx context.Context, tx store.Tx, executionID, upto int64) ([]swfapi.HistoryEvent, error) {
	var events []swfapi.HistoryEvent
	var after int64
	for {
		rows, err := tx.EventList(ctx, store.EventListParams{ExecutionID: executionID, After: after, Upto: upto, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ev, err := workflow.DecodeEvent(r)
			if err != nil {
				return nil, err
			}
			ev.Raw = r.Data
			events = append(events, ev)
			after = r.ID
		}
		if len(rows) < 1000 {
			return events, nil
		}
	}
}

// runOf finds the run an extension names: by runId, or else the open run
// of the workflowId, or else its run started last.
func runOf(ctx context.Context, tx store.Tx, d *store.Domain, workflowID, runID string) (*store.Execution, error) {
	row, err := tx.ExecutionFind(ctx, d.ID, workflowID, runID)
	if err == nil || runID != "" || !errors.Is(err, store.ErrNotFound) {
		if errors.Is(err, store.ErrNotFound) {
			return nil, unknownExecution(workflowID, runID)
		}
		return row, err
	}
	rows, err := tx.ExecutionList(ctx, store.ExecutionListParams{ExecutionFilter: store.ExecutionFilter{DomainID: d.ID, WorkflowID: &workflowID}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, unknownExecution(workflowID, runID)
	}
	return rows[0], nil
}
