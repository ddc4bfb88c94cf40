package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"time"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// archiveRetry is how long a run whose archiving failed waits before it is
// tried again; it stays in the database meanwhile.
const archiveRetry = time.Minute

// archiveRun writes a closed run to the archive before its retention
// timer deletes it. A run that is gone already needs nothing.
func (e *Engine) archiveRun(ctx context.Context, executionID int64) error {
	var rec *archive.Record
	err := e.store.Read(ctx, func(tx store.Tx) error {
		row, err := tx.ExecutionGet(ctx, executionID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d, err := e.domainByID(ctx, tx, row.DomainID)
		if err != nil {
			return err
		}
		x, err := workflow.DecodeExecution(row)
		if err != nil {
			return err
		}
		events, err := readHistory(ctx, tx, row.ID, 0)
		if err != nil {
			return err
		}
		info := executionInfo(x)
		rec = &archive.Record{
			Domain: d.Name, ExecutionInfo: &info, ExecutionConfiguration: executionConfiguration(x),
			LatestExecutionContext: x.LatestExecutionContext, ArchivedAt: swfapi.At(e.now()), Events: events,
		}
		return nil
	})
	if err != nil || rec == nil {
		return err
	}
	return e.cfg.Archive.Put(ctx, rec)
}

// expire deletes a closed run whose retention has ended, archiving it
// first when the server has an archive. If archiving fails the run stays,
// and its retention timer is armed again to try later.
func (e *Engine) expire(ctx context.Context, t *store.Timer) error {
	if e.cfg.Archive != nil {
		if err := e.archiveRun(ctx, t.ExecutionID); err != nil {
			e.log.Error("archiving a run whose retention has ended; it is kept and tried again", "execution", t.ExecutionID, "retry", archiveRetry, "err", err)
			var w wakeups
			err := e.store.Write(ctx, func(tx store.Tx) error {
				w = wakeups{} // a shared store may run this again after a conflict
				if ok, err := tx.TimerDeleteByID(ctx, t.ID); err != nil || !ok {
					return err
				}
				due := e.now().Add(archiveRetry)
				w.armed(due)
				return tx.TimerPut(ctx, &store.Timer{Due: due, ExecutionID: t.ExecutionID, Kind: t.Kind, Ref: t.Ref})
			})
			if err == nil {
				e.wake(w)
			}
			return err
		}
	}
	return e.store.Write(ctx, func(tx store.Tx) error {
		if ok, err := tx.TimerDeleteByID(ctx, t.ID); err != nil || !ok {
			return err
		}
		return tx.ExecutionDelete(ctx, t.ExecutionID)
	})
}

// executionConfiguration is a run's configuration as the API shows it.
func executionConfiguration(x *workflow.Execution) *swfapi.WorkflowExecutionConfiguration {
	c := x.Config
	return &swfapi.WorkflowExecutionConfiguration{
		TaskStartToCloseTimeout:      &c.TaskStartToCloseTimeout,
		ExecutionStartToCloseTimeout: &c.ExecutionStartToCloseTimeout,
		TaskList:                     &swfapi.TaskList{Name: &c.TaskList},
		TaskPriority:                 &c.TaskPriority,
		ChildPolicy:                  &c.ChildPolicy,
		LambdaRole:                   c.LambdaRole,
	}
}

// Archiving reports whether the server has an archive, so that a console
// can offer archived runs only then.
func (e *Engine) Archiving() bool { return e.cfg.Archive != nil }

// noArchive answers the archive's calls on a server without one.
func noArchive() error {
	return fault(swfapi.CodeUnknownResourceFault, "This server keeps no archive: it was started without --archive")
}

// GetArchivedExecutionInput names an archived run.
type GetArchivedExecutionInput struct {
	Domain     string `json:"domain"`
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
}

// GetArchivedExecution reads an archived run back: its execution info,
// configuration and whole history (an openswf extension).
func (e *Engine) GetArchivedExecution(ctx context.Context, in *GetArchivedExecutionInput) (*archive.Record, error) {
	for _, f := range []struct{ name, value string }{{"domain", in.Domain}, {"workflowId", in.WorkflowID}, {"runId", in.RunID}} {
		if f.value == "" {
			return nil, swfapi.NewValidationError(f.name, nil, "Member must not be null")
		}
	}
	if err := e.authorizeExtension(ctx, ActionGetArchivedExecution, in.Domain); err != nil {
		return nil, err
	}
	if e.cfg.Archive == nil {
		return nil, noArchive()
	}
	rec, err := e.cfg.Archive.Get(ctx, in.Domain, in.WorkflowID, in.RunID)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, fault(swfapi.CodeUnknownResourceFault, "Unknown archived execution: WorkflowExecution=[workflowId=%s, runId=%s]", in.WorkflowID, in.RunID)
	}
	return rec, err
}

// ListArchivedExecutionsInput selects a page of a domain's archived runs,
// ordered by workflowId then runId.
type ListArchivedExecutionsInput struct {
	Domain string `json:"domain"`
	// WorkflowID, when set, keeps the runs of that workflowId.
	WorkflowID      string `json:"workflowId,omitempty"`
	NextPageToken   string `json:"nextPageToken,omitempty"`
	MaximumPageSize int    `json:"maximumPageSize,omitempty"`
}

// ListArchivedExecutionsOutput is a page of archived runs.
type ListArchivedExecutionsOutput struct {
	Executions    []archive.Ref `json:"executions"`
	NextPageToken string        `json:"nextPageToken,omitempty"`
}

// ListArchivedExecutions lists a domain's archived runs (an openswf
// extension).
func (e *Engine) ListArchivedExecutions(ctx context.Context, in *ListArchivedExecutionsInput) (*ListArchivedExecutionsOutput, error) {
	if in.Domain == "" {
		return nil, swfapi.NewValidationError("domain", nil, "Member must not be null")
	}
	if err := e.authorizeExtension(ctx, ActionListArchivedExecutions, in.Domain); err != nil {
		return nil, err
	}
	if e.cfg.Archive == nil {
		return nil, noArchive()
	}
	after, err := base64.RawURLEncoding.DecodeString(in.NextPageToken)
	if err != nil {
		return nil, swfapi.NewValidationError("nextPageToken", in.NextPageToken, "Member must be a nextPageToken this call returned")
	}
	limit := pageSize(swfapi.Ptr(int32(in.MaximumPageSize)))
	refs, next, err := e.cfg.Archive.List(ctx, archive.ListParams{Domain: in.Domain, WorkflowID: in.WorkflowID, After: string(after), Limit: limit})
	if err != nil {
		return nil, err
	}
	out := &ListArchivedExecutionsOutput{Executions: refs}
	if out.Executions == nil {
		out.Executions = []archive.Ref{}
	}
	if next != "" {
		out.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return out, nil
}
