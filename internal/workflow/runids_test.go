package workflow

import (
	"encoding/base64"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// A supply hands out the same ids from the same seed, distinct ones in
// turn and from another seed, each 32 bytes as base64url.
func TestRunIDs(t *testing.T) {
	a, b, other := NewRunIDs(simSeed), NewRunIDs(simSeed), NewRunIDs([32]byte{9})
	seen := map[string]bool{}
	for i := range 100 {
		id := a.Next()
		if again := b.Next(); again != id {
			t.Fatalf("id %d: %s, then %s from the same seed", i, id, again)
		}
		if o := other.Next(); o == id || seen[o] {
			t.Fatalf("id %d of another seed: %s", i, o)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(id); err != nil || len(raw) != 32 || len(id) != 43 {
			t.Fatalf("id %q: %d bytes, %v", id, len(raw), err)
		}
		if seen[id] {
			t.Fatalf("id %d %s handed out twice", i, id)
		}
		seen[id] = true
	}
}

// The run that continues a run as new gets its runId from the supply in
// Options, so the same supply gives the same continuation, and another
// supply another.
func TestContinueAsNewRunIDFromSupply(t *testing.T) {
	continueWith := func(seed [32]byte) string {
		s := startedSim(t, Options{})
		s.runIDs = *NewRunIDs(seed)
		eff := s.decide(dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout, a.TaskStartToCloseTimeout = swfapi.Ptr("60"), swfapi.Ptr("10")
			a.TaskList, a.ChildPolicy = &swfapi.TaskList{Name: swfapi.Ptr("next")}, swfapi.ChildPolicyAbandon.Ptr()
		}))
		a := eff.Events[1].WorkflowExecutionContinuedAsNewEventAttributes
		if a == nil || len(s.out) != 1 {
			t.Fatalf("events %v, outbound %+v", types(eff.Events), s.out)
		}
		if next := s.out[0].(*ContinueAsNew); next.RunID != *a.NewExecutionRunId {
			t.Fatalf("continued as %s, the event says %s", next.RunID, *a.NewExecutionRunId)
		}
		return *a.NewExecutionRunId
	}
	first, again, other := continueWith(simSeed), continueWith(simSeed), continueWith([32]byte{7})
	if first != simRunID(1) || again != first || other == first || other != NewRunIDs([32]byte{7}).Next() {
		t.Fatalf("runIds %s, %s, %s", first, again, other)
	}
}
