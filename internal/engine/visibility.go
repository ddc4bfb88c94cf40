package engine

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// visibility is the arguments that List* and Count* WorkflowExecutions
// share.
type visibility struct {
	op          string
	domain      string
	open        bool
	start       *swfapi.ExecutionTimeFilter
	close       *swfapi.ExecutionTimeFilter
	typeFilter  *swfapi.WorkflowTypeFilter
	tagFilter   *swfapi.TagFilter
	execFilter  *swfapi.WorkflowExecutionFilter
	closeStatus *swfapi.CloseStatusFilter
}

// check enforces the rules on which filters may go together.
func (v *visibility) check() error {
	if !v.open {
		switch {
		case v.start == nil && v.close == nil:
			return swfapi.NewValidationError("startTimeFilter", nil, "Either startTimeFilter or closeTimeFilter must be given")
		case v.start != nil && v.close != nil:
			return swfapi.NewValidationError("closeTimeFilter", "given", "startTimeFilter and closeTimeFilter are mutually exclusive")
		}
	}
	var given []string
	if v.closeStatus != nil {
		given = append(given, "closeStatusFilter")
	}
	if v.typeFilter != nil {
		given = append(given, "typeFilter")
	}
	if v.tagFilter != nil {
		given = append(given, "tagFilter")
	}
	if v.execFilter != nil {
		given = append(given, "executionFilter")
	}
	if len(given) > 1 {
		return swfapi.NewValidationError(given[1], "given", strings.Join(given, ", ")+" are mutually exclusive: give at most one of them")
	}
	return nil
}

// filter turns the arguments into the store's filter.
func (v *visibility) filter(domainID int64) store.ExecutionFilter {
	f := store.ExecutionFilter{DomainID: domainID, Open: v.open}
	timeRange := func(tf *swfapi.ExecutionTimeFilter) (*time.Time, *time.Time) {
		from := tf.OldestDate.Time
		var to *time.Time
		if tf.LatestDate != nil {
			to = &tf.LatestDate.Time
		}
		return &from, to
	}
	if v.start != nil {
		f.StartedFrom, f.StartedTo = timeRange(v.start)
	}
	if v.close != nil {
		f.ClosedFrom, f.ClosedTo = timeRange(v.close)
	}
	if v.typeFilter != nil {
		f.TypeName = v.typeFilter.Name
		f.TypeVersion = emptyAsNil(v.typeFilter.Version)
	}
	if v.tagFilter != nil {
		f.Tag = v.tagFilter.Tag
	}
	if v.execFilter != nil {
		f.WorkflowID = v.execFilter.WorkflowId
	}
	if v.closeStatus != nil {
		f.CloseStatus = swfapi.Ptr(string(*v.closeStatus.Status))
	}
	return f
}

// scope describes the arguments, to bind page tokens to them.
func (v *visibility) scope(reverse bool) string {
	ms := func(t *swfapi.Timestamp) int64 {
		if t == nil {
			return -1
		}
		return t.UnixMilli()
	}
	parts := []any{v.op, v.domain, reverse}
	for _, tf := range []*swfapi.ExecutionTimeFilter{v.start, v.close} {
		if tf != nil {
			parts = append(parts, ms(tf.OldestDate), ms(tf.LatestDate))
		} else {
			parts = append(parts, "-")
		}
	}
	if v.typeFilter != nil {
		parts = append(parts, "type", *v.typeFilter.Name, swfapi.Deref(v.typeFilter.Version))
	}
	if v.tagFilter != nil {
		parts = append(parts, "tag", *v.tagFilter.Tag)
	}
	if v.execFilter != nil {
		parts = append(parts, "execution", *v.execFilter.WorkflowId)
	}
	if v.closeStatus != nil {
		parts = append(parts, "status", string(*v.closeStatus.Status))
	}
	return scopeOf(parts...)
}

