package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// invalidAsNotFound turns the refusal of an identifier that breaks SWF's
// rules (so that nothing can have it) into a 404, as for one that names
// nothing.
func invalidAsNotFound(err error, format string, args ...any) error {
	var ve *swfapi.ValidationError
	if errors.As(err, &ve) {
		return notFound(format+": %v", append(args, ve)...)
	}
	return err
}

// executionPage is what an execution's page shows.
type executionPage struct {
	Chrome
	Title                       string
	Crumbs                      []link
	WorkflowID, RunID           string
	Status, StatusClass         string
	Parent                      *link
	Info, Config, Counts        []field
	Tags                        []string
	Context                     payload
	Running                     *runningPanel
	Events                      []eventRow
	Newest, Compact             bool
	Folded                      int
	OldestURL, NewestURL        string
	CompactURL, FullURL         string
	DownloadURL, RefreshURL     string
	Next, Prev, First           string
	HistoryPageSize             int
	HasContext, CancelRequested bool
	Actions                     *actionsPanel
	// Archived, for a run read back from the archive, says when it was
	// archived.
	Archived string
	// resetURL, when set, is the confirmation page of re-running from an
	// event (a DecisionTaskCompleted).
	resetURL func(id int64) string
}

// eventRow is a history event as the console shows it.
type eventRow struct {
	ID                    int64
	Time, Type, TypeClass string
	Rel                   string
	Attributes            string
	Links                 []link
	Target                bool
	// ResetURL, on a DecisionTaskCompleted with actions on, re-runs the
	// workflow from that decision.
	ResetURL string
}

// execution serves an execution's page: its detail, its running work and
// a page of its history. Given a workflowId alone, it sends the browser to
// the workflow's open run, or its latest closed one.
func (h *handler) execution(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	domain := r.PathValue("domain")
	q := r.URL.Query()
	wid, rid := q.Get("workflowId"), q.Get("runId")
	if wid == "" {
		h.fail(w, r, &pageError{status: http.StatusBadRequest, msg: "An execution's page needs its workflowId (and, for a run other than the latest, its runId): ?workflowId=…&runId=….",
			back: domainURL(domain), backText: "the domain's executions"})
		return
	}
	if rid == "" {
		h.latestRun(w, r, domain, wid)
		return
	}
	ex := &swfapi.WorkflowExecution{WorkflowId: &wid, RunId: &rid}
	describe := &swfapi.DescribeWorkflowExecutionInput{Domain: &domain, Execution: ex}
	d, err := call(ctx, describe, h.svc.DescribeWorkflowExecution)
	if err != nil {
		h.fail(w, r, invalidAsNotFound(err, "There is no execution of workflowId %q and runId %q in domain %q", wid, rid, domain))
		return
	}
	p := h.executionPageOf(domain, d)
	if _, ok := h.svc.(resetter); ok && h.actions {
		p.resetURL = func(id int64) string { return resetURL(domain, wid, rid, id) }
	}
	at := func(more ...string) string { return executionURL(domain, wid, rid, more...) }
	if err := h.historyOf(r, p, domain, wid, at, h.livePages(domain, ex)); err != nil {
		h.fail(w, r, err)
		return
	}
	if rw, ok := h.svc.(runningWorker); ok && swfapi.Deref(d.ExecutionInfo.ExecutionStatus) == swfapi.ExecutionStatusOpen {
		// Running work is part of what DescribeWorkflowExecution shows,
		// in more detail: the same permission.
		work, err := call(ctx, describe, func(ctx context.Context, in *swfapi.DescribeWorkflowExecutionInput) (*engine.RunningWork, error) {
			return rw.RunningWork(ctx, *in.Domain, in.Execution)
		})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Running = runningPanelOf(domain, work, h.now(), func(id int64) string {
			return executionURL(domain, wid, rid, "event", strconv.FormatInt(id, 10)) + "#" + eventAnchor(id)
		})
	}
	if n, err := refreshOf(q); err == nil {
		p.Refresh = n
	}
	p.Actions = h.actionsOf(domain, d)
	h.render(w, r, http.StatusOK, "execution", p)
}

