package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// TestExtensionCommands runs history export and import, reset and the
// archive commands against a server, signing with credentials from the
// environment as the AWS chain finds them.
func TestExtensionCommands(t *testing.T) {
	ctx := context.Background()
	arch, err := archive.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Archive = arch }))
	t.Setenv("AWS_ACCESS_KEY_ID", swftest.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", swftest.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c := s.Client
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}))
	must(c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("t"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("L")}, DefaultExecutionStartToCloseTimeout: aws.String("600"),
		DefaultTaskStartToCloseTimeout: aws.String("60"), DefaultChildPolicy: types.ChildPolicyTerminate}))
	must(c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: aws.String("w"), WorkflowType: &types.WorkflowType{Name: aws.String("t"), Version: aws.String("1")}}))
	decide := func(d types.Decision) {
		task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("d"), TaskList: &types.TaskList{Name: aws.String("L")}})
		must(task, err)
		must(c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{d}}))
	}
	decide(types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution, CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("1")}})

	cmd := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if err := run(append(args[:1:1], append([]string{"--endpoint", s.URL()}, args[1:]...)...), &out, &errs); err != nil {
			t.Fatalf("openswf %s: %v\n%s", strings.Join(args, " "), err, errs.String())
		}
		return out.String()
	}
	sub := func(group string, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		full := append([]string{group, args[0], "--endpoint", s.URL()}, args[1:]...)
		if err := run(full, &out, &errs); err != nil {
			t.Fatalf("openswf %s: %v\n%s", strings.Join(full, " "), err, errs.String())
		}
		return out.String()
	}

	exported := sub("history", "export", "--domain", "d", "--workflow-id", "w")
	if !strings.HasPrefix(exported, "{\n    \"events\": [\n") || !strings.Contains(exported, `"eventType": "WorkflowExecutionCompleted"`) {
		t.Fatalf("history export printed\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "copy.json")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	var imported struct{ WorkflowID, RunID string }
	if err := json.Unmarshal([]byte(sub("history", "import", "--domain", "d", file)), &imported); err != nil || imported.WorkflowID != "copy" {
		t.Fatalf("history import: %+v %v", imported, err)
	}
	if again := sub("history", "export", "--domain", "d", "--workflow-id", "copy", "--run-id", imported.RunID); again != exported {
		t.Errorf("the imported history exports as\n%s\nwant\n%s", again, exported)
	}

	var reset struct{ WorkflowID, RunID string }
	if err := json.Unmarshal([]byte(cmd("reset", "--domain", "d", "--workflow-id", "w", "--event-id", "4")), &reset); err != nil || reset.WorkflowID != "w" || reset.RunID == "" {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	decide(types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution, CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: aws.String("2")}})

	// Retention ends: the three runs go to the archive.
	s.Clock.Advance(25 * time.Hour)
	if err := s.FireDueTimers(ctx); err != nil {
		t.Fatal(err)
	}
	var list struct{ Executions []archive.Ref }
	if err := json.Unmarshal([]byte(sub("archive", "list", "--domain", "d")), &list); err != nil || len(list.Executions) != 3 {
		t.Fatalf("archive list: %+v %v", list, err)
	}
	if list.Executions[0].WorkflowID != "copy" {
		t.Errorf("archived runs %+v", list.Executions)
	}
	if got := sub("archive", "get", "--domain", "d", "--workflow-id", "copy", "--run-id", imported.RunID, "--history"); got != exported {
		t.Errorf("archive get --history printed\n%s\nwant\n%s", got, exported)
	}
	if got := sub("archive", "get", "--domain", "d", "--workflow-id", "w", "--run-id", reset.RunID); !strings.Contains(got, `"markerName": "openswf.reset"`) {
		t.Errorf("archive get of the reset run printed\n%s", got)
	}

	var out bytes.Buffer
	if err := run([]string{"reset", "--endpoint", s.URL(), "--domain", "d"}, &out, &out); err == nil || !strings.Contains(err.Error(), "--workflow-id is required") {
		t.Errorf("reset without --workflow-id: %v", err)
	}
}

func TestServeRefusesABadArchive(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"serve", "--listen", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "db"), "--archive", "ftp://host/dir"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "file:///DIR or s3://BUCKET/PREFIX") {
		t.Fatalf("serve --archive ftp://…: %v", err)
	}
}
