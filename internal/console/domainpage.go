package console

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// domainPage is what a domain's page shows.
type domainPage struct {
	Chrome
	Title         string
	Crumbs        []link
	Domain        domainRow
	Open, Closed  execList
	Filter        execFilter
	WorkflowTypes []typeRow
	ActivityTypes []typeRow
	// RefreshURL turns auto-refresh on; StopURL turns it off.
	RefreshURL, StopURL string
	// ArchivedURL lists the domain's archived runs, when the server has
	// an archive.
	ArchivedURL string
}

// execList is a page of executions.
type execList struct {
	Rows []execRow
	// Count is how many there are in all, when known.
	Count string
	// Next, Prev and First are the pages to go to, when there are any.
	Next, Prev, First string
}

// execRow is an execution in a list.
type execRow struct {
	WorkflowID, RunID, URL, Type, Status, StatusClass string
	Start, Close                                      when
	Tags                                              []string
	CancelRequested                                   bool
}

// execFilter is the form that filters the executions.
type execFilter struct {
	Action, Status, WorkflowID, TypeName, TypeVersion, Tag, Days, Since, OpenDays string
	Statuses                                                                      []option
	// Active is whether any filter is set; Note tells what the console
	// does that the API could not.
	Active bool
	Note   string
}

// option is an option of a select.
type option struct {
	Value, Text string
	Selected    bool
}

// execQuery is the filters of the executions' listings, as the query
// gives them.
type execQuery struct {
	status                                 swfapi.CloseStatus
	workflowID, typeName, typeVersion, tag string
	// days is the parameter as given ("" for the default).
	days  string
	since time.Time
	// openDays is how many days back open executions started ("" for any
	// time), and openSince when that window starts.
	openDays  string
	openSince time.Time
}

// parseExecQuery reads the executions' filters from the query: the
// workflowId, the type, the tag and, for closed executions, the close
// status and how many days back, and, in the links of later pages, the
// exact time the window starts (page tokens are bound to it, so it must
// not move while paging); and how many days back open executions started
// (open_days, with open_since in later pages' links). SWF filters by one
// of workflowId, type and tag at a time, and so does the console.
func (h *handler) parseExecQuery(q url.Values) (execQuery, error) {
	c := execQuery{status: swfapi.CloseStatus(q.Get("status")), workflowID: q.Get("workflowId"), typeName: q.Get("type"),
		typeVersion: q.Get("version"), tag: q.Get("tag"), days: q.Get("days")}
	if c.status != "" && !c.status.Valid() {
		return c, badRequest("The status %q is not a close status: it is one of %v, or empty for any.", c.status, swfapi.CloseStatusValues)
	}
	n := 0
	for _, v := range []string{c.workflowID, c.typeName, c.tag} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return c, badRequest("SWF lists executions by one of workflowId, type and tag at a time, not by several: clear all but one.")
	}
	if c.typeVersion != "" && c.typeName == "" {
		return c, badRequest("A type version filters only with its type's name.")
	}
	days := defaultDays
	if c.days != "" {
		n, err := strconv.Atoi(c.days)
		if err != nil || n < 1 || n > maxDays {
			return c, badRequest("days is %q: it must be a whole number of days from 1 to %d.", c.days, maxDays)
		}
		days = n
	}
	c.openDays = q.Get("open_days")
	if c.openDays != "" {
		n, err := strconv.Atoi(c.openDays)
		if err != nil || n < 1 || n > maxDays {
			return c, badRequest("open_days is %q: it must be a whole number of days from 1 to %d.", c.openDays, maxDays)
		}
		c.openSince = h.now().Add(-time.Duration(n) * 24 * time.Hour).UTC()
		if s := q.Get("open_since"); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return c, badRequest("open_since is %q: it must be a time in RFC 3339 form.", s)
			}
			c.openSince = t.UTC()
		}
		c.openSince = c.openSince.Truncate(time.Millisecond)
	}
	if s := q.Get("closed_since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return c, badRequest("closed_since is %q: it must be a time in RFC 3339 form.", s)
		}
		c.since = t.UTC()
	} else {
		c.since = h.now().Add(-time.Duration(days) * 24 * time.Hour).UTC()
	}
	c.since = c.since.Truncate(time.Millisecond)
	return c, nil
}

// filters are the API's filters of a query: one of these is set.
func (c execQuery) filters() (*swfapi.WorkflowExecutionFilter, *swfapi.WorkflowTypeFilter, *swfapi.TagFilter) {
	switch {
	case c.workflowID != "":
		return &swfapi.WorkflowExecutionFilter{WorkflowId: &c.workflowID}, nil, nil
	case c.typeName != "":
		return nil, &swfapi.WorkflowTypeFilter{Name: &c.typeName, Version: optional(c.typeVersion)}, nil
	case c.tag != "":
		return nil, nil, &swfapi.TagFilter{Tag: &c.tag}
	}
	return nil, nil, nil
}