// latestRun sends the browser to a workflow's open run or, when it has
// none, the one started last.
func (h *handler) latestRun(w http.ResponseWriter, r *http.Request, domain, wid string) {
	ctx := r.Context()
	filter := &swfapi.WorkflowExecutionFilter{WorkflowId: &wid}
	allTime := &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(time.Unix(0, 0))}
	one := swfapi.Ptr(int32(1))
	open, err := call(ctx, &swfapi.ListOpenWorkflowExecutionsInput{Domain: &domain, StartTimeFilter: allTime, ExecutionFilter: filter, MaximumPageSize: one}, h.svc.ListOpenWorkflowExecutions)
	if err != nil {
		h.fail(w, r, invalidAsNotFound(err, "There is no workflow %q in domain %q", wid, domain))
		return
	}
	infos := open.ExecutionInfos
	if len(infos) == 0 {
		closed, err := call(ctx, &swfapi.ListClosedWorkflowExecutionsInput{Domain: &domain, StartTimeFilter: allTime, ExecutionFilter: filter, MaximumPageSize: one}, h.svc.ListClosedWorkflowExecutions)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		infos = closed.ExecutionInfos
	}
	if len(infos) == 0 {
		h.fail(w, r, &pageError{status: http.StatusNotFound, msg: fmt.Sprintf("Domain %q has no run of workflowId %q, open or within its retention period.", domain, wid),
			back: domainURL(domain), backText: "the domain's executions"})
		return
	}
	ex := swfapi.Deref(infos[0].Execution)
	http.Redirect(w, r, executionURL(domain, wid, swfapi.Deref(ex.RunId)), http.StatusFound)
}

// executionPageOf shows a run's description.
func (h *handler) executionPageOf(domain string, d *swfapi.WorkflowExecutionDetail) *executionPage {
	info := swfapi.Deref(d.ExecutionInfo)
	ex := swfapi.Deref(info.Execution)
	wid, rid := swfapi.Deref(ex.WorkflowId), swfapi.Deref(ex.RunId)
	self := executionURL(domain, wid, rid)
	wt := swfapi.Deref(info.WorkflowType)
	status := string(swfapi.Deref(info.ExecutionStatus))
	if info.CloseStatus != nil {
		status = string(*info.CloseStatus)
	}
	now := h.now()
	p := &executionPage{
		Title:      wid,
		Crumbs:     []link{{Text: domain, URL: domainURL(domain)}, {Text: wid + " / " + rid, URL: self}},
		WorkflowID: wid, RunID: rid, Status: status, StatusClass: statusClass(status),
		Tags: info.TagList, CancelRequested: swfapi.Deref(info.CancelRequested), HistoryPageSize: HistoryPageSize,
		DownloadURL: runURL(domainURL(domain)+"/history.json", wid, rid),
	}
	p.Info = fields(
		"workflow type", swfapi.Deref(wt.Name)+" "+swfapi.Deref(wt.Version),
		"execution status", string(swfapi.Deref(info.ExecutionStatus)),
		"close status", string(swfapi.Deref(info.CloseStatus)),
		"started", relTime(info.StartTimestamp, now),
		"closed", relTime(info.CloseTimestamp, now),
		"latest activity task", relTime(d.LatestActivityTaskTimestamp, now),
	)
	if par := info.Parent; par != nil {
		p.Parent = &link{Label: "parent", Text: swfapi.Deref(par.WorkflowId) + " / " + swfapi.Deref(par.RunId),
			URL: executionURL(domain, swfapi.Deref(par.WorkflowId), swfapi.Deref(par.RunId))}
	}
	c := swfapi.Deref(d.ExecutionConfiguration)
	p.Config = fields(
		"task list", taskListName(c.TaskList),
		"task priority", swfapi.Deref(c.TaskPriority),
		"execution start-to-close", seconds(c.ExecutionStartToCloseTimeout),
		"task start-to-close", seconds(c.TaskStartToCloseTimeout),
		"child policy", string(swfapi.Deref(c.ChildPolicy)),
		"Lambda role", swfapi.Deref(c.LambdaRole),
	)
	oc := swfapi.Deref(d.OpenCounts)
	count := func(n *int32) string { return strconv.Itoa(int(swfapi.Deref(n))) }
	p.Counts = []field{
		{"activity tasks", count(oc.OpenActivityTasks)},
		{"decision tasks", count(oc.OpenDecisionTasks)},
		{"timers", count(oc.OpenTimers)},
		{"child executions", count(oc.OpenChildWorkflowExecutions)},
		{"Lambda functions", count(oc.OpenLambdaFunctions)},
	}
	if d.LatestExecutionContext != nil {
		p.HasContext, p.Context = true, payloadOf(*d.LatestExecutionContext)
	}
	return p
}

// relTime shows a time as "3m ago (exact)"; nil shows as nothing.
func relTime(t *swfapi.Timestamp, now time.Time) string {
	if t == nil {
		return ""
	}
	return whenOf(&t.Time, now).Rel + " (" + formatTime(t) + ")"
}

