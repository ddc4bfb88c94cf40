package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/internal/swftest"
)

// wantUnknown asserts that err is UnknownResourceFault with exactly msg.
func wantUnknown(t testing.TB, err error, msg string) {
	t.Helper()
	if got := wantFault[*types.UnknownResourceFault](t, err).ErrorMessage(); got != msg {
		t.Fatalf("UnknownResourceFault %q, want %q", got, msg)
	}
}

// isGoneError is swfsm's rule (activity/coordinated_worker.go) for
// stopping an activity whose heartbeat fails: UnknownResourceFault whose
// message says the activity or its execution is unknown. A coordinated
// worker keeps running an activity for which it does not hold.
func isGoneError(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownResourceFault" {
		return false
	}
	msg := apiErr.ErrorMessage()
	return strings.Contains(msg, "Unknown activity") || strings.Contains(msg, "Unknown execution")
}

// wantActivityGone asserts that every call with an activity token answers
// UnknownResourceFault with msg, and that swfsm would stop the activity.
func wantActivityGone(d *swftest.Domain, token *string, msg string) {
	t := d.T()
	t.Helper()
	_, err := d.Heartbeat(token, aws.String("still here"))
	wantUnknown(t, err, msg)
	if !isGoneError(err) {
		t.Fatalf("swfsm's isGoneError does not hold for %v: its worker would run the activity forever", err)
	}
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: token, Result: aws.String("late")})
	wantUnknown(t, err, msg)
	_, err = d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: token, Reason: aws.String("late")})
	wantUnknown(t, err, msg)
	_, err = d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: token})
	wantUnknown(t, err, msg)
}

// unknownDecision is the answer to a decision task no longer open while its
// run is: the task named by its DecisionTaskScheduled event.
func unknownDecision(t testing.TB, task *swf.PollForDecisionTaskOutput) string {
	t.Helper()
	last := task.Events[len(task.Events)-1]
	if last.EventType != types.EventTypeDecisionTaskStarted {
		t.Fatalf("the decision task's events end with %v", swftest.EventTypes(task.Events))
	}
	return fmt.Sprintf("Unknown decision task, scheduledEventId = %d", last.DecisionTaskStartedEventAttributes.ScheduledEventId)
}

// closedRun is the answer to a call that names a run that is not open.
func closedRun(ex *types.WorkflowExecution) string {
	return fmt.Sprintf("Unknown execution: WorkflowExecution=[workflowId=%s, runId=%s]", aws.ToString(ex.WorkflowId), aws.ToString(ex.RunId))
}

// A task no longer open is named as Amazon SWF names it: by its scheduled
// event while its run is open, by its run once that has closed; swfsm's
// coordinated worker recognises each answer as "gone".
func TestTaskNoLongerOpen(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)

	// Completed: its run is still open.
	ex := d.Start("done")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")) // events 5 and 6
	a1 := d.PollActivity()
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	must(t, err)
	wantActivityGone(d, a1.TaskToken, "Unknown activity, scheduledEventId = 5")

	// Timed out (heartbeat timeout, 30 s): its run is still open.
	a2 := d.PollActivity()
	d.Advance(31 * time.Second)
	d.LastEvent(ex, types.EventTypeActivityTaskTimedOut)
	wantActivityGone(d, a2.TaskToken, "Unknown activity, scheduledEventId = 6")

	// A decision task answered twice, or after its timeout.
	task := d.PollDecision()
	d.Decide(task.TaskToken)
	err = d.DecideErr(task.TaskToken)
	wantUnknown(t, err, unknownDecision(t, task))
	d.Signal(swftest.Execution("done", nil), "s")
	task = d.PollDecision()
	d.Advance(31 * time.Second) // the decision task's start-to-close timeout
	d.LastEvent(ex, types.EventTypeDecisionTaskTimedOut)
	err = d.DecideErr(task.TaskToken)
	wantUnknown(t, err, unknownDecision(t, task))
}

