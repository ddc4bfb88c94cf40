package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/swftest"
)

// users is the users file of the tests below: the test client's key is an
// administrator's; the others are narrower.
const users = `{"users": [
  {"name": "admin", "accessKeys": [{"accessKeyId": "` + swftest.AccessKeyID + `", "secretAccessKey": "` + swftest.SecretAccessKey + `"}],
   "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}]},
  {"name": "reader", "accessKeys": [{"accessKeyId": "AKIDREADER", "secretAccessKey": "reader-secret"}],
   "policies": [{"Version": "2012-10-17", "Statement": [
     {"Effect": "Allow", "Action": ["swf:Describe*", "swf:List*", "swf:Count*", "swf:GetWorkflowExecutionHistory"], "Resource": "arn:aws:swf:*:123456789012:/domain/wf"},
     {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "arn:aws:swf::123456789012:domain/*"},
     {"Effect": "Deny", "Action": "swf:DescribeWorkflowType", "Resource": "*"}]}]},
  {"name": "worker", "accessKeys": [{"accessKeyId": "AKIDWORKER", "secretAccessKey": "worker-secret"}],
   "policies": [{"Statement": {"Effect": "Allow", "Action": ["swf:PollForActivityTask", "swf:RecordActivityTaskHeartbeat"], "Resource": "*",
     "Condition": {"StringEqualsIfExists": {"swf:taskList.name": "workers"}}}}]},
  {"name": "starter", "accessKeys": [{"accessKeyId": "AKIDSTARTER", "secretAccessKey": "starter-secret"}],
   "policies": [{"Statement": [{"Effect": "Allow", "Action": "swf:StartWorkflowExecution", "Resource": "*",
     "Condition": {"StringEquals": {"swf:taskList.name": "deciders", "swf:workflowType.name": "order"}}}]}]},
  {"name": "decider", "accessKeys": [{"accessKeyId": "AKIDDECIDER", "secretAccessKey": "decider-secret"}],
   "policies": [{"Statement": [
     {"Effect": "Allow", "Action": ["swf:PollForDecisionTask", "swf:RespondDecisionTaskCompleted", "swf:CompleteWorkflowExecution", "swf:RecordMarker", "swf:StartChildWorkflowExecution"], "Resource": "*"},
     {"Effect": "Allow", "Action": "swf:ScheduleActivityTask", "Resource": "*", "Condition": {"StringEquals": {"swf:activityType.name": "work", "swf:taskList.name": "workers"}}}]}]},
  {"name": "careful", "accessKeys": [{"accessKeyId": "AKIDCAREFUL", "secretAccessKey": "careful-secret"}],
   "policies": [{"Statement": [
     {"Effect": "Allow", "Action": ["swf:DescribeDomain", "swf:StartWorkflowExecution"], "Resource": "*"},
     {"Effect": "Deny", "Action": "swf:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}},
     {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/lambda-ok",
      "Condition": {"StringEquals": {"iam:PassedToService": "swf.amazonaws.com"}}}]}]}
]}`

// authFixture is the fixture's domain on a server that checks signatures
// and policies, with more settings if given.
func authFixture(t *testing.T, settings ...func(*server.Config)) *swftest.Domain {
	t.Helper()
	var file auth.File
	must(t, json.Unmarshal([]byte(users), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	return swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Auth = a
		for _, set := range settings {
			set(c)
		}
	}))
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	describe := func(c *swf.Client) error {
		_, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
		return err
	}
	must(t, describe(d.ClientAs("AKIDREADER", "reader-secret")))
	wantCode(t, describe(d.ClientAs("AKIDREADER", "not-the-secret")), "InvalidSignatureException")
	if msg := wantCode(t, describe(d.ClientAs("AKIDNOBODY", "x")), "UnrecognizedClientException"); !strings.Contains(msg, "security token") {
		t.Errorf("unknown key: %s", msg)
	}
	wantCode(t, describe(d.ClientWith(aws.AnonymousCredentials{})), "MissingAuthenticationTokenException")

	// A body changed after signing does not verify: nothing is done.
	status, code, _ := postJSON(t, d.Server, "RegisterDomain", `{"name": "unsigned", "workflowExecutionRetentionPeriodInDays": "1"}`)
	if status != 400 || code != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned raw request: %d %s", status, code)
	}
	wantFault[*types.UnknownResourceFault](t, describeErr(d, "unsigned"))
}