// historyPages reads a page of a run's history: from a page token (""
// for the first page), oldest or newest first. It returns the events and
// the token of the next page, "" after the last.
type historyPages func(ctx context.Context, token string, newest bool) ([]swfapi.HistoryEvent, string, error)

// livePages reads the history of a run in the database, through
// GetWorkflowExecutionHistory.
func (h *handler) livePages(domain string, ex *swfapi.WorkflowExecution) historyPages {
	return func(ctx context.Context, token string, newest bool) ([]swfapi.HistoryEvent, string, error) {
		in := &swfapi.GetWorkflowExecutionHistoryInput{Domain: &domain, Execution: ex, MaximumPageSize: swfapi.Ptr(int32(HistoryPageSize)),
			ReverseOrder: &newest, NextPageToken: optional(token)}
		hist, err := call(ctx, in, h.svc.GetWorkflowExecutionHistory)
		if err != nil {
			return nil, "", err
		}
		return hist.Events, swfapi.Deref(hist.NextPageToken), nil
	}
}

// historyOf fills in the page of the run's history the query asks for:
// oldest or newest first, whole or compact, from a page token or from the
// page that holds a given event. at is the URL of the run's page with
// more query parameters, as pairs of key and value.
func (h *handler) historyOf(r *http.Request, p *executionPage, domain, wid string, at func(more ...string) string, pages historyPages) error {
	q := r.URL.Query()
	self := at()
	switch q.Get("order") {
	case "", "oldest":
	case "newest":
		p.Newest = true
	default:
		return &pageError{status: http.StatusBadRequest, msg: fmt.Sprintf("order is %q: it is oldest (the default) or newest.", q.Get("order")), back: self, backText: "the history from its start"}
	}
	switch q.Get("view") {
	case "", "full":
	case "compact":
		p.Compact = true
	default:
		return &pageError{status: http.StatusBadRequest, msg: fmt.Sprintf("view is %q: it is full (the default) or compact.", q.Get("view")), back: self, backText: "the history from its start"}
	}
	var target int64
	if s := q.Get("event"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return &pageError{status: http.StatusBadRequest, msg: fmt.Sprintf("event is %q: it is an event id.", s), back: self, backText: "the history from its start"}
		}
		target = n
	}
	order, view := "", ""
	if p.Newest {
		order = "newest"
	}
	if p.Compact {
		view = "compact"
	}
	with := func(more ...string) string {
		return at(append([]string{"order", order, "view", view}, more...)...)
	}
	p.OldestURL = at("view", view)
	p.NewestURL = at("order", "newest", "view", view)
	p.CompactURL = at("order", order, "view", "compact")
	p.FullURL = at("order", order)
	p.RefreshURL = with("refresh", "10")

	// Pages already seen, so that a previous page can be offered: each
	// link carries the tokens of the pages before it (see listPages).
	var back []string
	if s := q.Get("page_back"); s != "" {
		back = strings.Split(s, " ")
	}
	token := q.Get("page")
	for {
		events, next, err := pages(r.Context(), token, p.Newest)
		if err != nil {
			if statusOf(err) == http.StatusBadRequest {
				err = &pageError{status: http.StatusBadRequest, msg: err.Error(), back: self, backText: "the history from its start"}
			}
			return err
		}
		if target != 0 && next != "" && !holds(events, target) {
			// Look for the event on the following pages.
			back, token = append(back, token), next
			continue
		}
		if err := h.eventRows(p, domain, wid, events, target); err != nil {
			return err
		}
		at := url.Values{"page": {token}, "page_back": {strings.Join(back, " ")}}
		p.First, p.Prev, p.Next = listPages(at, "page", next, func(key, value, back string) string { return with(key, value, key+"_back", back) })
		return nil
	}
}

// holds reports whether events hold the event with this id.
func holds(events []swfapi.HistoryEvent, id int64) bool {
	for _, e := range events {
		n := swfapi.Deref(e.EventId)
		if e.Raw != nil {
			var head struct {
				EventID int64 `json:"eventId"`
			}
			json.Unmarshal(e.Raw, &head)
			n = head.EventID
		}
		if n == id {
			return true
		}
	}
	return false
}

// compactFolded are the events a compact history leaves out: the
// bookkeeping of decision tasks, which says little once they completed.
var compactFolded = map[string]bool{"DecisionTaskScheduled": true, "DecisionTaskStarted": true, "DecisionTaskCompleted": true}

