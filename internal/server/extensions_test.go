package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/client"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
	"github.com/openswf/openswf/internal/workflow"
)

// extClient is a client of the server's extension endpoints, signing with
// the test keys.
func extClient(s *swftest.Server) *client.Client {
	return extClientAs(s, swftest.AccessKeyID, swftest.SecretAccessKey)
}

// extClientAs is a client of the extension endpoints signing with the key
// id and secret given.
func extClientAs(s *swftest.Server, key, secret string) *client.Client {
	return &client.Client{Endpoint: s.URL(), Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), HTTP: http.DefaultClient}
}

// wantExtError asserts that an extension answered with the error code.
func wantExtError(t *testing.T, err error, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	return e
}

// runToCompletion runs a workflow through a decider and a worker: an
// activity that completes, a signal, a marker, then completion.
func runToCompletion(d *swftest.Domain, workflowID string) *types.WorkflowExecution {
	d.T().Helper()
	ex := d.Start(workflowID, func(in *swf.StartWorkflowExecutionInput) { in.TagList = []string{"tag-a"} })
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	d.Complete(d.PollActivity().TaskToken, "ünïcode <&> \"result\"\n")
	d.Signal(swftest.Execution(workflowID, nil), "go")
	d.Decide(d.PollDecision().TaskToken, swftest.RecordMarker("m", aws.String("d")), swftest.CompleteWorkflow("done"))
	return ex
}

// export is what `openswf history export` prints for a run.
func export(t *testing.T, c *client.Client, domain string, ex *types.WorkflowExecution) []byte {
	t.Helper()
	events, _, err := c.History(ctx, domain, *ex.WorkflowId, aws.ToString(ex.RunId))
	must(t, err)
	var buf bytes.Buffer
	must(t, client.WriteHistory(&buf, events))
	return buf.Bytes()
}

func TestHistoryExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	c := extClient(d.Server)
	orig := runToCompletion(d, "round-trip")
	d.Clock.Advance(time.Minute)
	exported := export(t, c, "wf", orig)

	in := &engine.ImportHistoryInput{}
	must(t, json.Unmarshal(exported, in))
	in.Domain, in.WorkflowID = "wf", "imported"
	imported, err := c.ImportHistory(ctx, in)
	must(t, err)
	if *imported.WorkflowId != "imported" || *imported.RunId == "" || *imported.RunId == *orig.RunId {
		t.Fatalf("imported as %v", imported)
	}
	ex := &types.WorkflowExecution{WorkflowId: imported.WorkflowId, RunId: imported.RunId}
	if again := export(t, c, "wf", ex); !bytes.Equal(again, exported) {
		t.Fatalf("export → import → export differs:\n%s\nwant\n%s", again, exported)
	}
	// The run is a closed run like the original, at the original's times.
	was, is := d.Describe(orig).ExecutionInfo, d.Describe(ex).ExecutionInfo
	if is.ExecutionStatus != types.ExecutionStatusClosed || is.CloseStatus != types.CloseStatusCompleted ||
		!is.StartTimestamp.Equal(*was.StartTimestamp) || !is.CloseTimestamp.Equal(*was.CloseTimestamp) ||
		*is.WorkflowType.Name != "order" || len(is.TagList) != 1 || is.TagList[0] != "tag-a" {
		t.Errorf("imported run described as %+v, the original as %+v", is, was)
	}
	list, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(d.Name),
		StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}, ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String("imported")}})
	must(t, err)
	if len(list.ExecutionInfos) != 1 {
		t.Errorf("ListClosedWorkflowExecutions finds %d imported runs", len(list.ExecutionInfos))
	}
}