func (e *Engine) listExecutions(ctx context.Context, v *visibility, token *string, size *int32, reverse bool) (*swfapi.WorkflowExecutionInfos, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	scope := v.scope(reverse)
	cursor, err := e.openPageToken(token, scope)
	if err != nil {
		return nil, err
	}
	byClose := v.close != nil
	p := store.ExecutionListParams{ByCloseTime: byClose, Reverse: reverse, Limit: pageSize(size) + 1}
	if len(cursor) == 2 {
		ms, _ := strconv.ParseInt(cursor[0], 10, 64)
		p.AfterTime = swfapi.Ptr(time.UnixMilli(ms).UTC())
		p.AfterID, _ = strconv.ParseInt(cursor[1], 10, 64)
	}
	var rows []*store.Execution
	err = e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, v.domain)
		if err != nil {
			return err
		}
		p.ExecutionFilter = v.filter(d.ID)
		rows, err = tx.ExecutionList(ctx, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &swfapi.WorkflowExecutionInfos{ExecutionInfos: make([]swfapi.WorkflowExecutionInfo, 0, len(rows))}
	if len(rows) == p.Limit {
		rows = rows[:len(rows)-1]
		last := rows[len(rows)-1]
		at := last.StartedAt
		if byClose {
			at = *last.ClosedAt
		}
		out.NextPageToken = swfapi.Ptr(e.pages.Seal(scope, []string{strconv.FormatInt(at.UnixMilli(), 10), strconv.FormatInt(last.ID, 10)}, e.clock.Now()))
	}
	for _, r := range rows {
		x, err := workflow.DecodeExecution(r)
		if err != nil {
			return nil, err
		}
		out.ExecutionInfos = append(out.ExecutionInfos, executionInfo(x))
	}
	return out, nil
}

func (e *Engine) countExecutions(ctx context.Context, v *visibility) (*swfapi.WorkflowExecutionCount, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	var n int
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, v.domain)
		if err != nil {
			return err
		}
		n, err = tx.ExecutionCount(ctx, v.filter(d.ID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &swfapi.WorkflowExecutionCount{Count: swfapi.Ptr(int32(n)), Truncated: swfapi.Ptr(false)}, nil
}

// ListOpenWorkflowExecutions pages through a domain's open runs, newest
// first.
func (e *Engine) ListOpenWorkflowExecutions(ctx context.Context, in *swfapi.ListOpenWorkflowExecutionsInput) (*swfapi.WorkflowExecutionInfos, error) {
	v := &visibility{op: "ListOpenWorkflowExecutions", domain: *in.Domain, open: true, start: in.StartTimeFilter,
		typeFilter: in.TypeFilter, tagFilter: in.TagFilter, execFilter: in.ExecutionFilter}
	return e.listExecutions(ctx, v, in.NextPageToken, in.MaximumPageSize, swfapi.Deref(in.ReverseOrder))
}

// ListClosedWorkflowExecutions pages through a domain's closed runs, most
// recent first by the time the filter is on.
func (e *Engine) ListClosedWorkflowExecutions(ctx context.Context, in *swfapi.ListClosedWorkflowExecutionsInput) (*swfapi.WorkflowExecutionInfos, error) {
	v := &visibility{op: "ListClosedWorkflowExecutions", domain: *in.Domain, start: in.StartTimeFilter, close: in.CloseTimeFilter,
		typeFilter: in.TypeFilter, tagFilter: in.TagFilter, execFilter: in.ExecutionFilter, closeStatus: in.CloseStatusFilter}
	return e.listExecutions(ctx, v, in.NextPageToken, in.MaximumPageSize, swfapi.Deref(in.ReverseOrder))
}

// CountOpenWorkflowExecutions counts a domain's open runs.
func (e *Engine) CountOpenWorkflowExecutions(ctx context.Context, in *swfapi.CountOpenWorkflowExecutionsInput) (*swfapi.WorkflowExecutionCount, error) {
	return e.countExecutions(ctx, &visibility{op: "CountOpenWorkflowExecutions", domain: *in.Domain, open: true, start: in.StartTimeFilter,
		typeFilter: in.TypeFilter, tagFilter: in.TagFilter, execFilter: in.ExecutionFilter})
}

// CountClosedWorkflowExecutions counts a domain's closed runs.
func (e *Engine) CountClosedWorkflowExecutions(ctx context.Context, in *swfapi.CountClosedWorkflowExecutionsInput) (*swfapi.WorkflowExecutionCount, error) {
	return e.countExecutions(ctx, &visibility{op: "CountClosedWorkflowExecutions", domain: *in.Domain, start: in.StartTimeFilter, close: in.CloseTimeFilter,
		typeFilter: in.TypeFilter, tagFilter: in.TagFilter, execFilter: in.ExecutionFilter, closeStatus: in.CloseStatusFilter})
}