// Once its run has closed, a task is answered with the run's name, for
// activity and decision tasks alike.
func TestTaskOfClosedRun(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex2 := d.Start("terminated")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	a := d.PollActivity()
	d.Signal(swftest.Execution("terminated", nil), "s")
	task := d.PollDecision()
	d.Terminate(swftest.Execution("terminated", nil))
	wantActivityGone(d, a.TaskToken, closedRun(ex2))
	wantUnknown(t, d.DecideErr(task.TaskToken), closedRun(ex2))
	term := d.LastEvent(ex2, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes
	if term.Cause != types.WorkflowExecutionTerminatedCauseOperatorInitiated {
		t.Fatalf("an operator's termination has cause %q", term.Cause)
	}
}

// The run of a task is gone altogether once its domain's retention is
// over; the answer still says the execution is unknown.
func TestTaskOfPurgedRun(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("purged")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	a := d.PollActivity()
	d.Terminate(ex)
	d.Advance(25 * time.Hour) // the domain keeps closed runs for a day
	_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
	wantUnknown(t, err, closedRun(ex))
	wantActivityGone(d, a.TaskToken, "Unknown execution: the run of this task has closed and is no longer kept")
}

// Calls that name a run that does not exist, or is not open, say which:
// the whole identity with a runId, the workflowId alone without one.
func TestUnknownExecutionMessages(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	c, dom := d.Client, aws.String(d.Name)
	ex := d.Start("closed")
	d.Terminate(swftest.Execution("closed", nil))
	var err error
	missing := &types.WorkflowExecution{WorkflowId: aws.String("missing"), RunId: aws.String("no-such-run")}
	for _, id := range []*types.WorkflowExecution{ex, missing} {
		byID := "Unknown execution, workflowId = " + aws.ToString(id.WorkflowId)
		_, err = c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId, SignalName: aws.String("s")})
		wantUnknown(t, err, byID)
		_, err = c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId})
		wantUnknown(t, err, byID)
		_, err = c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId, RunId: aws.String("")})
		wantUnknown(t, err, byID)
		_, err = c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId, RunId: id.RunId, SignalName: aws.String("s")})
		wantUnknown(t, err, closedRun(id))
		_, err = c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId, RunId: id.RunId})
		wantUnknown(t, err, closedRun(id))
		_, err = c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: dom, WorkflowId: id.WorkflowId, RunId: id.RunId})
		wantUnknown(t, err, closedRun(id))
	}
	_, err = c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: dom, Execution: missing})
	wantUnknown(t, err, closedRun(missing))
	_, err = c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: dom, Execution: missing})
	wantUnknown(t, err, closedRun(missing))

	// Domains and types keep their words.
	_, err = c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String("nope"), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	wantUnknown(t, err, "Unknown domain: nope")
	_, err = c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: dom, WorkflowId: aws.String("x"), WorkflowType: swftest.WorkflowType(swftest.WorkflowTypeName, "2")})
	wantUnknown(t, err, "Unknown type: WorkflowType=[name=order, version=2]")
	_, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: dom, ActivityType: swftest.ActivityType(swftest.ActivityTypeName, "9")})
	wantUnknown(t, err, "Unknown type: ActivityType=[name=work, version=9]")
}