func TestHistoryImportRefusesInconsistent(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	c := extClient(d.Server)
	exported := export(t, c, "wf", runToCompletion(d, "src"))
	count := func() int32 {
		out, err := d.Client.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}})
		must(t, err)
		return out.Count
	}
	before := count()
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"a reference to another type of event", `"scheduledEventId": 5`, `"scheduledEventId": 2`, "events.6"},
		{"a gap in event ids", `"eventId": 3,`, `"eventId": 33,`, "events.3"},
		{"an open run", `"eventType": "WorkflowExecutionCompleted"`, `"eventType": "WorkflowExecutionSignaled"`, "events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(string(exported), tc.from, tc.to, 1)
			if broken == string(exported) {
				t.Fatalf("%q is not in the export", tc.from)
			}
			in := &engine.ImportHistoryInput{}
			must(t, json.Unmarshal([]byte(broken), in))
			in.Domain, in.WorkflowID = "wf", "broken"
			_, err := c.ImportHistory(ctx, in)
			if e := wantExtError(t, err, "ValidationException"); !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q does not name %s", e.Message, tc.want)
			}
		})
	}
	_, err := c.ImportHistory(ctx, &engine.ImportHistoryInput{Domain: "nope", WorkflowID: "w", Events: (&engine.ImportHistoryInput{}).Events})
	wantExtError(t, err, "ValidationException") // no events
	if after := count(); after != before {
		t.Errorf("refused imports changed the closed runs: %d → %d", before, after)
	}
}

// TestExportMatchesAWSCLI compares `openswf history export` with what the
// AWS CLI prints for the same run.
func TestExportMatchesAWSCLI(t *testing.T) {
	t.Parallel()
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed (.ci/run installs Debian's awscli)")
	}
	d := swftest.NewDomain(t)
	ex := runToCompletion(d, "cli")
	env := clientEnv(t)
	// Timestamps as the service sent them: AWS CLI v1's default ("none");
	// v2 prints ISO 8601 unless told "wire".
	format := "none"
	if v, _ := exec.Command(cli, "--version").CombinedOutput(); strings.HasPrefix(string(v), "aws-cli/2") {
		format = "wire"
	}
	for _, kv := range env {
		if path, ok := strings.CutPrefix(kv, "AWS_CONFIG_FILE="); ok {
			must(t, os.WriteFile(path, []byte("[default]\ncli_timestamp_format = "+format+"\n"), 0o600))
		}
	}
	cmd := exec.Command(cli, "swf", "--endpoint-url", d.URL(), "--output", "json", "get-workflow-execution-history",
		"--domain", "wf", "--execution", "workflowId=cli,runId="+*ex.RunId, "--page-size", "3")
	cmd.Env = env
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws swf get-workflow-execution-history: %v", err)
	}
	if got := export(t, extClient(d.Server), "wf", ex); !bytes.Equal(got, want) {
		t.Errorf("history export printed\n%s\nthe AWS CLI\n%s", got, want)
	}
}

// flakyArchive is a directory archive whose writes fail while fail is set.
type flakyArchive struct {
	archive.Archive
	fail atomic.Bool
}

func (a *flakyArchive) Put(ctx context.Context, r *archive.Record) error {
	if a.fail.Load() {
		return errors.New("the archive is down")
	}
	return a.Archive.Put(ctx, r)
}