// optional is s, or nil when it is empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// listPages links the pages of a listing: the token of this page is in the
// query under key, and those of the pages before it under key+"_back", so
// that a previous page can be offered. link makes a URL with the key set.
func listPages(q url.Values, key, next string, link func(key, value, back string) string) (first, prev, nextURL string) {
	token := q.Get(key)
	var back []string
	if s := q.Get(key + "_back"); s != "" {
		back = strings.Split(s, " ")
	}
	if next != "" {
		nextURL = link(key, next, strings.Join(append(slices.Clone(back), token), " "))
	}
	if token != "" {
		first = link(key, "", "")
		p := ""
		if len(back) > 0 {
			p, back = back[len(back)-1], back[:len(back)-1]
		}
		prev = link(key, p, strings.Join(back, " "))
	}
	return first, prev, nextURL
}

// domain serves a domain's page: its open and closed executions, a page
// of each, filtered as the query says, and its types.
func (h *handler) domain(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("domain")
	d, err := call(ctx, &swfapi.DescribeDomainInput{Name: &name}, h.svc.DescribeDomain)
	if err != nil {
		h.fail(w, r, invalidAsNotFound(err, "There is no domain %q", name))
		return
	}
	self := domainURL(name)
	q := r.URL.Query()
	eq, err := h.parseExecQuery(q)
	if err != nil {
		h.fail(w, r, &pageError{status: http.StatusBadRequest, msg: err.Error(), back: self, backText: "the domain without filters"})
		return
	}
	p := &domainPage{Title: name, Crumbs: []link{{Text: name, URL: self}}, Domain: domainRowOf(d)}

	// The state of the page, which every link keeps but for what it
	// changes.
	state := url.Values{
		"status": {string(eq.status)}, "workflowId": {eq.workflowID}, "type": {eq.typeName}, "version": {eq.typeVersion}, "tag": {eq.tag},
		"days": {eq.days}, "closed_since": {eq.since.Format(time.RFC3339Nano)}, "open_days": {eq.openDays},
	}
	for _, k := range []string{"open_page", "open_page_back", "closed_page", "closed_page_back"} {
		state.Set(k, q.Get(k))
	}
	link := func(kv ...string) string {
		v := url.Values{}
		for k, vs := range state {
			v[k] = slices.Clone(vs)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return withQuery(self, v)
	}
	if eq.openDays != "" {
		state.Set("open_since", eq.openSince.Format(time.RFC3339Nano))
	}
	pageLink := func(key, value, back string) string { return link(key, value, key+"_back", back) }
	if n, err := refreshOf(q); err == nil {
		p.Refresh = n
	}
	state.Set("refresh", q.Get("refresh"))
	p.RefreshURL, p.StopURL = link("refresh", "10"), link("refresh", "")
	if _, ok := h.archiverOf(); ok {
		p.ArchivedURL = archivedURL(name)
	}
	if err := h.openList(ctx, p, name, eq, q, pageLink); err != nil {
		h.listFailed(w, r, err, pageLink("open_page", "", ""))
		return
	}
	if err := h.closedList(ctx, p, name, eq, q, pageLink); err != nil {
		h.listFailed(w, r, err, pageLink("closed_page", "", ""))
		return
	}
	p.Filter = filterForm(self, eq)
	if p.WorkflowTypes, err = h.workflowTypes(ctx, name); err != nil {
		h.fail(w, r, err)
		return
	}
	if p.ActivityTypes, err = h.activityTypes(ctx, name); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "domain", p)
}

// listFailed answers for a listing that failed; one refused as bad
// (most likely a page token that expired) offers the first page.
func (h *handler) listFailed(w http.ResponseWriter, r *http.Request, err error, first string) {
	if statusOf(err) == http.StatusBadRequest {
		err = &pageError{status: http.StatusBadRequest, msg: err.Error(), back: first, backText: "the first page"}
	}
	h.fail(w, r, err)
}

// openList fills in a page of the open executions, newest first, and
// their count.
func (h *handler) openList(ctx context.Context, p *domainPage, name string, eq execQuery, q url.Values, pageLink func(key, value, back string) string) error {
	allTime := &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(time.Unix(0, 0))}
	if eq.openDays != "" {
		allTime.OldestDate = swfapi.At(eq.openSince)
	}
	ef, tf, tg := eq.filters()
	in := &swfapi.ListOpenWorkflowExecutionsInput{Domain: &name, StartTimeFilter: allTime, ExecutionFilter: ef, TypeFilter: tf, TagFilter: tg,
		MaximumPageSize: swfapi.Ptr(int32(ExecutionPageSize)), NextPageToken: optional(q.Get("open_page"))}
	open, err := call(ctx, in, h.svc.ListOpenWorkflowExecutions)
	if err != nil {
		return err
	}
	p.Open.Rows = execRows(name, open.ExecutionInfos, h.now())
	p.Open.First, p.Open.Prev, p.Open.Next = listPages(q, "open_page", swfapi.Deref(open.NextPageToken), pageLink)
	n, err := call(ctx, &swfapi.CountOpenWorkflowExecutionsInput{Domain: &name, StartTimeFilter: allTime, ExecutionFilter: ef, TypeFilter: tf, TagFilter: tg},
		h.svc.CountOpenWorkflowExecutions)
	if err != nil {
		return err
	}
	p.Open.Count = countText(n)
	return nil
}

