package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// stuck is a run whose activity a worker has started and heartbeated
// once, with details, and then left.
type stuck struct {
	ex        *types.WorkflowExecution
	token     *string
	execURL   string
	domainURL string
}

// startStuck makes a stuck run in domain "ops": activity "copy-1" of
// type copy 1 on task list "copiers", started by worker-7, heartbeat
// timeout 60 s, with one heartbeat whose details are JSON; and a timer.
func startStuck(t *testing.T, s *swftest.Server) *stuck {
	t.Helper()
	c := s.Client
	registerDomain(t, c, "ops", "operations")
	registerOrder(t, c, "ops")
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("ops"), Name: aws.String("copy"), Version: aws.String("1")})
	must(t, err)
	ex := start(t, c, "ops", "backup-2026", "deciders", "nightly")
	decide(t, c, "ops", "deciders",
		types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask, ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
			ActivityId: aws.String("copy-1"), ActivityType: &types.ActivityType{Name: aws.String("copy"), Version: aws.String("1")},
			TaskList: &types.TaskList{Name: aws.String("copiers")}, Input: aws.String(`{"bucket":"b1"}`),
			ScheduleToStartTimeout: aws.String("300"), ScheduleToCloseTimeout: aws.String("3600"), StartToCloseTimeout: aws.String("1800"), HeartbeatTimeout: aws.String("60"),
		}},
		types.Decision{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{
			TimerId: aws.String("deadline"), StartToFireTimeout: aws.String("7200")}})
	task, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("ops"), TaskList: &types.TaskList{Name: aws.String("copiers")}, Identity: aws.String("worker-7")})
	must(t, err)
	if task.TaskToken == nil {
		t.Fatal("no activity task")
	}
	s.Clock.Advance(10 * time.Second)
	_, err = c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken, Details: aws.String(`{"copied":4096,"file":"<db>.sqlite"}`)})
	must(t, err)
	return &stuck{ex: ex, token: task.TaskToken, domainURL: "/console/domains/ops",
		execURL: "/console/domains/ops/execution?workflowId=backup-2026&runId=" + url.QueryEscape(aws.ToString(ex.RunId))}
}

// TestConsoleRunningWork: the execution page shows a started activity's
// worker, last heartbeat and its details, and the time left before each
// of its timeouts; overdue ones are marked.
func TestConsoleRunningWork(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	st := startStuck(t, s)
	body := page(t, s, st.execURL, http.StatusOK)
	running := between(t, body, `id="running"`, `</section>`)
	contains(t, "the running work", running, "copy-1", "copy 1", "copiers", "worker-7", "10s ago",
		"&#34;copied&#34;: 4096", "&#34;file&#34;: &#34;&lt;db&gt;.sqlite&#34;",
		"HEARTBEAT</span> (60 s): <span class=\"\" title=\"", ">1m left<", // 60 s from the heartbeat, which was now
		"START_TO_CLOSE", "29m 50s left", "SCHEDULE_TO_CLOSE", "59m 50s left",
		"deadline", "1h 59m left", // the timer
		`href="/console/domains/ops/execution?event=`)
	lacks(t, "the running work", running, "overdue", "Decision task")

	// Another run waits for its decider: the task lists show it.
	start(t, s.Client, "ops", "restore-1", "deciders")
	s.Clock.Advance(30 * time.Second) // before the heartbeat timeout
	body = page(t, s, href(t, page(t, s, st.domainURL, http.StatusOK), "task lists"), http.StatusOK)
	if !regexp.MustCompile(`decision</span></td><td class="id">deciders</td><td class="num">1</td><td><span class="rel" title="[^"]+">30s ago</span></td><td class="num">0</td>`).MatchString(body) {
		t.Errorf("the task lists page:\n%s", body)
	}
}

// actionServer is a server with users (see signInUsers) and the
// console's actions on.
func actionServer(t *testing.T) *swftest.Server {
	t.Helper()
	return swftest.Start(t, swftest.WithConfig(func(c *server.Config) {
		c.Auth = signInUsers(t)
		c.ConsoleActions = true
	}))
}

