package server_test

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// idleFixture is a server whose long polls end after a short wait of real
// time (its clock is manual, so only polls wait on real time), for clients
// run as other processes.
func idleFixture(t *testing.T) *swftest.Domain {
	t.Helper()
	return manualDomain(t, swftest.WithConfig(func(c *server.Config) { c.LongPollWait = 200 * time.Millisecond }))
}

// A poll that finds no task answers, as Amazon SWF does on the wire, with
// the task's numbers at zero and no taskToken, and the two ways Go
// programs tell an idle poll from a task agree: the SDK's TaskToken is nil
// (swfsm, the Flow framework's `getTaskToken() == null`) and so it is empty
// (`aws.ToString(…) == ""`, simpleflow's `not task.get("taskToken")`).
func TestIdlePollThroughTheGoSDK(t *testing.T) {
	t.Parallel()
	f := idleFixture(t)
	d, err := f.Client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(f.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}})
	must(t, err)
	if d.TaskToken != nil || aws.ToString(d.TaskToken) != "" || d.StartedEventId != 0 || d.PreviousStartedEventId != 0 ||
		d.WorkflowExecution != nil || d.WorkflowType != nil || d.Events != nil || d.NextPageToken != nil {
		t.Errorf("an idle decision poll: %+v", d)
	}
	a, err := f.Client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(f.Name), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}})
	must(t, err)
	if a.TaskToken != nil || aws.ToString(a.TaskToken) != "" || a.StartedEventId != 0 ||
		a.ActivityId != nil || a.WorkflowExecution != nil || a.ActivityType != nil || a.Input != nil {
		t.Errorf("an idle activity poll: %+v", a)
	}

	// A task is told from no task by the same tests.
	f.Start("busy")
	d = f.PollDecision()
	if d.TaskToken == nil || aws.ToString(d.TaskToken) == "" {
		t.Fatalf("a decision task without a token: %+v", d)
	}
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"))
	if a = f.PollActivity(); a.TaskToken == nil || aws.ToString(a.TaskToken) == "" {
		t.Fatalf("an activity task without a token: %+v", a)
	}
}

// boto3 programs test an idle poll both ways found in the wild — `"taskToken"
// not in resp` (AWS's boto samples) and `not resp.get("taskToken")`
// (simpleflow, this repository's examples) — and both hold; both also
// tell a task when one comes.
func TestIdlePollThroughBoto3(t *testing.T) {
	t.Parallel()
	python := needBoto3(t)
	f := idleFixture(t)
	script := `
import sys, boto3
c = boto3.client("swf", endpoint_url=sys.argv[1])
d = c.poll_for_decision_task(domain="wf", taskList={"name": "deciders"})
d.pop("ResponseMetadata")
assert "taskToken" not in d and not d.get("taskToken"), d
assert d == {"startedEventId": 0, "previousStartedEventId": 0}, d
a = c.poll_for_activity_task(domain="wf", taskList={"name": "workers"})
a.pop("ResponseMetadata")
assert "taskToken" not in a and not a.get("taskToken"), a
assert a == {"startedEventId": 0}, a

c.start_workflow_execution(domain="wf", workflowId="busy", workflowType={"name": "order", "version": "1"})
d = c.poll_for_decision_task(domain="wf", taskList={"name": "deciders"})
assert "taskToken" in d and d.get("taskToken"), d
assert d["events"][0]["eventType"] == "WorkflowExecutionStarted", d
c.respond_decision_task_completed(taskToken=d["taskToken"], decisions=[{"decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {"activityId": "a1", "activityType": {"name": "work", "version": "1"}}}])
a = c.poll_for_activity_task(domain="wf", taskList={"name": "workers"})
assert "taskToken" in a and a.get("taskToken") and a["activityId"] == "a1", a
c.respond_activity_task_completed(taskToken=a["taskToken"], result="done")
print("ok")
`
	runBoto3(t, python, script, f.URL())
}

// The AWS CLI prints an idle poll with no taskToken (its paginator of
// PollForDecisionTask prints the members it keeps from the first page as
// null when they are absent) and the numbers at zero.
func TestIdlePollThroughTheAWSCLI(t *testing.T) {
	t.Parallel()
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed (.ci/run installs Debian's awscli)")
	}
	f := idleFixture(t)
	for _, args := range [][]string{
		{"poll-for-decision-task", "--domain", "wf", "--task-list", "name=" + swftest.DeciderList},
		{"poll-for-activity-task", "--domain", "wf", "--task-list", "name=" + swftest.WorkerList},
	} {
		cmd := exec.Command(cli, append([]string{"swf", "--endpoint-url", f.URL(), "--output", "json"}, args...)...)
		cmd.Env = clientEnv(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws swf %s: %v\n%s", args[0], err, out)
		}
		var got map[string]any
		must(t, json.Unmarshal(out, &got))
		if got["taskToken"] != nil || got["startedEventId"] != 0.0 || got["events"] != nil || got["activityId"] != nil {
			t.Errorf("aws swf %s printed %s", args[0], out)
		}
	}
}