// eventRows shows a page of events on p.
func (h *handler) eventRows(p *executionPage, domain, wid string, events []swfapi.HistoryEvent, target int64) error {
	now := h.now()
	for _, e := range events {
		row, err := eventRowOf(domain, wid, e, now)
		if err != nil {
			return err
		}
		row.Target = row.ID == target
		if p.resetURL != nil && row.Type == "DecisionTaskCompleted" {
			row.ResetURL = p.resetURL(row.ID)
		}
		if p.Compact && compactFolded[row.Type] && !row.Target {
			p.Folded++
			continue
		}
		p.Events = append(p.Events, row)
	}
	return nil
}

// eventRowOf shows an event: its attributes (the one *EventAttributes
// member it has) as indented JSON, payloads decoded, and links to the
// other executions they name.
func eventRowOf(domain, workflowID string, e swfapi.HistoryEvent, now time.Time) (eventRow, error) {
	if e.Raw != nil {
		// The engine hands out events as it stored them, in JSON.
		var decoded swfapi.HistoryEvent
		if err := json.Unmarshal(e.Raw, &decoded); err != nil {
			return eventRow{}, fmt.Errorf("read event %s: %w", e.Raw, err)
		}
		e = decoded
	}
	typ := string(swfapi.Deref(e.EventType))
	row := eventRow{ID: swfapi.Deref(e.EventId), Time: formatTime(e.EventTimestamp), Type: typ, TypeClass: eventClass(typ)}
	if e.EventTimestamp != nil && !now.IsZero() {
		row.Rel = whenOf(&e.EventTimestamp.Time, now).Rel
	}
	v := reflect.ValueOf(e)
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		if !strings.HasSuffix(f.Name, "EventAttributes") || fv.Kind() != reflect.Pointer || fv.IsNil() {
			continue
		}
		b, err := marshalUnescaped(fv.Interface())
		if err != nil {
			return eventRow{}, fmt.Errorf("show event %d: %w", row.ID, err)
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, decodePayloads(b), "", "  "); err != nil {
			return eventRow{}, fmt.Errorf("show event %d: %w", row.ID, err)
		}
		row.Attributes = ind.String()
		row.Links = eventLinks(domain, workflowID, typ, fv.Elem())
		break
	}
	return row, nil
}

// marshalUnescaped is json.Marshal without escaping <, > and &:
// html/template escapes, and \u003c would only hinder reading.
func marshalUnescaped(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// eventLinks links to the executions an event's attributes name: a child,
// a parent, an execution signalled or asked to cancel (or that did so),
// the run continued from or as.
func eventLinks(domain, workflowID, eventType string, attrs reflect.Value) []link {
	var links []link
	add := func(label, wid, rid string) {
		if wid != "" && rid != "" {
			links = append(links, link{Label: label, Text: wid + " / " + rid, URL: executionURL(domain, wid, rid)})
		}
	}
	var targetWID, targetRID string
	for i := range attrs.NumField() {
		name, fv := attrs.Type().Field(i).Name, attrs.Field(i)
		switch x := fv.Interface().(type) {
		case *swfapi.WorkflowExecution:
			if x == nil {
				continue
			}
			label := "execution"
			switch {
			case name == "ParentWorkflowExecution":
				label = "parent"
			case name == "ExternalWorkflowExecution":
				label = "from"
			case strings.HasPrefix(eventType, "ChildWorkflowExecution"):
				label = "child"
			case strings.Contains(eventType, "External"):
				label = "target"
			}
			add(label, swfapi.Deref(x.WorkflowId), swfapi.Deref(x.RunId))
		case *string:
			switch name {
			case "NewExecutionRunId":
				add("new run", workflowID, swfapi.Deref(x))
			case "ContinuedExecutionRunId":
				add("previous run", workflowID, swfapi.Deref(x))
			case "WorkflowId":
				targetWID = swfapi.Deref(x)
			case "RunId":
				targetRID = swfapi.Deref(x)
			}
		}
	}
	// Signals and cancellations of other executions name them by
	// workflowId and, when the decider gave it, runId.
	add("target", targetWID, targetRID)
	return links
}

// eventClass is the CSS class that colours an event type: closing events
// by how the run closed, failures and time-outs as such.
func eventClass(t string) string {
	switch {
	case t == "WorkflowExecutionCompleted":
		return "st-completed"
	case strings.HasSuffix(t, "Failed"), strings.HasSuffix(t, "TimedOut"), t == "WorkflowExecutionTerminated":
		return "st-bad"
	case strings.HasPrefix(t, "WorkflowExecution"):
		return "st-open"
	}
	return ""
}