func TestArchiveAtRetentionEnd(t *testing.T) {
	t.Parallel()
	dir, err := archive.NewDir(t.TempDir())
	must(t, err)
	arch := &flakyArchive{Archive: dir}
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Archive = arch }))
	c := extClient(d.Server)
	ex := runToCompletion(d, "kept")
	exported := export(t, c, "wf", ex)
	described := d.Describe(ex)

	// The domain keeps closed runs a day. While the archive is down the run
	// stays; it is archived, then deleted, once the archive is back.
	arch.fail.Store(true)
	d.Advance(24*time.Hour + time.Second)
	d.Describe(ex)
	arch.fail.Store(false)
	d.Advance(time.Minute)
	_, err = d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
	wantFault[*types.UnknownResourceFault](t, err)

	list, err := c.ListArchived(ctx, &engine.ListArchivedExecutionsInput{Domain: "wf"})
	must(t, err)
	if len(list.Executions) != 1 || list.Executions[0] != (archive.Ref{WorkflowID: "kept", RunID: *ex.RunId}) {
		t.Fatalf("archived runs %+v", list.Executions)
	}
	rec, err := c.GetArchived(ctx, &engine.GetArchivedExecutionInput{Domain: "wf", WorkflowID: "kept", RunID: *ex.RunId})
	must(t, err)
	info := rec.ExecutionInfo
	if string(*info.CloseStatus) != "COMPLETED" || !info.CloseTimestamp.Equal(*described.ExecutionInfo.CloseTimestamp) ||
		*rec.ExecutionConfiguration.TaskList.Name != swftest.DeciderList || !rec.ArchivedAt.Equal(d.Clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("archived %+v %+v at %v", info, rec.ExecutionConfiguration, rec.ArchivedAt)
	}
	events := make([]json.RawMessage, len(rec.Events))
	for i := range rec.Events {
		events[i], err = json.Marshal(&rec.Events[i])
		must(t, err)
	}
	var buf bytes.Buffer
	must(t, client.WriteHistory(&buf, events))
	if !bytes.Equal(buf.Bytes(), exported) {
		t.Errorf("the archived history\n%s\ndiffers from the one exported before retention\n%s", buf.Bytes(), exported)
	}
	_, err = c.GetArchived(ctx, &engine.GetArchivedExecutionInput{Domain: "wf", WorkflowID: "kept", RunID: "other"})
	wantExtError(t, err, "UnknownResourceFault")
}

func TestArchiveAbsent(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	_, err := extClient(d.Server).ListArchived(ctx, &engine.ListArchivedExecutionsInput{Domain: "wf"})
	if e := wantExtError(t, err, "UnknownResourceFault"); !strings.Contains(e.Message, "--archive") {
		t.Errorf("message %q", e.Message)
	}
}

func TestRetentionBeyondNinetyDays(t *testing.T) {
	t.Parallel()
	register := func(c *swf.Client, days string) error {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d" + days), WorkflowExecutionRetentionPeriodInDays: aws.String(days)})
		return err
	}
	plain := swftest.Start(t)
	wantValidationMessage(t, register(plain.Client, "91"), "1 validation error detected: Value '91' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: Member must be NONE or a number of days from 0 to 90")

	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.RetentionDays = 400 }))
	must(t, register(d.Client, "365"))
	wantValidationMessage(t, register(d.Client, "401"), "1 validation error detected: Value '401' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: Member must be NONE or a number of days from 0 to 400")
	_, err := d.Client.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d365"), Name: aws.String("t"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, DefaultExecutionStartToCloseTimeout: aws.String("60"),
		DefaultTaskStartToCloseTimeout: aws.String("10"), DefaultChildPolicy: types.ChildPolicyAbandon})
	must(t, err)
	run, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("d365"), WorkflowId: aws.String("long"), WorkflowType: swftest.WorkflowType("t", "1")})
	must(t, err)
	ex := &types.WorkflowExecution{WorkflowId: aws.String("long"), RunId: run.RunId}
	describe := func() error {
		_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String("d365"), Execution: ex})
		return err
	}
	d.Advance(time.Minute) // the run times out
	d.Advance(364 * 24 * time.Hour)
	must(t, describe())
	d.Advance(24 * time.Hour)
	wantFault[*types.UnknownResourceFault](t, describe())
}

