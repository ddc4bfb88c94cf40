package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/console"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/swftest"
)

var ctx = context.Background()

// nastyID is a workflowId with every character that means something in a
// URL or in HTML. SWF forbids ':', '/' and '|' in workflowIds, so it has
// none of those; scriptID, which has a '/', is looked up but cannot exist.
const (
	nastyID  = `a?b#c d&e=f+g%2F <script>alert(1)<\script> "q" 'x' .. é`
	scriptID = `<script>alert(1)</script>`
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// noRedirects is an HTTP client that shows redirects instead of following
// them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// response is an answer of the server.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the server; answers from the console must carry
// its security headers, whatever their status.
func do(t *testing.T, s *swftest.Server, method, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, nil)
	must(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	r := response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if strings.HasPrefix(path, "/console/") {
		if got := r.header.Get("Content-Security-Policy"); got != "default-src 'none'; style-src 'unsafe-inline'" {
			t.Errorf("%s %s: Content-Security-Policy %q", method, path, got)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q", method, path, got)
		}
	}
	return r
}

// page GETs a console page and fails the test unless it answers with the
// status.
func page(t *testing.T, s *swftest.Server, path string, status int) string {
	t.Helper()
	r := do(t, s, http.MethodGet, path)
	if r.status != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if strings.Contains(r.body, "<script") {
		t.Fatalf("GET %s: the page has a <script>:\n%s", path, r.body)
	}
	return r.body
}

var (
	hrefRE = regexp.MustCompile(`href="([^"]*)"`)
	nextRE = regexp.MustCompile(`href="([^"]*)">next page`)
)

// href returns the target of the link whose text is text, as a browser
// would read it from the attribute.
func href(t *testing.T, body, text string) string {
	t.Helper()
	re := regexp.MustCompile(`href="([^"]*)"[^>]*>` + regexp.QuoteMeta(esc(text)) + `</a>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link %q in\n%s", text, body)
	}
	return html.UnescapeString(m[1])
}

// hrefs returns the targets of the links whose target contains part.
func hrefs(body, part string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		if u := html.UnescapeString(m[1]); strings.Contains(u, part) {
			out = append(out, u)
		}
	}
	return out
}

// between is the part of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	_, after, ok := strings.Cut(s, from)
	if !ok {
		t.Fatalf("no %q in\n%s", from, s)
	}
	part, _, ok := strings.Cut(after, to)
	if !ok {
		t.Fatalf("no %q after %q in\n%s", to, from, s)
	}
	return part
}

// esc escapes text as html/template does.
func esc(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;")
}

func contains(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s does not show %q:\n%s", what, p, s)
		}
	}
}

func lacks(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(s, p) {
			t.Errorf("%s shows %q:\n%s", what, p, s)
		}
	}
}

func registerDomain(t *testing.T, c *swf.Client, name, description string) {
	t.Helper()
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(name), Description: aws.String(description), WorkflowExecutionRetentionPeriodInDays: aws.String("7")})
	must(t, err)
}

func registerOrder(t *testing.T, c *swf.Client, domain string) {
	t.Helper()
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(domain), Name: aws.String("order"), Version: aws.String("1"), Description: aws.String("takes <orders>"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("deciders")},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
}

func start(t *testing.T, c *swf.Client, domain, workflowID, taskList string, tags ...string) *types.WorkflowExecution {
	t.Helper()
	out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: aws.String(workflowID),
		WorkflowType: &types.WorkflowType{Name: aws.String("order"), Version: aws.String("1")}, TaskList: &types.TaskList{Name: aws.String(taskList)},
		TagList: tags, Input: aws.String("input of " + workflowID)})
	must(t, err)
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: out.RunId}
}

// decide polls a task list, which must hold a decision task, and answers
// it with the decisions.
func decide(t *testing.T, c *swf.Client, domain, taskList string, decisions ...types.Decision) {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	task, err := c.PollForDecisionTask(pctx, &swf.PollForDecisionTaskInput{Domain: aws.String(domain), TaskList: &types.TaskList{Name: aws.String(taskList)}})
	must(t, err)
	if task.TaskToken == nil {
		t.Fatalf("no decision task on %s", taskList)
	}
	_, err = c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: decisions, ExecutionContext: aws.String("context <ctx>")})
	must(t, err)
}

// world is a server holding a bit of everything the console shows.
type world struct {
	*swftest.Server
	done, nasty, kid *types.WorkflowExecution
}

const domain = "shop"

func newWorld(t *testing.T) *world {
	t.Helper()
	s := swftest.Start(t)
	c := s.Client
	w := &world{Server: s}
	registerDomain(t, c, domain, "the <b>shop</b> domain")
	registerDomain(t, c, "retired", "gone")
	_, err := c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("retired")})
	must(t, err)
	registerOrder(t, c, domain)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(domain), Name: aws.String("legacy"), Version: aws.String("0")})
	must(t, err)
	_, err = c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(domain), WorkflowType: &types.WorkflowType{Name: aws.String("legacy"), Version: aws.String("0")}})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: aws.String(domain), Name: aws.String("charge-card"), Version: aws.String("2"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String("workers")},
		DefaultTaskScheduleToStartTimeout: aws.String("60"),
		DefaultTaskScheduleToCloseTimeout: aws.String("600"),
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskHeartbeatTimeout:       aws.String("NONE"),
	})
	must(t, err)

	// One run completes at once.
	w.done = start(t, c, domain, "order-42", "finish", "rush", "gift")
	decide(t, c, domain, "finish", types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
		CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("shipped <fast>")}})
	// Another, with a nasty workflowId, stays open and starts a child.
	w.nasty = start(t, c, domain, nastyID, "nasty", "team=web @ops")
	decide(t, c, domain, "nasty", types.Decision{DecisionType: types.DecisionTypeStartChildWorkflowExecution,
		StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("kid-1"), WorkflowType: &types.WorkflowType{Name: aws.String("order"), Version: aws.String("1")},
			TaskList: &types.TaskList{Name: aws.String("kids")},
		}})
	open, err := c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(domain),
		StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("kid-1")}})
	must(t, err)
	if len(open.ExecutionInfos) != 1 {
		t.Fatalf("the child did not start: %+v", open.ExecutionInfos)
	}
	w.kid = open.ExecutionInfos[0].Execution
	return w
}

func TestConsole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)

	t.Run("domains", func(t *testing.T) {
		t.Parallel()
		body := page(t, w.Server, "/console/", http.StatusOK)
		contains(t, "the domains", body, "shop", "retired", "REGISTERED", "DEPRECATED", "the &lt;b&gt;shop&lt;/b&gt; domain", ">7<")
		if got := href(t, body, "shop"); got != "/console/domains/shop" {
			t.Errorf("link to the domain: %q", got)
		}
		// HEAD answers the same, without a body.
		r := do(t, w.Server, http.MethodHead, "/console/")
		if r.status != http.StatusOK || r.body != "" {
			t.Errorf("HEAD: %d %q", r.status, r.body)
		}
	})

	t.Run("domain", func(t *testing.T) {
		t.Parallel()
		body := page(t, w.Server, "/console/domains/shop", http.StatusOK)
		contains(t, "the domain's page", body, "the &lt;b&gt;shop&lt;/b&gt; domain", "7 days")
		open := between(t, body, `id="open"`, `id="closed"`)
		closed := between(t, body, `id="closed"`, `id="workflow-types"`)
		wfTypes := between(t, body, `id="workflow-types"`, `id="activity-types"`)
		actTypes := between(t, body, `id="activity-types"`, "</main>")

		contains(t, "the open executions", open, esc(nastyID), aws.ToString(w.nasty.RunId), "kid-1", "team=web @ops", "order 1", "(2,", "2026-01-02T03:04:05.000Z")
		lacks(t, "the open executions", open, "order-42")
		contains(t, "the closed executions", closed, "order-42", aws.ToString(w.done.RunId), "COMPLETED", "rush", "gift", "(1,")
		lacks(t, "the closed executions", closed, "kid-1")
		contains(t, "the workflow types", wfTypes, "order", "takes &lt;orders&gt;", "legacy", "DEPRECATED", "REGISTERED", "deciders", "3600 s", "30 s", "TERMINATE")
		contains(t, "the activity types", actTypes, "charge-card", "workers", "60 s", "600 s", "300 s", "NONE")
		// Newest first: the child started after its parent.
		if strings.Index(open, "kid-1") > strings.Index(open, esc(nastyID)) {
			t.Errorf("open executions are not newest first:\n%s", open)
		}
	})

	t.Run("completed execution", func(t *testing.T) {
		t.Parallel()
		link := href(t, page(t, w.Server, "/console/domains/shop", http.StatusOK), "order-42")
		body := page(t, w.Server, link, http.StatusOK)
		contains(t, "the completed run's page", body, "order-42", aws.ToString(w.done.RunId), "COMPLETED", "order 1", "finish", "3600 s", "TERMINATE",
			"context &lt;ctx&gt;", "rush", "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted",
			`&#34;result&#34;: &#34;shipped &lt;fast&gt;&#34;`, `&#34;input&#34;: &#34;input of order-42&#34;`)
		if i, j := strings.Index(body, ">WorkflowExecutionStarted<"), strings.Index(body, ">WorkflowExecutionCompleted<"); i < 0 || j < i {
			t.Errorf("history not oldest first")
		}
		body = page(t, w.Server, link+"&order=newest", http.StatusOK)
		if i, j := strings.Index(body, ">WorkflowExecutionStarted<"), strings.Index(body, ">WorkflowExecutionCompleted<"); j < 0 || i < j {
			t.Errorf("history not newest first")
		}
	})

	t.Run("nasty workflowId", func(t *testing.T) {
		t.Parallel()
		link := href(t, page(t, w.Server, "/console/domains/shop", http.StatusOK), nastyID)
		u, err := url.Parse(link)
		must(t, err)
		if got := u.Query().Get("workflowId"); got != nastyID || u.Path != "/console/domains/shop/execution" {
			t.Fatalf("link %q: path %q, workflowId %q", link, u.Path, got)
		}
		body := page(t, w.Server, link, http.StatusOK)
		contains(t, "the nasty run's page", body, esc(nastyID), aws.ToString(w.nasty.RunId), "OPEN",
			"StartChildWorkflowExecutionInitiated", "ChildWorkflowExecutionStarted", "team=web @ops")
		lacks(t, "the nasty run's page", body, "<script>alert(1)")
		// Its running work: the child, linked; the kid's, a decision task
		// waiting for a decider.
		running := between(t, body, `id="running"`, `</section>`)
		contains(t, "the nasty run's running work", running, "Child executions (1)", `">kid-1</a>`, aws.ToString(w.kid.RunId))
		kidRunning := between(t, page(t, w.Server, href(t, running, "kid-1"), http.StatusOK), `id="running"`, `</section>`)
		contains(t, "the child's running work", kidRunning, "Decision task", "scheduled", "kids", "waiting for a decider")

		// The child's event links to the child, whose page links back.
		kid := href(t, body, "kid-1 / "+aws.ToString(w.kid.RunId))
		body = page(t, w.Server, kid, http.StatusOK)
		contains(t, "the child's page", body, "kid-1", "parent")
		back := href(t, body, nastyID+" / "+aws.ToString(w.nasty.RunId))
		if back != link {
			t.Errorf("the child's link to its parent is %q, not %q", back, link)
		}
		page(t, w.Server, back, http.StatusOK)

		// As a filter of closed executions, the workflowId round-trips too.
		body = page(t, w.Server, "/console/domains/shop?workflowId="+url.QueryEscape(nastyID), http.StatusOK)
		contains(t, "the filter", body, `value="`+esc(nastyID)+`"`)
		for _, l := range hrefs(body, "closed_since") {
			if u, err := url.Parse(l); err != nil || u.Query().Get("workflowId") != nastyID {
				t.Errorf("link %q loses the workflowId (%v)", l, err)
			}
		}
	})

	t.Run("open filters", func(t *testing.T) {
		t.Parallel()
		open := func(query string) string {
			body := page(t, w.Server, "/console/domains/shop?"+query, http.StatusOK)
			return between(t, body, `id="open"`, `id="closed"`)
		}
		contains(t, "every open run", open(""), "kid-1", "team=web @ops")
		contains(t, "by tag", open("tag="+url.QueryEscape("team=web @ops")), "team=web @ops", "(1,")
		lacks(t, "by tag", open("tag="+url.QueryEscape("team=web @ops")), "kid-1")
		contains(t, "by workflowId", open("workflowId=kid-1"), "kid-1", "(1,")
		contains(t, "by type", open("type=order&version=1"), "kid-1", "(2,")
		contains(t, "by another type", open("type=legacy"), "(0,")
		contains(t, "started in the last day", open("open_days=1"), "kid-1", "(2,")
		contains(t, "started since a later time", open("open_days=1&open_since=2026-01-02T04:00:00Z"), "(0,")
		page(t, w.Server, "/console/domains/shop?open_days=0", http.StatusBadRequest)
		body := page(t, w.Server, "/console/domains/shop?workflowId=kid-1&tag=x", http.StatusBadRequest)
		contains(t, "two filters", body, "one of workflowId, type and tag")
		page(t, w.Server, "/console/domains/shop?version=1", http.StatusBadRequest)
	})

	t.Run("closed filters", func(t *testing.T) {
		t.Parallel()
		closed := func(query string) string {
			body := page(t, w.Server, "/console/domains/shop?"+query, http.StatusOK)
			return between(t, body, `id="closed"`, `id="workflow-types"`)
		}
		contains(t, "COMPLETED", closed("status=COMPLETED"), "order-42")
		lacks(t, "FAILED", closed("status=FAILED"), "order-42")
		contains(t, "its workflowId", closed("workflowId=order-42"), "order-42")
		lacks(t, "another workflowId", closed("workflowId=order-43"), "order-42")
		both := closed("workflowId=order-42&status=COMPLETED")
		contains(t, "its workflowId and status", both, "order-42", "keeps those COMPLETED itself")
		lacks(t, "its workflowId and another status", closed("workflowId=order-42&status=TIMED_OUT"), ">order-42<")
		contains(t, "one day", closed("days=1"), "order-42")
		for _, q := range []string{"status=BOGUS", "days=0", "days=x", "days=99999999", "closed_since=yesterday", "open_page=forged", "closed_page=forged"} {
			body := page(t, w.Server, "/console/domains/shop?"+q, http.StatusBadRequest)
			contains(t, q, body, "400 Bad Request")
		}
	})

	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		body := page(t, w.Server, "/console/domains/nowhere", http.StatusNotFound)
		contains(t, "a missing domain", body, "404 Not Found", "Unknown domain: nowhere")
		body = page(t, w.Server, "/console/domains/shop/execution?workflowId=order-42&runId=nope", http.StatusNotFound)
		contains(t, "a missing run", body, "404 Not Found", "Unknown execution")
		body = page(t, w.Server, "/console/domains/nowhere/execution?workflowId=order-42&runId="+aws.ToString(w.done.RunId), http.StatusNotFound)
		contains(t, "a run of a missing domain", body, "Unknown domain")
		// A workflowId SWF forbids names no execution: it is shown, escaped.
		body = page(t, w.Server, "/console/domains/shop/execution?workflowId="+url.QueryEscape(scriptID)+"&runId=r", http.StatusNotFound)
		contains(t, "a forbidden workflowId", body, esc(scriptID))
		page(t, w.Server, "/console/domains/"+url.PathEscape("a/b"), http.StatusNotFound)
		body = page(t, w.Server, "/console/domains/%2E%2E", http.StatusNotFound) // not cleaned into /console/
		contains(t, "the domain ..", body, "Unknown domain: ..")
		page(t, w.Server, "/console/nothing/here", http.StatusNotFound)
		page(t, w.Server, "/console/domains/shop/execution?runId="+aws.ToString(w.done.RunId), http.StatusBadRequest)
		// A workflowId alone opens its latest run.
		r := do(t, w.Server, http.MethodGet, "/console/domains/shop/execution?workflowId=order-42")
		if loc := r.header.Get("Location"); r.status != http.StatusFound || !strings.Contains(loc, "runId="+aws.ToString(w.done.RunId)) {
			t.Errorf("workflowId alone: %d, Location %q", r.status, loc)
		}
		page(t, w.Server, "/console/domains/shop/execution?workflowId=never-ran", http.StatusNotFound)
	})

	t.Run("methods", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/console/", "/console/domains/shop"} {
			r := do(t, w.Server, http.MethodPost, path)
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("POST %s: %d, Allow %q", path, r.status, r.header.Get("Allow"))
			}
		}
		// The API still answers POST /.
		_, err := w.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(domain)})
		must(t, err)
	})

	t.Run("root", func(t *testing.T) {
		t.Parallel()
		r := do(t, w.Server, http.MethodGet, "/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		if r.status != http.StatusOK || !strings.Contains(r.body, `/console/">Console</a>`) {
			t.Errorf("a browser at / is not shown the way to the console: %d %q", r.status, r.body)
		}
		r = do(t, w.Server, http.MethodGet, "/")
		if r.status != http.StatusOK || !strings.Contains(r.body, "Amazon SWF API") {
			t.Errorf("a client at /: %d %q", r.status, r.body)
		}
	})
}

// TestConsoleOtherMethods refuses every method but GET and HEAD, before
// anything else (the service is not even there).
func TestConsoleOtherMethods(t *testing.T) {
	t.Parallel()
	h := console.New(nil)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/console/domains/x", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" ||
			rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", m, rec.Code, rec.Header())
		}
	}
}

// failing is a service whose every listing of domains fails.
type failing struct{ swfapi.Service }

func (failing) ListDomains(context.Context, *swfapi.ListDomainsInput) (*swfapi.DomainInfos, error) {
	return nil, errors.New("the disk is on <fire>")
}

// unavailable is a service whose database is out of disk space.
type unavailable struct{ swfapi.Service }

func (unavailable) ListDomains(context.Context, *swfapi.ListDomainsInput) (*swfapi.DomainInfos, error) {
	return nil, store.Unavailable(errors.New("no space left on device"))
}

// TestConsoleServiceError shows an error of the service, other than a
// missing resource or a refused argument, as a 500, and an outage of the
// database as a 503, without their text (which stays in the log).
func TestConsoleServiceError(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	console.New(failing{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/console/", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "disk") || !strings.Contains(rec.Body.String(), "reference") {
		t.Errorf("%d\n%s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("no Content-Security-Policy on an error: %v", rec.Header())
	}
	rec = httptest.NewRecorder()
	console.New(unavailable{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/console/", nil))
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "no space") || !strings.Contains(rec.Body.String(), "reference") {
		t.Errorf("an outage of the database: %d\n%s", rec.Code, rec.Body)
	}
}

func TestConsolePaging(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	registerDomain(t, c, "busy", "")
	registerOrder(t, c, "busy")
	n := console.ExecutionPageSize + 5
	var runs []*types.WorkflowExecution
	for i := range n {
		runs = append(runs, start(t, c, "busy", fmt.Sprintf("run-%02d", i), "deciders"))
		s.Clock.Advance(time.Second)
	}

	// Pages through a list, by its next-page links, until the last, and
	// returns how often each workflowId was seen.
	pageThrough := func(section, closedSection string) map[string]int {
		seen := map[string]int{}
		link, pages := "/console/domains/busy", 0
		for link != "" {
			pages++
			body := page(t, s, link, http.StatusOK)
			part := between(t, body, `id="`+section+`"`, `id="`+closedSection+`"`)
			for _, m := range regexp.MustCompile(`>(run-\d\d)</a></td><td class="id">`).FindAllStringSubmatch(part, -1) {
				seen[m[1]]++
			}
			link = ""
			if m := nextRE.FindStringSubmatch(part); m != nil {
				link = html.UnescapeString(m[1])
				if !strings.Contains(link, section+"_page=") {
					t.Fatalf("the next page of %s executions is %q", section, link)
				}
			}
			if pages == 1 && link == "" {
				t.Fatalf("no next page of %s executions:\n%s", section, part)
			}
			if pages > 1 && !strings.Contains(part, "first page") {
				t.Errorf("page %d of %s has no link to the first", pages, section)
			}
			if pages > 1 {
				// The previous page is the first again.
				m := regexp.MustCompile(`href="([^"]*)">‹ previous page`).FindStringSubmatch(part)
				if m == nil {
					t.Fatalf("page %d of %s has no link to the previous one", pages, section)
				}
				prev := between(t, page(t, s, html.UnescapeString(m[1]), http.StatusOK), `id="`+section+`"`, `id="`+closedSection+`"`)
				if strings.Contains(prev, "first page") || !nextRE.MatchString(prev) {
					t.Errorf("the previous page of %s is not the first:\n%s", section, prev)
				}
			}
		}
		if pages != 2 {
			t.Errorf("%d pages of %s executions, want 2", pages, section)
		}
		return seen
	}
	check := func(seen map[string]int) {
		t.Helper()
		if len(seen) != n {
			t.Errorf("%d executions seen, want %d: %v", len(seen), n, seen)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("%s listed %d times", id, k)
			}
		}
	}
	check(pageThrough("open", "closed"))

	for _, r := range runs {
		_, err := c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String("busy"), WorkflowId: r.WorkflowId, RunId: r.RunId})
		must(t, err)
		s.Clock.Advance(time.Second)
	}
	check(pageThrough("closed", "workflow-types"))

}

