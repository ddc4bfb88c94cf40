package server_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// oneYear is the longest a run may last (Amazon SWF's limit), in seconds.
const oneYear = "31536000"

// A child may be started without a limit of its own: the reference of
// StartChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout
// says "You can use NONE to specify unlimited duration". The child is still
// bounded by the year every run is, and times out then.
func TestChildWithoutExecutionLimit(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent := d.Start("parent", swftest.OnList("list-parent"), func(in *swf.StartWorkflowExecutionInput) { in.ChildPolicy = types.ChildPolicyAbandon })
	d.Decide(d.PollDecisionOn("list-parent").TaskToken, kidChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) {
		a.ExecutionStartToCloseTimeout = aws.String("NONE")
	}))
	h := d.WantHistory(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeStartChildWorkflowExecutionInitiated, types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	init := h[4].StartChildWorkflowExecutionInitiatedEventAttributes
	if got := aws.ToString(init.ExecutionStartToCloseTimeout); got != oneYear {
		t.Fatalf("initiated with executionStartToCloseTimeout %s, want %s", got, oneYear)
	}
	kid := h[5].ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	started := d.History(kid)[0].WorkflowExecutionStartedEventAttributes
	if got := aws.ToString(started.ExecutionStartToCloseTimeout); got != oneYear {
		t.Fatalf("child started with executionStartToCloseTimeout %s, want %s", got, oneYear)
	}
	d.Advance(365*24*time.Hour - time.Second)
	d.WantStatus(kid, types.ExecutionStatusOpen, "")
	d.Advance(time.Second)
	d.WantStatus(kid, types.ExecutionStatusClosed, types.CloseStatusTimedOut)
}

// A task list a decision names must be one a poller can name: SWF refuses
// white space at either end of a polled task list (openswf in both polls),
// so a task put there could never be taken. The whole answer is refused,
// naming the member, and nothing is recorded.
func TestDecisionTaskListWhitespace(t *testing.T) {
	t.Parallel()
	d := newKidDomain(t)
	parent := d.Start("parent", swftest.OnList("list-parent"))
	task := d.PollDecisionOn("list-parent")
	padded := func(name string) *types.TaskList { return &types.TaskList{Name: aws.String(name)} }
	for _, c := range []struct {
		decision types.Decision
		path     string
	}{
		{kidChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.TaskList = padded(" child") }),
			"decisions.1.member.startChildWorkflowExecutionDecisionAttributes.taskList.name"},
		{swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.TaskList = padded("work ") }),
			"decisions.1.member.scheduleActivityTaskDecisionAttributes.taskList.name"},
		{swftest.ContinueAsNew(func(a *types.ContinueAsNewWorkflowExecutionDecisionAttributes) { a.TaskList = padded(" next ") }),
			"decisions.1.member.continueAsNewWorkflowExecutionDecisionAttributes.taskList.name"},
	} {
		err := d.DecideErr(task.TaskToken, c.decision)
		wantValidation(t, err, c.path)
		if msg := wantCode(t, err, "ValidationException"); !strings.Contains(msg, "Member must not start or end with whitespace") {
			t.Fatalf("%s: %s", c.path, msg)
		}
	}
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, TaskList: padded(" moved")})
	wantValidation(t, err, "taskList.name")
	d.WantHistory(parent, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
	if ids := d.OpenWorkflowIDs(); !slices.Equal(ids, []string{"parent"}) {
		t.Fatalf("open runs %v: a child started", ids)
	}
	// The task is still the decider's; inner white space is a name like any.
	d.Decide(task.TaskToken, kidChild("kid", func(a *types.StartChildWorkflowExecutionDecisionAttributes) { a.TaskList = padded("a child") }))
	d.WantHistoryFrom(parent, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeStartChildWorkflowExecutionInitiated,
		types.EventTypeChildWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled)
	if n := d.PendingDecisions("a child"); n != 1 {
		t.Fatalf("%d decision tasks on the child's list", n)
	}
}

// boto3 sees the three rules as aws-sdk-go-v2 does: a child without a
// limit of its own, a padded task list refused in the model's words, a
// decision without its attributes refused in Amazon SWF's, and a child that
// outlives the parent that completes.
func TestDecisionRulesBoto3(t *testing.T) {
	t.Parallel()
	python := needBoto3(t)
	s := swftest.Start(t)
	script := `
import sys, boto3
from botocore.exceptions import ClientError
c = boto3.client("swf", endpoint_url=sys.argv[1])
D = "rules"
c.register_domain(name=D, workflowExecutionRetentionPeriodInDays="1")
for n in ("parent", "kid"):
    c.register_workflow_type(domain=D, name=n, version="1", defaultTaskList={"name": n},
        defaultExecutionStartToCloseTimeout="600", defaultTaskStartToCloseTimeout="60", defaultChildPolicy="TERMINATE")
run = c.start_workflow_execution(domain=D, workflowId="parent", workflowType={"name": "parent", "version": "1"})["runId"]
task = c.poll_for_decision_task(domain=D, taskList={"name": "parent"})

def refused(decisions, message):
    try:
        c.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == "ValidationException" and err["Message"] == message, err
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
        return
    sys.exit("accepted: %r" % decisions)

def child(**attrs):
    return {"decisionType": "StartChildWorkflowExecution", "startChildWorkflowExecutionDecisionAttributes":
            dict(workflowId="kid", workflowType={"name": "kid", "version": "1"}, **attrs)}

refused([child(taskList={"name": " kid"})], "1 validation error detected: Value ' kid' at "
    "'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.taskList.name' failed to satisfy constraint: "
    "Member must not start or end with whitespace")
refused([{"decisionType": "StartTimer"}], "StartTimerDecisionAttributes must be specified for decision of type StartTimer")
refused([{"decisionType": "CompleteWorkflowExecution"}, {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m"}}],
    "Close must be last decision in list")

c.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[child(executionStartToCloseTimeout="NONE")])
task = c.poll_for_decision_task(domain=D, taskList={"name": "parent"})
by_type = {e["eventType"]: e for e in task["events"]}
init = by_type["StartChildWorkflowExecutionInitiated"]["startChildWorkflowExecutionInitiatedEventAttributes"]
assert init["executionStartToCloseTimeout"] == "` + oneYear + `", init
kid = by_type["ChildWorkflowExecutionStarted"]["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
c.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{"decisionType": "CompleteWorkflowExecution"}])
p = c.describe_workflow_execution(domain=D, execution={"workflowId": "parent", "runId": run})["executionInfo"]
assert p["closeStatus"] == "COMPLETED", p
k = c.describe_workflow_execution(domain=D, execution=kid)["executionInfo"]
assert k["executionStatus"] == "OPEN" and not k.get("cancelRequested"), k
print("ok")
`
	runBoto3(t, python, script, s.URL())
}
