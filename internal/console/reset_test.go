package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// history is a run's whole history, through the API.
func history(t *testing.T, c *swf.Client, domain string, ex *types.WorkflowExecution) []types.HistoryEvent {
	t.Helper()
	out, err := c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: ex})
	must(t, err)
	return out.Events
}

// TestConsoleReset: each DecisionTaskCompleted of a run offers to re-run
// from it; the action needs a CSRF token and openswf:ResetWorkflowExecution,
// terminates the open run, starts a new one whose history is the old
// one's up to that event and then the openswf.reset marker, and is
// audit-logged.
func TestConsoleReset(t *testing.T) {
	t.Parallel()
	var logs swftest.Log
	s := archiveServer(t, true, &logs)
	st := startStuck(t, s) // event 4 is the DecisionTaskCompleted that scheduled the activity
	old := history(t, s.Client, "ops", st.ex)
	if old[3].EventType != types.EventTypeDecisionTaskCompleted {
		t.Fatalf("event 4 is %s", old[3].EventType)
	}
	rid := aws.ToString(st.ex.RunId)

	admin := newBrowser(t, s)
	admin.signIn(swftest.AccessKeyID, swftest.SecretAccessKey)
	links := hrefs(admin.send(st.execURL, nil).body, "op=reset")
	if len(links) != 1 || !strings.Contains(links[0], "eventId=4") {
		t.Fatalf("the re-run links: %q", links)
	}
	confirm := admin.send(links[0], nil)
	contains(t, "the confirmation", confirm.body, "Re-run from here", "event 4", "openswf.reset", `name="eventId" value="4"`)
	form := url.Values{"op": {"reset"}, "workflowId": {"backup-2026"}, "runId": {rid}, "eventId": {"4"}}
	isOpen := func() bool {
		d, err := s.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("ops"), Execution: st.ex})
		must(t, err)
		return d.ExecutionInfo.ExecutionStatus == types.ExecutionStatusOpen
	}

	// Without the token nothing happens; nor for an operator whose policy
	// grants swf:* but not openswf:ResetWorkflowExecution.
	if r := admin.send("/console/domains/ops/action", form); r.status != http.StatusForbidden || !isOpen() {
		t.Fatalf("reset without a CSRF token: %d", r.status)
	}
	op := newBrowser(t, s)
	op.signIn("AKIDOPERATOR", "operator-secret-0123456789")
	opForm := url.Values{"csrf": {csrf(t, op.send(links[0], nil).body)}}
	for k, v := range form {
		opForm[k] = v
	}
	if r := op.send("/console/domains/ops/action", opForm); r.status != http.StatusForbidden || !strings.Contains(r.body, "openswf:ResetWorkflowExecution") || !isOpen() {
		t.Fatalf("reset by the operator: %d\n%s", r.status, r.body)
	}
	bad := url.Values{"csrf": {csrf(t, confirm.body)}, "op": {"reset"}, "workflowId": {"backup-2026"}, "runId": {rid}, "eventId": {"0"}}
	if r := admin.send("/console/domains/ops/action", bad); r.status != http.StatusBadRequest || !isOpen() {
		t.Fatalf("reset from event 0: %d", r.status)
	}
	bad.Set("eventId", "1") // not a DecisionTaskCompleted
	if r := admin.send("/console/domains/ops/action", bad); r.status != http.StatusBadRequest || !strings.Contains(r.body, "DecisionTaskCompleted") || !isOpen() {
		t.Fatalf("reset from event 1: %d\n%s", r.status, r.body)
	}

	form.Set("csrf", csrf(t, confirm.body))
	r := admin.send("/console/domains/ops/action", form)
	loc, _ := url.Parse(r.header.Get("Location"))
	newRID := loc.Query().Get("runId")
	if r.status != http.StatusSeeOther || newRID == "" || newRID == rid || isOpen() {
		t.Fatalf("reset by the admin: %d, Location %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	events := history(t, s.Client, "ops", &types.WorkflowExecution{WorkflowId: aws.String("backup-2026"), RunId: aws.String(newRID)})
	if len(events) < 6 {
		t.Fatalf("the new run's history has %d events", len(events))
	}
	for i := range 4 {
		if events[i].EventType != old[i].EventType || events[i].EventId != old[i].EventId {
			t.Errorf("event %d of the new run is %s, the old run's %s", i+1, events[i].EventType, old[i].EventType)
		}
	}
	if m := events[4].MarkerRecordedEventAttributes; events[4].EventType != types.EventTypeMarkerRecorded || m == nil || aws.ToString(m.MarkerName) != "openswf.reset" ||
		!strings.Contains(aws.ToString(m.Details), rid) {
		t.Errorf("event 5 of the new run: %s %+v", events[4].EventType, m)
	}
	page := admin.send(loc.String(), nil).body
	contains(t, "the new run's page", page, "OPEN", "MarkerRecorded", "openswf.reset")
	oldPage := admin.send(st.execURL, nil).body
	contains(t, "the old run's page", oldPage, "TERMINATED")
	if len(hrefs(oldPage, "op=reset")) != 1 {
		t.Error("a closed run's DecisionTaskCompleted offers no re-run")
	}

	out := logs.String()
	for _, want := range []string{`msg="console action refused" action=reset`, "user=operator", "outcome=OperationNotPermittedFault",
		`msg="console action" action=reset domain=ops workflowId=backup-2026 runId=` + rid, "user=admin", "eventId=4", "newRunId=" + newRID} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

// TestConsoleResetOff: without --console-actions a history offers no
// re-run.
func TestConsoleResetOff(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	st := startStuck(t, s)
	body := newBrowser(t, s).send(st.execURL, nil).body
	contains(t, "the execution page", body, ">DecisionTaskCompleted<")
	lacks(t, "the execution page", body, "Re-run from here", "op=reset")
}