// Members Amazon SWF sends even when they are false or zero are on the
// wire, where clients index them: resp["truncated"], resp["cancelRequested"].
func TestMembersAlwaysSent(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	d.Start("members")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	tokenJSON, _ := json.Marshal(aws.ToString(d.PollActivity().TaskToken))
	for _, c := range []struct{ op, body, want string }{
		{"CountPendingActivityTasks", `{"domain": "wf", "taskList": {"name": "workers"}}`, `{"count":0,"truncated":false}`},
		{"CountPendingDecisionTasks", `{"domain": "wf", "taskList": {"name": "deciders"}}`, `{"count":0,"truncated":false}`},
		{"CountPendingActivityTasks", `{"domain": "wf", "taskList": {"name": "never-used"}}`, `{"count":0,"truncated":false}`},
		{"CountOpenWorkflowExecutions", `{"domain": "wf", "startTimeFilter": {"oldestDate": 0}}`, `{"count":1,"truncated":false}`},
		{"CountClosedWorkflowExecutions", `{"domain": "wf", "startTimeFilter": {"oldestDate": 0}}`, `{"count":0,"truncated":false}`},
		{"RecordActivityTaskHeartbeat", `{"taskToken": ` + string(tokenJSON) + `}`, `{"cancelRequested":false}`},
	} {
		status, _, body := d.Post("SimpleWorkflowService."+c.op, "application/x-amz-json-1.0", c.body)
		if status != 200 || string(body) != c.want {
			t.Errorf("%s %s: %d %s, want %s", c.op, c.body, status, body, c.want)
		}
	}
}

// Text that is not UTF-8, or holds half a surrogate pair, is refused with
// SerializationException; nothing is stored with U+FFFD in its place.
func TestBadTextIsRefused(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	for _, c := range []struct{ op, body, want string }{
		{"RegisterDomain", "{\"name\":\"bytes\",\"workflowExecutionRetentionPeriodInDays\":\"1\",\"description\":\"caf\xe9\"}", "The request body is not valid UTF-8 (at byte 79)"},
		{"RegisterDomain", `{"name":"escape","workflowExecutionRetentionPeriodInDays":"1","description":"\udc00"}`, `The request body holds \udc00, half of a surrogate pair, alone (at byte 77)`},
		{"StartWorkflowExecution", `{"domain":"wf","workflowId":"w","workflowType":{"name":"order","version":"1"},"input":"\ud800 alone"}`, `The request body holds \ud800, half of a surrogate pair, alone (at byte 87)`},
		{"SignalWorkflowExecution", "{\"domain\":\"wf\",\"workflowId\":\"\xff\",\"signalName\":\"s\"}", "The request body is not valid UTF-8 (at byte 29)"},
	} {
		status, code, msg := postJSON(t, d.Server, c.op, c.body)
		if status != 400 || code != "SerializationException" || msg != c.want {
			t.Errorf("%s %q: %d %s %q, want 400 SerializationException %q", c.op, c.body, status, code, msg, c.want)
		}
	}
	for _, name := range []string{"bytes", "escape"} {
		_, err := d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(name)})
		wantUnknown(t, err, "Unknown domain: "+name)
	}
	_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: &types.WorkflowExecution{WorkflowId: aws.String("w"), RunId: aws.String("r")}})
	wantFault[*types.UnknownResourceFault](t, err)
	n, err := d.Client.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}})
	must(t, err)
	if n.Count != 0 {
		t.Fatalf("%d runs started from refused requests", n.Count)
	}

	// A surrogate pair is one character, and arrives whole.
	_, err = d.Client.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("pair"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Description: aws.String("\U0001F600")})
	must(t, err)
	status, _, _ := postJSON(t, d.Server, "RegisterDomain", `{"name":"escaped-pair","workflowExecutionRetentionPeriodInDays":"1","description":"\ud83d\ude00"}`)
	if status != 200 {
		t.Fatalf("an escaped surrogate pair answered %d", status)
	}
	for _, name := range []string{"pair", "escaped-pair"} {
		if desc := describeDomain(t, d.Client, name).DomainInfo.Description; aws.ToString(desc) != "\U0001F600" {
			t.Fatalf("domain %s has description %q", name, aws.ToString(desc))
		}
	}
}

