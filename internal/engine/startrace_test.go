package engine_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// Starts of one workflowId at once, on PostgreSQL (where they run as
// concurrent transactions): one starts the run, every other one answers
// WorkflowExecutionAlreadyStartedFault, as Amazon SWF does, whichever of
// them lost a race at its commit and ran again.
func TestConcurrentStartsOfOneWorkflowID(t *testing.T) {
	h, _ := newPostgresHarness(t)
	const starters = 8
	var wg sync.WaitGroup
	errs := make([]error, starters)
	for i := range starters {
		wg.Go(func() {
			_, errs[i] = h.e.StartWorkflowExecution(ctx, &swfapi.StartWorkflowExecutionInput{
				Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr("once"), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wf"), Version: swfapi.Ptr("1")},
			})
		})
	}
	wg.Wait()
	started := 0
	for _, err := range errs {
		var f *swfapi.Error
		switch {
		case err == nil:
			started++
		case errors.As(err, &f) && f.Code == swfapi.CodeWorkflowExecutionAlreadyStartedFault:
		default:
			t.Errorf("a start: %v", err)
		}
	}
	if started != 1 {
		t.Fatalf("%d of %d starts of one workflowId started a run, want 1", started, starters)
	}
	open, err := h.e.CountOpenWorkflowExecutions(ctx, &swfapi.CountOpenWorkflowExecutionsInput{Domain: swfapi.Ptr(domain),
		StartTimeFilter: &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(epoch.Add(-1))}})
	h.must(err)
	if *open.Count != 1 {
		t.Fatalf("%d open runs, want 1", *open.Count)
	}
}
