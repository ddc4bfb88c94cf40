package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// archiver is what the console needs of a service to show the runs its
// archive keeps past their retention (an openswf extension); the engine
// has it. Its calls check their openswf:* actions themselves, for the
// user in the context.
type archiver interface {
	Archiving() bool
	ListArchivedExecutions(ctx context.Context, in *engine.ListArchivedExecutionsInput) (*engine.ListArchivedExecutionsOutput, error)
	GetArchivedExecution(ctx context.Context, in *engine.GetArchivedExecutionInput) (*archive.Record, error)
}

// archiverOf is the service's archive, if it has one.
func (h *handler) archiverOf() (archiver, bool) {
	a, ok := h.svc.(archiver)
	if !ok || !a.Archiving() {
		return nil, false
	}
	return a, true
}

// archivedURL is the path of a domain's archived runs.
func archivedURL(domain string) string {
	return domainURL(domain) + "/archived"
}

// archivedExecutionURL is the path of an archived run's page, with more
// query parameters, given as pairs of key and value, if any.
func archivedExecutionURL(domain, workflowID, runID string, more ...string) string {
	return runURL(archivedURL(domain)+"/execution", workflowID, runID, more...)
}

// archivedPage is what a domain's archived runs page shows.
type archivedPage struct {
	Chrome
	Title, Domain     string
	Crumbs            []link
	Action            string
	WorkflowID        string
	Rows              []link
	Next, Prev, First string
}

// archived serves a page of a domain's archived runs, of one workflowId
// when the query names one.
func (h *handler) archived(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	a, ok := h.archiverOf()
	if !ok {
		h.fail(w, r, notFound("This server keeps no archive: it was started without --archive."))
		return
	}
	q := r.URL.Query()
	wid := q.Get("workflowId")
	self := archivedURL(domain)
	out, err := a.ListArchivedExecutions(r.Context(), &engine.ListArchivedExecutionsInput{Domain: domain, WorkflowID: wid,
		NextPageToken: q.Get("page"), MaximumPageSize: ExecutionPageSize})
	if err != nil {
		if statusOf(err) == http.StatusBadRequest {
			err = &pageError{status: http.StatusBadRequest, msg: err.Error(), back: self, backText: "the first page"}
		}
		h.fail(w, r, err)
		return
	}
	p := &archivedPage{Title: "Archived runs of " + domain, Domain: domain, Action: self, WorkflowID: wid,
		Crumbs: []link{{Text: domain, URL: domainURL(domain)}, {Text: "archived", URL: self}}}
	for _, ref := range out.Executions {
		p.Rows = append(p.Rows, link{Label: ref.WorkflowID, Text: ref.RunID, URL: archivedExecutionURL(domain, ref.WorkflowID, ref.RunID)})
	}
	p.First, p.Prev, p.Next = listPages(q, "page", out.NextPageToken, func(key, value, back string) string {
		return withQuery(self, url.Values{"workflowId": {wid}, key: {value}, key + "_back": {back}})
	})
	h.render(w, r, http.StatusOK, "archived", p)
}

// archivedRecord reads the archived run the query names.
func (h *handler) archivedRecord(r *http.Request) (*archive.Record, error) {
	domain := r.PathValue("domain")
	a, ok := h.archiverOf()
	if !ok {
		return nil, notFound("This server keeps no archive: it was started without --archive.")
	}
	q := r.URL.Query()
	wid, rid := q.Get("workflowId"), q.Get("runId")
	if wid == "" || rid == "" {
		return nil, &pageError{status: http.StatusBadRequest, msg: "An archived run's page needs its workflowId and runId: ?workflowId=…&runId=….",
			back: archivedURL(domain), backText: "the domain's archived runs"}
	}
	return a.GetArchivedExecution(r.Context(), &engine.GetArchivedExecutionInput{Domain: domain, WorkflowID: wid, RunID: rid})
}

// archivedExecution serves an archived run's page: its detail and its
// history, as the execution page shows a run in the database.
func (h *handler) archivedExecution(w http.ResponseWriter, r *http.Request) {
	rec, err := h.archivedRecord(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	domain := r.PathValue("domain")
	wid, rid := r.URL.Query().Get("workflowId"), r.URL.Query().Get("runId")
	p := h.executionPageOf(domain, &swfapi.WorkflowExecutionDetail{ExecutionInfo: rec.ExecutionInfo,
		ExecutionConfiguration: rec.ExecutionConfiguration, LatestExecutionContext: rec.LatestExecutionContext})
	self := archivedExecutionURL(domain, wid, rid)
	p.Crumbs = []link{{Text: domain, URL: domainURL(domain)}, {Text: "archived", URL: archivedURL(domain)}, {Text: wid + " / " + rid, URL: self}}
	p.Archived = relTime(rec.ArchivedAt, h.now())
	p.DownloadURL = runURL(archivedURL(domain)+"/history.json", wid, rid)
	at := func(more ...string) string { return archivedExecutionURL(domain, wid, rid, more...) }
	if err := h.historyOf(r, p, domain, wid, at, recordPages(rec.Events)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "execution", p)
}

// archivedHistoryJSON serves an archived run's whole history as a file,
// as historyJSON does a run's in the database.
func (h *handler) archivedHistoryJSON(w http.ResponseWriter, r *http.Request) {
	rec, err := h.archivedRecord(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	h.writeHistory(w, r, q.Get("workflowId"), q.Get("runId"), rec.Events)
}

// recordPages pages through a history held whole, HistoryPageSize events
// a page; a page's token is the offset of its first event.
func recordPages(events []swfapi.HistoryEvent) historyPages {
	return func(_ context.Context, token string, newest bool) ([]swfapi.HistoryEvent, string, error) {
		from := 0
		if token != "" {
			n, err := strconv.Atoi(token)
			if err != nil || n < 0 || n > len(events) {
				return nil, "", badRequest("page is %q: it is a page of this history that the console linked to.", token)
			}
			from = n
		}
		all := events
		if newest {
			all = slices.Clone(events)
			slices.Reverse(all)
		}
		to := min(from+HistoryPageSize, len(all))
		next := ""
		if to < len(all) {
			next = strconv.Itoa(to)
		}
		return all[from:to], next, nil
	}
}