// TestConsoleHistoryPaging pages through a history longer than a page.
func TestConsoleHistoryPaging(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	registerDomain(t, c, "loud", "")
	registerOrder(t, c, "loud")
	ex := start(t, c, "loud", "listener", "deciders")
	for i := range console.HistoryPageSize {
		_, err := c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String("loud"), WorkflowId: ex.WorkflowId,
			SignalName: aws.String(fmt.Sprintf("signal-%d", i)), Input: aws.String(`{"n": ` + fmt.Sprint(i) + `}`)})
		must(t, err)
	}
	last := console.HistoryPageSize + 2 // started, decision scheduled, the signals
	body := page(t, s, href(t, page(t, s, "/console/domains/loud", http.StatusOK), "listener"), http.StatusOK)
	contains(t, "the first page", body, `id="event-1"`, fmt.Sprintf(`id="event-%d"`, console.HistoryPageSize), "WorkflowExecutionSignaled", "signal-0")
	lacks(t, "the first page", body, fmt.Sprintf(`id="event-%d"`, console.HistoryPageSize+1), "first page")
	body = page(t, s, href(t, body, "next page »"), http.StatusOK)
	contains(t, "the second page", body, fmt.Sprintf(`id="event-%d"`, last), "first page", "signal-99")
	lacks(t, "the second page", body, `id="event-1"`, "next page")
	prev := page(t, s, href(t, body, "‹ previous page"), http.StatusOK)
	contains(t, "the previous page", prev, `id="event-1"`, "next page »")

	// The download is the whole history, as the AWS CLI prints it.
	dl := do(t, s, http.MethodGet, href(t, body, "download history (JSON)"))
	var hist struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(dl.body), &hist); err != nil || dl.status != http.StatusOK {
		t.Fatalf("the download: %d %v\n%s", dl.status, err, dl.body)
	}
	if cd := dl.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || len(hist.Events) != last ||
		hist.Events[0]["eventTimestamp"] != "2026-01-02T03:04:05+00:00" || hist.Events[last-1]["eventType"] != "WorkflowExecutionSignaled" ||
		!strings.Contains(dl.body, "\n    \"events\": [\n        {") {
		t.Errorf("the download: %q, %d events, first %v", cd, len(hist.Events), hist.Events[0])
	}

	// A link to an event opens the page that holds it, the event marked.
	body = page(t, s, "/console/domains/loud/execution?workflowId=listener&runId="+url.QueryEscape(aws.ToString(ex.RunId))+fmt.Sprintf("&event=%d", last), http.StatusOK)
	contains(t, "the page of the last event", body, fmt.Sprintf(`id="event-%d" class="target"`, last), "‹ previous page")
	// Compact, the decision task's bookkeeping is folded; JSON payloads
	// are indented.
	body = page(t, s, "/console/domains/loud/execution?view=compact&workflowId=listener&runId="+url.QueryEscape(aws.ToString(ex.RunId)), http.StatusOK)
	contains(t, "the compact history", body, "1 decision task events folded", "&#34;input&#34;: {\n    &#34;n&#34;: 0\n  }")
	lacks(t, "the compact history", body, ">DecisionTaskScheduled<")

	// Newest first, the last event leads.
	body = page(t, s, href(t, body, "newest first"), http.StatusOK)
	if i, j := strings.Index(body, fmt.Sprintf(`id="event-%d"`, last)), strings.Index(body, `id="event-3"`); i < 0 || j < i {
		t.Errorf("newest first does not start with event %d", last)
	}
	body = page(t, s, href(t, body, "next page »"), http.StatusOK)
	contains(t, "the second page, newest first", body, `id="event-1"`)
}