func TestResetContinuesThroughDecider(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	c := extClient(d.Server)
	// Decision 1 schedules a1, which completes; decision 2 schedules a2,
	// which fails; decision 3 fails the run.
	ex := d.Start("resettable")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	a := d.PollActivity()
	d.Complete(a.TaskToken, "r1")
	d2 := d.PollDecision()
	d.Decide(d2.TaskToken, swftest.ScheduleActivity("a2"))
	a = d.PollActivity()
	_, err := d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: a.TaskToken, Reason: aws.String("bug")})
	must(t, err)
	d.Decide(d.PollDecision().TaskToken, types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String("a2 failed")}})
	old := d.History(ex)
	completed := d.LastEvent(ex, types.EventTypeActivityTaskScheduled).ActivityTaskScheduledEventAttributes.DecisionTaskCompletedEventId

	// Without a runId the run started last is reset: the failed one.
	next, err := c.Reset(ctx, &engine.ResetInput{Domain: "wf", WorkflowID: "resettable", DecisionTaskCompletedEventID: completed})
	must(t, err)
	if *next.RunId == *ex.RunId {
		t.Fatal("the reset run has the old runId")
	}
	task := d.PollDecision()
	if *task.WorkflowExecution.RunId != *next.RunId {
		t.Fatalf("the decision task is of run %s, want %s", *task.WorkflowExecution.RunId, *next.RunId)
	}
	events := task.Events
	for i := int64(0); i < completed; i++ {
		if events[i].EventType != old[i].EventType || !events[i].EventTimestamp.Equal(*old[i].EventTimestamp) {
			t.Fatalf("event %d is %s, the old run's %s", i+1, events[i].EventType, old[i].EventType)
		}
	}
	marker := events[completed].MarkerRecordedEventAttributes
	if marker == nil || *marker.MarkerName != workflow.ResetMarker || !strings.Contains(*marker.Details, *ex.RunId) || marker.DecisionTaskCompletedEventId != completed {
		t.Fatalf("event %d after the copy: %s %+v", completed+1, events[completed].EventType, marker)
	}
	if task.PreviousStartedEventId != d2.StartedEventId {
		t.Errorf("previousStartedEventId %d, want the decision's own %d", task.PreviousStartedEventId, d2.StartedEventId)
	}
	// The decider decides again what it decided at that point; the run
	// goes on to completion.
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a2"))
	a = d.PollActivity()
	if *a.WorkflowExecution.RunId != *next.RunId {
		t.Fatalf("activity task of run %s", *a.WorkflowExecution.RunId)
	}
	d.Complete(a.TaskToken, "r2")
	d.Decide(d.PollDecision().TaskToken, swftest.CompleteWorkflow("fixed"))
	nextEx := &types.WorkflowExecution{WorkflowId: next.WorkflowId, RunId: next.RunId}
	if info := d.Describe(nextEx).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Errorf("the reset run closed %s", info.CloseStatus)
	}
	if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusFailed {
		t.Errorf("the old run is now %s", info.CloseStatus)
	}
}

func TestResetOpenRun(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	c := extClient(d.Server)
	// Decision 1 (event 4) schedules a1 (5); a signal (6) brings decision 2
	// (event 9), which decides nothing; a1 is still open then.
	ex := d.Start("open")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"))
	_, err := d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	d.Decide(d.PollDecision().TaskToken)

	_, err = c.Reset(ctx, &engine.ResetInput{Domain: "wf", WorkflowID: "open", DecisionTaskCompletedEventID: 6})
	if e := wantExtError(t, err, "ValidationException"); !strings.Contains(e.Message, "DecisionTaskCompleted") {
		t.Errorf("reset to a signal: %s", e.Message)
	}
	_, err = c.Reset(ctx, &engine.ResetInput{Domain: "wf", WorkflowID: "nobody", DecisionTaskCompletedEventID: 4})
	wantExtError(t, err, "UnknownResourceFault")

	next, err := c.Reset(ctx, &engine.ResetInput{Domain: "wf", WorkflowID: "open", RunID: *ex.RunId, DecisionTaskCompletedEventID: 9})
	must(t, err)
	term := d.LastEvent(ex, types.EventTypeWorkflowExecutionTerminated).WorkflowExecutionTerminatedEventAttributes
	if *term.Reason != workflow.ResetReason || !strings.Contains(*term.Details, *next.RunId) {
		t.Errorf("the old run was terminated with %q %q", *term.Reason, *term.Details)
	}
	nextEx := &types.WorkflowExecution{WorkflowId: next.WorkflowId, RunId: next.RunId}
	got := swftest.EventTypes(d.History(nextEx)[9:])
	if want := []types.EventType{"MarkerRecorded", "ActivityTaskFailed", "DecisionTaskScheduled"}; !slices.Equal(got, want) {
		t.Fatalf("after the copy: %s, want %s", got, want)
	}
	failed := d.LastEvent(nextEx, types.EventTypeActivityTaskFailed).ActivityTaskFailedEventAttributes
	if failed.ScheduledEventId != 5 || failed.StartedEventId != 0 || *failed.Reason != workflow.ResetReason {
		t.Errorf("a1 failed as %+v", failed)
	}
	if counts := d.Describe(nextEx).OpenCounts; counts.OpenActivityTasks != 0 || counts.OpenDecisionTasks != 1 {
		t.Errorf("open counts %+v", counts)
	}
	d.Decide(d.PollDecision().TaskToken, swftest.CompleteWorkflow("ok"))
}

