package console_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/console"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// extensionUsers are an admin who may do anything, openswf's own actions
// on archives and resets included, and an operator who may do anything
// SWF's API does (swf:* does not grant openswf:* actions).
func extensionUsers(t *testing.T) *auth.Authenticator {
	t.Helper()
	file := auth.File{Users: []auth.User{
		{Name: "admin", AccessKeys: []auth.AccessKey{{AccessKeyID: swftest.AccessKeyID, SecretAccessKey: swftest.SecretAccessKey}},
			Policies: []json.RawMessage{json.RawMessage(`{"Statement": [{"Effect": "Allow", "Action": ["swf:*", "openswf:*"], "Resource": "*"}]}`)}},
		{Name: "operator", AccessKeys: []auth.AccessKey{{AccessKeyID: "AKIDOPERATOR", SecretAccessKey: "operator-secret-0123456789"}},
			Policies: []json.RawMessage{json.RawMessage(`{"Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}`)}},
	}}
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	return a
}

// archiveServer is a server with a file archive, console actions, the
// extension users (when users is set) and its log in logs (when given).
func archiveServer(t *testing.T, users bool, logs io.Writer) *swftest.Server {
	t.Helper()
	dir := t.TempDir()
	return swftest.Start(t, swftest.WithConfig(func(c *server.Config) {
		c.ArchiveURL = "file://" + dir
		c.ConsoleActions = true
		if users {
			c.Auth = extensionUsers(t)
		}
		if logs != nil {
			c.Logger = slog.New(slog.NewTextHandler(logs, nil))
		}
	}))
}

// archivedWorld is domain "arch" (one day's retention) with a completed
// run order-7, whose result is JSON, and runs filler-00… terminated,
// enough for two pages of archived runs; the clock is then moved past
// their retention, so that all of them are archived and deleted.
func archivedWorld(t *testing.T, s *swftest.Server, fillers int) *types.WorkflowExecution {
	t.Helper()
	c := s.Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("arch"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(t, err)
	registerOrder(t, c, "arch")
	ex := start(t, c, "arch", "order-7", "deciders", "rush")
	decide(t, c, "arch", "deciders", types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution,
		CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String(`{"shipped":true,"box":"<b>"}`)}})
	for i := range fillers {
		f := start(t, c, "arch", "filler-"+twoDigits(i), "fillers")
		_, err := c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String("arch"), WorkflowId: f.WorkflowId, RunId: f.RunId})
		must(t, err)
	}
	s.Clock.Advance(24*time.Hour + time.Second)
	must(t, s.FireDueTimers(ctx))
	_, err = c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("arch"), Execution: ex})
	var unknown *types.UnknownResourceFault
	if !errors.As(err, &unknown) {
		t.Fatalf("after its retention, describing the run: %v", err)
	}
	return ex
}

func twoDigits(i int) string {
	if i < 10 {
		return "0" + strconv.Itoa(i)
	}
	return strconv.Itoa(i)
}

// TestConsoleArchived: once their retention has ended, runs are listed
// from the archive (a page at a time, or those of one workflowId) and each
// is read back like an execution: its detail, its history with JSON
// payloads indented, compact, and as a download in the AWS CLI's shape.
// Reading the archive needs openswf's own actions.
func TestConsoleArchived(t *testing.T) {
	t.Parallel()
	s := archiveServer(t, true, nil)
	ex := archivedWorld(t, s, console.ExecutionPageSize)
	admin := newBrowser(t, s)
	admin.signIn(swftest.AccessKeyID, swftest.SecretAccessKey)

	list := admin.send(href(t, admin.send("/console/domains/arch", nil).body, "archived runs"), nil)
	if list.status != http.StatusOK {
		t.Fatalf("the archived runs: %d\n%s", list.status, list.body)
	}
	if n := len(hrefs(list.body, "/archived/execution?")); n != 2*console.ExecutionPageSize {
		t.Errorf("the first page links %d runs (twice each), want %d", n, 2*console.ExecutionPageSize)
	}
	next := admin.send(href(t, list.body, "next page »"), nil)
	contains(t, "the second page", next.body, "order-7", "« first page", "‹ previous page")
	lacks(t, "the second page", next.body, "filler-00", "next page »")

	one := admin.send("/console/domains/arch/archived?workflowId=order-7", nil)
	runs := hrefs(one.body, "/archived/execution?")
	if len(runs) != 2 || !strings.Contains(runs[0], url.QueryEscape(aws.ToString(ex.RunId))) {
		t.Fatalf("filtered by workflowId, the runs are %q", runs)
	}
	run := admin.send(runs[0], nil)
	if run.status != http.StatusOK {
		t.Fatalf("the archived run: %d\n%s", run.status, run.body)
	}
	contains(t, "the archived run", run.body, "COMPLETED", "Read back from the archive", "order 1", "deciders", "rush",
		"WorkflowExecutionStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted",
		"&#34;shipped&#34;: true", "&#34;box&#34;: &#34;&lt;b&gt;&#34;", "context &lt;ctx&gt;")
	lacks(t, "the archived run", run.body, "Open counts", "auto-refresh", "Re-run from here", "<b>")

	compact := admin.send(href(t, run.body, "compact"), nil).body
	contains(t, "the compact archived history", compact, "3 decision task events folded", "WorkflowExecutionCompleted")
	lacks(t, "the compact archived history", compact, ">DecisionTaskStarted<")
	newest := admin.send(href(t, run.body, "newest first"), nil).body
	if strings.Index(newest, ">WorkflowExecutionCompleted<") > strings.Index(newest, ">WorkflowExecutionStarted<") {
		t.Error("newest first, the archived history starts with its first event")
	}
	if r := admin.send(strings.Replace(runs[0], "execution?", "execution?page=x&", 1), nil); r.status != http.StatusBadRequest {
		t.Errorf("a page token the console did not give: %d", r.status)
	}

	dl := admin.send(href(t, run.body, "download history (JSON)"), nil)
	var file struct {
		Events []map[string]any `json:"events"`
	}
	must(t, json.Unmarshal([]byte(dl.body), &file))
	if len(file.Events) != 5 || file.Events[0]["eventType"] != "WorkflowExecutionStarted" || file.Events[0]["eventTimestamp"] != "2026-01-02T03:04:05+00:00" ||
		!strings.Contains(dl.header.Get("Content-Disposition"), "history-order-7-") {
		t.Errorf("the download (%s):\n%s", dl.header.Get("Content-Disposition"), dl.body)
	}

	// An operator may use SWF's API, not openswf's archive.
	op := newBrowser(t, s)
	op.signIn("AKIDOPERATOR", "operator-secret-0123456789")
	for _, path := range []string{"/console/domains/arch/archived", runs[0]} {
		if r := op.send(path, nil); r.status != http.StatusForbidden || !strings.Contains(r.body, "openswf:") {
			t.Errorf("the operator's %s: %d\n%s", path, r.status, r.body)
		}
	}
	if r := admin.send("/console/domains/arch/archived/execution?workflowId=order-7&runId=other", nil); r.status != http.StatusNotFound {
		t.Errorf("a run the archive does not hold: %d", r.status)
	}
}

// TestConsoleNoArchive: without --archive the domain page offers no
// archived runs, and their pages answer 404.
func TestConsoleNoArchive(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	lacks(t, "the domain page", page(t, w.Server, "/console/domains/shop", http.StatusOK), "archived runs")
	for _, path := range []string{"/console/domains/shop/archived", "/console/domains/shop/archived/execution?workflowId=order-42&runId=x"} {
		contains(t, path, page(t, w.Server, path, http.StatusNotFound), "--archive")
	}
}