// TestConsoleClosedWindow lists the runs closed in the last days of the
// server's clock.
func TestConsoleClosedWindow(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	registerDomain(t, c, "slow", "")
	registerOrder(t, c, "slow")
	ex := start(t, c, "slow", "old-run", "deciders")
	_, err := c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String("slow"), WorkflowId: ex.WorkflowId})
	must(t, err)
	s.Clock.Advance(3 * 24 * time.Hour)
	closed := func(query string) string {
		body := page(t, s, "/console/domains/slow"+query, http.StatusOK)
		return between(t, body, `id="closed"`, `id="workflow-types"`)
	}
	contains(t, "the last 30 days", closed(""), "old-run", "TERMINATED", "2025-12-06T03:04:05.000Z")
	lacks(t, "the last 2 days", closed("?days=2"), "old-run")
	contains(t, "the last 4 days", closed("?days=4&status=TERMINATED"), "old-run")
	contains(t, "closed since an hour before", closed("?closed_since=2026-01-02T02:04:05Z"), "old-run")
	lacks(t, "closed since an hour after", closed("?closed_since=2026-01-02T04:04:05Z"), "old-run")
}

// browser is an HTTP client with cookies that does not follow redirects,
// as a browser on the console would be.
type browser struct {
	t *testing.T
	s *swftest.Server
	c *http.Client
}