// boto3 sees the words and members of the failure paths that Python
// clients act on: the messages swfsm's and simpleflow's rules read, the
// truncated member that code indexes, a termination's cause, and a
// refused lone surrogate.
func TestBoto3FailurePaths(t *testing.T) {
	t.Parallel()
	python := needBoto3(t)
	d := swftest.NewDomain(t)
	script := `
import re, sys, boto3
c = boto3.client("swf", endpoint_url=sys.argv[1])
D, WT = "wf", {"name": "order", "version": "1"}

def fails(call, **kw):
    try:
        call(**kw)
    except c.exceptions.UnknownResourceFault as e:
        return e.response["Error"]["Message"]
    sys.exit("%s succeeded" % call.__name__)

def gone(msg):  # swfsm's isGoneError, on an UnknownResourceFault
    return "Unknown activity" in msg or "Unknown execution" in msg

def simpleflow(msg):  # simpleflow's mapping of the missing resource
    m = re.search(r"Unknown (?:type|execution)[:,]\s*([^ =]+)\s*=", msg) or re.search(r"^Unknown ([^ :,]+)", msg)
    return m.group(1)

run = c.start_workflow_execution(domain=D, workflowId="w", workflowType=WT)["runId"]
d = c.poll_for_decision_task(domain=D, taskList={"name": "deciders"})
c.respond_decision_task_completed(taskToken=d["taskToken"], decisions=[{"decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {"activityId": "a1", "activityType": {"name": "work", "version": "1"}}}])
n = c.count_pending_activity_tasks(domain=D, taskList={"name": "workers"})
assert n["count"] == 1 and n["truncated"] is False, n
n = c.count_pending_decision_tasks(domain=D, taskList={"name": "deciders"})
assert n["count"] == 0 and n["truncated"] is False, n
n = c.count_open_workflow_executions(domain=D, startTimeFilter={"oldestDate": 0})
assert n["count"] == 1 and n["truncated"] is False, n

a = c.poll_for_activity_task(domain=D, taskList={"name": "workers"})
assert c.record_activity_task_heartbeat(taskToken=a["taskToken"])["cancelRequested"] is False
c.respond_activity_task_completed(taskToken=a["taskToken"], result="done")
msg = fails(c.record_activity_task_heartbeat, taskToken=a["taskToken"])
assert msg == "Unknown activity, scheduledEventId = 5" and gone(msg) and simpleflow(msg) == "activity", msg
msg = fails(c.respond_decision_task_completed, taskToken=d["taskToken"])
assert msg == "Unknown decision task, scheduledEventId = 2" and simpleflow(msg) == "decision", msg

c.terminate_workflow_execution(domain=D, workflowId="w")
closed = "Unknown execution: WorkflowExecution=[workflowId=w, runId=%s]" % run
msg = fails(c.respond_activity_task_failed, taskToken=a["taskToken"])
assert msg == closed and gone(msg) and simpleflow(msg) == "WorkflowExecution", msg
msg = fails(c.signal_workflow_execution, domain=D, workflowId="w", runId=run, signalName="s")
assert msg == closed, msg
msg = fails(c.signal_workflow_execution, domain=D, workflowId="w", signalName="s")
assert msg == "Unknown execution, workflowId = w" and simpleflow(msg) == "workflowId", msg
msg = fails(c.describe_domain, name="nope")
assert msg == "Unknown domain: nope" and simpleflow(msg) == "domain", msg
msg = fails(c.start_workflow_execution, domain=D, workflowId="x", workflowType={"name": "order", "version": "9"})
assert msg == "Unknown type: WorkflowType=[name=order, version=9]" and simpleflow(msg) == "WorkflowType", msg

last = c.get_workflow_execution_history(domain=D, execution={"workflowId": "w", "runId": run}, reverseOrder=True)["events"][0]
assert last["workflowExecutionTerminatedEventAttributes"]["cause"] == "OPERATOR_INITIATED", last

try:
    c.register_domain(name="surrogate", workflowExecutionRetentionPeriodInDays="1", description="\ud800")
    sys.exit("a lone surrogate was accepted")
except c.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "SerializationException", e.response
msg = fails(c.describe_domain, name="surrogate")
print("ok")
`
	runBoto3(t, python, script, d.URL())
}