func describeErr(d *swftest.Domain, name string) error {
	_, err := d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(name)})
	return err
}

func TestPoliciesOfAPIActions(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	d.BareDomain("other")
	reader := d.ClientAs("AKIDREADER", "reader-secret")

	// Allowed on its domain only; the fault names who, what and where.
	_, err := reader.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("other")})
	msg := wantFault[*types.OperationNotPermittedFault](t, err).ErrorMessage()
	for _, part := range []string{"arn:aws:iam::123456789012:user/reader", "swf:DescribeDomain", "arn:aws:swf:us-east-1:123456789012:/domain/other"} {
		if !strings.Contains(msg, part) {
			t.Errorf("fault message %q does not name %s", msg, part)
		}
	}
	// Not allowed at all; an explicit Deny beats its Allow.
	_, err = reader.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("mine"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	wantFault[*types.OperationNotPermittedFault](t, err)
	wantFault[*types.UnknownResourceFault](t, describeErr(d, "mine"))
	_, err = reader.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String(d.Name), WorkflowType: swftest.WorkflowType("order", "1")})
	wantFault[*types.OperationNotPermittedFault](t, err)
	_, err = reader.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String(d.Name), ActivityType: swftest.ActivityType("work", "1")})
	must(t, err)
	// ListDomains is granted on arn:aws:swf::ACCOUNT:domain/*, as documented.
	_, err = reader.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)
	// Bad input is still answered as bad input.
	_, err = reader.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(strings.Repeat("x", 300))})
	wantValidation(t, err, "name")

	// Condition keys: the starter may start "order" on "deciders" only;
	// a start that leaves out the task list is checked with the type's
	// default ("deciders").
	starter := d.ClientAs("AKIDSTARTER", "starter-secret")
	_, err = starter.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("a"), WorkflowType: swftest.WorkflowType("order", "1")})
	must(t, err)
	_, err = starter.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("b"), WorkflowType: swftest.WorkflowType("order", "1"), TaskList: &types.TaskList{Name: aws.String("elsewhere")}})
	wantFault[*types.OperationNotPermittedFault](t, err)
	n, err := d.Client.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.Epoch.Add(-1))}})
	must(t, err)
	if n.Count != 1 {
		t.Errorf("open runs after one permitted start and one refused: %d", n.Count)
	}

	// The worker polls "workers" only, and may heartbeat but not complete:
	// the task token's domain is what is checked.
	worker := d.ClientAs("AKIDWORKER", "worker-secret")
	_, err = worker.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String("others")}})
	wantFault[*types.OperationNotPermittedFault](t, err)
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("act"))
	task := swftest.Await(t, d.PollActivityAsync(worker, swftest.WorkerList))
	_, err = worker.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: task.TaskToken})
	must(t, err)
	_, err = worker.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
	wantFault[*types.OperationNotPermittedFault](t, err)
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
	must(t, err) // the refused call left the task open
}