// TestConsoleActions: terminating through the console needs actions on,
// a valid CSRF token and a user whose policy allows it; it goes through
// TerminateWorkflowExecution and is audit-logged.
func TestConsoleActions(t *testing.T) {
	t.Parallel()
	s := actionServer(t)
	st := startStuck(t, s)
	registerDomain(t, s.Client, "public", "")
	execURL := st.execURL

	admin := newBrowser(t, s)
	admin.signIn(swftest.AccessKeyID, swftest.SecretAccessKey)
	r := admin.send(execURL, nil)
	terminate := href(t, r.body, "Terminate")
	confirm := admin.send(terminate, nil)
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "cannot be undone") {
		t.Fatalf("the confirmation page: %d\n%s", confirm.status, confirm.body)
	}
	form := url.Values{"op": {"terminate"}, "workflowId": {"backup-2026"}, "runId": {aws.ToString(st.ex.RunId)}, "reason": {"stuck"}}
	isOpen := func() bool {
		d, err := s.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("ops"), Execution: st.ex})
		must(t, err)
		return d.ExecutionInfo.ExecutionStatus == types.ExecutionStatusOpen
	}
	// Without the token, or with another browser's, nothing happens.
	for _, token := range []string{"", "forged", csrf(t, newBrowser(t, s).send("/console/signin", nil).body)} {
		f := url.Values{"csrf": {token}}
		for k, v := range form {
			f[k] = v
		}
		if r := admin.send("/console/domains/ops/action", f); r.status != http.StatusForbidden || !isOpen() {
			t.Fatalf("terminate with CSRF token %q: %d", token, r.status)
		}
	}
	// The viewer, whose policy does not allow it, is refused.
	viewer := newBrowser(t, s)
	viewer.signIn("AKIDVIEWER", "viewer-secret-0123456789")
	vf := url.Values{"csrf": {csrf(t, viewer.send("/console/", nil).body)}}
	for k, v := range form {
		vf[k] = v
	}
	if r := viewer.send("/console/domains/ops/action", vf); r.status != http.StatusForbidden || !strings.Contains(r.body, "not authorized") || !isOpen() {
		t.Fatalf("terminate by the viewer: %d\n%s", r.status, r.body)
	}
	// Signal and request cancel, each from its confirmation page.
	for op, want := range map[string]string{"signal": "WorkflowExecutionSignaled", "cancel": "WorkflowExecutionCancelRequested"} {
		confirm := admin.send(href(t, admin.send(execURL, nil).body, map[string]string{"signal": "Signal", "cancel": "Request cancel"}[op]), nil)
		f := url.Values{"csrf": {csrf(t, confirm.body)}, "op": {op}, "workflowId": {"backup-2026"}, "runId": {aws.ToString(st.ex.RunId)},
			"signalName": {"wake-up"}, "input": {`{"now":true}`}}
		if r := admin.send("/console/domains/ops/action", f); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", op, r.status, r.body)
		}
		contains(t, "the history after "+op, admin.send(execURL+"&order=newest", nil).body, want)
	}
	contains(t, "the signal", admin.send(execURL+"&order=newest", nil).body, "&#34;signalName&#34;: &#34;wake-up&#34;", "&#34;now&#34;: true", "cancel requested")

	// The admin, with the form's token, terminates it.
	form.Set("csrf", csrf(t, confirm.body))
	r = admin.send("/console/domains/ops/action", form)
	if r.status != http.StatusSeeOther || isOpen() {
		t.Fatalf("terminate by the admin: %d\n%s", r.status, r.body)
	}
	body := admin.send(r.header.Get("Location"), nil).body
	contains(t, "the terminated run", body, "TERMINATED", "WorkflowExecutionTerminated", "&#34;reason&#34;: &#34;stuck&#34;")

	// Re-run starts a new run with the same type, input, task list and
	// tags.
	rerun := admin.send(href(t, body, "Re-run"), nil)
	contains(t, "the re-run page", rerun.body, "order 1", "deciders", "nightly", "input of backup-2026")
	r = admin.send("/console/domains/ops/action", url.Values{"csrf": {csrf(t, rerun.body)}, "op": {"rerun"}, "workflowId": {"backup-2026"},
		"runId": {aws.ToString(st.ex.RunId)}, "newWorkflowId": {"backup-2026"}})
	if r.status != http.StatusSeeOther || strings.Contains(r.header.Get("Location"), url.QueryEscape(aws.ToString(st.ex.RunId))) {
		t.Fatalf("re-run: %d, Location %q", r.status, r.header.Get("Location"))
	}
	again := admin.send(r.header.Get("Location"), nil).body
	contains(t, "the new run", again, "OPEN", "nightly", "input of backup-2026")
}

// TestConsoleActionsOff: without --console-actions there are no action
// buttons, and an action's page and POST answer 404.
func TestConsoleActionsOff(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	st := startStuck(t, s)
	b := newBrowser(t, s)
	body := b.send(st.execURL, nil).body
	lacks(t, "the execution page", body, ">Terminate<", "/action?")
	if r := b.send(strings.Replace(st.execURL, "/execution?", "/action?op=terminate&", 1), nil); r.status != http.StatusNotFound {
		t.Errorf("an action's page with actions off: %d", r.status)
	}
	// The page offers no form, so no token: a POST changes nothing.
	form := url.Values{"op": {"terminate"}, "workflowId": {"backup-2026"}, "runId": {aws.ToString(st.ex.RunId)}}
	if r := b.send("/console/domains/ops/action", form); r.status != http.StatusForbidden {
		t.Errorf("an action with actions off: %d", r.status)
	}
	d, err := s.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("ops"), Execution: st.ex})
	must(t, err)
	if d.ExecutionInfo.ExecutionStatus != types.ExecutionStatusOpen {
		t.Errorf("the run is %s", d.ExecutionInfo.ExecutionStatus)
	}
}
