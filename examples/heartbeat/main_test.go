package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

func runExample(t *testing.T, cancelAfter int) (types.CloseStatus, string) {
	t.Helper()
	s := swftest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out safeBuffer
	status, err := Run(ctx, s.Client, Options{Domain: "example", Steps: 6, Step: 5 * time.Millisecond, CancelAfter: cancelAfter}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return status, out.String()
}

func TestExampleCancelsCleanly(t *testing.T) {
	t.Parallel()
	status, out := runExample(t, 2)
	if status != types.CloseStatusCanceled {
		t.Fatalf("closed %s\n%s", status, out)
	}
	for _, want := range []string{"worker: cancellation requested", "ActivityTaskCancelRequested", "ActivityTaskCanceled", "WorkflowExecutionCanceled"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExampleCompletes(t *testing.T) {
	t.Parallel()
	status, out := runExample(t, 0)
	if status != types.CloseStatusCompleted || !strings.Contains(out, "worker: step 6/6") || !strings.Contains(out, "WorkflowExecutionCompleted") {
		t.Fatalf("closed %s\n%s", status, out)
	}
}
