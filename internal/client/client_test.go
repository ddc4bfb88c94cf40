package client_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/client"
	"github.com/openswf/openswf/internal/swftest"
)

// History joins every page, in order, and finds the run to read.
func TestHistoryJoinsPages(t *testing.T) {
	ctx := context.Background()
	s := swftest.Start(t)
	c := s.Client
	check := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")}))
	check(c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("t"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("L")}, DefaultExecutionStartToCloseTimeout: aws.String("600"),
		DefaultTaskStartToCloseTimeout: aws.String("60"), DefaultChildPolicy: types.ChildPolicyTerminate}))
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: aws.String("w"), WorkflowType: &types.WorkflowType{Name: aws.String("t"), Version: aws.String("1")}})
	check(run, err)
	for i := range 5 {
		check(c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String("d"), WorkflowId: aws.String("w"), SignalName: aws.String("s" + strconv.Itoa(i))}))
	}
	cl := &client.Client{Endpoint: s.URL(), Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(swftest.AccessKeyID, swftest.SecretAccessKey, ""), HTTP: http.DefaultClient, PageSize: 2}
	events, runID, err := cl.History(ctx, "d", "w", "")
	check(events, err)
	if runID != *run.RunId || len(events) != 7 {
		t.Fatalf("read %d events of run %s, want 7 of %s", len(events), runID, *run.RunId)
	}
	for i, raw := range events {
		var ev struct{ EventID int64 }
		if err := json.Unmarshal(raw, &ev); err != nil || ev.EventID != int64(i+1) {
			t.Errorf("event %d is %s", i+1, raw)
		}
	}
	if _, _, err := cl.History(ctx, "d", "nobody", ""); err == nil {
		t.Error("the history of a workflowId without runs was read")
	}
}