func TestPoliciesOfDecisions(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	decider := d.ClientAs("AKIDDECIDER", "decider-secret")
	ex := d.Start("w")
	task := swftest.Await(t, d.PollDecisionAsync(decider, swftest.DeciderList))
	_, err := decider.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{
		swftest.ScheduleActivity("ok"), // work on its default task list "workers": permitted
		swftest.ScheduleActivity("elsewhere", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &types.TaskList{Name: aws.String("others")}
		}),
		{DecisionType: types.DecisionTypeStartTimer, StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("t"), StartToFireTimeout: aws.String("5")}},
		{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String("m")}},
		// Allowed to start children, but not to pass this role to SWF.
		{DecisionType: types.DecisionTypeStartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes: &types.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowId: aws.String("child"), WorkflowType: swftest.WorkflowType("order", "1"), LambdaRole: aws.String("arn:aws:iam::123456789012:role/lambda-ok")}},
	}})
	must(t, err)
	h := d.History(ex)
	got := swftest.EventTypes(h)
	want := []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"ActivityTaskScheduled", "ScheduleActivityTaskFailed", "StartTimerFailed", "MarkerRecorded", "StartChildWorkflowExecutionFailed", "DecisionTaskScheduled"}
	if !slices.Equal(got, want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	if c := h[5].ScheduleActivityTaskFailedEventAttributes.Cause; c != types.ScheduleActivityTaskFailedCauseOperationNotPermitted {
		t.Errorf("schedule on another task list failed with %s", c)
	}
	if c := h[6].StartTimerFailedEventAttributes.Cause; c != types.StartTimerFailedCauseOperationNotPermitted {
		t.Errorf("timer failed with %s", c)
	}
	if c := h[8].StartChildWorkflowExecutionFailedEventAttributes.Cause; c != types.StartChildWorkflowExecutionFailedCauseOperationNotPermitted {
		t.Errorf("child with a role it may not pass failed with %s", c)
	}
}

func TestPoliciesOfTagsAndRoles(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	d.BareDomain("staging")
	careful := d.ClientAs("AKIDCAREFUL", "careful-secret")
	describe := func(name string) error {
		_, err := careful.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(name)})
		return err
	}
	must(t, describe("wf"))
	// Tagging the domain env=prod brings it under the Deny on
	// aws:ResourceTag/env.
	_, err := d.Client.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String("arn:aws:swf:us-east-1:123456789012:/domain/wf"), Tags: []types.ResourceTag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	wantFault[*types.OperationNotPermittedFault](t, describe("wf"))
	must(t, describe("staging"))

	// A Lambda role needs iam:PassRole on it, passed to SWF.
	start := func(id, role string) error {
		_, err := careful.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("staging"), WorkflowId: aws.String(id),
			WorkflowType: swftest.WorkflowType("missing", "1"), TaskList: &types.TaskList{Name: aws.String("l")}, LambdaRole: aws.String(role)})
		return err
	}
	// Allowed: the start goes on and fails for want of the type.
	wantFault[*types.UnknownResourceFault](t, start("a", "arn:aws:iam::123456789012:role/lambda-ok"))
	msg := wantFault[*types.OperationNotPermittedFault](t, start("b", "arn:aws:iam::123456789012:role/admin")).ErrorMessage()
	if !strings.Contains(msg, "iam:PassRole") || !strings.Contains(msg, "role/admin") {
		t.Errorf("PassRole refusal: %s", msg)
	}
}

