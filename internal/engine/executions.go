package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// newRunID makes a run id outside any write's supply of them (an import
// draws it before its write): 32 random bytes, unique for every run.
func newRunID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func defaultUndefined(member string) error {
	return fault(swfapi.CodeDefaultUndefinedFault, "%s is neither given nor registered as a default of the workflow type", member)
}

// StartWorkflowExecution starts a run of a registered workflow type, taking
// what the request leaves out from the type's defaults.
func (e *Engine) StartWorkflowExecution(ctx context.Context, in *swfapi.StartWorkflowExecutionInput) (*swfapi.Run, error) {
	if err := e.checkWorkflowTimeout("executionStartToCloseTimeout", in.ExecutionStartToCloseTimeout); err != nil {
		return nil, err
	}
	var runID string
	err := e.transition(ctx, func(w *world) (*run, error) {
		// The domain, the type, the open run of the workflowId and the
		// domain's open-run count depend only on the request: one lookup
		// (one round trip on PostgreSQL).
		wt := in.WorkflowType
		found, err := w.tx.StartLookup(ctx, store.StartLookup{Domain: *in.Domain, Kind: store.WorkflowType, Name: *wt.Name, Version: *wt.Version, WorkflowID: *in.WorkflowId})
		if err != nil {
			return nil, err
		}
		d, t := found.Domain, found.Type
		if d == nil {
			return nil, unknownDomain(*in.Domain)
		}
		if err := registered(d); err != nil {
			return nil, err
		}
		if t == nil {
			return nil, unknownType(store.WorkflowType, *wt.Name, *wt.Version)
		}
		if t.Status == store.StatusDeprecated {
			return nil, fault(swfapi.CodeTypeDeprecatedFault, "%s", typeRef(store.WorkflowType, t.Name, t.Version))
		}
		var defaults swfapi.WorkflowTypeConfiguration
		if err := json.Unmarshal(t.Config, &defaults); err != nil {
			return nil, err
		}
		cfg, missing := workflow.ResolveConfig(workflow.ConfigRequest{
			ExecutionStartToCloseTimeout: in.ExecutionStartToCloseTimeout, TaskList: in.TaskList, TaskStartToCloseTimeout: in.TaskStartToCloseTimeout,
			ChildPolicy: in.ChildPolicy, TaskPriority: in.TaskPriority, LambdaRole: in.LambdaRole,
		}, &defaults)
		if missing != "" {
			return nil, defaultUndefined(missing)
		}
		if found.Open != nil {
			return nil, fault(swfapi.CodeWorkflowExecutionAlreadyStartedFault, "Already Started: an open execution with workflowId %s exists", *in.WorkflowId)
		}
		// The world has no run yet: the store's count is the domain's.
		if found.OpenCount >= e.cfg.Limits.OpenExecutions {
			return nil, fault(swfapi.CodeLimitExceededFault, "Domain %s has reached its limit of %d open workflow executions", d.Name, e.cfg.Limits.OpenExecutions)
		}
		runID = w.at.runIDs.Next()
		return w.create(d, &workflow.Execution{
			DomainID: d.ID, WorkflowID: *in.WorkflowId, RunID: runID,
			TypeName: *wt.Name, TypeVersion: *wt.Version, Tags: in.TagList, Config: cfg,
		}), nil
	}, func(_ *world, r *run) error {
		x := r.exec()
		r.machine.Start(&swfapi.WorkflowExecutionStartedEventAttributes{
			Input:                        in.Input,
			ExecutionStartToCloseTimeout: &x.Config.ExecutionStartToCloseTimeout,
			TaskStartToCloseTimeout:      &x.Config.TaskStartToCloseTimeout,
			ChildPolicy:                  &x.Config.ChildPolicy,
			TaskList:                     &swfapi.TaskList{Name: &x.Config.TaskList},
			TaskPriority:                 &x.Config.TaskPriority,
			WorkflowType:                 x.Type(),
			TagList:                      in.TagList,
			LambdaRole:                   x.Config.LambdaRole,
			ParentInitiatedEventId:       swfapi.Ptr(int64(0)),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &swfapi.Run{RunId: &runID}, nil
}

// SignalWorkflowExecution records a signal in an open run.
func (e *Engine) SignalWorkflowExecution(ctx context.Context, in *swfapi.SignalWorkflowExecutionInput) error {
	return e.transition(ctx, func(w *world) (*run, error) {
		return w.openRun(*in.Domain, *in.WorkflowId, emptyAsNil(in.RunId))
	}, func(_ *world, r *run) error {
		return r.machine.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: in.SignalName, Input: in.Input})
	})
}

// RequestCancelWorkflowExecution asks an open run's decider to cancel it.
func (e *Engine) RequestCancelWorkflowExecution(ctx context.Context, in *swfapi.RequestCancelWorkflowExecutionInput) error {
	return e.transition(ctx, func(w *world) (*run, error) {
		return w.openRun(*in.Domain, *in.WorkflowId, emptyAsNil(in.RunId))
	}, func(_ *world, r *run) error {
		return r.machine.RequestCancel(&swfapi.WorkflowExecutionCancelRequestedEventAttributes{})
	})
}

// TerminateWorkflowExecution closes an open run at once.
func (e *Engine) TerminateWorkflowExecution(ctx context.Context, in *swfapi.TerminateWorkflowExecutionInput) error {
	return e.transition(ctx, func(w *world) (*run, error) {
		return w.openRun(*in.Domain, *in.WorkflowId, emptyAsNil(in.RunId))
	}, func(_ *world, r *run) error {
		return r.machine.Terminate(in.Reason, in.Details, in.ChildPolicy, swfapi.WorkflowExecutionTerminatedCauseOperatorInitiated.Ptr())
	})
}

// emptyAsNil treats an empty optional runId as absent, as SWF does.
func emptyAsNil(s *string) *string {
	if s != nil && *s == "" {
		return nil
	}
	return s
}

// findRun loads a run, open or closed, by its full identity.
func (e *Engine) findRun(ctx context.Context, tx store.Tx, domain string, ex *swfapi.WorkflowExecution) (*store.Domain, *workflow.Execution, error) {
	d, err := e.domain(ctx, tx, domain)
	if err != nil {
		return nil, nil, err
	}
	row, err := tx.ExecutionFind(ctx, d.ID, *ex.WorkflowId, *ex.RunId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, unknownExecution(*ex.WorkflowId, *ex.RunId)
	}
	if err != nil {
		return nil, nil, err
	}
	x, err := workflow.DecodeExecution(row)
	return d, x, err
}

// executionInfo is how listings and DescribeWorkflowExecution show a run.
func executionInfo(x *workflow.Execution) swfapi.WorkflowExecutionInfo {
	info := swfapi.WorkflowExecutionInfo{
		Execution:       x.Ref(),
		WorkflowType:    x.Type(),
		StartTimestamp:  swfapi.At(x.StartedAt),
		ExecutionStatus: swfapi.ExecutionStatusOpen.Ptr(),
		CancelRequested: swfapi.Ptr(x.CancelRequested),
	}
	if len(x.Tags) > 0 {
		info.TagList = x.Tags
	}
	if !x.Open {
		info.ExecutionStatus = swfapi.ExecutionStatusClosed.Ptr()
		info.CloseStatus = swfapi.Ptr(x.CloseStatus)
		info.CloseTimestamp = swfapi.At(x.ClosedAt)
	}
	if x.Parent != nil {
		info.Parent = &swfapi.WorkflowExecution{WorkflowId: &x.Parent.WorkflowID, RunId: &x.Parent.RunID}
	}
	return info
}

// DescribeWorkflowExecution returns a run's configuration, status and the
// counts of what it has open.
func (e *Engine) DescribeWorkflowExecution(ctx context.Context, in *swfapi.DescribeWorkflowExecutionInput) (*swfapi.WorkflowExecutionDetail, error) {
	var out *swfapi.WorkflowExecutionDetail
	err := e.store.Read(ctx, func(tx store.Tx) error {
		_, x, err := e.findRun(ctx, tx, *in.Domain, in.Execution)
		if err != nil {
			return err
		}
		activities, err := tx.ActivityCount(ctx, x.ID)
		if err != nil {
			return err
		}
		decisions := 0
		if x.Decision.State != workflow.DecisionNone {
			decisions = 1
		}
		info := executionInfo(x)
		out = &swfapi.WorkflowExecutionDetail{
			ExecutionInfo:          &info,
			ExecutionConfiguration: executionConfiguration(x),
			OpenCounts: &swfapi.WorkflowExecutionOpenCounts{
				OpenActivityTasks:           swfapi.Ptr(int32(activities)),
				OpenDecisionTasks:           swfapi.Ptr(int32(decisions)),
				OpenTimers:                  swfapi.Ptr(int32(len(x.Timers))),
				OpenChildWorkflowExecutions: swfapi.Ptr(int32(len(x.Children))),
				OpenLambdaFunctions:         swfapi.Ptr(int32(len(x.Lambdas))),
			},
			LatestExecutionContext: x.LatestExecutionContext,
		}
		if x.LatestActivityTaskTimestamp != nil {
			out.LatestActivityTaskTimestamp = swfapi.At(*x.LatestActivityTaskTimestamp)
		}
		return nil
	})
	return out, err
}

// historyPage reads a page of a run's history as events for the API, kept
// as the JSON they were stored as. It returns the id of the last event in
// the page and whether more follow; with from > 0, events before it are
// left out.
func historyPage(ctx context.Context, tx store.Tx, p store.EventListParams, from int64) ([]swfapi.HistoryEvent, int64, bool, error) {
	rows, err := tx.EventList(ctx, pageQuery(p))
	if err != nil {
		return nil, 0, false, err
	}
	events, last, more := pageOf(rows, p, from)
	return events, last, more, nil
}

// pageQuery is what historyPage reads for a page p: one event more, which
// tells whether there are more.
func pageQuery(p store.EventListParams) store.EventListParams {
	p.Limit++
	return p
}

// pageOf is the page p of the history, from what pageQuery(p) read: its
// events, the id of the last, and whether there are more.
func pageOf(rows []store.Event, p store.EventListParams, from int64) ([]swfapi.HistoryEvent, int64, bool) {
	limit := p.Limit
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	var last int64
	if len(rows) > 0 {
		last = rows[len(rows)-1].ID
	}
	if from > 0 && p.Reverse {
		// Reading backwards, the page stops at from.
		for len(rows) > 0 && rows[len(rows)-1].ID < from {
			rows = rows[:len(rows)-1]
		}
		more = more && last > from
	}
	events := make([]swfapi.HistoryEvent, len(rows))
	for i, r := range rows {
		events[i].Raw = r.Data
	}
	return events, last, more
}

// GetWorkflowExecutionHistory pages through a run's history.
func (e *Engine) GetWorkflowExecutionHistory(ctx context.Context, in *swfapi.GetWorkflowExecutionHistoryInput) (*swfapi.History, error) {
	reverse := swfapi.Deref(in.ReverseOrder)
	scope := scopeOf("GetWorkflowExecutionHistory", *in.Domain, *in.Execution.WorkflowId, *in.Execution.RunId, reverse)
	cursor, err := e.openPageToken(in.NextPageToken, scope)
	if err != nil {
		return nil, err
	}
	var after int64
	if len(cursor) == 1 {
		after, _ = strconv.ParseInt(cursor[0], 10, 64)
	}
	out := &swfapi.History{}
	err = e.store.Read(ctx, func(tx store.Tx) error {
		_, x, err := e.findRun(ctx, tx, *in.Domain, in.Execution)
		if err != nil {
			return err
		}
		events, last, more, err := historyPage(ctx, tx, store.EventListParams{ExecutionID: x.ID, After: after, Reverse: reverse, Limit: pageSize(in.MaximumPageSize)}, 0)
		if err != nil {
			return err
		}
		out.Events = events
		if more {
			out.NextPageToken = swfapi.Ptr(e.pages.Seal(scope, []string{strconv.FormatInt(last, 10)}, e.clock.Now()))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