func TestExtensionsAuthorization(t *testing.T) {
	t.Parallel()
	file := auth.File{}
	must(t, json.Unmarshal([]byte(`{"users": [
  {"name": "admin", "accessKeys": [{"accessKeyId": "`+swftest.AccessKeyID+`", "secretAccessKey": "`+swftest.SecretAccessKey+`"}],
   "policies": [{"Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}]},
  {"name": "operator", "accessKeys": [{"accessKeyId": "AKIDOPERATOR", "secretAccessKey": "operator-secret"}],
   "policies": [{"Statement": [{"Effect": "Allow", "Action": "openswf:ResetWorkflowExecution", "Resource": "arn:aws:swf:*:*:/domain/wf"}]}]}]}`), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Auth = a }))
	reset := &engine.ResetInput{Domain: "wf", WorkflowID: "none", DecisionTaskCompletedEventID: 4}

	// swf:* grants none of the extensions.
	_, err = extClient(d.Server).Reset(ctx, reset)
	if e := wantExtError(t, err, "OperationNotPermittedFault"); !strings.Contains(e.Message, "openswf:ResetWorkflowExecution") {
		t.Errorf("message %q", e.Message)
	}
	op := extClientAs(d.Server, "AKIDOPERATOR", "operator-secret")
	_, err = op.Reset(ctx, reset)
	wantExtError(t, err, "UnknownResourceFault") // allowed: the run is what is missing
	_, err = op.ImportHistory(ctx, &engine.ImportHistoryInput{Domain: "wf", WorkflowID: "w"})
	wantExtError(t, err, "OperationNotPermittedFault")
	reset.Domain = "other"
	_, err = op.Reset(ctx, reset)
	wantExtError(t, err, "OperationNotPermittedFault")

	_, err = extClientAs(d.Server, "AKIDOPERATOR", "wrong").Reset(ctx, reset)
	wantExtError(t, err, "InvalidSignatureException")
	unsigned := &client.Client{Endpoint: d.URL(), HTTP: http.DefaultClient}
	_, err = unsigned.Reset(ctx, reset)
	wantExtError(t, err, "MissingAuthenticationTokenException")
}

func TestExtensionNeedsItsTarget(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	resp, err := http.Post(s.URL()+server.ExtensionPaths.ResetWorkflowExecution, "application/json", strings.NewReader(`{}`))
	must(t, err)
	defer resp.Body.Close()
	var body struct {
		Type    string `json:"__type"`
		Message string
	}
	must(t, json.NewDecoder(resp.Body).Decode(&body))
	if resp.StatusCode != 400 || !strings.HasSuffix(body.Type, "#UnknownOperationException") || !strings.Contains(body.Message, "OpenSWF.ResetWorkflowExecution") {
		t.Errorf("without X-Amz-Target: %d %+v", resp.StatusCode, body)
	}
}
