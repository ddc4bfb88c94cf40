package engine_test

import (
	"testing"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store/postgres"
	"github.com/openswf/openswf/internal/store/postgres/pgtest"
	"github.com/openswf/openswf/internal/swfapi"
)

// On PostgreSQL each round trip to the database costs both sides system
// calls and wake-ups, which on a busy server are a large part of the CPU a
// workflow takes: these tests hold the calls of the benchmark's workflow
// (internal/bench) to the round trips they make now, so that a change that
// adds one fails. They need OPENSWF_TEST_POSTGRES_URL.

// newPostgresHarness is a harness on a PostgreSQL store in a schema of its
// own, which it drops at the end.
func newPostgresHarness(t *testing.T) (*harness, *postgres.Store) {
	t.Helper()
	url, schema := pgtest.Schema(t)
	st, err := postgres.OpenSchema(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(epoch)
	return newHarnessOn(t, engine.Config{}, st, clk, clk), st
}

// TestRoundTripsOfAWorkflow runs the benchmark's workflow on PostgreSQL
// (start; a decision that schedules an activity; the activity, with three
// heartbeats; a decision that completes the run) and checks the round
// trips of each call.
func TestRoundTripsOfAWorkflow(t *testing.T) {
	h, st := newPostgresHarness(t)
	// Warm the engine's domain cache, as on a server that has served the
	// domain before: what is measured is the steady state.
	h.start("warm")

	calls := []struct {
		name string
		max  int64
		fn   func()
	}{}
	var run *swfapi.WorkflowExecution
	var dt *swfapi.DecisionTask
	var at *swfapi.ActivityTask
	add := func(name string, max int64, fn func()) {
		calls = append(calls, struct {
			name string
			max  int64
			fn   func()
		}{name, max, fn})
	}
	add("StartWorkflowExecution", 2, func() { run = h.start("w") })
	add("PollForDecisionTask", 2, func() { dt = h.pollDecision() })
	add("RespondDecisionTaskCompleted", 2, func() { h.respond(dt, schedule("a", "600")) })
	add("PollForActivityTask", 3, func() { at = h.pollActivity() })
	for range 3 {
		add("RecordActivityTaskHeartbeat", 1, func() {
			_, err := h.e.RecordActivityTaskHeartbeat(ctx, &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
			h.must(err)
		})
	}
	add("RespondActivityTaskCompleted", 2, func() {
		h.must(h.e.RespondActivityTaskCompleted(ctx, &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken, Result: swfapi.Ptr("done")}))
	})
	add("PollForDecisionTask", 2, func() { dt = h.pollDecision() })
	add("RespondDecisionTaskCompleted", 2, func() { h.respond(dt, completeRun()) })
	// The warm-up run's decision task is first on the list: take it.
	h.pollDecision()
	var total int64
	for _, c := range calls {
		before := st.RoundTrips()
		c.fn()
		n := st.RoundTrips() - before
		total += n
		t.Logf("%-30s %d round trips", c.name, n)
		if n > c.max {
			t.Errorf("%s: %d round trips, want at most %d", c.name, n, c.max)
		}
	}
	t.Logf("%-30s %d round trips", "workflow", total)
	h.wantLast(run, "DecisionTaskCompleted", "WorkflowExecutionCompleted")
}