func newBrowser(t *testing.T, s *swftest.Server) *browser {
	jar, err := cookiejar.New(nil)
	must(t, err)
	return &browser{t: t, s: s, c: &http.Client{Jar: jar, CheckRedirect: noRedirects.CheckRedirect}}
}

// send makes a request: a GET, or a POST of the form when it is given.
func (b *browser) send(path string, form url.Values) response {
	b.t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, b.s.URL()+path, body)
	must(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	must(b.t, err)
	defer resp.Body.Close()
	all, err := io.ReadAll(resp.Body)
	must(b.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(all)}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the CSRF token of the first form on a page.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// signIn fills in the sign-in form and sends it.
func (b *browser) signIn(id, secret string) response {
	b.t.Helper()
	form := b.send("/console/signin?next=%2Fconsole%2F", nil)
	return b.send("/console/signin", url.Values{"csrf": {csrf(b.t, form.body)}, "next": {"/console/"}, "accessKeyId": {id}, "secretAccessKey": {secret}})
}

// signInUsers are an admin who may do anything and a viewer who may look
// at one domain.
func signInUsers(t *testing.T) *auth.Authenticator {
	t.Helper()
	file := auth.File{Users: []auth.User{
		{Name: "admin", AccessKeys: []auth.AccessKey{{AccessKeyID: swftest.AccessKeyID, SecretAccessKey: swftest.SecretAccessKey}},
			Policies: []json.RawMessage{json.RawMessage(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}`)}},
		{Name: "viewer", AccessKeys: []auth.AccessKey{{AccessKeyID: "AKIDVIEWER", SecretAccessKey: "viewer-secret-0123456789"}},
			Policies: []json.RawMessage{json.RawMessage(`{"Statement": [{"Effect": "Allow", "Action": ["swf:List*", "swf:Describe*", "swf:Count*", "swf:GetWorkflowExecutionHistory"], "Resource": "arn:aws:swf:*:*:/domain/public"},
			  {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "*"}]}`)}},
	}}
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	return a
}

// TestConsoleSignIn: a server with a users file asks for an access key and
// its secret in a form, keeps a session in an HttpOnly, SameSite=Strict
// cookie, and shows each user what their policies let the API show.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Auth = signInUsers(t) }))
	registerDomain(t, s.Client, "secret", "")
	registerDomain(t, s.Client, "public", "")

	anon := newBrowser(t, s)
	r := anon.send("/console/domains/secret", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/console/signin?next=") {
		t.Errorf("not signed in: %d, Location %q", r.status, r.header.Get("Location"))
	}
	for _, creds := range [][2]string{{"AKIDVIEWER", "wrong"}, {"AKIDNOBODY", "x"}} {
		r := newBrowser(t, s).signIn(creds[0], creds[1])
		if r.status != http.StatusUnauthorized || r.header.Get("Set-Cookie") != "" && strings.Contains(r.header.Get("Set-Cookie"), "openswf_session") {
			t.Errorf("signed in as %q: %d %v", creds[0], r.status, r.header)
		}
	}
	// A form without this browser's CSRF token signs nobody in.
	r = newBrowser(t, s).send("/console/signin", url.Values{"csrf": {"forged"}, "accessKeyId": {"AKIDVIEWER"}, "secretAccessKey": {"viewer-secret-0123456789"}})
	if r.status != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: %d", r.status)
	}

	viewer := newBrowser(t, s)
	r = viewer.signIn("AKIDVIEWER", "viewer-secret-0123456789")
	cookie := r.header.Get("Set-Cookie")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/console/" ||
		!strings.Contains(cookie, "openswf_session=") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Fatalf("sign-in: %d, Location %q, Set-Cookie %q", r.status, r.header.Get("Location"), cookie)
	}
	// The list shows every domain the viewer may list, described or not.
	r = viewer.send("/console/", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "public") || !strings.Contains(r.body, "secret") || !strings.Contains(r.body, "viewer") {
		t.Errorf("the domains for the viewer: %d\n%s", r.status, r.body)
	}
	if r = viewer.send("/console/domains/public", nil); r.status != http.StatusOK {
		t.Errorf("the viewer's own domain: %d\n%s", r.status, r.body)
	}
	if r = viewer.send("/console/domains/secret", nil); r.status != http.StatusForbidden || !strings.Contains(r.body, "not authorized") {
		t.Errorf("another domain for the viewer: %d\n%s", r.status, r.body)
	}
	admin := newBrowser(t, s)
	admin.signIn(swftest.AccessKeyID, swftest.SecretAccessKey)
	if r = admin.send("/console/domains/secret", nil); r.status != http.StatusOK {
		t.Errorf("the admin: %d\n%s", r.status, r.body)
	}

	// Signing out needs the CSRF token, and ends the session.
	home := viewer.send("/console/", nil)
	if r = viewer.send("/console/signout", url.Values{"csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: %d", r.status)
	}
	if r = viewer.send("/console/signout", url.Values{"csrf": {csrf(t, home.body)}}); r.status != http.StatusSeeOther {
		t.Errorf("sign-out: %d", r.status)
	}
	if r = viewer.send("/console/", nil); r.status != http.StatusSeeOther {
		t.Errorf("after signing out: %d", r.status)
	}
}

// TestConsoleSignInLockout: after MaxSignInFailures failed sign-ins for a
// key, even its right secret is refused until the window has passed;
// each failure is logged at warn with the key id, never the secret.
func TestConsoleSignInLockout(t *testing.T) {
	t.Parallel()
	var logs swftest.Log
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) {
		c.Auth = signInUsers(t)
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}))
	b := newBrowser(t, s)
	for i := range console.MaxSignInFailures {
		if r := b.signIn("AKIDVIEWER", fmt.Sprintf("guess-%d", i)); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	if r := newBrowser(t, s).signIn("AKIDVIEWER", "viewer-secret-0123456789"); r.status != http.StatusTooManyRequests {
		t.Errorf("the right secret after %d failures: %d", console.MaxSignInFailures, r.status)
	}
	// The address is locked out for other keys too.
	if r := newBrowser(t, s).signIn(swftest.AccessKeyID, swftest.SecretAccessKey); r.status != http.StatusTooManyRequests {
		t.Errorf("another key from the same address: %d", r.status)
	}
	s.Clock.Advance(console.LockoutWindow + time.Second)
	if r := newBrowser(t, s).signIn("AKIDVIEWER", "viewer-secret-0123456789"); r.status != http.StatusSeeOther {
		t.Errorf("after the lockout window: %d", r.status)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "console sign-in failed") || !strings.Contains(out, "accessKeyId=AKIDVIEWER") || strings.Contains(out, "guess-") {
		t.Errorf("the log:\n%s", out)
	}
}
