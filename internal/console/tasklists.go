package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// taskLister is what the console needs of a service to list a domain's
// task lists; the engine has it.
type taskLister interface {
	TaskLists(ctx context.Context, domain string) ([]engine.TaskListState, error)
}

// taskListsPage is what a domain's task lists page shows.
type taskListsPage struct {
	Chrome
	Title  string
	Crumbs []link
	Domain string
	Lists  []taskListRow
}

// taskListRow is a task list in use.
type taskListRow struct {
	Kind, Name, Pending string
	Pollers             int
	// Next is when the task a poller would get next was scheduled.
	Next when
}

// taskLists serves a domain's task lists in use: those with tasks waiting
// and those with pollers, each with its pending count as
// CountPendingDecisionTasks or CountPendingActivityTasks answers it (and
// authorizes it) for the signed-in user.
func (h *handler) taskLists(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	domain := r.PathValue("domain")
	tl, ok := h.svc.(taskLister)
	if !ok {
		h.fail(w, r, notFound("This server cannot list task lists."))
		return
	}
	// Describing the domain first: the same answer as its page for a
	// domain that does not exist or may not be seen.
	if _, err := call(ctx, &swfapi.DescribeDomainInput{Name: &domain}, h.svc.DescribeDomain); err != nil {
		h.fail(w, r, invalidAsNotFound(err, "There is no domain %q", domain))
		return
	}
	lists, err := tl.TaskLists(ctx, domain)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	self := domainURL(domain) + "/tasklists"
	p := &taskListsPage{Title: "Task lists of " + domain, Domain: domain,
		Crumbs: []link{{Text: domain, URL: domainURL(domain)}, {Text: "task lists", URL: self}}}
	for _, l := range lists {
		row := taskListRow{Kind: l.Kind, Name: l.TaskList, Pollers: l.Pollers, Next: whenOf(l.NextScheduledAt, h.now())}
		list := &swfapi.TaskList{Name: &l.TaskList}
		var n *swfapi.PendingTaskCount
		if l.Kind == "decision" {
			n, err = call(ctx, &swfapi.CountPendingDecisionTasksInput{Domain: &domain, TaskList: list}, h.svc.CountPendingDecisionTasks)
		} else {
			n, err = call(ctx, &swfapi.CountPendingActivityTasksInput{Domain: &domain, TaskList: list}, h.svc.CountPendingActivityTasks)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row.Pending = pendingText(n)
		p.Lists = append(p.Lists, row)
	}
	if n, err := refreshOf(r.URL.Query()); err == nil {
		p.Refresh = n
	}
	h.render(w, r, http.StatusOK, "tasklists", p)
}

// pendingText shows a pending count, and whether it was cut short.
func pendingText(n *swfapi.PendingTaskCount) string {
	return countText(&swfapi.WorkflowExecutionCount{Count: n.Count, Truncated: n.Truncated})
}

// refreshOf reads the refresh parameter: seconds between reloads, from 5
// to 3600.
func refreshOf(q url.Values) (int, error) {
	s := q.Get("refresh")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 5 || n > 3600 {
		return 0, badRequest("refresh is %q: seconds from 5 to 3600.", s)
	}
	return n, nil
}