// countText shows a count, and whether it was cut short.
func countText(n *swfapi.WorkflowExecutionCount) string {
	s := strconv.Itoa(int(swfapi.Deref(n.Count)))
	if swfapi.Deref(n.Truncated) {
		s = "more than " + s
	}
	return s
}

// closedList fills in a page of the executions closed since the window's
// start, most recently closed first, and their count. The API takes one
// filter at a time: given a workflowId and a close status, the console
// asks for the workflowId and keeps the status itself.
func (h *handler) closedList(ctx context.Context, p *domainPage, name string, eq execQuery, q url.Values, pageLink func(key, value, back string) string) error {
	ef, tf, tg := eq.filters()
	in := &swfapi.ListClosedWorkflowExecutionsInput{Domain: &name, CloseTimeFilter: &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(eq.since)},
		ExecutionFilter: ef, TypeFilter: tf, TagFilter: tg,
		MaximumPageSize: swfapi.Ptr(int32(ExecutionPageSize)), NextPageToken: optional(q.Get("closed_page"))}
	keepStatus := eq.status != "" && (ef != nil || tf != nil || tg != nil)
	if eq.status != "" && !keepStatus {
		in.CloseStatusFilter = &swfapi.CloseStatusFilter{Status: eq.status.Ptr()}
	}
	closed, err := call(ctx, in, h.svc.ListClosedWorkflowExecutions)
	if err != nil {
		return err
	}
	infos := closed.ExecutionInfos
	if keepStatus {
		infos = slices.DeleteFunc(slices.Clone(infos), func(info swfapi.WorkflowExecutionInfo) bool { return swfapi.Deref(info.CloseStatus) != eq.status })
	}
	p.Closed.Rows = execRows(name, infos, h.now())
	p.Closed.First, p.Closed.Prev, p.Closed.Next = listPages(q, "closed_page", swfapi.Deref(closed.NextPageToken), pageLink)
	if keepStatus {
		return nil
	}
	n, err := call(ctx, &swfapi.CountClosedWorkflowExecutionsInput{Domain: &name, CloseTimeFilter: in.CloseTimeFilter, ExecutionFilter: ef, TypeFilter: tf,
		TagFilter: tg, CloseStatusFilter: in.CloseStatusFilter}, h.svc.CountClosedWorkflowExecutions)
	if err != nil {
		return err
	}
	p.Closed.Count = countText(n)
	return nil
}

// filterForm shows the filters as the form that sets them.
func filterForm(action string, eq execQuery) execFilter {
	f := execFilter{Action: action, Status: string(eq.status), WorkflowID: eq.workflowID, TypeName: eq.typeName, TypeVersion: eq.typeVersion,
		Tag: eq.tag, Days: cmp.Or(eq.days, strconv.Itoa(defaultDays)), Since: eq.since.Format("2006-01-02T15:04:05.000Z07:00"), OpenDays: eq.openDays}
	f.Active = eq.status != "" || eq.workflowID != "" || eq.typeName != "" || eq.tag != "" || eq.days != "" || eq.openDays != ""
	f.Statuses = append(f.Statuses, option{Value: "", Text: "any", Selected: eq.status == ""})
	for _, s := range swfapi.CloseStatusValues {
		f.Statuses = append(f.Statuses, option{Value: string(s), Text: string(s), Selected: s == eq.status})
	}
	if eq.status != "" && (eq.workflowID != "" || eq.typeName != "" || eq.tag != "") {
		f.Note = "The API filters closed executions by one of workflowId, type, tag and close status: the console lists those of the other filter and keeps those " +
			string(eq.status) + " itself, so a page may hold fewer than " + strconv.Itoa(ExecutionPageSize) + ", and no count is shown."
	}
	return f
}

func execRows(domain string, infos []swfapi.WorkflowExecutionInfo, now time.Time) []execRow {
	rows := make([]execRow, 0, len(infos))
	for _, info := range infos {
		ex := swfapi.Deref(info.Execution)
		wt := swfapi.Deref(info.WorkflowType)
		wid, rid := swfapi.Deref(ex.WorkflowId), swfapi.Deref(ex.RunId)
		status := string(swfapi.Deref(info.ExecutionStatus))
		if info.CloseStatus != nil {
			status = string(*info.CloseStatus)
		}
		row := execRow{
			WorkflowID: wid, RunID: rid, URL: executionURL(domain, wid, rid),
			Type:   swfapi.Deref(wt.Name) + " " + swfapi.Deref(wt.Version),
			Status: status, StatusClass: statusClass(status), Tags: info.TagList, CancelRequested: swfapi.Deref(info.CancelRequested),
		}
		if info.StartTimestamp != nil {
			row.Start = whenOf(&info.StartTimestamp.Time, now)
		}
		if info.CloseTimestamp != nil {
			row.Close = whenOf(&info.CloseTimestamp.Time, now)
		}
		rows = append(rows, row)
	}
	return rows
}