// Every one of the 39 operations takes its permission: a user whose
// policies allow nothing is refused each of them, with real task tokens
// for the calls that take one.
func TestEveryOperationNeedsItsPermission(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	ex := d.Start("w")
	dt := d.PollDecision()
	d.Decide(dt.TaskToken, swftest.ScheduleActivity("a"))
	at := d.PollActivity()
	d.Start("w3")
	decision := d.PollDecision()
	arn := `"arn:aws:swf:us-east-1:123456789012:/domain/wf"`
	run := aws.ToString(ex.RunId)
	execution := `"execution":{"workflowId":"w","runId":"` + run + `"}`
	activityTok, decisionTok := `{"taskToken":"`+aws.ToString(at.TaskToken)+`"}`, `{"taskToken":"`+aws.ToString(decision.TaskToken)+`"}`
	bodies := map[string]string{
		"CountClosedWorkflowExecutions":  `{"domain":"wf","startTimeFilter":{"oldestDate":0}}`,
		"CountOpenWorkflowExecutions":    `{"domain":"wf","startTimeFilter":{"oldestDate":0}}`,
		"CountPendingActivityTasks":      `{"domain":"wf","taskList":{"name":"workers"}}`,
		"CountPendingDecisionTasks":      `{"domain":"wf","taskList":{"name":"deciders"}}`,
		"DeleteActivityType":             `{"domain":"wf","activityType":{"name":"work","version":"1"}}`,
		"DeleteWorkflowType":             `{"domain":"wf","workflowType":{"name":"order","version":"1"}}`,
		"DeprecateActivityType":          `{"domain":"wf","activityType":{"name":"work","version":"1"}}`,
		"DeprecateDomain":                `{"name":"wf"}`,
		"DeprecateWorkflowType":          `{"domain":"wf","workflowType":{"name":"order","version":"1"}}`,
		"DescribeActivityType":           `{"domain":"wf","activityType":{"name":"work","version":"1"}}`,
		"DescribeDomain":                 `{"name":"wf"}`,
		"DescribeWorkflowExecution":      `{"domain":"wf",` + execution + `}`,
		"DescribeWorkflowType":           `{"domain":"wf","workflowType":{"name":"order","version":"1"}}`,
		"GetWorkflowExecutionHistory":    `{"domain":"wf",` + execution + `}`,
		"ListActivityTypes":              `{"domain":"wf","registrationStatus":"REGISTERED"}`,
		"ListClosedWorkflowExecutions":   `{"domain":"wf","startTimeFilter":{"oldestDate":0}}`,
		"ListDomains":                    `{"registrationStatus":"REGISTERED"}`,
		"ListOpenWorkflowExecutions":     `{"domain":"wf","startTimeFilter":{"oldestDate":0}}`,
		"ListTagsForResource":            `{"resourceArn":` + arn + `}`,
		"ListWorkflowTypes":              `{"domain":"wf","registrationStatus":"REGISTERED"}`,
		"PollForActivityTask":            `{"domain":"wf","taskList":{"name":"workers"}}`,
		"PollForDecisionTask":            `{"domain":"wf","taskList":{"name":"deciders"}}`,
		"RecordActivityTaskHeartbeat":    activityTok,
		"RegisterActivityType":           `{"domain":"wf","name":"n","version":"1"}`,
		"RegisterDomain":                 `{"name":"new","workflowExecutionRetentionPeriodInDays":"1"}`,
		"RegisterWorkflowType":           `{"domain":"wf","name":"n","version":"1"}`,
		"RequestCancelWorkflowExecution": `{"domain":"wf","workflowId":"w"}`,
		"RespondActivityTaskCanceled":    activityTok,
		"RespondActivityTaskCompleted":   activityTok,
		"RespondActivityTaskFailed":      activityTok,
		"RespondDecisionTaskCompleted":   decisionTok,
		"SignalWorkflowExecution":        `{"domain":"wf","workflowId":"w","signalName":"s"}`,
		"StartWorkflowExecution":         `{"domain":"wf","workflowId":"w2","workflowType":{"name":"order","version":"1"}}`,
		"TagResource":                    `{"resourceArn":` + arn + `,"tags":[{"key":"k"}]}`,
		"TerminateWorkflowExecution":     `{"domain":"wf","workflowId":"w"}`,
		"UndeprecateActivityType":        `{"domain":"wf","activityType":{"name":"work","version":"1"}}`,
		"UndeprecateDomain":              `{"name":"wf"}`,
		"UndeprecateWorkflowType":        `{"domain":"wf","workflowType":{"name":"order","version":"1"}}`,
		"UntagResource":                  `{"resourceArn":` + arn + `,"tagKeys":["k"]}`,
	}
	for _, op := range swfapi.OperationNames() {
		body, ok := bodies[op]
		if !ok {
			t.Errorf("no request for %s", op)
			continue
		}
		// The starter may only start runs: everything else is refused.
		if op == "StartWorkflowExecution" {
			continue
		}
		if status, code := signedPost(t, d.URL(), "AKIDSTARTER", "starter-secret", op, body); code != "OperationNotPermittedFault" {
			t.Errorf("%s by a user who may not: %d %s", op, status, code)
		}
	}
	// StartWorkflowExecution, refused on a task list the starter's
	// condition does not name.
	if status, code := signedPost(t, d.URL(), "AKIDSTARTER", "starter-secret", "StartWorkflowExecution",
		`{"domain":"wf","workflowId":"w2","workflowType":{"name":"order","version":"1"},"taskList":{"name":"other"}}`); code != "OperationNotPermittedFault" {
		t.Errorf("StartWorkflowExecution outside the condition: %d %s", status, code)
	}
}
